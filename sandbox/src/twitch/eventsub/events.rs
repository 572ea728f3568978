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
