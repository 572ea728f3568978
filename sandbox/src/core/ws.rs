//! What every websocket service of the sandbox needs around its protocol, knowing none:
//! a [`WsHub`] keeps the open connections (each with a bounded outbound queue), an ordered
//! per-connection frame log ([`LoggedFrame`]), the injected [`FrameFaults`] and the paths
//! that refuse new connections; [`run`] drives one upgraded socket, applying the frame
//! faults to every frame both ways.
//!
//! A service answers its upgrade route with [`WsHub::open`] (a refused path or a full hub
//! answers `503` before the upgrade), then calls [`run`] with a [`WsSession`] that turns
//! inbound frames into replies it queues with [`WsHub::send`]. What a frame is *called* in
//! the log (a method or event name) and what of it is recorded (secrets redacted) is the
//! service's decision: the hub stores what it is given.
//!
//! ```
//! use streamkit_sandbox::core::ws::{Handshake, Outbound, WsHub};
//! use streamkit_sandbox::core::FrameDirection;
//! let hub = WsHub::default();
//! let (id, _queue) = hub.open("/socket", Handshake::default()).expect("not refused");
//! hub.log(id, FrameDirection::ToServer, "hello", r#"{"hello":1}"#);
//! assert!(hub.send(id, "welcome", Outbound::Text("{}".into())));
//! let names: Vec<String> = hub.frames(id).into_iter().map(|f| f.name).collect();
//! assert_eq!(names, ["hello", "welcome"]);
//! hub.refuse("/socket", true);
//! assert!(hub.open("/socket", Handshake::default()).is_none());
//! ```

use crate::core::frame_contract::{FrameContract, Violations};
use crate::core::frames::{FrameAction, FrameDirection, FrameFault, FrameFaults, corrupt};
use crate::core::lock;
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::mpsc;

/// A connection's number: 1, 2, 3, … in the order connections opened, never reused.
pub type ConnId = u64;

/// Frames queued per connection before the hub gives up on a client that does not read:
/// the connection is then dropped (never an unbounded queue).
pub const QUEUE_CAPACITY: usize = 1024;
/// Open connections per hub; more are refused with `503`.
pub const MAX_OPEN: usize = 1024;
/// Closed connections whose log and details are kept (the oldest are forgotten first).
pub const KEEP_CLOSED: usize = 256;
/// Log entries kept per connection (the oldest are discarded first).
pub const MAX_LOGGED_FRAMES: usize = 10_000;
/// Bytes of a frame's payload kept in the log.
pub const MAX_LOGGED_PAYLOAD: usize = 4096;

/// What a service asks the hub to do on a connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outbound {
    /// A text frame.
    Text(String),
    /// A binary frame.
    Binary(Vec<u8>),
    /// A close frame with this code and reason; the connection ends.
    Close {
        /// The close code.
        code: u16,
        /// The close reason.
        reason: String,
    },
    /// The connection ends without a close frame (as a network failure would end it).
    Drop,
}

/// A frame received from a client, after the frame faults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inbound {
    /// A text frame.
    Text(String),
    /// A binary frame.
    Binary(Vec<u8>),
}

/// One entry of a connection's frame log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedFrame {
    /// 1, 2, 3, … across every connection of the hub, in the order logged.
    pub seq: u64,
    /// Which way the frame went.
    pub direction: FrameDirection,
    /// What the service called it (e.g. a method or event name, `"reply"`, `"close 4006"`).
    pub name: String,
    /// The payload as the service recorded it (secrets redacted), cut at
    /// [`MAX_LOGGED_PAYLOAD`] bytes.
    pub payload: String,
}

/// What a connection's handshake carried, as the service chose to record it (never a
/// secret: a token is only recorded as present).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Handshake {
    /// The client id it identified with (header or query parameter), if any.
    pub client_id: Option<String>,
    /// Whether it sent credentials (e.g. an `Authorization` header); never the credentials.
    pub has_authorization: bool,
    /// Other non-secret handshake details by name (e.g. a header, the chosen subprotocol).
    pub details: BTreeMap<String, String>,
}

