//! `streamkit-sandbox`: local, deterministic fakes of the services streamkit talks to, for
//! tests and examples. Today: the Twitch Helix and OAuth APIs, Muxy MEDKit, and Mixer's core
//! REST API ([`Mixer`], added with [`Sandbox::builder`]).
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
//! The crate is layered (see `sandbox/README.md`):
//!
//! * [`core`] knows no service: the server (`127.0.0.1` only, stopped when the [`Sandbox`] is
//!   dropped), the request log ([`Sandbox::requests`], [`LoggedRequest`]), fault injection
//!   ([`Sandbox::inject`], [`Fault`], [`FaultKind`]), the contract check, token buckets, the
//!   injectable [`Clock`] and frame-level faults for websocket servers.
//! * One module per service, each a [`core::Service`]: [`Twitch`] (Helix under
//!   [`Sandbox::helix_url`], OAuth under [`Sandbox::oauth_url`]) and the
//!   [`demo::PagedDemo`] route.
//! * [`Medkit`]: Muxy MEDKit under [`Sandbox::medkit_url`] (`/v1/e`), stateful, with
//!   switchable JWT checking ([`AuthMode`]) and recorded broadcasts.
//! * This facade: [`Sandbox::start`] serves Twitch and the demo, [`Sandbox::start_with_medkit`]
//!   MEDKit too; [`Sandbox::builder`] serves a chosen set of services.
//!
//! Every response is checked against the specs its service registers (for Twitch
//! `specs/twitch/helix.yaml` and `oauth.yaml`), unless [`SandboxConfig::contract_check`] is
//! off: a response with an undocumented status or property is replaced by a `500` whose
//! message says `sandbox contract violation: ...`, and recorded in
//! [`Sandbox::contract_violations`]. Responses altered by a fault (marked with the
//! `x-sandbox-fault` header) are not checked.

#![warn(missing_docs)]

pub mod core;
pub mod demo;
mod medkit;
pub mod mixer;
mod twitch;

pub use crate::core::{
    CONTRACT_VIOLATION_HEADER, Clock, FAULT_HEADER, Fault, FaultKind, LoggedRequest, MALFORMED_JSON_BODY, Service,
    SystemClock, TokioClock, UNKNOWN_ENUM_VALUE,
};
pub use medkit::{
    AuthMode, MEDKIT_EXTENSION_ID, MEDKIT_SECRET, Medkit, MedkitConfig, RecordedBroadcast, Role as MedkitRole,
};
pub use mixer::Mixer;
pub use twitch::Twitch;
pub use twitch::eventsub::{EventSubHooks, WebSocketSession, WebhookDelivery};
pub use twitch::seed::SeedInfo;

use crate::core::{Server, ServerBuilder};
use std::sync::Arc;
use std::time::Duration;

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
    /// Helix rate-limit bucket size in points; each request costs 1 (default: the `helix`
    /// bucket of `specs/twitch/helix.yaml`, 800).
    pub ratelimit_points: u32,
    /// Time for an empty bucket to refill completely (default: the spec's, 60 s).
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
            ratelimit_points: twitch::specs::helix_bucket().points,
            ratelimit_period: twitch::specs::helix_bucket().period,
            token_lifetime: Duration::from_secs(4 * 3600),
            authorize_as: twitch::seed::user_id_for(0),
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
    server: Server,
}

/// Chooses the services of a [`Sandbox`] ([`Sandbox::builder`]).
#[derive(Debug, Default)]
pub struct SandboxBuilder {
    inner: ServerBuilder,
}

impl SandboxBuilder {
    /// TCP port on 127.0.0.1; `0` picks a free one (default).
    pub fn port(self, port: u16) -> Self {
        SandboxBuilder { inner: self.inner.port(port) }
    }

    /// Check every response against the services' specs (default `true`).
    pub fn contract_check(self, on: bool) -> Self {
        SandboxBuilder { inner: self.inner.contract_check(on) }
    }

    /// Where the server and its services read the time (default [`SystemClock`]).
    pub fn clock(self, clock: Arc<dyn Clock>) -> Self {
        SandboxBuilder { inner: self.inner.clock(clock) }
    }

    /// Adds a service (the first one added also answers paths no service owns).
    pub fn service<S: Service>(self, service: S) -> Self {
        SandboxBuilder { inner: self.inner.service(service) }
    }

    /// Binds `127.0.0.1:<port>` and starts serving on the current tokio runtime.
    pub async fn start(self) -> std::io::Result<Sandbox> {
        Ok(Sandbox { server: self.inner.start().await? })
    }
}

impl Sandbox {
    /// Serves [`Twitch`] configured by `config`, and the [`demo::PagedDemo`] route: binds
    /// `127.0.0.1:<config.port>` and starts serving on the current tokio runtime.
    pub async fn start(config: SandboxConfig) -> std::io::Result<Sandbox> {
        Sandbox::builder()
            .port(config.port)
            .contract_check(config.contract_check)
            .clock(config.clock.clone())
            .service(Twitch::new(&config))
            .service(demo::PagedDemo)
            .start()
            .await
    }

