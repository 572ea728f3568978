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

/// Channel `hoster` (an index) stopped hosting `previous` and/or started hosting `hostee`:
/// `channel:{id}:unhosted` `{hosterId, hoster}` to the one left, `channel:{id}:hosted`
/// `{hosterId, hoster, auto}` to the one hosted now.
pub(crate) fn hosting(
    state: &MixerState,
    d: &Data,
    hoster: usize,
    previous: Option<usize>,
    hostee: Option<usize>,
    auto: bool,
) {
    let hoster_id = seed::FIRST_CHANNEL_ID + hoster as i64;
    let channel = &d.channels[hoster];
    if let Some(p) = previous.filter(|p| Some(*p) != hostee) {
        let name = format!("channel:{}:unhosted", seed::FIRST_CHANNEL_ID + p as i64);
        state.live.emit(&name, &json!({"hosterId": hoster_id, "hoster": channel}));
    }
    if let Some(h) = hostee.filter(|h| Some(*h) != previous) {
        let name = format!("channel:{}:hosted", seed::FIRST_CHANNEL_ID + h as i64);
        state.live.emit(&name, &json!({"hosterId": hoster_id, "hoster": channel, "auto": auto}));
    }
}
