//! [`Session`] and its [`SessionBuilder`]: the handle applications call through.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{mpsc, oneshot, watch};
use tracing::Instrument;

use super::backoff::{Jitter, RandomJitter};
use super::call::{self, CallRequest, Outcome};
use super::config::SessionConfig;
use super::connector::{Connector, TcpConnector};
use super::driver::{Driver, Wiring};
use super::event::{Closed, EventStream};
use super::handshake::Handshake;
use super::method::Method;
use super::protocol::Protocol;
use super::reply::ReplyError;
use crate::{Error, ProtocolErrorKind, Secret};

/// Sets up a [`Session`]: the endpoints (tried in order), what every connection's opening
/// request carries, the bounds, and (for tests) the connector and the jitter source.
pub struct SessionBuilder<P: Protocol> {
    protocol: Arc<P>,
    endpoints: Vec<String>,
    handshake: Handshake,
    config: SessionConfig,
    connector: Arc<dyn Connector>,
    jitter: Box<dyn Jitter>,
}

impl<P: Protocol> std::fmt::Debug for SessionBuilder<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionBuilder")
            .field("protocol", &P::NAME)
            .field("endpoints", &self.endpoints.iter().map(|u| super::handshake::shown_url(u)).collect::<Vec<_>>())
            .field("handshake", &self.handshake)
            .field("config", &self.config)
            .field("connector", &self.connector)
            .finish_non_exhaustive()
    }
}

impl<P: Protocol> SessionBuilder<P> {
    /// A session of `protocol`, with the default [`SessionConfig`] and [`TcpConnector`].
    pub fn new(protocol: P) -> Self {
        Self::from_arc(Arc::new(protocol))
    }

    /// Like [`SessionBuilder::new`], for a protocol value the application keeps a handle on
    /// (its state, such as a subscription set, is shared with the session's hook).
    pub fn from_arc(protocol: Arc<P>) -> Self {
        SessionBuilder {
            protocol,
            endpoints: Vec::new(),
            handshake: Handshake::default(),
            config: SessionConfig::default(),
            connector: Arc::new(TcpConnector::new()),
            jitter: Box::new(RandomJitter::default()),
        }
    }

    /// Adds an endpoint (`ws://` or `wss://` URL). Each connect tries them in the order given
    /// and takes the first that answers.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoints.push(url.into());
        self
    }

    /// Adds several endpoints, in order.
    pub fn endpoints<S: Into<String>>(mut self, urls: impl IntoIterator<Item = S>) -> Self {
        self.endpoints.extend(urls.into_iter().map(Into::into));
        self
    }

    /// A header every connection's opening request carries (`Client-ID`, `x-is-bot`).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.handshake.header(name, value);
        self
    }

    /// A header whose value is a credential (`Authorization`): sent, never shown.
    pub fn secret_header(mut self, name: &str, value: Secret) -> Self {
        self.handshake.secret_header(name, value);
        self
    }

    /// A query parameter added to every endpoint's URL.
    pub fn query(mut self, key: &str, value: &str) -> Self {
        self.handshake.query(key, value);
        self
    }

    /// A websocket subprotocol to offer (`Sec-WebSocket-Protocol`), in order of preference.
    pub fn subprotocol(mut self, protocol: &str) -> Self {
        self.handshake.subprotocol(protocol);
        self
    }

    /// The session's bounds and timeouts.
    pub fn config(mut self, config: SessionConfig) -> Self {
        self.config = config;
        self
    }

    /// How connections are opened (default [`TcpConnector`]; tests use a
    /// [`MemoryNetwork`](super::MemoryNetwork)).
    pub fn connector(mut self, connector: impl Connector) -> Self {
        self.connector = Arc::new(connector);
        self
    }

    /// Where backoff jitter comes from (default [`RandomJitter`]).
    pub fn jitter(mut self, jitter: impl Jitter) -> Self {
        self.jitter = Box::new(jitter);
        self
    }

    /// Connects (each endpoint in order), runs the protocol's re-establishment hook, and
    /// returns the session once it is usable. Fails when no endpoint connects or the hook
    /// fails; later connection losses are handled by reconnecting.
    pub async fn connect(self) -> Result<Session<P>, Error> {
        if self.endpoints.is_empty() {
            return Err(Error::config("a session needs at least one endpoint"));
        }
        for url in &self.endpoints {
            self.handshake.request(url)?;
        }
        let config = self.config.clone();
        let (calls_tx, calls_rx) = mpsc::channel(config.send_queue.max(1));
        let (events_tx, events_rx) = mpsc::channel(config.event_buffer.max(1));
        let (close_tx, close_rx) = watch::channel(None);
        let (ended_tx, ended_rx) = watch::channel(None);
        let (alive_tx, alive_rx) = mpsc::channel(1);
        let (ready_tx, ready_rx) = oneshot::channel();
        let wiring = Wiring { calls: calls_rx, events: events_tx, close: close_rx, ended: ended_tx, alive: alive_rx };
        let driver = Driver::new(
            self.protocol.clone(),
            self.endpoints,
            self.handshake,
            config.clone(),
            self.connector,
            self.jitter,
            wiring,
        );
        let span = tracing::info_span!("streamkit.session", protocol = P::NAME);
        tokio::spawn(driver.run(ready_tx).instrument(span));
        match ready_rx.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(e),
            Err(_) => return Err(Error::protocol(ProtocolErrorKind::Ended, "the session task ended while connecting")),
        }
        Ok(Session {
            shared: Arc::new(Shared {
                protocol: self.protocol,
                calls: calls_tx,
                close: close_tx,
                ended: ended_rx,
                events: Mutex::new(Some(EventStream { rx: events_rx })),
                config,
                _alive: alive_tx,
            }),
        })
    }
}

