//! The websocket messages, `{metadata, payload}`, as the client reads them.

use chrono::{DateTime, Utc};
use streamkit_runtime::message::Strictness;
use streamkit_runtime::{Error, ProtocolErrorKind};

use crate::eventsub_messages::{EventsubEvent, EventsubMessage, types};

/// The session a `session_welcome` announced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Welcome {
    /// `payload.session.id`: the `session_id` of websocket subscriptions.
    pub session_id: String,
    /// `payload.session.keepalive_timeout_seconds`.
    pub keepalive_timeout_seconds: u64,
}

/// A `notification`: one event of a subscription, typed by its type and version.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Notification {
    /// `metadata.message_id` (already deduplicated).
    pub message_id: String,
    /// `metadata.message_timestamp` (nanoseconds kept).
    pub timestamp: DateTime<Utc>,
    /// `payload.subscription`: the subscription the event belongs to.
    pub subscription: types::Subscription,
    /// `payload.event`, typed by `metadata.subscription_type` and `subscription_version`
    /// ([`EventsubEvent::Unknown`] with the raw JSON for a pair the spec does not know).
    pub event: EventsubEvent,
}

impl Notification {
    /// The subscription type, e.g. `channel.follow`.
    pub fn subscription_type(&self) -> &str {
        self.event.subscription_type()
    }

    /// The subscription version, e.g. `2`.
    pub fn subscription_version(&self) -> &str {
        self.event.version()
    }

    /// `payload.subscription.id`.
    pub fn subscription_id(&self) -> &str {
        &self.subscription.id
    }
}

/// A `revocation`: Twitch ended a subscription (it left the active set).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Revocation {
    /// `metadata.message_id`.
    pub message_id: String,
    /// `metadata.message_timestamp`.
    pub timestamp: DateTime<Utc>,
    /// `payload.subscription`; its `status` says why, e.g. `authorization_revoked`.
    pub subscription: types::Subscription,
}

impl Revocation {
    /// `payload.subscription.id`.
    pub fn subscription_id(&self) -> &str {
        &self.subscription.id
    }

    /// `payload.subscription.type`.
    pub fn subscription_type(&self) -> &str {
        &self.subscription.type_
    }

    /// `payload.subscription.status`: why, e.g. `authorization_revoked`.
    pub fn status(&self) -> &str {
        &self.subscription.status
    }
}

/// What [`EventSubClient::next`](super::EventSubClient::next) yields.
#[derive(Debug)]
#[non_exhaustive]
pub enum EventSubEvent {
    /// An event of an active subscription.
    Notification(Box<Notification>),
    /// A subscription was revoked.
    Revocation(Box<Revocation>),
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
    Notification(Box<Notification>),
    /// `revocation`.
    Revocation(Box<Revocation>),
}

fn violation(what: String) -> Error {
    Error::Protocol { operation: None, kind: ProtocolErrorKind::Violation, message: what }
}

/// Reads one frame through the generated [`EventsubMessage`]; `(message id, frame)`.
pub(crate) fn parse(frame: &str, strictness: Strictness) -> Result<(String, Frame), Error> {
    let parsed = match EventsubMessage::parse(frame, strictness)? {
        EventsubMessage::SessionWelcome(m) => {
            let session = m.payload.session;
            let keepalive = session.keepalive_timeout_seconds.and_then(|s| u64::try_from(s).ok()).ok_or_else(|| {
                violation("a `session_welcome` without payload.session.keepalive_timeout_seconds".into())
            })?;
            (
                m.metadata.message_id,
                Frame::Welcome(Welcome { session_id: session.id, keepalive_timeout_seconds: keepalive }),
            )
        }
        EventsubMessage::SessionKeepalive(m) => (m.metadata.message_id, Frame::Keepalive),
        EventsubMessage::SessionReconnect(m) => {
            let url = m
                .payload
                .session
                .reconnect_url
                .ok_or_else(|| violation("a `session_reconnect` without payload.session.reconnect_url".into()))?;
            (m.metadata.message_id, Frame::Reconnect { url })
        }
        EventsubMessage::Notification { message, event } => {
            let id = message.metadata.message_id;
            let n = Notification {
                message_id: id.clone(),
                timestamp: *message.metadata.message_timestamp,
                subscription: message.payload.subscription,
                event,
            };
            (id, Frame::Notification(Box::new(n)))
        }
        EventsubMessage::Revocation(m) => {
            let id = m.metadata.message_id;
            let r = Revocation {
                message_id: id.clone(),
                timestamp: *m.metadata.message_timestamp,
                subscription: m.payload.subscription,
            };
            (id, Frame::Revocation(Box::new(r)))
        }
        other => {
            let shown: String = other.kind().chars().take(64).collect();
            return Err(violation(format!("an unknown EventSub message type `{shown}`")));
        }
    };
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_welcome_and_refuses_garbage() {
        let welcome = r#"{"metadata":{"message_id":"96a3f3b5-5dec-4eed-908e-e11ee657416c","message_type":"session_welcome","message_timestamp":"2023-07-19T14:56:51.634234626Z"},"payload":{"session":{"id":"AQoQILE98gtqShGmLD7AM6yJThAB","status":"connected","connected_at":"2023-07-19T14:56:51.616329898Z","keepalive_timeout_seconds":10,"reconnect_url":null}}}"#;
        let (id, frame) = parse(welcome, Strictness::Strict).unwrap();
        assert_eq!(id, "96a3f3b5-5dec-4eed-908e-e11ee657416c");
        assert!(matches!(frame, Frame::Welcome(Welcome { keepalive_timeout_seconds: 10, .. })));
        assert!(parse("{", Strictness::Lenient).is_err());
        let e = parse(r#"{"metadata":{"message_id":"1","message_type":"bogus"},"payload":{}}"#, Strictness::Lenient)
            .unwrap_err();
        assert!(e.to_string().contains("bogus"), "{e}");
        let bare = r#"{"metadata":{"message_id":"1","message_type":"notification","message_timestamp":"2023-07-19T14:56:51Z","subscription_type":"channel.follow","subscription_version":"2"},"payload":{}}"#;
        let e = parse(bare, Strictness::Lenient).unwrap_err();
        assert!(e.to_string().contains("payload.event"), "{e}");
    }
}
