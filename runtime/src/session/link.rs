//! [`Link`]: what the protocol's re-establishment hook gets — calls that go out before the
//! session's queued ones, and the events arriving while it runs.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{Mutex, mpsc, oneshot};

use super::call::{self, CallRequest};
use super::method::Method;
use super::protocol::Protocol;
use super::reply::ReplyError;
use crate::{Error, ProtocolErrorKind};

/// Calls a hook may have queued at once.
const LINK_CALLS: usize = 16;
/// Events buffered for a hook that is not reading them (past it they reach only the stream).
const LINK_EVENTS: usize = 64;

/// The hook's handle on the connection being re-established. Calls made through it are sent
/// at once (the session's own callers wait until the hook is done); events are offered to it
/// as well as to the session's event stream. Valid for one connection: once the hook has
/// finished, [`Link::next_event`] ends.
pub struct Link<P: Protocol> {
    pub(crate) calls: mpsc::Sender<CallRequest>,
    pub(crate) events: Arc<Mutex<mpsc::Receiver<P::Event>>>,
    pub(crate) call_timeout: Duration,
    pub(crate) cause: Cause,
}

/// Why the hook runs: what the protocol must restore differs (a server-initiated move keeps
/// the peer's state, a reconnect does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cause {
    /// The session's first connection.
    First,
    /// A new connection after the previous one was lost.
    Reconnect,
    /// A connection to the URL the peer asked the session to move to
    /// ([`Incoming::MoveTo`](super::Incoming::MoveTo)); the old connection is still open and
    /// is closed once this hook succeeds.
    Moved,
}

impl<P: Protocol> Clone for Link<P> {
    fn clone(&self) -> Self {
        Link {
            calls: self.calls.clone(),
            events: self.events.clone(),
            call_timeout: self.call_timeout,
            cause: self.cause,
        }
    }
}

impl<P: Protocol> std::fmt::Debug for Link<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Link").field("protocol", &P::NAME).finish_non_exhaustive()
    }
}

impl<P: Protocol> Link<P> {
    /// Why this hook runs.
    pub fn cause(&self) -> Cause {
        self.cause
    }

    pub(crate) fn new(
        cause: Cause,
        call_timeout: Duration,
    ) -> (Self, mpsc::Receiver<CallRequest>, mpsc::Sender<P::Event>) {
        let (calls, calls_rx) = mpsc::channel(LINK_CALLS);
        let (events_tx, events) = mpsc::channel(LINK_EVENTS);
        (Link { calls, events: Arc::new(Mutex::new(events)), call_timeout, cause }, calls_rx, events_tx)
    }

    /// Calls `method` and decodes its reply.
    pub async fn call<M: Method>(&self, method: &M) -> Result<M::Reply, Error> {
        let params = call::params(method)?;
        let value = self.call_raw(M::NAME, params).await?;
        call::decode::<M>(value)
    }

    /// Calls `method` with JSON `params`; a reply error becomes an [`Error`].
    pub async fn call_raw(&self, method: &str, params: Value) -> Result<Value, Error> {
        self.call_raw_outcome(method, params).await?.map_err(|e| e.into_error(method))
    }

    /// Calls `method`, keeping a reply error as the peer sent it.
    pub async fn call_raw_outcome(&self, method: &str, params: Value) -> Result<Result<Value, ReplyError>, Error> {
        let (tx, rx) = oneshot::channel();
        let request = CallRequest::new(method, params, tx);
        let send = async {
            self.calls
                .send(request)
                .await
                .map_err(|_| Error::protocol(ProtocolErrorKind::Ended, "the session ended during re-establishment"))?;
            rx.await.map_err(|_| {
                Error::protocol(ProtocolErrorKind::Interrupted, "the connection being re-established was lost")
            })?
        };
        tokio::time::timeout(self.call_timeout, send).await.map_err(|_| call::timeout(method, self.call_timeout))?
    }

    /// The next event on this connection. Errs once the hook is over or the connection is lost.
    pub async fn next_event(&self) -> Result<P::Event, Error> {
        self.events
            .lock()
            .await
            .recv()
            .await
            .ok_or_else(|| Error::protocol(ProtocolErrorKind::Interrupted, "no more events for this re-establishment"))
    }

    /// The first event for which `pred` returns `Some`, skipping the others.
    pub async fn wait_for<T>(&self, mut pred: impl FnMut(&P::Event) -> Option<T>) -> Result<T, Error> {
        loop {
            if let Some(found) = pred(&self.next_event().await?) {
                return Ok(found);
            }
        }
    }
}
