//! The condition of each subscription type: which ids it needs. One struct per shape; every
//! subscription type names the one it takes ([`SubscriptionType::Condition`](super::SubscriptionType::Condition)).
//!
//! Written from Twitch's EventSub subscription types reference
//! (dev.twitch.tv/docs/eventsub/eventsub-subscription-types). All ids are strings.

use serde::Serialize;

/// `{broadcaster_user_id}`: most channel and stream events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BroadcasterCondition {
    /// The broadcaster whose events to receive.
    pub broadcaster_user_id: String,
}

/// `{broadcaster_user_id, moderator_user_id}`: events that need a moderator's authorization
/// (`channel.follow` v2). The moderator may be the broadcaster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BroadcasterModeratorCondition {
    /// The broadcaster whose events to receive.
    pub broadcaster_user_id: String,
    /// The broadcaster or one of their moderators, whose token authorizes the subscription.
    pub moderator_user_id: String,
}

/// `{broadcaster_user_id, user_id}`: chat events read as a user (`channel.chat.*`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatUserCondition {
    /// The channel whose chat to read.
    pub broadcaster_user_id: String,
    /// The user reading the chat (the token's user).
    pub user_id: String,
}

/// `{user_id}`: events about one user (`user.update`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserCondition {
    /// The user.
    pub user_id: String,
}

/// `{client_id}`: events about one app (`user.authorization.revoke`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientCondition {
    /// Your app's client id.
    pub client_id: String,
}

/// `{broadcaster_user_id, reward_id?}`: Channel Points redemptions, of one reward or of all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RewardRedemptionCondition {
    /// The broadcaster.
    pub broadcaster_user_id: String,
    /// Only redemptions of this reward; all rewards when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reward_id: Option<String>,
}

/// `channel.raid`: raids by a broadcaster, or raids of a broadcaster. Twitch takes exactly one
/// of the two ids, so this is an enum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum RaidCondition {
    /// Raids this broadcaster starts (`from_broadcaster_user_id`).
    #[serde(rename = "from_broadcaster_user_id")]
    From(String),
    /// Raids of this broadcaster's channel (`to_broadcaster_user_id`).
    #[serde(rename = "to_broadcaster_user_id")]
    To(String),
}