/// A websocket session of protocol `P`: typed calls correlated with their replies, events as
/// a stream, keep-alive, reconnects that re-establish the protocol's state, and a clean
/// close. Cheap to clone; the connection ends when the last clone is dropped (or on
/// [`Session::close`]).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), streamkit_runtime::Error> {
/// use serde_json::{Value, json};
/// use streamkit_runtime::Error;
/// use streamkit_runtime::session::{Incoming, MemoryNetwork, Protocol, SessionBuilder, tungstenite};
/// use futures::{SinkExt, StreamExt};
///
/// /// Frames `{"id": N, "say": ..}`; replies `{"id": N, "ok": ..}`.
/// struct Echo;
/// impl Protocol for Echo {
///     const NAME: &'static str = "echo";
///     type Event = Value;
///     fn encode_call(&self, id: u64, method: &str, params: &Value) -> Result<String, Error> {
///         Ok(json!({ "id": id, method: params }).to_string())
///     }
///     fn classify(&self, frame: &str) -> Incoming<Value> {
///         let v: Value = serde_json::from_str(frame).unwrap_or_default();
///         match v["id"].as_u64() {
///             Some(id) => Incoming::Reply { id, outcome: Ok(v["ok"].clone()) },
///             None => Incoming::Event(v),
///         }
///     }
/// }
///
/// // A server that echoes every `say` back.
/// let net = MemoryNetwork::new();
/// let mut listener = net.listen("ws://echo.test");
/// tokio::spawn(async move {
///     let io = listener.accept().await.unwrap();
///     let mut ws = tokio_tungstenite::accept_async(io).await.unwrap();
///     while let Some(Ok(tungstenite::Message::Text(t))) = ws.next().await {
///         let v: Value = serde_json::from_str(&t).unwrap();
///         let reply = json!({ "id": v["id"], "ok": v["say"] }).to_string();
///         ws.send(tungstenite::Message::text(reply)).await.unwrap();
///     }
/// });
///
/// let session = SessionBuilder::new(Echo).endpoint("ws://echo.test").connector(net.connector()).connect().await?;
/// assert_eq!(session.call_raw("say", json!("hello")).await?, json!("hello"));
/// session.close().await;
/// # Ok(()) }
/// ```
pub struct Session<P: Protocol> {
    shared: Arc<Shared<P>>,
}

impl<P: Protocol> Clone for Session<P> {
    fn clone(&self) -> Self {
        Session { shared: self.shared.clone() }
    }
}

impl<P: Protocol> std::fmt::Debug for Session<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("protocol", &P::NAME).field("ended", &*self.shared.ended.borrow()).finish()
    }
}

struct Shared<P: Protocol> {
    protocol: Arc<P>,
    calls: mpsc::Sender<CallRequest>,
    close: watch::Sender<Option<(u16, String)>>,
    ended: watch::Receiver<Option<Closed>>,
    events: Mutex<Option<EventStream<P::Event>>>,
    config: SessionConfig,
    /// Dropped with the last handle: tells the driver nobody is left.
    _alive: mpsc::Sender<()>,
}

impl<P: Protocol> Session<P> {
    /// The protocol value (its state, as the hook maintains it).
    pub fn protocol(&self) -> &Arc<P> {
        &self.shared.protocol
    }

