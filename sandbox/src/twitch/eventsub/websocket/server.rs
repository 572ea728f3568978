//! The EventSub websocket sessions: which connection carries each, their timers' state, the
//! messages kept for resending, and what REST writes and hooks send to them.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use serde_json::Value;
use tokio::time::{Duration, Instant};

use super::frames::{self, SessionObject};
use crate::core::lock;
use crate::core::ws::{ConnId, Outbound, WsHub};
use crate::twitch::helix::eventsub::Subscription;
use crate::twitch::rng;
use crate::twitch::seed::fmt_time_nanos;
use crate::twitch::state::TwitchState;

/// Messages kept for [`resend`] (the oldest are forgotten first).
const KEPT_MESSAGES: usize = 1024;
/// The subscribe rule: a session without a subscription this long after its welcome is closed 4003.
pub(crate) const SUBSCRIBE_WITHIN: Duration = Duration::from_secs(10);
/// How long a `reconnect_url` waits for the client before the old socket is closed 4004.
pub(crate) const RECONNECT_GRACE: Duration = Duration::from_secs(30);
/// `keepalive_timeout_seconds` bounds and default.
pub(crate) const KEEPALIVE_RANGE: (u64, u64) = (10, 600);

/// One session as the server keeps it.
#[derive(Debug, Clone)]
struct Session {
    /// The connection delivering its messages now.
    conn: ConnId,
    keepalive: u64,
    keepalives_on: bool,
    welcomed_at: Instant,
    last_sent: Instant,
    connected_at: String,
    /// A `session_reconnect` was sent at this instant and nobody connected to its URL yet.
    moving_since: Option<Instant>,
}

#[derive(Debug, Default)]
struct Data {
    sessions: BTreeMap<String, Session>,
    by_conn: BTreeMap<ConnId, String>,
    /// `(message id, session id, logged name, text)`.
    sent: VecDeque<(String, String, String, String)>,
}

/// A session, as tests see it ([`EventSubHooks::websocket_sessions`](crate::EventSubHooks::websocket_sessions)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebSocketSession {
    /// The session id of its welcome.
    pub id: String,
    /// The connection delivering its messages (a [`crate::core::ws::ConnId`]).
    pub connection: ConnId,
    /// The negotiated `keepalive_timeout_seconds`.
    pub keepalive_timeout_seconds: u64,
    /// Whether keepalives are sent.
    pub keepalives: bool,
}

/// The EventSub websocket server of the Twitch state.
#[derive(Debug, Default)]
pub(crate) struct WsServer {
    pub(crate) hub: WsHub,
    data: Mutex<Data>,
}

fn now_text(st: &TwitchState) -> String {
    fmt_time_nanos(st.clock().wall().into())
}

fn message_id(st: &TwitchState) -> String {
    rng::uuid(st.next_id(), 0xE5E7)
}

/// An open session, held: while this lives the session cannot end (its connection's end waits
/// for the lock), so a subscription created under it never outlives it. Take it before the
/// subscription store's lock (the timers take the two in that order too).
pub(crate) struct OpenSession<'a> {
    data: MutexGuard<'a, Data>,
    id: String,
}

impl OpenSession<'_> {
    /// The session's `connected_at`, as its welcome said.
    pub(crate) fn connected_at(&self) -> &str {
        self.data.sessions.get(&self.id).map_or("", |s| s.connected_at.as_str())
    }
}

/// `keepalive_timeout_seconds` from the query value (clamped; the default when absent or not a number).
pub(crate) fn negotiate(asked: Option<&str>) -> u64 {
    let (lo, hi) = KEEPALIVE_RANGE;
    asked.and_then(|a| a.parse::<u64>().ok()).map_or(lo, |n| n.clamp(lo, hi))
}

impl WsServer {
    /// Sends `text` (called `name` in the log) on `session`'s connection, keeping it for resending.
    fn send(&self, session: &str, id: &str, name: &str, text: String, keep: bool) -> bool {
        let conn = {
            let mut data = lock(&self.data);
            let Some(s) = data.sessions.get_mut(session) else { return false };
            s.last_sent = Instant::now();
            let conn = s.conn;
            if keep {
                if data.sent.len() >= KEPT_MESSAGES {
                    data.sent.pop_front();
                }
                data.sent.push_back((id.to_owned(), session.to_owned(), name.to_owned(), text.clone()));
            }
            conn
        };
        self.hub.send(conn, name, Outbound::Text(text))
    }

