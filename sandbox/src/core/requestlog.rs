//! The request log: one [`LoggedRequest`] per request the server receives, recorded by the
//! outermost middleware (so it sees every request, including faulted ones, and the final status
//! after the contract check).

use crate::core::contract::CONTRACT_VIOLATION_HEADER;
use crate::core::faults::AppliedFault;
use crate::core::lock;
use crate::core::server::Shared;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

/// How many entries the log keeps; older ones are discarded first (a long-running
/// `streamkit-sandbox` binary must not grow without bound).
const CAPACITY: usize = 100_000;

/// One request as the sandbox saw it. The access token is never recorded; only whether an
/// `Authorization` header was present.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedRequest {
    /// 1, 2, 3, … in the order the requests arrived. Numbers keep counting after
    /// [`Sandbox::clear_requests`](crate::core::Server::clear_requests).
    pub seq: u64,
    /// The HTTP method, e.g. `"GET"`.
    pub method: String,
    /// The path, e.g. `"/api/users"` (no query string).
    pub path: String,
    /// The raw, still percent-encoded query string without `?`; `None` when there was none.
    pub query: Option<String>,
    /// The `Client-Id` header, if sent (and valid UTF-8).
    pub client_id: Option<String>,
    /// Whether an `Authorization` header was sent. The token itself is never logged.
    pub has_authorization: bool,
    /// The status of the response sent; `None` while the response is not ready yet, when the
    /// client went away before it was (e.g. a client timeout during a
    /// [`Slow`](crate::core::FaultKind::Slow) fault), or when the connection was dropped by a
    /// [`DropConnection`](crate::core::FaultKind::DropConnection) fault.
    pub status: Option<u16>,
    /// The name of the fault applied to this request (see
    /// [`FaultKind::name`](crate::core::FaultKind::name)), if any.
    pub fault: Option<&'static str>,
    /// Whether the contract check replaced the response with a 500.
    pub contract_violation: bool,
    /// When the request arrived.
    pub received: Instant,
    /// When the response (its status line and headers) was ready to be sent; `None` when it
    /// never was (see [`status`](Self::status)).
    pub finished: Option<Instant>,
}

impl LoggedRequest {
    /// The decoded `key=value` pairs of [`query`](Self::query), in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        serde_urlencoded::from_str(self.query.as_deref().unwrap_or("")).unwrap_or_default()
    }

    /// The first value of the query parameter `key`.
    pub fn query_param(&self, key: &str) -> Option<String> {
        self.query_pairs().into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// The log itself.
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    last_seq: u64,
    entries: VecDeque<LoggedRequest>,
}

impl RequestLog {
    fn begin(&mut self, req: &Request) -> u64 {
        self.last_seq += 1;
        let headers = req.headers();
        let entry = LoggedRequest {
            seq: self.last_seq,
            method: req.method().as_str().to_owned(),
            path: req.uri().path().to_owned(),
            query: req.uri().query().map(str::to_owned),
            client_id: headers.get("client-id").and_then(|v| v.to_str().ok()).map(str::to_owned),
            has_authorization: headers.contains_key("authorization"),
            status: None,
            fault: None,
            contract_violation: false,
            received: Instant::now(),
            finished: None,
        };
        if self.entries.len() >= CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
        self.last_seq
    }

    fn finish(&mut self, seq: u64, response: &Response) {
        // Entries are in seq order and the one being finished is usually near the end.
        let Some(entry) = self.entries.iter_mut().rev().find(|e| e.seq == seq) else {
            return; // cleared meanwhile
        };
        let applied = response.extensions().get::<AppliedFault>();
        let dropped = applied.is_some_and(|f| f.dropped);
        entry.status = (!dropped).then(|| response.status().as_u16());
        entry.fault = applied.map(|f| f.name);
        entry.contract_violation = response.headers().contains_key(CONTRACT_VIOLATION_HEADER);
        entry.finished = Some(Instant::now());
    }

    pub(crate) fn snapshot(&self) -> Vec<LoggedRequest> {
        self.entries.iter().cloned().collect()
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }
}

/// Records the request on arrival and completes the entry when the response is ready.
pub(crate) async fn middleware(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let seq = lock(&shared.log).begin(&req);
    let response = next.run(req).await;
    lock(&shared.log).finish(seq, &response);
    response
}
