//! What a verified webhook request is.

use chrono::{DateTime, Utc};
use serde_json::Value;
use streamkit_runtime::Error;
use streamkit_runtime::message::{Strictness, decode};

use crate::eventsub_messages::{EventsubEvent, types};

/// A verified webhook request: answer it with [`Outcome::reply`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Outcome {
    /// An event (`notification`).
    Notification(Notification),
    /// The verification request sent when the subscription was created
    /// (`webhook_callback_verification`): answering with the challenge enables it.
    Challenge(Challenge),
    /// Twitch revoked the subscription (`revocation`); it delivers nothing more.
    Revoked(Revocation),
}

/// An event notification.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Notification {
    /// `Twitch-Eventsub-Message-Id`; a resent message keeps it.
    pub message_id: String,
    /// `Twitch-Eventsub-Message-Retry` (0 when absent).
    pub retry: u32,
    /// When Twitch sent it (nanoseconds kept).
    pub timestamp: DateTime<Utc>,
    /// `subscription.type`, e.g. `channel.update`.
    pub subscription_type: String,
    /// `subscription.version`, e.g. `2`.
    pub subscription_version: String,
    /// The `subscription` object.
    pub subscription: Value,
    /// The `event` object, as sent; [`Notification::typed_event`] types it.
    pub event: Value,
}

impl Notification {
    /// The event, typed by its subscription type and version ([`EventsubEvent::Unknown`],
    /// the JSON kept, for a pair the spec does not know). A known type whose event does not
    /// match its schema is an error naming it; [`Strictness::Strict`] also refuses
    /// undocumented fields and values.
    ///
    /// ```
    /// # use streamkit_twitch::eventsub::webhook::{Outcome, WebhookVerifier, headers, sign};
    /// # use streamkit_twitch::eventsub_messages::EventsubEvent;
    /// # use streamkit_twitch::message::Strictness;
    /// # use streamkit_twitch::Secret;
    /// # let secret = Secret::new("0123456789abcdef");
    /// # let body = br#"{"subscription":{"id":"s1","status":"enabled","type":"stream.offline","version":"1","cost":0,"condition":{"broadcaster_user_id":"1337"},"transport":{"method":"webhook","callback":"https://example.com/cb"},"created_at":"2019-11-16T10:11:12.634234626Z"},"event":{"broadcaster_user_id":"1337","broadcaster_user_login":"cool_user","broadcaster_user_name":"Cool_User"}}"#;
    /// # let ts = chrono::Utc::now().to_rfc3339();
    /// # let mut h = http::HeaderMap::new();
    /// # h.insert(headers::MESSAGE_ID, "m1".parse().unwrap());
    /// # h.insert(headers::MESSAGE_TIMESTAMP, ts.parse().unwrap());
    /// # h.insert(headers::MESSAGE_TYPE, "notification".parse().unwrap());
    /// # h.insert(headers::MESSAGE_SIGNATURE, sign(&secret, "m1", &ts, body).parse().unwrap());
    /// let verifier = WebhookVerifier::new(secret);
    /// if let Ok(Outcome::Notification(n)) = verifier.verify(&h, body) {
    ///     match n.typed_event(Strictness::Lenient)? {
    ///         EventsubEvent::StreamOfflineV1(e) => println!("{} went offline", e.broadcaster_user_name),
    ///         other => println!("{} v{}", other.subscription_type(), other.version()),
    ///     }
    /// }
    /// # Ok::<(), streamkit_twitch::Error>(())
    /// ```
    pub fn typed_event(&self, strictness: Strictness) -> Result<EventsubEvent, Error> {
        EventsubEvent::from_wire(&self.subscription_type, &self.subscription_version, self.event.clone(), strictness)
    }

    /// The `subscription` object, typed.
    pub fn typed_subscription(&self, strictness: Strictness) -> Result<types::Subscription, Error> {
        decode("subscription", self.subscription.clone(), strictness)
    }
}

/// The callback verification request.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Challenge {
    /// `Twitch-Eventsub-Message-Id`.
    pub message_id: String,
    /// The value to answer with, as `text/plain`.
    pub challenge: String,
    /// The `subscription` object (status `webhook_callback_verification_pending`).
    pub subscription: Value,
}

/// A revocation.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Revocation {
    /// `Twitch-Eventsub-Message-Id`.
    pub message_id: String,
    /// The subscription's id.
    pub subscription_id: String,
    /// Why: `authorization_revoked`, `user_removed`, `notification_failures_exceeded`,
    /// `version_removed`, ...
    pub status: String,
    /// The subscription type.
    pub subscription_type: String,
    /// The `subscription` object.
    pub subscription: Value,
}

impl Revocation {
    /// The `subscription` object, typed (`status` says why it ended).
    pub fn typed_subscription(&self, strictness: Strictness) -> Result<types::Subscription, Error> {
        decode("subscription", self.subscription.clone(), strictness)
    }
}

/// What to answer Twitch with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// `Content-Type`, when there is a body.
    pub content_type: Option<&'static str>,
    /// The body.
    pub body: String,
}

impl Outcome {
    /// The answer Twitch expects: the raw challenge as `text/plain` with 200 for a
    /// verification, an empty 204 otherwise.
    pub fn reply(&self) -> Reply {
        match self {
            Outcome::Challenge(c) => Reply { status: 200, content_type: Some("text/plain"), body: c.challenge.clone() },
            Outcome::Notification(_) | Outcome::Revoked(_) => {
                Reply { status: 204, content_type: None, body: String::new() }
            }
        }
    }

    /// The message id.
    pub fn message_id(&self) -> &str {
        match self {
            Outcome::Notification(n) => &n.message_id,
            Outcome::Challenge(c) => &c.message_id,
            Outcome::Revoked(r) => &r.message_id,
        }
    }
}
