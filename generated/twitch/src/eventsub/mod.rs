//! Twitch EventSub: typed subscriptions for Helix's Create EventSub Subscription, and the
//! webhook transport's verifier.
//!
//! * [`Subscription`]: a subscription type with its version and its condition, so
//!   `Subscription::channel_follow_v2(broadcaster, moderator)` cannot be built with the wrong
//!   condition; [`Subscription::body`] gives the request body of
//!   [`create_eventsub_subscription`](crate::helix::Client::create_eventsub_subscription).
//!   The generated builder (`type_("stream.online").version("1")`) stays available for types
//!   this module does not list.
//! * [`websocket`]: the websocket transport's client on the session runtime: welcome,
//!   subscriptions over Helix, keepalive death, `session_reconnect` moves, dedup, revocations.
//! * [`webhook`]: HMAC-SHA256 signature check in constant time, replay guard (stale
//!   timestamps, seen message ids, bounded memory), the callback-verification challenge and
//!   revocations, as a plain function of headers and body; with the `axum` feature, a ready
//!   handler.
//!
//! Events are typed by [`eventsub_messages`](crate::eventsub_messages), generated from
//! `specs/twitch/eventsub.yaml`: [`EventsubEvent`] has one variant per subscription type
//! and version, and `Unknown` (the JSON kept) for the others.

pub mod condition;
pub mod subscription;
pub mod webhook;
pub mod websocket;

pub use condition::{
    BroadcasterCondition, BroadcasterModeratorCondition, ChatUserCondition, ClientCondition, RaidCondition,
    RewardRedemptionCondition, UserCondition,
};
pub use subscription::{Subscription, SubscriptionType, Transport, types};

pub use crate::eventsub_messages::EventsubEvent;
