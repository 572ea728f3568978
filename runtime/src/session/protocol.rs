//! [`Protocol`]: what a service tells the session about its frames, its keep-alive, its close
//! codes and how to re-establish its state after a (re)connect.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::Value;

use super::link::Link;
use super::reply::ReplyError;
use crate::Error;

/// A message-driven protocol carried by a [`Session`](super::Session). A service implements
/// it beside its generated message types; the session supplies the connection, the ids, the
/// correlation, the timeouts, the keep-alive, the reconnects and the bounds.
///
/// Only [`Protocol::encode_call`] and [`Protocol::classify`] are required; every other method
/// has a default that suits a plain JSON request/reply protocol.
///
/// ```
/// use serde_json::{Value, json};
/// use streamkit_runtime::Error;
/// use streamkit_runtime::session::{Incoming, Protocol, ReplyError};
///
/// /// `{"id": 1, "call": "add", "args": [1, 2]}` → `{"id": 1, "ok": 3}` or `{"id": 1, "err": ..}`;
/// /// anything with an `event` field is an event.
/// struct Calc;
///
/// impl Protocol for Calc {
///     const NAME: &'static str = "calc";
///     type Event = Value;
///
///     fn encode_call(&self, id: u64, method: &str, params: &Value) -> Result<String, Error> {
///         Ok(json!({ "id": id, "call": method, "args": params }).to_string())
///     }
///
///     fn classify(&self, frame: &str) -> Incoming<Value> {
///         let Ok(v) = serde_json::from_str::<Value>(frame) else { return Incoming::malformed("not JSON") };
///         match (v.get("id").and_then(Value::as_u64), v.get("event")) {
///             (Some(id), _) => match v.get("err") {
///                 Some(err) => Incoming::Reply { id, outcome: Err(ReplyError::from_value(err.clone())) },
///                 None => Incoming::Reply { id, outcome: Ok(v.get("ok").cloned().unwrap_or(Value::Null)) },
///             },
///             (None, Some(_)) => Incoming::Event(v),
///             (None, None) => Incoming::Ignore,
///         }
///     }
/// }
///
/// let frame = Calc.encode_call(7, "add", &json!([1, 2])).unwrap();
/// assert_eq!(frame, r#"{"args":[1,2],"call":"add","id":7}"#);
/// assert!(matches!(Calc.classify(r#"{"id":7,"ok":3}"#), Incoming::Reply { id: 7, outcome: Ok(_) }));
/// assert!(matches!(Calc.classify("{"), Incoming::Invalid(_)));
/// ```
pub trait Protocol: Send + Sync + Sized + 'static {
    /// A short name for spans and error messages (`"chat"`, `"live-events"`).
    const NAME: &'static str;

    /// What the peer sends unasked. Cloned when a re-establishment hook is waiting for events
    /// (it sees a copy; the session's event stream gets the original).
    type Event: Clone + Send + std::fmt::Debug + 'static;

    /// The frame carrying call `id` of `method` with `params` (the [`Method`](super::Method)
    /// value as JSON).
    fn encode_call(&self, id: u64, method: &str, params: &Value) -> Result<String, Error>;

    /// What an incoming (text, or decompressed) frame is. Never fails: a frame the protocol
    /// cannot read is [`Incoming::Invalid`], reported on the event stream, and the session
    /// goes on.
    fn classify(&self, frame: &str) -> Incoming<Self::Event>;

    /// How the session keeps the connection alive and finds out it is dead. Read again after
    /// every re-establishment, so a protocol can adopt a figure the server announced (a
    /// keep-alive timeout in a welcome message).
    fn keep_alive(&self) -> KeepAlive {
        KeepAlive::default()
    }

    /// What to do when the connection ends with this close code (`None`: no close frame, the
    /// connection dropped).
    fn on_close(&self, code: Option<u16>) -> CloseAction {
        default_close_action(code)
    }

    /// Whether a call of `method` still waiting for its reply when the connection was lost
    /// may be sent again on the next connection (a read, a subscription that is idempotent).
    /// The others fail with [`ProtocolErrorKind::Interrupted`](crate::ProtocolErrorKind::Interrupted).
    fn resend_safe(&self, method: &str) -> bool {
        let _ = method;
        false
    }

    /// Per-message gzip, when the protocol (or the negotiated subprotocol) uses it.
    fn compression(&self) -> Compression {
        Compression::default()
    }

    /// Runs after every connect and reconnect, before the session is usable: the calls made
    /// through `link` are sent, and events arriving meanwhile are offered to it, while calls
    /// made on the [`Session`](super::Session) wait in its queue. Wait for a welcome, authenticate
    /// again, re-subscribe. An error closes this connection and counts as a failed attempt.
    ///
    /// The default does nothing.
    fn reestablish(self: Arc<Self>, link: Link<Self>) -> BoxFuture<'static, Result<(), Error>> {
        let _ = link;
        Box::pin(async { Ok(()) })
    }
}

