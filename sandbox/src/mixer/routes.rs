//! The handlers, one per operation of `specs/mixer/core.yaml` (paths without the prefix).
// Handlers answer early with the error `Response` itself (axum's idiom): boxing it would
// only add noise.
#![allow(clippy::result_large_err)]

use super::error;
use super::query::{self, Query};
use super::seed;
use super::state::{Approval, Caller, MixerState};
use crate::core::lock;
use axum::extract::{Path, Query as Q, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::{Value, json};
use std::sync::Arc;

type St = State<Arc<MixerState>>;
type Me = Option<Extension<Caller>>;

pub(crate) fn router() -> Router<Arc<MixerState>> {
    Router::new()
        .route("/v1/users/current", get(current_user))
        .route("/v1/users/search", get(search_users))
        .route("/v1/users/{user}", get(get_user))
        .route("/v1/users/{user}/avatar", get(avatar))
        .route("/v1/users/{user}/follows", get(user_follows))
        .route("/v1/channels", get(list_channels))
        .route("/v1/channels/{channel}", get(get_channel).patch(update_channel))
        .route("/v1/channels/{channel}/details", get(channel_details))
        .route("/v1/channels/{channel}/follow", get(followers).put(follow).delete(unfollow))
        .route("/v1/channels/{channel}/relationship", get(relationship))
        .route("/v1/channels/{channel}/hostee", get(get_hostee).put(set_hostee).delete(stop_hosting))
        .route("/v1/channels/{channel}/hosters", get(hosters))
        .route("/v1/channels/{channel}/preferences", get(get_prefs).post(set_prefs))
        .route("/v1/channels/{channel}/users", get(channel_users))
        .route("/v1/channels/{channel}/users/{who}", get(channel_users_by_role).patch(change_roles))
        .route("/v1/channels/{channel}/broadcast", get(channel_broadcast))
        .route("/v1/broadcasts/current", get(current_broadcast))
        .route("/v1/broadcasts/{id}", get(broadcast))
        .route("/v1/chats/{channel}", get(chat_authenticated))
        .route("/v2/chats/{channel}", get(chat_anonymous))
        .route("/v2/chats/{channel}/users", get(chat_users))
        .route("/v2/chats/{channel}/users/{user}", get(chat_user))
        .route("/v1/types", get(list_types))
        .route("/v1/types/{id}/channels", get(type_channels))
        .route("/v1/teams", get(list_teams))
        .route("/v1/teams/{id}", get(get_team))
        .route("/v1/teams/{id}/users", get(team_users))
        .route("/v1/oauth/token", post(super::routes_oauth::token))
        .route("/v1/oauth/shortcode", post(super::routes_oauth::create_shortcode))
        .route("/v1/oauth/shortcode/check/{handle}", get(super::routes_oauth::check_shortcode))
}

fn bad(message: impl AsRef<str>) -> Response {
    error(StatusCode::BAD_REQUEST, message.as_ref())
}

fn not_found(what: &str) -> Response {
    error(StatusCode::NOT_FOUND, &format!("{what} not found."))
}

fn user_ix(raw: &str) -> Result<usize, Response> {
    let id: i64 = raw.parse().map_err(|_| bad(format!("user id `{raw}` is not an integer")))?;
    seed::user_index(id).ok_or_else(|| not_found("User"))
}

fn channel_ix(raw: &str) -> Result<usize, Response> {
    let id: i64 = raw.parse().map_err(|_| bad(format!("channel id `{raw}` is not an integer")))?;
    seed::owner_index(id).ok_or_else(|| not_found("Channel"))
}

/// A channel id or token (the owner's username).
fn channel_id_or_token(raw: &str) -> Result<usize, Response> {
    if raw.chars().all(|c| c.is_ascii_digit()) {
        return channel_ix(raw);
    }
    (0..seed::USERS).find(|&i| seed::username(i).eq_ignore_ascii_case(raw)).ok_or_else(|| not_found("Channel"))
}

fn need(me: &Me, scope: Option<&str>) -> Result<Caller, Response> {
    let Some(Extension(c)) = me else {
        return Err(error(StatusCode::UNAUTHORIZED, "This endpoint needs an access token."));
    };
    match scope {
        Some(s) if !c.has(s) => Err(error(StatusCode::FORBIDDEN, &format!("The token lacks the `{s}` scope."))),
        _ => Ok(c.clone()),
    }
}

fn owner(me: &Me, channel: usize, scope: &str) -> Result<Caller, Response> {
    let c = need(me, Some(scope))?;
    if c.user == channel { Ok(c) } else { Err(error(StatusCode::FORBIDDEN, "Only the channel's owner may do this.")) }
}

/// A v1 list: filter, sort, page, trim.
fn v1_list(state: &MixerState, path: &str, items: Vec<Value>, q: &Query) -> Response {
    let run = || -> Result<(HeaderMap, Vec<Value>), String> {
        query::check_fields(&items, q)?;
        let mut items = query::filter(items, q)?;
        query::sort(&mut items, q)?;
        let mut headers = HeaderMap::new();
        let page = query::page(items, q, &format!("{}{path}", state.api_url()), &mut headers)?;
        Ok((headers, page.into_iter().map(|i| query::trim(i, q)).collect()))
    };
    match run() {
        Ok((headers, items)) => (headers, Json(Value::Array(items))).into_response(),
        Err(m) => bad(m),
    }
}

fn one(value: Value, q: &Query) -> Response {
    if let Err(m) = query::check_fields(std::slice::from_ref(&value), q) {
        return bad(m);
    }
    Json(query::trim(value, q)).into_response()
}

macro_rules! tryr {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(r) => return r,
        }
    };
}

