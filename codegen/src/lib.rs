//! # streamkit-codegen
//!
//! Turns the specs under `specs/` into the `generated_*.rs` files of the client crates.
//! The pipeline, one module per stage:
//!
//! 1. [`load`]: find and parse spec files;
//! 2. [`validate`]: refuse shapes that would make progenitor panic, with a JSON pointer;
//! 3. [`extensions`]: read the `x-streamkit-*` policy;
//! 4. [`adapt`]: an in-memory copy progenitor can take (specs stay true to the wire);
//! 5. [`plan`]: per-operation policy;
//! 6. [`emit`]: progenitor, then our passes (send wrappers, open enums, drift, hooks, policy);
//! 7. [`format`]: prettyplease and the banner;
//! 8. [`write`]: atomic writes, or `--check`.
#![warn(missing_docs)]

pub mod adapt;
pub mod emit;
pub mod error;
pub mod extensions;
pub mod format;
pub mod load;
pub mod plan;
pub mod validate;
pub mod write;

use std::path::{Path, PathBuf};

pub use error::SpecError;

use crate::load::LoadedSpec;
use crate::plan::ServicePlan;

/// One generated file.
#[derive(Debug, Clone)]
pub struct Output {
    /// Where it goes, relative to the workspace root.
    pub path: PathBuf,
    /// The source text.
    pub code: String,
    /// The plan it came from.
    pub plan: ServicePlan,
}

/// Generates the file for one spec given as text (`shown` names it in errors).
pub fn generate_text(text: &str, shown: &Path) -> Result<Output, SpecError> {
    generate(&load::parse(text, shown)?)
}

/// Generates the file for one loaded spec.
pub fn generate(spec: &LoadedSpec) -> Result<Output, SpecError> {
    let file = &spec.file;
    validate::validate(file, &spec.doc)?;
    let adapted = adapt::adapt(&spec.doc)
        .map_err(|(ptr, msg)| SpecError::new(file, validate::subject_of(&spec.doc, &ptr), ptr, msg))?;
    let plan = plan::plan(file, &spec.doc, &adapted.operations)?;
    let openapi = to_openapi(file, &adapted.doc)?;
    let tokens = match emit::generate::generate(&openapi) {
        Ok(t) => t,
        Err(message) => return Err(locate_failure(file, &adapted.doc, message)),
    };
    let tree = emit::emit(&plan, tokens).map_err(|m| SpecError::new(file, "document", "", m))?;
    let code = format::format(&tree, file);
    Ok(Output { path: plan.output_path(), code, plan })
}

fn to_openapi(file: &Path, doc: &serde_json::Value) -> Result<openapiv3::OpenAPI, SpecError> {
    serde_path_to_error::deserialize(doc).map_err(|e| {
        let ptr: String = e
            .path()
            .iter()
            .map(|seg| match seg {
                serde_path_to_error::Segment::Map { key } => format!("/{}", error::escape(key)),
                serde_path_to_error::Segment::Seq { index } => format!("/{index}"),
                _ => String::new(),
            })
            .collect();
        SpecError::new(file, validate::subject_of(doc, &ptr), ptr, format!("not a valid OpenAPI 3.0 document: {}", e.inner()))
    })
}

/// progenitor names no operation when it fails: generate each operation alone to find it.
fn locate_failure(file: &Path, doc: &serde_json::Value, message: String) -> SpecError {
    let mut ops = Vec::new();
    for (path, item) in doc.get("paths").and_then(|p| p.as_object()).into_iter().flatten() {
        for method in validate::METHODS {
            if item.get(*method).is_some() {
                ops.push((path.clone(), *method));
            }
        }
    }
    for (path, method) in ops {
        let mut single = doc.clone();
        if let Some(paths) = single.get_mut("paths").and_then(|p| p.as_object_mut()) {
            paths.retain(|p, _| p == &path);
            if let Some(item) = paths.get_mut(&path).and_then(|i| i.as_object_mut()) {
                item.retain(|k, _| k == method || !validate::METHODS.contains(&k.as_str()));
            }
        }
        let Ok(openapi) = serde_json::from_value::<openapiv3::OpenAPI>(single) else { continue };
        if let Err(m) = emit::generate::generate(&openapi) {
            let ptr = format!("/paths/{}/{method}", error::escape(&path));
            return SpecError::new(file, validate::subject_of(doc, &ptr), ptr, m);
        }
    }
    SpecError::new(file, "document", "", message)
}

