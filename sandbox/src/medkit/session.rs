//! Tokens and who the caller is: `authtoken` (sandbox mode only), the PIN family,
//! `user_info` and `user_ids`.

use super::auth::{ADMIN, ANY, AuthMode, CHANNEL_OWNER, Claims, Role, authorize, sign};
use super::errors::{Reject, bad_request, error};
use super::state::MedkitState;
use super::stores::object_body;
use crate::core::lock;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

type St = State<Arc<MedkitState>>;

/// Lifetime of tokens the sandbox issues.
const TOKEN_LIFETIME_SECS: u64 = 3600;

pub(crate) fn claims(role: Role, channel_id: Option<&str>, user_id: Option<&str>, exp: u64) -> Claims {
    let mut extra = serde_json::Map::new();
    for (k, v) in [("iss", "muxy"), ("aud", "muxy.io"), ("sub", "extensions"), ("allowed_stage", "sandbox")] {
        extra.insert(k.into(), json!(v));
    }
    Claims {
        exp,
        role,
        channel_id: channel_id.map(str::to_owned),
        opaque_user_id: user_id.map(|u| format!("U{u}")),
        user_id: user_id.map(str::to_owned),
        pin: None,
        extra,
    }
}

async fn authtoken(State(state): St, body: Bytes) -> Response {
    if state.mode() == AuthMode::Production {
        return error(StatusCode::NOT_FOUND, "authtoken exists only in the sandbox").into_response();
    }
    let result = (|| {
        let b = object_body(&body)?;
        // The extension (`extension_id` or `app_id`) is not part of the token: not checked.
        let channel =
            b.get("channel_id").and_then(Value::as_str).ok_or_else(|| bad_request("`channel_id` is required"))?;
        let role: Role = b
            .get("role")
            .cloned()
            .and_then(|r| serde_json::from_value(r).ok())
            .ok_or_else(|| bad_request("`role` must be viewer, broadcaster, admin or backend"))?;
        let exp = state.now_secs() + TOKEN_LIFETIME_SECS;
        let mint = |user: &str| sign(&claims(role, Some(channel), Some(user), exp), state.secret());
        if let Some(ids) = b.get("user_ids").and_then(Value::as_array) {
            let tokens: Vec<String> = ids.iter().filter_map(Value::as_str).map(mint).collect();
            return Ok(axum::Json(json!({"tokens": tokens})).into_response());
        }
        let user = b.get("user_id").and_then(Value::as_str).ok_or_else(|| bad_request("`user_id` is required"))?;
        Ok::<_, Reject>(axum::Json(json!({"token": mint(user)})).into_response())
    })();
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn create_pin(State(state): St, body: Bytes) -> Response {
    let result = (|| {
        let b = object_body(&body)?;
        let ext = b
            .get("identifier")
            .and_then(Value::as_str)
            .ok_or_else(|| bad_request("`identifier` is required"))?
            .to_owned();
        let mut data = lock(&state.data);
        data.next_pin += 1;
        let pin = format!("P{:05}", data.next_pin);
        data.pins.entry(ext).or_default().insert(pin.clone(), false);
        drop(data);
        let mut c = claims(Role::Broadcaster, None, None, state.now_secs() + TOKEN_LIFETIME_SECS);
        c.pin = Some(pin.clone());
        Ok::<_, Reject>(axum::Json(json!({"token": sign(&c, state.secret()), "pin": pin})).into_response())
    })();
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn validate_pin(State(state): St, headers: HeaderMap, body: Bytes) -> Response {
    let result = (|| {
        let caller = authorize(&state, &headers, CHANNEL_OWNER)?;
        let b = object_body(&body)?;
        let pin = b.get("pin").and_then(Value::as_str).ok_or_else(|| bad_request("`pin` is required"))?;
        let mut data = lock(&state.data);
        match data.pins.get_mut(&caller.extension).and_then(|p| p.get_mut(pin)) {
            Some(v) => *v = true,
            None => return Err(error(StatusCode::NOT_FOUND, "no such PIN")),
        }
        Ok::<_, Reject>(StatusCode::OK.into_response())
    })();
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn revoke_pins(State(state): St, headers: HeaderMap) -> Response {
    match authorize(&state, &headers, CHANNEL_OWNER) {
        Ok(caller) => {
            lock(&state.data).pins.remove(&caller.extension);
            StatusCode::OK.into_response()
        }
        Err(r) => r.into_response(),
    }
}

async fn pin_token_exists(State(state): St, headers: HeaderMap) -> Response {
    match authorize(&state, &headers, CHANNEL_OWNER) {
        Ok(caller) => {
            let exists = lock(&state.data).pins.get(&caller.extension).is_some_and(|p| p.values().any(|v| *v));
            axum::Json(json!({"exists": exists})).into_response()
        }
        Err(r) => r.into_response(),
    }
}

async fn user_info(State(state): St, headers: HeaderMap) -> Response {
    match authorize(&state, &headers, ANY) {
        Ok(caller) => axum::Json(json!({
            "ip_address": "127.0.0.1",
            "registered": caller.claims.user_id.is_some(),
            "server_time": state.now_ms(),
            "visualization_id": format!("viz-{}", caller.viewer()),
        }))
        .into_response(),
        Err(r) => r.into_response(),
    }
}

async fn user_ids(State(state): St, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    let result = (|| {
        let caller = authorize(&state, &headers, ADMIN)?;
        let start: usize = match q.get("cursor").map(String::as_str) {
            None | Some("") => 0,
            // A cursor this endpoint never returned starts past the end: an empty last page.
            Some(c) => c.parse().unwrap_or(usize::MAX),
        };
        let data = lock(&state.data);
        let all: Vec<&String> = data.users.get(&caller.extension).into_iter().flatten().collect();
        let page: Vec<Value> =
            all.iter().skip(start).take(state.page_size).map(|id| json!({"twitch_id": id})).collect();
        let end = start.saturating_add(page.len());
        let next = if end >= all.len() { "0".to_string() } else { end.to_string() };
        Ok::<_, Reject>(axum::Json(json!({"next": next, "results": page})).into_response())
    })();
    result.unwrap_or_else(IntoResponse::into_response)
}

/// The session routes.
pub fn routes(router: Router<Arc<MedkitState>>) -> Router<Arc<MedkitState>> {
    router
        .route("/v1/e/authtoken", post(authtoken))
        .route("/v1/e/pin", post(create_pin).delete(revoke_pins))
        .route("/v1/e/validate_pin", post(validate_pin))
        .route("/v1/e/pin_token_exists", get(pin_token_exists))
        .route("/v1/e/user_info", get(user_info))
        .route("/v1/e/user_ids", get(user_ids))
}
