//! Why a webhook request was refused.

use std::fmt;

/// Why [`WebhookVerifier::verify`](super::WebhookVerifier::verify) refused a request. Never
/// contains the secret or the body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookError {
    /// A required `Twitch-Eventsub-*` header is absent or empty.
    MissingHeader(&'static str),
    /// A header is present but unusable.
    BadHeader {
        /// The header.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The signature header is not `sha256=` followed by 64 hex digits.
    MalformedSignature,
    /// The signature is not the HMAC of this message under the secret: the body, id or
    /// timestamp was altered, or the secret is another one.
    SignatureMismatch,
    /// `Twitch-Eventsub-Message-Timestamp` is not RFC 3339.
    BadTimestamp(String),
    /// The message is older than the verifier's maximum age (a replay, or a very late retry).
    Stale {
        /// How old it is, in seconds.
        age_secs: i64,
        /// The maximum age, in seconds.
        max_secs: u64,
    },
    /// The timestamp is further in the future than the allowed clock skew.
    FromTheFuture {
        /// How far ahead it is, in seconds.
        ahead_secs: i64,
        /// The allowed skew, in seconds.
        max_skew_secs: u64,
    },
    /// A message with this id was verified already (a replay, or Twitch resending one that was
    /// handled: answer 2xx and do not process it again).
    Replayed {
        /// The message id.
        message_id: String,
    },
    /// `Twitch-Eventsub-Message-Type` is none of the three webhook types.
    UnknownMessageType(String),
    /// The body is larger than the verifier accepts.
    BodyTooLarge {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The body is not the JSON this message type has.
    BadBody(String),
    /// A `Twitch-Eventsub-Subscription-*` header disagrees with the (signed) body.
    HeaderMismatch {
        /// The header.
        name: &'static str,
        /// Its value.
        header: String,
        /// What the body says.
        body: String,
    },
}

impl WebhookError {
    /// The HTTP status a callback answers with: 200 for a replayed id (Twitch stops resending
    /// a message once it got a 2xx, and it was handled the first time), 403 for a bad
    /// signature, 400 otherwise.
    pub fn http_status(&self) -> u16 {
        match self {
            WebhookError::Replayed { .. } => 200,
            WebhookError::MalformedSignature | WebhookError::SignatureMismatch => 403,
            _ => 400,
        }
    }
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::MissingHeader(name) => write!(f, "EventSub webhook: header `{name}` is missing"),
            WebhookError::BadHeader { name, reason } => write!(f, "EventSub webhook: header `{name}`: {reason}"),
            WebhookError::MalformedSignature => {
                f.write_str("EventSub webhook: the signature header is not `sha256=` and 64 hex digits")
            }
            WebhookError::SignatureMismatch => f.write_str(
                "EventSub webhook: the signature does not match (body, id or timestamp altered, or another secret)",
            ),
            WebhookError::BadTimestamp(t) => write!(f, "EventSub webhook: timestamp {t:?} is not RFC 3339"),
            WebhookError::Stale { age_secs, max_secs } => {
                write!(f, "EventSub webhook: the message is {age_secs} s old, more than the {max_secs} s allowed")
            }
            WebhookError::FromTheFuture { ahead_secs, max_skew_secs } => write!(
                f,
                "EventSub webhook: the timestamp is {ahead_secs} s in the future, more than the {max_skew_secs} s of clock skew allowed"
            ),
            WebhookError::Replayed { message_id } => {
                write!(f, "EventSub webhook: message {message_id:?} was received before (replayed)")
            }
            WebhookError::UnknownMessageType(t) => write!(
                f,
                "EventSub webhook: message type {t:?} is not notification, webhook_callback_verification or revocation"
            ),
            WebhookError::BodyTooLarge { len, max } => {
                write!(f, "EventSub webhook: the body is {len} bytes, more than the {max} accepted")
            }
            WebhookError::BadBody(why) => write!(f, "EventSub webhook: bad body: {why}"),
            WebhookError::HeaderMismatch { name, header, body } => {
                write!(f, "EventSub webhook: header `{name}` says {header:?} but the body says {body:?}")
            }
        }
    }
}

impl std::error::Error for WebhookError {}

impl From<WebhookError> for crate::Error {
    /// An [`Error::Protocol`](crate::Error::Protocol) violation naming the reason.
    fn from(e: WebhookError) -> crate::Error {
        crate::Error::Protocol {
            operation: Some("eventsub_webhook"),
            kind: streamkit_runtime::error::ProtocolErrorKind::Violation,
            message: e.to_string(),
        }
    }
}
