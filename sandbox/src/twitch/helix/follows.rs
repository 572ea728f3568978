//! Get Channel Followers — `GET /helix/channels/followers`, and
//! Get Followed Channels — `GET /helix/channels/followed`.

use super::HelixResult;
use super::params::Params;
use crate::twitch::auth::Auth;
use crate::twitch::errors::HelixError;
use crate::twitch::pagination;
use crate::twitch::seed::fmt_time;
use crate::twitch::state::TwitchState;
use axum::extract::{RawQuery, State};
use axum::response::IntoResponse;
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::sync::Arc;

/// A broadcaster's followers, newest first. Needs a user token; the list itself is only
/// returned with `moderator:read:followers` for the broadcaster or one of its moderators —
/// otherwise only `total` (with empty `data`).
pub(crate) async fn channel_followers(
    State(st): State<Arc<TwitchState>>,
    Extension(auth): Extension<Auth>,
    RawQuery(query): RawQuery,
) -> HelixResult {
    let caller = auth.user()?;
    let p = Params::parse(query.as_deref())?;
    let broadcaster = p.required("broadcaster_id")?;
    let page = p.page(20, 100, false)?;
    let b =
        st.user_index(broadcaster).ok_or_else(|| HelixError::bad_request("The ID in broadcaster_id is not valid"))?;
    let empty = Vec::new();
    let list: &Vec<(usize, DateTime<Utc>)> = st.seed.followers.get(&b).unwrap_or(&empty);
    let total = list.len();
    let allowed = auth.has_scope("moderator:read:followers")
        && st.user_index(caller).is_some_and(|c| st.seed.is_broadcaster_or_mod(b, c));
    if !allowed {
        return Ok(Json(json!({ "data": [], "pagination": {}, "total": total })).into_response());
    }
    let item = |(f, at): &(usize, DateTime<Utc>)| {
        let u = &st.seed.users[*f];
        json!({
            "followed_at": fmt_time(*at),
            "user_id": u.id,
            "user_login": u.login,
            "user_name": u.display_name,
        })
    };
    Ok(follow_page(&st, list, p.one("user_id"), &page, item))
}

/// One page of a follow list (`total` is the whole list's length), or, when `only` names a
/// user, just that entry with an empty pagination object.
fn follow_page(
    st: &TwitchState,
    list: &[(usize, DateTime<Utc>)],
    only: Option<&str>,
    page: &pagination::PageRequest,
    item: impl Fn(&(usize, DateTime<Utc>)) -> Value,
) -> axum::response::Response {
    let total = list.len();
    if let Some(id) = only {
        let data: Vec<Value> = list.iter().filter(|(u, _)| st.seed.users[*u].id == id).map(item).collect();
        return Json(json!({ "data": data, "pagination": {}, "total": total })).into_response();
    }
    let slice = pagination::slice(total, page);
    let data: Vec<Value> = list[slice.range.clone()].iter().map(item).collect();
    Json(json!({ "data": data, "pagination": slice.object(), "total": total })).into_response()
}

/// The channels the token's user follows, newest first. Needs `user:read:follows` and
/// `user_id` equal to the token's user.
pub(crate) async fn followed_channels(
    State(st): State<Arc<TwitchState>>,
    Extension(auth): Extension<Auth>,
    RawQuery(query): RawQuery,
) -> HelixResult {
    let caller = auth.user_with_scope("user:read:follows")?;
    let p = Params::parse(query.as_deref())?;
    let user_id = p.required("user_id")?;
    let page = p.page(20, 100, false)?;
    if user_id != caller {
        return Err(HelixError::unauthorized("The ID in user_id must match the user ID in the access token"));
    }
    let empty = Vec::new();
    let list = st.user_index(user_id).and_then(|u| st.seed.followed.get(&u)).unwrap_or(&empty);
    let item = |(b, at): &(usize, DateTime<Utc>)| {
        let u = &st.seed.users[*b];
        json!({
            "broadcaster_id": u.id,
            "broadcaster_login": u.login,
            "broadcaster_name": u.display_name,
            "followed_at": fmt_time(*at),
        })
    };
    Ok(follow_page(&st, list, p.one("broadcaster_id"), &page, item))
}
