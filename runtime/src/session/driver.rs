//! The task behind a [`Session`](super::Session): connects (endpoints in order), runs the
//! protocol's re-establishment hook, sends calls and correlates replies, keeps the connection
//! alive, and on loss fails or carries over the pending calls, backs off and reconnects.
//!
//! One task owns the socket and every piece of state, so nothing is shared or locked: the
//! handles talk to it through bounded channels.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use futures::{SinkExt, StreamExt};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::{Duration, Instant, sleep, sleep_until, timeout};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::frame::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::{Message, WebSocketConfig};
use tokio_tungstenite::tungstenite::{self, Error as WsError};

use super::backoff::Jitter;
use super::call::CallRequest;
use super::config::SessionConfig;
use super::connector::{BoxIo, Connector};
use super::event::{Closed, SessionEvent};
use super::gzip;
use super::handshake::{Handshake, shown_url};
use super::link::{Cause, Link};
use super::moving::{HookFuture, MoveStep, Moving};
use super::protocol::{CloseAction, Compression, Incoming, KeepAlive, KeepAlivePing, Protocol};
use crate::{Error, ProtocolErrorKind};

pub(crate) type Ws = WebSocketStream<BoxIo>;

/// The channels between the handles and the driver.
pub(crate) struct Wiring<E> {
    pub(crate) calls: mpsc::Receiver<CallRequest>,
    pub(crate) events: mpsc::Sender<SessionEvent<E>>,
    pub(crate) close: watch::Receiver<Option<(u16, String)>>,
    pub(crate) ended: watch::Sender<Option<Closed>>,
    /// Never receives: ends (`None`) when the last handle is dropped.
    pub(crate) alive: mpsc::Receiver<()>,
}

/// A call sent and waiting for its reply.
struct Pending {
    call: CallRequest,
    /// The connection it was sent on.
    conn: u64,
    /// A keep-alive ping of the session's own: nobody waits for it and it is never resent.
    internal: bool,
}

/// How a connection ended.
enum End {
    /// The client closed the session (or dropped every handle).
    Client(Closed),
    /// The connection was lost or closed by the peer.
    Lost { code: Option<u16>, reason: String },
    /// Connecting, or the re-establishment hook, failed.
    Failed(Error),
}

/// What one inbound message means for the connection.
enum Flow {
    Continue,
    /// Close the connection with this code (the session's own: an oversized frame).
    CloseWith(u16, String),
    /// The connection is over (the peer closed it, or it broke).
    Over {
        code: Option<u16>,
        reason: String,
        peer_closed: bool,
    },
}

pub(crate) struct Driver<P: Protocol> {
    protocol: Arc<P>,
    endpoints: Vec<String>,
    handshake: Handshake,
    config: SessionConfig,
    connector: Arc<dyn Connector>,
    jitter: Box<dyn Jitter>,
    w: Wiring<P::Event>,
    /// Sent calls by id (ordered, so carried-over calls keep their order).
    pending: BTreeMap<u64, Pending>,
    /// Resend-safe calls lost with a connection, sent first on the next one.
    carry: VecDeque<CallRequest>,
    next_id: u64,
    /// Events dropped because the stream's buffer was full, not yet reported.
    dropped_events: u64,
    compression: Compression,
    /// The number of the connection in use, so calls pending on a connection being replaced
    /// are known.
    conn: u64,
    /// Connections numbered so far.
    opened: u64,
}

impl<P: Protocol> Driver<P> {
    pub(crate) fn new(
        protocol: Arc<P>,
        endpoints: Vec<String>,
        handshake: Handshake,
        config: SessionConfig,
        connector: Arc<dyn Connector>,
        jitter: Box<dyn Jitter>,
        w: Wiring<P::Event>,
    ) -> Self {
        Driver {
            protocol,
            endpoints,
            handshake,
            config,
            connector,
            jitter,
            w,
            pending: BTreeMap::new(),
            carry: VecDeque::new(),
            next_id: 1,
            dropped_events: 0,
            compression: Compression::default(),
            conn: 0,
            opened: 0,
        }
    }

