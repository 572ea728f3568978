//! The fake Mixer core REST API, served under `/mixer/api` ([`Mixer::api_url`]).
//!
//! * Seeded, deterministic data (see [`seed`]): 120 users each with a channel (every third
//!   live), 6 game types, 3 teams, follows and roles; channel updates, follows, hosting,
//!   preferences and role changes change it for the sandbox's lifetime.
//! * Lists take `where` / `order` / `fields`; v1 lists page with `page`/`limit` and answer
//!   `Link` and `x-total-count`; v2 chat users page with continuation tokens.
//! * Every operation draws from the bucket `specs/mixer/core.yaml` declares for it, per
//!   `Client-ID` and user, and answers 429 when it is used up; no rate-limit headers, as
//!   Mixer sends none.
//! * `Authorization` must be absent or `Bearer <token>`: anything else is a 403 CSRF error,
//!   as on Mixer. OAuth (the token endpoint takes a JSON or a form body): the
//!   authorization-code grant (codes from [`Mixer::mint_code`] or an approved shortcode),
//!   refresh (single use), and the shortcode flow, approved or denied through
//!   [`Mixer::approve_shortcode`] / [`Mixer::deny_shortcode`].
//! * Errors are `{"statusCode", "error", "message"}`.
//! * Realtime on the same address: the chat servers ([`chat`], the endpoints
//!   `GET /v1/chats/{channelId}` lists, with single-use authkeys) and Constellation
//!   ([`constellation`], live events from REST writes); test hooks through
//!   [`Mixer::realtime`].

pub mod chat;
pub mod constellation;
pub mod realtime;
pub mod seed;

mod query;
mod routes;
mod routes_oauth;
mod specs;
mod state;

use crate::core::{BucketSpec, Context, Service, ServiceSpec, lock};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use state::{Approval, Caller, MixerState};
use std::sync::Arc;

pub use realtime::MixerRealtime;
pub use specs::PREFIX;

/// The Mixer service (see the module docs). Clones share state.
#[derive(Clone, Debug)]
pub struct Mixer {
    state: Arc<MixerState>,
}

impl Default for Mixer {
    fn default() -> Self {
        Mixer::new()
    }
}

impl Mixer {
    /// A Mixer service with the seeded data.
    pub fn new() -> Mixer {
        Mixer { state: Arc::new(MixerState::new()) }
    }

    /// A Mixer service that enforces no rate-limit bucket, for runs that send thousands of
    /// requests within seconds (the schemathesis run) and test something other than limits.
    pub fn without_rate_limits() -> Mixer {
        let state = MixerState { limits: std::sync::Mutex::new(Default::default()), ..MixerState::new() };
        Mixer { state: Arc::new(state) }
    }

    /// The API base URL (`http://127.0.0.1:PORT/mixer/api`) once the server started.
    pub fn api_url(&self) -> String {
        self.state.api_url()
    }

    /// The test hooks of the chat servers and Constellation (see [`realtime`]).
    pub fn realtime(&self) -> MixerRealtime {
        MixerRealtime { state: self.state.clone() }
    }

    /// An access token for user index `user` (see [`seed`]) with `scopes`.
    pub fn mint_token(&self, user: usize, scopes: &[&str]) -> String {
        let caller = Caller { user, scopes: scopes.iter().map(|s| (*s).to_owned()).collect() };
        let now = self.state.now();
        lock(&self.state.tokens).issue(caller, now).0
    }

    /// An authorization code for user index `user` with `scopes`, as the browser flow
    /// would hand to the redirect URI.
    pub fn mint_code(&self, user: usize, scopes: &[&str]) -> String {
        let caller = Caller { user, scopes: scopes.iter().map(|s| (*s).to_owned()).collect() };
        lock(&self.state.tokens).code(caller)
    }

    /// The user approves the shortcode `code` (the 6 characters) as user index `user`;
    /// `false` when no pending shortcode has that code.
    pub fn approve_shortcode(&self, code: &str, user: usize) -> bool {
        let mut tokens = lock(&self.state.tokens);
        let Some(handle) = tokens
            .shortcodes
            .iter()
            .find(|(_, s)| s.code == code && s.approval == Approval::Pending)
            .map(|(h, _)| h.clone())
        else {
            return false;
        };
        let scopes = tokens.shortcodes[&handle].scopes.clone();
        let auth_code = tokens.code(Caller { user, scopes });
        if let Some(s) = tokens.shortcodes.get_mut(&handle) {
            s.approval = Approval::Approved(auth_code);
        }
        true
    }

