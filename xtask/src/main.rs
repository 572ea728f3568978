//! `cargo xtask <command>`: project automation.
//!
//! * `regen` — regenerate `generated/*/src/generated_*.rs` from `specs/`.
//! * `regen --check` — fail (exit 1) naming the stale files if the checked-in code is out of date.
//! * `test` — everything CI checks: `regen --check`, `lint` (the external validator is
//!   required when `CI` is set), clippy `-D warnings` on the hand-written crates, their docs
//!   with rustdoc's warnings denied, and every test of the workspace.
//! * `lint [PATH…] [--require-external | --no-external]` — check the specs (`lint/`).
//! * `diff [BASE] [--json] [--allow-breaking] [--fail-on-rust]`, `diff --old DIR --new DIR` —
//!   classify spec changes as breaking or not, on the wire and for the generated Rust API
//!   (`diff/`).
//! * `semver [BASE] [--root DIR]` — cargo-semver-checks on the generated crates against a git
//!   ref (`semver.rs`).

mod diff;
mod lint;
mod semver;
mod workspace;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// The workspace root, found from the current directory (see `workspace.rs`); exits with a
/// message when there is none.
fn workspace_root() -> PathBuf {
    match workspace::root() {
        Ok(root) => root,
        Err(m) => {
            eprintln!("error: {m}");
            std::process::exit(2);
        }
    }
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: cargo xtask regen [--check] [--verbose] | cargo xtask test | cargo xtask lint [PATH…] [--require-external | --no-external]\n       | cargo xtask diff [BASE | --old DIR --new DIR] [--json] [--allow-breaking] [--fail-on-rust]\n       | cargo xtask semver [BASE] [--root DIR]"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("regen") => {
            let flags = &args[1..];
            if flags.iter().any(|f| f != "--check" && f != "--verbose") {
                return usage();
            }
            regen(flags.iter().any(|f| f == "--check"), flags.iter().any(|f| f == "--verbose"))
        }
        Some("test") if args.len() == 1 => test(),
        Some("lint") => lint::run(&args[1..], &workspace_root()),
        Some("diff") => diff::run(&args[1..], &workspace_root()),
        Some("semver") => semver::run(&args[1..], &workspace_root()),
        _ => usage(),
    }
}

/// Hand-written crates: clippy must be clean on them (generated files carry their own allows),
/// and those that are libraries (`true`) must document without a rustdoc warning (broken or
/// private intra-doc links).
const HAND_WRITTEN: &[(&str, bool)] = &[
    ("streamkit-spec", true),
    ("streamkit-runtime", true),
    ("streamkit-codegen", true),
    ("streamkit-sandbox", true),
    ("streamkit-twitch", true),
    ("streamkit-medkit", true),
    ("streamkit-mixer", true),
    ("streamkit-examples", false),
    ("streamkit-benches", false),
    ("xtask", false),
];

fn cargo(args: &[&str]) -> bool {
    cargo_with_env(args, &[])
}

fn cargo_with_env(args: &[&str], env: &[(&str, &str)]) -> bool {
    let shown: Vec<String> = env.iter().map(|(k, v)| format!("{k}={v:?} ")).collect();
    println!("\n==> {}cargo {}", shown.concat(), args.join(" "));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = std::process::Command::new(cargo);
    command.args(args).current_dir(workspace_root()).envs(env.iter().copied());
    match command.status() {
        Ok(s) => s.success(),
        Err(e) => {
            eprintln!("error: cannot run cargo: {e}");
            false
        }
    }
}

/// Whether fuzz/Cargo.lock already says everything fuzz/Cargo.toml needs (`cargo metadata
/// --locked`, its JSON thrown away).
fn fuzz_lock_is_current() -> bool {
    let args = ["metadata", "--locked", "--format-version", "1", "--manifest-path", "fuzz/Cargo.toml"];
    println!("\n==> cargo {}", args.join(" "));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let run = std::process::Command::new(cargo)
        .args(args)
        .current_dir(workspace_root())
        .stdout(std::process::Stdio::null())
        .status();
    run.is_ok_and(|s| s.success())
}

fn test() -> ExitCode {
    println!("==> cargo xtask regen --check");
    if regen(true, false) != ExitCode::SUCCESS {
        return ExitCode::FAILURE;
    }
    // Under CI the external validator must run (`.ci/run` installs it); locally it is optional.
    let external =
        if std::env::var_os("CI").is_some() { lint::External::Required } else { lint::External::IfAvailable };
    println!("\n==> cargo xtask lint{}", if external == lint::External::Required { " --require-external" } else { "" });
    let root = workspace_root();
    if !lint::lint(&root, &[root.join("specs")], external) {
        return ExitCode::FAILURE;
    }
    // One format (rustfmt.toml) for the workspace and the fuzz crate; generated files are skipped.
    if !cargo(&["fmt", "--all", "--", "--check"])
        || !cargo(&["fmt", "--manifest-path", "fuzz/Cargo.toml", "--all", "--", "--check"])
    {
        eprintln!(
            "error: the code is not formatted: run `cargo fmt --all` (and for fuzz/: `cargo fmt --manifest-path fuzz/Cargo.toml --all`)"
        );
        return ExitCode::FAILURE;
    }
    // fuzz/ is its own workspace and fuzz/run.sh builds it `--locked`: a dependency added to a
    // crate it uses must reach fuzz/Cargo.lock in the same change, or CI's fuzz step fails.
    if !fuzz_lock_is_current() {
        eprintln!(
            "error: fuzz/Cargo.lock is stale: run `cargo metadata --manifest-path fuzz/Cargo.toml` and commit it"
        );
        return ExitCode::FAILURE;
    }
    let mut clippy = vec!["clippy", "--all-targets"];
    for (p, _) in HAND_WRITTEN {
        clippy.extend(["-p", p]);
    }
    clippy.extend(["--", "-D", "warnings"]);
    let mut doc = vec!["doc", "--no-deps"];
    for (p, _) in HAND_WRITTEN.iter().filter(|(_, library)| *library) {
        doc.extend(["-p", p]);
    }
    if !cargo(&clippy)
        || !cargo_with_env(&doc, &[("RUSTDOCFLAGS", "-D warnings")])
        || !cargo(&["test", "--workspace", "--no-fail-fast"])
    {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn regen(check: bool, verbose: bool) -> ExitCode {
    let root = workspace_root();
    let started = Instant::now();
    match streamkit_codegen::regen(&root, check) {
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
        Ok(report) => {
            let took = started.elapsed();
            for (path, lines) in &report.files {
                let mark =
                    if report.changed.contains(path) { if check { "stale" } else { "written" } } else { "up to date" };
                println!("{:<48} {lines:>6} lines  {mark}", path.display());
                // What each codegen pass changed in this file (`--verbose`).
                for count in report.passes.iter().filter(|_| verbose).filter(|(p, _)| p == path).flat_map(|(_, c)| c) {
                    println!("    {count}");
                }
            }
            println!("{} spec(s) in {:.0} ms", report.files.len(), took.as_secs_f64() * 1000.0);
            if check && !report.changed.is_empty() {
                eprintln!(
                    "error: generated code is stale: {}\nrun `cargo xtask regen` and commit the result",
                    report.changed.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
                );
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
    }
}
