//! The fake Constellation (reference C) at `/mixer/constellation` on the sandbox's address:
//! `hello` on connect, `livesubscribe` / `liveunsubscribe` / `ping`, the documented close
//! codes for bad packets, optional per-message gzip, and the live events REST writes cause
//! (a follow through `PUT /v1/channels/{id}/follow` → `channel:{id}:followed` and
//! `user:{id}:followed`; a channel update → a partial `channel:{id}:update`; hosting and
//! stopping → `channel:{id}:hosted` / `channel:{id}:unhosted` to the hosted one). Test hooks:
//! [`MixerRealtime`](crate::mixer::realtime::MixerRealtime).
//!
//! Connecting needs an `authorization: Bearer <token>` (a token of the sandbox's Mixer
//! OAuth) or a `client-id` header (or query parameter, as every header may be); with neither
//! the handshake is refused with `401` (the docs say one is mandatory, not how the refusal
//! looks). A token the sandbox does not know (or that expired) gets close code 4011, the
//! documented "session expired".

mod events;
pub mod gzip;
mod methods;
pub(crate) mod rest;

use crate::core::lock;
use crate::core::ws::{self, ConnId, Handshake, Inbound, Outbound, WsHub, WsSession};
use crate::mixer::seed;
use crate::mixer::state::MixerState;
use axum::Router;
use axum::extract::ws::{WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

/// Where Constellation is served.
pub const PATH: &str = "/mixer/constellation";
/// The largest frame a client may send.
pub const MAX_FRAME: usize = 256 * 1024;
/// The documented subscription limit (1,000,000 per IP; every sandbox client is 127.0.0.1,
/// so it counts every connection's subscriptions together).
pub const DEFAULT_LIMIT: usize = 1_000_000;

/// One connection's session.
#[derive(Clone, Debug, Default)]
pub(crate) struct LiveSession {
    /// The user id of its bearer token (`None`: connected with a client id).
    pub user: Option<i64>,
    /// Whether frames to it are gzipped (`cnstl-gzip`).
    pub gzip: bool,
    /// Its live subscriptions.
    pub subscriptions: BTreeSet<String>,
}

/// What the Constellation sessions share.
#[derive(Debug)]
pub(crate) struct LiveData {
    pub sessions: BTreeMap<ConnId, LiveSession>,
    /// The subscription limit (see [`DEFAULT_LIMIT`]).
    pub limit: usize,
    /// Whether `liveunsubscribe` of an event not subscribed answers 4109 (default: no error,
    /// as the method's page says; the error-code list documents 4109 for it).
    pub strict_unsubscribe: bool,
}

impl Default for LiveData {
    fn default() -> Self {
        LiveData { sessions: BTreeMap::new(), limit: DEFAULT_LIMIT, strict_unsubscribe: false }
    }
}

/// The Constellation server: its connections and sessions.
#[derive(Debug, Default)]
pub struct LiveServer {
    pub(crate) hub: WsHub,
    pub(crate) data: Mutex<LiveData>,
}

impl LiveServer {
    /// Sends `frame` to `conn` (gzipped when its session asked for it), logged as `name`.
    pub(crate) fn send(&self, conn: ConnId, name: &str, frame: &Value) -> bool {
        self.send_checked(conn, name, frame, true)
    }

    fn send_checked(&self, conn: ConnId, name: &str, frame: &Value, checked: bool) -> bool {
        let text = frame.to_string();
        let gzip = lock(&self.data).sessions.get(&conn).is_some_and(|s| s.gzip);
        let out = if gzip { Outbound::Binary(gzip::compress(&text)) } else { Outbound::Text(text.clone()) };
        if checked {
            self.hub.send_logged_as(conn, name, &text, out)
        } else {
            self.hub.send_as_is_logged_as(conn, name, &text, out)
        }
    }

    /// Sends live event `name` with `payload` to every session subscribed to it; how many.
    pub fn emit(&self, name: &str, payload: &Value) -> usize {
        self.emit_checked(name, payload, true)
    }

    /// [`emit`](Self::emit) without the frame contract check (a test hook's event of any
    /// shape).
    pub(crate) fn emit_as_is(&self, name: &str, payload: &Value) -> usize {
        self.emit_checked(name, payload, false)
    }

    fn emit_checked(&self, name: &str, payload: &Value, checked: bool) -> usize {
        let targets: Vec<ConnId> = lock(&self.data)
            .sessions
            .iter()
            .filter(|(_, s)| s.subscriptions.contains(name))
            .map(|(id, _)| *id)
            .collect();
        let frame = json!({"type": "event", "event": "live", "data": {"channel": name, "payload": payload}});
        targets.into_iter().filter(|id| self.send_checked(*id, name, &frame, checked)).count()
    }

    /// Connection `conn`'s subscriptions (empty when unknown or closed).
    pub fn subscriptions(&self, conn: ConnId) -> BTreeSet<String> {
        lock(&self.data).sessions.get(&conn).map(|s| s.subscriptions.clone()).unwrap_or_default()
    }
}

pub(crate) fn router() -> Router<Arc<MixerState>> {
    Router::new().route(PATH, axum::routing::get(upgrade))
}

/// A header, or the query parameter of the same name (C.1: every header may be one).
fn header_or_query(headers: &HeaderMap, query: &[(String, String)], name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| query.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone()))
}