    /// Runs the session until it ends. `ready` hears how the first connection went.
    pub(crate) async fn run(mut self, ready: oneshot::Sender<Result<(), Error>>) {
        let mut ready = Some(ready);
        let mut attempt: u32 = 0;
        let closed = loop {
            let end = match self.connect().await {
                Ok((ws, endpoint)) => self.serve(ws, endpoint, &mut ready, &mut attempt).await,
                Err(e) => End::Failed(e),
            };
            if let End::Client(closed) = end {
                break closed;
            }
            self.fail_or_carry_pending(None);
            match end {
                End::Client(closed) => break closed,
                End::Lost { code, reason } => {
                    tracing::info!(code, reason = %reason, "connection lost");
                    if let Some(ready) = ready.take() {
                        let _ = ready.send(Err(lost_error(code, &reason)));
                        break Closed { code, reason, by_client: false };
                    }
                    self.emit(SessionEvent::Disconnected { code, reason: reason.clone() });
                    if self.protocol.on_close(code) == CloseAction::Fatal {
                        break Closed { code, reason, by_client: false };
                    }
                }
                End::Failed(e) => {
                    tracing::info!(error = %e, "connect or re-establishment failed");
                    if let Some(ready) = ready.take() {
                        let reason = e.to_string();
                        let _ = ready.send(Err(e));
                        break Closed { code: None, reason, by_client: false };
                    }
                }
            }
            attempt = attempt.saturating_add(1);
            if let Some(max) = self.config.backoff.max_attempts
                && attempt > max
            {
                break Closed {
                    code: None,
                    reason: format!("gave up after {max} reconnect attempts"),
                    by_client: false,
                };
            }
            let delay = self.config.backoff.delay(attempt - 1, self.jitter.unit());
            tracing::debug!(attempt, delay_ms = delay.as_millis() as u64, "reconnecting after backoff");
            self.emit(SessionEvent::Reconnecting { attempt, delay });
            tokio::select! {
                _ = sleep(delay) => {}
                _ = self.w.close.changed() => {
                    let (code, reason) = self.w.close.borrow().clone().unwrap_or((1000, String::new()));
                    break Closed { code: Some(code), reason, by_client: true };
                }
                _ = self.w.alive.recv() => break Closed { code: None, reason: "every handle was dropped".into(), by_client: true },
            }
        };
        self.finish(closed);
    }

    /// Tries each endpoint in order; the first whose connect and handshake succeed wins.
    async fn connect(&mut self) -> Result<(Ws, usize), Error> {
        let mut failures = Vec::new();
        for (index, url) in self.endpoints.iter().enumerate() {
            let shown = shown_url(url);
            match open(&self.handshake, &*self.connector, &self.config, url).await {
                Ok(ws) => {
                    tracing::info!(endpoint = index, url = shown, "connected");
                    return Ok((ws, index));
                }
                Err(reason) => {
                    tracing::debug!(endpoint = index, url = shown, reason = %reason, "endpoint failed");
                    failures.push(format!("{shown}: {reason}"));
                }
            }
        }
        Err(Error::protocol(ProtocolErrorKind::Connect, failures.join("; ")))
    }

    /// The hook for a new connection, with its call and event channels.
    fn hook(&self, cause: Cause) -> (HookFuture, mpsc::Receiver<CallRequest>, mpsc::Sender<P::Event>) {
        let (link, calls, events) = Link::<P>::new(cause, self.config.call_timeout);
        let hook = timeout(self.config.reestablish_timeout, self.protocol.clone().reestablish(link));
        (Box::pin(hook), calls, events)
    }