    fn welcome(&self, st: &TwitchState, session: &str) {
        let (keepalive, connected_at) = match lock(&self.data).sessions.get(session) {
            Some(s) => (s.keepalive, s.connected_at.clone()),
            None => return,
        };
        let id = message_id(st);
        let object = SessionObject {
            id: session,
            status: "connected",
            keepalive: Some(keepalive),
            reconnect_url: None,
            connected_at: &connected_at,
        };
        let text = frames::session_message(&id, "session_welcome", &now_text(st), &object);
        self.send(session, &id, "session_welcome", text, false);
    }

    /// A new connection `conn` starts a new session: welcome sent; its id.
    pub(crate) fn open(&self, st: &TwitchState, conn: ConnId, keepalive: u64) -> String {
        let session = rng::uuid(st.next_id(), 0x5E55);
        let now = Instant::now();
        let s = Session {
            conn,
            keepalive,
            keepalives_on: true,
            welcomed_at: now,
            last_sent: now,
            connected_at: now_text(st),
            moving_since: None,
        };
        {
            let mut data = lock(&self.data);
            data.sessions.insert(session.clone(), s);
            data.by_conn.insert(conn, session.clone());
        }
        self.welcome(st, &session);
        session
    }

    /// Connection `conn` came to a `reconnect_url` of `session`: it carries the session from
    /// now on (welcome with the same id); false when there is no such move under way.
    pub(crate) fn resume(&self, st: &TwitchState, conn: ConnId, session: &str) -> bool {
        {
            let mut data = lock(&self.data);
            let Some(s) = data.sessions.get_mut(session) else { return false };
            if s.moving_since.take().is_none() {
                return false;
            }
            s.conn = conn;
            data.by_conn.insert(conn, session.to_owned());
        }
        self.welcome(st, session);
        true
    }

