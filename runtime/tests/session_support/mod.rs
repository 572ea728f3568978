//! A tiny JSON frame protocol of the tests' own (not any service's) and a scripted in-memory
//! websocket server, shared by the `session_*` tests.
//!
//! Frames: a call is `{"id": N, "m": "name", "p": params}`; a reply `{"re": N, "ok": value}`
//! or `{"re": N, "err": "text" | {"code": .., "message": ..}}`; an event
//! `{"ev": "name", "data": ..}`; a heartbeat `{"hb": true}`.
#![allow(dead_code)]

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use streamkit_runtime::Error;
use streamkit_runtime::session::tungstenite::Message;
use streamkit_runtime::session::tungstenite::protocol::frame::CloseFrame;
use streamkit_runtime::session::{
    Cause, CloseAction, Compression, Incoming, KeepAlive, Link, MemoryNetwork, Protocol, ReplyError, SessionBuilder,
    SessionConfig, SessionEvent, default_close_action,
};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

/// An event of the test protocol.
#[derive(Debug, Clone, PartialEq)]
pub struct TestEvent {
    pub name: String,
    pub data: Value,
}

/// What the test protocol's re-establishment hook does after each connect.
#[derive(Debug, Clone, Default)]
pub enum Hook {
    #[default]
    Nothing,
    /// Wait for the `hello` event, then call `login` with the connection count so far.
    HelloThenLogin,
}

/// The test protocol, configurable per test.
#[derive(Debug, Default)]
pub struct TestProtocol {
    pub keep_alive: Option<KeepAlive>,
    pub resend_safe: HashSet<String>,
    pub reconnect_codes: HashSet<u16>,
    pub compression: Option<Compression>,
    pub hook: Hook,
    pub logins: Mutex<u32>,
    /// Why the hook ran, each time.
    pub causes: Mutex<Vec<Cause>>,
}

impl Protocol for TestProtocol {
    const NAME: &'static str = "test";
    type Event = TestEvent;

    fn encode_call(&self, id: u64, method: &str, params: &Value) -> Result<String, Error> {
        Ok(json!({ "id": id, "m": method, "p": params }).to_string())
    }

    fn classify(&self, frame: &str) -> Incoming<TestEvent> {
        let Ok(v) = serde_json::from_str::<Value>(frame) else { return Incoming::malformed("frame is not JSON") };
        if let Some(id) = v.get("re").and_then(Value::as_u64) {
            return match v.get("err") {
                Some(err) => Incoming::Reply { id, outcome: Err(ReplyError::from_value(err.clone())) },
                None => Incoming::Reply { id, outcome: Ok(v.get("ok").cloned().unwrap_or(Value::Null)) },
            };
        }
        if let Some(name) = v.get("ev").and_then(Value::as_str) {
            return Incoming::Event(TestEvent { name: name.to_owned(), data: v["data"].clone() });
        }
        if let Some(url) = v.get("move").and_then(Value::as_str) {
            return Incoming::MoveTo { url: url.to_owned() };
        }
        if v.get("hb").is_some() {
            return Incoming::KeepAlive;
        }
        Incoming::malformed("frame is neither a reply, an event nor a heartbeat")
    }

    fn keep_alive(&self) -> KeepAlive {
        self.keep_alive.clone().unwrap_or_default()
    }

    fn on_close(&self, code: Option<u16>) -> CloseAction {
        match code {
            Some(c) if self.reconnect_codes.contains(&c) => CloseAction::Reconnect,
            other => default_close_action(other),
        }
    }

    fn resend_safe(&self, method: &str) -> bool {
        self.resend_safe.contains(method)
    }

    fn compression(&self) -> Compression {
        self.compression.clone().unwrap_or_default()
    }

    fn reestablish(self: Arc<Self>, link: Link<Self>) -> BoxFuture<'static, Result<(), Error>> {
        Box::pin(async move {
            self.causes.lock().unwrap().push(link.cause());
            match self.hook {
                Hook::Nothing => Ok(()),
                Hook::HelloThenLogin => {
                    link.wait_for(|e| (e.name == "hello").then_some(())).await?;
                    if link.cause() == Cause::Moved {
                        return Ok(()); // the peer kept our state: nothing to restore
                    }
                    let n = {
                        let mut logins = self.logins.lock().unwrap();
                        *logins += 1;
                        *logins
                    };
                    link.call_raw("login", json!({ "n": n })).await?;
                    Ok(())
                }
            }
        })
    }
}

/// What the server does.
#[derive(Debug, Clone)]
pub enum Action {
    Text(String),
    Binary(Vec<u8>),
    Close(u16, String),
    /// End the connection without a close frame.
    Drop,
    /// Stop reading and writing (a dead peer that keeps the socket open).
    Freeze,
}