    /// Runs one connection: the hook first (only its calls go out), then the session's calls.
    async fn serve(
        &mut self,
        mut ws: Ws,
        endpoint: usize,
        ready: &mut Option<oneshot::Sender<Result<(), Error>>>,
        attempt: &mut u32,
    ) -> End {
        self.compression = self.protocol.compression();
        self.opened += 1;
        self.conn = self.opened;
        let cause = if ready.is_some() { Cause::First } else { Cause::Reconnect };
        let (hook_future, hook_rx, hook_tx) = self.hook(cause);
        let mut hook = Some(hook_future);
        let mut hook_calls = Some(hook_rx);
        let mut hook_events = Some(hook_tx);
        let mut moving: Option<Moving<P::Event>> = None;
        let mut keep_alive = self.protocol.keep_alive();
        let mut last_inbound = Instant::now();
        let mut ping_sent: Option<Instant> = None;

        loop {
            let usable = hook.is_none();
            let room = self.has_room();
            if usable
                && room
                && let Some(call) = self.carry.pop_front()
            {
                if let Err(end) = self.send_call(&mut ws, call, false, self.conn).await {
                    return end;
                }
                continue;
            }
            let alarm = keep_alive_alarm(&keep_alive, last_inbound, ping_sent);
            tokio::select! {
                biased;
                _ = self.w.close.changed() => {
                    let request = self.w.close.borrow().clone().unwrap_or((1000, String::new()));
                    return self.close_connection(ws, request).await;
                }
                _ = self.w.alive.recv() => {
                    return self.close_connection(ws, (1000, "every handle was dropped".into())).await;
                }
                result = async {
                    match hook.as_mut() {
                        Some(h) => h.await,
                        None => std::future::pending().await,
                    }
                }, if hook.is_some() => {
                    hook = None;
                    hook_calls = None;
                    hook_events = None;
                    match result {
                        Ok(Ok(())) => {
                            keep_alive = self.protocol.keep_alive();
                            *attempt = 0;
                            tracing::debug!(endpoint, "re-established");
                            match ready.take() {
                                Some(ready) => { let _ = ready.send(Ok(())); }
                                None => self.emit(SessionEvent::Reconnected { endpoint }),
                            }
                        }
                        Ok(Err(e)) => { let _ = timeout(self.config.write_timeout, ws.close(None)).await; return End::Failed(e) }
                        Err(_) => {
                            let _ = timeout(self.config.write_timeout, ws.close(None)).await;
                            let after = self.config.reestablish_timeout;
                            return End::Failed(Error::protocol(ProtocolErrorKind::Timeout, format!("re-establishment did not finish within {after:?}")));
                        }
                    }
                }
                message = ws.next() => {
                    last_inbound = Instant::now();
                    ping_sent = None;
                    match self.on_message(message, hook_events.as_ref(), &mut moving) {
                        Flow::Continue => {}
                        Flow::CloseWith(code, reason) => {
                            let frame = CloseFrame { code: code.into(), reason: reason.clone().into() };
                            let _ = timeout(self.config.write_timeout, ws.send(Message::Close(Some(frame)))).await;
                            return End::Lost { code: Some(code), reason };
                        }
                        Flow::Over { code, reason, peer_closed } => {
                            if peer_closed {
                                // tungstenite queued the close reply; let it out.
                                let _ = timeout(self.config.write_timeout, ws.flush()).await;
                            }
                            return End::Lost { code, reason };
                        }
                    }
                }
                Some(call) = async {
                    match hook_calls.as_mut() {
                        Some(calls) => calls.recv().await,
                        None => std::future::pending().await,
                    }
                } => {
                    if let Err(end) = self.send_call(&mut ws, call, false, self.conn).await { return end; }
                }
                step = async {
                    match moving.as_mut() {
                        Some(m) => m.next().await,
                        None => std::future::pending().await,
                    }
                }, if moving.is_some() => {
                    let old_conn = self.conn;
                    if let Some(new_ws) = self.on_move_step(step, &mut moving).await {
                        // The new connection is re-established: it replaces this one.
                        let old = std::mem::replace(&mut ws, new_ws);
                        let shown = moving.take().map(|m| m.shown).unwrap_or_default();
                        self.retire(old, old_conn).await;
                        keep_alive = self.protocol.keep_alive();
                        last_inbound = Instant::now();
                        ping_sent = None;
                        tracing::info!(url = %shown, "moved to the new connection");
                        self.emit(SessionEvent::Moved { url: shown });
                    }
                }
                call = self.w.calls.recv(), if usable && room => match call {
                    Some(call) => if let Err(end) = self.send_call(&mut ws, call, false, self.conn).await { return end; },
                    None => return self.close_connection(ws, (1000, String::new())).await,
                },
                _ = sleep_until(alarm) => {
                    let silent = Instant::now().saturating_duration_since(last_inbound);
                    if ping_sent.is_some() || keep_alive.ping == KeepAlivePing::None {
                        return End::Lost { code: None, reason: format!("no sign of life for {silent:?}") };
                    }
                    ping_sent = Some(Instant::now());
                    tracing::debug!(silent_ms = silent.as_millis() as u64, "keep-alive ping");
                    if let Err(end) = self.send_ping(&mut ws, &keep_alive.ping, self.conn).await { return end; }
                }
            }
        }
    }

