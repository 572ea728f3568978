//! What tests can make EventSub do, and what they can observe.

use std::sync::Arc;

use serde_json::Value;

use super::delivery::{self, WebhookDelivery};
use crate::core::lock;
use crate::twitch::helix::eventsub::STATUSES;
use crate::twitch::state::TwitchState;

/// EventSub test hooks of a [`Twitch`](crate::Twitch) service ([`Twitch::eventsub`](crate::Twitch::eventsub)).
///
/// ```no_run
/// # async fn demo(sandbox: streamkit_sandbox::Sandbox) {
/// let eventsub = sandbox.twitch().eventsub();
/// // After creating a subscription with `transport.callback = http://127.0.0.1:PORT/...`:
/// let log = eventsub.wait_for(1).await; // the verification request
/// assert_eq!(log[0].message_type, "webhook_callback_verification");
/// let ids = eventsub.trigger("stream.online", serde_json::json!({"broadcaster_user_id": "1"}));
/// eventsub.resend(&ids[0]);
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct EventSubHooks {
    pub(crate) state: Arc<TwitchState>,
}

impl EventSubHooks {
    /// Sends `event` as a `notification` to every enabled webhook subscription of type
    /// `subscription_type` (any version) that it concerns (each condition field the event also has must
    /// match); the message ids, in the order they will be delivered.
    pub fn trigger(&self, subscription_type: &str, event: Value) -> Vec<String> {
        delivery::publish(&self.state, subscription_type, None, &event)
    }

    /// Revokes subscription `id` with `status` (e.g. `authorization_revoked`, `user_removed`,
    /// `version_removed`): it delivers nothing more, and a `revocation` goes to its callback.
    /// `None` when there is no such webhook subscription or `status` is not a documented one.
    pub fn revoke(&self, id: &str, status: &str) -> Option<String> {
        let status = STATUSES.iter().copied().find(|s| *s == status && *s != "enabled")?;
        delivery::revoke(&self.state, id, status)
    }

    /// Sends message `message_id` again: same id, timestamp, body and signature,
    /// `Twitch-Eventsub-Message-Retry` one higher (as Twitch does after a failed delivery);
    /// a websocket `notification` or `revocation` goes again, byte for byte, on its session's
    /// current connection.
    /// False when the message is unknown (the latest 1 024 are kept).
    pub fn resend(&self, message_id: &str) -> bool {
        delivery::resend(&self.state, message_id) || self.state.eventsub_ws.resend(message_id)
    }

    /// Every delivery attempt so far, in order (the latest 10 000).
    pub fn deliveries(&self) -> Vec<WebhookDelivery> {
        delivery::deliveries(&self.state.webhooks)
    }

    /// Waits until `n` delivery attempts have been made in all, then returns the log. Wrap it
    /// in a timeout in tests, so a missing delivery fails instead of hanging.
    pub async fn wait_for(&self, n: usize) -> Vec<WebhookDelivery> {
        delivery::wait_for(&self.state.webhooks, n).await
    }

    /// The status of subscription `id` (of any client), e.g. `enabled`.
    pub fn status(&self, id: &str) -> Option<String> {
        lock(&self.state.eventsub).get_mut(id).map(|s| s.status.to_owned())
    }
}
