//! EventSub's webhook transport: verify what arrives at your callback.
//!
//! [`WebhookVerifier::verify`] takes the request's headers and raw body and returns an
//! [`Outcome`] (a notification, the verification challenge, or a revocation) or a
//! [`WebhookError`] saying why the request is refused. In order it checks:
//!
//! 1. the body size and the `Twitch-Eventsub-Message-{Id,Timestamp,Signature,Type}` headers;
//! 2. the signature: HMAC-SHA256 keyed with the subscription's secret over message id +
//!    timestamp header (verbatim) + raw body, compared in constant time;
//! 3. the timestamp: refused when older than 10 minutes ([`WebhookVerifier::max_age`]) or
//!    more than a minute ahead of the clock ([`WebhookVerifier::max_skew`]);
//! 4. the body, by message type, and that the `Twitch-Eventsub-Subscription-*` headers agree
//!    with it;
//! 5. the message id: one seen before is refused as replayed (ids are remembered for the
//!    maximum age, at most [`WebhookVerifier::remember`] of them).
//!
//! ```
//! use streamkit_twitch::eventsub::webhook::{headers, sign, Outcome, WebhookVerifier};
//! use streamkit_twitch::Secret;
//!
//! let secret = Secret::new("a-secret-of-20-chars");
//! let verifier = WebhookVerifier::new(secret.clone());
//! // What Twitch sends to verify the callback:
//! let body = br#"{"challenge":"pogchamp-kappa-360noscope-vohiyo","subscription":{"id":"f1c2a387-161a-49f9-a165-0f21d7a4e1c4","type":"channel.follow","version":"2","status":"webhook_callback_verification_pending"}}"#;
//! let ts = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
//! let mut h = http::HeaderMap::new();
//! h.insert(headers::MESSAGE_ID, "e76c6bd4-55c9-4987-8304-da1588d8988b".parse().unwrap());
//! h.insert(headers::MESSAGE_TIMESTAMP, ts.parse().unwrap());
//! h.insert(headers::MESSAGE_TYPE, "webhook_callback_verification".parse().unwrap());
//! h.insert(headers::MESSAGE_SIGNATURE, sign(&secret, "e76c6bd4-55c9-4987-8304-da1588d8988b", &ts, body).parse().unwrap());
//! let outcome = verifier.verify(&h, body).unwrap();
//! assert!(matches!(&outcome, Outcome::Challenge(c) if c.challenge == "pogchamp-kappa-360noscope-vohiyo"));
//! assert_eq!(outcome.reply().body, "pogchamp-kappa-360noscope-vohiyo"); // 200, text/plain
//! // The same message again is a replay.
//! assert!(verifier.verify(&h, body).is_err());
//! ```

#[cfg(feature = "axum")]
pub mod axum;
mod error;
pub mod headers;
mod outcome;
mod signature;

pub use error::WebhookError;
pub use outcome::{Challenge, Notification, Outcome, Reply, Revocation};
pub use signature::sign;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use http::HeaderMap;
use serde_json::{Map, Value};

use crate::{Clock, Secret, SystemClock};
use headers::MessageHeaders;
use signature::SignatureProblem;
use streamkit_runtime::recent_ids::RecentIds;

/// Twitch's advice: refuse messages older than 10 minutes.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(10 * 60);
/// How far ahead of the local clock a timestamp may be (clock skew).
pub const DEFAULT_MAX_SKEW: Duration = Duration::from_secs(60);
/// How many message ids are remembered at most.
pub const DEFAULT_REMEMBERED_IDS: usize = 16_384;
/// The largest body accepted. Twitch documents no limit; notifications are a few KiB.
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

/// Verifies the webhook requests of subscriptions created with one secret. Share it (`Arc`)
/// between the requests of a callback: it remembers the message ids it has seen.
#[derive(Debug)]
pub struct WebhookVerifier {
    secret: Secret,
    clock: Arc<dyn Clock>,
    max_age: Duration,
    max_skew: Duration,
    max_body: usize,
    remembered: usize,
    /// Ids are remembered as long as their timestamp would pass (max age + skew).
    seen: Mutex<RecentIds>,
}

impl WebhookVerifier {
    /// A verifier for `secret` (the `transport.secret` of the subscriptions), on the system
    /// clock, with the defaults above.
    pub fn new(secret: impl Into<Secret>) -> WebhookVerifier {
        WebhookVerifier {
            secret: secret.into(),
            clock: Arc::new(SystemClock),
            max_age: DEFAULT_MAX_AGE,
            max_skew: DEFAULT_MAX_SKEW,
            max_body: DEFAULT_MAX_BODY,
            remembered: DEFAULT_REMEMBERED_IDS,
            seen: Mutex::new(RecentIds::expiring(DEFAULT_REMEMBERED_IDS, DEFAULT_MAX_AGE + DEFAULT_MAX_SKEW)),
        }
    }

