//! The diff model of an AsyncAPI 3.0 document (a websocket protocol), in the shape `compare`
//! already classifies for HTTP: every message an operation names becomes one pseudo-operation,
//! so the direction rules carry over unchanged.
//!
//! * A `send` operation's message is what the client sends and the server receives: it is
//!   compared like a request body (`SEND`), and its `reply` messages like the success
//!   response of that request.
//! * A `receive` operation's message is what the server sends and the client receives: it is
//!   compared like a success response (`RECEIVE`), so a field that may now be missing is
//!   breaking while a new field or enum value is not.
//!
//! A message is keyed by its channel's address and its key in the channel's `messages` (the
//! name the spec gives it; the wire name may be shared, as EventSub's notifications share
//! `notification`). Removing a message is breaking: the generated type is gone, and a client
//! that relied on it no longer sees it typed.

use std::collections::BTreeMap;

use serde_json::Value;
use streamkit_codegen::error::escape;

use super::model::{Body, Media, Operation, Response, Spec, deref, schema};

/// The pseudo-method of a message the client sends.
pub const SEND: &str = "SEND";
/// The pseudo-method of a message the client receives.
pub const RECEIVE: &str = "RECEIVE";

/// Whether `op` stands for a message of an AsyncAPI document rather than an HTTP operation.
pub fn is_message(op: &Operation) -> bool {
    op.method == SEND || op.method == RECEIVE
}

/// A change's place, said of messages: `request body` is the message's payload, and the
/// success response of a `SEND` is its reply (of a `RECEIVE`, the payload).
pub fn place(http: &str, method: &str) -> String {
    let ours = if method == SEND { "reply payload" } else { "payload" };
    if let Some(rest) = http.strip_prefix("request body") {
        format!("payload{rest}")
    } else if let Some(rest) = http.strip_prefix("response 200 body") {
        format!("{ours}{rest}")
    } else if let Some(rest) = http.strip_prefix("response 200") {
        format!("{ours}{rest}")
    } else {
        http.to_string()
    }
}

/// Whether `doc` is an AsyncAPI document.
pub fn is_asyncapi(doc: &Value) -> bool {
    doc.get("asyncapi").is_some()
}

/// One message an operation names: its key in the channel, the channel's address, and the
/// message object (after `$ref`s) with its pointer and component key.
struct Named<'a> {
    key: String,
    address: String,
    message: &'a Value,
    pointer: String,
    component: Option<String>,
}

