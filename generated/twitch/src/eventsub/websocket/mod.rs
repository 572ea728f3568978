//! EventSub over a websocket, on the runtime's session ([`streamkit_runtime::session`]).
//!
//! [`EventSubClientBuilder::connect`] opens the socket, reads `session_welcome`, creates the
//! requested subscriptions through the Helix client (Create EventSub Subscription with
//! `transport: websocket, session_id`) within the keepalive window, and then yields
//! [`EventSubEvent`]s:
//!
//! * notifications are deduplicated by `metadata.message_id` (bounded memory, [`RecentIds`]);
//! * silence beyond the welcome's `keepalive_timeout_seconds` (plus a small margin) means the
//!   connection is dead: the session reconnects with backoff, and since the subscriptions died
//!   with the old session the hook creates every active one again for the new session id;
//! * `session_reconnect` moves the session to its `reconnect_url`: the old socket keeps
//!   delivering until the new one is welcomed, nothing is re-subscribed (the subscriptions
//!   carried over), and what arrives on both is delivered once;
//! * a `revocation` is its own event and the subscription leaves the active set;
//! * each close code has its documented meaning ([`close_action`], [`close_error`]): 4003
//!   (the subscribe step was too slow) ends the client with that error instead of a retry loop.
//!
//! Limits: at most [`MAX_SUBSCRIPTIONS`] per session (refused before connecting), and the cost
//! Helix reported last ([`Cost`]: `total_cost` / `max_total_cost`).
//!
//! [`RecentIds`]: streamkit_runtime::session::RecentIds

mod client;
mod close;
mod message;
mod protocol;

pub use client::{EventSubClient, EventSubClientBuilder};
pub use close::{close_action, close_error};
pub use message::{EventSubEvent, Frame, Notification, Revocation, Welcome};
pub use protocol::{Cost, EventSubProtocol, MAX_SUBSCRIPTIONS};

/// Twitch's EventSub websocket.
pub const TWITCH_URL: &str = "wss://eventsub.wss.twitch.tv/ws";
