//! Reading an AsyncAPI 3.0 document into the protocol codegen emits: the client's methods
//! (their parameters and reply), the events, and the topics that ride inside one event.
//!
//! The document's operations say what is what: a `send` operation is a method (its message
//! is the method frame, its `reply` the reply frame), a `receive` operation on the methods'
//! channel carries events, and, when `x-streamkit-frames.topic` is declared, a `receive`
//! operation on any other channel is a topic whose address is its name. Every message's
//! payload is the whole frame; `x-streamkit-frames` says which field holds what.

use serde_json::Value;
use streamkit_spec::Document;
use streamkit_spec::extensions::{self, Frames, RpcFrames};
use streamkit_spec::pointer::escape;
use streamkit_spec::refs::deref;

use crate::error::SpecError;
use crate::extensions::Service;

/// The protocol of one document.
#[derive(Debug, Clone)]
pub struct Protocol {
    /// `x-streamkit-service`.
    pub service: Service,
    /// `x-streamkit-frames`.
    pub frames: RpcFrames,
    /// Methods, in document order.
    pub methods: Vec<MethodSpec>,
    /// Events carried by event frames, in document order.
    pub events: Vec<EventSpec>,
    /// Topics (Constellation's live events), in document order.
    pub topics: Vec<TopicSpec>,
}

/// A schema and where it is in the document.
#[derive(Debug, Clone)]
pub struct Located {
    /// The schema as written (may be a `$ref`).
    pub schema: Value,
    /// Its JSON pointer.
    pub ptr: String,
}

/// One method.
#[derive(Debug, Clone)]
pub struct MethodSpec {
    /// Its name on the wire (`vote:choose`).
    pub wire: String,
    /// What the message says about it (summary, description).
    pub doc: String,
    /// Its parameters.
    pub params: Params,
    /// The reply's result schema; `None` when the reply has no data.
    pub reply: Option<Located>,
    /// The method frame message.
    pub ptr: String,
}

/// How a method's parameters travel.
#[derive(Debug, Clone)]
pub enum Params {
    /// `null` (or absent).
    Null,
    /// A JSON array of positional arguments; `rest` is a variadic tail (`items` is one schema).
    Positional {
        /// The arguments in order; those at or past `minItems` are optional.
        fields: Vec<Param>,
        /// All arguments are one list (`optOutEvents`' event names).
        rest: Option<Param>,
    },
    /// A JSON object of named parameters.
    Named {
        /// The properties, in document order.
        fields: Vec<Param>,
    },
}

/// One parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// Its name (the property, or the item's `title`).
    pub name: String,
    /// Its schema.
    pub schema: Located,
    /// Whether it must be sent.
    pub required: bool,
    /// Its description.
    pub doc: String,
}

/// One event.
#[derive(Debug, Clone)]
pub struct EventSpec {
    /// Its name on the wire (`ChatMessage`).
    pub wire: String,
    /// What the message says about it.
    pub doc: String,
    /// Its data's schema.
    pub data: Located,
}

/// One topic: a channel whose address is the name of an event that rides inside the
/// topic event.
#[derive(Debug, Clone)]
pub struct TopicSpec {
    /// The address (`channel:{id}:followed`).
    pub address: String,
    /// Its `{parameters}`, in address order.
    pub params: Vec<String>,
    /// What the channel and its message say about it.
    pub doc: String,
    /// Its payload's schema.
    pub payload: Located,
}

/// Reads the protocol; every problem is an error at its JSON pointer.
pub fn read(doc: &Document) -> Result<Protocol, SpecError> {
    let d = &doc.doc;
    let service = service(doc)?;
    let frames = match frames(doc)? {
        Frames::Rpc(f) => f,
        Frames::Envelope(_) => {
            return Err(doc.error("/x-streamkit-frames/envelope", "enveloped frames are read by `asyncapi::envelope`"));
        }
    };
    let Some(operations) = d.get("operations").and_then(Value::as_object) else {
        return Err(doc.error(
            "/operations",
            "an AsyncAPI document for codegen needs `operations` (send: methods, receive: events)",
        ));
    };
    let mut proto = Protocol { service, frames, methods: Vec::new(), events: Vec::new(), topics: Vec::new() };
    let mut socket: Option<String> = None;
    // Methods first: their channel is the socket's.
    for (name, op) in operations {
        let at = format!("/operations/{}", escape(name));
        if op.get("action").and_then(Value::as_str) != Some("send") {
            continue;
        }
        let channel = channel_of(doc, op, &at)?;
        match &socket {
            Some(s) if s != &channel => {
                return Err(doc.error(
                    format!("{at}/channel"),
                    format!("every method must use one channel (the socket); this one uses #{channel}, others #{s}"),
                ));
            }
            _ => socket = Some(channel),
        }
        proto.methods.push(method(doc, &proto.frames, op, &at)?);
    }
    for (name, op) in operations {
        let at = format!("/operations/{}", escape(name));
        match op.get("action").and_then(Value::as_str) {
            Some("send") => continue,
            Some("receive") => {}
            _ => return Err(doc.error(format!("{at}/action"), "`action` must be `send` or `receive`")),
        }
        let channel = channel_of(doc, op, &at)?;
        let on_socket = socket.as_ref().is_none_or(|s| s == &channel);
        if on_socket || proto.frames.topic.is_none() {
            for (msg, msg_ptr) in messages(doc, op, &at)? {
                proto.events.push(event(doc, &proto.frames, &msg, &msg_ptr)?);
            }
        } else {
            proto.topics.push(topic(doc, op, &at, &channel)?);
        }
    }
    check_unique(doc, &proto)?;
    Ok(proto)
}