    /// Whether another call may be sent (fewer than `max_in_flight` wait for replies). Calls
    /// whose callers gave up (timed out) stop counting.
    fn has_room(&mut self) -> bool {
        let max = self.config.max_in_flight.max(1);
        if self.pending.len() < max {
            return true;
        }
        self.pending.retain(|_, p| p.internal || !p.call.reply.is_closed());
        self.pending.len() < max
    }

    async fn send_ping(&mut self, ws: &mut Ws, ping: &KeepAlivePing, conn: u64) -> Result<(), End> {
        match ping {
            KeepAlivePing::WebSocket => self.write(ws, Message::Ping(Default::default())).await,
            KeepAlivePing::Call { method, params } => {
                let (tx, _rx) = oneshot::channel();
                let call = CallRequest::new(method, params.clone(), tx);
                self.send_call(ws, call, true, conn).await
            }
            KeepAlivePing::None => Ok(()),
        }
    }

    /// Encodes and sends one call, recording it as pending. A call that cannot be encoded or
    /// is too large fails alone; a failed write ends the connection.
    async fn send_call(&mut self, ws: &mut Ws, call: CallRequest, internal: bool, conn: u64) -> Result<(), End> {
        if !internal && call.reply.is_closed() {
            return Ok(()); // its caller gave up before it could be sent
        }
        let id = self.next_id;
        self.next_id += 1;
        call.span.record("id", id);
        let frame = match self.protocol.encode_call(id, &call.method, &call.params) {
            Ok(frame) => frame,
            Err(e) => {
                call.finish(Err(e));
                return Ok(());
            }
        };
        if frame.len() > self.config.max_frame {
            let limit = u64::try_from(self.config.max_frame).unwrap_or(u64::MAX);
            let message = format!("{}: call frame of {} bytes not sent", call.method, frame.len());
            call.finish(Err(Error::protocol(ProtocolErrorKind::TooLarge { limit }, message)));
            return Ok(());
        }
        let message = match self.compression.deflate_above {
            Some(above) if frame.len() > above => Message::Binary(gzip::deflate(frame.as_bytes()).into()),
            _ => Message::text(frame),
        };
        tracing::debug!(parent: &call.span, id, "call sent");
        self.pending.insert(id, Pending { call, conn, internal });
        self.write(ws, message).await
    }

    async fn write(&mut self, ws: &mut Ws, message: Message) -> Result<(), End> {
        match timeout(self.config.write_timeout, ws.send(message)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(End::Lost { code: None, reason: format!("write failed: {e}") }),
            Err(_) => Err(End::Lost { code: None, reason: "write timed out".into() }),
        }
    }

