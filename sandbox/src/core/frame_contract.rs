//! The contract check for websocket frames: every frame a service sends is validated against
//! the AsyncAPI document that describes its protocol, as HTTP responses are against their
//! OpenAPI document ([`super::contract`]). A frame no message of the document allows is not
//! sent: the connection is closed with `1011` and a reason saying `sandbox contract
//! violation`, and the violation is recorded where
//! [`Server::contract_violations`](crate::core::Server::contract_violations) finds it. So a
//! sandbox frame that drifted from the spec fails the test that received it, loudly.
//!
//! Which messages the server may send: those of every `receive` operation (the client
//! receives them) and the `reply` messages of every `send` operation. A frame passes when it
//! is valid against one of their payloads; undocumented properties are allowed, as the specs
//! allow them (servers add fields).
//!
//! Test hooks that send a frame the spec does not describe on purpose (a malformed frame, an
//! undocumented event) use [`WsHub::send_as_is`](super::ws::WsHub::send_as_is), which skips
//! the check.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use streamkit_spec::Document;
use streamkit_spec::pointer::escape;
use streamkit_spec::schema::{Direction, Validator};

use crate::core::lock;

/// Violations kept (the oldest are forgotten first).
pub const MAX_VIOLATIONS: usize = 1024;

/// Where violations go: shared by the server and every service's hubs.
#[derive(Clone, Debug, Default)]
pub struct Violations(Arc<Mutex<VecDeque<String>>>);

impl Violations {
    /// Records one violation.
    pub fn record(&self, violation: String) {
        let mut list = lock(&self.0);
        if list.len() >= MAX_VIOLATIONS {
            list.pop_front();
        }
        list.push_back(violation);
    }

    /// Every violation recorded, oldest first.
    pub fn all(&self) -> Vec<String> {
        lock(&self.0).iter().cloned().collect()
    }
}

/// The messages one AsyncAPI document lets the server send, compiled.
pub struct FrameContract {
    file: String,
    /// Message pointer → payload validator.
    messages: Vec<(String, Validator)>,
}

impl std::fmt::Debug for FrameContract {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameContract").field("file", &self.file).field("messages", &self.messages.len()).finish()
    }
}

/// The pointers of the messages the server may send: those of `receive` operations and the
/// replies of `send` operations (a list of messages, else every message of the channel), of
/// operations on `channel` (an id under `channels`) or on every channel.
fn server_sent(doc: &Value, channel: Option<&str>) -> Vec<String> {
    let follow = |v: &Value| -> Option<String> {
        v.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')).map(str::to_owned)
    };
    // A message reference may point at a channel's message, which may point at a component.
    let resolve = |mut pointer: String| {
        for _ in 0..8 {
            match doc.pointer(&pointer).and_then(follow) {
                Some(next) => pointer = next,
                None => break,
            }
        }
        pointer
    };
    let of = |holder: &Value| -> Vec<String> {
        if let Some(list) = holder.get("messages").and_then(Value::as_array) {
            return list.iter().filter_map(follow).map(resolve).collect();
        }
        let Some(channel) = holder.get("channel").and_then(follow) else { return Vec::new() };
        let messages = doc.pointer(&format!("{channel}/messages")).and_then(Value::as_object);
        messages.into_iter().flatten().map(|(k, _)| resolve(format!("{channel}/messages/{}", escape(k)))).collect()
    };
    let mut out = Vec::new();
    let wanted = channel.map(|c| format!("/channels/{}", escape(c)));
    for op in doc.get("operations").and_then(Value::as_object).into_iter().flatten().map(|(_, op)| op) {
        if wanted.as_ref().is_some_and(|w| op.get("channel").and_then(follow).as_ref() != Some(w)) {
            continue;
        }
        match op.get("action").and_then(Value::as_str) {
            Some("receive") => out.extend(of(op)),
            Some("send") => out.extend(op.get("reply").map(of).unwrap_or_default()),
            _ => {}
        }
    }
    out.sort();
    out.dedup();
    out
}

impl FrameContract {
    /// The contract of `doc` (an AsyncAPI document); an error names a message whose payload
    /// does not compile.
    pub fn new(doc: &Document) -> Result<FrameContract, String> {
        FrameContract::build(doc, None)
    }

    /// The contract of one channel of `doc` (its id under `channels`), for a document that
    /// describes more than one transport.
    pub fn for_channel(doc: &Document, channel: &str) -> Result<FrameContract, String> {
        let contract = FrameContract::build(doc, Some(channel))?;
        if contract.messages.is_empty() {
            return Err(format!(
                "{}: no operation lets the server send a message on channel `{channel}`",
                doc.file.display()
            ));
        }
        Ok(contract)
    }

    fn build(doc: &Document, channel: Option<&str>) -> Result<FrameContract, String> {
        let mut messages = Vec::new();
        for pointer in server_sent(&doc.doc, channel) {
            if doc.doc.pointer(&format!("{pointer}/payload")).is_none() {
                continue;
            }
            let validator = Validator::new(doc, &format!("{pointer}/payload"), Direction::Response)
                .map_err(|e| format!("{}#{pointer}/payload: {e}", doc.file.display()))?;
            messages.push((pointer, validator));
        }
        Ok(FrameContract { file: doc.file.display().to_string(), messages })
    }

    /// How many messages frames are checked against.
    pub fn message_count(&self) -> usize {
        self.messages.len()
    }

