//! EventSub's webhook transport, as Twitch runs it, for subscriptions whose callback is on
//! `127.0.0.1` (the sandbox contacts no other host; other callbacks stay
//! `webhook_callback_verification_pending`).
//!
//! * Creating such a subscription sends the `webhook_callback_verification` request; the
//!   subscription becomes `enabled` when the callback answers 2xx with the challenge as its
//!   body, `webhook_callback_verification_failed` otherwise.
//! * Enabled subscriptions receive `notification`s signed with their secret
//!   (`Twitch-Eventsub-Message-Signature: sha256=<HMAC-SHA256(secret, id + timestamp + body)>`).
//! * REST writes produce their events: Modify Channel Information → `channel.update` v2,
//!   Send Chat Message → `channel.chat.message` v1 (webhook and websocket subscriptions alike).
//! * Test hooks ([`EventSubHooks`]): trigger any event, revoke a subscription, resend a message
//!   with its id.
//!
//! Messages go out one at a time, in the order they were produced, from one task; every
//! attempt lands in a delivery log that tests read or await ([`EventSubHooks::wait_for`]).

pub(crate) mod delivery;
pub(crate) mod events;
mod hooks;
pub(crate) mod loopback;
mod sign;
pub(crate) mod websocket;

pub use delivery::WebhookDelivery;
pub use hooks::EventSubHooks;
pub use websocket::server::WebSocketSession;

use std::fmt;

/// A loopback callback and the subscription's secret.
#[derive(Clone)]
pub(crate) struct WebhookTarget {
    pub(crate) callback: String,
    secret: String,
}

impl WebhookTarget {
    pub(crate) fn new(callback: &str, secret: String) -> WebhookTarget {
        WebhookTarget { callback: callback.to_owned(), secret }
    }

    pub(crate) fn secret(&self) -> &str {
        &self.secret
    }
}

impl fmt::Debug for WebhookTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookTarget").field("callback", &self.callback).field("secret", &"[redacted]").finish()
    }
}
