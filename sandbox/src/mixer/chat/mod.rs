//! The fake Mixer chat servers (reference B): [`ENDPOINTS`] websocket endpoints at
//! `/mixer/chat/{1..}` on the sandbox's address, the ones `GET /v1/chats/{channelId}`
//! lists. Each one sends `WelcomeEvent` on connect, takes `auth` with a single-use authkey
//! from that route (or anonymously, read-only), answers every method of B.3, and sends the
//! events of B.4 to the clients of the channel. Test hooks:
//! [`MixerRealtime`](crate::mixer::realtime::MixerRealtime).
//!
//! Who may call what: each method needs the scope B.3 lists on the token the authkey was
//! fetched with; the moderation methods (`timeout`, `purge`, `deleteMessage`,
//! `clearMessages`, `vote:start`, `giveaway:start`, `cancelSkill`) also need a moderating
//! role in the channel (`Owner`, `Mod`, `ChannelEditor`, `GlobalMod`, `Staff`) — the sandbox's
//! rule, the reference names no role per method. A refusal is `UACCESS` (the documented
//! access error), except `purge`'s documented 4002 PurgeNoPermissions. A `Banned` user's
//! `auth` is `UACCESS`.
//!
//! REST writes reach chat: a role change (`PATCH /v1/channels/{id}/users/{userId}`) sends
//! `UserUpdate` to the channel and applies to the user's sessions at once; a ban also sends
//! `PurgeMessage` (cause `ban`, no moderator) and silences the user's sessions.

pub mod authkeys;
mod message;
mod methods;
mod moderation;
mod polls;
pub(crate) mod rest;
pub mod wire;

use crate::core::ws::{self, ConnId, Handshake, Inbound, Outbound, WsHub, WsSession};
use crate::core::{FrameDirection, lock};
use crate::mixer::state::MixerState;
use authkeys::{Authkeys, Grant};
use axum::Router;
use axum::extract::ws::{WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use polls::Poll;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use wire::ErrorForm;

/// How many chat endpoints the sandbox serves (`/mixer/chat/1` …).
pub const ENDPOINTS: usize = 3;
/// The largest frame a client may send (Mixer's messages are short; this is generous).
pub const MAX_FRAME: usize = 64 * 1024;
/// Messages kept per channel for `history` (its documented maximum).
pub const HISTORY: usize = 100;

/// The path of endpoint `n` (from 1).
pub fn endpoint_path(n: usize) -> String {
    format!("/mixer/chat/{n}")
}

/// One connection's chat session.
#[derive(Clone, Debug, Default)]
pub(crate) struct Member {
    /// The channel it joined with `auth` (anonymously or not).
    pub channel: Option<usize>,
    /// The user it authenticated as (`None`: anonymous or not yet).
    pub user: Option<usize>,
    /// Its roles in the channel.
    pub roles: Vec<String>,
    /// The scopes of the token its authkey came with.
    pub scopes: Vec<String>,
    /// Events it opted out of.
    pub opted_out: BTreeSet<String>,
    /// Whether it called `attachEmotes`.
    pub emotes: bool,
}

/// What the chat servers share.
#[derive(Debug, Default)]
pub(crate) struct ChatData {
    pub members: BTreeMap<ConnId, Member>,
    pub authkeys: Authkeys,
    /// Recent `ChatMessage` data by channel index, oldest first.
    pub history: BTreeMap<usize, VecDeque<Value>>,
    /// The running poll by channel index.
    pub polls: BTreeMap<usize, Poll>,
    /// Timed-out (channel, user) until when.
    pub timeouts: BTreeMap<(usize, usize), Instant>,
    /// For message and poll ids.
    pub next_id: u64,
    pub error_form: ErrorForm,
}

impl ChatData {
    pub fn id(&mut self) -> String {
        self.next_id += 1;
        message::uuid(self.next_id)
    }
}

/// The chat servers: their connections and their shared state.
#[derive(Debug, Default)]
pub struct ChatServer {
    pub(crate) hub: WsHub,
    pub(crate) data: Mutex<ChatData>,
}

/// Who an event goes to.
pub(crate) enum Audience {
    /// Every session in the channel (an index), but `except`.
    Channel { channel: usize, except: Option<ConnId> },
    /// These connections.
    Conns(Vec<ConnId>),
}

impl ChatServer {
    /// A new single-use authkey for `user` in `channel` (indexes).
    pub(crate) fn issue_authkey(&self, channel: usize, user: usize, scopes: &[String]) -> String {
        lock(&self.data).authkeys.issue(Grant { channel, user, scopes: scopes.to_vec() })
    }

    /// Sends event `name` to `audience`, but not to sessions that opted out of it; sessions
    /// that called `attachEmotes` get `ChatMessage` data with its emoticon images.
    pub(crate) fn publish(&self, audience: Audience, name: &str, data: &Value) {
        let targets: Vec<(ConnId, bool)> = {
            let d = lock(&self.data);
            let wanted = |id: &ConnId| d.members.get(id).is_some_and(|m| !m.opted_out.contains(name));
            let ids: Vec<ConnId> = match audience {
                Audience::Channel { channel, except } => d
                    .members
                    .iter()
                    .filter(|(id, m)| m.channel == Some(channel) && Some(**id) != except)
                    .map(|(id, _)| *id)
                    .collect(),
                Audience::Conns(ids) => ids,
            };
            ids.into_iter().filter(wanted).map(|id| (id, d.members.get(&id).is_some_and(|m| m.emotes))).collect()
        };
        let plain = wire::event(name, data);
        let with_emotes = (name == "ChatMessage").then(|| wire::event(name, &message::with_emotes(data)));
        for (id, emotes) in targets {
            let frame = match (&with_emotes, emotes) {
                (Some(e), true) => e.clone(),
                _ => plain.clone(),
            };
            self.hub.send(id, name, Outbound::Text(frame));
        }
    }

    /// Sends a text frame to one connection, logged as `name`.
    pub(crate) fn send(&self, conn: ConnId, name: &str, text: String) {
        self.hub.send(conn, name, Outbound::Text(text));
    }
}

/// The routes of the chat endpoints.
pub(crate) fn router() -> Router<Arc<MixerState>> {
    Router::new().route("/mixer/chat/{n}", axum::routing::get(upgrade))
}

/// The client id of a connection: the `Client-ID` header, else the query parameter.
pub(crate) fn client_id(headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    headers.get("client-id").and_then(|v| v.to_str().ok()).map(str::to_owned).or_else(|| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(query.unwrap_or(""))
            .ok()?
            .into_iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("client-id"))
            .map(|(_, v)| v)
    })
}

