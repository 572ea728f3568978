//! The tracing of one call: a span per call carrying the operation, the method, the path
//! template (never the values of its parameters), and at the end the attempt count, the
//! status and the latency. The send loop's events (retry waits, credential refreshes) and the
//! rate limiter's (waiting for points) happen inside it, so every subscriber sees which
//! operation they belong to. No field ever holds a credential or a URL with its query.

use std::time::Duration;

use tracing::Span;
use tracing::field::Empty;

use crate::policy::OperationPolicy;

/// The span of one call of `operation_id`.
pub(crate) fn call_span(operation_id: &str, op: Option<&OperationPolicy>) -> Span {
    tracing::info_span!(
        "streamkit.call",
        operation = operation_id,
        method = op.map_or("", |o| o.method),
        path = op.map_or("", |o| o.path),
        attempt = Empty,
        status = Empty,
        latency_ms = Empty,
    )
}

/// Records how the call ended, and says so in one event.
pub(crate) fn finish(span: &Span, attempts: u32, result: &reqwest::Result<reqwest::Response>, latency: Duration) {
    let latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
    span.record("attempt", attempts).record("latency_ms", latency_ms);
    let _in = span.enter();
    match result {
        Ok(resp) => {
            let status = resp.status().as_u16();
            span.record("status", status);
            tracing::debug!(status, attempts, latency_ms, "call finished");
        }
        Err(e) => tracing::debug!(error = %transport_error(e), attempts, latency_ms, "call failed without an answer"),
    }
}

/// A transport error without its URL (whose query may hold parameter values): its kind and
/// the chain of causes.
pub(crate) fn transport_error(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "connection failed"
    } else if err.is_body() || err.is_decode() {
        "reading the body failed"
    } else {
        "sending the request failed"
    };
    let mut out = kind.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(e) = source {
        out.push_str(": ");
        out.push_str(&e.to_string());
        source = e.source();
    }
    out
}