/// What the server answers a call frame with (`None`: the default echo reply).
pub type Responder = Arc<dyn Fn(usize, &Value) -> Vec<Action> + Send + Sync>;

/// What the server sends first on connection N.
pub type Greeting = Arc<dyn Fn(usize) -> Vec<Action> + Send + Sync>;

/// One thing the server saw.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    pub conn: usize,
    pub at: Instant,
    pub frame: Frame,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    Connected,
    /// A call: its method and params (and id).
    Call {
        id: u64,
        method: String,
        params: Value,
    },
    Ping,
    Close(Option<u16>),
    Gzip(String),
    Other(String),
}

/// Text frames a connection (by number) sends when the client's close arrives.
type Farewell = (usize, Vec<String>);

/// A scripted server on an in-memory endpoint.
#[derive(Clone)]
pub struct Server {
    log: Arc<Mutex<Vec<Seen>>>,
    version: watch::Sender<usize>,
    conns: Arc<Mutex<Vec<mpsc::UnboundedSender<Action>>>>,
    /// Per connection: what it still sends when the client's close arrives, before its own
    /// close reply (frames in flight as the client closes).
    farewells: Arc<Mutex<Vec<Farewell>>>,
}

/// The default answer: `{"re": id, "ok": {"m": method, "p": params}}`.
pub fn echo(call: &Value) -> Vec<Action> {
    vec![Action::Text(json!({ "re": call["id"], "ok": { "m": call["m"], "p": call["p"] } }).to_string())]
}

impl Server {
    /// Listens on `url` of `net`; every connection first gets `greeting`, then each call
    /// frame is answered by `responder`.
    pub fn start(net: &MemoryNetwork, url: &str, greeting: Vec<Action>, responder: Responder) -> Server {
        Server::start_with(net, url, Arc::new(move |_| greeting.clone()), responder)
    }

    /// Like [`Server::start`], with a greeting per connection number.
    pub fn start_with(net: &MemoryNetwork, url: &str, greeting: Greeting, responder: Responder) -> Server {
        let mut listener = net.listen(url);
        let server = Server::new();
        let s = server.clone();
        tokio::spawn(async move {
            while let Some(io) = listener.accept().await {
                let conn = s.connections();
                s.serve(io, greeting(conn), responder.clone());
            }
        });
        server
    }

    pub fn new() -> Server {
        Server {
            log: Default::default(),
            version: watch::channel(0).0,
            conns: Default::default(),
            farewells: Default::default(),
        }
    }

    /// Serves one accepted byte stream.
    pub fn serve<S: AsyncRead + AsyncWrite + Unpin + Send + 'static>(
        &self,
        io: S,
        greeting: Vec<Action>,
        responder: Responder,
    ) {
        let (tx, mut control) = mpsc::unbounded_channel();
        let conn = {
            let mut conns = self.conns.lock().unwrap();
            conns.push(tx);
            conns.len() - 1
        };
        let s = self.clone();
        tokio::spawn(async move {
            let Ok(mut ws) = tokio_tungstenite::accept_async(io).await else { return };
            s.record(conn, Frame::Connected);
            for a in greeting {
                if !act(&mut ws, a).await {
                    return;
                }
            }
            loop {
                tokio::select! {
                    a = control.recv() => match a {
                        Some(Action::Freeze) => { std::future::pending::<()>().await; }
                        Some(a) => if !act(&mut ws, a).await { return },
                        None => return,
                    },
                    m = ws.next() => {
                        let m = match m { Some(Ok(m)) => m, _ => { s.record(conn, Frame::Close(None)); return } };
                        let text = match m {
                            Message::Text(t) => t.as_str().to_owned(),
                            Message::Binary(b) => {
                                let mut out = String::new();
                                use std::io::Read;
                                flate2::read::GzDecoder::new(&b[..]).read_to_string(&mut out).unwrap();
                                s.record(conn, Frame::Gzip(out.clone()));
                                out
                            }
                            Message::Ping(_) => { s.record(conn, Frame::Ping); continue }
                            Message::Close(f) => {
                                s.record(conn, Frame::Close(f.map(|f| u16::from(f.code))));
                                for text in s.farewell(conn) {
                                    if !in_flight(ws.get_mut(), &text).await { return }
                                }
                                let _ = ws.close(None).await;
                                return
                            }
                            _ => continue,
                        };
                        let v: Value = match serde_json::from_str(&text) { Ok(v) => v, Err(_) => { s.record(conn, Frame::Other(text)); continue } };
                        let (Some(id), Some(method)) = (v["id"].as_u64(), v["m"].as_str()) else { s.record(conn, Frame::Other(text)); continue };
                        s.record(conn, Frame::Call { id, method: method.to_owned(), params: v["p"].clone() });
                        for a in responder(conn, &v) {
                            if let Action::Freeze = a { std::future::pending::<()>().await; }
                            if !act(&mut ws, a).await { return }
                        }
                    }
                }
            }
        });
    }

    fn record(&self, conn: usize, frame: Frame) {
        self.log.lock().unwrap().push(Seen { conn, at: Instant::now(), frame });
        self.version.send_modify(|v| *v += 1);
    }

    /// Connection `conn` puts these text frames on the wire when the client's close arrives,
    /// before its close reply: to the client they are frames the server had sent before it
    /// saw the close, still in flight when the client closed. (Written as raw frames: the
    /// server's websocket layer refuses to send data once it has read a close.)
    pub fn on_close_send(&self, conn: usize, texts: Vec<String>) {
        self.farewells.lock().unwrap().push((conn, texts));
    }

    fn farewell(&self, conn: usize) -> Vec<String> {
        let mut farewells = self.farewells.lock().unwrap();
        let (mine, others) = std::mem::take(&mut *farewells).into_iter().partition(|(c, _)| *c == conn);
        *farewells = others;
        mine.into_iter().flat_map(|(_, actions)| actions).collect()
    }

    /// Sends `action` on connection `conn`.
    pub fn push(&self, conn: usize, action: Action) {
        let _ = self.conns.lock().unwrap()[conn].send(action);
    }

    pub fn log(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    /// The calls seen, as `(connection, method)`.
    pub fn calls(&self) -> Vec<(usize, String)> {
        self.log()
            .into_iter()
            .filter_map(|s| match s.frame {
                Frame::Call { method, .. } => Some((s.conn, method)),
                _ => None,
            })
            .collect()
    }

    pub fn connections(&self) -> usize {
        self.conns.lock().unwrap().len()
    }

    /// Waits (without sleeping) until `cond` holds for the log.
    pub async fn until(&self, cond: impl Fn(&[Seen]) -> bool) {
        let mut rx = self.version.subscribe();
        loop {
            if cond(&self.log.lock().unwrap()) {
                return;
            }
            rx.changed().await.unwrap();
        }
    }
}

