//! Typed subscriptions: each subscription type is a marker type carrying its name, its
//! version and its condition type, and [`Subscription`] is built from one of them.
//!
//! ```
//! use streamkit_twitch::eventsub::{Subscription, Transport};
//! use streamkit_twitch::Secret;
//!
//! let follows = Subscription::channel_follow_v2("1234", "5678");
//! assert_eq!((follows.type_(), follows.version()), ("channel.follow", "2"));
//! let body = follows.body(Transport::webhook("https://example.com/eventsub", Secret::new("a-secret-of-20-chars"))).unwrap();
//! assert_eq!(body.condition.moderator_user_id.as_deref(), Some("5678"));
//! // `client.create_eventsub_subscription().body(body).send().await?`
//! ```
//!
//! A condition of another type does not compile:
//!
//! ```compile_fail
//! use streamkit_twitch::eventsub::{types::ChannelFollowV2, BroadcasterCondition, Subscription};
//! // channel.follow v2 needs a moderator: BroadcasterModeratorCondition.
//! let s = Subscription::of::<ChannelFollowV2>(BroadcasterCondition { broadcaster_user_id: "1".into() });
//! ```
//!
//! A type this module does not list: [`Subscription::other`], or the generated builder
//! (`types::CreateEventsubSubscriptionBody::builder().type_("stream.online").version("1")`).

use serde::Serialize;
use serde_json::{Map, Value};

use crate::helix::types as helix_types;
use crate::{Error, Secret};

use super::condition::{
    BroadcasterCondition, BroadcasterModeratorCondition, ChatUserCondition, ClientCondition, RaidCondition,
    RewardRedemptionCondition, UserCondition,
};

/// A subscription type at one version, and the condition it takes.
///
/// Implemented by the marker types in [`types`]; implement it for a type Twitch added after
/// this crate (its `Condition` must serialize to a JSON object of strings).
pub trait SubscriptionType {
    /// The type's name on the wire, e.g. `channel.follow`.
    const TYPE: &'static str;
    /// The version, e.g. `"2"`.
    const VERSION: &'static str;
    /// What the condition holds.
    type Condition: Serialize;
}

/// One marker type per subscription type and version.
pub mod types {
    use super::*;