    fn on_message(
        &mut self,
        message: Option<Result<Message, WsError>>,
        hook_events: Option<&mpsc::Sender<P::Event>>,
        moving: &mut Option<Moving<P::Event>>,
    ) -> Flow {
        let message = match message {
            None => return Flow::Over { code: None, reason: "connection ended".into(), peer_closed: false },
            Some(Err(WsError::Capacity(e))) => {
                let limit = u64::try_from(self.config.max_frame).unwrap_or(u64::MAX);
                let reason = format!("incoming frame refused: {e}");
                self.emit(SessionEvent::Invalid(Error::protocol(
                    ProtocolErrorKind::TooLarge { limit },
                    reason.clone(),
                )));
                return Flow::CloseWith(1009, "message too big".into());
            }
            Some(Err(e)) => return Flow::Over { code: None, reason: e.to_string(), peer_closed: false },
            Some(Ok(message)) => message,
        };
        match message {
            Message::Text(text) => self.on_frame(text.as_str(), hook_events, moving),
            Message::Binary(bytes) => {
                if self.compression.inflate_incoming && gzip::is_gzip(&bytes) {
                    let max = self.compression.max_inflated.min(self.config.max_frame);
                    match gzip::inflate(&bytes, max).and_then(utf8) {
                        Ok(text) => self.on_frame(&text, hook_events, moving),
                        Err(e) => self.emit(SessionEvent::Invalid(e)),
                    }
                } else {
                    match std::str::from_utf8(&bytes) {
                        Ok(text) => self.on_frame(text, hook_events, moving),
                        Err(_) => self.emit(SessionEvent::Invalid(Error::protocol(
                            ProtocolErrorKind::Violation,
                            "binary frame is neither gzip nor UTF-8 text",
                        ))),
                    }
                }
            }
            Message::Close(frame) => {
                let (code, reason) = match frame {
                    Some(f) => (Some(u16::from(f.code)), crate::redact::bound(f.reason.as_str(), 256)),
                    None => (None, "closed without a code".to_owned()),
                };
                return Flow::Over { code, reason, peer_closed: true };
            }
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
        }
        Flow::Continue
    }

    fn on_frame(
        &mut self,
        frame: &str,
        hook_events: Option<&mpsc::Sender<P::Event>>,
        moving: &mut Option<Moving<P::Event>>,
    ) {
        match self.protocol.classify(frame) {
            Incoming::Reply { id, outcome } => match self.pending.remove(&id) {
                Some(Pending { internal: true, .. }) => {}
                Some(Pending { call, .. }) => call.finish(Ok(outcome)),
                None => tracing::debug!(id, "reply to no pending call (its caller gave up, or an unknown id)"),
            },
            Incoming::Event(event) => {
                if let Some(hook) = hook_events {
                    let _ = hook.try_send(event.clone());
                }
                self.emit(SessionEvent::Event(event));
            }
            Incoming::KeepAlive | Incoming::Ignore => {}
            Incoming::MoveTo { url } => self.start_move(url, moving),
            Incoming::Invalid(e) => {
                tracing::debug!(error = %e, "frame not understood; the session goes on");
                self.emit(SessionEvent::Invalid(e));
            }
        }
    }

    /// Starts moving to `url` (a later request replaces one in progress).
    fn start_move(&mut self, url: String, moving: &mut Option<Moving<P::Event>>) {
        let shown = shown_url(&url).to_owned();
        tracing::info!(url = %shown, "the peer asks to move");
        let (handshake, connector, config) = (self.handshake.clone(), self.connector.clone(), self.config.clone());
        let connecting = Box::pin(async move { open(&handshake, &*connector, &config, &url).await });
        self.opened += 1;
        *moving = Some(Moving {
            shown,
            connecting: Some(connecting),
            ws: None,
            hook: None,
            hook_calls: None,
            hook_events: None,
            conn: self.opened,
        });
    }