/// Builds the model of an AsyncAPI document.
pub fn spec(doc: &Value) -> Result<Spec, String> {
    let default_type = doc.get("defaultContentType").and_then(Value::as_str).unwrap_or("application/json");
    let mut operations = BTreeMap::new();
    let ops = match doc.get("operations") {
        None => None,
        Some(Value::Object(o)) => Some(o),
        Some(_) => return Err("`operations` (at #/operations) is not a mapping".into()),
    };
    for (id, op) in ops.into_iter().flatten() {
        let ptr = format!("/operations/{}", escape(id));
        let (op, ptr) = deref(doc, op, &ptr)?;
        let method = match op.get("action").and_then(Value::as_str) {
            Some("send") => SEND,
            Some("receive") => RECEIVE,
            _ => return Err(format!("the operation at #{ptr} has no `action: send | receive`")),
        };
        let replies = match op.get("reply") {
            Some(reply) => messages(doc, reply, &format!("{ptr}/reply"))?,
            None => Vec::new(),
        };
        for m in messages(doc, op, &ptr)? {
            let sent = payload(doc, &m, default_type)?;
            let (body, responses) = if method == SEND {
                let body = Body {
                    required: true,
                    description: None,
                    pointer: m.pointer.clone(),
                    media: BTreeMap::from([sent.clone()]),
                };
                let mut media = BTreeMap::new();
                for r in &replies {
                    let (ty, media_of) = payload(doc, r, default_type)?;
                    // One reply per message key, so a reply removed is a media type removed.
                    media.insert(format!("{ty} ({})", r.key), media_of);
                }
                let replied = (!replies.is_empty()).then(|| {
                    let pointer = format!("{ptr}/reply");
                    ("200".to_string(), Response { description: None, pointer, media, headers: BTreeMap::new() })
                });
                (Some(body), replied.into_iter().collect())
            } else {
                let response = Response {
                    description: None,
                    pointer: m.pointer.clone(),
                    media: BTreeMap::from([sent.clone()]),
                    headers: BTreeMap::new(),
                };
                (None, BTreeMap::from([("200".to_string(), response)]))
            };
            let text = |k: &str| m.message.get(k).and_then(Value::as_str).map(str::to_string);
            let o = Operation {
                method: method.to_string(),
                path: format!("{}#{}", m.address, m.key),
                id: Some(m.component.clone().unwrap_or_else(|| m.key.clone())),
                pointer: m.pointer.clone(),
                summary: text("summary"),
                description: text("description"),
                deprecated: m.message.get("deprecated") == Some(&Value::Bool(true)),
                params: Vec::new(),
                body,
                responses,
                security: vec![BTreeMap::new()],
                security_pointer: format!("{ptr}/security"),
            };
            operations.insert(format!("{method} {}", o.path), o);
        }
    }
    let components = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let mut used_components = std::collections::BTreeSet::new();
    for op in operations.values() {
        let bodies = op.body.iter().flat_map(|b| b.media.values());
        let answers = op.responses.values().flat_map(|r| r.media.values());
        for s in bodies.chain(answers).filter_map(|m| m.schema.as_ref()) {
            super::model::collect_names(s, &mut used_components);
        }
    }
    Ok(Spec { operations, components, used_components, info: doc.get("info").cloned().unwrap_or(Value::Null) })
}

/// The messages `holder` (an operation or its reply) names, or all of its channel's when it
/// names none.
fn messages<'a>(doc: &'a Value, holder: &'a Value, ptr: &str) -> Result<Vec<Named<'a>>, String> {
    let channel = holder.get("channel").ok_or_else(|| format!("#{ptr} has no `channel`"))?;
    let (channel, channel_ptr) = deref(doc, channel, &format!("{ptr}/channel"))?;
    let address = channel.get("address").and_then(Value::as_str).unwrap_or("").to_string();
    let listed: Vec<(String, &Value)> = match holder.get("messages").and_then(Value::as_array) {
        Some(list) => list.iter().enumerate().map(|(i, m)| (format!("{ptr}/messages/{i}"), m)).collect(),
        None => channel
            .get("messages")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, m)| (format!("{channel_ptr}/messages/{}", escape(k)), m))
            .collect(),
    };
    let mut out = Vec::new();
    for (at, m) in listed {
        // The key is the last step to the channel's message: `#/channels/socket/messages/auth`.
        let first = m.get("$ref").and_then(Value::as_str).unwrap_or(&at).trim_start_matches('#').to_string();
        let key = first.rsplit('/').next().unwrap_or_default().replace("~1", "/").replace("~0", "~");
        let (message, pointer) = deref(doc, m, &at)?;
        let component = pointer.strip_prefix("/components/messages/").map(str::to_string);
        out.push(Named { key, address: address.clone(), message, pointer, component });
    }
    Ok(out)
}

/// A message's payload as one media type.
fn payload(doc: &Value, m: &Named<'_>, default_type: &str) -> Result<(String, Media), String> {
    let ty = m.message.get("contentType").and_then(Value::as_str).unwrap_or(default_type).to_string();
    let at = format!("{}/payload", m.pointer);
    let schema = match m.message.get("payload") {
        Some(p) => Some(schema(doc, p, &at, &mut Vec::new())?),
        None => None,
    };
    Ok((ty, Media { schema, pointer: at }))
}
