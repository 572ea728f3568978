//! [`ReplyError`]: the error a peer answered a call with, in either of its common forms.

use serde_json::Value;

use crate::{Error, ProtocolErrorKind};

/// Longest reply-error message kept (bytes).
const MAX_MESSAGE: usize = 1024;

/// The error a reply carried. Protocols answer with a bare string (`"UNKNOWN_METHOD"`) or an
/// object (`{"code": 4106, "message": "..."}`); both fit, and the raw value stays available
/// for what a protocol adds.
///
/// ```
/// use serde_json::json;
/// use streamkit_runtime::session::ReplyError;
///
/// let e = ReplyError::from_value(json!("Not authenticated"));
/// assert_eq!((e.code, e.message.as_str()), (None, "Not authenticated"));
///
/// let e = ReplyError::from_value(json!({"code": 4106, "message": "Unknown event", "path": "x"}));
/// assert_eq!((e.code, e.message.as_str()), (Some(4106), "Unknown event"));
/// assert_eq!(e.raw["path"], "x");
/// assert_eq!(e.into_error("subscribe").to_string(), "subscribe: reply error 4106: Unknown event");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ReplyError {
    /// The protocol's error code, when the reply had one.
    pub code: Option<i64>,
    /// What the peer said (bounded).
    pub message: String,
    /// The error value as sent.
    pub raw: Value,
}

impl ReplyError {
    /// Reads the common forms: a string is the message; an object's `code` (an integer, or a
    /// string of digits) is the code and its `message` (or `error`, or `reason`) the message;
    /// anything else is shown as JSON.
    pub fn from_value(raw: Value) -> Self {
        let code = raw.get("code").and_then(|c| c.as_i64().or_else(|| c.as_str().and_then(|s| s.parse().ok())));
        let message = match &raw {
            Value::String(s) => s.clone(),
            Value::Object(o) => ["message", "error", "reason"]
                .iter()
                .find_map(|k| o.get(*k).and_then(Value::as_str))
                .map_or_else(|| raw.to_string(), str::to_owned),
            other => other.to_string(),
        };
        ReplyError { code, message: crate::redact::bound(&message, MAX_MESSAGE), raw }
    }

    /// The runtime's error for it, naming the method.
    pub fn into_error(self, method: &str) -> Error {
        Error::Protocol {
            operation: Some(leak_name(method)),
            kind: ProtocolErrorKind::Reply { code: self.code },
            message: self.message,
        }
    }
}

/// Method names are few and fixed (they come from specs), but arrive as `&str`: interned once
/// each so errors can carry them as `&'static str` without leaking per call. Bounded: past
/// the cap, names are not interned and the error says `"session call"`.
pub(crate) fn leak_name(name: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    const MAX_NAMES: usize = 1024;
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let Ok(mut names) = NAMES.get_or_init(Default::default).lock() else { return "session call" };
    if let Some(n) = names.get(name) {
        return n;
    }
    if names.len() >= MAX_NAMES || name.len() > 64 {
        return "session call";
    }
    let leaked: &'static str = Box::leak(name.to_owned().into_boxed_str());
    names.insert(leaked);
    leaked
}
