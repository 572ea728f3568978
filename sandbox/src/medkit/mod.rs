//! The fake Muxy MEDKit service (`/v1/e`), stateful as Muxy's sandbox is: per extension
//! (the client id of the `Authorization` header), channel and viewer stores that persist for
//! the server's life.
//!
//! * POST replaces a store; PATCH applies an RFC 6902 JSON Patch array (a failing operation
//!   is a 400 and changes nothing) or a merge object (`null` deletes).
//! * Votes: one per viewer per poll id, a re-vote replaces; results in the flat form with
//!   `count`, `sum`, `mean`, `stddev`, `specific` (64 values) and the caller's `vote`.
//! * Rank keeps one answer per viewer and counts them; accumulate keeps timestamped entries.
//! * Broadcasts (`broadcast`, `extension_broadcast`, `whisper_self`, `pusher_broadcast`) are
//!   recorded: [`Medkit::broadcasts`].
//! * Auth: a missing, malformed or expired JWT is a 401, a role the route does not allow a
//!   403. [`AuthMode::Sandbox`] (default) accepts unsigned development tokens, as Muxy's
//!   sandbox does; [`AuthMode::Production`] requires HS256 with [`MedkitConfig::secret`]
//!   (switch with [`Medkit::set_mode`]), and answers `authtoken` with 404.

pub(crate) mod aggregation;
pub(crate) mod auth;
pub(crate) mod errors;
pub(crate) mod extras;
pub(crate) mod session;
pub(crate) mod specs;
pub(crate) mod state;
pub(crate) mod stores;
pub(crate) mod validate;

pub use auth::{AuthMode, Role};
pub use state::RecordedBroadcast;

use crate::core::{Context, Service, ServiceSpec, lock};
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use state::MedkitState;
use std::sync::Arc;

/// The extension client id tests use.
pub const MEDKIT_EXTENSION_ID: &str = "sandboxextension0000000000000001";
/// Its secret.
pub const MEDKIT_SECRET: &str = "sandbox-extension-secret";

/// How to run the fake MEDKit.
#[derive(Clone, Debug)]
pub struct MedkitConfig {
    /// The extension secret production mode verifies signatures with (default [`MEDKIT_SECRET`]).
    pub secret: String,
    /// How JWTs are checked at start (default [`AuthMode::Sandbox`]).
    pub mode: AuthMode,
    /// Users per `user_ids` page (default 1000, as Muxy's).
    pub user_ids_page_size: usize,
}

impl Default for MedkitConfig {
    fn default() -> Self {
        MedkitConfig { secret: MEDKIT_SECRET.into(), mode: AuthMode::Sandbox, user_ids_page_size: 1000 }
    }
}

/// The MEDKit service. Clones share the same state.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
/// use streamkit_sandbox::{Medkit, MedkitConfig, Sandbox};
/// let sandbox = Sandbox::builder().service(Medkit::new(MedkitConfig::default())).start().await?;
/// assert!(sandbox.medkit_url().ends_with("/v1/e"));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Medkit {
    state: Arc<MedkitState>,
}

impl Medkit {
    /// A fresh service.
    pub fn new(config: MedkitConfig) -> Medkit {
        Medkit { state: Arc::new(MedkitState::new(config.secret, config.mode, config.user_ids_page_size.max(1))) }
    }

    /// Switches how JWTs are checked from the next request on.
    pub fn set_mode(&self, mode: AuthMode) {
        *lock(&self.state.mode) = mode;
    }

    /// A JWT signed with the configured secret, valid for an hour from the server's clock.
    pub fn mint(&self, role: Role, channel_id: Option<&str>, user_id: Option<&str>) -> String {
        let exp = self.state.now_secs() + 3600;
        auth::sign(&session::claims(role, channel_id, user_id, exp), self.state.secret())
    }

    /// An unsigned (`alg: none`) development JWT, valid for an hour.
    pub fn mint_unsigned(&self, role: Role, channel_id: Option<&str>, user_id: Option<&str>) -> String {
        let exp = self.state.now_secs() + 3600;
        auth::unsigned(&session::claims(role, channel_id, user_id, exp))
    }

    /// A signed JWT that expired a minute ago.
    pub fn mint_expired(&self, role: Role, channel_id: Option<&str>, user_id: Option<&str>) -> String {
        let exp = self.state.now_secs().saturating_sub(60);
        auth::sign(&session::claims(role, channel_id, user_id, exp), self.state.secret())
    }

    /// Every broadcast received so far, in order.
    pub fn broadcasts(&self) -> Vec<RecordedBroadcast> {
        lock(&self.state.data).broadcasts.clone()
    }

    /// Adds users who shared their id with `extension` (listed by `user_ids`).
    pub fn add_users<'a>(&self, extension: &str, ids: impl IntoIterator<Item = &'a str>) {
        lock(&self.state.data).users.entry(extension.into()).or_default().extend(ids.into_iter().map(str::to_owned));
    }

    /// Stores the `json_store` document `id` of `channel_id`.
    pub fn set_json_store(&self, extension: &str, channel_id: &str, id: &str, value: Value) {
        lock(&self.state.data).json_store.insert(format!("{extension}|{channel_id}|{id}"), value);
    }
}

impl Service for Medkit {
    fn owns(&self, path: &str) -> bool {
        path == "/v1/e" || path.starts_with("/v1/e/")
    }

    fn router(&self, ctx: &Context) -> Router {
        *lock(&self.state.clock) = Some(ctx.clock.clone());
        let r = Router::new();
        let r = stores::routes(r);
        let r = aggregation::routes(r);
        let r = session::routes(r);
        let r = extras::routes(r);
        r.with_state(self.state.clone())
    }

    fn wrap(&self, app: Router, _ctx: &Context) -> Router {
        app.layer(axum::middleware::from_fn(validate::validate))
    }

    fn render_error(&self, _path: &str, status: StatusCode, message: &str) -> Response {
        errors::error(status, message).into_response()
    }

    fn specs(&self) -> Vec<ServiceSpec> {
        specs::service_specs()
    }
}
