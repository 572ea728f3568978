//! OAuth: `POST /v1/oauth/token` (authorization code, refresh; a JSON or a form body) and
//! the shortcode flow.
// Handlers answer early with the error `Response` itself (axum's idiom).
#![allow(clippy::result_large_err)]

use super::error;
use super::routes::shortcode_state;
use super::state::{Approval, MixerState};
use crate::core::lock;
use crate::{CLIENT_ID, CLIENT_SECRET};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;

fn field<'a>(body: &'a Value, k: &str) -> Option<&'a str> {
    body.get(k).and_then(Value::as_str)
}

fn client_ok(body: &Value) -> Result<(), Response> {
    if field(body, "client_id") != Some(CLIENT_ID) {
        return Err(error(StatusCode::BAD_REQUEST, "Unknown client_id."));
    }
    match body.get("client_secret") {
        // A public client sends no secret; a wrong one (or one that is no string) is refused.
        Some(s) if s.as_str() != Some(CLIENT_SECRET) => Err(error(StatusCode::BAD_REQUEST, "Invalid client_secret.")),
        _ => Ok(()),
    }
}

/// The token request's fields, from a JSON or a form-encoded body (Mixer takes both; the
/// official JS client posts form, the docs and the C# client JSON). Anything else is a 400
/// (the status the spec declares for a bad request).
fn token_fields(headers: &HeaderMap, body: &[u8]) -> Result<Value, Response> {
    let media = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let media = media.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let bad = |m: String| error(StatusCode::BAD_REQUEST, &m);
    match media.as_str() {
        "application/json" => serde_json::from_slice::<Value>(body)
            .ok()
            .filter(Value::is_object)
            .ok_or_else(|| bad("The body must be a JSON object.".into())),
        "application/x-www-form-urlencoded" => serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
            .map(|pairs| Value::Object(pairs.into_iter().map(|(k, v)| (k, Value::String(v))).collect()))
            .map_err(|e| bad(format!("The form body does not parse: {e}."))),
        other => {
            Err(bad(format!("Content-Type `{other}`: send application/json or application/x-www-form-urlencoded.")))
        }
    }
}

pub(crate) async fn token(State(s): State<Arc<MixerState>>, headers: HeaderMap, raw: Bytes) -> Response {
    let body = match token_fields(&headers, &raw) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if let Err(r) = client_ok(&body) {
        return r;
    }
    let now = s.now();
    let mut tokens = lock(&s.tokens);
    let caller = match field(&body, "grant_type") {
        Some("authorization_code") => {
            let Some(code) = field(&body, "code") else { return error(StatusCode::BAD_REQUEST, "`code` is required.") };
            match tokens.codes.remove(code) {
                Some(c) => c,
                None => return error(StatusCode::BAD_REQUEST, "Invalid or used authorization code."),
            }
        }
        Some("refresh_token") => {
            let Some(rt) = field(&body, "refresh_token") else {
                return error(StatusCode::BAD_REQUEST, "`refresh_token` is required.");
            };
            // Single use: the answer carries the next refresh token.
            match tokens.refresh.remove(rt) {
                Some(c) => c,
                None => return error(StatusCode::BAD_REQUEST, "Invalid or used refresh token."),
            }
        }
        other => return error(StatusCode::BAD_REQUEST, &format!("Unsupported grant_type {other:?}.")),
    };
    let (access, refresh) = tokens.issue(caller, now);
    Json(json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": super::state::ACCESS_LIFETIME.as_secs() - 1,
        "refresh_token": refresh,
    }))
    .into_response()
}

pub(crate) async fn create_shortcode(State(s): State<Arc<MixerState>>, Json(body): Json<Value>) -> Response {
    if let Err(r) = client_ok(&body) {
        return r;
    }
    let Some(scope) = field(&body, "scope") else { return error(StatusCode::BAD_REQUEST, "`scope` is required.") };
    let scopes = scope.split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect();
    let now = s.now();
    let (code, handle) = lock(&s.tokens).shortcode(scopes, now);
    Json(json!({"code": code, "expires_in": super::state::SHORTCODE_LIFETIME.as_secs(), "handle": handle}))
        .into_response()
}

pub(crate) async fn check_shortcode(State(s): State<Arc<MixerState>>, Path(handle): Path<String>) -> Response {
    match shortcode_state(&s, &handle) {
        None => error(StatusCode::NOT_FOUND, "Unknown or expired shortcode handle."),
        Some(Approval::Pending) => StatusCode::NO_CONTENT.into_response(),
        Some(Approval::Denied) => error(StatusCode::FORBIDDEN, "The user denied access."),
        Some(Approval::Approved(code)) => Json(json!({"code": code})).into_response(),
    }
}