/// `x-streamkit-service`.
pub fn service(doc: &Document) -> Result<Service, SpecError> {
    match extensions::read::<Service>(&doc.doc, "x-streamkit-service") {
        Ok(Some(s)) => Ok(s),
        Ok(None) => {
            Err(doc.error("", "missing `x-streamkit-service: {crate, module, base-url}` (see specs/README.md)"))
        }
        Err(m) => Err(doc.error("/x-streamkit-service", m)),
    }
}

/// `x-streamkit-frames`.
pub fn frames(doc: &Document) -> Result<Frames, SpecError> {
    match extensions::read::<Frames>(&doc.doc, "x-streamkit-frames") {
        Ok(Some(f)) => Ok(f),
        Ok(None) => Err(doc.error(
            "",
            "missing `x-streamkit-frames: {method, reply, event}` or `{envelope}`: codegen needs to know which frame field holds what (see specs/README.md)",
        )),
        Err(m) => Err(doc.error("/x-streamkit-frames", m)),
    }
}

/// The pointer of an operation's channel.
pub fn channel_of(doc: &Document, op: &Value, at: &str) -> Result<String, SpecError> {
    let ch = op.get("channel").ok_or_else(|| doc.error(at, "an operation needs a `channel`"))?;
    Ok(deref(doc, ch, &format!("{at}/channel"))?.1)
}

