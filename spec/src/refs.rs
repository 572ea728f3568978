//! `$ref` resolution. streamkit specs use local references (`#/components/...`); a
//! reference into another file is reported as unsupported rather than half-followed.

use serde_json::Value;

use crate::document::Document;
use crate::error::SpecError;
use crate::pointer::escape;

/// How deep any walk over a document goes before it stops with an error. Parsed documents
/// are at most 128 levels deep; this guards documents built in memory.
pub const MAX_DEPTH: usize = 256;

/// Follows one local `$ref` (`#/...`); `None` when `v` is no reference or it points at nothing.
pub fn resolve<'a>(doc: &'a Value, v: &'a Value) -> Option<&'a Value> {
    let r = v.get("$ref")?.as_str()?;
    doc.pointer(r.strip_prefix('#')?)
}

/// The JSON pointer a local reference names (`#/components/schemas/A` → `/components/schemas/A`).
pub fn local_pointer(reference: &str) -> Option<&str> {
    reference.strip_prefix('#').filter(|p| p.is_empty() || p.starts_with('/'))
}

/// Follows a chain of `$ref`s from `v` (at `at`) to a value that is no reference.
/// Returns the value and its pointer, or an error naming a broken link or a cycle.
///
/// ```
/// use serde_json::json;
/// use streamkit_spec::{Document, refs::deref};
/// let doc = Document::from_value(json!({"openapi": "3.0.3",
///     "a": {"$ref": "#/b"}, "b": {"$ref": "#/a"}, "c": {"$ref": "#/d"}, "d": {"type": "string"}}), "t.yaml").unwrap();
/// assert_eq!(deref(&doc, &doc.doc["c"], "/c").unwrap().1, "/d");
/// assert!(deref(&doc, &doc.doc["a"], "/a").unwrap_err().message.contains("cycle"));
/// ```
pub fn deref<'a>(doc: &'a Document, mut v: &'a Value, at: &str) -> Result<(&'a Value, String), SpecError> {
    let mut ptr = at.to_string();
    let mut seen: Vec<String> = Vec::new();
    while let Some(r) = v.get("$ref") {
        let here = format!("{ptr}/$ref");
        let Some(target) = r.as_str() else {
            return Err(doc.error(here, "`$ref` must be a string"));
        };
        let Some(next) = local_pointer(target) else {
            return Err(doc.error(here, format!("`$ref: {target}` is not a local reference (`#/...`); external files are not supported")));
        };
        if seen.iter().any(|s| s == next) || next == at {
            seen.push(next.to_string());
            let chain = std::iter::once(at).chain(seen.iter().map(String::as_str)).map(|p| format!("#{p}")).collect::<Vec<_>>().join(" → ");
            return Err(doc.error(here, format!("`$ref` cycle: {chain}")));
        }
        v = doc.doc.pointer(next).ok_or_else(|| doc.error(here, format!("`$ref: {target}` points at nothing")))?;
        seen.push(next.to_string());
        ptr = next.to_string();
    }
    Ok((v, ptr))
}

/// Every `$ref` in the document points inside it at something that exists; the first one
/// that does not is the error (at the `$ref` key).
pub fn check_refs(doc: &Document) -> Result<(), SpecError> {
    check_at(doc, &doc.doc, String::new(), 0)
}

fn check_at(doc: &Document, v: &Value, at: String, depth: usize) -> Result<(), SpecError> {
    if depth > MAX_DEPTH {
        return Err(doc.error(at, format!("nested deeper than {MAX_DEPTH} levels")));
    }
    match v {
        Value::Object(map) => {
            if let Some(r) = map.get("$ref") {
                let target = r.as_str().unwrap_or("");
                let ok = local_pointer(target).is_some_and(|p| doc.doc.pointer(p).is_some());
                if !ok {
                    let why = if target.starts_with('#') { "points at nothing" } else { "is not a local reference (`#/...`); external files are not supported" };
                    // The subject is that of the object holding the `$ref`.
                    let subject = crate::subject::subject_of(&doc.doc, &at);
                    return Err(SpecError::new(&doc.file, subject, format!("{at}/$ref"), format!("`$ref: {target}` {why}")));
                }
            }
            for (k, child) in map {
                check_at(doc, child, format!("{at}/{}", escape(k)), depth + 1)?;
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                check_at(doc, child, format!("{at}/{i}"), depth + 1)?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(v: Value) -> Document {
        Document::from_value(v, "t.yaml").unwrap()
    }

    #[test]
    fn broken_and_external_refs_are_named() {
        let d = doc(json!({"openapi": "3.0.3", "paths": {"/u": {"get": {"operationId": "getU", "x": {"$ref": "#/nope"}}}}}));
        let e = check_refs(&d).unwrap_err();
        assert_eq!(e.to_string(), "t.yaml: operation getU (at #/paths/~1u/get/x/$ref): `$ref: #/nope` points at nothing");
        let d = doc(json!({"openapi": "3.0.3", "a": {"$ref": "other.yaml#/a"}}));
        assert!(check_refs(&d).unwrap_err().message.contains("external files are not supported"));
        let d = doc(json!({"openapi": "3.0.3", "a": {"$ref": "#/b"}, "b": {"type": "string"}}));
        assert_eq!(check_refs(&d), Ok(()));
    }

    #[test]
    fn self_reference_is_a_cycle() {
        let d = doc(json!({"openapi": "3.0.3", "a": {"$ref": "#/a"}}));
        let e = deref(&d, &d.doc["a"], "/a").unwrap_err();
        assert_eq!(e.message, "`$ref` cycle: #/a → #/a");
    }

    #[test]
    fn deep_in_memory_documents_stop() {
        let mut v = json!(1);
        for _ in 0..(MAX_DEPTH + 10) {
            v = json!([v]);
        }
        let d = doc(json!({"openapi": "3.0.3", "deep": v}));
        assert!(check_refs(&d).unwrap_err().message.contains("nested deeper"));
    }
}
