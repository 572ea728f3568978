//! EventSub's websocket transport at `/eventsub/ws` on the sandbox's address, as Twitch runs
//! it (facts: `shared/reference/eventsub-facts.md`):
//!
//! * on connect a `session_welcome` with a new session id and `keepalive_timeout_seconds`
//!   (the `keepalive_timeout_seconds` query parameter, clamped to 10–600; 10 by default);
//! * a `session_keepalive` whenever nothing else went out for that long;
//! * the subscribe rule: no subscription created for the session (Helix, `transport.method
//!   = websocket`, its `session_id`) within 10 s of the welcome → close 4003;
//! * Helix takes websocket subscriptions only for a session this server issued and that is
//!   still connected (400 otherwise), at most 300 enabled ones per session;
//! * `notification`s for the session's subscriptions, from the same event source as webhook
//!   delivery (REST writes, [`EventSubHooks::trigger`](super::EventSubHooks::trigger));
//! * the session's subscriptions are deleted when its socket ends, except when it moved
//!   through a `session_reconnect` (the `reconnect_url` carries the session over; if nobody
//!   connects there within 30 s the old socket is closed 4004);
//! * a client frame is inbound traffic (close 4001).
//!
//! The timers run on tokio's clock, one task per connection (paused time drives them), and
//! the hooks also force them ([`EventSubHooks::send_keepalive`](super::EventSubHooks::send_keepalive),
//! [`EventSubHooks::enforce_subscribe_rule`](super::EventSubHooks::enforce_subscribe_rule)).

mod frames;
mod hooks;
pub(crate) mod server;
mod timers;
mod upgrade;

pub(crate) use server::WsServer;
pub(crate) use upgrade::router;

/// Where the EventSub websocket is served.
pub const PATH: &str = "/eventsub/ws";
