//! A server-initiated move ([`Incoming::MoveTo`](super::Incoming::MoveTo)) in progress: the new
//! connection being opened and re-established while the old one keeps serving.

use futures::StreamExt;
use futures::future::BoxFuture;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use super::call::CallRequest;
use super::driver::Ws;
use crate::Error;

/// The hook's future, bounded by the re-establishment timeout.
pub(crate) type HookFuture = BoxFuture<'static, Result<Result<(), Error>, tokio::time::error::Elapsed>>;

/// The new connection of a move.
pub(crate) struct Moving<E> {
    /// The URL moved to, for logs and the `Moved` event (query stripped).
    pub(crate) shown: String,
    /// Opening the connection; `None` once it is open.
    pub(crate) connecting: Option<BoxFuture<'static, Result<Ws, String>>>,
    pub(crate) ws: Option<Ws>,
    pub(crate) hook: Option<HookFuture>,
    pub(crate) hook_calls: Option<mpsc::Receiver<CallRequest>>,
    pub(crate) hook_events: Option<mpsc::Sender<E>>,
    /// The connection number its calls are recorded under.
    pub(crate) conn: u64,
}

/// What happened on the new connection.
pub(crate) enum MoveStep {
    Opened(Result<Ws, String>),
    Inbound(Option<Result<Message, WsError>>),
    HookDone(Result<Result<(), Error>, tokio::time::error::Elapsed>),
    HookCall(CallRequest),
}

impl<E> Moving<E> {
    /// Waits for the next thing to happen on the new connection.
    pub(crate) async fn next(&mut self) -> MoveStep {
        if let Some(connecting) = self.connecting.as_mut() {
            let opened = connecting.await;
            self.connecting = None;
            return MoveStep::Opened(opened);
        }
        let Some(ws) = self.ws.as_mut() else { return std::future::pending().await };
        let hook = self.hook.as_mut();
        let calls = self.hook_calls.as_mut();
        // The hook first: once it is done the new connection takes over, and what it already
        // carries beyond the re-establishment must wait until the old connection's last
        // frames (still in flight when it is retired) are delivered, or it would overtake
        // them. Frames it needs meanwhile are read while it is still pending.
        tokio::select! {
            biased;
            done = async { match hook { Some(h) => h.await, None => std::future::pending().await } } => {
                self.hook = None;
                MoveStep::HookDone(done)
            }
            Some(call) = async { match calls { Some(c) => c.recv().await, None => std::future::pending().await } } => MoveStep::HookCall(call),
            inbound = ws.next() => MoveStep::Inbound(inbound),
        }
    }
}
