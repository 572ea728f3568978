//! Fault injection: per-route misbehaviour for tests ([`Fault`], [`FaultKind`]), applied to
//! `http::Response`s whatever the service.
//!
//! The fault middleware sits outside every service's own layer ([`Service::wrap`]: e.g.
//! authentication, rate limiting) and inside the contract check and the request log. Faults
//! that answer by themselves (`TooManyRequests`, `ServiceUnavailable`, `DropConnection`,
//! `MalformedJson`) never reach the service: no credential check, no rate-limit charge, no
//! state change. The others run the real request and alter its response. Error bodies are
//! rendered by the service that owns the path ([`Service::render_error`]), body rewrites
//! find records and cursors where that service says they are ([`Service::records`],
//! [`Service::replace_cursor`]).
//!
//! [`Service::wrap`]: crate::core::Service::wrap
//! [`Service::render_error`]: crate::core::Service::render_error
//! [`Service::records`]: crate::core::Service::records
//! [`Service::replace_cursor`]: crate::core::Service::replace_cursor

use crate::core::lock;
use crate::core::ratelimit::ResetUnit;
use crate::core::server::Shared;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

/// The header on every response a (marked) fault was applied to; its value is
/// [`FaultKind::name`].
pub const FAULT_HEADER: &str = "x-sandbox-fault";

/// The replacement value suggested for [`FaultKind::UnknownEnumValue`].
pub const UNKNOWN_ENUM_VALUE: &str = "sandbox_unknown_value";

/// The exact body [`FaultKind::MalformedJson`] sends: complete, but not JSON.
pub const MALFORMED_JSON_BODY: &str = "{\"data\": [ sandbox garbage ]";

/// One injected fault: which requests it applies to and what it does to them.
///
/// ```
/// use streamkit_sandbox::{Fault, FaultKind};
/// // The next two GET /api/users requests get a 503.
/// let f = Fault::new("GET", "/api/users", FaultKind::ServiceUnavailable).times(2);
/// # let _ = f;
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    /// The HTTP method to match (case-insensitive), or `"*"` for any.
    pub method: String,
    /// The exact path to match, e.g. `"/api/users"` (no query string; a trailing `/` is
    /// ignored), or `"*"` for any path of any service.
    pub path: String,
    /// What to do.
    pub kind: FaultKind,
    /// How many matching requests to affect; `None` = every one until
    /// [`Sandbox::clear_faults`](crate::Sandbox::clear_faults).
    pub times: Option<u32>,
}

impl Fault {
    /// A fault for every `method` `path` request until cleared (see [`times`](Self::times)).
    pub fn new(method: &str, path: &str, kind: FaultKind) -> Fault {
        Fault { method: method.to_owned(), path: path.to_owned(), kind, times: None }
    }

    /// A fault for every request, whatever its method and path.
    pub fn any(kind: FaultKind) -> Fault {
        Fault::new("*", "*", kind)
    }

    /// Limits the fault to the next `n` matching requests.
    pub fn times(mut self, n: u32) -> Fault {
        self.times = Some(n);
        self
    }

    fn matches(&self, method: &Method, path: &str) -> bool {
        let method_ok = self.method == "*" || self.method.eq_ignore_ascii_case(method.as_str());
        let trim = |p: &str| {
            let t = p.trim_end_matches('/');
            if t.is_empty() { "/" } else { t }.to_owned()
        };
        method_ok && (self.path == "*" || trim(&self.path) == trim(path))
    }
}

/// What a [`Fault`] does to a response.
#[derive(Clone, Debug, PartialEq)]
pub enum FaultKind {
    /// `429` with the service's error body, without running the request. With
    /// `with_headers`, also the headers of the service's first declared bucket (see
    /// [`Service::buckets`](crate::core::Service::buckets)): its size as the limit, `0`
    /// remaining and a reset at most 1 s away (the next whole epoch second, or `1` for
    /// delta-seconds); without, no rate-limit headers at all. `retry_after` adds a `Retry-After: <seconds>` header
    /// (either way).
    TooManyRequests {
        /// Send `Ratelimit-*` headers.
        with_headers: bool,
        /// Send `Retry-After` with this many seconds.
        retry_after: Option<u32>,
    },
    /// `503` with the service's error body, without running the request.
    ServiceUnavailable,
    /// Waits this long, then runs the request and sends its real response. If the client gives
    /// up first, the request is never run (the log entry keeps `status: None`).
    Slow(Duration),
    /// Closes the connection without a response, without running the request. The response's
    /// body fails on its first poll, so hyper aborts the connection before it has flushed the
    /// status line: reqwest's `send()` fails with a request error (hyper's `IncompleteMessage`,
    /// "connection closed before message completed"). Logged with `status: None`.
    DropConnection,
    /// Runs the request and sends the first half of its body, with status `200` and
    /// `Content-Type: application/json` (and a `Content-Length` matching the cut body).
    TruncatedJson,
    /// `200`, `Content-Type: application/json`, body [`MALFORMED_JSON_BODY`], without running
    /// the request.
    MalformedJson,
    /// Runs the request and sets `field` to `value` in every record of the body (see
    /// [`Service::records`](crate::core::Service::records)) that has the field. `field` may be a dotted path into nested objects (`"transport.method"`).
    /// [`UNKNOWN_ENUM_VALUE`] is the conventional value.
    UnknownEnumValue {
        /// The field (or dotted path) to overwrite, e.g. `"broadcaster_type"`.
        field: String,
        /// The value to put there.
        value: String,
    },
    /// Runs the request and adds `name: value` to every record of the body (see
    /// [`Service::records`](crate::core::Service::records)) and to the top-level object (when
    /// the body is a JSON object).
    ExtraField {
        /// The undocumented field's name.
        name: String,
        /// Its value.
        value: Value,
    },
    /// Runs the request; when the request carried the service's cursor parameter
    /// ([`Service::cursor_param`](crate::core::Service::cursor_param)) with `<c>`, the
    /// response's cursor is replaced by `<c>` (wherever
    /// [`Service::replace_cursor`](crate::core::Service::replace_cursor) puts it). The first
    /// page is left alone, so its cursor `c1` leads to a
    /// second response whose cursor is `c1` again: a client that follows cursors loops forever.
    RepeatCursor,
    /// Like [`ExtraField`](Self::ExtraField) but *without* the `x-sandbox-fault` header, so the
    /// contract check sees an undocumented property and answers `500`. It exists to prove that
    /// the contract check fires.
    UnmarkedExtraField {
        /// The undocumented field's name.
        name: String,
        /// Its value.
        value: Value,
    },
}

