//! The chat events REST writes cause, called by the REST handlers (reference B.4).

use super::{Audience, ChatServer};
use crate::core::lock;
use crate::mixer::seed;
use crate::mixer::state::MixerState;
use serde_json::json;

/// User `user`'s roles in channel `channel` (indexes) changed to `roles`: their sessions
/// there take the new roles, the channel gets `UserUpdate`; a ban also purges their
/// messages (`PurgeMessage` without a moderator, cause `ban`, as documented).
pub(crate) fn roles_changed(state: &MixerState, channel: usize, user: usize, roles: Vec<String>, banned_now: bool) {
    let chat: &ChatServer = &state.chat;
    let user_id = seed::FIRST_USER_ID + user as i64;
    {
        let mut d = lock(&chat.data);
        for m in d.members.values_mut().filter(|m| m.channel == Some(channel) && m.user == Some(user)) {
            m.roles = roles.clone();
        }
        if banned_now && let Some(h) = d.history.get_mut(&channel) {
            h.retain(|m| m["user_id"].as_i64() != Some(user_id));
        }
    }
    let update = json!({"user": user_id, "roles": roles, "username": seed::username(user)});
    chat.publish(Audience::Channel { channel, except: None }, "UserUpdate", &update);
    if banned_now {
        let purge = json!({"user_id": user_id, "cause": {"type": "ban"}});
        chat.publish(Audience::Channel { channel, except: None }, "PurgeMessage", &purge);
    }
}
