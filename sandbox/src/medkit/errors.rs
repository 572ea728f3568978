//! MEDKit's error responses. Muxy documents no error shape; the sandbox answers
//! `{"error": "<reason>", "message": "<detail>"}`, which the spec's `{}` error schema takes.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error response.
pub fn error(status: StatusCode, message: &str) -> Response {
    let reason = status.canonical_reason().unwrap_or("Error");
    (status, axum::Json(json!({"error": reason, "message": message}))).into_response()
}

/// A 400.
pub fn bad_request(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, message)
}