impl FaultKind {
    /// A stable snake_case name, used in the `x-sandbox-fault` header and the request log.
    pub fn name(&self) -> &'static str {
        match self {
            FaultKind::TooManyRequests { .. } => "too_many_requests",
            FaultKind::ServiceUnavailable => "service_unavailable",
            FaultKind::Slow(_) => "slow",
            FaultKind::DropConnection => "drop_connection",
            FaultKind::TruncatedJson => "truncated_json",
            FaultKind::MalformedJson => "malformed_json",
            FaultKind::UnknownEnumValue { .. } => "unknown_enum_value",
            FaultKind::ExtraField { .. } => "extra_field",
            FaultKind::RepeatCursor => "repeat_cursor",
            FaultKind::UnmarkedExtraField { .. } => "unmarked_extra_field",
        }
    }

    /// Whether responses carry the `x-sandbox-fault` header (and so skip the contract check).
    fn marked(&self) -> bool {
        !matches!(self, FaultKind::UnmarkedExtraField { .. })
    }
}

/// Response extension telling the request log which fault was applied.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AppliedFault {
    pub(crate) name: &'static str,
    /// The connection was dropped: no status reached the client.
    pub(crate) dropped: bool,
}

/// The active faults, in injection order; the first match wins.
#[derive(Debug, Default)]
pub(crate) struct FaultStore {
    faults: Vec<Fault>,
}

impl FaultStore {
    pub(crate) fn inject(&mut self, fault: Fault) {
        if fault.times != Some(0) {
            self.faults.push(fault);
        }
    }

    pub(crate) fn clear(&mut self) {
        self.faults.clear();
    }

    /// The kind of the first fault matching the request, using up one of its `times`.
    fn take(&mut self, method: &Method, path: &str) -> Option<FaultKind> {
        let i = self.faults.iter().position(|f| f.matches(method, path))?;
        let kind = self.faults[i].kind.clone();
        if let Some(n) = &mut self.faults[i].times {
            *n -= 1;
            if *n == 0 {
                self.faults.remove(i);
            }
        }
        Some(kind)
    }
}

/// A body that fails on the first poll, making hyper abort the connection.
struct BrokenBody;

impl HttpBody for BrokenBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "sandbox fault: drop connection",
        ))))
    }
}