/// A connection as the hub knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionInfo {
    /// Its number.
    pub id: ConnId,
    /// The path it connected to.
    pub path: String,
    /// What its handshake carried.
    pub handshake: Handshake,
    /// Whether it is still open.
    pub open: bool,
    /// The close code and reason the server sent, if it closed it.
    pub closed_with: Option<(u16, String)>,
}

struct Conn {
    info: ConnectionInfo,
    queue: Option<mpsc::Sender<Outbound>>,
    frames: VecDeque<LoggedFrame>,
}

#[derive(Default)]
struct Inner {
    next_id: ConnId,
    next_seq: u64,
    conns: BTreeMap<ConnId, Conn>,
    /// Paths refusing new connections (`"*"` for every path).
    refused: BTreeSet<String>,
}

/// The connections, logs, faults and refusals of one websocket service (see the module docs).
#[derive(Default)]
pub struct WsHub {
    inner: Mutex<Inner>,
    faults: Mutex<FrameFaults>,
    /// The spec every frame sent is held to, once the service set it (see
    /// [`WsHub::check_frames`]).
    contract: OnceLock<(Arc<FrameContract>, Violations)>,
}

impl std::fmt::Debug for WsHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = lock(&self.inner);
        f.debug_struct("WsHub").field("connections", &inner.conns.len()).finish_non_exhaustive()
    }
}

fn trim(path: &str) -> &str {
    let t = path.trim_end_matches('/');
    if t.is_empty() { "/" } else { t }
}

/// What the log records of a frame.
fn logged_form(frame: &Outbound) -> String {
    match frame {
        Outbound::Text(t) => t.clone(),
        Outbound::Binary(b) => format!("<{} binary bytes>", b.len()),
        Outbound::Close { code, reason } => format!("{code} {reason}"),
        Outbound::Drop => String::new(),
    }
}

fn cut(payload: &str) -> String {
    let mut end = payload.len().min(MAX_LOGGED_PAYLOAD);
    while !payload.is_char_boundary(end) {
        end -= 1;
    }
    payload[..end].to_owned()
}

impl WsHub {
    /// Makes `path` (`"*"`: every path) refuse new connections (`on`) or accept them again.
    pub fn refuse(&self, path: &str, on: bool) {
        let mut inner = lock(&self.inner);
        let key = if path == "*" { "*".to_owned() } else { trim(path).to_owned() };
        if on {
            inner.refused.insert(key);
        } else {
            inner.refused.remove(&key);
        }
    }

    /// Whether `path` refuses new connections.
    pub fn refuses(&self, path: &str) -> bool {
        let inner = lock(&self.inner);
        inner.refused.contains("*") || inner.refused.contains(trim(path))
    }

    /// Registers a new connection on `path` and hands out its outbound queue; `None` when
    /// the path refuses connections or [`MAX_OPEN`] are open.
    pub fn open(&self, path: &str, handshake: Handshake) -> Option<(ConnId, mpsc::Receiver<Outbound>)> {
        if self.refuses(path) {
            return None;
        }
        let mut inner = lock(&self.inner);
        if inner.conns.values().filter(|c| c.info.open).count() >= MAX_OPEN {
            return None;
        }
        inner.next_id += 1;
        let id = inner.next_id;
        let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
        let info = ConnectionInfo { id, path: trim(path).to_owned(), handshake, open: true, closed_with: None };
        inner.conns.insert(id, Conn { info, queue: Some(tx), frames: VecDeque::new() });
        Some((id, rx))
    }

    /// Appends an entry to connection `id`'s log.
    pub fn log(&self, id: ConnId, direction: FrameDirection, name: &str, payload: &str) {
        let mut inner = lock(&self.inner);
        inner.next_seq += 1;
        let seq = inner.next_seq;
        if let Some(conn) = inner.conns.get_mut(&id) {
            if conn.frames.len() >= MAX_LOGGED_FRAMES {
                conn.frames.pop_front();
            }
            conn.frames.push_back(LoggedFrame { seq, direction, name: name.to_owned(), payload: cut(payload) });
        }
    }

