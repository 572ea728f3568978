//! Error bodies: Helix's `{error, status, message}` and id.twitch.tv's `{status, message}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// A Helix error: rendered as `{"error": <reason phrase>, "status": <code>, "message": ...}`.
#[derive(Debug, Clone)]
pub(crate) struct HelixError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
}

impl HelixError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        HelixError { status, message: message.into() }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub(crate) fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message)
    }

    /// `401 Missing scope: <scope>`.
    pub(crate) fn missing_scope(scope: &str) -> Self {
        Self::unauthorized(format!("Missing scope: {scope}"))
    }

    /// `401` for endpoints that only accept user access tokens.
    pub(crate) fn user_token_required() -> Self {
        Self::unauthorized("This endpoint requires a user access token")
    }
}

impl IntoResponse for HelixError {
    fn into_response(self) -> Response {
        let reason = self.status.canonical_reason().unwrap_or("Error");
        let body = json!({
            "error": reason,
            "status": self.status.as_u16(),
            "message": self.message,
        });
        (self.status, Json(body)).into_response()
    }
}

/// An id.twitch.tv error: rendered as `{"status": <code>, "message": ...}` (no `error` field).
#[derive(Debug, Clone)]
pub(crate) struct OAuthError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
}

impl OAuthError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        OAuthError { status, message: message.into() }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = json!({ "status": self.status.as_u16(), "message": self.message });
        (self.status, Json(body)).into_response()
    }
}