    macro_rules! subscription_types {
        ($($(#[$doc:meta])* $name:ident = ($wire:literal, $version:literal, $condition:ty);)*) => {
            $(
                $(#[$doc])*
                #[derive(Debug, Clone, Copy, PartialEq, Eq)]
                pub struct $name;
                impl SubscriptionType for $name {
                    const TYPE: &'static str = $wire;
                    const VERSION: &'static str = $version;
                    type Condition = $condition;
                }
            )*
            /// Every `(type, version)` listed here.
            pub const ALL: &[(&str, &str)] = &[$(($wire, $version)),*];
        };
    }

    subscription_types! {
        /// `stream.online` v1: the broadcaster starts a stream.
        StreamOnlineV1 = ("stream.online", "1", BroadcasterCondition);
        /// `stream.offline` v1: the broadcaster stops a stream.
        StreamOfflineV1 = ("stream.offline", "1", BroadcasterCondition);
        /// `channel.update` v2: title, language, category or content labels changed.
        ChannelUpdateV2 = ("channel.update", "2", BroadcasterCondition);
        /// `channel.follow` v2: someone follows the channel (needs `moderator:read:followers`).
        ChannelFollowV2 = ("channel.follow", "2", BroadcasterModeratorCondition);
        /// `channel.subscribe` v1: a new subscription (not resubscriptions).
        ChannelSubscribeV1 = ("channel.subscribe", "1", BroadcasterCondition);
        /// `channel.subscription.gift` v1: someone gifts subscriptions.
        ChannelSubscriptionGiftV1 = ("channel.subscription.gift", "1", BroadcasterCondition);
        /// `channel.subscription.message` v1: a resubscription message in chat.
        ChannelSubscriptionMessageV1 = ("channel.subscription.message", "1", BroadcasterCondition);
        /// `channel.cheer` v1: Bits cheered.
        ChannelCheerV1 = ("channel.cheer", "1", BroadcasterCondition);
        /// `channel.raid` v1: a raid from or to a broadcaster.
        ChannelRaidV1 = ("channel.raid", "1", RaidCondition);
        /// `channel.ban` v1: a viewer is timed out or banned.
        ChannelBanV1 = ("channel.ban", "1", BroadcasterCondition);
        /// `channel.unban` v1: a viewer is unbanned.
        ChannelUnbanV1 = ("channel.unban", "1", BroadcasterCondition);
        /// `channel.moderator.add` v1.
        ChannelModeratorAddV1 = ("channel.moderator.add", "1", BroadcasterCondition);
        /// `channel.moderator.remove` v1.
        ChannelModeratorRemoveV1 = ("channel.moderator.remove", "1", BroadcasterCondition);
        /// `channel.channel_points_custom_reward_redemption.add` v1: a viewer redeems a reward.
        ChannelPointsRedemptionAddV1 = ("channel.channel_points_custom_reward_redemption.add", "1", RewardRedemptionCondition);
        /// `channel.poll.begin` v1.
        ChannelPollBeginV1 = ("channel.poll.begin", "1", BroadcasterCondition);
        /// `channel.poll.progress` v1.
        ChannelPollProgressV1 = ("channel.poll.progress", "1", BroadcasterCondition);
        /// `channel.poll.end` v1.
        ChannelPollEndV1 = ("channel.poll.end", "1", BroadcasterCondition);
        /// `channel.prediction.begin` v1.
        ChannelPredictionBeginV1 = ("channel.prediction.begin", "1", BroadcasterCondition);
        /// `channel.prediction.progress` v1.
        ChannelPredictionProgressV1 = ("channel.prediction.progress", "1", BroadcasterCondition);
        /// `channel.prediction.lock` v1.
        ChannelPredictionLockV1 = ("channel.prediction.lock", "1", BroadcasterCondition);
        /// `channel.prediction.end` v1.
        ChannelPredictionEndV1 = ("channel.prediction.end", "1", BroadcasterCondition);
        /// `channel.hype_train.begin` v2 (Twitch's reference documents v2 only; v1 is withdrawn).
        ChannelHypeTrainBeginV2 = ("channel.hype_train.begin", "2", BroadcasterCondition);
        /// `channel.hype_train.progress` v2.
        ChannelHypeTrainProgressV2 = ("channel.hype_train.progress", "2", BroadcasterCondition);
        /// `channel.hype_train.end` v2.
        ChannelHypeTrainEndV2 = ("channel.hype_train.end", "2", BroadcasterCondition);
        /// `channel.chat.message` v1: a chat message, read as `user_id`.
        ChannelChatMessageV1 = ("channel.chat.message", "1", ChatUserCondition);
        /// `channel.chat.notification` v1: a chat notice (sub, raid, announcement, ...).
        ChannelChatNotificationV1 = ("channel.chat.notification", "1", ChatUserCondition);
        /// `user.update` v1: the user's account changed.
        UserUpdateV1 = ("user.update", "1", UserCondition);
        /// `user.authorization.revoke` v1: a user revoked your app's access.
        UserAuthorizationRevokeV1 = ("user.authorization.revoke", "1", ClientCondition);
    }
}

/// A subscription to request: type, version and condition, chosen together.
#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    type_: String,
    version: String,
    condition: Map<String, Value>,
}

/// How Twitch should deliver the events.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Transport {
    /// HTTPS POSTs to `callback` (port 443), signed with `secret` (10 to 100 ASCII characters).
    Webhook {
        /// The callback URL.
        callback: String,
        /// The signing secret; see [`webhook`](super::webhook) to verify what arrives.
        secret: Secret,
    },
    /// A WebSocket session, by the id from its welcome message.
    WebSocket {
        /// `payload.session.id` of the welcome.
        session_id: String,
    },
    /// A conduit.
    Conduit {
        /// The conduit's id.
        conduit_id: String,
    },
}

impl Transport {
    /// [`Transport::Webhook`].
    pub fn webhook(callback: impl Into<String>, secret: impl Into<Secret>) -> Transport {
        Transport::Webhook { callback: callback.into(), secret: secret.into() }
    }

    /// [`Transport::WebSocket`].
    pub fn websocket(session_id: impl Into<String>) -> Transport {
        Transport::WebSocket { session_id: session_id.into() }
    }

    /// [`Transport::Conduit`].
    pub fn conduit(conduit_id: impl Into<String>) -> Transport {
        Transport::Conduit { conduit_id: conduit_id.into() }
    }

