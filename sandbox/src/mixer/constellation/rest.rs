//! The live events REST writes cause, called by the REST handlers with the data they
//! changed (reference C.4 payloads).

use crate::mixer::seed;
use crate::mixer::state::{Data, MixerState};
use serde_json::{Map, Value, json};

/// User `user` followed (`following`) or unfollowed channel `channel` (indexes):
/// `channel:{id}:followed` with the user (and their channel), `user:{id}:followed` with the
/// channel, and the channel's new `numFollowers` as a partial `channel:{id}:update`.
pub(crate) fn followed(state: &MixerState, d: &Data, channel: usize, user: usize, following: bool) {
    let channel_id = seed::FIRST_CHANNEL_ID + channel as i64;
    let user_id = seed::FIRST_USER_ID + user as i64;
    let mut follower = seed::user(user);
    follower["channel"] = d.channels[user].clone();
    state.live.emit(&format!("channel:{channel_id}:followed"), &json!({"following": following, "user": follower}));
    state
        .live
        .emit(&format!("user:{user_id}:followed"), &json!({"following": following, "channel": d.channels[channel]}));
    let update = json!({"numFollowers": d.channels[channel]["numFollowers"]});
    state.live.emit(&format!("channel:{channel_id}:update"), &update);
}

/// Channel `channel` (an index) changed `fields`: a partial `channel:{id}:update`.
pub(crate) fn channel_updated(state: &MixerState, channel: usize, fields: &Map<String, Value>) {
    if fields.is_empty() {
        return;
    }
    let channel_id = seed::FIRST_CHANNEL_ID + channel as i64;
    state.live.emit(&format!("channel:{channel_id}:update"), &Value::Object(fields.clone()));
}