async fn upgrade(
    State(state): State<Arc<MixerState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    if state.live.hub.refuses(PATH) {
        return crate::mixer::error(StatusCode::SERVICE_UNAVAILABLE, "Constellation refuses connections.");
    }
    let query: Vec<(String, String)> = serde_urlencoded::from_str(query.as_deref().unwrap_or("")).unwrap_or_default();
    let authorization = header_or_query(&headers, &query, "authorization");
    let client_id = header_or_query(&headers, &query, "client-id");
    if authorization.is_none() && client_id.is_none() {
        return crate::mixer::error(
            StatusCode::UNAUTHORIZED,
            "Connect with an `authorization` (Bearer token) or a `client-id` header.",
        );
    }
    // `None`: no token; `Some(None)`: a token the sandbox does not know.
    let token_user = authorization
        .map(|a| a.strip_prefix("Bearer ").and_then(|t| state.caller(t)).map(|c| seed::FIRST_USER_ID + c.user as i64));
    let ws = match ws {
        Ok(ws) => ws,
        Err(rejection) => return rejection.into_response(),
    };
    let wants_gzip = ws.requested_protocols().any(|p| p.as_bytes() == b"cnstl-gzip")
        || header_or_query(&headers, &query, "x-sec-websocket-protocol").is_some_and(|p| p == "cnstl-gzip");
    let mut handshake = Handshake { client_id, has_authorization: token_user.is_some(), ..Handshake::default() };
    if let Some(bot) = header_or_query(&headers, &query, "x-is-bot") {
        handshake.details.insert("x-is-bot".into(), bot);
    }
    handshake.details.insert("gzip".into(), wants_gzip.to_string());
    ws.protocols(["cnstl-gzip", "cnstl"])
        .max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .max_write_buffer_size(4 * 1024 * 1024)
        .on_upgrade(move |socket| async move {
            let Some((id, queue)) = state.live.hub.open(PATH, handshake) else { return };
            let live = &state.live;
            match token_user {
                Some(None) => {
                    live.hub.close(id, 4011, "The user session has expired.");
                }
                user => {
                    let session = LiveSession { user: user.flatten(), gzip: wants_gzip, ..LiveSession::default() };
                    let authenticated = session.user.is_some();
                    lock(&live.data).sessions.insert(id, session);
                    let hello = json!({"type": "event", "event": "hello", "data": {"authenticated": authenticated}});
                    live.send(id, "hello", &hello);
                }
            }
            let mut session = Session { state: state.clone(), id };
            ws::run(socket, &state.live.hub, id, queue, &mut session).await;
        })
}

struct Session {
    state: Arc<MixerState>,
    id: ConnId,
}

impl WsSession for Session {
    fn on_frame(&mut self, frame: Inbound) {
        methods::handle(&self.state.live, self.id, frame);
    }

    fn on_close(&mut self) {
        lock(&self.state.live.data).sessions.remove(&self.id);
    }
}
