//! `streamkit-sandbox`: a local, deterministic fake of the Twitch Helix and OAuth APIs.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use streamkit_sandbox::{Sandbox, SandboxConfig, CLIENT_ID};
//! let sandbox = Sandbox::start(SandboxConfig::default()).await?;
//! let seed = sandbox.seed();
//! let token = sandbox.mint_user_token(&seed.broadcaster_id, &["channel:manage:broadcast"]);
//! // GET {sandbox.helix_url()}/users with `Authorization: Bearer {token}` and `Client-Id: {CLIENT_ID}`
//! # let _ = (token, CLIENT_ID);
//! # Ok(()) }
//! ```
//!
//! * Helix lives under [`Sandbox::helix_url`], OAuth under [`Sandbox::oauth_url`]; the server
//!   listens on `127.0.0.1` only and stops when the [`Sandbox`] is dropped.
//! * The data is seeded deterministically (see [`SeedInfo`]); Modify Channel Information and
//!   EventSub subscriptions change state for the lifetime of the sandbox.
//! * Every Helix response carries `Ratelimit-Limit`, `Ratelimit-Remaining` and
//!   `Ratelimit-Reset`; buckets are per client id (app tokens) or client id + user (user tokens).
//! * `Send Chat Message` with the text `dropme` reports a dropped message (`is_sent: false`).
//! * Every request is recorded in a log ([`Sandbox::requests`], [`LoggedRequest`]).
//! * Faults can be injected per route ([`Sandbox::inject`], [`Fault`], [`FaultKind`]).
//! * Every response is checked against `specs/twitch/helix.yaml` and `oauth.yaml` (unless
//!   [`SandboxConfig::contract_check`] is off): a response with an undocumented status or
//!   property is replaced by a `500` whose message says `sandbox contract violation: ...`, and
//!   recorded in [`Sandbox::contract_violations`]. Responses altered by a fault (marked with the
//!   `x-sandbox-fault` header) are not checked.
//!
//! The middleware stack, outermost first: request log → contract check → faults → Helix
//! authentication and rate limiting → routes.

#![warn(missing_docs)]

mod auth;
mod clock;
mod contract;
mod errors;
mod faults;
mod pagination;
mod paged;
mod ratelimit;
mod requestlog;
mod rng;
mod seed;
mod state;
mod twitch;

pub use clock::{Clock, SystemClock, TokioClock};
pub use faults::{FAULT_HEADER, Fault, FaultKind, MALFORMED_JSON_BODY, UNKNOWN_ENUM_VALUE};
pub use requestlog::LoggedRequest;
pub use seed::SeedInfo;

/// The header (value `1`) on responses the contract check replaced with a `500`.
pub const CONTRACT_VIOLATION_HEADER: &str = contract::VIOLATION_HEADER;

use axum::Router;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use state::{AppState, lock};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

/// The client id of the registered sandbox app (30+ characters, like Twitch's).
pub const CLIENT_ID: &str = "sandboxclientid000000000000000001";
/// The client secret of [`CLIENT_ID`].
pub const CLIENT_SECRET: &str = "sandbox-client-secret-0001";
/// A second registered app, for "wrong client" tests.
pub const OTHER_CLIENT_ID: &str = "sandboxclientid000000000000000002";
/// The client secret of [`OTHER_CLIENT_ID`].
pub const OTHER_CLIENT_SECRET: &str = "sandbox-client-secret-0002";

/// How to run a sandbox.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// TCP port on 127.0.0.1; `0` picks a free one (default).
    pub port: u16,
    /// Helix rate-limit bucket size in points; each request costs 1 (default 800).
    pub ratelimit_points: u32,
    /// Time for an empty bucket to refill completely (default 60 s).
    pub ratelimit_period: Duration,
    /// Lifetime of issued access tokens (default 4 h).
    pub token_lifetime: Duration,
    /// The user id `/oauth2/authorize` and `/activate` approve as (default: the first seeded
    /// user, [`SeedInfo::broadcaster_id`]).
    pub authorize_as: String,
    /// Check every response against the Helix and OAuth specs and answer `500` instead of an
    /// undocumented status or property (default `true`).
    pub contract_check: bool,
    /// Synthetic live streams (each by a synthetic user) listed by Get Streams after the
    /// seeded ones, with 0 viewers (default 0). They are computed from their index when a page
    /// is served, so 100,000 of them cost no memory. For benchmarks.
    pub extra_live_streams: usize,
    /// Extra delay before every Helix response (default none). For benchmarks.
    pub helix_latency: Duration,
    /// Where the sandbox reads the time (default [`SystemClock`]); tests pass a
    /// [`TokioClock`] to run the rate-limit buckets on simulated time.
    pub clock: Arc<dyn Clock>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            port: 0,
            ratelimit_points: 800,
            ratelimit_period: Duration::from_secs(60),
            token_lifetime: Duration::from_secs(4 * 3600),
            authorize_as: seed::user_id_for(0),
            contract_check: true,
            extra_live_streams: 0,
            helix_latency: Duration::ZERO,
            clock: Arc::new(SystemClock),
        }
    }
}

