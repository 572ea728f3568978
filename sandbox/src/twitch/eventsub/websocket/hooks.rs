//! The websocket transport's test hooks, on [`EventSubHooks`].

use crate::core::ws::{ConnId, ConnectionInfo, LoggedFrame};
use crate::twitch::eventsub::{EventSubHooks, WebSocketSession};

impl EventSubHooks {
    /// The websocket's `ws://` URL (add `?keepalive_timeout_seconds=N` to negotiate).
    pub fn websocket_url(&self) -> String {
        format!("{}{}", self.state.base_url().replacen("http://", "ws://", 1), super::PATH)
    }

    /// The open websocket sessions, in session id order.
    pub fn websocket_sessions(&self) -> Vec<WebSocketSession> {
        self.state.eventsub_ws.sessions()
    }

    /// The websocket connections (open, and recently closed, with the close the server sent), oldest first.
    pub fn websocket_connections(&self) -> Vec<ConnectionInfo> {
        self.state.eventsub_ws.hub.connections()
    }

    /// Connection `conn`'s frames in order, each called by its message type
    /// (`session_welcome`, `session_keepalive`, `session_reconnect`, `revocation`), a
    /// notification by its subscription type, `close {code}`, or `inbound` (a client frame).
    pub fn websocket_frames(&self, conn: ConnId) -> Vec<LoggedFrame> {
        self.state.eventsub_ws.hub.frames(conn)
    }

    /// Sends `session_reconnect` to `session`; its `reconnect_url` (on this sandbox) carries
    /// the session and its subscriptions over. `None` when the session is unknown.
    pub fn send_reconnect(&self, session: &str) -> Option<String> {
        self.state.eventsub_ws.reconnect(&self.state, session)
    }

    /// Sends a `session_keepalive` to `session` now (the timer's job, forced).
    pub fn send_keepalive(&self, session: &str) -> bool {
        self.state.eventsub_ws.keepalive(&self.state, session)
    }

    /// Stops (`false`) or resumes `session`'s keepalives; false when it is unknown.
    pub fn set_keepalives(&self, session: &str, on: bool) -> bool {
        self.state.eventsub_ws.set_keepalives(session, on)
    }

    /// Closes `session`'s connection with `code` (e.g. 4000–4007) and `reason`.
    pub fn close_websocket(&self, session: &str, code: u16, reason: &str) -> bool {
        self.state.eventsub_ws.close(session, code, reason)
    }

    /// Ends `session`'s connection without a close frame, as a network failure would.
    pub fn drop_websocket(&self, session: &str) -> bool {
        let conn = self.websocket_sessions().into_iter().find(|s| s.id == session).map(|s| s.connection);
        conn.is_some_and(|c| self.state.eventsub_ws.hub.send(c, "drop", crate::core::ws::Outbound::Drop))
    }

    /// Applies the subscribe rule now instead of 10 s after each welcome: every session
    /// without a subscription is closed 4003; how many.
    pub fn enforce_subscribe_rule(&self) -> usize {
        self.state.eventsub_ws.enforce_subscribe_rule(&self.state)
    }
}
