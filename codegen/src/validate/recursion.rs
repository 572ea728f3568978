//! Schemas that recurse without structure in between. A schema may refer to itself through
//! a property, an array's `items` or `additionalProperties`: each level is one level of JSON
//! nesting, typify boxes the reference, and serde_json's recursion limit (128) bounds the
//! decoding of any input. A cycle made only of `$ref`, `allOf`, `anyOf`, `oneOf` and `not`
//! (`A: {allOf: [$ref: A]}`, `A: {oneOf: [$ref: A, string]}`) is different: the generated
//! type (`struct A(Box<A>)`, an untagged enum trying `A` first) decodes by calling itself
//! without reading any input, and overflows the stack on the first response. Such specs are
//! refused, naming the cycle.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use streamkit_spec::pointer::escape;
use streamkit_spec::refs::local_pointer;
use streamkit_spec::subject::subject_of;

use crate::error::SpecError;

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    OnPath,
    Done,
}

/// Refuses a `$ref` cycle that passes through compositions only.
pub fn check(file: &Path, doc: &Value) -> Result<(), SpecError> {
    let mut state: BTreeMap<String, State> = BTreeMap::new();
    for name in doc.pointer("/components/schemas").and_then(Value::as_object).into_iter().flat_map(|m| m.keys()) {
        let ptr = format!("/components/schemas/{}", escape(name));
        let mut path = Vec::new();
        if let Some((at, cycle)) = visit(doc, &ptr, &mut state, &mut path) {
            let shown: Vec<String> = cycle.iter().map(|p| format!("#{p}")).collect();
            return Err(SpecError::new(
                file,
                subject_of(doc, &at),
                at,
                format!(
                    "schema cycle through `$ref`/`allOf`/`anyOf`/`oneOf`/`not` only: {}; the generated type would decode by calling itself without reading input (a stack overflow); put the reference inside a property or an array",
                    shown.join(" → ")
                ),
            ));
        }
    }
    Ok(())
}

/// Depth-first over the referenced schema at `ptr`; returns the closing `$ref`'s pointer and
/// the cycle's pointers when one is found.
fn visit(
    doc: &Value,
    ptr: &str,
    state: &mut BTreeMap<String, State>,
    path: &mut Vec<String>,
) -> Option<(String, Vec<String>)> {
    match state.get(ptr) {
        Some(State::Done) => return None,
        Some(State::OnPath) => {
            let start = path.iter().position(|p| p == ptr).unwrap_or(0);
            let mut cycle = path[start..].to_vec();
            cycle.push(ptr.to_string());
            return Some((String::new(), cycle));
        }
        None => {}
    }
    state.insert(ptr.to_string(), State::OnPath);
    path.push(ptr.to_string());
    let found = doc.pointer(ptr).and_then(|schema| composed(doc, schema, ptr, state, path));
    path.pop();
    state.insert(ptr.to_string(), State::Done);
    found
}

/// Follows the composition edges of one schema value (inline members walked in place).
fn composed(
    doc: &Value,
    schema: &Value,
    at: &str,
    state: &mut BTreeMap<String, State>,
    path: &mut Vec<String>,
) -> Option<(String, Vec<String>)> {
    let map = schema.as_object()?;
    if let Some(target) = map.get("$ref").and_then(Value::as_str).and_then(local_pointer) {
        let ref_at = format!("{at}/$ref");
        return visit(doc, target, state, path)
            .map(|(closing, cycle)| (if closing.is_empty() { ref_at } else { closing }, cycle));
    }
    if let Some(not) = map.get("not")
        && let Some(found) = composed(doc, not, &format!("{at}/not"), state, path)
    {
        return Some(found);
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for (i, member) in map.get(key).and_then(Value::as_array).into_iter().flatten().enumerate() {
            if let Some(found) = composed(doc, member, &format!("{at}/{key}/{i}"), state, path) {
                return Some(found);
            }
        }
    }
    None
}