/// A running sandbox server. It serves on a tokio task and shuts down gracefully when dropped.
#[derive(Debug)]
pub struct Sandbox {
    state: Arc<AppState>,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
}

async fn fallback(req: Request) -> Response {
    if twitch::helix::is_helix_path(req.uri().path()) {
        twitch::helix::not_found()
    } else {
        errors::OAuthError::new(axum::http::StatusCode::NOT_FOUND, "Not Found").into_response()
    }
}

impl Sandbox {
    /// Binds `127.0.0.1:<config.port>` and starts serving on the current tokio runtime.
    pub async fn start(config: SandboxConfig) -> std::io::Result<Sandbox> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let state = Arc::new(AppState::new(config, base_url, seed::Seed::build()));
        let app = Router::new()
            .merge(twitch::helix::router())
            .merge(twitch::oauth::router())
            .merge(paged::router())
            .fallback(fallback)
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                twitch::helix::middleware,
            ))
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                faults::middleware,
            ))
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                contract::middleware,
            ))
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                requestlog::middleware,
            ))
            .with_state(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let shutdown = async {
                let _ = rx.await;
            };
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await;
        });
        Ok(Sandbox {
            state,
            addr,
            shutdown: Some(tx),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The Helix base URL: [`url`](Self::url) + `/helix`.
    pub fn helix_url(&self) -> String {
        format!("{}/helix", self.url())
    }

    /// The OAuth base URL: [`url`](Self::url) + `/oauth2`.
    pub fn oauth_url(&self) -> String {
        format!("{}/oauth2", self.url())
    }

    /// Issues a user access token for [`CLIENT_ID`], as if `user_id` (a seeded user) had
    /// authorized `scopes`.
    pub fn mint_user_token(&self, user_id: &str, scopes: &[&str]) -> String {
        let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
        lock(&self.state.tokens)
            .issue_access(CLIENT_ID, Some(user_id), &scopes)
            .0
    }

    /// Issues an app access token for [`CLIENT_ID`].
    pub fn mint_app_token(&self) -> String {
        lock(&self.state.tokens)
            .issue_access(CLIENT_ID, None, &[])
            .0
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

    /// Ids and names of the seeded data that tests can rely on.
    pub fn seed(&self) -> SeedInfo {
        let mut info = self.state.seed.info.clone();
        info.live_stream_count += self.state.config.extra_live_streams;
        info
    }

    /// Every request received so far (since the last [`clear_requests`](Self::clear_requests)),
    /// in arrival order. A request whose response is still being prepared is included with
    /// `status: None` and `finished: None`.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.state.log).snapshot()
    }

    /// Empties the request log (sequence numbers keep counting).
    pub fn clear_requests(&self) {
        lock(&self.state.log).clear();
    }

    /// Adds a fault. Faults are tried in injection order; the first one matching a request is
    /// applied (and one of its [`times`](Fault::times) used up), the others are not.
    pub fn inject(&self, fault: Fault) {
        lock(&self.state.faults).inject(fault);
    }

    /// Removes every injected fault.
    pub fn clear_faults(&self) {
        lock(&self.state.faults).clear();
    }

    /// Every contract violation found so far, as `"<METHOD> <path> <status>: <JSON path>:
    /// <problem>"`, e.g. `"GET /helix/users 200: $.data[0].x: undocumented property"`.
    pub fn contract_violations(&self) -> Vec<String> {
        lock(&self.state.violations).clone()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
