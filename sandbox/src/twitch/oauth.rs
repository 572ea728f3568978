//! The id.twitch.tv OAuth endpoints (`/oauth2/...`): token, device, validate, revoke, authorize;
//! plus `/activate`, the page a device-flow user would visit (here it approves at once).
//!
//! Errors use `{"status": <code>, "message": ...}` — no `error` field, unlike Helix.

use crate::core::lock;
use crate::twitch::auth::{self, DEVICE_CODE_LIFETIME, DevicePollError, Grant, RevokeError, TokenPair, bearer};
use crate::twitch::errors::OAuthError;
use crate::twitch::state::TwitchState;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use std::sync::Arc;

/// The device-flow grant type.
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

type OAuthResult = Result<Response, OAuthError>;

/// The OAuth routes.
pub(crate) fn router() -> Router<Arc<TwitchState>> {
    Router::new()
        .route("/oauth2/token", post(token))
        .route("/oauth2/device", post(device))
        .route("/oauth2/validate", get(validate))
        .route("/oauth2/revoke", post(revoke))
        .route("/oauth2/authorize", get(authorize))
        .route("/activate", get(activate))
}

/// Form fields from the query string and an `application/x-www-form-urlencoded` body (the body
/// wins when both set a field).
struct Form {
    pairs: Vec<(String, String)>,
}

impl Form {
    fn parse(query: Option<&str>, body: &[u8]) -> Result<Form, OAuthError> {
        let bad = |_| OAuthError::bad_request("malformed form body");
        let mut pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(bad)?;
        let query: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or("")).map_err(bad)?;
        pairs.extend(query);
        Ok(Form { pairs })
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, v)| k == key && !v.is_empty()).map(|(_, v)| v.as_str())
    }

    /// Whether `key` was sent at all (even with an empty value).
    fn has(&self, key: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == key)
    }

    fn require(&self, key: &str) -> Result<&str, OAuthError> {
        self.get(key).ok_or_else(|| OAuthError::bad_request(format!("missing {}", key.replace('_', " "))))
    }

    /// A registered `client_id`.
    fn client(&self) -> Result<&str, OAuthError> {
        let client_id = self.require("client_id")?;
        auth::client_secret(client_id).ok_or_else(|| OAuthError::bad_request("invalid client"))?;
        Ok(client_id)
    }

    /// A registered `client_id` with its correct `client_secret`.
    fn confidential_client(&self) -> Result<&str, OAuthError> {
        let client_id = self.client()?;
        let secret = self.require("client_secret")?;
        if auth::client_secret(client_id) != Some(secret) {
            return Err(invalid_secret());
        }
        Ok(client_id)
    }
}

/// `403 invalid client secret`, as id.twitch.tv answers a wrong secret.
fn invalid_secret() -> OAuthError {
    OAuthError::new(StatusCode::FORBIDDEN, "invalid client secret")
}

fn split_scopes(raw: Option<&str>) -> Vec<String> {
    raw.unwrap_or("").split_whitespace().map(str::to_owned).collect()
}

fn pair_response(pair: TokenPair) -> Response {
    Json(json!({
        "access_token": pair.access_token,
        "expires_in": pair.expires_in,
        "refresh_token": pair.refresh_token,
        "scope": pair.scopes,
        "token_type": "bearer",
    }))
    .into_response()
}

/// `POST /oauth2/token`: client credentials, authorization code, refresh token, device code.
async fn token(State(st): State<Arc<TwitchState>>, RawQuery(query): RawQuery, body: Bytes) -> OAuthResult {
    let form = Form::parse(query.as_deref(), &body)?;
    let grant_type = form.require("grant_type")?;
    match grant_type {
        "client_credentials" => {
            let client_id = form.confidential_client()?;
            let (access_token, expires_in) = lock(&st.tokens).issue_access(client_id, None, &[]);
            Ok(Json(json!({
                "access_token": access_token,
                "expires_in": expires_in,
                "token_type": "bearer",
            }))
            .into_response())
        }
        "authorization_code" => {
            let client_id = form.confidential_client()?;
            let code = form.require("code")?;
            let redirect_uri = form.require("redirect_uri")?;
            let mut tokens = lock(&st.tokens);
            let grant = tokens.redeem_code(client_id, code, redirect_uri).map_err(OAuthError::bad_request)?;
            Ok(pair_response(tokens.issue_pair(&grant)))
        }
        "refresh_token" => {
            let client_id = form.confidential_client()?;
            let refresh_token = form.require("refresh_token")?;
            let pair = lock(&st.tokens)
                .refresh(client_id, refresh_token)
                .ok_or_else(|| OAuthError::bad_request("Invalid refresh token"))?;
            Ok(pair_response(pair))
        }
        DEVICE_GRANT => {
            let client_id = form.client()?;
            // Public clients send no secret; a confidential one must send the right one.
            if let Some(secret) = form.get("client_secret")
                && auth::client_secret(client_id) != Some(secret)
            {
                return Err(invalid_secret());
            }
            let device_code = form.require("device_code")?;
            let mut tokens = lock(&st.tokens);
            match tokens.poll_device(client_id, device_code) {
                Ok(grant) => Ok(pair_response(tokens.issue_pair(&grant))),
                Err(DevicePollError::Pending) => Err(OAuthError::bad_request("authorization_pending")),
                Err(DevicePollError::Invalid) => Err(OAuthError::bad_request("invalid device code")),
            }
        }
        _ => Err(OAuthError::bad_request("unsupported grant type")),
    }
}

