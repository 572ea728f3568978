//! Reading an enveloped socket (`x-streamkit-frames.envelope`): the kinds of frame its
//! channel carries, and the typed events one kind of frame delivers.
//!
//! * Each message of a `receive` operation on the envelope's channel is one kind of frame:
//!   its payload is the whole frame, whose field at `kind` is `const: <the message's name>`.
//! * The `notification.kind` frame carries an event; its payload has the fields
//!   `notification.type`, `.version` and `.body` name.
//! * Each message of a `receive` operation on any other channel whose payload fixes
//!   `notification.body-type` and `.body-version` with `const`s is the typed body of one
//!   `(type, version)`; its event is the field at `notification.event`.

use std::collections::BTreeMap;

use serde_json::Value;
use streamkit_spec::Document;
use streamkit_spec::extensions::EnvelopeFrames;
use streamkit_spec::pointer::escape;
use streamkit_spec::refs::deref;

use crate::asyncapi::model::{Located, channel_of, doc_of, messages, property};
use crate::error::SpecError;
use crate::extensions::Service;

/// The protocol of an enveloped socket.
#[derive(Debug, Clone)]
pub struct Enveloped {
    /// `x-streamkit-service`.
    pub service: Service,
    /// `x-streamkit-frames.envelope`.
    pub frames: EnvelopeFrames,
    /// The kinds of frame, in document order.
    pub kinds: Vec<Kind>,
    /// The typed events, in document order.
    pub events: Vec<TypedEvent>,
}

/// One kind of frame.
#[derive(Debug, Clone)]
pub struct Kind {
    /// The value of the frame's `kind` field (`session_welcome`).
    pub wire: String,
    /// What the message says about it.
    pub doc: String,
    /// The frame's schema.
    pub payload: Located,
}

/// One `(type, version)` of event.
#[derive(Debug, Clone)]
pub struct TypedEvent {
    /// Its type (`channel.follow`).
    pub type_: String,
    /// Its version (`2`).
    pub version: String,
    /// What the message says about it.
    pub doc: String,
    /// The typed body's schema.
    pub body: Located,
    /// The event's schema (in the body).
    pub event: Located,
}

const AT: &str = "/x-streamkit-frames/envelope";

/// The schema at a dotted path of properties (through `$ref`s and `allOf` parts).
pub fn nested(doc: &Document, schema: &Located, path: &str) -> Result<Option<Located>, SpecError> {
    let mut at = schema.clone();
    for field in path.split('.') {
        match property(doc, &at.schema, &at.ptr, field)? {
            Some(next) => at = next,
            None => return Ok(None),
        }
    }
    Ok(Some(at))
}

/// The string `const` of the schema at `path`, with its pointer; `None` when there is no
/// such property or it has no `const`.
fn const_at(doc: &Document, schema: &Located, path: &str) -> Result<Option<(String, String)>, SpecError> {
    let Some(l) = nested(doc, schema, path)? else { return Ok(None) };
    let (s, ptr) = deref(doc, &l.schema, &l.ptr)?;
    Ok(s.get("const").and_then(Value::as_str).map(|c| (c.to_string(), ptr)))
}

/// Reads the protocol; every problem is an error at its JSON pointer.
pub fn read(doc: &Document, service: Service, frames: EnvelopeFrames) -> Result<Enveloped, SpecError> {
    let channel_ptr = format!("/channels/{}", escape(&frames.channel));
    if doc.get(&channel_ptr).is_none() {
        return Err(doc.error(
            format!("{AT}/channel"),
            format!("no channel `{}` (the key of the channel whose messages are the frames)", frames.channel),
        ));
    }
    let Some(operations) = doc.doc.get("operations").and_then(Value::as_object) else {
        return Err(doc.error("/operations", "an AsyncAPI document for codegen needs `operations` (receive: frames)"));
    };
    let mut proto = Enveloped { service, frames, kinds: Vec::new(), events: Vec::new() };
    let mut seen_messages = Vec::new();
    for (name, op) in operations {
        let at = format!("/operations/{}", escape(name));
        match op.get("action").and_then(Value::as_str) {
            Some("receive") => {}
            Some("send") => {
                return Err(doc.error(
                    format!("{at}/action"),
                    "an enveloped socket only delivers: it has no `send` operations (methods need `method`/`reply`/`event` frames)",
                ));
            }
            _ => return Err(doc.error(format!("{at}/action"), "`action` must be `send` or `receive`")),
        }
        let channel = channel_of(doc, op, &at)?;
        let on_socket = channel == channel_ptr;
        for (msg, ptr) in operation_messages(doc, op, &at, &channel)? {
            if seen_messages.contains(&ptr) {
                continue;
            }
            seen_messages.push(ptr.clone());
            let payload = Located {
                schema: msg.get("payload").cloned().ok_or_else(|| doc.error(&ptr, "a message needs a `payload`"))?,
                ptr: format!("{ptr}/payload"),
            };
            if on_socket {
                proto.kinds.push(kind(doc, &proto.frames, &msg, &ptr, payload)?);
            } else if let Some(e) = typed_event(doc, &proto.frames, &msg, payload)? {
                proto.events.push(e);
            }
        }
    }
    check(doc, &proto)?;
    Ok(proto)
}

