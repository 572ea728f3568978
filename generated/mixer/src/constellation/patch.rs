//! Partial update payloads (`channel:{id}:update`, `user:{id}:update`) applied to a cached
//! model: C.4 says they carry only the changed fields, deep-merged into what the app holds.

use crate::constellation_messages::types::ChannelPatch;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use streamkit_runtime::{Error, ProtocolErrorKind};

/// Deep-merges `patch` into `target`: objects merge key by key (recursively), anything else
/// (a scalar, an array, `null`) replaces what was there.
///
/// ```
/// use serde_json::json;
/// let mut cached = json!({"name": "Old", "online": false, "type": {"id": 1, "name": "Game"}});
/// streamkit_mixer::constellation::merge_patch(&mut cached, &json!({"online": true, "type": {"name": "Other"}}));
/// assert_eq!(cached, json!({"name": "Old", "online": true, "type": {"id": 1, "name": "Other"}}));
/// ```
pub fn merge_patch(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                match target.get_mut(key) {
                    Some(existing) => merge_patch(existing, value),
                    None => {
                        target.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (target, patch) => *target = patch.clone(),
    }
}

/// Deep-merges a partial payload into a typed cached model through its JSON form.
pub fn apply_patch<T: Serialize + DeserializeOwned>(cached: &mut T, patch: &Value) -> Result<(), Error> {
    let failed = |what: &str, e: serde_json::Error| Error::Protocol {
        operation: Some("apply_patch"),
        kind: ProtocolErrorKind::Violation,
        message: format!("{what}: {e}"),
    };
    let mut value = serde_json::to_value(&*cached).map_err(|e| failed("the cached model does not serialize", e))?;
    merge_patch(&mut value, patch);
    *cached = serde_json::from_value(value).map_err(|e| failed("the patched model does not decode", e))?;
    Ok(())
}

impl ChannelPatch {
    /// Applies this `channel:{id}:update` payload to a cached channel (any type with the
    /// channel's JSON shape, e.g. `rest::types::Channel` or a `serde_json::Value`): the fields
    /// it carries change, every other field stays.
    pub fn apply<T: Serialize + DeserializeOwned>(&self, cached: &mut T) -> Result<(), Error> {
        let patch = serde_json::to_value(self).map_err(|e| Error::Protocol {
            operation: Some("apply_patch"),
            kind: ProtocolErrorKind::Violation,
            message: format!("the channel patch does not serialize: {e}"),
        })?;
        apply_patch(cached, &patch)
    }
}
