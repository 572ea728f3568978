//! Every `x-streamkit-*` key of the document is one the vocabulary knows, in a place it
//! belongs (the table lint uses, `streamkit_spec::vocabulary::KNOWN`): a misspelled key
//! would otherwise be silently ignored and its policy lost.

use std::path::Path;

use serde_json::Value;
use streamkit_spec::pointer::escape;
use streamkit_spec::vocabulary::{self, Problem};

use crate::error::SpecError;

/// Checks every `x-streamkit*` key (any case, outside examples).
pub fn check(file: &Path, doc: &Value) -> Result<(), SpecError> {
    walk(file, doc, doc, "")
}

fn walk(file: &Path, doc: &Value, v: &Value, ptr: &str) -> Result<(), SpecError> {
    match v {
        Value::Object(map) => {
            for (k, c) in map {
                let c_ptr = format!("{ptr}/{}", escape(k));
                if k.to_ascii_lowercase().starts_with("x-streamkit") {
                    match vocabulary::check(doc, v, k, ptr) {
                        // Malformed values of known keys are reported where they are read.
                        Ok(()) | Err(Problem::Malformed(_)) => {}
                        Err(p) => {
                            return Err(SpecError::new(
                                file,
                                streamkit_spec::subject::subject_of(doc, &c_ptr),
                                c_ptr,
                                p.message(),
                            ));
                        }
                    }
                } else if !matches!(k.as_str(), "example" | "examples") {
                    walk(file, doc, c, &c_ptr)?;
                }
            }
            Ok(())
        }
        Value::Array(items) => {
            for (i, c) in items.iter().enumerate() {
                walk(file, doc, c, &format!("{ptr}/{i}"))?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
