//! Events that REST writes produce, shaped as Twitch's EventSub reference documents them.

use serde_json::{Value, json};

use crate::twitch::seed::Channel;
use crate::twitch::state::TwitchState;

/// `channel.update` v2 for user `i` after a Modify Channel Information: title, language,
/// category and content classification labels (ids).
pub(crate) fn channel_update_v2(st: &TwitchState, i: usize, ch: &Channel) -> Value {
    let u = &st.seed.users[i];
    let (category_id, category_name) = match ch.game {
        Some(g) => (st.seed.games[g].id.as_str(), st.seed.games[g].name.as_str()),
        None => ("", ""),
    };
    json!({
        "broadcaster_user_id": u.id,
        "broadcaster_user_login": u.login,
        "broadcaster_user_name": u.display_name,
        "title": ch.title,
        "language": ch.language,
        "category_id": category_id,
        "category_name": category_name,
        "content_classification_labels": ch.labels,
    })
}

/// `channel.chat.message` v1 after a Send Chat Message by user `chatter` in user
/// `broadcaster`'s chat: one text fragment, no badges, no reply or cheer.
pub(crate) fn channel_chat_message_v1(
    st: &TwitchState,
    broadcaster: usize,
    chatter: usize,
    message_id: &str,
    text: &str,
) -> Value {
    let (b, c) = (&st.seed.users[broadcaster], &st.seed.users[chatter]);
    json!({
        "broadcaster_user_id": b.id,
        "broadcaster_user_login": b.login,
        "broadcaster_user_name": b.display_name,
        "chatter_user_id": c.id,
        "chatter_user_login": c.login,
        "chatter_user_name": c.display_name,
        "message_id": message_id,
        "message": {
            "text": text,
            "fragments": [{"type": "text", "text": text, "cheermote": null, "emote": null, "mention": null}],
        },
        "color": "",
        "badges": [],
        "message_type": "text",
        "cheer": null,
        "reply": null,
        "channel_points_custom_reward_id": null,
        "source_broadcaster_user_id": null,
        "source_broadcaster_user_login": null,
        "source_broadcaster_user_name": null,
        "source_message_id": null,
        "source_badges": null,
    })
}