/// Applies the first matching fault, if any.
pub(crate) async fn middleware(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let taken = lock(&shared.faults).take(req.method(), req.uri().path());
    let Some(kind) = taken else {
        return next.run(req).await;
    };
    let path = req.uri().path().to_owned();
    let owner = shared.owner(&path);
    let error = |status: StatusCode, message: &str| match owner {
        Some(o) => o.service.render_error(&path, status, message),
        None => (status, message.to_owned()).into_response(),
    };
    let cursor = owner.and_then(|o| o.service.cursor_param()).and_then(|param| {
        req.uri()
            .query()
            .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == param).map(|(_, v)| v))
    });
    let mut response = match &kind {
        FaultKind::TooManyRequests { with_headers, retry_after } => {
            let mut r = error(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests");
            let h = r.headers_mut();
            if let (true, Some(bucket)) = (*with_headers, owner.and_then(|o| o.buckets.first())) {
                let now = crate::core::clock::epoch_secs(shared.clock.as_ref()) as u64;
                let names = &bucket.headers;
                if let Some(n) = &names.limit {
                    h.insert(n.clone(), bucket.points.into());
                }
                if let Some(n) = &names.remaining {
                    h.insert(n.clone(), HeaderValue::from(0u32));
                }
                if let Some(n) = &names.reset {
                    let reset = match names.reset_unit {
                        ResetUnit::EpochSeconds => now + 1,
                        ResetUnit::DeltaSeconds => 1,
                    };
                    h.insert(n.clone(), HeaderValue::from(reset));
                }
            }
            if let Some(secs) = retry_after {
                h.insert(header::RETRY_AFTER, HeaderValue::from(*secs));
            }
            r
        }
        FaultKind::ServiceUnavailable => error(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable"),
        FaultKind::Slow(delay) => {
            tokio::time::sleep(*delay).await;
            next.run(req).await
        }
        FaultKind::DropConnection => Response::new(Body::new(BrokenBody)),
        FaultKind::MalformedJson => {
            (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], MALFORMED_JSON_BODY).into_response()
        }
        FaultKind::TruncatedJson => {
            let (mut parts, bytes) = buffer(next.run(req).await).await;
            parts.status = StatusCode::OK;
            parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            let cut = bytes.slice(..bytes.len() / 2);
            Response::from_parts(parts, Body::from(cut))
        }
        FaultKind::UnknownEnumValue { field, value } => {
            let dotted: Vec<&str> = field.split('.').collect();
            rewrite(next.run(req).await, |body| {
                if let Some(o) = owner {
                    for item in o.service.records(body) {
                        set_existing(item, &dotted, value);
                    }
                }
            })
            .await
        }
        FaultKind::ExtraField { name, value } | FaultKind::UnmarkedExtraField { name, value } => {
            rewrite(next.run(req).await, |body| {
                if let Some(o) = owner {
                    for item in o.service.records(body) {
                        item.insert(name.clone(), value.clone());
                    }
                }
                if let Value::Object(top) = body {
                    top.insert(name.clone(), value.clone());
                }
            })
            .await
        }
        FaultKind::RepeatCursor => {
            let response = next.run(req).await;
            match (cursor, owner) {
                (Some(cursor), Some(o)) => rewrite(response, |body| o.service.replace_cursor(body, &cursor)).await,
                _ => response,
            }
        }
    };
    if kind.marked() {
        response.headers_mut().insert(FAULT_HEADER, HeaderValue::from_static(kind.name()));
    }
    response.extensions_mut().insert(AppliedFault { name: kind.name(), dropped: kind == FaultKind::DropConnection });
    response
}

/// Reads a whole response body (the sandbox's own bodies are small and never fail).
async fn buffer(response: Response) -> (axum::http::response::Parts, Bytes) {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    (parts, bytes)
}

/// Applies `edit` to a JSON body; other bodies pass through unchanged.
async fn rewrite(response: Response, edit: impl FnOnce(&mut Value)) -> Response {
    let (parts, bytes) = buffer(response).await;
    let body = match serde_json::from_slice::<Value>(&bytes) {
        Ok(mut json) => {
            edit(&mut json);
            Bytes::from(serde_json::to_vec(&json).unwrap_or_default())
        }
        Err(_) => bytes,
    };
    Response::from_parts(parts, Body::from(body))
}

/// Sets the field at the dotted `path` to `value` if it exists.
pub(crate) fn set_existing(obj: &mut serde_json::Map<String, Value>, path: &[&str], value: &str) {
    match path {
        [] => {}
        [last] => {
            if let Some(slot) = obj.get_mut(*last) {
                *slot = Value::String(value.to_owned());
            }
        }
        [first, rest @ ..] => {
            if let Some(Value::Object(inner)) = obj.get_mut(*first) {
                set_existing(inner, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_and_times() {
        let mut store = FaultStore::default();
        store.inject(Fault::new("get", "/api/users/", FaultKind::ServiceUnavailable).times(2));
        store.inject(Fault::any(FaultKind::MalformedJson).times(1));
        store.inject(Fault::any(FaultKind::TruncatedJson).times(0));
        let get = Method::GET;
        assert_eq!(store.take(&Method::POST, "/api/users"), Some(FaultKind::MalformedJson));
        assert_eq!(store.take(&get, "/api/users"), Some(FaultKind::ServiceUnavailable));
        assert_eq!(store.take(&get, "/api/users"), Some(FaultKind::ServiceUnavailable));
        assert_eq!(store.take(&get, "/api/users"), None);
        store.inject(Fault::new("*", "/auth/token", FaultKind::RepeatCursor));
        for _ in 0..5 {
            assert_eq!(store.take(&Method::POST, "/auth/token"), Some(FaultKind::RepeatCursor));
        }
        store.clear();
        assert_eq!(store.take(&Method::POST, "/auth/token"), None);
    }

    #[test]
    fn dotted_paths() {
        let mut v = serde_json::json!({"a": {"b": "x"}, "c": "y"});
        let obj = v.as_object_mut().unwrap();
        set_existing(obj, &["a", "b"], "z");
        set_existing(obj, &["missing"], "z");
        set_existing(obj, &["c", "d"], "z");
        assert_eq!(v, serde_json::json!({"a": {"b": "z"}, "c": "y"}));
    }
}