async fn upgrade(
    State(state): State<Arc<MixerState>>,
    Path(n): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    if !n.parse::<usize>().is_ok_and(|n| (1..=ENDPOINTS).contains(&n)) {
        return crate::mixer::error(StatusCode::NOT_FOUND, "Not Found");
    }
    let path = endpoint_path(n.parse().unwrap_or(1));
    if state.chat.hub.refuses(&path) {
        return crate::mixer::error(StatusCode::SERVICE_UNAVAILABLE, "This chat server refuses connections.");
    }
    let ws = match ws {
        Ok(ws) => ws,
        Err(rejection) => return rejection.into_response(),
    };
    let mut handshake = Handshake { client_id: client_id(&headers, query.as_deref()), ..Handshake::default() };
    // The official client's protocol version (`?version=1.0`), recorded, not required.
    let version = serde_urlencoded::from_str::<Vec<(String, String)>>(query.as_deref().unwrap_or(""))
        .ok()
        .and_then(|q| q.into_iter().find(|(k, _)| k == "version").map(|(_, v)| v));
    if let Some(v) = version {
        handshake.details.insert("version".into(), v);
    }
    ws.max_message_size(MAX_FRAME).max_frame_size(MAX_FRAME).max_write_buffer_size(4 * 1024 * 1024).on_upgrade(
        move |socket| async move {
            let Some((id, queue)) = state.chat.hub.open(&path, handshake) else { return };
            lock(&state.chat.data).members.insert(id, Member::default());
            let server = format!("5ca1ab1e-0000-4000-8000-{n:0>12}");
            state.chat.send(id, "WelcomeEvent", wire::event("WelcomeEvent", &json!({"server": server})));
            let mut session = ChatSession { state: state.clone(), id };
            ws::run(socket, &state.chat.hub, id, queue, &mut session).await;
        },
    )
}

/// One connection's side of the protocol.
struct ChatSession {
    state: Arc<MixerState>,
    id: ConnId,
}

impl WsSession for ChatSession {
    fn on_frame(&mut self, frame: Inbound) {
        methods::handle(&self.state, self.id, frame);
    }

    fn on_close(&mut self) {
        let member = lock(&self.state.chat.data).members.remove(&self.id);
        if let Some(Member { channel: Some(c), user: Some(u), .. }) = member {
            self.state.chat.publish(Audience::Channel { channel: c, except: None }, "UserLeave", &user_leave(c, u));
        }
    }
}

/// Ends channel `channel`'s running poll now (the test hook).
pub(crate) fn end_poll(state: &Arc<MixerState>, channel: usize) -> bool {
    polls::end(state, channel)
}

/// `UserLeave` data.
pub(crate) fn user_leave(channel: usize, user: usize) -> Value {
    use crate::mixer::seed;
    json!({"originatingChannel": seed::FIRST_CHANNEL_ID + channel as i64, "username": seed::username(user), "id": seed::FIRST_USER_ID + user as i64})
}

/// Logs a received frame.
pub(crate) fn log_received(state: &MixerState, conn: ConnId, name: &str, payload: &str) {
    state.chat.hub.log(conn, FrameDirection::ToServer, name, payload);
}