    /// Holds every frame sent from now on (but those of [`send_as_is`](Self::send_as_is))
    /// to `contract`: a frame it does not allow is recorded in `violations` and replaced by a
    /// close with `1011` (see [`frame_contract`](crate::core::frame_contract)). Set once;
    /// later calls change nothing.
    pub fn check_frames(&self, contract: Arc<FrameContract>, violations: Violations) {
        let _ = self.contract.set((contract, violations));
    }

    /// Logs `frame` as `name` (sent by the server) and queues it on connection `id`;
    /// `false` when the connection is gone. A client whose queue is full is dropped.
    pub fn send(&self, id: ConnId, name: &str, frame: Outbound) -> bool {
        let logged = logged_form(&frame);
        self.send_logged_as(id, name, &logged, frame)
    }

    /// [`send`](Self::send), logging `logged` as the payload (e.g. the JSON a compressed
    /// binary frame carries, which is also what the contract check reads).
    pub fn send_logged_as(&self, id: ConnId, name: &str, logged: &str, frame: Outbound) -> bool {
        let data = matches!(frame, Outbound::Text(_) | Outbound::Binary(_));
        if let (Some((contract, violations)), true) = (self.contract.get(), data)
            && let Err(problem) = contract.check(logged)
        {
            violations.record(format!("websocket frame `{name}` on connection {id}: {problem}"));
            let close =
                Outbound::Close { code: 1011, reason: "sandbox contract violation (see the sandbox's log)".into() };
            return self.enqueue(id, "close 1011", &logged_form(&close), close);
        }
        self.enqueue(id, name, logged, frame)
    }

    /// [`send`](Self::send) without the contract check: for test hooks that send what the
    /// spec does not describe on purpose (a malformed frame, an undocumented event).
    pub fn send_as_is(&self, id: ConnId, name: &str, frame: Outbound) -> bool {
        let logged = logged_form(&frame);
        self.enqueue(id, name, &logged, frame)
    }

    /// [`send_as_is`](Self::send_as_is), logging `logged` as the payload.
    pub fn send_as_is_logged_as(&self, id: ConnId, name: &str, logged: &str, frame: Outbound) -> bool {
        self.enqueue(id, name, logged, frame)
    }

