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
//! 6. [`emit`]: progenitor, then our passes over its syntax tree (send wrappers, paging,
//!    open enums, drift, hooks, policy), each checking it changed what it expected;
//! 7. [`format`](mod@format): prettyplease and the banner;
//! 8. [`write`](mod@write): atomic writes, or `--check`.
//!
//! AsyncAPI documents (websocket protocols) take [`asyncapi`]'s stages instead, into the same
//! type passes, format and write.
//!
//! [`summary`](mod@summary) describes an output for people and the golden tests.
#![warn(missing_docs)]

pub mod adapt;
pub mod asyncapi;
pub mod emit;
pub mod error;
pub mod extensions;
pub mod format;
pub mod load;
pub mod plan;
pub mod summary;
pub mod validate;
pub mod write;

use std::path::{Path, PathBuf};

pub use error::SpecError;
pub use summary::summary;

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
    /// What each codegen pass changed, in order.
    pub passes: Vec<emit::pass::PassCount>,
}

/// Generates the file for one spec given as text (`shown` names it in errors).
pub fn generate_text(text: &str, shown: &Path) -> Result<Output, SpecError> {
    generate(&load::parse(text, shown)?)
}

/// Generates the file for one loaded spec.
pub fn generate(spec: &LoadedSpec) -> Result<Output, SpecError> {
    if spec.kind == load::SpecKind::AsyncApi {
        return asyncapi::generate(spec);
    }
    let file = &spec.file;
    validate::validate(file, &spec.doc)?;
    let adapted = adapt::adapt(&spec.doc)
        .map_err(|(ptr, msg)| SpecError::new(file, validate::subject_of(&spec.doc, &ptr), ptr, msg))?;
    let plan = plan::plan(file, &spec.doc, &adapted)?;
    let openapi = to_openapi(file, &adapted.doc)?;
    let tokens = match emit::generate::generate(&openapi) {
        Ok(t) => t,
        Err(message) => return Err(locate_failure(file, &adapted.doc, message)),
    };
    let emitted = emit::emit(&plan, &adapted.doc, tokens).map_err(|e| emit::spec_error(file, &e))?;
    let code = format::format(&emitted.file, file);
    Ok(Output { path: plan.output_path(), code, plan, passes: emitted.passes })
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
        SpecError::new(
            file,
            validate::subject_of(doc, &ptr),
            ptr,
            format!("not a valid OpenAPI 3.0 document: {}", e.inner()),
        )
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
    /// Per output, what each codegen pass changed (for `cargo xtask regen --verbose`).
    pub passes: Vec<(PathBuf, Vec<emit::pass::PassCount>)>,
}

/// Generates every spec under `root/specs` and writes (or, with `check`, compares) the files.
pub fn regen(root: &Path, check: bool) -> Result<RegenReport, SpecError> {
    let mut outputs: Vec<Output> = Vec::new();
    for shown in load::discover(root)? {
        let spec = load::load(&root.join(&shown), &shown)?;
        // An AsyncAPI document that names no output (specs/twitch/eventsub.yaml, until AsyncAPI
        // generation lands) is a spec for lint and tests only.
        if spec.kind == load::SpecKind::AsyncApi && spec.doc.get("x-streamkit-service").is_none() {
            continue;
        }
        let out = generate(&spec)?;
        if let Some(other) = outputs.iter().find(|o| o.path == out.path) {
            return Err(SpecError::new(
                &shown,
                "document",
                "/x-streamkit-service",
                format!(
                    "writes {} which {} writes too; give it another module",
                    out.path.display(),
                    other.plan.file.display()
                ),
            ));
        }
        outputs.push(out);
    }
    let mut report = RegenReport::default();
    for out in &outputs {
        let path = write::output_target(root, &out.path)
            .map_err(|m| SpecError::new(&out.plan.file, "output", "/x-streamkit-service", m))?;
        let changed = if check {
            !write::is_current(&path, &out.code)
        } else {
            write::write_atomic(&path, &out.code).map_err(|e| {
                SpecError::new(&out.plan.file, "output", "", format!("cannot write {}: {e}", out.path.display()))
            })?
        };
        if changed {
            report.changed.push(out.path.clone());
        }
        report.files.push((out.path.clone(), out.code.lines().count()));
        report.passes.push((out.path.clone(), out.passes.clone()));
    }
    Ok(report)
}
