//! `cargo xtask lint [PATH…] [--require-external | --no-external]`: checks every spec
//! under `specs/` (or the files and directories given).
//!
//! 1. It parses (YAML, `openapi:` key) and says `openapi: 3.0.3`.
//! 2. It is an OpenAPI 3.0 document: it deserializes into `openapiv3::OpenAPI`.
//! 3. Codegen accepts it (`streamkit_codegen::validate`).
//! 4. What codegen refuses, one finding per check (`names.rs`: limits, names, headers).
//! 5. Our rules (`rules.rs`), examples checked with `streamkit_spec::schema`.
//! 6. `openapi-spec-validator`, when installed (`external.rs`).
//!
//! AsyncAPI documents (`asyncapi:` key) take `asyncapi.rs` instead: version, codegen's
//! checks and generation, examples against their schemas, and `asyncapi validate` when the
//! official CLI is installed.
//!
//! Exit status: 0 clean, 1 problems (or a required external validator missing), 2 usage.

pub mod asyncapi;
pub mod external;
pub mod names;
pub mod rules;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::Value;
use streamkit_codegen::validate;
use streamkit_spec::document;
use streamkit_spec::pointer::escape;

use rules::Finding;

const USAGE: &str = "usage: cargo xtask lint [PATH…] [--require-external | --no-external]

Lints the specs under specs/ (or the given files and directories).
--require-external  fail when openapi-spec-validator is not installed
--no-external       do not run openapi-spec-validator";

/// Whether to run the external validator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum External {
    /// Run it if installed, say so if not.
    IfAvailable,
    /// Missing is a failure.
    Required,
    /// Do not run it.
    Off,
}

fn shown(root: &Path, path: &Path) -> String {
    match path.strip_prefix(root) {
        Ok(rel) => rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"),
        Err(_) => path.display().to_string(),
    }
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    if path.is_dir() {
        let entries = std::fs::read_dir(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut children: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        children.sort();
        for c in children {
            if c.is_dir() || matches!(c.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json")) {
                collect(&c, out)?;
            }
        }
        Ok(())
    } else if path.exists() {
        out.push(path.to_path_buf());
        Ok(())
    } else {
        Err(format!("{} does not exist", path.display()))
    }
}

fn json_pointer(path: &serde_path_to_error::Path) -> String {
    path.iter()
        .map(|seg| match seg {
            serde_path_to_error::Segment::Map { key } => format!("/{}", escape(key)),
            serde_path_to_error::Segment::Seq { index } => format!("/{index}"),
            _ => String::new(),
        })
        .collect()
}

/// Every finding for one file (without the external validator).
pub fn lint_file(path: &Path, shown: &str) -> Vec<Finding> {
    let finding = |pointer: String, rule: &'static str, message: String| Finding {
        file: shown.to_string(),
        pointer,
        rule,
        message,
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return vec![finding(String::new(), "parse", format!("cannot read the file: {e}"))],
    };
    let spec = match document::parse(&text, Path::new(shown)) {
        Ok(s) => s,
        Err(e) => return vec![finding(e.pointer, "parse", e.message)],
    };
    if spec.kind == streamkit_spec::SpecKind::AsyncApi {
        return asyncapi::lint(&spec, shown);
    }
    let doc = spec.doc;
    let mut out = Vec::new();
    if doc.get("openapi").and_then(Value::as_str) != Some("3.0.3") {
        out.push(finding(
            "/openapi".into(),
            "openapi-version",
            "write `openapi: 3.0.3` (the version the generator reads and these rules assume)".into(),
        ));
    }
    if let Err(e) = serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(&doc) {
        out.push(finding(
            json_pointer(e.path()),
            "openapi-structure",
            format!("not a valid OpenAPI 3.0 document: {}", e.inner()),
        ));
    }
    // Past a resource limit the costly rules (examples against their schemas) are skipped.
    let mut ours = names::check(shown, &doc);
    if !ours.iter().any(|f| f.rule == "limits") {
        ours.extend(rules::check(shown, &doc));
    }
    if let Err(e) = validate::validate(Path::new(shown), &doc) {
        // Codegen stops at its first problem; skip it when a rule already said the same.
        let said = |f: &Finding| {
            f.pointer == e.pointer || (!e.pointer.is_empty() && f.pointer.starts_with(&format!("{}/", e.pointer)))
        };
        if !ours.iter().any(said) {
            out.push(finding(e.pointer, "codegen", format!("{}: {}", e.subject, e.message)));
        }
    }
    out.extend(ours);
    out
}