async fn current_user(State(s): St, me: Me) -> Response {
    let c = tryr!(need(&me, None));
    let d = lock(&s.data);
    let mut u = d.user_with_channel(c.user);
    u["preferences"] = json!({"chat:sounds:play": true});
    if c.has("user:details:self") {
        u["email"] = json!(format!("{}@example.com", seed::username(c.user)));
    }
    Json(u).into_response()
}

async fn search_users(State(s): St, Q(q): Q<Query>) -> Response {
    let Some(text) = q.get("query").filter(|t| t.chars().count() >= 3) else {
        return bad("`query` needs at least 3 characters");
    };
    let d = lock(&s.data);
    let items = (0..seed::USERS)
        .filter(|&i| seed::username(i).contains(text.as_str()))
        .map(|i| d.user_with_channel(i))
        .collect();
    v1_list(&s, "/v1/users/search", items, &q)
}

async fn get_user(State(s): St, Path(user): Path<String>) -> Response {
    let u = tryr!(user_ix(&user));
    Json(lock(&s.data).user_with_channel(u)).into_response()
}

async fn avatar(Path(user): Path<String>) -> Response {
    // The spec documents only 200 and 404 here: an id that is no integer names no user.
    if user.parse::<i64>().ok().and_then(seed::user_index).is_none() {
        return not_found("User");
    }
    // The smallest valid PNG signature-plus-header is enough for a fake.
    ([(axum::http::header::CONTENT_TYPE, "image/png")], b"\x89PNG\r\n\x1a\n".to_vec()).into_response()
}

async fn user_follows(State(s): St, Path(user): Path<String>, Q(q): Q<Query>) -> Response {
    let u = tryr!(user_ix(&user));
    let d = lock(&s.data);
    let items = d.follows.iter().filter(|(_, f)| *f == u).map(|(c, _)| d.channel_advanced(*c)).collect();
    v1_list(&s, &format!("/v1/users/{user}/follows"), items, &q)
}

