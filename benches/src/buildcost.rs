//! `build`: compile time of a generated client crate per operation.
//!
//! The Twitch crate is generated (with `streamkit_codegen::generate_text`) from the real
//! Helix spec (17 operations) and from synthetic copies with every operation four times
//! (68 operations), into crates of a temporary workspace under
//! `target/bench-build/` whose dependencies are those of `generated/twitch` (same
//! `Cargo.lock`, `streamkit-runtime` by path, every other file of `generated/twitch/src`). Dependencies are built once into a shared
//! `CARGO_TARGET_DIR`; then each crate's own compile is timed: `touch src/lib.rs` and
//! `cargo build -p <crate>` (dev profile, `CARGO_INCREMENTAL=0`), minus a no-op
//! `cargo build` of the same crate, best of `REPS`. The baseline, `twitch_api` 0.8, is built
//! the same way in a workspace of its own (`cargo clean -p twitch_api` instead of `touch`).
//!
//! Two more figures: the cold build (every dependency from scratch, fresh target dir) of a
//! crate using the three service crates against one using only reqwest + serde + tokio
//! (the floor any hand-written client pays), and the time to regenerate every spec
//! (`streamkit_codegen::regen` in check mode, in this release binary: what the release
//! `xtask regen` runs, without writing).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::*;

const SCENARIO: &str = "build";
const REPS: usize = 3;
/// Cold builds take minutes each on two cores: one round by default
/// (`STREAMKIT_BENCH_COLD_REPS` for more).
fn cold_reps() -> usize {
    std::env::var("STREAMKIT_BENCH_COLD_REPS").ok().and_then(|v| v.parse().ok()).unwrap_or(1).max(1)
}
/// How many copies of each operation the large spec has.
const K: usize = 4;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// One crate to build.
struct Variant {
    name: &'static str,
    what: String,
    ops: usize,
    code: String,
}

fn operations(doc: &Value) -> Vec<(String, String)> {
    const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for m in METHODS {
            if item.get(*m).is_some() {
                out.push((path.clone(), (*m).to_string()));
            }
        }
    }
    out
}

/// Renames every `$ref` to a component of `kinds` inside `v` by appending `suffix`.
fn rename_refs(v: &mut Value, kinds: &[&str], suffix: &str) {
    match v {
        Value::Object(map) => {
            for (k, x) in map.iter_mut() {
                if k == "$ref"
                    && let Value::String(s) = x
                    && kinds.iter().any(|kind| s.starts_with(&format!("#/components/{kind}/")))
                {
                    s.push_str(suffix);
                } else {
                    rename_refs(x, kinds, suffix);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|x| rename_refs(x, kinds, suffix)),
        _ => {}
    }
}

/// The spec with every operation `k` times: copies under `/k<c>/…` with operation ids
/// suffixed `K<c>`. With `own_types`, each copy also gets its own copy of every component
/// schema, response and header (what a genuinely new endpoint brings); without, the copies
/// share the original types (and are not paginated: see below).
fn multiply(doc: &Value, k: usize, own_types: bool) -> Value {
    const KINDS: &[&str] = &["schemas", "responses", "headers"];
    let mut out = doc.clone();
    for c in 2..=k {
        let suffix = format!("K{c}");
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            let mut item = item.clone();
            if let Some(ops) = item.as_object_mut() {
                for op in ops.values_mut() {
                    if let Some(Value::String(id)) = op.get_mut("operationId") {
                        id.push_str(&suffix);
                    }
                    // Codegen implements `PageBody` on the response type, once per paginated
                    // operation: copies sharing the original's type cannot paginate too.
                    if !own_types && let Some(op) = op.as_object_mut() {
                        op.remove("x-streamkit-pagination");
                    }
                }
            }
            if own_types {
                rename_refs(&mut item, KINDS, &suffix);
            }
            out["paths"][format!("/k{c}{path}")] = item;
        }
        if own_types {
            for kind in KINDS {
                let originals = doc["components"][kind].as_object().cloned().unwrap_or_default();
                for (name, mut def) in originals {
                    rename_refs(&mut def, KINDS, &suffix);
                    out["components"][kind][format!("{name}{suffix}")] = def;
                }
            }
        }
    }
    out
}

fn generate(doc: &Value) -> BenchResult<String> {
    let text = serde_json::to_string(doc).map_err(ctx("spec to JSON"))?;
    streamkit_codegen::generate_text(&text, Path::new("specs/twitch/helix.yaml"))
        .map(|o| o.code)
        .map_err(|e| format!("codegen: {e}"))
}

/// The generated code with `#[serde(flatten)] extra` maps skipped instead (no flatten
/// machinery in the derived `Deserialize`).
fn without_flatten(code: &str) -> String {
    code.replace("#[serde(flatten)]", "#[serde(skip)]")
}

/// The generated code with every `Drift::drift` body emptied (prettyplease layout: the body
/// ends at the `}` indented like the `fn`).
fn without_drift(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut skip_until: Option<String> = None;
    for line in code.lines() {
        if let Some(end) = &skip_until {
            if line == end {
                skip_until = None;
                out.push_str(line);
                out.push('\n');
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
        let trimmed = line.trim_start();
        if trimmed.starts_with("fn drift(&self") && trimmed.ends_with('{') {
            let indent = &line[..line.len() - trimmed.len()];
            skip_until = Some(format!("{indent}}}"));
        }
    }
    out
}

/// The `[section]` of a TOML file, header excluded, up to the next section.
fn toml_section(text: &str, header: &str) -> String {
    let mut lines = text.lines().skip_while(|l| l.trim() != header);
    lines.next();
    lines.take_while(|l| !l.trim_start().starts_with('[')).map(|l| format!("{l}\n")).collect()
}

fn write(path: &Path, text: &str) -> BenchResult<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("mkdir {}: {e}", dir.display()))?;
    }
    // Unchanged files keep their mtime, so reruns reuse what is built.
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    std::fs::write(path, text).map_err(|e| format!("write {}: {e}", path.display()))
}