    /// Handles what happened on the connection being moved to; returns it once its hook has
    /// succeeded. A failure abandons the move (the old connection goes on).
    async fn on_move_step(&mut self, step: MoveStep, moving: &mut Option<Moving<P::Event>>) -> Option<Ws> {
        let m = moving.as_mut()?;
        let failed = match step {
            MoveStep::Opened(Ok(ws)) => {
                let (hook, calls, events) = self.hook(Cause::Moved);
                (m.ws, m.hook, m.hook_calls, m.hook_events) = (Some(ws), Some(hook), Some(calls), Some(events));
                None
            }
            MoveStep::Opened(Err(reason)) => Some(reason),
            MoveStep::HookCall(call) => {
                let conn = m.conn;
                let mut ws = m.ws.take()?;
                let sent = self.send_call(&mut ws, call, false, conn).await;
                if let Some(m) = moving.as_mut() {
                    m.ws = Some(ws);
                }
                sent.err().map(|_| "the new connection broke".to_owned())
            }
            MoveStep::Inbound(message) => {
                let events = m.hook_events.take();
                let mut none = None;
                let flow = self.on_message(message, events.as_ref(), &mut none);
                if let Some(m) = moving.as_mut() {
                    m.hook_events = events;
                }
                match flow {
                    Flow::Continue => None,
                    Flow::CloseWith(_, reason) | Flow::Over { reason, .. } => Some(reason),
                }
            }
            MoveStep::HookDone(Ok(Ok(()))) => {
                let m = moving.as_mut()?;
                let ws = m.ws.take();
                self.conn = m.conn;
                return ws;
            }
            MoveStep::HookDone(Ok(Err(e))) => Some(e.to_string()),
            MoveStep::HookDone(Err(_)) => Some("re-establishment timed out".to_owned()),
        };
        if let Some(reason) = failed
            && let Some(m) = moving.take()
        {
            let shown = m.shown;
            tracing::warn!(url = %shown, reason = %reason, "move abandoned; the old connection goes on");
            self.fail_or_carry_pending(Some(m.conn));
            self.emit(SessionEvent::Invalid(Error::protocol(
                ProtocolErrorKind::Connect,
                format!("moving to {shown} failed: {reason}"),
            )));
        }
        None
    }

    /// Closes a connection that was replaced: calls still pending on it are resent on the new
    /// one or fail, as after a loss. What the peer had already sent on it before it saw the
    /// close is still read and classified (bounded by `close_timeout`), so a frame in flight
    /// on the old connection is not lost; the new connection's frames wait in its buffer
    /// meanwhile.
    async fn retire(&mut self, mut old: Ws, conn: u64) {
        self.fail_or_carry_pending(Some(conn));
        let frame = CloseFrame { code: 1000.into(), reason: "moved".into() };
        if timeout(self.config.write_timeout, old.send(Message::Close(Some(frame)))).await.is_err() {
            return;
        }
        let deadline = Instant::now() + self.config.close_timeout;
        while let Ok(Some(Ok(message))) = tokio::time::timeout_at(deadline, old.next()).await {
            if matches!(message, Message::Close(_)) {
                break;
            }
            let mut none = None;
            if !matches!(self.on_message(Some(Ok(message)), None, &mut none), Flow::Continue) {
                break;
            }
        }
    }

    /// Sends the close frame and waits (bounded) for the peer's.
    async fn close_connection(&mut self, mut ws: Ws, (code, reason): (u16, String)) -> End {
        let frame = CloseFrame { code: code.into(), reason: reason.clone().into() };
        if timeout(self.config.write_timeout, ws.send(Message::Close(Some(frame)))).await.is_ok() {
            let _ = timeout(self.config.close_timeout, async {
                while let Some(Ok(message)) = ws.next().await {
                    if matches!(message, Message::Close(_)) {
                        break;
                    }
                }
            })
            .await;
        }
        End::Client(Closed { code: Some(code), reason, by_client: true })
    }

    /// After a connection is lost: resend-safe calls wait for the next connection, the others
    /// fail with [`ProtocolErrorKind::Interrupted`].
    fn fail_or_carry_pending(&mut self, only: Option<u64>) {
        let (lost, kept) =
            std::mem::take(&mut self.pending).into_iter().partition(|(_, p)| only.is_none_or(|c| p.conn == c));
        self.pending = kept;
        let lost: BTreeMap<u64, Pending> = lost;
        for (_, Pending { call, internal, .. }) in lost {
            if internal || call.reply.is_closed() {
                continue;
            }
            if self.protocol.resend_safe(&call.method) {
                self.carry.push_back(call);
            } else {
                let message = format!("{}: not resent (the protocol does not declare it safe to repeat)", call.method);
                call.finish(Err(Error::protocol(ProtocolErrorKind::Interrupted, message)));
            }
        }
    }

