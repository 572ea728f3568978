//! MEDKit's error responses. Muxy documents no error shape; the sandbox answers
//! `{"error": "<reason>", "message": "<detail>"}`, which the spec's `{}` error schema takes.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error response on its way out of a handler (boxed: a `Response` is large, and handlers
/// pass this through `?`).
#[derive(Debug)]
pub struct Reject(Box<Response>);

impl IntoResponse for Reject {
    fn into_response(self) -> Response {
        *self.0
    }
}

/// An error response.
pub fn error(status: StatusCode, message: &str) -> Reject {
    let reason = status.canonical_reason().unwrap_or("Error");
    Reject(Box::new((status, axum::Json(json!({"error": reason, "message": message}))).into_response()))
}

/// A 400.
pub fn bad_request(message: &str) -> Reject {
    error(StatusCode::BAD_REQUEST, message)
}