/// `POST /oauth2/device`: starts the device authorization grant.
async fn device(State(st): State<Arc<TwitchState>>, RawQuery(query): RawQuery, body: Bytes) -> OAuthResult {
    let form = Form::parse(query.as_deref(), &body)?;
    let client_id = form.client()?;
    // `scopes` is required (an empty list is allowed); `scope` is accepted as its alias.
    if !form.has("scopes") && !form.has("scope") {
        return Err(OAuthError::bad_request("missing scopes"));
    }
    let scopes = split_scopes(form.get("scopes").or(form.get("scope")));
    let (device_code, user_code) = lock(&st.tokens).start_device(client_id, scopes);
    Ok(Json(json!({
        "device_code": device_code,
        "expires_in": DEVICE_CODE_LIFETIME.as_secs(),
        "interval": 5,
        "user_code": user_code,
        "verification_uri": format!("{}/activate?device-code={user_code}", st.base_url()),
    }))
    .into_response())
}

/// `GET /oauth2/validate` with `Authorization: OAuth <token>` (or `Bearer`).
async fn validate(State(st): State<Arc<TwitchState>>, headers: HeaderMap) -> OAuthResult {
    let invalid = || OAuthError::new(StatusCode::UNAUTHORIZED, "invalid access token");
    let token = bearer(&headers, &["OAuth", "Bearer"]).ok_or_else(invalid)?;
    let info = lock(&st.tokens).lookup(token).cloned().ok_or_else(invalid)?;
    let body = match &info.user_id {
        Some(user_id) => {
            let login =
                st.user_index(user_id).map(|i| st.seed.users[i].login.clone()).unwrap_or_else(|| user_id.clone());
            json!({
                "client_id": info.client_id,
                "login": login,
                "scopes": info.scopes,
                "user_id": user_id,
                "expires_in": info.expires_in(),
            })
        }
        None => json!({
            "client_id": info.client_id,
            "scopes": info.scopes,
            "expires_in": info.expires_in(),
        }),
    };
    Ok(Json(body).into_response())
}

/// `POST /oauth2/revoke`: `200` with an empty body.
async fn revoke(State(st): State<Arc<TwitchState>>, RawQuery(query): RawQuery, body: Bytes) -> OAuthResult {
    let form = Form::parse(query.as_deref(), &body)?;
    let client_id = form.require("client_id")?;
    let token = form.require("token")?;
    match lock(&st.tokens).revoke(client_id, token) {
        Ok(()) => Ok(StatusCode::OK.into_response()),
        Err(RevokeError::UnknownClient) => Err(OAuthError::new(StatusCode::NOT_FOUND, "client does not exist")),
        Err(RevokeError::InvalidToken) => Err(OAuthError::bad_request("Invalid token")),
    }
}

/// `GET /oauth2/authorize`: auto-approves as `config.authorize_as` and redirects (302) to
/// `redirect_uri` with `code`, `scope` and `state` (or, for `response_type=token`, a fragment
/// with `access_token`, `scope`, `state`, `token_type`).
async fn authorize(State(st): State<Arc<TwitchState>>, RawQuery(query): RawQuery) -> OAuthResult {
    let form = Form::parse(query.as_deref(), b"")?;
    let client_id = form.client()?;
    let redirect_uri = form.require("redirect_uri")?;
    let response_type = form.require("response_type")?;
    let scopes = split_scopes(form.get("scope"));
    let grant =
        Grant { client_id: client_id.to_owned(), user_id: st.config.authorize_as.clone(), scopes: scopes.clone() };
    let scope = scopes.join(" ");
    let mut params: Vec<(&str, String)> = Vec::new();
    let separator = match response_type {
        "code" => {
            params.push(("code", lock(&st.tokens).create_code(grant, redirect_uri)));
            params.push(("scope", scope));
            if redirect_uri.contains('?') { '&' } else { '?' }
        }
        "token" => {
            let (token, _) = lock(&st.tokens).issue_access(client_id, Some(&grant.user_id), &grant.scopes);
            params.push(("access_token", token));
            params.push(("scope", scope));
            '#'
        }
        _ => return Err(OAuthError::bad_request("unsupported response type")),
    };
    if let Some(state) = form.get("state") {
        params.push(("state", state.to_owned()));
    }
    if response_type == "token" {
        params.push(("token_type", "bearer".to_owned()));
    }
    let encoded =
        serde_urlencoded::to_string(&params).map_err(|_| OAuthError::bad_request("could not encode the redirect"))?;
    let location = format!("{redirect_uri}{separator}{encoded}");
    Ok((StatusCode::FOUND, [(header::LOCATION, location)]).into_response())
}

/// `GET /activate?device-code=<user code>`: approves a device code as `config.authorize_as`.
async fn activate(State(st): State<Arc<TwitchState>>, RawQuery(query): RawQuery) -> Response {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.as_deref().unwrap_or("")).unwrap_or_default();
    let code = pairs.iter().find(|(k, _)| k == "device-code").map(|(_, v)| v.to_uppercase()).unwrap_or_default();
    if lock(&st.tokens).approve_device(&code, &st.config.authorize_as) {
        (StatusCode::OK, "Device approved. You can close this page.\n").into_response()
    } else {
        (StatusCode::NOT_FOUND, "Unknown or expired device code.\n").into_response()
    }
}