    /// The user denies the shortcode `code`; `false` when no pending shortcode has it.
    pub fn deny_shortcode(&self, code: &str) -> bool {
        let mut tokens = lock(&self.state.tokens);
        match tokens.shortcodes.values_mut().find(|s| s.code == code && s.approval == Approval::Pending) {
            Some(s) => {
                s.approval = Approval::Denied;
                true
            }
            None => false,
        }
    }
}

/// Mixer's error body.
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    let body = json!({
        "statusCode": status.as_u16(),
        "error": status.canonical_reason().unwrap_or("Error"),
        "message": message,
    });
    (status, axum::Json(body)).into_response()
}

fn owns_path(path: &str) -> bool {
    path == PREFIX || path.starts_with(&format!("{PREFIX}/"))
}

/// Authentication (absent, `Bearer <token>`, or a CSRF error) and the per-bucket limits.
async fn middleware(State(state): State<Arc<MixerState>>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if !owns_path(&path) {
        return next.run(req).await;
    }
    let caller = match req.headers().get(axum::http::header::AUTHORIZATION) {
        None => None,
        Some(v) => match v.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")) {
            None => return error(StatusCode::FORBIDDEN, "Invalid or missing CSRF token."),
            Some(token) => match state.caller(token) {
                Some(c) => Some(c),
                None => return error(StatusCode::UNAUTHORIZED, "Invalid or expired access token."),
            },
        },
    };
    let route = specs::find(&state.routes, req.method().as_str(), &path[PREFIX.len()..]).cloned();
    if let Some(route) = route {
        if route.needs_token && caller.is_none() {
            return error(StatusCode::UNAUTHORIZED, "This endpoint needs an access token.");
        }
        if let Some(bucket) = &route.bucket {
            let client = req.headers().get("client-id").and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned();
            let key = format!("{client}:{}", caller.as_ref().map(|c| c.user.to_string()).unwrap_or_default());
            let refused = match (lock(&state.limits).get_mut(bucket), state.clock.get()) {
                (Some(b), Some(clock)) => {
                    // Seconds until one point is back, rounded up: when a retry can pass.
                    let per_point = b.spec().period.as_secs().div_ceil(u64::from(b.spec().points.max(1))).max(1);
                    (!b.charge_now(&key, 1, clock.as_ref()).allowed).then_some(per_point)
                }
                _ => None,
            };
            if let Some(retry_after) = refused {
                let mut r =
                    error(StatusCode::TOO_MANY_REQUESTS, &format!("Rate limit of the `{bucket}` bucket exceeded."));
                r.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(retry_after));
                return r;
            }
        }
    }
    if let Some(c) = caller {
        req.extensions_mut().insert(c);
    }
    as_mixer_error(next.run(req).await).await
}

/// axum's own rejections of a request body (no or another `Content-Type`: 415; not JSON: 400;
/// JSON of the wrong shape: 422) are plain text. Mixer answers every invalid request with its
/// 400 error body, the status the spec documents for an invalid body.
async fn as_mixer_error(response: Response) -> Response {
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let rejection = matches!(response.status().as_u16(), 400 | 415 | 422);
    if !rejection || is_json {
        return response;
    }
    // Rejection messages are short; a longer body is cut to the limit.
    const MAX_MESSAGE: usize = 1024;
    let body = axum::body::to_bytes(response.into_body(), 64 * 1024).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX_MESSAGE)]).into_owned();
    error(StatusCode::BAD_REQUEST, if text.is_empty() { "The request body is invalid." } else { &text })
}

/// The websocket paths: the chat endpoints and Constellation.
fn owns_realtime_path(path: &str) -> bool {
    path.starts_with("/mixer/chat/") || path == constellation::PATH
}

impl Service for Mixer {
    fn owns(&self, path: &str) -> bool {
        owns_path(path) || owns_realtime_path(path)
    }

    fn router(&self, ctx: &Context) -> Router {
        let _ = self.state.base_url.set(ctx.base_url.clone());
        let _ = self.state.clock.set(ctx.clock.clone());
        if ctx.contract_check {
            let (chat, live) = specs::frame_contracts();
            self.state.chat.hub.check_frames(chat, ctx.violations.clone());
            self.state.live.hub.check_frames(live, ctx.violations.clone());
        }
        Router::new()
            .nest(PREFIX, routes::router())
            .merge(chat::router())
            .merge(constellation::router())
            .with_state(self.state.clone())
    }

    fn wrap(&self, app: Router, _ctx: &Context) -> Router {
        app.layer(axum::middleware::from_fn_with_state(self.state.clone(), middleware))
    }

    fn render_error(&self, _path: &str, status: StatusCode, message: &str) -> Response {
        error(status, message)
    }

    fn specs(&self) -> Vec<ServiceSpec> {
        specs::service_specs()
    }

    fn buckets(&self) -> Vec<BucketSpec> {
        specs::buckets()
    }
}
