//! [`JsonFrames`]: the method / reply / event frame shape that JSON socket protocols share,
//! declared as data (which field holds what), so each protocol's `encode_call` and `classify`
//! are one line instead of a hand-written parser each.
//!
//! A protocol's AsyncAPI document says the same thing in `x-streamkit-frames`; the constant a
//! protocol passes here mirrors it.

use serde_json::{Map, Value};

use super::protocol::Incoming;
use super::reply::ReplyError;
use crate::Error;

/// Which field of a JSON frame holds what, for protocols whose frames are objects tagged by a
/// kind field (`{"type": "method" | "reply" | "event", ...}`).
///
/// ```
/// use serde_json::{Value, json};
/// use streamkit_runtime::session::{Incoming, JsonFrames};
///
/// const FRAMES: JsonFrames = JsonFrames { protocol: "demo", params: "arguments", result: "data", ..JsonFrames::TAGGED };
///
/// let call = FRAMES.encode_call(7, "add", &json!([1, 2]));
/// assert_eq!(serde_json::from_str::<Value>(&call).unwrap(), json!({"type": "method", "method": "add", "arguments": [1, 2], "id": 7}));
///
/// let reply = FRAMES.classify(r#"{"type":"reply","id":7,"error":null,"data":3}"#, |_, _| Ok(()));
/// assert!(matches!(reply, Incoming::Reply { id: 7, outcome: Ok(v) } if v == json!(3)));
///
/// let event = FRAMES.classify(r#"{"type":"event","event":"tick","data":{"n":1}}"#, |name, data| Ok((name.to_string(), data)));
/// assert!(matches!(event, Incoming::Event((name, _)) if name == "tick"));
///
/// let broken = FRAMES.classify::<()>(r#"{"type":"reply"}"#, |_, _| Ok(()));
/// assert!(matches!(broken, Incoming::Invalid(_)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonFrames {
    /// The protocol's name, for what a broken frame's error says (`chat`).
    pub protocol: &'static str,
    /// The field that says which kind of frame this is (`type`).
    pub kind: &'static str,
    /// Its value on a method frame (`method`).
    pub method_kind: &'static str,
    /// Its value on a reply frame (`reply`).
    pub reply_kind: &'static str,
    /// Its value on an event frame (`event`).
    pub event_kind: &'static str,
    /// The method frame's field naming the method (`method`).
    pub method: &'static str,
    /// The method frame's field holding the parameters (`arguments`, `params`).
    pub params: &'static str,
    /// The field holding the call id, on method and reply frames (`id`).
    pub id: &'static str,
    /// The reply frame's field holding what a successful call returns (`data`, `result`).
    pub result: &'static str,
    /// The reply frame's field holding the error (`error`): absent or `null` means success.
    pub error: &'static str,
    /// The event frame's field naming the event (`event`).
    pub event: &'static str,
    /// The event frame's field holding its data (`data`).
    pub data: &'static str,
}

impl JsonFrames {
    /// The usual names: `type` of `method` / `reply` / `event`, `method`, `params`, `id`,
    /// `result`, `error`, `event`, `data`. Override what differs with struct update syntax.
    pub const TAGGED: JsonFrames = JsonFrames {
        protocol: "socket",
        kind: "type",
        method_kind: "method",
        reply_kind: "reply",
        event_kind: "event",
        method: "method",
        params: "params",
        id: "id",
        result: "result",
        error: "error",
        event: "event",
        data: "data",
    };

    /// The method frame calling `method` with `params` as call `id`.
    pub fn encode_call(&self, id: u64, method: &str, params: &Value) -> String {
        let mut frame = Map::with_capacity(4);
        frame.insert(self.kind.into(), Value::from(self.method_kind));
        frame.insert(self.method.into(), Value::from(method));
        frame.insert(self.params.into(), params.clone());
        frame.insert(self.id.into(), Value::from(id));
        Value::Object(frame).to_string()
    }

