//! The `Twitch-Eventsub-*` headers of a webhook request, read and checked.

use http::HeaderMap;

use super::error::WebhookError;

/// `Twitch-Eventsub-Message-Id`: unique per message; a resent message keeps it.
pub const MESSAGE_ID: &str = "Twitch-Eventsub-Message-Id";
/// `Twitch-Eventsub-Message-Retry`: how many times Twitch has resent the message.
pub const MESSAGE_RETRY: &str = "Twitch-Eventsub-Message-Retry";
/// `Twitch-Eventsub-Message-Type`: `notification`, `webhook_callback_verification` or `revocation`.
pub const MESSAGE_TYPE: &str = "Twitch-Eventsub-Message-Type";
/// `Twitch-Eventsub-Message-Signature`: `sha256=<hex HMAC-SHA256>`.
pub const MESSAGE_SIGNATURE: &str = "Twitch-Eventsub-Message-Signature";
/// `Twitch-Eventsub-Message-Timestamp`: RFC 3339 with up to 9 fractional digits.
pub const MESSAGE_TIMESTAMP: &str = "Twitch-Eventsub-Message-Timestamp";
/// `Twitch-Eventsub-Subscription-Type`, e.g. `channel.follow`.
pub const SUBSCRIPTION_TYPE: &str = "Twitch-Eventsub-Subscription-Type";
/// `Twitch-Eventsub-Subscription-Version`, e.g. `2`.
pub const SUBSCRIPTION_VERSION: &str = "Twitch-Eventsub-Subscription-Version";

/// Longest header value read (message ids are UUIDs; signatures 71 bytes).
const MAX_VALUE: usize = 256;

/// The headers the verifier needs, as sent (the timestamp's text is signed verbatim).
#[derive(Debug, Clone)]
pub(crate) struct MessageHeaders {
    pub(crate) id: String,
    pub(crate) timestamp: String,
    pub(crate) signature: String,
    pub(crate) message_type: String,
    pub(crate) retry: u32,
    pub(crate) subscription_type: Option<String>,
    pub(crate) subscription_version: Option<String>,
}

fn value<'a>(headers: &'a HeaderMap, name: &'static str) -> Result<Option<&'a str>, WebhookError> {
    let Some(v) = headers.get(name) else { return Ok(None) };
    let text = v.to_str().map_err(|_| WebhookError::BadHeader { name, reason: "not visible ASCII".into() })?;
    if text.len() > MAX_VALUE {
        return Err(WebhookError::BadHeader { name, reason: format!("longer than {MAX_VALUE} bytes") });
    }
    Ok(Some(text))
}

fn required(headers: &HeaderMap, name: &'static str) -> Result<String, WebhookError> {
    match value(headers, name)? {
        Some(v) if !v.is_empty() => Ok(v.to_owned()),
        _ => Err(WebhookError::MissingHeader(name)),
    }
}

impl MessageHeaders {
    pub(crate) fn read(headers: &HeaderMap) -> Result<MessageHeaders, WebhookError> {
        let retry = match value(headers, MESSAGE_RETRY)? {
            None => 0,
            Some(r) => r.parse().map_err(|_| WebhookError::BadHeader {
                name: MESSAGE_RETRY,
                reason: format!("{r:?} is not a count"),
            })?,
        };
        Ok(MessageHeaders {
            id: required(headers, MESSAGE_ID)?,
            timestamp: required(headers, MESSAGE_TIMESTAMP)?,
            signature: required(headers, MESSAGE_SIGNATURE)?,
            message_type: required(headers, MESSAGE_TYPE)?,
            retry,
            subscription_type: value(headers, SUBSCRIPTION_TYPE)?.map(str::to_owned),
            subscription_version: value(headers, SUBSCRIPTION_VERSION)?.map(str::to_owned),
        })
    }
}
