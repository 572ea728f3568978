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
    /// What each codegen pass changed, in order.
    pub passes: Vec<emit::pass::PassCount>,
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
    let plan = plan::plan(file, &spec.doc, &adapted)?;
    let openapi = to_openapi(file, &adapted.doc)?;
    let tokens = match emit::generate::generate(&openapi) {
        Ok(t) => t,
        Err(message) => return Err(locate_failure(file, &adapted.doc, message)),
    };
    let emitted = emit::emit(&plan, tokens).map_err(|e| emit::spec_error(file, &e))?;
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
    /// Per output, what each codegen pass changed (for `cargo xtask regen --verbose`).
    pub passes: Vec<(PathBuf, Vec<emit::pass::PassCount>)>,
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
        report.passes.push((out.path.clone(), out.passes.clone()));
    }
    Ok(report)
}

/// A short, stable description of an output: per operation, its adaptations and the
/// return type of its `send()`; then the secret fields and the open enums. Read from the
/// syntax tree of the code. Used by the golden tests and `streamkit-codegen --summary`.
pub fn summary(out: &Output) -> String {
    let mut s = format!("output: {}\n", out.path.display());
    let file = match emit::inspect::parse(&out.code) {
        Ok(f) => f,
        Err(e) => return format!("{s}{e}\n"),
    };
    let sends = emit::inspect::send_wrappers(&file);
    for op in &out.plan.operations {
        let name = emit::names::operation_method(&op.id);
        let send = sends
            .iter()
            .find(|(n, _, _)| n == &name)
            .map(|(_, _, f)| match &f.sig.output {
                syn::ReturnType::Type(_, ty) => render_type(ty),
                syn::ReturnType::Default => "()".into(),
            })
            .unwrap_or_else(|| "(no send wrapper)".into());
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
    for field in emit::inspect::secret_fields(&file) {
        s.push_str(&format!("secret field: {field}\n"));
    }
    for e in emit::inspect::open_enums(&file) {
        s.push_str(&format!("open enum: {e}\n"));
    }
    s
}

/// A type as one line of source text.
fn render_type(ty: &syn::Type) -> String {
    let item: syn::Item = syn::parse_quote!(type T = #ty;);
    let text = emit::inspect::render([item]);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let flat = flat.replace("< ", "<").replace(", >", ">");
    flat.trim_start_matches("type T = ").trim_end_matches(';').to_string()
}