    /// A sandbox serving the services you add (none yet).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// use streamkit_sandbox::{Sandbox, SandboxConfig, Twitch};
    /// let config = SandboxConfig { ratelimit_points: 5, ..SandboxConfig::default() };
    /// let sandbox = Sandbox::builder().service(Twitch::new(&config)).start().await?;
    /// assert_eq!(sandbox.seed().user_count, 3000);
    /// # Ok(()) }
    /// ```
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// The running server: its log, faults and services.
    pub fn server(&self) -> &Server {
        &self.server
    }

    /// The first service of type `S`, if the sandbox serves one.
    pub fn service<S: Service>(&self) -> Option<&S> {
        self.server.service::<S>()
    }

    /// The Twitch service.
    ///
    /// # Panics
    ///
    /// When the sandbox was built without one (a test's setup error).
    pub fn twitch(&self) -> &Twitch {
        match self.service::<Twitch>() {
            Some(t) => t,
            None => panic!("this sandbox serves no Twitch service: add `Twitch::new(..)` to `Sandbox::builder()`"),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// The Helix base URL: [`url`](Self::url) + `/helix`.
    pub fn helix_url(&self) -> String {
        format!("{}/helix", self.url())
    }

    /// The MEDKit base URL: [`url`](Self::url) + `/v1/e`.
    pub fn medkit_url(&self) -> String {
        format!("{}/v1/e", self.url())
    }

    /// The MEDKit service.
    ///
    /// # Panics
    ///
    /// When the sandbox was built without one (a test's setup error).
    pub fn medkit(&self) -> &Medkit {
        match self.service::<Medkit>() {
            Some(m) => m,
            None => panic!(
                "this sandbox serves no MEDKit service: use `Sandbox::start_with_medkit` or add `Medkit::new(..)` to `Sandbox::builder()`"
            ),
        }
    }

    /// The Mixer service: its URL ([`Mixer::api_url`]), tokens and shortcode hooks.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// use streamkit_sandbox::{Mixer, Sandbox};
    /// let sandbox = Sandbox::builder().service(Mixer::new()).start().await?;
    /// assert_eq!(sandbox.mixer().api_url(), format!("{}/mixer/api", sandbox.url()));
    /// # Ok(()) }
    /// ```
    ///
    /// # Panics
    ///
    /// When the sandbox was built without one (a test's setup error).
    pub fn mixer(&self) -> &Mixer {
        match self.service::<Mixer>() {
            Some(m) => m,
            None => panic!("this sandbox serves no Mixer service: add `Mixer::new()` to `Sandbox::builder()`"),
        }
    }

    /// Serves [`Twitch`], the demo route and [`Medkit`] (configured by `medkit`) together.
    pub async fn start_with_medkit(config: SandboxConfig, medkit: MedkitConfig) -> std::io::Result<Sandbox> {
        Sandbox::builder()
            .port(config.port)
            .contract_check(config.contract_check)
            .clock(config.clock.clone())
            .service(Twitch::new(&config))
            .service(demo::PagedDemo)
            .service(Medkit::new(medkit))
            .start()
            .await
    }

    /// The OAuth base URL: [`url`](Self::url) + `/oauth2`.
    pub fn oauth_url(&self) -> String {
        format!("{}/oauth2", self.url())
    }

    /// [`Twitch::mint_user_token`] (panics without Twitch, see [`twitch`](Self::twitch)).
    pub fn mint_user_token(&self, user_id: &str, scopes: &[&str]) -> String {
        self.twitch().mint_user_token(user_id, scopes)
    }

    /// [`Twitch::mint_app_token`] (panics without Twitch, see [`twitch`](Self::twitch)).
    pub fn mint_app_token(&self) -> String {
        self.twitch().mint_app_token()
    }

    /// [`Twitch::expire_token`] (panics without Twitch, see [`twitch`](Self::twitch)).
    pub fn expire_token(&self, token: &str) {
        self.twitch().expire_token(token);
    }

    /// [`Twitch::approve_device`] (panics without Twitch, see [`twitch`](Self::twitch)).
    pub fn approve_device(&self, user_code: &str, user_id: &str) -> bool {
        self.twitch().approve_device(user_code, user_id)
    }

    /// [`Twitch::seed`] (panics without Twitch, see [`twitch`](Self::twitch)).
    pub fn seed(&self) -> SeedInfo {
        self.twitch().seed()
    }

    /// [`Server::requests`].
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.server.requests()
    }

    /// [`Server::clear_requests`].
    pub fn clear_requests(&self) {
        self.server.clear_requests();
    }

    /// [`Server::inject`]: faults are tried in injection order; the first one matching a
    /// request is applied.
    pub fn inject(&self, fault: Fault) {
        self.server.inject(fault);
    }

    /// [`Server::clear_faults`].
    pub fn clear_faults(&self) {
        self.server.clear_faults();
    }

    /// Every contract violation found so far, as `"<METHOD> <path> <status>: <JSON path>:
    /// <problem>"`, e.g. `"GET /helix/users 200: $.data[0].x: undocumented property"`, and
    /// for websocket frames (checked against the AsyncAPI specs, see
    /// [`core::frame_contract`]) `"websocket frame <name> on connection <n>: <problem>"` (the name in backticks).
    pub fn contract_violations(&self) -> Vec<String> {
        self.server.contract_violations()
    }
}