    fn request(self) -> helix_types::builder::EventSubTransportRequest {
        use helix_types::EventSubTransportMethod as Method;
        let b = helix_types::EventSubTransportRequest::builder();
        match self {
            Transport::Webhook { callback, secret } => b.method(Method::Webhook).callback(callback).secret(secret),
            Transport::WebSocket { session_id } => b.method(Method::Websocket).session_id(session_id),
            Transport::Conduit { conduit_id } => b.method(Method::Conduit).conduit_id(conduit_id),
        }
    }
}

const OPERATION: &str = "create_eventsub_subscription";

impl Subscription {
    /// A subscription of type `T` with its condition.
    ///
    /// ```
    /// use streamkit_twitch::eventsub::{types::ChannelRaidV1, RaidCondition, Subscription};
    /// let raids = Subscription::of::<ChannelRaidV1>(RaidCondition::To("1234".into()));
    /// assert_eq!(raids.condition()["to_broadcaster_user_id"], "1234");
    /// ```
    pub fn of<T: SubscriptionType>(condition: T::Condition) -> Subscription {
        // A condition that does not serialize to an object leaves the map empty; `body` then
        // refuses it, naming the type.
        let condition = match serde_json::to_value(&condition) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        Subscription { type_: T::TYPE.to_owned(), version: T::VERSION.to_owned(), condition }
    }

    /// The escape hatch: any type, version and condition, unchecked (Twitch answers 400 for a
    /// wrong combination).
    pub fn other(
        type_: impl Into<String>,
        version: impl Into<String>,
        condition: impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>,
    ) -> Subscription {
        let condition = condition.into_iter().map(|(k, v)| (k.into(), Value::String(v.into()))).collect();
        Subscription { type_: type_.into(), version: version.into(), condition }
    }

    /// The subscription type, e.g. `channel.follow`.
    pub fn type_(&self) -> &str {
        &self.type_
    }

    /// The version, e.g. `"2"`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The condition as it is sent.
    pub fn condition(&self) -> &Map<String, Value> {
        &self.condition
    }