    /// Ends the session: every waiting call fails, the stream gets [`SessionEvent::Closed`].
    fn finish(mut self, closed: Closed) {
        tracing::info!(code = closed.code, reason = %closed.reason, by_client = closed.by_client, "session ended");
        let _ = self.w.ended.send(Some(closed.clone()));
        self.w.calls.close();
        let pending = std::mem::take(&mut self.pending).into_values().filter(|p| !p.internal).map(|p| p.call);
        let carried: Vec<_> = self.carry.drain(..).chain(pending).collect();
        for call in carried {
            call.finish(Err(closed.to_error()));
        }
        while let Ok(call) = self.w.calls.try_recv() {
            call.finish(Err(closed.to_error()));
        }
        self.emit(SessionEvent::Closed(closed));
    }

    /// Hands an item to the event stream without ever waiting: when its buffer is full the
    /// item is dropped and counted, and a [`SessionEvent::Lagged`] reports the count later.
    fn emit(&mut self, event: SessionEvent<P::Event>) {
        use mpsc::error::TrySendError;
        if self.dropped_events > 0 {
            match self.w.events.try_send(SessionEvent::Lagged { dropped: self.dropped_events }) {
                Ok(()) => self.dropped_events = 0,
                Err(TrySendError::Full(_)) => {
                    self.dropped_events += 1;
                    return;
                }
                Err(TrySendError::Closed(_)) => return,
            }
        }
        if let Err(TrySendError::Full(_)) = self.w.events.try_send(event) {
            self.dropped_events += 1;
        }
    }
}

/// When the keep-alive timer fires next: the ping is due after `idle` of silence; once sent,
/// the connection is dead after `timeout` more (or after both, when nothing is sent).
fn keep_alive_alarm(keep_alive: &KeepAlive, last_inbound: Instant, ping_sent: Option<Instant>) -> Instant {
    let far = |t: Instant, d: Duration| t.checked_add(d).unwrap_or_else(|| t + Duration::from_secs(86_400 * 365));
    match (ping_sent, &keep_alive.ping) {
        (Some(sent), _) => far(sent, keep_alive.timeout),
        (None, KeepAlivePing::None) => far(last_inbound, keep_alive.idle.saturating_add(keep_alive.timeout)),
        (None, _) => far(last_inbound, keep_alive.idle),
    }
}

/// Opens one websocket connection to `url`: the connector's byte stream, then the handshake
/// with the session's headers, query and subprotocols, all within the connect timeout.
async fn open(
    handshake: &Handshake,
    connector: &dyn Connector,
    config: &SessionConfig,
    url: &str,
) -> Result<Ws, String> {
    let ws_config =
        WebSocketConfig::default().max_message_size(Some(config.max_frame)).max_frame_size(Some(config.max_frame));
    let attempt = async {
        let request = handshake.request(url).map_err(|e| e.to_string())?;
        let uri = request.uri().clone();
        let io = connector.connect(&uri).await.map_err(|e| e.to_string())?;
        tokio_tungstenite::client_async_with_config(request, io, Some(ws_config))
            .await
            .map(|(ws, _response)| ws)
            .map_err(|e| handshake_failure(&e))
    };
    timeout(config.connect_timeout, attempt)
        .await
        .unwrap_or_else(|_| Err(format!("no answer within {:?}", config.connect_timeout)))
}

fn utf8(bytes: Vec<u8>) -> Result<String, Error> {
    String::from_utf8(bytes)
        .map_err(|_| Error::protocol(ProtocolErrorKind::Violation, "decompressed frame is not UTF-8 text"))
}

/// Why a handshake failed, without anything the request carried (headers stay out).
fn handshake_failure(e: &tungstenite::Error) -> String {
    match e {
        tungstenite::Error::Http(response) => format!("handshake refused with HTTP {}", response.status()),
        other => format!("handshake failed: {other}"),
    }
}

/// The error the first connect reports when the connection was lost during re-establishment.
fn lost_error(code: Option<u16>, reason: &str) -> Error {
    match code {
        Some(code) => Error::protocol(ProtocolErrorKind::Closed { code }, reason.to_owned()),
        None => {
            Error::protocol(ProtocolErrorKind::Interrupted, format!("connection lost while establishing: {reason}"))
        }
    }
}