    /// Whether `frame` (a text frame's JSON) is one of the messages; else what is wrong with
    /// it, against the message it comes closest to.
    pub fn check(&self, frame: &str) -> Result<(), String> {
        let value: Value =
            serde_json::from_str(frame).map_err(|e| format!("{}: the frame is not JSON: {e}", self.file))?;
        let mut closest: Option<(usize, &str, String)> = None;
        for (pointer, validator) in &self.messages {
            let problems = validator.validate_at_most(&value, 4);
            if problems.is_empty() {
                return Ok(());
            }
            // A problem at the root (a required property missing) says the frame is another
            // message; problems deeper down say it is this one, malformed.
            let score = problems.iter().map(|p| if p.path.0.is_empty() { 16 } else { 1 }).sum::<usize>();
            if closest.as_ref().is_none_or(|(n, _, _)| score < *n) {
                let text = problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
                closest = Some((score, pointer, text));
            }
        }
        Err(match closest {
            Some((_, pointer, text)) => {
                format!("{}: no message allows the frame; closest #{pointer}: {text}", self.file)
            }
            None => format!("{}: the document lets the server send no message", self.file),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ws::{Handshake, Outbound, WsHub};
    use std::path::Path;

    const DOC: &str = r#"
asyncapi: 3.0.0
info: { title: t, version: '1' }
channels:
  socket:
    address: /
    messages:
      hello: { $ref: '#/components/messages/Hello' }
      helloReply: { $ref: '#/components/messages/HelloReply' }
      tick: { $ref: '#/components/messages/Tick' }
operations:
  hello:
    action: send
    channel: { $ref: '#/channels/socket' }
    messages: [{ $ref: '#/channels/socket/messages/hello' }]
    reply:
      channel: { $ref: '#/channels/socket' }
      messages: [{ $ref: '#/channels/socket/messages/helloReply' }]
  ticks:
    action: receive
    channel: { $ref: '#/channels/socket' }
    messages: [{ $ref: '#/channels/socket/messages/tick' }]
components:
  messages:
    Hello:
      payload: { type: object, required: [hello], properties: { hello: { type: string } } }
    HelloReply:
      payload: { type: object, required: [ok], properties: { ok: { type: boolean } } }
    Tick:
      payload: { type: object, required: [tick], properties: { tick: { type: integer, minimum: 0 } } }
"#;

    fn contract() -> FrameContract {
        let doc = streamkit_spec::document::parse(DOC, Path::new("t.yaml")).unwrap();
        FrameContract::new(&doc).unwrap()
    }

    #[test]
    fn the_server_may_send_replies_and_received_messages_only() {
        let c = contract();
        // The reply of `hello` and the `tick` event; not `hello`, which only the client sends.
        assert_eq!(c.message_count(), 2);
        assert_eq!(c.check(r#"{"ok": true}"#), Ok(()));
        assert_eq!(c.check(r#"{"tick": 3, "undocumented": "kept"}"#), Ok(()));
        let wrong = c.check(r#"{"tick": -1}"#).unwrap_err();
        assert!(wrong.contains("t.yaml") && wrong.contains("Tick") && wrong.contains("/tick"), "{wrong}");
        assert!(c.check(r#"{"hello": "x"}"#).is_err(), "the client's message is not the server's");
        assert!(c.check("{not json").unwrap_err().contains("not JSON"));
    }

    #[test]
    fn a_channel_contract_keeps_to_its_channel() {
        let doc = streamkit_spec::document::parse(DOC, Path::new("t.yaml")).unwrap();
        assert_eq!(FrameContract::for_channel(&doc, "socket").unwrap().message_count(), 2);
        let none = FrameContract::for_channel(&doc, "elsewhere").unwrap_err();
        assert!(none.contains("channel `elsewhere`"), "{none}");
    }

    #[tokio::test]
    async fn a_hub_replaces_a_frame_the_spec_does_not_allow_with_a_close_and_records_it() {
        let hub = WsHub::default();
        let violations = Violations::default();
        hub.check_frames(Arc::new(contract()), violations.clone());
        let (id, mut queue) = hub.open("/", Handshake::default()).unwrap();
        assert!(hub.send(id, "tick", Outbound::Text(r#"{"tick": 1}"#.into())));
        assert!(hub.send(id, "tick", Outbound::Text(r#"{"tick": "one"}"#.into())));
        // A test hook's frame of any shape passes unchecked.
        assert!(hub.send_as_is(id, "raw", Outbound::Text("{odd".into())));
        assert_eq!(queue.recv().await, Some(Outbound::Text(r#"{"tick": 1}"#.into())));
        match queue.recv().await {
            Some(Outbound::Close { code: 1011, reason }) => assert!(reason.contains("contract violation"), "{reason}"),
            other => panic!("expected the 1011 close, got {other:?}"),
        }
        assert_eq!(queue.recv().await, Some(Outbound::Text("{odd".into())));
        let recorded = violations.all();
        assert_eq!(recorded.len(), 1, "{recorded:?}");
        assert!(recorded[0].contains("`tick` on connection 1") && recorded[0].contains("/tick"), "{recorded:?}");
    }

    #[test]
    fn violations_are_bounded() {
        let v = Violations::default();
        for i in 0..MAX_VIOLATIONS + 5 {
            v.record(format!("v{i}"));
        }
        let all = v.all();
        assert_eq!(all.len(), MAX_VIOLATIONS);
        assert_eq!(all[0], "v5");
    }
}
