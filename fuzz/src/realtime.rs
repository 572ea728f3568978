//! The `realtime_frames` target: bytes as a frame of the Mixer chat or Constellation socket
//! (the first byte picks which), through the generated message types. Nothing may panic,
//! and what decodes must encode back to what decodes the same way:
//! * an event frame: `from_wire` (strict and lenient); a known event's `to_wire` decodes to
//!   the same event name and data, an unknown one keeps its raw data;
//! * a method frame: the parameters through every params type of that name;
//! * a reply frame: the error through `ReplyError`, the result through every reply type;
//! * any string field: as a live event name, whose printed form of a known name is the name.

use serde_json::Value;
use streamkit_mixer::chat_messages::{self as chat, ChatEvent};
use streamkit_mixer::constellation_messages::{self as cnstl, ConstellationEvent, LiveEvent};
use streamkit_mixer::message::Strictness;
use streamkit_mixer::session::Method;

/// Frames larger than this are not decoded (the session caps frames far below).
const MAX_FRAME: usize = 256 * 1024;

/// The harness.
pub fn realtime_frames(data: &[u8]) {
    crate::record(data);
    let Some((&kind, frame)) = data.split_first() else { return };
    if frame.len() > MAX_FRAME {
        return;
    }
    // Binary Constellation frames are gzipped JSON; the session inflates them before this.
    let Ok(frame) = serde_json::from_slice::<Value>(frame) else { return };
    if kind % 2 == 0 {
        chat_frame(&frame)
    } else {
        constellation_frame(&frame)
    }
    for s in strings(&frame) {
        live_name(s);
    }
}

fn strings(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::Object(m) => m.values().flat_map(strings).collect(),
        Value::Array(a) => a.iter().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

fn live_name(s: &str) {
    let parsed = LiveEvent::parse(s);
    let shown = parsed.to_string();
    assert_eq!(shown, s, "a name must print back as it was read");
    assert_eq!(LiveEvent::parse(&shown), parsed);
}

fn field<'a>(frame: &'a Value, key: &str) -> Option<&'a str> {
    frame.get(key).and_then(Value::as_str)
}

fn chat_frame(frame: &Value) {
    match field(frame, "type") {
        Some("event") => {
            let (Some(name), data) = (field(frame, "event"), frame.get("data").cloned().unwrap_or(Value::Null)) else {
                return;
            };
            for strictness in [Strictness::Strict, Strictness::Lenient] {
                if let Ok(event) = ChatEvent::from_wire(name, data.clone(), strictness) {
                    let (n, d) = event.to_wire().expect("a decoded event encodes");
                    assert_eq!(n, name);
                    if matches!(event, ChatEvent::Unknown { .. }) {
                        assert_eq!(d, data, "an unknown event keeps its data");
                    } else {
                        let again = ChatEvent::from_wire(&n, d, Strictness::Lenient).expect("what was encoded decodes");
                        assert_eq!(again.name(), name);
                    }
                }
            }
        }
        Some("method") => {
            let (Some(name), Some(args)) = (field(frame, "method"), frame.get("arguments")) else { return };
            use chat::*;
            params::<Auth>(name, args);
            params::<Msg>(name, args);
            params::<Whisper>(name, args);
            params::<VoteChoose>(name, args);
            params::<VoteStart>(name, args);
            params::<Timeout>(name, args);
            params::<Purge>(name, args);
            params::<DeleteMessage>(name, args);
            params::<ClearMessages>(name, args);
            params::<History>(name, args);
            params::<GiveawayStart>(name, args);
            params::<Ping>(name, args);
            params::<AttachEmotes>(name, args);
            params::<OptOutEvents>(name, args);
            params::<CancelSkill>(name, args);
        }
        Some("reply") => {
            let _ =
                serde_json::from_value::<chat::types::ReplyError>(frame.get("error").cloned().unwrap_or(Value::Null));
            let data = frame.get("data").cloned().unwrap_or(Value::Null);
            use chat::*;
            reply::<Auth>(&data);
            reply::<Msg>(&data);
            reply::<History>(&data);
            reply::<VoteChoose>(&data);
            reply::<OptOutEvents>(&data);
            reply::<Timeout>(&data);
        }
        _ => {}
    }
}

fn constellation_frame(frame: &Value) {
    match field(frame, "type") {
        Some("event") => {
            let (Some(name), data) = (field(frame, "event"), frame.get("data").cloned().unwrap_or(Value::Null)) else {
                return;
            };
            for strictness in [Strictness::Strict, Strictness::Lenient] {
                if let Ok(event) = ConstellationEvent::from_wire(name, data.clone(), strictness) {
                    let (n, d) = event.to_wire().expect("a decoded event encodes");
                    assert_eq!(n, name);
                    if matches!(event, ConstellationEvent::Unknown { .. }) {
                        assert_eq!(d, data, "an unknown event keeps its data");
                    } else {
                        let again = ConstellationEvent::from_wire(&n, d, Strictness::Lenient)
                            .expect("what was encoded decodes");
                        if let (ConstellationEvent::Live(a), ConstellationEvent::Live(b)) = (&event, &again) {
                            assert_eq!(a.event(), b.event());
                        }
                    }
                }
            }
        }
        Some("method") => {
            let (Some(name), Some(params_value)) = (field(frame, "method"), frame.get("params")) else { return };
            params::<cnstl::Livesubscribe>(name, params_value);
            params::<cnstl::Liveunsubscribe>(name, params_value);
            params::<cnstl::Ping>(name, params_value);
        }
        Some("reply") => {
            let _ =
                serde_json::from_value::<cnstl::types::ReplyError>(frame.get("error").cloned().unwrap_or(Value::Null));
            let result = frame.get("result").cloned().unwrap_or(Value::Null);
            reply::<cnstl::Livesubscribe>(&result);
            reply::<cnstl::Ping>(&result);
        }
        _ => {}
    }
}

/// Decodes `args` as `M`'s parameters when the name is `M`'s; what decodes encodes to what
/// decodes again.
fn params<M: Method + serde::de::DeserializeOwned>(name: &str, args: &Value) {
    if name != M::NAME {
        return;
    }
    if let Ok(p) = serde_json::from_value::<M>(args.clone()) {
        let encoded = serde_json::to_value(&p).expect("params encode");
        let again: M = serde_json::from_value(encoded.clone()).expect("encoded params decode");
        assert_eq!(serde_json::to_value(&again).expect("params encode"), encoded);
    }
}

fn reply<M: Method>(data: &Value)
where
    M::Reply: serde::Serialize,
{
    if let Ok(r) = serde_json::from_value::<M::Reply>(data.clone()) {
        let encoded = serde_json::to_value(&r).expect("a reply encodes");
        assert!(serde_json::from_value::<M::Reply>(encoded).is_ok(), "an encoded reply decodes");
    }
}