async fn list_channels(State(s): St, Q(q): Q<Query>) -> Response {
    let d = lock(&s.data);
    let mut items: Vec<Value> = (0..seed::USERS).map(|c| d.channel_expanded(c)).collect();
    // `scope` is an enum whether or not `q` is given.
    let key = match q.get("scope").map(String::as_str) {
        None | Some("names") => "token",
        Some("titles") => "name",
        Some("types") => "typeId",
        Some(other) => return bad(format!("`scope` `{other}` is not names, titles or types")),
    };
    if let Some(text) = q.get("q").filter(|t| !t.is_empty()) {
        let text = text.to_lowercase();
        items.retain(|c| match key {
            "typeId" => c["type"]["name"].as_str().is_some_and(|n| n.to_lowercase().contains(&text)),
            k => c[k].as_str().is_some_and(|n| n.to_lowercase().contains(&text)),
        });
    }
    v1_list(&s, "/v1/channels", items, &q)
}

async fn get_channel(State(s): St, Path(channel): Path<String>, Q(q): Q<Query>) -> Response {
    let c = tryr!(channel_id_or_token(&channel));
    one(lock(&s.data).channel_expanded(c), &q)
}

async fn channel_details(State(s): St, me: Me, Path(channel): Path<String>) -> Response {
    let c = tryr!(channel_id_or_token(&channel));
    tryr!(owner(&me, c, "channel:details:self"));
    let mut ch = lock(&s.data).channel_expanded(c);
    ch["streamKey"] = json!(format!("{}-sandboxstreamkey", seed::FIRST_CHANNEL_ID + c as i64));
    ch["numSubscribers"] = json!(3);
    ch["maxConcurrentSubscribers"] = json!(5);
    ch["totalUniqueSubscribers"] = json!(9);
    Json(ch).into_response()
}

const UPDATABLE: [&str; 9] = [
    "name",
    "audience",
    "description",
    "typeId",
    "interactive",
    "interactiveGameId",
    "vodsEnabled",
    "transcodingProfileId",
    "languageId",
];

async fn update_channel(State(s): St, me: Me, Path(channel): Path<String>, Json(body): Json<Value>) -> Response {
    let c = tryr!(channel_ix(&channel));
    tryr!(owner(&me, c, "channel:update:self"));
    let Some(fields) = body.as_object() else { return bad("the body must be an object") };
    if let Some(k) = super::specs::mistyped_property("ChannelUpdate", fields) {
        return bad(format!("`{k}` has the wrong type"));
    }
    if let Some(a) = fields.get("audience").and_then(Value::as_str).filter(|a| !["family", "teen", "18+"].contains(a)) {
        return bad(format!("`audience` `{a}` is not family, teen or 18+"));
    }
    let mut d = lock(&s.data);
    // Only the updatable fields change; the spec's `ChannelUpdate` allows other properties,
    // which are ignored.
    for (k, v) in fields.iter().filter(|(k, _)| UPDATABLE.contains(&k.as_str())) {
        d.channels[c][k] = v.clone();
    }
    super::constellation::rest::channel_updated(&s, c, fields);
    Json(d.channels[c].clone()).into_response()
}

async fn followers(State(s): St, Path(channel): Path<String>, Q(q): Q<Query>) -> Response {
    let c = tryr!(channel_ix(&channel));
    let d = lock(&s.data);
    let items = d
        .follows
        .iter()
        .filter(|(fc, _)| *fc == c)
        .map(|(_, u)| {
            let mut f = seed::user(*u);
            f["channel"] = d.channels[*u].clone();
            f["followed"] = json!({"createdAt": "2019-05-01T12:00:00.000Z", "updatedAt": "2019-05-01T12:00:00.000Z"});
            f
        })
        .collect();
    v1_list(&s, &format!("/v1/channels/{channel}/follow"), items, &q)
}

