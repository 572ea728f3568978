//! The fake Twitch service: Helix (`/helix`), id.twitch.tv OAuth (`/oauth2`) and the
//! device-flow page (`/activate`), as one [`Service`].
//!
//! * The data is seeded deterministically (see [`SeedInfo`](crate::SeedInfo)); Modify Channel
//!   Information and EventSub subscriptions change state for the lifetime of the sandbox.
//! * Every Helix response carries `Ratelimit-Limit`, `Ratelimit-Remaining` and
//!   `Ratelimit-Reset` (the bucket `x-streamkit-ratelimit-buckets` declares in
//!   `specs/twitch/helix.yaml`, resized by [`SandboxConfig`]); buckets are per client id (app
//!   tokens) or client id + user (user tokens).
//! * `Send Chat Message` with the text `dropme` reports a dropped message (`is_sent: false`).
//! * EventSub webhook subscriptions with a callback on `127.0.0.1` are verified and receive
//!   signed notifications (see [`EventSubHooks`](crate::EventSubHooks)); Modify Channel
//!   Information sends `channel.update`.
//! * Errors (including the core's: faults, contract violations) have Helix's
//!   `{"error", "status", "message"}` shape; OAuth's own errors are `{"status", "message"}`.
//! * For the body-rewriting faults, records are the objects of `data` and the cursor is
//!   `pagination.cursor` (or the bare-string `pagination` of Get Extension Live Channels),
//!   continued with `after`.

pub(crate) mod auth;
pub(crate) mod errors;
pub(crate) mod eventsub;
pub(crate) mod helix;
pub(crate) mod oauth;
pub(crate) mod pagination;
pub(crate) mod rng;
pub(crate) mod seed;
pub(crate) mod specs;
pub(crate) mod state;

use crate::SandboxConfig;
use crate::core::{BucketSpec, Context, Service, ServiceSpec, lock};
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use errors::{HelixError, OAuthError};
use serde_json::{Map, Value};
use state::TwitchState;
use std::sync::Arc;

/// The Twitch service. Clones share the same state.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
/// use streamkit_sandbox::{Sandbox, SandboxConfig, Twitch};
/// let sandbox = Sandbox::builder().service(Twitch::new(&SandboxConfig::default())).start().await?;
/// assert!(sandbox.helix_url().ends_with("/helix"));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Twitch {
    state: Arc<TwitchState>,
}

impl Twitch {
    /// A Twitch service configured by `config`'s Twitch settings (rate limit, token
    /// lifetime, `authorize_as`, `extra_live_streams`, `helix_latency`; the server settings
    /// `port`, `contract_check` and `clock` are the server's).
    pub fn new(config: &SandboxConfig) -> Twitch {
        let bucket = BucketSpec {
            points: config.ratelimit_points,
            period: config.ratelimit_period,
            ..specs::helix_bucket().clone()
        };
        Twitch { state: Arc::new(TwitchState::new(config.clone(), bucket, seed::Seed::build())) }
    }

    /// Issues a user access token for [`CLIENT_ID`](crate::CLIENT_ID), as if `user_id` (a
    /// seeded user) had authorized `scopes`.
    pub fn mint_user_token(&self, user_id: &str, scopes: &[&str]) -> String {
        let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
        lock(&self.state.tokens).issue_access(crate::CLIENT_ID, Some(user_id), &scopes).0
    }

    /// Issues an app access token for [`CLIENT_ID`](crate::CLIENT_ID).
    pub fn mint_app_token(&self) -> String {
        lock(&self.state.tokens).issue_access(crate::CLIENT_ID, None, &[]).0
    }

    /// Makes `token` invalid as if it had expired: Helix answers 401 and `/oauth2/validate`
    /// rejects it (its refresh token, if any, still works).
    pub fn expire_token(&self, token: &str) {
        lock(&self.state.tokens).expire(token);
    }

    /// Approves a pending device-flow `user_code` as `user_id`; false when the code is unknown,
    /// expired or already approved.
    pub fn approve_device(&self, user_code: &str, user_id: &str) -> bool {
        lock(&self.state.tokens).approve_device(user_code, user_id)
    }

    /// EventSub's test hooks: trigger events, revoke subscriptions, resend messages, and the
    /// log of webhook deliveries (see [`EventSubHooks`](crate::EventSubHooks)).
    pub fn eventsub(&self) -> eventsub::EventSubHooks {
        eventsub::EventSubHooks { state: self.state.clone() }
    }

    /// Ids and names of the seeded data that tests can rely on.
    pub fn seed(&self) -> seed::SeedInfo {
        let mut info = self.state.seed.info.clone();
        info.live_stream_count += self.state.config.extra_live_streams;
        info
    }
}

impl Service for Twitch {
    fn owns(&self, path: &str) -> bool {
        let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
        under("/helix") || under("/oauth2") || under("/eventsub") || path == "/activate"
    }

    fn router(&self, ctx: &Context) -> Router {
        self.state.started(ctx);
        if ctx.contract_check {
            self.state.eventsub_ws.hub.check_frames(specs::eventsub_frames(), ctx.violations.clone());
        }
        eventsub::delivery::start(&self.state);
        helix::router().merge(oauth::router()).merge(eventsub::websocket::router()).with_state(self.state.clone())
    }

    fn wrap(&self, app: Router, _ctx: &Context) -> Router {
        app.layer(axum::middleware::from_fn_with_state(self.state.clone(), helix::middleware))
    }

    /// Helix's error shape, for OAuth paths too (as the sandbox always answered).
    fn render_error(&self, _path: &str, status: StatusCode, message: &str) -> Response {
        HelixError::new(status, message).into_response()
    }

    fn not_found(&self, path: &str) -> Response {
        if helix::is_helix_path(path) {
            helix::not_found()
        } else {
            OAuthError::new(StatusCode::NOT_FOUND, "Not Found").into_response()
        }
    }

    fn specs(&self) -> Vec<ServiceSpec> {
        specs::service_specs()
    }

    fn buckets(&self) -> Vec<BucketSpec> {
        vec![lock(&self.state.ratelimit).spec().clone()]
    }

    /// The objects of `data` (or `data` itself when it is an object).
    fn records<'a>(&self, body: &'a mut Value) -> Vec<&'a mut Map<String, Value>> {
        match body.get_mut("data") {
            Some(Value::Array(items)) => items.iter_mut().filter_map(Value::as_object_mut).collect(),
            Some(Value::Object(obj)) => vec![obj],
            _ => Vec::new(),
        }
    }

    fn cursor_param(&self) -> Option<&str> {
        Some("after")
    }

    fn replace_cursor(&self, body: &mut Value, cursor: &str) {
        match body.get_mut("pagination") {
            Some(Value::String(s)) => *s = cursor.to_owned(),
            Some(p) => *p = serde_json::json!({ "cursor": cursor }),
            None => {}
        }
    }
}