/// An operation's messages; without `messages`, every message of its channel (AsyncAPI 3:
/// the operation then implies all of them).
fn operation_messages(doc: &Document, op: &Value, at: &str, channel: &str) -> Result<Vec<(Value, String)>, SpecError> {
    if op.get("messages").is_some() {
        return messages(doc, op, at);
    }
    let listed = doc.get(&format!("{channel}/messages")).and_then(Value::as_object).cloned().unwrap_or_default();
    listed
        .iter()
        .map(|(key, m)| {
            let (v, ptr) = deref(doc, m, &format!("{channel}/messages/{}", escape(key)))?;
            Ok((v.clone(), ptr))
        })
        .collect()
}

fn kind(doc: &Document, frames: &EnvelopeFrames, msg: &Value, ptr: &str, payload: Located) -> Result<Kind, SpecError> {
    let wire = msg.get("name").and_then(Value::as_str).map(str::to_string).ok_or_else(|| {
        doc.error(format!("{ptr}/name"), "a message needs `name`: the frame's kind as named on the wire")
    })?;
    match const_at(doc, &payload, &frames.kind)? {
        Some((c, _)) if c == wire => {}
        Some((_, at)) => {
            return Err(
                doc.error(at, format!("the frame's `{}` must be `const: {wire}` (the message's `name`)", frames.kind))
            );
        }
        None => {
            return Err(doc.error(
                &payload.ptr,
                format!("the frame needs a `{}` property with `const: {wire}` (the message's `name`)", frames.kind),
            ));
        }
    }
    if wire == frames.notification.kind {
        let n = &frames.notification;
        for (key, path) in [("type", &n.type_), ("version", &n.version), ("body", &n.body)] {
            if nested(doc, &payload, path)?.is_none() {
                return Err(doc.error(
                    &payload.ptr,
                    format!(
                        "the `{wire}` frame has no `{path}` property (`x-streamkit-frames.envelope.notification.{key}`)"
                    ),
                ));
            }
        }
    }
    Ok(Kind { wire, doc: doc_of(msg), payload })
}

fn typed_event(
    doc: &Document,
    frames: &EnvelopeFrames,
    msg: &Value,
    body: Located,
) -> Result<Option<TypedEvent>, SpecError> {
    let n = &frames.notification;
    let type_ = const_at(doc, &body, &n.body_type)?;
    let version = const_at(doc, &body, &n.body_version)?;
    let (type_, version) = match (type_, version) {
        (Some((t, _)), Some((v, _))) => (t, v),
        (None, None) => return Ok(None),
        (Some(_), None) | (None, Some(_)) => {
            return Err(doc.error(
                &body.ptr,
                format!(
                    "a typed body fixes both `{}` and `{}` with `const` (it fixes only one)",
                    n.body_type, n.body_version
                ),
            ));
        }
    };
    let event = nested(doc, &body, &n.event)?.ok_or_else(|| {
        doc.error(&body.ptr, format!("the typed body of `{type_}` v{version} has no `{}` property", n.event))
    })?;
    Ok(Some(TypedEvent { type_, version, doc: doc_of(msg), body, event }))
}

fn check(doc: &Document, p: &Enveloped) -> Result<(), SpecError> {
    let mut kinds = BTreeMap::new();
    for k in &p.kinds {
        if let Some(prev) = kinds.insert(k.wire.clone(), k.payload.ptr.clone()) {
            return Err(
                doc.error(&k.payload.ptr, format!("frame kind `{}` is declared twice (also at #{prev})", k.wire))
            );
        }
    }
    if !kinds.contains_key(&p.frames.notification.kind) {
        return Err(doc.error(
            format!("{AT}/notification/kind"),
            format!("no message of channel `{}` is the `{}` frame", p.frames.channel, p.frames.notification.kind),
        ));
    }
    let mut events = BTreeMap::new();
    for e in &p.events {
        if let Some(prev) = events.insert((e.type_.clone(), e.version.clone()), e.body.ptr.clone()) {
            return Err(
                doc.error(&e.body.ptr, format!("`{}` v{} has two typed bodies (also at #{prev})", e.type_, e.version))
            );
        }
    }
    Ok(())
}
