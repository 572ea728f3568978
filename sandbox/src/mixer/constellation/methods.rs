//! Constellation packets from clients (reference C.2, C.3): a method frame in, a reply or
//! a close frame out.

use super::{LiveServer, events, gzip};
use crate::core::FrameDirection;
use crate::core::lock;
use crate::core::ws::{ConnId, Inbound};
use serde_json::{Value, json};

/// Why a session is closed: the code and the reason sent with it.
type Fatal = (u16, &'static str);
/// A reply's error: its code and message.
type ReplyError = (u16, String);
/// A reply: its id, `result` and `error`.
type Reply = (u32, Value, Option<ReplyError>);

const NOT_JSON: Fatal = (4006, "Error parsing payload as JSON");
const NOT_GZIP: Fatal = (4007, "Error decompressing a supposedly-gzipped payload");
const UNKNOWN_PACKET: Fatal = (4008, "Unknown packet type");
const UNKNOWN_METHOD: Fatal = (4009, "Unknown method name call");
const BAD_ARGUMENTS: Fatal = (4010, "Error parsing method arguments");

fn reply(id: u32, result: Value, error: Option<ReplyError>) -> Value {
    let error = error.map_or(Value::Null, |(code, message)| json!({"code": code, "message": message}));
    json!({"type": "reply", "id": id, "result": result, "error": error})
}

/// Answers one frame received on `conn`.
pub(crate) fn handle(live: &LiveServer, conn: ConnId, frame: Inbound) {
    let bytes = match frame {
        Inbound::Text(t) => Ok(t.into_bytes()),
        Inbound::Binary(b) if gzip::is_gzip(&b) => gzip::decompress(&b).ok_or_else(|| {
            live.hub.log(
                conn,
                FrameDirection::ToServer,
                "invalid",
                &format!("<{} gzip bytes that do not inflate>", b.len()),
            );
            NOT_GZIP
        }),
        Inbound::Binary(b) => Ok(b),
    };
    let outcome = bytes.and_then(|b| {
        let text = String::from_utf8_lossy(&b).into_owned();
        let value: Result<Value, Fatal> = serde_json::from_str(&text).map_err(|_| NOT_JSON);
        let name = value.as_ref().ok().and_then(|v| v["method"].as_str()).unwrap_or("invalid").to_owned();
        live.hub.log(conn, FrameDirection::ToServer, &name, &text);
        answer(live, conn, &value?)
    });
    match outcome {
        Ok((id, result, error)) => {
            live.send(conn, "reply", &reply(id, result, error));
        }
        Err((code, reason)) => {
            live.hub.close(conn, code, reason);
        }
    }
}

/// `(id, result, error)` of the reply, or the fatal error to close with.
fn answer(live: &LiveServer, conn: ConnId, packet: &Value) -> Result<Reply, Fatal> {
    if packet["type"] != "method" {
        return Err(UNKNOWN_PACKET);
    }
    let id = packet["id"].as_u64().and_then(|i| u32::try_from(i).ok()).ok_or(BAD_ARGUMENTS)?;
    let method = packet["method"].as_str().ok_or(UNKNOWN_METHOD)?;
    let events = || -> Result<Vec<String>, Fatal> {
        packet["params"]["events"]
            .as_array()
            .and_then(|a| a.iter().map(|e| e.as_str().map(str::to_owned)).collect())
            .ok_or(BAD_ARGUMENTS)
    };
    match method {
        "livesubscribe" => Ok((id, Value::Null, subscribe(live, conn, events()?).err())),
        "liveunsubscribe" => Ok((id, Value::Null, unsubscribe(live, conn, events()?).err())),
        "ping" => Ok((id, json!({}), None)),
        _ => Err(UNKNOWN_METHOD),
    }
}

/// All or nothing: the first event that cannot be subscribed fails the whole call.
fn subscribe(live: &LiveServer, conn: ConnId, names: Vec<String>) -> Result<(), ReplyError> {
    let mut d = lock(&live.data);
    let total: usize = d.sessions.values().map(|s| s.subscriptions.len()).sum();
    let limit = d.limit;
    let Some(session) = d.sessions.get_mut(&conn) else { return Ok(()) };
    let mut seen = std::collections::BTreeSet::new();
    for name in &names {
        if !events::known(name) {
            return Err((4106, format!("Unknown event \"{name}\"")));
        }
        if !events::permitted(name, session.user) {
            return Err((4107, format!("You do not have permission to subscribe to \"{name}\"")));
        }
        if session.subscriptions.contains(name) || !seen.insert(name.as_str()) {
            return Err((4108, format!("Attempt to duplicate subscription to \"{name}\"")));
        }
    }
    if total + seen.len() > limit {
        return Err((4110, "You cannot make more subscriptions".to_owned()));
    }
    session.subscriptions.extend(names);
    Ok(())
}

fn unsubscribe(live: &LiveServer, conn: ConnId, names: Vec<String>) -> Result<(), ReplyError> {
    let mut d = lock(&live.data);
    let strict = d.strict_unsubscribe;
    let Some(session) = d.sessions.get_mut(&conn) else { return Ok(()) };
    if strict && let Some(missing) = names.iter().find(|n| !session.subscriptions.contains(*n)) {
        return Err((4109, format!("You are not subscribed to \"{missing}\"")));
    }
    for name in &names {
        session.subscriptions.remove(name);
    }
    Ok(())
}