/// Writes `text` as one unmasked, final text frame (RFC 6455 §5.2) straight onto `io`.
async fn in_flight<S: AsyncWrite + Unpin>(io: &mut S, text: &str) -> bool {
    use tokio::io::AsyncWriteExt;
    let payload = text.as_bytes();
    let mut frame = vec![0x81];
    match payload.len() {
        n if n < 126 => frame.push(n as u8),
        n if n <= usize::from(u16::MAX) => {
            frame.push(126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            frame.push(127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(payload);
    io.write_all(&frame).await.is_ok() && io.flush().await.is_ok()
}

async fn act<S: AsyncRead + AsyncWrite + Unpin>(ws: &mut tokio_tungstenite::WebSocketStream<S>, a: Action) -> bool {
    match a {
        Action::Text(t) => ws.send(Message::text(t)).await.is_ok(),
        Action::Binary(b) => ws.send(Message::Binary(b.into())).await.is_ok(),
        Action::Close(code, reason) => {
            let _ = ws.send(Message::Close(Some(CloseFrame { code: code.into(), reason: reason.into() }))).await;
            let _ = tokio::time::timeout(Duration::from_secs(1), async { while let Some(Ok(_)) = ws.next().await {} })
                .await;
            false
        }
        Action::Drop => false,
        Action::Freeze => {
            std::future::pending::<()>().await;
            false
        }
    }
}

/// A responder answering every call with the echo reply.
pub fn echoing() -> Responder {
    Arc::new(|_, v| echo(v))
}

/// The test protocol's event frame.
pub fn event(name: &str, data: Value) -> Action {
    Action::Text(json!({ "ev": name, "data": data }).to_string())
}

/// A builder on `net` for `url` with the given protocol and config.
pub fn builder(
    net: &MemoryNetwork,
    url: &str,
    protocol: TestProtocol,
    config: SessionConfig,
) -> SessionBuilder<TestProtocol> {
    SessionBuilder::new(protocol).endpoint(url).connector(net.connector()).config(config)
}

/// The next protocol event from the stream, skipping connection notices.
pub async fn next_event(events: &mut (impl futures::Stream<Item = SessionEvent<TestEvent>> + Unpin)) -> TestEvent {
    loop {
        match events.next().await.expect("the stream ended") {
            SessionEvent::Event(e) => return e,
            _ => continue,
        }
    }
}

/// Jitter draws from a fixed list (then 0).
#[derive(Debug)]
pub struct Draws(pub Vec<f64>);

impl streamkit_runtime::session::Jitter for Draws {
    fn unit(&mut self) -> f64 {
        if self.0.is_empty() { 0.0 } else { self.0.remove(0) }
    }
}
