//! Constellation's error and close codes (reference C.3), in both numberings.
//!
//! The docs number the six protocol errors 4006-4011; the official client (carina) numbers
//! them 4000-4005. Both are read; the subscription errors (41xx) agree.

use streamkit_runtime::{Error, ProtocolErrorKind};

/// What a Constellation error or close code means, or `None` for a code neither numbering has.
///
/// ```
/// use streamkit_mixer::constellation::describe_code;
/// assert_eq!(describe_code(4006), describe_code(4000));
/// assert_eq!(describe_code(4110), Some("subscription limit reached"));
/// assert_eq!(describe_code(4999), None);
/// ```
pub fn describe_code(code: i64) -> Option<&'static str> {
    Some(match code {
        1011 => "unknown internal error",
        1012 => "server restart",
        4000 | 4006 => "payload is not valid JSON",
        4001 | 4007 => "gzip decompression failed",
        4002 | 4008 => "unknown packet type",
        4003 | 4009 => "unknown method",
        4004 | 4010 => "bad method arguments",
        4005 | 4011 => "session expired (log in again with a new token)",
        4106 => "unknown event",
        4107 => "no permission to subscribe to the event",
        4108 => "already subscribed",
        4109 => "not subscribed",
        4110 => "subscription limit reached",
        _ => return None,
    })
}

/// Whether a close code ends the session for good: carina reconnects after any close except
/// "session expired" (4005 in its numbering, 4011 in the docs').
pub fn is_fatal_close(code: u16) -> bool {
    matches!(code, 4005 | 4011)
}

/// Adds the meaning of a known code to a reply or close error's message.
pub(crate) fn explain(error: Error) -> Error {
    match error {
        Error::Protocol { operation, kind, message } => {
            let code = match &kind {
                ProtocolErrorKind::Reply { code: Some(code) } => Some(*code),
                ProtocolErrorKind::Closed { code } => Some(i64::from(*code)),
                _ => None,
            };
            let message = match code.and_then(describe_code) {
                Some(meaning) => format!("{message} (Constellation code {}: {meaning})", code.unwrap_or_default()),
                None => message,
            };
            Error::Protocol { operation, kind, message }
        }
        other => other,
    }
}