/// The messages of an operation (or a reply), dereferenced, with their pointers.
pub fn messages(doc: &Document, op: &Value, at: &str) -> Result<Vec<(Value, String)>, SpecError> {
    let list = op
        .get("messages")
        .and_then(Value::as_array)
        .ok_or_else(|| doc.error(at, "needs `messages` (a list of `$ref`s to the channel's messages)"))?;
    if list.is_empty() {
        return Err(doc.error(format!("{at}/messages"), "needs at least one message"));
    }
    list.iter()
        .enumerate()
        .map(|(i, m)| {
            let (v, ptr) = deref(doc, m, &format!("{at}/messages/{i}"))?;
            Ok((v.clone(), ptr))
        })
        .collect()
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// Summary and description, one paragraph each.
pub fn doc_of(v: &Value) -> String {
    [text(v, "summary"), text(v, "description")].into_iter().flatten().collect::<Vec<_>>().join("\n\n")
}

/// The schema of property `field` of the payload (looking through `allOf` parts; the last
/// part that has it wins), dereferenced, with its pointer.
pub fn property(doc: &Document, schema: &Value, ptr: &str, field: &str) -> Result<Option<Located>, SpecError> {
    property_within(doc, schema, ptr, field, 0)
}

/// `allOf` parts nested deeper than this (a part that refers back to its schema) are refused.
const MAX_ALL_OF_DEPTH: usize = 32;

fn property_within(
    doc: &Document,
    schema: &Value,
    ptr: &str,
    field: &str,
    depth: usize,
) -> Result<Option<Located>, SpecError> {
    if depth > MAX_ALL_OF_DEPTH {
        return Err(doc.error(
            ptr,
            format!("`allOf` nested deeper than {MAX_ALL_OF_DEPTH} levels (does a part refer back to its schema?)"),
        ));
    }
    let (schema, ptr) = deref(doc, schema, ptr)?;
    let mut found = None;
    if let Some(p) = schema.get("properties").and_then(|p| p.get(field)) {
        found = Some(Located { schema: p.clone(), ptr: format!("{ptr}/properties/{}", escape(field)) });
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        for (i, part) in parts.iter().enumerate() {
            if let Some(l) = property_within(doc, part, &format!("{ptr}/allOf/{i}"), field, depth + 1)? {
                found = Some(l);
            }
        }
    }
    Ok(found)
}

/// The message's `name` (the wire name), checked against the `const` of the frame's name field.
fn wire_name(doc: &Document, msg: &Value, ptr: &str, name_field: Option<&str>) -> Result<String, SpecError> {
    let wire = text(msg, "name").ok_or_else(|| {
        doc.error(format!("{ptr}/name"), "a message needs `name`: the method or event as named on the wire")
    })?;
    if let Some(field) = name_field {
        let payload = msg.get("payload").ok_or_else(|| doc.error(ptr, "a message needs a `payload`"))?;
        let Some(l) = property(doc, payload, &format!("{ptr}/payload"), field)? else {
            return Err(doc.error(format!("{ptr}/payload"), format!("the frame has no `{field}` property")));
        };
        let (s, at) = deref(doc, &l.schema, &l.ptr)?;
        match s.get("const") {
            Some(Value::String(c)) if c == &wire => {}
            _ => {
                return Err(
                    doc.error(at, format!("the frame's `{field}` must be `const: {wire}` (the message's `name`)"))
                );
            }
        }
    }
    Ok(wire)
}

fn method(doc: &Document, frames: &RpcFrames, op: &Value, at: &str) -> Result<MethodSpec, SpecError> {
    let msgs = messages(doc, op, at)?;
    let [(msg, ptr)] = msgs.as_slice() else {
        return Err(doc.error(format!("{at}/messages"), "a method (`send` operation) has exactly one message"));
    };
    let wire = wire_name(doc, msg, ptr, Some(&frames.method.name))?;
    let payload = msg.get("payload").cloned().unwrap_or(Value::Null);
    let params = params(doc, &payload, &format!("{ptr}/payload"), &frames.method.params)?;
    let reply = match op.get("reply") {
        None => None,
        Some(r) => {
            let (r, r_at) = deref(doc, r, &format!("{at}/reply"))?;
            let r = r.clone();
            let msgs = messages(doc, &r, &r_at)?;
            let [(rmsg, rptr)] = msgs.as_slice() else {
                return Err(doc.error(format!("{r_at}/messages"), "a reply has exactly one message"));
            };
            let rpayload = rmsg.get("payload").ok_or_else(|| doc.error(rptr, "a message needs a `payload`"))?;
            match property(doc, rpayload, &format!("{rptr}/payload"), &frames.reply.result)? {
                None => None,
                Some(l) => {
                    let (s, _) = deref(doc, &l.schema, &l.ptr)?;
                    if s.get("type").and_then(Value::as_str) == Some("null") { None } else { Some(l) }
                }
            }
        }
    };
    let mut doc_text = doc_of(msg);
    if doc_text.is_empty() {
        doc_text = doc_of(op);
    }
    Ok(MethodSpec { wire, doc: doc_text, params, reply, ptr: ptr.clone() })
}

fn params(doc: &Document, payload: &Value, ptr: &str, field: &str) -> Result<Params, SpecError> {
    let Some(l) = property(doc, payload, ptr, field)? else { return Ok(Params::Null) };
    let (s, at) = deref(doc, &l.schema, &l.ptr)?;
    match s.get("type").and_then(Value::as_str) {
        Some("null") => Ok(Params::Null),
        Some("array") => {
            let min = s.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
            match s.get("items") {
                Some(Value::Array(items)) => {
                    let mut fields = Vec::new();
                    for (i, item) in items.iter().enumerate() {
                        let item_at = format!("{at}/items/{i}");
                        let (resolved, _) = deref(doc, item, &item_at)?;
                        let name = text(resolved, "title").ok_or_else(|| {
                            doc.error(&item_at, "a positional argument needs a `title`: it names the Rust field")
                        })?;
                        fields.push(Param {
                            name,
                            schema: Located { schema: item.clone(), ptr: item_at },
                            required: i < min,
                            doc: text(resolved, "description").unwrap_or_default(),
                        });
                    }
                    Ok(Params::Positional { fields, rest: None })
                }
                Some(item) if item.is_object() => {
                    let name = text(s, "title").ok_or_else(|| {
                        doc.error(&at, "a variadic argument list needs a `title`: it names the Rust field")
                    })?;
                    let rest = Param {
                        name,
                        schema: Located { schema: s.clone(), ptr: at.clone() },
                        required: true,
                        doc: text(s, "description").unwrap_or_default(),
                    };
                    Ok(Params::Positional { fields: Vec::new(), rest: Some(rest) })
                }
                None => Ok(Params::Positional { fields: Vec::new(), rest: None }),
                Some(_) => Err(doc.error(format!("{at}/items"), "`items` must be a schema or a list of schemas")),
            }
        }
        Some("object") | None if s.get("properties").is_some() => {
            let required: Vec<&str> =
                s.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
            let mut fields = Vec::new();
            for (name, p) in s.get("properties").and_then(Value::as_object).into_iter().flatten() {
                let p_at = format!("{at}/properties/{}", escape(name));
                let (resolved, _) = deref(doc, p, &p_at)?;
                fields.push(Param {
                    name: name.clone(),
                    schema: Located { schema: p.clone(), ptr: p_at },
                    required: required.contains(&name.as_str()),
                    doc: text(resolved, "description").unwrap_or_default(),
                });
            }
            Ok(Params::Named { fields })
        }
        _ => Err(doc.error(
            at,
            "method parameters must be `type: array` (positional), an object with `properties` (named) or `type: 'null'`",
        )),
    }
}

fn event(doc: &Document, frames: &RpcFrames, msg: &Value, ptr: &str) -> Result<EventSpec, SpecError> {
    let wire = wire_name(doc, msg, ptr, Some(&frames.event.name))?;
    let payload = msg.get("payload").cloned().unwrap_or(Value::Null);
    let data = property(doc, &payload, &format!("{ptr}/payload"), &frames.event.data)?.ok_or_else(|| {
        doc.error(format!("{ptr}/payload"), format!("the event frame has no `{}` property", frames.event.data))
    })?;
    Ok(EventSpec { wire, doc: doc_of(msg), data })
}

fn topic(doc: &Document, op: &Value, at: &str, channel: &str) -> Result<TopicSpec, SpecError> {
    let ch = doc.get(channel).cloned().unwrap_or(Value::Null);
    let address = text(&ch, "address")
        .ok_or_else(|| doc.error(channel, "a topic channel needs an `address`: the event's name"))?;
    let params = address_params(&address).map_err(|m| doc.error(format!("{channel}/address"), m))?;
    let declared: Vec<&String> =
        ch.get("parameters").and_then(Value::as_object).into_iter().flatten().map(|(k, _)| k).collect();
    for p in &params {
        if !declared.contains(&p) {
            return Err(doc.error(
                format!("{channel}/parameters"),
                format!("the address uses `{{{p}}}`; declare it under `parameters`"),
            ));
        }
    }
    if let Some(extra) = declared.iter().find(|d| !params.contains(d)) {
        return Err(
            doc.error(format!("{channel}/parameters/{}", escape(extra)), format!("`{extra}` is not in the address"))
        );
    }
    let msgs = messages(doc, op, at)?;
    let [(msg, ptr)] = msgs.as_slice() else {
        return Err(doc.error(format!("{at}/messages"), "a topic carries exactly one message"));
    };
    let payload = msg.get("payload").ok_or_else(|| doc.error(ptr, "a message needs a `payload`"))?;
    let doc_text = [text(&ch, "description"), Some(doc_of(msg)).filter(|s| !s.is_empty())]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n\n");
    Ok(TopicSpec {
        address,
        params,
        doc: doc_text,
        payload: Located { schema: payload.clone(), ptr: format!("{ptr}/payload") },
    })
}

/// The `{parameters}` of an address; each must be a whole `:`-separated segment.
pub fn address_params(address: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for seg in address.split(':') {
        if let Some(inner) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            if inner.is_empty() || !inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("`{seg}` is not a parameter name"));
            }
            out.push(inner.to_string());
        } else if seg.contains('{') || seg.contains('}') {
            return Err(format!(
                "`{seg}`: a parameter must be a whole `:`-separated segment, such as `channel:{{id}}:update`"
            ));
        } else if seg.is_empty() {
            return Err("an empty `:`-separated segment".into());
        }
    }
    Ok(out)
}

fn check_unique(doc: &Document, p: &Protocol) -> Result<(), SpecError> {
    let mut seen = std::collections::BTreeMap::new();
    for m in &p.methods {
        if let Some(prev) = seen.insert(format!("method {}", m.wire), m.ptr.clone()) {
            return Err(doc.error(&m.ptr, format!("method `{}` is declared twice (also at #{prev})", m.wire)));
        }
    }
    for e in &p.events {
        if let Some(prev) = seen.insert(format!("event {}", e.wire), e.data.ptr.clone()) {
            return Err(doc.error(&e.data.ptr, format!("event `{}` is declared twice (also at #{prev})", e.wire)));
        }
    }
    for t in &p.topics {
        if let Some(prev) = seen.insert(format!("topic {}", t.address), t.payload.ptr.clone()) {
            return Err(doc.error(&t.payload.ptr, format!("topic `{}` is declared twice (also at #{prev})", t.address)));
        }
    }
    if let Some(topic) = &p.frames.topic
        && !p.events.iter().any(|e| e.wire == topic.event)
    {
        return Err(doc.error(
            "/x-streamkit-frames/topic/event",
            format!("no event `{}` is declared to carry the topics", topic.event),
        ));
    }
    Ok(())
}
