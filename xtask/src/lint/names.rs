//! What codegen refuses before it generates, as lint findings: resource limits (`limits`),
//! the service's crate and module names (`service-names`), names that collide in Rust
//! (`rust-names`), schemas that recurse through compositions only (`schema-cycle`), header names and value templates (`header-syntax`). The checks are
//! codegen's own (`streamkit_codegen::validate`), so lint and regen cannot disagree; each
//! check reports its first problem.

use std::path::Path;

use serde_json::Value;
use streamkit_codegen::extensions::{self, AuthHeader, Buckets, Service};
use streamkit_codegen::validate::{collisions, headers, limits, recursion, service};
use streamkit_spec::SpecError;
use streamkit_spec::pointer::pointer;

use super::rules::Finding;

/// Every finding; `limits` ones first (the caller skips the costly rules after one).
pub fn check(shown: &str, doc: &Value) -> Vec<Finding> {
    let file = Path::new(shown);
    let finding = |rule: &'static str, e: SpecError| Finding {
        file: shown.to_string(),
        pointer: e.pointer,
        rule,
        message: e.message,
    };
    let mut out = Vec::new();
    if let Err(e) = limits::check(file, doc) {
        out.push(finding("limits", e));
        return out;
    }
    if let Ok(Some(s)) = extensions::read::<Service>(doc, "x-streamkit-service")
        && let Err(e) = service::check(file, &s)
    {
        out.push(finding("service-names", e));
    }
    if let Err(e) = recursion::check(file, doc) {
        out.push(finding("schema-cycle", e));
    }
    if let Err(e) = collisions::check(file, doc) {
        out.push(finding("rust-names", e));
    }
    let mut header = |ptr: String, problem: Option<String>| {
        if let Some(m) = problem {
            out.push(Finding { file: shown.to_string(), pointer: ptr, rule: "header-syntax", message: m });
        }
    };
    for (name, scheme) in doc.pointer("/components/securitySchemes").and_then(Value::as_object).into_iter().flatten() {
        if let Ok(Some(h)) = extensions::read::<AuthHeader>(scheme, "x-streamkit-header") {
            let at = pointer(["components", "securitySchemes", name.as_str(), "x-streamkit-header"]);
            header(format!("{at}/name"), headers::name_problem(&h.name));
            header(format!("{at}/value"), headers::value_problem(&h.value));
        }
    }
    let buckets: Buckets = extensions::read(doc, "x-streamkit-ratelimit-buckets").ok().flatten().unwrap_or_default();
    for (name, b) in &buckets {
        for (key, h) in [("limit", &b.headers.limit), ("remaining", &b.headers.remaining), ("reset", &b.headers.reset)]
        {
            if let Some(h) = h {
                header(
                    pointer(["x-streamkit-ratelimit-buckets", name.as_str(), "headers", key]),
                    headers::name_problem(h),
                );
            }
        }
    }
    out
}
