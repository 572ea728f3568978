//! Resource bounds, so a hostile or runaway spec fails at once with a message instead of
//! taking minutes and gigabytes (a 200 000-value enum took 20 s and 1.6 GB). The document
//! size and nesting depth are bounded when it is parsed (`streamkit_spec::document`); the
//! bounds here are on what the generator emits code for. specs/README.md ("Limits") lists
//! them all.

use std::path::Path;

use serde_json::Value;
use streamkit_spec::subject::subject_of;

use crate::error::SpecError;
use crate::validate::collisions::for_each_schema;

/// Most values one `enum` may list.
pub const MAX_ENUM_VALUES: usize = 1_000;
/// Most properties one object schema may declare.
pub const MAX_PROPERTIES: usize = 1_000;
/// Most operations one spec may declare.
pub const MAX_OPERATIONS: usize = 2_000;
/// Most parameters one operation may declare.
pub const MAX_PARAMETERS: usize = 200;
/// Most schemas (named or inline, sub-schemas included) one spec may hold.
pub const MAX_SCHEMAS: usize = 20_000;

/// Checks the bounds.
pub fn check(file: &Path, doc: &Value) -> Result<(), SpecError> {
    let err = |ptr: String, m: String| SpecError::new(file, subject_of(doc, &ptr), ptr, m);
    let operations = streamkit_spec::openapi::operations(doc);
    if operations.len() > MAX_OPERATIONS {
        return Err(err(
            "/paths".into(),
            format!(
                "{} operations; a spec may declare at most {MAX_OPERATIONS} (split it into several specs)",
                operations.len()
            ),
        ));
    }
    for op in &operations {
        for (key, v) in [("item", op.item), ("op", op.op)] {
            let n = v.get("parameters").and_then(Value::as_array).map_or(0, Vec::len);
            if n > MAX_PARAMETERS {
                let ptr = if key == "op" {
                    format!("{}/parameters", op.pointer())
                } else {
                    format!("/paths/{}/parameters", streamkit_spec::pointer::escape(op.path))
                };
                return Err(err(ptr, format!("{n} parameters; an operation may declare at most {MAX_PARAMETERS}")));
            }
        }
    }
    let mut schemas = 0usize;
    let mut failure: Option<SpecError> = None;
    for_each_schema(doc, &mut |schema, ptr| {
        schemas += 1;
        if failure.is_some() {
            return;
        }
        if let Some(n) = schema.get("enum").and_then(Value::as_array).map(Vec::len).filter(|n| *n > MAX_ENUM_VALUES) {
            failure = Some(err(
                format!("{ptr}/enum"),
                format!(
                    "an enum of {n} values; at most {MAX_ENUM_VALUES} are accepted (model a longer list as a plain string)"
                ),
            ));
        } else if let Some(n) =
            schema.get("properties").and_then(Value::as_object).map(|m| m.len()).filter(|n| *n > MAX_PROPERTIES)
        {
            failure = Some(err(
                format!("{ptr}/properties"),
                format!("an object of {n} properties; at most {MAX_PROPERTIES} are accepted"),
            ));
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    if schemas > MAX_SCHEMAS {
        return Err(err(
            "".into(),
            format!("{schemas} schemas (sub-schemas included); a spec may hold at most {MAX_SCHEMAS}"),
        ));
    }
    Ok(())
}
