//! The two forms a MEDKit PATCH takes.

use serde_json::Value;
use streamkit_runtime::Error;

use crate::medkit::types;

/// A change to a state or config store.
///
/// ```
/// use serde_json::json;
/// use streamkit_medkit::Patch;
/// let merge = Patch::merge(json!({"round": 2, "old": null})); // `null` deletes `old`
/// let ops: json_patch::Patch = serde_json::from_value(json!([{"op": "replace", "path": "/round", "value": 3}])).unwrap();
/// let json = Patch::Json(ops);
/// # let _ = (merge, json);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Patch {
    /// RFC 6902 operations, applied in order; if one fails, nothing changes.
    Json(json_patch::Patch),
    /// A merge object: objects merge recursively, arrays are replaced whole, `null` deletes.
    /// It must be a JSON object ([`Patch::to_wire`] refuses anything else).
    Merge(Value),
}

impl Patch {
    /// A merge patch.
    pub fn merge(value: Value) -> Patch {
        Patch::Merge(value)
    }

    /// The generated request body.
    pub fn to_wire(&self) -> Result<types::StatePatch, Error> {
        let invalid = |message: String| Error::InvalidRequest { operation: None, message };
        match self {
            Patch::Json(p) => {
                let v =
                    serde_json::to_value(p).map_err(|e| invalid(format!("cannot serialize the JSON Patch: {e}")))?;
                serde_json::from_value(v)
                    .map_err(|e| invalid(format!("the JSON Patch does not fit MEDKit's patch body: {e}")))
            }
            Patch::Merge(Value::Object(m)) => Ok(types::StatePatch::Object(m.clone())),
            Patch::Merge(other) => Err(invalid(format!("a merge patch must be a JSON object, not `{other}`"))),
        }
    }
}

impl From<json_patch::Patch> for Patch {
    fn from(p: json_patch::Patch) -> Self {
        Patch::Json(p)
    }
}