/// Result of a regen.
#[derive(Debug, Default)]
pub struct RegenReport {
    /// Every output with its line count.
    pub files: Vec<(PathBuf, usize)>,
    /// Files rewritten (regen) or found stale (check).
    pub changed: Vec<PathBuf>,
}

/// Generates every spec under `root/specs` and writes (or, with `check`, compares) the files.
pub fn regen(root: &Path, check: bool) -> Result<RegenReport, SpecError> {
    let mut outputs: Vec<Output> = Vec::new();
    for shown in load::discover(root)? {
        let spec = load::load(&root.join(&shown), &shown)?;
        let out = generate(&spec)?;
        if let Some(other) = outputs.iter().find(|o| o.path == out.path) {
            return Err(SpecError::new(
                &shown,
                "document",
                "/x-streamkit-service",
                format!("writes {} which {} writes too; give it another module", out.path.display(), other.plan.file.display()),
            ));
        }
        outputs.push(out);
    }
    let mut report = RegenReport::default();
    for out in &outputs {
        let path = root.join(&out.path);
        let changed = if check {
            !write::is_current(&path, &out.code)
        } else {
            write::write_atomic(&path, &out.code)
                .map_err(|e| SpecError::new(&out.plan.file, "output", "", format!("cannot write {}: {e}", out.path.display())))?
        };
        if changed {
            report.changed.push(out.path.clone());
        }
        report.files.push((out.path.clone(), out.code.lines().count()));
    }
    Ok(report)
}

/// A short, stable description of an output: per operation, its adaptations and the
/// signature of its `send()`. Used by the golden tests.
pub fn summary(out: &Output) -> String {
    let mut s = format!("output: {}\n", out.path.display());
    let flat: String = out.code.split_whitespace().collect::<Vec<_>>().join(" ");
    let sends: Vec<&str> = flat
        .match_indices("pub async fn send(")
        .filter_map(|(i, _)| {
            let rest = &flat[i..];
            let rest = &rest[rest.find("-> ")? + 3..];
            Some(rest.split(" {").next().unwrap_or(rest))
        })
        .collect();
    for (op, send) in out.plan.operations.iter().zip(sends.iter().chain(std::iter::repeat(&"?"))) {
        let a = &op.adaptation;
        s.push_str(&format!("operation {} ({} {})\n", op.id, op.method, op.path));
        s.push_str(&format!("  send -> {send}\n"));
        if a.optional_success {
            s.push_str("  adapted: 204 kept out of progenitor; send() returns None for it\n");
        }
        if !a.error_statuses.is_empty() {
            s.push_str(&format!("  adapted: error statuses {} read by the runtime\n", a.error_statuses.join(", ")));
        }
        if !a.dropped_request_media.is_empty() {
            s.push_str(&format!("  adapted: request media {} not generated\n", a.dropped_request_media.join(", ")));
        }
    }
    for secret_field in out.code.lines().filter(|l| l.contains("pub ") && l.contains("::streamkit_runtime::Secret") && l.trim_start().starts_with("pub ") && !l.contains("fn ")) {
        s.push_str(&format!("secret field: {}\n", secret_field.trim()));
    }
    for e in out.code.lines().filter(|l| l.trim_start().starts_with("Unknown(::std::string::String)")) {
        s.push_str(&format!("open enum variant: {}\n", e.trim()));
    }
    s
}
