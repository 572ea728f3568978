//! The websocket messages, `{metadata, payload}`, as the client reads them.

use serde::Deserialize;
use serde_json::Value;
use streamkit_runtime::{Error, ProtocolErrorKind};

/// The session a `session_welcome` announced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Welcome {
    /// `payload.session.id`: the `session_id` of websocket subscriptions.
    pub session_id: String,
    /// `payload.session.keepalive_timeout_seconds`.
    pub keepalive_timeout_seconds: u64,
}

/// A `notification`: one event of a subscription.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// `metadata.message_id` (already deduplicated).
    pub message_id: String,
    /// `metadata.message_timestamp` (RFC 3339, nanoseconds).
    pub timestamp: String,
    /// `metadata.subscription_type`, e.g. `channel.follow`.
    pub subscription_type: String,
    /// `metadata.subscription_version`, e.g. `2`.
    pub subscription_version: String,
    /// `payload.subscription.id`.
    pub subscription_id: String,
    /// `payload.event`, as sent.
    pub event: Value,
}

/// A `revocation`: Twitch ended a subscription (it left the active set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    /// `metadata.message_id`.
    pub message_id: String,
    /// `payload.subscription.id`.
    pub subscription_id: String,
    /// `payload.subscription.type`.
    pub subscription_type: String,
    /// `payload.subscription.status`: why, e.g. `authorization_revoked`.
    pub status: String,
}

/// What [`EventSubClient::next`](super::EventSubClient::next) yields.
#[derive(Debug)]
#[non_exhaustive]
pub enum EventSubEvent {
    /// An event of an active subscription.
    Notification(Notification),
    /// A subscription was revoked.
    Revocation(Revocation),
    /// A (new) session was welcomed (its subscriptions are being created).
    Welcome(Welcome),
    /// After a lost connection: a new session is up and every active subscription was
    /// created again for it.
    Reconnected,
    /// The connection was lost; reconnect attempt `attempt` follows.
    Reconnecting {
        /// 1-based since the last good connection.
        attempt: u32,
    },
    /// The session moved to the `reconnect_url` of a `session_reconnect`.
    Moved,
    /// A frame that could not be read (the client goes on).
    Invalid(Error),
    /// The client ended, with why (the last item).
    Ended(Error),
}

/// What one frame is ([`EventSubProtocol`](super::EventSubProtocol)'s event type: keepalives
/// and reconnects never reach the stream as such).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Frame {
    /// `session_welcome`.
    Welcome(Welcome),
    /// `session_keepalive`.
    Keepalive,
    /// `session_reconnect` with its `reconnect_url`.
    Reconnect {
        /// Where to connect.
        url: String,
    },
    /// `notification`.
    Notification(Notification),
    /// `revocation`.
    Revocation(Revocation),
}

#[derive(Deserialize)]
struct Wire {
    metadata: Metadata,
    #[serde(default)]
    payload: Value,
}

#[derive(Deserialize)]
struct Metadata {
    message_id: String,
    message_type: String,
    #[serde(default)]
    message_timestamp: String,
    #[serde(default)]
    subscription_type: Option<String>,
    #[serde(default)]
    subscription_version: Option<String>,
}

fn violation(what: String) -> Error {
    Error::Protocol { operation: None, kind: ProtocolErrorKind::Violation, message: what }
}

fn text(v: &Value, pointer: &str, message_type: &str) -> Result<String, Error> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| violation(format!("a `{message_type}` message without a string at payload{pointer}")))
}

/// Reads one frame; `(message id, frame)`.
pub(crate) fn parse(frame: &str) -> Result<(String, Frame), Error> {
    let wire: Wire = serde_json::from_str(frame)
        .map_err(|e| violation(format!("not an EventSub message ({{metadata, payload}}): {e}")))?;
    let m = wire.metadata;
    let p = &wire.payload;
    let kind = m.message_type.as_str();
    let frame = match kind {
        "session_welcome" => {
            let keepalive =
                p.pointer("/session/keepalive_timeout_seconds").and_then(Value::as_u64).ok_or_else(|| {
                    violation("a `session_welcome` without payload.session.keepalive_timeout_seconds".to_owned())
                })?;
            Frame::Welcome(Welcome { session_id: text(p, "/session/id", kind)?, keepalive_timeout_seconds: keepalive })
        }
        "session_keepalive" => Frame::Keepalive,
        "session_reconnect" => Frame::Reconnect { url: text(p, "/session/reconnect_url", kind)? },
        "notification" => Frame::Notification(Notification {
            message_id: m.message_id.clone(),
            timestamp: m.message_timestamp,
            subscription_type: m.subscription_type.unwrap_or_default(),
            subscription_version: m.subscription_version.unwrap_or_default(),
            subscription_id: text(p, "/subscription/id", kind)?,
            event: p.get("event").cloned().ok_or_else(|| violation("a `notification` without payload.event".into()))?,
        }),
        "revocation" => Frame::Revocation(Revocation {
            message_id: m.message_id.clone(),
            subscription_id: text(p, "/subscription/id", kind)?,
            subscription_type: text(p, "/subscription/type", kind)?,
            status: text(p, "/subscription/status", kind)?,
        }),
        other => {
            let shown: String = other.chars().take(64).collect();
            return Err(violation(format!("an unknown EventSub message type `{shown}`")));
        }
    };
    Ok((m.message_id, frame))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_welcome_and_refuses_garbage() {
        let welcome = r#"{"metadata":{"message_id":"96a3f3b5-5dec-4eed-908e-e11ee657416c","message_type":"session_welcome","message_timestamp":"2023-07-19T14:56:51.634234626Z"},"payload":{"session":{"id":"AQoQILE98gtqShGmLD7AM6yJThAB","status":"connected","connected_at":"2023-07-19T14:56:51.616329898Z","keepalive_timeout_seconds":10,"reconnect_url":null}}}"#;
        let (id, frame) = parse(welcome).unwrap();
        assert_eq!(id, "96a3f3b5-5dec-4eed-908e-e11ee657416c");
        assert!(matches!(frame, Frame::Welcome(Welcome { keepalive_timeout_seconds: 10, .. })));
        assert!(parse("{").is_err());
        let e = parse(r#"{"metadata":{"message_id":"1","message_type":"bogus"},"payload":{}}"#).unwrap_err();
        assert!(e.to_string().contains("bogus"), "{e}");
        let e = parse(r#"{"metadata":{"message_id":"1","message_type":"notification"},"payload":{}}"#).unwrap_err();
        assert!(e.to_string().contains("subscription/id"), "{e}");
    }
}