    /// Calls `method` and decodes its reply as `M::Reply`. Waits for room in the send queue
    /// (back-pressure); fails after the configured call timeout, with the peer's reply error,
    /// or when the connection is lost and the protocol does not resend `M`.
    pub async fn call<M: Method>(&self, method: &M) -> Result<M::Reply, Error> {
        let params = call::params(method)?;
        call::decode::<M>(self.call_raw(M::NAME, params).await?)
    }

    /// Calls `method` with JSON `params`; a reply error becomes [`Error::Protocol`] with
    /// [`ProtocolErrorKind::Reply`].
    pub async fn call_raw(&self, method: &str, params: Value) -> Result<Value, Error> {
        self.call_raw_outcome(method, params).await?.map_err(|e| e.into_error(method))
    }

    /// Calls `method`, keeping a reply error as the peer sent it ([`ReplyError::raw`]).
    pub async fn call_raw_outcome(&self, method: &str, params: Value) -> Result<Result<Value, ReplyError>, Error> {
        self.call_with_timeout(method, params, self.shared.config.call_timeout).await
    }

    /// Like [`Session::call_raw_outcome`], with a timeout of its own.
    pub async fn call_with_timeout(
        &self,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Result<Value, ReplyError>, Error> {
        let (tx, rx) = oneshot::channel();
        let request = CallRequest::new(method, params, tx);
        let span = request.span.clone();
        let work = async {
            if self.shared.calls.send(request).await.is_err() {
                return Err(self.ended_error());
            }
            self.answer(rx).await
        };
        tokio::time::timeout(timeout, work.instrument(span)).await.map_err(|_| call::timeout(method, timeout))?
    }

    /// Queues a call without waiting for room: fails at once with
    /// [`ProtocolErrorKind::QueueFull`] when the send queue is full. The returned future
    /// waits for the reply (the call timeout counts from now).
    pub fn try_call_raw(
        &self,
        method: &str,
        params: Value,
    ) -> Result<impl Future<Output = Result<Value, Error>> + Send + 'static, Error> {
        let (tx, rx) = oneshot::channel();
        let request = CallRequest::new(method, params, tx);
        match self.shared.calls.try_send(request) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                let capacity = self.shared.config.send_queue.max(1);
                return Err(Error::protocol(ProtocolErrorKind::QueueFull { capacity }, method.to_owned()));
            }
            Err(mpsc::error::TrySendError::Closed(_)) => return Err(self.ended_error()),
        }
        let this = self.clone();
        let (method, timeout) = (method.to_owned(), self.shared.config.call_timeout);
        Ok(async move {
            let outcome =
                tokio::time::timeout(timeout, this.answer(rx)).await.map_err(|_| call::timeout(&method, timeout))?;
            outcome?.map_err(|e| e.into_error(&method))
        })
    }

    async fn answer(&self, rx: oneshot::Receiver<Outcome>) -> Outcome {
        rx.await.unwrap_or_else(|_| Err(self.ended_error()))
    }

    /// The session's events. The first call takes the stream; later calls get `None`.
    pub fn events(&self) -> Option<EventStream<P::Event>> {
        self.shared.events.lock().ok().and_then(|mut e| e.take())
    }

    /// Closes the session cleanly (close code 1000): pending calls fail with
    /// [`ProtocolErrorKind::Ended`], the peer's close frame is awaited (bounded), and the event
    /// stream ends. Returns how the session ended (it may have ended before).
    pub async fn close(&self) -> Closed {
        self.close_with(1000, "").await
    }

    /// Like [`Session::close`], with a close code and reason of the caller's.
    pub async fn close_with(&self, code: u16, reason: &str) -> Closed {
        let _ = self.shared.close.send(Some((code, reason.to_owned())));
        self.closed().await
    }

    /// Waits until the session has ended, and says how.
    pub async fn closed(&self) -> Closed {
        let mut ended = self.shared.ended.clone();
        let result = ended.wait_for(Option::is_some).await.map(|c| c.clone());
        match result {
            Ok(Some(closed)) => closed,
            _ => Closed { code: None, reason: "the session task ended".into(), by_client: false },
        }
    }

    /// How the session ended, if it has.
    pub fn ended(&self) -> Option<Closed> {
        self.shared.ended.borrow().clone()
    }

    fn ended_error(&self) -> Error {
        match &*self.shared.ended.borrow() {
            Some(closed) => closed.to_error(),
            None => Error::protocol(ProtocolErrorKind::Ended, "the session has ended"),
        }
    }
}
