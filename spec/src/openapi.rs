//! OpenAPI 3.0 structure shared by codegen and lint: methods, operations, parameters.

use serde_json::Value;

use crate::pointer::escape;
use crate::refs::resolve;

/// HTTP methods OpenAPI allows under a path.
pub const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// One operation of a document, with where it is.
#[derive(Debug, Clone, Copy)]
pub struct Operation<'a> {
    /// The path template (`/users/{id}`).
    pub path: &'a str,
    /// The method, lower case (`get`).
    pub method: &'static str,
    /// The path item holding it (path-level parameters live there).
    pub item: &'a Value,
    /// The operation object.
    pub op: &'a Value,
}

impl Operation<'_> {
    /// JSON pointer of the operation (`/paths/~1users/get`).
    pub fn pointer(&self) -> String {
        format!("/paths/{}/{}", escape(self.path), self.method)
    }
}

/// Every operation (object-valued method keys) in document order.
pub fn operations(doc: &Value) -> Vec<Operation<'_>> {
    let mut out = Vec::new();
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        for method in METHODS {
            if let Some(op) = item.get(*method).filter(|o| o.is_object()) {
                out.push(Operation { path, method, item, op });
            }
        }
    }
    out
}

/// Parameters of an operation (path-level ones first, operation-level ones override), each
/// with its pointer relative to the operation (`/parameters/0`, or `/../parameters/0` for
/// one declared on the path item). `$ref`'d parameters are followed one level.
pub fn parameters<'a>(item: &'a Value, op: &'a Value, doc: &'a Value) -> Vec<(&'a Value, String)> {
    let mut out: Vec<(&Value, String)> = Vec::new();
    for (src, prefix) in [(item, "/../parameters"), (op, "/parameters")] {
        for (i, p) in src.get("parameters").and_then(Value::as_array).into_iter().flatten().enumerate() {
            let p = resolve(doc, p).unwrap_or(p);
            out.retain(|(q, _)| !(q.get("name") == p.get("name") && q.get("in") == p.get("in")));
            out.push((p, format!("{prefix}/{i}")));
        }
    }
    out
}

/// Whether a path template (`/users/{id}`) matches a concrete request path (`/users/42`).
///
/// ```
/// use streamkit_spec::openapi::template_matches;
/// assert!(template_matches("/users/{id}", "/users/42"));
/// assert!(!template_matches("/users/{id}", "/users/"));
/// assert!(!template_matches("/users", "/users/42"));
/// ```
pub fn template_matches(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len()
        && t.iter().zip(&p).all(|(t, p)| t == p || (t.starts_with('{') && t.ends_with('}') && !p.is_empty()))
}

/// The path template of `doc` that serves a concrete path, preferring an exact match (`/users/me`
/// over `/users/{id}`).
pub fn find_path<'a>(doc: &'a Value, path: &str) -> Option<&'a str> {
    let paths = doc.get("paths")?.as_object()?;
    if paths.contains_key(path) {
        return paths.get_key_value(path).map(|(k, _)| k.as_str());
    }
    paths.keys().find(|t| template_matches(t, path)).map(String::as_str)
}
