//! Message-driven sessions over websockets: the transport-neutral contract a protocol
//! implements beside its generated types ([`Method`], [`Protocol`]) and the [`Session`] that
//! carries it.
//!
//! Nothing here knows a service: a protocol (a chat socket, a live-event socket, a
//! notification socket) plugs in by implementing [`Protocol`]: how a call is framed, what an
//! incoming frame is, its keep-alive, which close codes are final, which calls may be resent,
//! per-message gzip, and the hook that re-establishes its state after every (re)connect. The
//! [`Session`] does the rest: endpoints in order with fallback, headers (secret ones never
//! shown), ids and reply correlation with a timeout per call, events as a stream, keep-alive,
//! reconnects with exponential backoff and jitter, a bounded send queue with back-pressure,
//! bounded frames, and a clean close. See `docs/realtime.md`.
//!
//! * [`protocol`](Protocol): the contract; [`Incoming`], [`ReplyError`], [`KeepAlive`],
//!   [`CloseAction`], [`Compression`].
//! * [`SessionBuilder`] → [`Session`]: calls, [`EventStream`] of [`SessionEvent`]s, [`Closed`].
//! * [`Link`]: what the re-establishment hook calls through.
//! * [`Connector`]: how bytes get to an endpoint ([`TcpConnector`]; [`MemoryNetwork`] for tests).
//! * [`Backoff`] and [`Jitter`]: reconnect delays, reproducible in tests.
//! * [`RecentIds`]: bounded duplicate detection for protocols with message ids.

mod backoff;
mod call;
mod config;
mod connector;
mod driver;
mod event;
mod gzip;
mod handle;
mod handshake;
mod json_frames;
mod link;
mod memory;
mod method;
mod moving;
mod protocol;
mod reply;

/// Re-exported from [`crate::recent_ids`], where it lives since webhooks use it too.
pub use crate::recent_ids::RecentIds;
pub use backoff::{Backoff, Jitter, RandomJitter};
pub use config::SessionConfig;
pub use connector::{BoxIo, Connector, Io, TcpConnector};
pub use event::{Closed, EventStream, SessionEvent};
pub use handle::{Session, SessionBuilder};
pub use json_frames::JsonFrames;
pub use link::{Cause, Link};
pub use memory::{MemoryConnector, MemoryListener, MemoryNetwork};
pub use method::Method;
pub use protocol::{CloseAction, Compression, Incoming, KeepAlive, KeepAlivePing, Protocol, default_close_action};
pub use reply::ReplyError;
/// The websocket library sessions run on (the same version), for servers in tests and for
/// protocols that look at close codes or messages.
pub use tokio_tungstenite::{self, tungstenite};
