//! [`SessionEvent`]: what a session's event stream yields — the protocol's events and what
//! happened to the connection — and [`Closed`], how a session ended.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::Stream;
use tokio::sync::mpsc;

use crate::{Error, ProtocolErrorKind};

/// One item of a session's event stream.
#[derive(Debug)]
#[non_exhaustive]
pub enum SessionEvent<E> {
    /// An event of the protocol.
    Event(E),
    /// A frame the protocol could not read (malformed, or a known message off its schema).
    /// The session goes on.
    Invalid(Error),
    /// The connection ended; the session reconnects unless a [`SessionEvent::Closed`] follows.
    Disconnected {
        /// The close code, when the peer (or the session, for an oversized frame) sent one.
        code: Option<u16>,
        /// The close reason, or what broke the connection.
        reason: String,
    },
    /// The session waits `delay` before reconnect attempt `attempt` (1-based).
    Reconnecting {
        /// Which attempt follows, counting from 1 since the last good connection.
        attempt: u32,
        /// The backoff delay before it.
        delay: Duration,
    },
    /// A new connection is up and re-established (the protocol's hook ran); queued calls go
    /// out now.
    Reconnected {
        /// Which endpoint (index into the session's list) it connected to.
        endpoint: usize,
    },
    /// The session moved to the URL the peer asked for, and closed the old connection.
    Moved {
        /// The new URL, without its query.
        url: String,
    },
    /// The stream's buffer was full: this many events were dropped.
    Lagged {
        /// Events dropped since the last item.
        dropped: u64,
    },
    /// The session ended; the stream ends after this item.
    Closed(Closed),
}

/// How a session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    /// The close code: the peer's (a fatal close), the client's own (1000 for
    /// [`Session::close`](super::Session::close)), or none when the session gave up
    /// reconnecting or every handle was dropped.
    pub code: Option<u16>,
    /// The close reason, or why the session gave up.
    pub reason: String,
    /// Whether the client ended it ([`Session::close`](super::Session::close), or dropping
    /// every handle).
    pub by_client: bool,
}

impl Closed {
    /// The error calls get once the session has ended this way.
    pub fn to_error(&self) -> Error {
        match (self.by_client, self.code) {
            (false, Some(code)) => Error::protocol(ProtocolErrorKind::Closed { code }, self.reason.clone()),
            _ => Error::protocol(ProtocolErrorKind::Ended, self.reason.clone()),
        }
    }
}

/// A session's events, as a [`Stream`]. It ends after [`SessionEvent::Closed`].
#[derive(Debug)]
pub struct EventStream<E> {
    pub(crate) rx: mpsc::Receiver<SessionEvent<E>>,
}

impl<E> Stream for EventStream<E> {
    type Item = SessionEvent<E>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}