    /// Reads one incoming frame: a reply (its error in whatever form, see
    /// [`ReplyError::from_value`]), an event decoded by `decode(name, data)`, or what is
    /// wrong with it. Missing event data is `null`; so is a successful reply without a result.
    pub fn classify<E>(&self, frame: &str, decode: impl FnOnce(&str, Value) -> Result<E, Error>) -> Incoming<E> {
        let protocol = self.protocol;
        let Ok(Value::Object(mut frame)) = serde_json::from_str::<Value>(frame) else {
            return Incoming::malformed(format!("a {protocol} frame that is not a JSON object"));
        };
        let kind = frame.get(self.kind).and_then(Value::as_str);
        if kind == Some(self.reply_kind) {
            let Some(id) = frame.get(self.id).and_then(Value::as_u64) else {
                return Incoming::malformed(format!("a {protocol} reply without a numeric `{}`", self.id));
            };
            let outcome = match frame.remove(self.error) {
                None | Some(Value::Null) => Ok(frame.remove(self.result).unwrap_or(Value::Null)),
                Some(error) => Err(ReplyError::from_value(error)),
            };
            Incoming::Reply { id, outcome }
        } else if kind == Some(self.event_kind) {
            let Some(Value::String(name)) = frame.remove(self.event) else {
                return Incoming::malformed(format!("a {protocol} event without a string `{}`", self.event));
            };
            let data = frame.remove(self.data).unwrap_or(Value::Null);
            match decode(&name, data) {
                Ok(event) => Incoming::Event(event),
                Err(e) => Incoming::Invalid(e),
            }
        } else {
            Incoming::malformed(format!(
                "a {protocol} frame whose `{}` is neither `{}` nor `{}`",
                self.kind, self.reply_kind, self.event_kind
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CHATTY: JsonFrames =
        JsonFrames { protocol: "chatty", params: "arguments", result: "data", ..JsonFrames::TAGGED };

    fn reason<E>(i: Incoming<E>) -> String {
        match i {
            Incoming::Invalid(e) => e.to_string(),
            _ => panic!("expected an invalid frame"),
        }
    }

    #[test]
    fn both_reply_error_forms_and_a_missing_result() {
        let Incoming::Reply { outcome: Err(e), .. } =
            CHATTY.classify::<()>(r#"{"type":"reply","id":1,"error":"UNOTFOUND"}"#, |_, _| Ok(()))
        else {
            panic!("a reply error")
        };
        assert_eq!((e.code, e.message.as_str()), (None, "UNOTFOUND"));
        let Incoming::Reply { outcome: Err(e), .. } = CHATTY
            .classify::<()>(r#"{"type":"reply","id":1,"error":{"code":4004,"message":"BadRequest"}}"#, |_, _| Ok(()))
        else {
            panic!("a reply error")
        };
        assert_eq!((e.code, e.message.as_str()), (Some(4004), "BadRequest"));
        let Incoming::Reply { outcome: Ok(v), .. } =
            CHATTY.classify::<()>(r#"{"type":"reply","id":2,"error":null}"#, |_, _| Ok(()))
        else {
            panic!("a successful reply")
        };
        assert_eq!(v, Value::Null);
    }

    #[test]
    fn broken_frames_say_what_is_wrong_with_the_protocols_names() {
        assert!(
            reason(CHATTY.classify::<()>("[1]", |_, _| Ok(()))).contains("a chatty frame that is not a JSON object")
        );
        assert!(reason(CHATTY.classify::<()>(r#"{"type":"reply","id":"x"}"#, |_, _| Ok(()))).contains("numeric `id`"));
        assert!(
            reason(CHATTY.classify::<()>(r#"{"type":"event","event":5}"#, |_, _| Ok(()))).contains("string `event`")
        );
        assert!(
            reason(CHATTY.classify::<()>(r#"{"type":"other"}"#, |_, _| Ok(()))).contains("neither `reply` nor `event`")
        );
        let failed = CHATTY.classify::<()>(r#"{"type":"event","event":"e"}"#, |name, data| {
            assert_eq!((name, data), ("e", Value::Null));
            Err(Error::protocol(crate::ProtocolErrorKind::Violation, "bad e"))
        });
        assert!(reason(failed).contains("bad e"));
    }

    #[test]
    fn calls_use_the_declared_fields() {
        let named = JsonFrames { protocol: "named", ..JsonFrames::TAGGED };
        let call: Value = serde_json::from_str(&named.encode_call(3, "ping", &Value::Null)).unwrap();
        assert_eq!(call, json!({"type": "method", "method": "ping", "params": null, "id": 3}));
    }
}