    /// Session `session`, held open, when this server issued it and it has not ended.
    pub(crate) fn open_session(&self, session: &str) -> Option<OpenSession<'_>> {
        let data = lock(&self.data);
        data.sessions.contains_key(session).then(|| OpenSession { data, id: session.to_owned() })
    }

    /// Connection `conn` ended: a session it still carried ends, and its subscriptions are deleted.
    pub(crate) fn ended(&self, st: &TwitchState, conn: ConnId) {
        let gone = {
            let mut data = lock(&self.data);
            let Some(session) = data.by_conn.remove(&conn) else { return };
            if data.sessions.get(&session).is_some_and(|s| s.conn == conn) {
                data.sessions.remove(&session);
                Some(session)
            } else {
                None
            }
        };
        if let Some(session) = gone {
            lock(&st.eventsub).remove_websocket_session(&session);
        }
    }

    /// Sends `event` to subscription `sub` (a websocket one whose session is open); the message id.
    pub(crate) fn notify(&self, st: &TwitchState, sub: &Subscription, event: &Value) -> Option<String> {
        let session = sub.websocket_session()?;
        let id = message_id(st);
        let text = frames::subscription_message(&id, "notification", &now_text(st), &sub.json(), Some(event));
        self.send(session, &id, &sub.kind, text, true).then_some(id)
    }

    /// Sends the `revocation` of `sub`; the message id.
    pub(crate) fn revocation(&self, st: &TwitchState, sub: &Subscription) -> Option<String> {
        let session = sub.websocket_session()?;
        let id = message_id(st);
        let text = frames::subscription_message(&id, "revocation", &now_text(st), &sub.json(), None);
        self.send(session, &id, "revocation", text, true).then_some(id)
    }

    /// Sends kept message `id` again, byte for byte, on its session's current connection.
    pub(crate) fn resend(&self, id: &str) -> bool {
        let again = lock(&self.data).sent.iter().find(|m| m.0 == id).cloned();
        match again {
            Some((id, session, name, text)) => self.send(&session, &id, &name, text, false),
            None => false,
        }
    }

    /// Sends `session_reconnect` with a `reconnect_url` on this server that carries `session` over.
    pub(crate) fn reconnect(&self, st: &TwitchState, session: &str) -> Option<String> {
        let connected_at = {
            let mut data = lock(&self.data);
            let s = data.sessions.get_mut(session)?;
            s.moving_since = Some(Instant::now());
            s.connected_at.clone()
        };
        let base = st.base_url().replacen("http://", "ws://", 1);
        let url = format!("{base}{}?reconnect={session}", super::PATH);
        let id = message_id(st);
        let object = SessionObject {
            id: session,
            status: "reconnecting",
            keepalive: None,
            reconnect_url: Some(&url),
            connected_at: &connected_at,
        };
        let text = frames::session_message(&id, "session_reconnect", &now_text(st), &object);
        self.send(session, &id, "session_reconnect", text, false).then_some(url)
    }

    /// Sends a `session_keepalive` to `session` now.
    pub(crate) fn keepalive(&self, st: &TwitchState, session: &str) -> bool {
        let id = message_id(st);
        self.send(session, &id, "session_keepalive", frames::keepalive(&id, &now_text(st)), false)
    }

    /// Turns `session`'s keepalives on or off; false when it is unknown.
    pub(crate) fn set_keepalives(&self, session: &str, on: bool) -> bool {
        lock(&self.data).sessions.get_mut(session).map(|s| s.keepalives_on = on).is_some()
    }

    /// Closes `session`'s connection with `code` and `reason`.
    pub(crate) fn close(&self, session: &str, code: u16, reason: &str) -> bool {
        let conn = lock(&self.data).sessions.get(session).map(|s| s.conn);
        conn.is_some_and(|c| self.hub.close(c, code, reason))
    }

    /// Every open session.
    pub(crate) fn sessions(&self) -> Vec<WebSocketSession> {
        lock(&self.data)
            .sessions
            .iter()
            .map(|(id, s)| WebSocketSession {
                id: id.clone(),
                connection: s.conn,
                keepalive_timeout_seconds: s.keepalive,
                keepalives: s.keepalives_on,
            })
            .collect()
    }

    /// What the timers of connection `conn` must do at `now`, and when to look again.
    pub(crate) fn due(&self, st: &TwitchState, conn: ConnId, now: Instant) -> Due {
        let data = lock(&self.data);
        let Some(session) = data.by_conn.get(&conn) else { return Due::Stop };
        let Some(s) = data.sessions.get(session) else { return Due::Stop };
        if s.conn != conn {
            // Moved away: the old socket only waits for the client to close it.
            return Due::Stop;
        }
        let session = session.clone();
        if let Some(since) = s.moving_since
            && now >= since + RECONNECT_GRACE
        {
            return Due::Close(4004, "reconnect grace time expired");
        }
        let used = lock(&st.eventsub).has_websocket_session(&session);
        if !used && now >= s.welcomed_at + SUBSCRIBE_WITHIN {
            return Due::Close(4003, "connection unused");
        }
        let keepalive = Duration::from_secs(s.keepalive);
        if s.keepalives_on && now >= s.last_sent + keepalive {
            return Due::Keepalive(session);
        }
        let mut next = s.last_sent + keepalive;
        if !used {
            next = next.min(s.welcomed_at + SUBSCRIBE_WITHIN);
        }
        if let Some(since) = s.moving_since {
            next = next.min(since + RECONNECT_GRACE);
        }
        Due::Wait(next.max(now + Duration::from_millis(1)).min(now + Duration::from_secs(1)))
    }

    /// Closes every session that has no subscription with 4003 now (the rule's deadline
    /// forced); how many.
    pub(crate) fn enforce_subscribe_rule(&self, st: &TwitchState) -> usize {
        let sessions: Vec<String> = lock(&self.data).sessions.keys().cloned().collect();
        sessions
            .into_iter()
            .filter(|s| !lock(&st.eventsub).has_websocket_session(s))
            .filter(|s| self.close(s, 4003, "connection unused"))
            .count()
    }
}

