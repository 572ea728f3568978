//! The upgrade route: a new session, or (with `?reconnect=<session id>`) a session carried over.

use std::sync::Arc;

use axum::Router;
use axum::extract::ws::{WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{PATH, server, timers};
use crate::core::FrameDirection;
use crate::core::ws::{self, ConnId, Handshake, Inbound, WsSession};
use crate::twitch::errors::HelixError;
use crate::twitch::state::TwitchState;

/// Client frames are refused (4001), so a small limit does.
const MAX_FRAME: usize = 64 * 1024;

pub(crate) fn router() -> Router<Arc<TwitchState>> {
    Router::new().route(PATH, axum::routing::get(upgrade))
}

async fn upgrade(
    State(state): State<Arc<TwitchState>>,
    RawQuery(query): RawQuery,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    if state.eventsub_ws.hub.refuses(PATH) {
        return HelixError::new(StatusCode::SERVICE_UNAVAILABLE, "EventSub refuses connections").into_response();
    }
    let query: Vec<(String, String)> = serde_urlencoded::from_str(query.as_deref().unwrap_or("")).unwrap_or_default();
    let param = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let keepalive = server::negotiate(param("keepalive_timeout_seconds").as_deref());
    let resume = param("reconnect");
    let ws = match ws {
        Ok(ws) => ws,
        Err(rejection) => return rejection.into_response(),
    };
    let mut handshake = Handshake::default();
    handshake.details.insert("keepalive_timeout_seconds".into(), keepalive.to_string());
    if let Some(session) = &resume {
        handshake.details.insert("reconnect".into(), session.clone());
    }
    ws.max_message_size(MAX_FRAME).max_frame_size(MAX_FRAME).on_upgrade(move |socket| async move {
        let hub = &state.eventsub_ws.hub;
        let Some((id, queue)) = hub.open(PATH, handshake) else { return };
        match resume {
            Some(session) => {
                if !state.eventsub_ws.resume(&state, id, &session) {
                    hub.close(id, 4007, "invalid reconnect");
                }
            }
            None => {
                state.eventsub_ws.open(&state, id, keepalive);
            }
        }
        timers::start(&state, id);
        let mut session = Connection { state: state.clone(), id };
        ws::run(socket, hub, id, queue, &mut session).await;
    })
}

/// One connection's side of the hub loop.
struct Connection {
    state: Arc<TwitchState>,
    id: ConnId,
}

impl WsSession for Connection {
    /// Only pongs are allowed inbound: anything else closes 4001.
    fn on_frame(&mut self, frame: Inbound) {
        let text = match frame {
            Inbound::Text(t) => t,
            Inbound::Binary(b) => format!("<{} binary bytes>", b.len()),
        };
        self.state.eventsub_ws.hub.log(self.id, FrameDirection::ToServer, "inbound", &text);
        self.state.eventsub_ws.hub.close(self.id, 4001, "client sent inbound traffic");
    }

    fn on_close(&mut self) {
        self.state.eventsub_ws.ended(&self.state, self.id);
    }
}