    /// The body of Create EventSub Subscription for this subscription delivered by `transport`.
    ///
    /// Fails with [`Error::InvalidRequest`] when the condition is empty or not all strings.
    pub fn body(&self, transport: Transport) -> Result<helix_types::CreateEventsubSubscriptionBody, Error> {
        let invalid = |message: String| Error::InvalidRequest { operation: Some(OPERATION), message };
        if self.condition.is_empty() {
            return Err(invalid(format!("the condition of `{}` v{} is empty", self.type_, self.version)));
        }
        let condition: helix_types::EventSubCondition =
            serde_json::from_value(Value::Object(self.condition.clone()))
                .map_err(|e| invalid(format!("the condition of `{}` is not an object of strings: {e}", self.type_)))?;
        helix_types::CreateEventsubSubscriptionBody::builder()
            .type_(self.type_.clone())
            .version(self.version.clone())
            .condition(condition)
            .transport(transport.request())
            .try_into()
            .map_err(|e: helix_types::error::ConversionError| invalid(format!("body: {e}")))
    }
}

macro_rules! constructors {
    ($($(#[$doc:meta])* $fn:ident($($arg:ident),*) => $ty:ident { $cond:expr };)*) => {
        impl Subscription {
            $(
                $(#[$doc])*
                pub fn $fn($($arg: impl Into<String>),*) -> Subscription {
                    Subscription::of::<types::$ty>($cond)
                }
            )*
        }
    };
}

constructors! {
    /// `stream.online` v1 for `broadcaster_user_id`.
    stream_online_v1(broadcaster_user_id) => StreamOnlineV1 { BroadcasterCondition { broadcaster_user_id: broadcaster_user_id.into() } };
    /// `stream.offline` v1 for `broadcaster_user_id`.
    stream_offline_v1(broadcaster_user_id) => StreamOfflineV1 { BroadcasterCondition { broadcaster_user_id: broadcaster_user_id.into() } };
    /// `channel.update` v2 for `broadcaster_user_id`.
    channel_update_v2(broadcaster_user_id) => ChannelUpdateV2 { BroadcasterCondition { broadcaster_user_id: broadcaster_user_id.into() } };
    /// `channel.follow` v2: follows of `broadcaster_user_id`, authorized by `moderator_user_id`
    /// (the broadcaster or a moderator).
    channel_follow_v2(broadcaster_user_id, moderator_user_id) => ChannelFollowV2 {
        BroadcasterModeratorCondition { broadcaster_user_id: broadcaster_user_id.into(), moderator_user_id: moderator_user_id.into() }
    };
    /// `channel.subscribe` v1 for `broadcaster_user_id`.
    channel_subscribe_v1(broadcaster_user_id) => ChannelSubscribeV1 { BroadcasterCondition { broadcaster_user_id: broadcaster_user_id.into() } };
    /// `channel.subscription.gift` v1 for `broadcaster_user_id`.
    channel_subscription_gift_v1(broadcaster_user_id) => ChannelSubscriptionGiftV1 { BroadcasterCondition { broadcaster_user_id: broadcaster_user_id.into() } };
    /// `channel.subscription.message` v1 for `broadcaster_user_id`.
    channel_subscription_message_v1(broadcaster_user_id) => ChannelSubscriptionMessageV1 { BroadcasterCondition { broadcaster_user_id: broadcaster_user_id.into() } };
    /// `channel.cheer` v1 for `broadcaster_user_id`.
    channel_cheer_v1(broadcaster_user_id) => ChannelCheerV1 { BroadcasterCondition { broadcaster_user_id: broadcaster_user_id.into() } };
    /// `channel.raid` v1: raids of `to_broadcaster_user_id`'s channel (for raids a broadcaster
    /// starts, `Subscription::of::<types::ChannelRaidV1>(RaidCondition::From(..))`).
    channel_raid_to_v1(to_broadcaster_user_id) => ChannelRaidV1 { RaidCondition::To(to_broadcaster_user_id.into()) };
    /// `channel.raid` v1: raids `from_broadcaster_user_id` starts.
    channel_raid_from_v1(from_broadcaster_user_id) => ChannelRaidV1 { RaidCondition::From(from_broadcaster_user_id.into()) };
    /// `channel.ban` v1 for `broadcaster_user_id`.
    channel_ban_v1(broadcaster_user_id) => ChannelBanV1 { BroadcasterCondition { broadcaster_user_id: broadcaster_user_id.into() } };
    /// `channel.unban` v1 for `broadcaster_user_id`.
    channel_unban_v1(broadcaster_user_id) => ChannelUnbanV1 { BroadcasterCondition { broadcaster_user_id: broadcaster_user_id.into() } };
    /// `channel.moderator.add` v1 for `broadcaster_user_id`.
    channel_moderator_add_v1(broadcaster_user_id) => ChannelModeratorAddV1 { BroadcasterCondition { broadcaster_user_id: broadcaster_user_id.into() } };
    /// `channel.moderator.remove` v1 for `broadcaster_user_id`.
    channel_moderator_remove_v1(broadcaster_user_id) => ChannelModeratorRemoveV1 { BroadcasterCondition { broadcaster_user_id: broadcaster_user_id.into() } };
    /// `channel.channel_points_custom_reward_redemption.add` v1, every reward of
    /// `broadcaster_user_id` (one reward: `Subscription::of` with a `reward_id`).
    channel_points_redemption_add_v1(broadcaster_user_id) => ChannelPointsRedemptionAddV1 {
        RewardRedemptionCondition { broadcaster_user_id: broadcaster_user_id.into(), reward_id: None }
    };
    /// `channel.poll.begin` v1 for `broadcaster_user_id`.
    channel_poll_begin_v1(broadcaster_user_id) => ChannelPollBeginV1 { BroadcasterCondition { broadcaster_user_id: broadcaster_user_id.into() } };
    /// `channel.poll.progress` v1 for `broadcaster_user_id`.
    channel_poll_progress_v1(broadcaster_user_id) => ChannelPollProgressV1 { BroadcasterCondition { broadcaster_user_id: broadcaster_user_id.into() } };
    /// `channel.poll.end` v1 for `broadcaster_user_id`.
    channel_poll_end_v1(broadcaster_user_id) => ChannelPollEndV1 { BroadcasterCondition { broadcaster_user_id: broadcaster_user_id.into() } };
    /// `channel.prediction.begin` v1 for `broadcaster_user_id`.
    channel_prediction_begin_v1(broadcaster_user_id) => ChannelPredictionBeginV1 { BroadcasterCondition { broadcaster_user_id: broadcaster_user_id.into() } };
    /// `channel.prediction.progress` v1 for `broadcaster_user_id`.
    channel_prediction_progress_v1(broadcaster_user_id) => ChannelPredictionProgressV1 { BroadcasterCondition { broadcaster_user_id: broadcaster_user_id.into() } };
    /// `channel.prediction.lock` v1 for `broadcaster_user_id`.
    channel_prediction_lock_v1(broadcaster_user_id) => ChannelPredictionLockV1 { BroadcasterCondition { broadcaster_user_id: broadcaster_user_id.into() } };
    /// `channel.prediction.end` v1 for `broadcaster_user_id`.
    channel_prediction_end_v1(broadcaster_user_id) => ChannelPredictionEndV1 { BroadcasterCondition { broadcaster_user_id: broadcaster_user_id.into() } };
    /// `channel.hype_train.begin` v2 for `broadcaster_user_id`.
    channel_hype_train_begin_v2(broadcaster_user_id) => ChannelHypeTrainBeginV2 { BroadcasterCondition { broadcaster_user_id: broadcaster_user_id.into() } };
    /// `channel.hype_train.progress` v2 for `broadcaster_user_id`.
    channel_hype_train_progress_v2(broadcaster_user_id) => ChannelHypeTrainProgressV2 { BroadcasterCondition { broadcaster_user_id: broadcaster_user_id.into() } };
    /// `channel.hype_train.end` v2 for `broadcaster_user_id`.
    channel_hype_train_end_v2(broadcaster_user_id) => ChannelHypeTrainEndV2 { BroadcasterCondition { broadcaster_user_id: broadcaster_user_id.into() } };
    /// `channel.chat.message` v1: messages in `broadcaster_user_id`'s chat, read as `user_id`.
    channel_chat_message_v1(broadcaster_user_id, user_id) => ChannelChatMessageV1 {
        ChatUserCondition { broadcaster_user_id: broadcaster_user_id.into(), user_id: user_id.into() }
    };
    /// `channel.chat.notification` v1: notices in `broadcaster_user_id`'s chat, read as `user_id`.
    channel_chat_notification_v1(broadcaster_user_id, user_id) => ChannelChatNotificationV1 {
        ChatUserCondition { broadcaster_user_id: broadcaster_user_id.into(), user_id: user_id.into() }
    };
    /// `user.update` v1 for `user_id`.
    user_update_v1(user_id) => UserUpdateV1 { UserCondition { user_id: user_id.into() } };
    /// `user.authorization.revoke` v1 for your app's `client_id`.
    user_authorization_revoke_v1(client_id) => UserAuthorizationRevokeV1 { ClientCondition { client_id: client_id.into() } };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_constructor_carries_its_type_version_and_condition_keys() {
        let follow = Subscription::channel_follow_v2("1", "2");
        assert_eq!((follow.type_(), follow.version()), ("channel.follow", "2"));
        assert_eq!(follow.condition().keys().collect::<Vec<_>>(), ["broadcaster_user_id", "moderator_user_id"]);
        let chat = Subscription::channel_chat_message_v1("1", "9");
        assert_eq!(chat.condition()["user_id"], "9");
        let raid = Subscription::channel_raid_from_v1("7");
        assert_eq!(raid.condition().keys().collect::<Vec<_>>(), ["from_broadcaster_user_id"]);
        let revoke = Subscription::user_authorization_revoke_v1("cid");
        assert_eq!(
            (revoke.type_(), revoke.condition()["client_id"].as_str()),
            ("user.authorization.revoke", Some("cid"))
        );
        assert!(types::ALL.contains(&("channel.update", "2")));
        assert_eq!(types::ALL.len(), 28);
    }

    #[test]
    fn body_serializes_as_create_eventsub_subscription_wants() {
        let body = Subscription::stream_online_v1("1234").body(Transport::websocket("sess")).unwrap();
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "type": "stream.online", "version": "1",
                "condition": {"broadcaster_user_id": "1234"},
                "transport": {"method": "websocket", "session_id": "sess"},
            })
        );
        let hook =
            Subscription::user_update_v1("1").body(Transport::webhook("https://x.example/cb", "0123456789")).unwrap();
        // The secret goes on the wire, and nowhere else.
        assert_eq!(serde_json::to_value(&hook).unwrap()["transport"]["secret"], "0123456789");
        assert!(!format!("{hook:?}").contains("0123456789"));
    }

    #[test]
    fn a_bad_custom_condition_is_refused_naming_the_type() {
        struct Odd;
        impl SubscriptionType for Odd {
            const TYPE: &'static str = "odd.type";
            const VERSION: &'static str = "1";
            type Condition = Vec<u8>;
        }
        let err = Subscription::of::<Odd>(vec![1]).body(Transport::websocket("s")).unwrap_err();
        assert!(err.to_string().contains("`odd.type` v1 is empty"), "{err}");
        let other = Subscription::other("x.y", "1", [("a", "b")]);
        assert_eq!(other.body(Transport::conduit("c")).unwrap().condition.extra["a"], "b");
    }
}