/// Lints `paths`; prints the findings and a summary. `true` when clean.
pub fn lint(root: &Path, paths: &[PathBuf], external: External) -> bool {
    let mut files = Vec::new();
    for p in paths {
        if let Err(m) = collect(p, &mut files) {
            eprintln!("error: {m}");
            return false;
        }
    }
    let mut findings: Vec<Finding> = Vec::new();
    for f in &files {
        findings.extend(lint_file(f, &shown(root, f)));
    }
    // The external validators each take their kind of document.
    let is_asyncapi = |f: &Path| {
        std::fs::read_to_string(f)
            .ok()
            .and_then(|t| document::parse(&t, f).ok())
            .is_some_and(|d| d.kind == streamkit_spec::SpecKind::AsyncApi)
    };
    let (async_files, files): (Vec<PathBuf>, Vec<PathBuf>) = files.into_iter().partition(|f| is_asyncapi(f));
    let asyncapi_note = if async_files.is_empty() {
        String::new()
    } else if external != External::Off && asyncapi::external::available() {
        for f in &async_files {
            findings.extend(asyncapi::external::check(f, &shown(root, f)));
        }
        format!("; {} ran on {} AsyncAPI file(s)", asyncapi::external::VALIDATOR, async_files.len())
    } else {
        format!(
            "; {} AsyncAPI file(s) checked by codegen and examples only (`{}` not installed: npm i -g @asyncapi/cli)",
            async_files.len(),
            asyncapi::external::VALIDATOR
        )
    };
    let mut ok = true;
    let external_note = match external {
        External::Off => format!("{} not run (--no-external)", external::VALIDATOR),
        _ => match external::available() {
            Ok(()) => {
                for f in &files {
                    let name = shown(root, f);
                    // A file that does not parse has been reported already.
                    if !findings.iter().any(|x| x.file == name && x.rule == "parse") {
                        findings.extend(external::check(f, &name));
                    }
                }
                format!("{} ran on {} file(s)", external::VALIDATOR, files.len())
            }
            Err(why) if external == External::Required => {
                eprintln!(
                    "error: {} is required but cannot run: {why}; install it with `{}`",
                    external::VALIDATOR,
                    external::INSTALL
                );
                ok = false;
                format!("{} missing (required)", external::VALIDATOR)
            }
            Err(why) => {
                eprintln!("note: {} skipped: {why} (install it with `{}`)", external::VALIDATOR, external::INSTALL);
                format!("{} skipped (not installed)", external::VALIDATOR)
            }
        },
    };
    findings.sort();
    findings.dedup();
    for f in &findings {
        println!("{f}");
    }
    println!(
        "lint: {} spec file(s), {} problem(s); {external_note}{asyncapi_note}",
        files.len() + async_files.len(),
        findings.len()
    );
    ok && findings.is_empty()
}

/// Runs `cargo xtask lint`.
pub fn run(args: &[String], root: &Path) -> ExitCode {
    let mut external = External::IfAvailable;
    let mut paths = Vec::new();
    for a in args {
        match a.as_str() {
            "--require-external" if external != External::Off => external = External::Required,
            "--no-external" if external != External::Required => external = External::Off,
            "--require-external" | "--no-external" => {
                eprintln!("error: --require-external and --no-external contradict each other\n{USAGE}");
                return ExitCode::from(2);
            }
            "-h" | "--help" => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
            flag if flag.starts_with('-') => {
                eprintln!("error: unknown option `{flag}`\n{USAGE}");
                return ExitCode::from(2);
            }
            p => paths.push(PathBuf::from(p)),
        }
    }
    if paths.is_empty() {
        paths.push(root.join("specs"));
    }
    if lint(root, &paths, external) { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