    fn enqueue(&self, id: ConnId, name: &str, logged: &str, frame: Outbound) -> bool {
        let queue = {
            let inner = lock(&self.inner);
            inner.conns.get(&id).and_then(|c| c.queue.clone())
        };
        let Some(queue) = queue else { return false };
        self.log(id, FrameDirection::ToClient, name, logged);
        match queue.try_send(frame) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                // The client does not read: forget its queue, so its session loop ends.
                if let Some(c) = lock(&self.inner).conns.get_mut(&id) {
                    c.queue = None;
                }
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    /// Ends every open connection on `path` (`None`: on every path) without a close frame,
    /// after what is already queued for it; how many.
    pub fn drop_connections(&self, path: Option<&str>) -> usize {
        self.open_connections(path).into_iter().filter(|id| self.send(*id, "drop", Outbound::Drop)).count()
    }

    /// Closes connection `id` with `code` and `reason` (after what is queued); `false`
    /// when it is gone.
    pub fn close(&self, id: ConnId, code: u16, reason: &str) -> bool {
        self.send(id, &format!("close {code}"), Outbound::Close { code, reason: reason.to_owned() })
    }

    /// The open connections on `path` (`None`: every path), oldest first.
    pub fn open_connections(&self, path: Option<&str>) -> Vec<ConnId> {
        lock(&self.inner)
            .conns
            .values()
            .filter(|c| c.info.open && path.is_none_or(|p| trim(p) == c.info.path))
            .map(|c| c.info.id)
            .collect()
    }

    /// Every known connection (open, and the last [`KEEP_CLOSED`] closed), oldest first.
    pub fn connections(&self) -> Vec<ConnectionInfo> {
        lock(&self.inner).conns.values().map(|c| c.info.clone()).collect()
    }

    /// Connection `id`'s log, in order (empty for an unknown connection).
    pub fn frames(&self, id: ConnId) -> Vec<LoggedFrame> {
        lock(&self.inner).conns.get(&id).map(|c| c.frames.iter().cloned().collect()).unwrap_or_default()
    }

    /// Adds a frame fault (see [`FrameFaults::inject`]).
    pub fn inject(&self, fault: FrameFault) {
        lock(&self.faults).inject(fault);
    }

    /// Removes every frame fault.
    pub fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    fn take_fault(&self, path: &str, direction: FrameDirection, payload: &[u8]) -> Option<FrameAction> {
        lock(&self.faults).take(path, direction, payload)
    }

    /// Marks connection `id` closed (with the close it was sent, if any) and forgets the
    /// oldest closed connections beyond [`KEEP_CLOSED`].
    fn closed(&self, id: ConnId, closed_with: Option<(u16, String)>) {
        let mut inner = lock(&self.inner);
        if let Some(c) = inner.conns.get_mut(&id) {
            c.info.open = false;
            c.info.closed_with = closed_with;
            c.queue = None;
        }
        let closed: Vec<ConnId> = inner.conns.values().filter(|c| !c.info.open).map(|c| c.info.id).collect();
        for old in closed.iter().take(closed.len().saturating_sub(KEEP_CLOSED)) {
            inner.conns.remove(old);
        }
    }
}

/// A protocol's side of one connection.
pub trait WsSession: Send {
    /// A frame arrived (after the frame faults).
    fn on_frame(&mut self, frame: Inbound);
    /// The connection ended (either side, or dropped).
    fn on_close(&mut self) {}
}

/// How the loop goes on after a frame.
enum Step {
    Continue,
    End(Option<(u16, String)>),
}

/// The frame fault for `payload` going `direction`, applied: `Ok` with the payload to go on
/// with (delayed or corrupted as told), or `Err` with how the loop goes on instead.
async fn apply_fault(hub: &WsHub, path: &str, direction: FrameDirection, payload: Vec<u8>) -> Result<Vec<u8>, Step> {
    match hub.take_fault(path, direction, &payload) {
        None => Ok(payload),
        Some(FrameAction::Drop) => Err(Step::Continue),
        Some(FrameAction::Delay(d)) => {
            tokio::time::sleep(d).await;
            Ok(payload)
        }
        Some(FrameAction::Corrupt) => Ok(corrupt(&payload)),
        // The close frame goes out after the hub and the session wrapped up (see [`run`]).
        Some(FrameAction::Close { code, reason }) => Err(Step::End(Some((code, reason)))),
    }
}

async fn deliver(socket: &mut WebSocket, hub: &WsHub, path: &str, frame: Outbound) -> Step {
    let (payload, binary) = match frame {
        Outbound::Text(t) => (t.into_bytes(), false),
        Outbound::Binary(b) => (b, true),
        Outbound::Close { code, reason } => return Step::End(Some((code, reason))),
        Outbound::Drop => return Step::End(None),
    };
    let payload = match apply_fault(hub, path, FrameDirection::ToClient, payload).await {
        Ok(payload) => payload,
        Err(step) => return step,
    };
    let message = if binary {
        Message::Binary(payload.into())
    } else {
        // Text payloads stay valid UTF-8 (corrupt() cuts at a character boundary).
        Message::Text(String::from_utf8_lossy(&payload).into_owned().into())
    };
    match socket.send(message).await {
        Ok(()) => Step::Continue,
        Err(_) => Step::End(None),
    }
}

async fn receive(hub: &WsHub, path: &str, frame: Inbound, session: &mut dyn WsSession) -> Step {
    let (payload, binary) = match frame {
        Inbound::Text(t) => (t.into_bytes(), false),
        Inbound::Binary(b) => (b, true),
    };
    let payload = match apply_fault(hub, path, FrameDirection::ToServer, payload).await {
        Ok(payload) => payload,
        Err(step) => return step,
    };
    session.on_frame(if binary {
        Inbound::Binary(payload)
    } else {
        Inbound::Text(String::from_utf8_lossy(&payload).into_owned())
    });
    Step::Continue
}

/// Drives connection `id` of `hub` on `socket` until either side ends it: frames queued with
/// [`WsHub::send`] go out in order, received frames go to `session`, the frame faults apply
/// both ways. Websocket pings are answered by the websocket layer itself. When the server
/// closes, the connection is marked closed and [`WsSession::on_close`] runs before the
/// close frame is sent.
pub async fn run(
    mut socket: WebSocket,
    hub: &WsHub,
    id: ConnId,
    mut queue: mpsc::Receiver<Outbound>,
    session: &mut dyn WsSession,
) {
    let path = lock(&hub.inner).conns.get(&id).map(|c| c.info.path.clone()).unwrap_or_default();
    let ended = loop {
        let step = tokio::select! {
            // Queued frames first: what a service queued before a client's next frame goes out
            // before that frame is handled.
            biased;
            out = queue.recv() => match out {
                Some(frame) => deliver(&mut socket, hub, &path, frame).await,
                None => Step::End(None),
            },
            msg = socket.recv() => match msg {
                Some(Ok(Message::Text(t))) => receive(hub, &path, Inbound::Text(t.as_str().to_owned()), session).await,
                Some(Ok(Message::Binary(b))) => receive(hub, &path, Inbound::Binary(b.to_vec()), session).await,
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => Step::Continue,
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => Step::End(None),
            },
        };
        if let Step::End(closed_with) = step {
            break closed_with;
        }
    };
    // The bookkeeping comes before the close frame, so a client that sees the close also
    // sees the server's state after it (e.g. the session's subscriptions gone).
    hub.closed(id, ended.clone());
    session.on_close();
    if let Some((code, reason)) = ended {
        let _ = socket.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_per_path_or_global() {
        let hub = WsHub::default();
        hub.refuse("/a/", true);
        assert!(hub.refuses("/a") && !hub.refuses("/b"));
        hub.refuse("*", true);
        assert!(hub.refuses("/b"));
        hub.refuse("*", false);
        hub.refuse("/a", false);
        assert!(hub.open("/a", Handshake::default()).is_some());
    }

    #[test]
    fn a_full_queue_drops_the_connection_and_logs_stay_bounded() {
        let hub = WsHub::default();
        let (id, _rx) = hub.open("/s", Handshake { client_id: Some("cid".into()), ..Handshake::default() }).unwrap();
        for _ in 0..QUEUE_CAPACITY {
            assert!(hub.send(id, "x", Outbound::Text("{}".into())));
        }
        assert!(!hub.send(id, "x", Outbound::Text("{}".into())), "the client does not read");
        assert!(!hub.send(id, "x", Outbound::Text("{}".into())), "its queue is gone");
        let long = "é".repeat(MAX_LOGGED_PAYLOAD);
        hub.log(id, FrameDirection::ToServer, "long", &long);
        let last = hub.frames(id).pop().unwrap();
        assert!(last.payload.len() <= MAX_LOGGED_PAYLOAD && last.payload.starts_with('é'));
        assert_eq!(hub.connections()[0].handshake.client_id.as_deref(), Some("cid"));
    }

    #[test]
    fn closed_connections_are_forgotten_oldest_first() {
        let hub = WsHub::default();
        let ids: Vec<ConnId> = (0..KEEP_CLOSED + 2).map(|_| hub.open("/s", Handshake::default()).unwrap().0).collect();
        for id in &ids {
            hub.closed(*id, Some((1000, "bye".into())));
        }
        let kept = hub.connections();
        assert_eq!(kept.len(), KEEP_CLOSED);
        assert_eq!(kept[0].id, ids[2]);
        assert_eq!(kept[0].closed_with, Some((1000, "bye".into())));
        assert!(hub.open_connections(None).is_empty());
    }
}