fn follow_target(me: &Me, channel: &str, body: &Value) -> Result<(usize, usize), Response> {
    let c = channel_ix(channel)?;
    let caller = need(me, Some("channel:follow:self"))?;
    let user = body.get("user").and_then(Value::as_i64).ok_or_else(|| bad("the body needs `user`, an integer"))?;
    let u = seed::user_index(user).ok_or_else(|| not_found("User"))?;
    if u != caller.user {
        return Err(error(StatusCode::FORBIDDEN, "A token may follow only as its own user."));
    }
    Ok((c, u))
}

async fn follow(State(s): St, me: Me, Path(channel): Path<String>, Json(body): Json<Value>) -> Response {
    let (c, u) = tryr!(follow_target(&me, &channel, &body));
    let mut d = lock(&s.data);
    if d.follows.insert((c, u)) {
        let n = d.channels[c]["numFollowers"].as_i64().unwrap_or(0);
        d.channels[c]["numFollowers"] = json!(n + 1);
        super::constellation::rest::followed(&s, &d, c, u, true);
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn unfollow(State(s): St, me: Me, Path(channel): Path<String>, Json(body): Json<Value>) -> Response {
    let (c, u) = tryr!(follow_target(&me, &channel, &body));
    let mut d = lock(&s.data);
    if d.follows.remove(&(c, u)) {
        let n = d.channels[c]["numFollowers"].as_i64().unwrap_or(1);
        d.channels[c]["numFollowers"] = json!(n - 1);
        super::constellation::rest::followed(&s, &d, c, u, false);
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn relationship(State(s): St, Path(channel): Path<String>, Q(q): Q<Query>) -> Response {
    let c = tryr!(channel_ix(&channel));
    let Some(user) = q.get("user") else { return bad("`user` is required") };
    let u = tryr!(user_ix(user));
    let d = lock(&s.data);
    let follows = d
        .follows
        .contains(&(c, u))
        .then(|| json!({"createdAt": "2019-05-01T12:00:00.000Z", "updatedAt": "2019-05-01T12:00:00.000Z"}));
    Json(json!({"status": {"follows": follows, "roles": d.roles_of(c, u)}})).into_response()
}

async fn get_hostee(State(s): St, Path(channel): Path<String>) -> Response {
    let c = tryr!(channel_ix(&channel));
    let d = lock(&s.data);
    match d.channels[c]["hosteeId"].as_i64().and_then(seed::owner_index) {
        Some(h) => Json(d.channel_advanced(h)).into_response(),
        None => not_found("Hostee"),
    }
}

async fn set_hostee(State(s): St, me: Me, Path(channel): Path<String>, Json(body): Json<Value>) -> Response {
    let c = tryr!(channel_ix(&channel));
    tryr!(owner(&me, c, "channel:update:self"));
    let Some(id) = body.get("id").and_then(Value::as_i64) else { return bad("the body needs `id`, an integer") };
    match seed::owner_index(id) {
        None => return not_found("Channel"),
        Some(h) if h == c => return bad("a channel cannot host itself"),
        Some(_) => {}
    }
    let mut d = lock(&s.data);
    let previous = d.channels[c]["hosteeId"].as_i64().and_then(seed::owner_index);
    d.channels[c]["hosteeId"] = json!(id);
    let auto = body.get("auto").and_then(Value::as_bool).unwrap_or(false);
    super::constellation::rest::hosting(&s, &d, c, previous, seed::owner_index(id), auto);
    Json(d.channels[c].clone()).into_response()
}

async fn stop_hosting(State(s): St, me: Me, Path(channel): Path<String>) -> Response {
    let c = tryr!(channel_ix(&channel));
    tryr!(owner(&me, c, "channel:update:self"));
    let mut d = lock(&s.data);
    let previous = d.channels[c]["hosteeId"].as_i64().and_then(seed::owner_index);
    d.channels[c]["hosteeId"] = Value::Null;
    super::constellation::rest::hosting(&s, &d, c, previous, None, false);
    StatusCode::NO_CONTENT.into_response()
}

async fn hosters(State(s): St, Path(channel): Path<String>, Q(q): Q<Query>) -> Response {
    let c = tryr!(channel_ix(&channel));
    let target = seed::FIRST_CHANNEL_ID + c as i64;
    let d = lock(&s.data);
    let items = (0..seed::USERS)
        .filter(|&h| d.channels[h]["hosteeId"].as_i64() == Some(target))
        .map(|h| d.channel_advanced(h))
        .collect();
    v1_list(&s, &format!("/v1/channels/{channel}/hosters"), items, &q)
}

async fn get_prefs(State(s): St, Path(channel): Path<String>) -> Response {
    let c = tryr!(channel_ix(&channel));
    Json(lock(&s.data).preferences[c].clone()).into_response()
}

async fn set_prefs(State(s): St, me: Me, Path(channel): Path<String>, Json(body): Json<Value>) -> Response {
    let c = tryr!(channel_ix(&channel));
    tryr!(owner(&me, c, "channel:update:self"));
    let Some(fields) = body.as_object() else { return bad("the body must be an object") };
    if let Some(k) = super::specs::mistyped_property("ChannelPreferences", fields) {
        return bad(format!("`{k}` has the wrong type"));
    }
    // Keys `ChannelPreferences` does not declare are ignored (the request schema allows
    // them, the answer may not carry them).
    let known = super::specs::preference_keys();
    let mut d = lock(&s.data);
    for (k, v) in fields.iter().filter(|(k, _)| known.contains(k)) {
        d.preferences[c][k] = v.clone();
    }
    Json(d.preferences[c].clone()).into_response()
}

fn users_with_roles(d: &super::state::Data, c: usize, role: Option<&str>) -> Vec<Value> {
    d.roles
        .iter()
        .filter(|((rc, _), roles)| *rc == c && role.is_none_or(|r| roles.contains(r)))
        .map(|((_, u), _)| {
            let mut user = seed::user(*u);
            user["groups"] = Value::Array(
                d.roles_of(c, *u).iter().enumerate().map(|(i, r)| json!({"id": i + 1, "name": r})).collect(),
            );
            user
        })
        .collect()
}

async fn channel_users(State(s): St, Path(channel): Path<String>, Q(q): Q<Query>) -> Response {
    let c = tryr!(channel_ix(&channel));
    let items = users_with_roles(&lock(&s.data), c, None);
    v1_list(&s, &format!("/v1/channels/{channel}/users"), items, &q)
}

const ROLES: [&str; 12] = [
    "User",
    "Banned",
    "Pro",
    "VerifiedPartner",
    "Partner",
    "Subscriber",
    "ChannelEditor",
    "Mod",
    "GlobalMod",
    "Staff",
    "Founder",
    "Owner",
];

async fn channel_users_by_role(
    State(s): St,
    Path((channel, role)): Path<(String, String)>,
    Q(q): Q<Query>,
) -> Response {
    let c = tryr!(channel_ix(&channel));
    if !ROLES.contains(&role.as_str()) {
        return bad(format!("`{role}` is not a role"));
    }
    let items = users_with_roles(&lock(&s.data), c, Some(&role));
    v1_list(&s, &format!("/v1/channels/{channel}/users/{role}"), items, &q)
}

async fn change_roles(
    State(s): St,
    me: Me,
    Path((channel, user)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> Response {
    let c = tryr!(channel_ix(&channel));
    let u = tryr!(user_ix(&user));
    let caller = tryr!(need(&me, Some("chat:change_role")));
    let mut d = lock(&s.data);
    let may = caller.user == c || d.roles_of(c, caller.user).iter().any(|r| r == "Mod");
    if !may {
        return error(StatusCode::FORBIDDEN, "Only the owner or a moderator may change roles.");
    }
    // `Owner` (who owns the channel) and `User` (everyone) are no grants: giving or taking
    // them changes nothing. A role the sandbox does not know is refused.
    let list = |k: &str| -> Result<Vec<String>, Response> {
        let items = body.get(k).and_then(Value::as_array).cloned().unwrap_or_default();
        items
            .iter()
            .map(|r| r.as_str().filter(|r| ROLES.contains(r)).ok_or_else(|| bad(format!("`{r}` is no role"))))
            .filter(|r| !matches!(r, Ok("Owner" | "User")))
            .map(|r| r.map(str::to_owned))
            .collect()
    };
    let (add, remove) = (tryr!(list("add")), tryr!(list("remove")));
    let was_banned = d.roles.get(&(c, u)).is_some_and(|r| r.contains("Banned"));
    let roles = d.roles.entry((c, u)).or_default();
    roles.extend(add);
    for r in remove {
        roles.remove(&r);
    }
    let banned = roles.contains("Banned");
    super::chat::rest::roles_changed(&s, c, u, d.roles_of(c, u), banned && !was_banned);
    StatusCode::NO_CONTENT.into_response()
}

fn broadcast_of(d: &super::state::Data, c: usize) -> Option<Value> {
    let ch = &d.channels[c];
    ch["online"].as_bool().filter(|o| *o).map(|_| {
        json!({
            "id": format!("00000000-0000-4000-8000-{:012}", seed::FIRST_CHANNEL_ID + c as i64),
            "channelId": seed::FIRST_CHANNEL_ID + c as i64,
            "online": true,
            "isTestStream": false,
            "startedAt": "2020-01-15T09:00:00.000Z",
        })
    })
}

async fn channel_broadcast(State(s): St, Path(channel): Path<String>) -> Response {
    let c = tryr!(channel_ix(&channel));
    broadcast_of(&lock(&s.data), c).map(|b| Json(b).into_response()).unwrap_or_else(|| not_found("Broadcast"))
}

async fn current_broadcast(State(s): St, me: Me) -> Response {
    let c = tryr!(need(&me, None));
    broadcast_of(&lock(&s.data), c.user).map(|b| Json(b).into_response()).unwrap_or_else(|| not_found("Broadcast"))
}

async fn broadcast(State(s): St, Path(id): Path<String>) -> Response {
    let c = id.strip_prefix("00000000-0000-4000-8000-").and_then(|n| n.parse::<i64>().ok()).and_then(seed::owner_index);
    let d = lock(&s.data);
    c.and_then(|c| broadcast_of(&d, c)).map(|b| Json(b).into_response()).unwrap_or_else(|| not_found("Broadcast"))
}

/// The sandbox's own chat servers (several, for the realtime client's fallback).
fn chat_endpoints(state: &MixerState) -> Vec<String> {
    super::realtime::chat_endpoints(state)
}

async fn chat_authenticated(State(s): St, me: Me, Path(channel): Path<String>) -> Response {
    let c = tryr!(channel_ix(&channel));
    let caller = tryr!(need(&me, None));
    let roles = lock(&s.data).roles_of(c, caller.user);
    let mut body =
        json!({"endpoints": chat_endpoints(&s), "permissions": ["connect"], "roles": roles, "isLoadShed": false});
    if caller.has("chat:connect") {
        body["authkey"] = json!(s.chat.issue_authkey(c, caller.user, &caller.scopes));
        body["permissions"] = json!(["connect", "chat"]);
    }
    Json(body).into_response()
}

async fn chat_anonymous(State(s): St, Path(channel): Path<String>) -> Response {
    tryr!(channel_ix(&channel));
    Json(json!({"endpoints": chat_endpoints(&s), "permissions": ["connect"], "isLoadShed": false})).into_response()
}

/// The chat of channel `c`: its owner, its followers, in user-id order.
fn chatters(d: &super::state::Data, c: usize) -> Vec<Value> {
    let mut users: Vec<usize> = d.follows.iter().filter(|(fc, _)| *fc == c).map(|(_, u)| *u).collect();
    users.push(c);
    users.sort_unstable();
    users.into_iter().map(|u| json!({"userId": seed::FIRST_USER_ID + u as i64, "username": seed::username(u), "userRoles": d.roles_of(c, u)})).collect()
}

async fn chat_users(State(s): St, Path(channel): Path<String>, Q(q): Q<Query>) -> Response {
    let c = tryr!(channel_ix(&channel));
    let mut items = chatters(&lock(&s.data), c);
    if let Some(v) = q.get("showLurkers").filter(|v| !matches!(v.as_str(), "true" | "false")) {
        return bad(format!("`showLurkers` must be true or false, not `{v}`"));
    }
    if let Some(prefix) = q.get("username") {
        items.retain(|u| u["username"].as_str().is_some_and(|n| n.starts_with(prefix.as_str())));
    }
    let mut headers = HeaderMap::new();
    let url = format!("{}/v2/chats/{channel}/users", s.api_url());
    match query::continuation(items, &q, &url, &mut headers) {
        Ok(page) => (headers, Json(Value::Array(page))).into_response(),
        Err(m) => bad(m),
    }
}

async fn chat_user(State(s): St, Path((channel, user)): Path<(String, String)>) -> Response {
    let c = tryr!(channel_ix(&channel));
    let u = tryr!(user_ix(&user));
    let id = json!(seed::FIRST_USER_ID + u as i64);
    chatters(&lock(&s.data), c)
        .into_iter()
        .find(|x| x["userId"] == id)
        .map(|x| Json(x).into_response())
        .unwrap_or_else(|| not_found("Chat user"))
}

async fn list_types(State(s): St, Q(q): Q<Query>) -> Response {
    let mut items: Vec<Value> = (0..seed::TYPES).map(seed::game_type).collect();
    if let Some(text) = q.get("query") {
        let text = text.to_lowercase();
        items.retain(|t| t["name"].as_str().is_some_and(|n| n.to_lowercase().contains(&text)));
    }
    v1_list(&s, "/v1/types", items, &q)
}

async fn type_channels(State(s): St, Path(id): Path<String>, Q(q): Q<Query>) -> Response {
    let Ok(t) = id.parse::<i64>() else { return bad(format!("type id `{id}` is not an integer")) };
    if !(seed::FIRST_TYPE_ID..seed::FIRST_TYPE_ID + seed::TYPES as i64).contains(&t) {
        return not_found("Type");
    }
    let d = lock(&s.data);
    let items = d.channels.iter().filter(|c| c["typeId"].as_i64() == Some(t)).cloned().collect();
    v1_list(&s, &format!("/v1/types/{id}/channels"), items, &q)
}

fn team_ix(raw: &str) -> Result<usize, Response> {
    let n: usize = raw.parse().map_err(|_| bad(format!("team id `{raw}` is not an integer")))?;
    (1..=seed::TEAMS).contains(&n).then_some(n).ok_or_else(|| not_found("Team"))
}

async fn list_teams(State(s): St, Q(q): Q<Query>) -> Response {
    v1_list(&s, "/v1/teams", (1..=seed::TEAMS).map(seed::team).collect(), &q)
}

async fn get_team(Path(id): Path<String>) -> Response {
    Json(seed::team(tryr!(team_ix(&id)))).into_response()
}

async fn team_users(State(s): St, Path(id): Path<String>, Q(q): Q<Query>) -> Response {
    let n = tryr!(team_ix(&id));
    let d = lock(&s.data);
    let items = seed::team_members(n).into_iter().map(|u| d.user_with_channel(u)).collect();
    v1_list(&s, &format!("/v1/teams/{id}/users"), items, &q)
}

/// Where a shortcode stands now (expired ones are gone).
pub(crate) fn shortcode_state(state: &MixerState, handle: &str) -> Option<Approval> {
    let now = state.now();
    let mut tokens = lock(&state.tokens);
    let expired = tokens.shortcodes.get(handle).is_some_and(|s| s.expires <= now);
    if expired {
        tokens.shortcodes.remove(handle);
    }
    tokens.shortcodes.get(handle).map(|s| s.approval.clone())
}
