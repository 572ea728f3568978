//! `$ref` resolution. streamkit specs use local references (`#/components/...`); a
//! reference into another file is reported as unsupported rather than half-followed.

use std::path::Path;

use serde_json::Value;

use crate::document::Document;
use crate::error::SpecError;
use crate::pointer::escape;
use crate::subject::subject_of;

/// How deep any walk over a document goes before it stops with an error. Parsed documents
/// are at most 128 levels deep; this guards documents built in memory.
pub const MAX_DEPTH: usize = 256;

/// `#/a → #/b → #/a` for a chain of pointers, the middle of a long one elided.
pub(crate) fn show_chain<S: AsRef<str>>(pointers: &[S]) -> String {
    let shown = |p: &S| format!("#{}", p.as_ref().trim_start_matches('#'));
    if pointers.len() <= 8 {
        return pointers.iter().map(shown).collect::<Vec<_>>().join(" → ");
    }
    let head: Vec<String> = pointers[..4].iter().map(shown).collect();
    let tail: Vec<String> = pointers[pointers.len() - 2..].iter().map(shown).collect();
    format!("{} → … ({} more) → {}", head.join(" → "), pointers.len() - 6, tail.join(" → "))
}

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
            return Err(doc.error(
                here,
                format!("`$ref: {target}` is not a local reference (`#/...`); external files are not supported"),
            ));
        };
        if seen.iter().any(|s| s == next) || next == at {
            seen.push(next.to_string());
            let chain: Vec<&str> = std::iter::once(at).chain(seen.iter().map(String::as_str)).collect();
            return Err(doc.error(here, format!("`$ref` cycle: {}", show_chain(&chain))));
        }
        v = doc.doc.pointer(next).ok_or_else(|| doc.error(here, format!("`$ref: {target}` points at nothing")))?;
        seen.push(next.to_string());
        ptr = next.to_string();
    }
    Ok((v, ptr))
}

/// Every `$ref` in the document points inside it at something that exists, and no chain
/// of `$ref`s loops; the first one that fails is the error (at the `$ref` key).
pub fn check_refs(doc: &Document) -> Result<(), SpecError> {
    check_refs_of(&doc.file, &doc.doc)
}

/// [`check_refs`] for a document held as a bare value (`file` names it in errors).
pub fn check_refs_of(file: &Path, doc: &Value) -> Result<(), SpecError> {
    check_at(file, doc, doc, String::new(), 0)
}

fn check_at(file: &Path, doc: &Value, v: &Value, at: String, depth: usize) -> Result<(), SpecError> {
    // The subject is that of the object holding the `$ref`.
    let err = |at: &str, ptr: String, m: String| SpecError::new(file, subject_of(doc, at), ptr, m);
    if depth > MAX_DEPTH {
        return Err(err(&at, at.clone(), format!("nested deeper than {MAX_DEPTH} levels")));
    }
    match v {
        Value::Object(map) => {
            if let Some(r) = map.get("$ref") {
                let target = r.as_str().unwrap_or("");
                let Some(mut next) = local_pointer(target).and_then(|p| doc.pointer(p)) else {
                    let why = if target.starts_with('#') {
                        "points at nothing"
                    } else {
                        "is not a local reference (`#/...`); external files are not supported"
                    };
                    return Err(err(&at, format!("{at}/$ref"), format!("`$ref: {target}` {why}")));
                };
                // A chain of references (`A: {$ref: B}`) must end somewhere.
                let mut chain = vec![at.clone(), target.trim_start_matches('#').to_string()];
                while let Some(t) = next.get("$ref").and_then(Value::as_str) {
                    let Some(p) = local_pointer(t) else { break };
                    let looped = chain.iter().any(|c| c == p);
                    chain.push(p.to_string());
                    if looped {
                        return Err(err(&at, format!("{at}/$ref"), format!("`$ref` cycle: {}", show_chain(&chain))));
                    }
                    // A broken link further on is reported at its own `$ref`.
                    let Some(n) = doc.pointer(p) else { break };
                    next = n;
                }
            }
            for (k, child) in map {
                check_at(file, doc, child, format!("{at}/{}", escape(k)), depth + 1)?;
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                check_at(file, doc, child, format!("{at}/{i}"), depth + 1)?;
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
        let d = doc(
            json!({"openapi": "3.0.3", "paths": {"/u": {"get": {"operationId": "getU", "x": {"$ref": "#/nope"}}}}}),
        );
        let e = check_refs(&d).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.yaml: operation getU (at #/paths/~1u/get/x/$ref): `$ref: #/nope` points at nothing"
        );
        let d = doc(json!({"openapi": "3.0.3", "a": {"$ref": "other.yaml#/a"}}));
        assert!(check_refs(&d).unwrap_err().message.contains("external files are not supported"));
        let d = doc(json!({"openapi": "3.0.3", "a": {"$ref": "#/b"}, "b": {"type": "string"}}));
        assert_eq!(check_refs(&d), Ok(()));
    }

    #[test]
    fn check_refs_finds_ref_chains_that_loop() {
        let d = doc(
            json!({"openapi": "3.0.3", "components": {"schemas": {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}}}}),
        );
        let e = check_refs(&d).unwrap_err();
        assert_eq!(e.pointer, "/components/schemas/A/$ref");
        assert_eq!(e.message, "`$ref` cycle: #/components/schemas/A → #/components/schemas/B → #/components/schemas/A");
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