/// The files under `dir`, as paths relative to it.
fn source_files(dir: &Path) -> BenchResult<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))?.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                out.push(rel.to_path_buf());
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Writes the temporary workspace with one crate per variant.
fn write_workspace(ws: &Path, variants: &[Variant]) -> BenchResult<()> {
    let root = root();
    let read = |p: &str| std::fs::read_to_string(root.join(p)).map_err(|e| format!("read {p}: {e}"));
    let root_toml = read("Cargo.toml")?;
    let abs = |rel: &str| root.join(rel).display().to_string();
    let mut deps = toml_section(&root_toml, "[workspace.dependencies]");
    for (name, rel) in [
        ("runtime", "runtime"),
        ("codegen", "codegen"),
        ("generated/twitch", "generated/twitch"),
        ("sandbox", "sandbox"),
    ] {
        deps = deps.replace(&format!("path = \"{name}\""), &format!("path = \"{}\"", abs(rel)));
    }
    let members: Vec<String> = variants.iter().map(|v| format!("\"{}\"", v.name)).collect();
    write(
        &ws.join("Cargo.toml"),
        &format!(
            "# Written by `streamkit-benches build`; safe to delete.\n[workspace]\nresolver = \"3\"\nmembers = [{}]\n\n\
             [workspace.package]\n{}\n[workspace.dependencies]\n{deps}\n\
             [profile.dev]\ndebug = \"line-tables-only\"\n\n[profile.dev.package.\"*\"]\ndebug = false\n",
            members.join(", "),
            toml_section(&root_toml, "[workspace.package]"),
        ),
    )?;
    if !ws.join("Cargo.lock").exists() {
        std::fs::copy(root.join("Cargo.lock"), ws.join("Cargo.lock")).map_err(ctx("copy Cargo.lock"))?;
    }
    let twitch_toml = read("generated/twitch/Cargo.toml")?;
    for v in variants {
        let dir = ws.join(v.name);
        write(
            &dir.join("Cargo.toml"),
            &format!(
                "[package]\nname = \"{}\"\nedition.workspace = true\nversion.workspace = true\npublish = false\n\n\
                 [features]\n{}\n[dependencies]\n{}",
                v.name,
                toml_section(&twitch_toml, "[features]"),
                toml_section(&twitch_toml, "[dependencies]"),
            ),
        )?;
        // Every hand-written module (lib.rs, auth.rs, eventsub/, ...) and the other generated
        // files as they are; only generated_helix.rs differs between the variants.
        for f in source_files(&root.join("generated/twitch/src"))? {
            if f != Path::new("generated_helix.rs") {
                write(&dir.join("src").join(&f), &read(&format!("generated/twitch/src/{}", f.display()))?)?;
            }
        }
        write(&dir.join("src/generated_helix.rs"), &v.code)?;
    }
    Ok(())
}

