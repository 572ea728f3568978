//! Decoding the payload of one message of a message-driven protocol (a websocket event, a
//! live topic's payload) into its generated type. The generated `from_wire` functions call
//! [`decode`]; the session decides the [`Strictness`].
//!
//! A payload that does not fit its type is an error naming the message, in both modes: a
//! known message never silently becomes "unknown". Strict mode (our tests) also refuses
//! what decoded but carries values the spec does not know (the [`Drift`] of the value).

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::drift::{Drift, drift_paths};
use crate::error::{Error, ProtocolErrorKind};
use crate::redact::{MAX_JSON_STRING, bound};

/// How to treat a message whose payload carries what the spec does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strictness {
    /// Undocumented fields and unknown enum values are kept (`extra`, `Unknown`) and accepted.
    #[default]
    Lenient,
    /// They are an [`Error::Drift`] naming the message and where they were.
    Strict,
}

/// Decodes `data`, the payload of the message `name`, into `T`.
///
/// ```
/// use streamkit_runtime::message::{decode, Strictness};
/// let n: u64 = decode("Count", serde_json::json!(3), Strictness::Strict).unwrap();
/// assert_eq!(n, 3);
/// let e = decode::<u64>("Count", serde_json::json!("three"), Strictness::Lenient).unwrap_err();
/// assert!(e.to_string().starts_with("Count: protocol violation: the payload does not match the schema of `Count`"), "{e}");
/// ```
pub fn decode<T: DeserializeOwned + Drift>(
    name: &'static str,
    data: Value,
    strictness: Strictness,
) -> Result<T, Error> {
    let value: T = serde_json::from_value(data).map_err(|e| Error::Protocol {
        operation: Some(name),
        kind: ProtocolErrorKind::Violation,
        // serde quotes the offending value: bounded, so a huge payload makes a short error.
        message: format!(
            "the payload does not match the schema of `{name}`: {}",
            bound(&e.to_string(), MAX_JSON_STRING)
        ),
    })?;
    if strictness == Strictness::Strict {
        let paths = drift_paths(&value);
        if !paths.is_empty() {
            return Err(Error::Drift { operation: name, paths });
        }
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_complaint_is_bounded() {
        let huge = Value::String("x".repeat(100_000));
        let e = decode::<u64>("N", huge, Strictness::Strict).unwrap_err().to_string();
        assert!(e.len() < 2 * MAX_JSON_STRING, "{}", e.len());
        assert!(e.starts_with("N: protocol violation: the payload does not match the schema of `N`"), "{e}");
    }

    #[test]
    fn drift_is_an_error_only_when_strict() {
        #[derive(serde::Deserialize, Debug)]
        struct WithExtra {
            #[serde(flatten)]
            extra: std::collections::BTreeMap<String, Value>,
        }
        impl Drift for WithExtra {
            fn drift(&self, at: &str, out: &mut Vec<String>) {
                crate::drift::report_extra(at, self.extra.keys(), out);
            }
        }
        let data = serde_json::json!({"new": 1});
        assert!(decode::<WithExtra>("E", data.clone(), Strictness::Lenient).is_ok());
        match decode::<WithExtra>("E", data, Strictness::Strict) {
            Err(Error::Drift { operation, paths }) => {
                assert_eq!(operation, "E");
                assert_eq!(paths, ["new (undocumented field)"]);
            }
            other => panic!("{other:?}"),
        }
    }
}