    /// Reads the time from `clock` (tests: a clock they move).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> WebhookVerifier {
        self.clock = clock;
        self
    }

    /// Refuses messages older than `max_age` (default 10 minutes).
    pub fn max_age(mut self, max_age: Duration) -> WebhookVerifier {
        self.max_age = max_age;
        self.reset_seen()
    }

    /// Refuses timestamps more than `max_skew` ahead of the clock (default 60 s).
    pub fn max_skew(mut self, max_skew: Duration) -> WebhookVerifier {
        self.max_skew = max_skew;
        self.reset_seen()
    }

    /// Remembers at most `ids` message ids (default 16 384; at least 1).
    pub fn remember(mut self, ids: usize) -> WebhookVerifier {
        self.remembered = ids;
        self.reset_seen()
    }

    /// Refuses bodies larger than `bytes` (default 1 MiB).
    pub fn max_body(mut self, bytes: usize) -> WebhookVerifier {
        self.max_body = bytes;
        self
    }

    fn reset_seen(self) -> WebhookVerifier {
        let seen = RecentIds::expiring(self.remembered, self.max_age.saturating_add(self.max_skew));
        WebhookVerifier { seen: Mutex::new(seen), ..self }
    }

    /// How many message ids are remembered now.
    pub fn remembered_ids(&self) -> usize {
        self.seen.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Verifies one request: its headers and its raw body, exactly as received.
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<Outcome, WebhookError> {
        if body.len() > self.max_body {
            return Err(WebhookError::BodyTooLarge { len: body.len(), max: self.max_body });
        }
        let h = MessageHeaders::read(headers)?;
        signature::verify(&self.secret, &h.id, &h.timestamp, body, &h.signature).map_err(|p| match p {
            SignatureProblem::Malformed => WebhookError::MalformedSignature,
            SignatureProblem::Mismatch => WebhookError::SignatureMismatch,
        })?;
        let timestamp = self.check_time(&h.timestamp)?;
        let outcome = parse(&h, timestamp, body)?;
        let now = self.clock.wall();
        if !self.seen.lock().unwrap_or_else(PoisonError::into_inner).first_time_at(&h.id, now) {
            return Err(WebhookError::Replayed { message_id: h.id });
        }
        Ok(outcome)
    }

    fn check_time(&self, text: &str) -> Result<DateTime<Utc>, WebhookError> {
        let shown: String = text.chars().take(64).collect();
        let at = DateTime::parse_from_rfc3339(text).map_err(|_| WebhookError::BadTimestamp(shown))?.to_utc();
        let now: DateTime<Utc> = self.clock.wall().into();
        let age = now.signed_duration_since(at);
        let max_age = chrono::Duration::from_std(self.max_age).unwrap_or(chrono::Duration::MAX);
        let max_skew = chrono::Duration::from_std(self.max_skew).unwrap_or(chrono::Duration::MAX);
        if age > max_age {
            return Err(WebhookError::Stale { age_secs: age.num_seconds(), max_secs: self.max_age.as_secs() });
        }
        if -age > max_skew {
            return Err(WebhookError::FromTheFuture {
                ahead_secs: (-age).num_seconds(),
                max_skew_secs: self.max_skew.as_secs(),
            });
        }
        Ok(at)
    }
}

fn bad(why: impl Into<String>) -> WebhookError {
    WebhookError::BadBody(why.into())
}

fn string_at(obj: &Map<String, Value>, key: &str, what: &str) -> Result<String, WebhookError> {
    match obj.get(key) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(bad(format!("`{what}.{key}` is not a string"))),
        None => Err(bad(format!("`{what}.{key}` is missing"))),
    }
}

/// Decodes the body by message type and checks the subscription headers against it.
fn parse(h: &MessageHeaders, timestamp: DateTime<Utc>, body: &[u8]) -> Result<Outcome, WebhookError> {
    let mut root: Map<String, Value> =
        serde_json::from_slice(body).map_err(|e| bad(format!("not a JSON object: {e}")))?;
    let subscription = root.remove("subscription").ok_or_else(|| bad("`subscription` is missing"))?;
    let sub = subscription.as_object().ok_or_else(|| bad("`subscription` is not an object"))?;
    let sub_type = string_at(sub, "type", "subscription")?;
    let sub_version = string_at(sub, "version", "subscription")?;
    for (name, header, body) in [
        (headers::SUBSCRIPTION_TYPE, &h.subscription_type, &sub_type),
        (headers::SUBSCRIPTION_VERSION, &h.subscription_version, &sub_version),
    ] {
        if let Some(header) = header
            && header != body
        {
            return Err(WebhookError::HeaderMismatch { name, header: header.clone(), body: body.clone() });
        }
    }
    match h.message_type.as_str() {
        "notification" => {
            let event = root.remove("event").ok_or_else(|| bad("`event` is missing"))?;
            if !event.is_object() {
                return Err(bad("`event` is not an object"));
            }
            Ok(Outcome::Notification(Notification {
                message_id: h.id.clone(),
                retry: h.retry,
                timestamp,
                subscription_type: sub_type,
                subscription_version: sub_version,
                subscription,
                event,
            }))
        }
        "webhook_callback_verification" => {
            let challenge = string_at(&root, "challenge", "body")?;
            Ok(Outcome::Challenge(Challenge { message_id: h.id.clone(), challenge, subscription }))
        }
        "revocation" => Ok(Outcome::Revoked(Revocation {
            message_id: h.id.clone(),
            subscription_id: string_at(sub, "id", "subscription")?,
            status: string_at(sub, "status", "subscription")?,
            subscription_type: sub_type,
            subscription,
        })),
        other => Err(WebhookError::UnknownMessageType(other.chars().take(64).collect())),
    }
}