fn cargo_build(ws: &Path, target: &Path, args: &[&str]) -> BenchResult<Duration> {
    let t0 = Instant::now();
    let out = Command::new(cargo())
        .arg("build")
        .args(args)
        .current_dir(ws)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .map_err(ctx("cargo build"))?;
    let took = t0.elapsed();
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = err.lines().rev().take(30).collect::<Vec<_>>().into_iter().rev().collect();
        return Err(format!("cargo build {args:?} failed:\n{}", tail.join("\n")));
    }
    Ok(took)
}

/// One timed compile of a variant crate (after `touch src/lib.rs`), minus a no-op build.
fn crate_compile(ws: &Path, target: &Path, name: &str) -> BenchResult<Duration> {
    let noop = cargo_build(ws, target, &["-p", name])?;
    // `touch`: a new mtime makes cargo rebuild this crate only.
    let lib = ws.join(name).join("src/lib.rs");
    let f = std::fs::File::options().append(true).open(&lib).map_err(ctx("touch"))?;
    f.set_modified(std::time::SystemTime::now()).map_err(ctx("touch"))?;
    drop(f);
    Ok(cargo_build(ws, target, &["-p", name])?.saturating_sub(noop))
}

/// Lines of the blocks opened by a line that, trimmed, starts with `opener` at `indent`
/// spaces (prettyplease layout: a block ends at the `}` indented like its opener).
fn block_lines(code: &str, opener: &str, indent: usize) -> usize {
    let mut end: Option<String> = None;
    let mut n = 0;
    for line in code.lines() {
        if let Some(e) = &end {
            n += 1;
            if line == e {
                end = None;
            }
            continue;
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with(opener) && trimmed.ends_with('{') && line.len() - trimmed.len() == indent {
            end = Some(format!("{}}}", " ".repeat(indent)));
            n += 1;
        }
    }
    n
}

/// Counts dependency lines of `cargo tree -p streamkit-twitch -e normal` that match any of `needles`.
fn tree_count(features: &[&str], needles: &[&str]) -> BenchResult<usize> {
    let out = Command::new(cargo())
        .args(["tree", "-p", "streamkit-twitch", "-e", "normal"])
        .args(features)
        .current_dir(root())
        .output()
        .map_err(ctx("cargo tree"))?;
    if !out.status.success() {
        return Err(format!("cargo tree failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).lines().filter(|l| needles.iter().any(|n| l.contains(n))).count())
}

/// The same-machine baseline: `twitch_api` 0.8 (features `helix`, `client`) in a workspace
/// of its own (it needs crates.io the first time; failure is reported, not fatal), built
/// once. Returns the workspace and the number of Helix endpoints (`impl … Request for`).
fn prepare_twitch_api(base: &Path, target: &Path) -> BenchResult<(PathBuf, usize)> {
    let ws = base.join("ws-twitch-api");
    write(
        &ws.join("Cargo.toml"),
        "# Written by `streamkit-benches build`; safe to delete.\n[workspace]\n\n[package]\nname = \"bench-twitch-api-0-8\"\n\
         version = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[lib]\npath = \"lib.rs\"\n\n\
         [dependencies]\ntwitch_api = { version = \"=0.8.0\", features = [\"helix\", \"client\"] }\n\n\
         [profile.dev]\ndebug = \"line-tables-only\"\n\n[profile.dev.package.\"*\"]\ndebug = false\n\n\
         # Like the generated crates, which are workspace members.\n[profile.dev.package.twitch_api]\ndebug = \"line-tables-only\"\n",
    )?;
    write(&ws.join("lib.rs"), "pub use twitch_api;\n")?;
    cargo_build(&ws, target, &[])?;
    let meta = Command::new(cargo())
        .args(["metadata", "--format-version", "1"])
        .current_dir(&ws)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .map_err(ctx("cargo metadata"))?;
    let meta: Value = serde_json::from_slice(&meta.stdout).map_err(ctx("cargo metadata"))?;
    let manifest = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == "twitch_api")
        .and_then(|p| p["manifest_path"].as_str())
        .ok_or("twitch_api is not in cargo metadata")?;
    let mut endpoints = 0;
    let mut dirs = vec![Path::new(manifest).with_file_name("src").join("helix/endpoints")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                endpoints += text
                    .lines()
                    .filter(|l| {
                        let l = l.trim_start();
                        l.starts_with("impl") && l.contains(" Request for ")
                    })
                    .count();
            }
        }
    }
    Ok((ws, endpoints))
}

/// One timed compile of `twitch_api` (after `cargo clean -p twitch_api`), minus a no-op build.
fn twitch_api_compile(ws: &Path, target: &Path) -> BenchResult<Duration> {
    let noop = cargo_build(ws, target, &[])?;
    let clean = Command::new(cargo())
        .args(["clean", "-p", "twitch_api"])
        .current_dir(ws)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .map_err(ctx("cargo clean"))?;
    if !clean.status.success() {
        return Err(format!("cargo clean -p twitch_api: {}", String::from_utf8_lossy(&clean.stderr).trim()));
    }
    Ok(cargo_build(ws, target, &[])?.saturating_sub(noop))
}

/// Best of `REPS` runs of `streamkit_codegen::regen` in check mode (every spec generated
/// and compared, nothing written), and the number of specs.
fn regen_time(root: &Path) -> BenchResult<(Duration, usize)> {
    let mut best = Duration::MAX;
    let mut specs = 0;
    for _ in 0..REPS {
        let t0 = Instant::now();
        let report = streamkit_codegen::regen(root, true).map_err(|e| format!("regen: {e}"))?;
        best = best.min(t0.elapsed());
        specs = report.files.len();
    }
    Ok((best, specs))
}

/// The workspace of the cold builds: `bench-floor` (reqwest with the workspace's features and
/// rustls, serde, serde_json, tokio) and `bench-three` (the Twitch, MEDKit and Mixer crates).
fn write_cold_workspace(ws: &Path) -> BenchResult<()> {
    let root = root();
    let abs = |rel: &str| root.join(rel).display().to_string();
    let profile = "[profile.dev]\ndebug = \"line-tables-only\"\n\n[profile.dev.package.\"*\"]\ndebug = false\n";
    write(
        &ws.join("Cargo.toml"),
        &format!(
            "# Written by `streamkit-benches build`; safe to delete.\n[workspace]\nresolver = \"3\"\nmembers = [\"bench-floor\", \"bench-three\"]\n\n{profile}"
        ),
    )?;
    if !ws.join("Cargo.lock").exists() {
        std::fs::copy(root.join("Cargo.lock"), ws.join("Cargo.lock")).map_err(ctx("copy Cargo.lock"))?;
    }
    let root_toml = std::fs::read_to_string(root.join("Cargo.toml")).map_err(ctx("read Cargo.toml"))?;
    let deps = toml_section(&root_toml, "[workspace.dependencies]");
    let dep = |name: &str| {
        deps.lines()
            .find(|l| l.starts_with(&format!("{name} =")))
            .map(str::to_string)
            .ok_or(format!("no workspace dependency {name}"))
    };
    let package = |name: &str| {
        format!("[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n")
    };
    write(
        &ws.join("bench-floor/Cargo.toml"),
        &format!(
            "{}[dependencies]\n{}\n{}\n{}\n{}\n{}\n",
            package("bench-floor"),
            // The TLS the service crates build by default (`streamkit-runtime/rustls`).
            dep("reqwest")?.replace("features = [", "features = [\"rustls-no-provider\", "),
            dep("rustls")?,
            dep("serde")?,
            dep("serde_json")?,
            dep("tokio")?,
        ),
    )?;
    write(&ws.join("bench-floor/src/lib.rs"), "pub use {reqwest, rustls, serde, serde_json, tokio};\n")?;
    write(
        &ws.join("bench-three/Cargo.toml"),
        &format!(
            "{}[dependencies]\nstreamkit-twitch = {{ path = \"{}\" }}\nstreamkit-medkit = {{ path = \"{}\" }}\nstreamkit-mixer = {{ path = \"{}\" }}\n",
            package("bench-three"),
            abs("generated/twitch"),
            abs("generated/medkit"),
            abs("generated/mixer"),
        ),
    )?;
    write(&ws.join("bench-three/src/lib.rs"), "pub use {streamkit_medkit, streamkit_mixer, streamkit_twitch};\n")
}

/// One cold build of `name`: a fresh target dir, every dependency built.
fn cold_build(ws: &Path, base: &Path, name: &str) -> BenchResult<Duration> {
    let target = base.join(format!("target-cold-{name}"));
    if target.exists() {
        std::fs::remove_dir_all(&target).map_err(|e| format!("remove {}: {e}", target.display()))?;
    }
    let took = cargo_build(ws, &target, &["-p", name]);
    // 0.5-1 GB each: not kept between runs.
    let _ = std::fs::remove_dir_all(&target);
    took
}

pub fn run() -> BenchResult<Vec<Figure>> {
    let root = root();
    let spec_text = std::fs::read_to_string(root.join("specs/twitch/helix.yaml")).map_err(ctx("read helix.yaml"))?;
    let doc = streamkit_codegen::load::parse(&spec_text, Path::new("specs/twitch/helix.yaml"))
        .map_err(|e| format!("parse: {e}"))?
        .doc;
    let ops1 = operations(&doc).len();
    let shared = multiply(&doc, K, false);
    let own = multiply(&doc, K, true);
    let own_code = generate(&own)?;
    let variants = vec![
        Variant { name: "bench-twitch-x1", what: "real spec".into(), ops: ops1, code: generate(&doc)? },
        Variant {
            name: "bench-twitch-x4-shared",
            what: format!("ops ×{K}, types shared"),
            ops: operations(&shared).len(),
            code: generate(&shared)?,
        },
        Variant {
            name: "bench-twitch-x4",
            what: format!("ops and types ×{K}"),
            ops: operations(&own).len(),
            code: own_code.clone(),
        },
        Variant {
            name: "bench-twitch-x4-noflatten",
            what: format!("ops and types ×{K}, `extra` not flattened"),
            ops: operations(&own).len(),
            code: without_flatten(&own_code),
        },
        Variant {
            name: "bench-twitch-x4-nodrift",
            what: format!("ops and types ×{K}, Drift bodies empty"),
            ops: operations(&own).len(),
            code: without_drift(&own_code),
        },
    ];
    let base = root.join("target/bench-build");
    let (ws, target) = (base.join("ws"), base.join("target"));
    write_workspace(&ws, &variants)?;
    eprintln!(
        "  build: prebuilding dependencies and the {} crates (dev profile) in {}",
        variants.len(),
        base.display()
    );
    cargo_build(&ws, &target, &["--workspace"])?;

    eprintln!("  build: preparing the twitch_api 0.8 baseline");
    let baseline = prepare_twitch_api(&base, &target);
    if let Err(e) = &baseline {
        eprintln!("  build: twitch_api 0.8 not measured: {e}");
    }
    // Round-robin, best of REPS: a busy spell on the shared machine hits every crate alike.
    let mut times = vec![f64::MAX; variants.len()];
    let mut baseline_time = f64::MAX;
    for rep in 0..REPS {
        for (v, best) in variants.iter().zip(times.iter_mut()) {
            let t = crate_compile(&ws, &target, v.name)?.as_secs_f64();
            eprintln!("  build rep {rep} {}: {} ops, {} lines, {t:.2} s", v.name, v.ops, v.code.lines().count());
            *best = best.min(t);
        }
        if let Ok((bws, _)) = &baseline {
            let t = twitch_api_compile(bws, &target)?.as_secs_f64();
            eprintln!("  build rep {rep} twitch_api 0.8: {t:.2} s");
            baseline_time = baseline_time.min(t);
        }
    }
    let slope_ms = |i: usize| 1000.0 * (times[i] - times[0]) / (variants[i].ops - variants[0].ops) as f64;
    let (shared_slope, own_slope) = (slope_ms(1), slope_ms(2));
    let mut figures = Vec::new();
    for (v, t) in variants.iter().zip(&times) {
        figures.push(Figure::info(
            SCENARIO,
            format!("crate compile, {} ({} ops, {} lines)", v.what, v.ops, thousands(v.code.lines().count() as u64)),
            format!("{t:.2} s"),
        ));
    }
    let reference_ms = match &baseline {
        Ok((_, endpoints)) => {
            let per = 1000.0 * baseline_time / *endpoints as f64;
            figures.push(Figure::info(
                SCENARIO,
                "baseline: twitch_api 0.8 crate compile (features helix, client), same machine, profile and method",
                format!("{baseline_time:.2} s for {endpoints} Helix endpoints = {per:.0} ms/endpoint"),
            ));
            per
        }
        Err(_) => {
            figures.push(Figure::info(
                SCENARIO,
                "baseline: twitch_api 0.8 (could not be built here; quoted figure)",
                "82 ms/endpoint",
            ));
            82.0
        }
    };
    figures.push(Figure::target(
        SCENARIO,
        format!("slope per operation with its own types ({ops1} → {} ops)", variants[2].ops),
        format!("{own_slope:.0} ms/op (×{:.1} twitch_api)", own_slope / reference_ms),
        format!("≤ {reference_ms:.0} ms (twitch_api 0.8 per endpoint)"),
        own_slope <= reference_ms,
    ));
    let whole = 1000.0 * times[0] / ops1 as f64;
    figures.push(Figure::info(
        SCENARIO,
        format!("whole crate / operations, real spec (as twitch_api's figure is computed: {ops1} ops, oauth and auth included)"),
        format!("{whole:.0} ms/op (×{:.1} twitch_api)", whole / reference_ms),
    ));
    figures.push(Figure::info(
        SCENARIO,
        format!("slope per operation, types shared ({ops1} → {} ops)", variants[1].ops),
        format!("{shared_slope:.0} ms/op"),
    ));
    let share = |i: usize| 100.0 * (times[2] - times[i]) / times[2];
    figures.push(Figure::info(
        SCENARIO,
        format!("compile time saved at ×{K} by dropping `#[serde(flatten)] extra` / Drift bodies"),
        format!("{:.0}% / {:.0}%", share(3), share(4)),
    ));
    let code = &variants[0].code;
    let total = code.lines().count();
    let pct = |n: usize| 100.0 * n as f64 / total as f64;
    figures.push(Figure::info(
        SCENARIO,
        "share of generated_helix.rs lines: typify builders / Drift impls",
        format!(
            "{:.0}% / {:.0}% of {}",
            pct(block_lines(code, "pub mod builder {", 4)),
            pct(block_lines(code, "impl ::streamkit_runtime::drift::Drift for", 4)),
            thousands(total as u64)
        ),
    ));
    let (regen, specs) = regen_time(&root)?;
    figures.push(Figure::target(
        SCENARIO,
        format!(
            "regen of all {specs} specs (`streamkit_codegen::regen`, check mode, in this {} binary, best of {REPS})",
            if cfg!(debug_assertions) { "debug" } else { "release" }
        ),
        format!("{} ms", regen.as_millis()),
        "< 1000 ms",
        regen < Duration::from_secs(1),
    ));
    let cold_ws = base.join("ws-cold");
    write_cold_workspace(&cold_ws)?;
    eprintln!("  build: cold builds (fresh target dirs) of the floor and of the three service crates");
    let (mut floor, mut three) = (f64::MAX, f64::MAX);
    let cold_reps = cold_reps();
    for rep in 0..cold_reps {
        let f = cold_build(&cold_ws, &base, "bench-floor")?.as_secs_f64();
        let t = cold_build(&cold_ws, &base, "bench-three")?.as_secs_f64();
        eprintln!("  build cold rep {rep}: floor {f:.1} s, three service crates {t:.1} s");
        (floor, three) = (floor.min(f), three.min(t));
    }
    figures.push(Figure::target(
        SCENARIO,
        format!(
            "cold build (dev, every dependency, fresh target dir, best of {cold_reps}) of the three service crates (twitch, medkit, mixer) over the reqwest + rustls + serde + tokio floor"
        ),
        format!("+{:.1} s ({three:.1} s against {floor:.1} s)", three - floor),
        "≤ +15 s",
        three - floor <= 15.0,
    ));
    // `openssl-probe` (pure Rust, finds certificate paths) is no TLS C code.
    let tls = ["aws-lc", "ring v", "openssl-sys", "native-tls"];
    let default_tls = tree_count(&[], &tls)?;
    let aws_default = tree_count(&[], &["aws-lc"])?;
    let rustls_tls = tree_count(&["--features", "rustls"], &tls)?;
    figures.push(Figure::target(
        SCENARIO,
        "TLS C code in the default build: lines of `cargo tree -p streamkit-twitch -e normal` naming aws-lc (naming any of aws-lc, ring, openssl-sys, native-tls)",
        format!("{aws_default} ({default_tls}); with `--features rustls`: {rustls_tls}"),
        "0",
        aws_default == 0 && default_tls == 0,
    ));
    Ok(figures)
}
