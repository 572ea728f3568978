//! A hostile server answering raw HTTP from a script, and a client that calls it the way a
//! generated client does (`pre` hook, `exec` hook, progenitor's body decoding, the `send`
//! wrapper), so the tests see exactly what a generated call would.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use progenitor_client::{OperationInfo, ResponseValue};
use streamkit_runtime::policy::*;
use streamkit_runtime::{ClientBuilder, Error, FromRuntime, Runtime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The bucket of every operation: headers a server may or may not send.
pub static BUCKETS: &[BucketSpec] = &[BucketSpec {
    name: "main",
    points: 800,
    per_seconds: 60,
    per_user: false,
    limit_header: Some("ratelimit-limit"),
    remaining_header: Some("ratelimit-remaining"),
    reset_header: Some("ratelimit-reset"),
    reset_unit: ResetUnit::EpochSeconds,
}];
static AUTH: &[AuthHeader] = &[
    AuthHeader { name: "Authorization", template: "Bearer {access_token}" },
    AuthHeader { name: "Client-Id", template: "{client_id}" },
];
const fn op(id: &'static str, method: &'static str, idempotent: bool) -> OperationPolicy {
    OperationPolicy {
        operation_id: id,
        method,
        auth: AUTH,
        ratelimit: Some(RateCost { bucket: "main", cost: 1 }),
        idempotent,
        pagination: None,
        classify: &[],
        path: "/x",
        invalid_credential: &[],
    }
}
pub static POLICY: ServicePolicy = ServicePolicy {
    service: "hostile",
    default_base_url: "http://127.0.0.1:9",
    buckets: BUCKETS,
    // Sorted by id: the table is searched by bisection.
    operations: &[op("create_thing", "POST", false), op("get_thing", "GET", true)],
    retry: RetryDefaults {
        rate_limited_retries: Some(2),
        max_rate_limit_wait_seconds: Some(65),
        ..RetryDefaults::NONE
    },
};

/// A client of the hostile service.
pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
    pub rt: Runtime,
}

impl FromRuntime for Client {
    fn policy() -> &'static ServicePolicy {
        &POLICY
    }
    fn from_parts(base: &str, http: reqwest::Client, rt: Runtime) -> Self {
        Client { base: base.into(), http, rt }
    }
}

pub const TOKEN: &str = "tok-hostile-0123456789";
pub const CLIENT_ID: &str = "client-id-abc";

/// A builder pointed at `url`, with a token and a client id.
pub fn builder(url: &str) -> ClientBuilder<Client> {
    ClientBuilder::new().base_url(url).access_token(TOKEN).client_id(CLIENT_ID)
}