/// What an incoming frame is, as [`Protocol::classify`] reads it.
#[derive(Debug)]
#[non_exhaustive]
pub enum Incoming<E> {
    /// The reply to call `id`: its result, or the error the peer reported.
    Reply {
        /// The id the call was sent with.
        id: u64,
        /// The reply's result value, or its error.
        outcome: Result<Value, ReplyError>,
    },
    /// An event.
    Event(E),
    /// A protocol-level keep-alive (a heartbeat message); it only proves the peer is there.
    KeepAlive,
    /// Something to ignore (a frame type the client has no use for).
    Ignore,
    /// The peer asks the client to move to another URL (a server-initiated reconnect). The
    /// session connects there and runs the hook (with [`Cause::Moved`](super::Cause::Moved))
    /// while the old connection stays open and keeps delivering; once the hook succeeds the
    /// old one is closed and calls still pending on it are resent or fail as after a loss.
    MoveTo {
        /// The URL to connect to (the session's headers and subprotocols apply).
        url: String,
    },
    /// A frame the protocol cannot read, or a known message whose payload breaks its schema.
    /// The session reports it on its event stream and goes on.
    Invalid(Error),
}

impl<E> Incoming<E> {
    /// An [`Incoming::Invalid`] for a frame that breaks the protocol, saying why.
    pub fn malformed(reason: impl Into<String>) -> Self {
        Incoming::Invalid(Error::protocol(crate::ProtocolErrorKind::Violation, reason))
    }
}

/// What the session does when a connection ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseAction {
    /// Reconnect (with backoff) and re-establish.
    Reconnect,
    /// End the session: the close code says that trying again will not help.
    Fatal,
}

/// The default close policy: reconnect when the connection dropped without a close frame and
/// on the codes that mean "going away / try again" (1001, 1006, 1011, 1012, 1013, 1014); end
/// the session on every other code (a normal close, a policy violation, an oversized
/// message, any application code 4000-4999 the protocol does not claim).
///
/// ```
/// use streamkit_runtime::session::{CloseAction, default_close_action};
/// assert_eq!(default_close_action(None), CloseAction::Reconnect);
/// assert_eq!(default_close_action(Some(1012)), CloseAction::Reconnect);
/// assert_eq!(default_close_action(Some(1000)), CloseAction::Fatal);
/// assert_eq!(default_close_action(Some(4003)), CloseAction::Fatal);
/// ```
pub fn default_close_action(code: Option<u16>) -> CloseAction {
    match code {
        None | Some(1001 | 1006 | 1011 | 1012 | 1013 | 1014) => CloseAction::Reconnect,
        Some(_) => CloseAction::Fatal,
    }
}

/// How a session keeps its connection alive.
#[derive(Debug, Clone, PartialEq)]
pub struct KeepAlive {
    /// After this much inbound silence the session sends [`KeepAlive::ping`].
    pub idle: Duration,
    /// If nothing at all arrives within this long after the ping (or, with
    /// [`KeepAlivePing::None`], after `idle`), the connection is taken for dead and the
    /// session reconnects.
    pub timeout: Duration,
    /// What to send.
    pub ping: KeepAlivePing,
}

impl Default for KeepAlive {
    /// A websocket ping after 30 s of silence; dead 10 s later without any answer.
    fn default() -> Self {
        KeepAlive { idle: Duration::from_secs(30), timeout: Duration::from_secs(10), ping: KeepAlivePing::WebSocket }
    }
}

/// What a session sends to find out whether the peer is still there.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum KeepAlivePing {
    /// A websocket ping frame (the peer's pong, or anything else, answers it).
    WebSocket,
    /// A call of the protocol's own (a `ping` method); its reply, or anything else, answers it.
    Call {
        /// The method name.
        method: String,
        /// Its parameters.
        params: Value,
    },
    /// Nothing: the peer sends keep-alives of its own and silence for `idle + timeout` means
    /// the connection is dead.
    None,
}

/// Per-message gzip: which frames are (de)compressed, and the bound on inflating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compression {
    /// Binary frames starting with the gzip magic (`1f 8b`) are gunzipped before
    /// [`Protocol::classify`] sees them.
    pub inflate_incoming: bool,
    /// The largest decompressed frame accepted (bytes); a larger one (a gzip bomb) closes the
    /// connection like an oversized frame. Capped by the session's own frame limit.
    pub max_inflated: usize,
    /// Outgoing frames longer than this (bytes) are sent gzipped as binary frames.
    pub deflate_above: Option<usize>,
}

impl Default for Compression {
    /// No compression.
    fn default() -> Self {
        Compression { inflate_incoming: false, max_inflated: 1 << 20, deflate_above: None }
    }
}