/// The timers' verdict for one connection.
pub(crate) enum Due {
    /// The connection has no session of its own (any more).
    Stop,
    /// Close it with this code and reason.
    Close(u16, &'static str),
    /// Send a keepalive to this session.
    Keepalive(String),
    /// Look again at this instant.
    Wait(Instant),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SandboxConfig;
    use crate::core::ws::Handshake;
    use crate::twitch::Twitch;

    fn names(server: &WsServer, conn: ConnId) -> Vec<String> {
        server.hub.frames(conn).into_iter().map(|f| f.name).collect()
    }

    #[test]
    fn keepalive_is_negotiated_within_10_to_600() {
        assert_eq!(negotiate(None), 10);
        assert_eq!(negotiate(Some("5")), 10);
        assert_eq!(negotiate(Some("30")), 30);
        assert_eq!(negotiate(Some("1000")), 600);
        assert_eq!(negotiate(Some("soon")), 10);
    }

    /// The timers' decisions on tokio's paused clock: keepalive after exactly the negotiated
    /// silence (and not while keepalives are off), 4003 ten seconds after an unused welcome,
    /// 4004 when a reconnect URL is not used within 30 s.
    #[tokio::test(start_paused = true)]
    async fn timers_follow_the_negotiated_figures() {
        let st = Twitch::new(&SandboxConfig::default()).state;
        let server = &st.eventsub_ws;
        let (conn, _queue) = server.hub.open(super::super::PATH, Handshake::default()).unwrap();
        let session = server.open(&st, conn, 30);
        let t0 = Instant::now();
        assert!(matches!(server.due(&st, conn, t0 + Duration::from_millis(9_999)), Due::Wait(_)));
        assert!(matches!(server.due(&st, conn, t0 + SUBSCRIBE_WITHIN), Due::Close(4003, _)));

        // Used (a subscription names the session): keepalives after 30 s of silence only.
        let (conn2, _queue2) = server.hub.open(super::super::PATH, Handshake::default()).unwrap();
        let used = server.open(&st, conn2, 30);
        lock(&st.eventsub).insert_websocket_for_tests(&used);
        tokio::time::advance(Duration::from_secs(29)).await;
        assert!(matches!(server.due(&st, conn2, Instant::now()), Due::Wait(_)));
        tokio::time::advance(Duration::from_secs(1)).await;
        let Due::Keepalive(s) = server.due(&st, conn2, Instant::now()) else { panic!("a keepalive is due") };
        assert_eq!(s, used);
        assert!(server.keepalive(&st, &used));
        assert!(matches!(server.due(&st, conn2, Instant::now()), Due::Wait(_)), "silence starts again");
        assert!(server.set_keepalives(&used, false));
        tokio::time::advance(Duration::from_secs(60)).await;
        assert!(matches!(server.due(&st, conn2, Instant::now()), Due::Wait(_)), "keepalives off");
        assert_eq!(names(server, conn2), ["session_welcome", "session_keepalive"]);

        // A reconnect URL nobody uses: the old socket is closed 4004 after 30 s.
        assert!(server.reconnect(&st, &used).is_some());
        tokio::time::advance(RECONNECT_GRACE).await;
        assert!(matches!(server.due(&st, conn2, Instant::now()), Due::Close(4004, _)));
        let _ = session;
    }

    /// A session's subscriptions die with its socket, but not with the socket it moved away from.
    #[tokio::test]
    async fn subscriptions_die_with_the_session_not_with_a_move() {
        let st = Twitch::new(&SandboxConfig::default()).state;
        let server = &st.eventsub_ws;
        let (old, _q1) = server.hub.open(super::super::PATH, Handshake::default()).unwrap();
        let session = server.open(&st, old, 10);
        lock(&st.eventsub).insert_websocket_for_tests(&session);
        assert!(server.reconnect(&st, &session).is_some());
        let (new, _q2) = server.hub.open(super::super::PATH, Handshake::default()).unwrap();
        assert!(server.resume(&st, new, &session));
        assert!(!server.resume(&st, new, &session), "a reconnect URL is used once");
        server.ended(&st, old);
        assert!(lock(&st.eventsub).has_websocket_session(&session), "moved: the subscriptions carried over");
        server.ended(&st, new);
        assert!(!lock(&st.eventsub).has_websocket_session(&session), "they died with the session");
        assert!(server.sessions().is_empty());
    }
}