impl Client {
    /// Calls `operation` (`get_thing` is a GET, `create_thing` a POST with a JSON body) on
    /// `path` as generated code would, decoding a 2xx body as JSON.
    pub async fn call(&self, operation: &'static str, path: &str) -> Result<serde_json::Value, Error> {
        let raw = async {
            let url = format!("{}{path}", self.base);
            let builder = match operation {
                "create_thing" => {
                    self.http.post(url).body(r#"{"name":"x"}"#).header("content-type", "application/json")
                }
                _ => self.http.get(url),
            };
            let mut request = builder.build()?;
            let info = OperationInfo { operation_id: operation };
            streamkit_runtime::hooks::pre(&self.rt, &mut request, &info)
                .await
                .map_err(progenitor_client::Error::Custom)?;
            let response = streamkit_runtime::hooks::exec(&self.rt, &self.http, request, &info).await?;
            match response.status().as_u16() {
                200..=299 => ResponseValue::<serde_json::Value>::from_response(response).await,
                _ => Err(progenitor_client::Error::UnexpectedResponse(response)),
            }
        };
        streamkit_runtime::response::send(operation, &self.rt, raw).await.map(|v| v.into_inner())
    }
}

/// One request the server received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    /// Lower-cased header names with their values.
    pub headers: Vec<(String, String)>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// What the server sends back.
pub enum Body {
    /// This body, with its `Content-Length`.
    Fixed(Vec<u8>),
    /// `total` bytes of `x` in chunks of `chunk`, `Transfer-Encoding: chunked`.
    Chunked { chunk: usize, total: u64 },
    /// Declares `Content-Length: declared` and sends `send` bytes.
    Declared { declared: u64, send: u64 },
}

pub struct Reply {
    /// Status line and extra headers, e.g. `"200 OK\r\nx-a: 1"`.
    pub head: String,
    pub body: Body,
}

impl Reply {
    pub fn json(head: &str, body: &str) -> Reply {
        Reply { head: format!("{head}\r\ncontent-type: application/json"), body: Body::Fixed(body.as_bytes().to_vec()) }
    }
    pub fn text(head: &str, body: &str) -> Reply {
        Reply { head: format!("{head}\r\ncontent-type: text/plain"), body: Body::Fixed(body.as_bytes().to_vec()) }
    }
}

/// A running hostile server.
pub struct Hostile {
    pub url: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    /// Body bytes written successfully so far, over all connections.
    pub body_bytes_sent: Arc<AtomicU64>,
    /// One message per connection handled: whether its whole body went out.
    pub done: tokio::sync::mpsc::UnboundedReceiver<bool>,
}

impl Hostile {
    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
    pub fn sent(&self) -> u64 {
        self.body_bytes_sent.load(Ordering::SeqCst)
    }
}

type Script = Arc<dyn Fn(usize, &Seen) -> Reply + Send + Sync>;

/// Serves `script(n, request)` for the n-th request (0-based), one connection per request.
pub async fn serve(script: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static) -> Hostile {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let sent = Arc::new(AtomicU64::new(0));
    let (tx, done) = tokio::sync::mpsc::unbounded_channel();
    let script: Script = Arc::new(script);
    let (log, counter) = (seen.clone(), sent.clone());
    tokio::spawn(async move {
        let mut n = 0;
        while let Ok((sock, _)) = listener.accept().await {
            let (script, log, counter, tx) = (script.clone(), log.clone(), counter.clone(), tx.clone());
            let index = n;
            n += 1;
            tokio::spawn(async move {
                let whole = handle(sock, index, &*script, &log, &counter).await;
                let _ = tx.send(whole);
            });
        }
    });
    Hostile { url, seen, body_bytes_sent: sent, done }
}

async fn handle(
    mut sock: TcpStream,
    index: usize,
    script: &(dyn Fn(usize, &Seen) -> Reply + Send + Sync),
    log: &Mutex<Vec<Seen>>,
    sent: &AtomicU64,
) -> bool {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(k) => buf.extend_from_slice(&chunk[..k]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.lines();
    let mut first = lines.next().unwrap_or("").split(' ');
    let (method, path) = (first.next().unwrap_or("").to_string(), first.next().unwrap_or("").to_string());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let request = Seen { method, path, headers };
    // Read the request body, so the client is not cut off mid-send.
    let length: usize = request.header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    while buf.len() < head_end + 4 + length {
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(k) => buf.extend_from_slice(&chunk[..k]),
        }
    }
    log.lock().unwrap().push(request.clone());
    let reply = script(index, &request);
    match reply.body {
        Body::Fixed(body) => {
            let head =
                format!("HTTP/1.1 {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", reply.head, body.len());
            if sock.write_all(head.as_bytes()).await.is_err() || sock.write_all(&body).await.is_err() {
                return false;
            }
            sent.fetch_add(body.len() as u64, Ordering::SeqCst);
            true
        }
        Body::Declared { declared, send } => {
            let head = format!("HTTP/1.1 {}\r\ncontent-length: {declared}\r\nconnection: close\r\n\r\n", reply.head);
            if sock.write_all(head.as_bytes()).await.is_err() {
                return false;
            }
            stream_bytes(&mut sock, send, 64 * 1024, false, sent).await && send == declared
        }
        Body::Chunked { chunk, total } => {
            let head = format!("HTTP/1.1 {}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n", reply.head);
            if sock.write_all(head.as_bytes()).await.is_err() {
                return false;
            }
            stream_bytes(&mut sock, total, chunk, true, sent).await && sock.write_all(b"0\r\n\r\n").await.is_ok()
        }
    }
}

/// Writes `total` bytes in pieces of `chunk`; `false` as soon as the peer stops reading.
async fn stream_bytes(sock: &mut TcpStream, total: u64, chunk: usize, chunked: bool, sent: &AtomicU64) -> bool {
    let piece = vec![b'x'; chunk];
    let mut left = total;
    while left > 0 {
        let n = left.min(chunk as u64) as usize;
        let ok = if chunked {
            let mut framed = format!("{n:x}\r\n").into_bytes();
            framed.extend_from_slice(&piece[..n]);
            framed.extend_from_slice(b"\r\n");
            sock.write_all(&framed).await.is_ok()
        } else {
            sock.write_all(&piece[..n]).await.is_ok()
        };
        if !ok {
            return false;
        }
        sent.fetch_add(n as u64, Ordering::SeqCst);
        left -= n as u64;
    }
    true
}
