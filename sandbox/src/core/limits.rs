//! The limits every request meets before a service sees it, each answered with a documented
//! status in the owning service's error format (never a contract-violation `500`):
//!
//! * a request body over [`MAX_REQUEST_BODY`] bytes: `413 Payload Too Large`, at once when
//!   its `Content-Length` says so, else when a handler's extractor reads past the limit (the
//!   contract check renders that `413` in the service's format too).

use crate::core::server::Shared;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The largest request body accepted: 1 MiB, far above any body the fakes' APIs take.
pub const MAX_REQUEST_BODY: usize = 1024 * 1024;

/// The message of a `413`.
pub(crate) fn too_large_message() -> String {
    format!("request body larger than {MAX_REQUEST_BODY} bytes")
}

/// The owning service's `413` for `path`.
pub(crate) fn too_large(shared: &Shared, path: &str) -> Response {
    match shared.owner(path) {
        Some(o) => o.service.render_error(path, StatusCode::PAYLOAD_TOO_LARGE, &too_large_message()),
        None => (StatusCode::PAYLOAD_TOO_LARGE, too_large_message()).into_response(),
    }
}

/// Refuses a declared body over the limit before routing.
pub(crate) async fn middleware(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_REQUEST_BODY as u64) {
        return too_large(&shared, req.uri().path());
    }
    next.run(req).await
}
