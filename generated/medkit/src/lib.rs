//! # streamkit-medkit
//!
//! A typed client for Muxy's MEDKit REST API ([`medkit`]), generated from
//! `specs/medkit/medkit.yaml` by `cargo xtask regen`, plus hand-written pieces:
//!
//! * [`Environment`]: production, Muxy's sandbox, or any base URL (the local sandbox);
//! * [`auth`]: JWTs minted with the extension secret, checked, decoded; the sandbox's
//!   `authtoken` flow;
//! * [`Stores`]: the state and config stores with any `T: Serialize / DeserializeOwned`,
//!   and [`Patch`] (RFC 6902 JSON Patch or merge);
//! * [`VoteSummary`]: poll results whichever form (flat or nested `stats`) the server sends.
//!
//! ```no_run
//! # async fn demo() -> Result<(), streamkit_runtime::Error> {
//! use streamkit_medkit::auth::{ExtensionJwt, ExtensionSecret, Role, REMINT_MARGIN};
//! use streamkit_medkit::{medkit, Environment, EnvironmentExt, Patch, Store, Stores};
//! let client = medkit::Client::builder()
//!     .environment(Environment::Sandbox)
//!     .client_id("my-extension-client-id")
//!     .jwt_minter(ExtensionJwt::new(ExtensionSecret::raw("secret"), Role::Backend).channel_id("12345"), REMINT_MARGIN)
//!     .build()?;
//! let state: serde_json::Value = client.get_store(Store::Channel).await?;
//! client.patch_store(Store::Channel, Patch::merge(serde_json::json!({"round": 2}))).await?;
//! # let _ = state; Ok(()) }
//! ```
#![warn(missing_docs)]

/// Muxy MEDKit (`https://api.muxy.io/v1/e`), generated from `specs/medkit/medkit.yaml`.
#[rustfmt::skip] // formatted by codegen (prettyplease)
#[path = "generated_medkit.rs"]
pub mod medkit;

pub mod auth;
mod environment;
mod patch;
mod stores;
mod votes;

pub use environment::{Environment, EnvironmentExt};
pub use patch::Patch;
pub use stores::{Store, Stores};
pub use streamkit_runtime::clock::{Clock, SystemClock};
pub use streamkit_runtime::identity;
pub use streamkit_runtime::ratelimit::{InProcessLimiter, RateLimitInfo, RateLimiter};
pub use streamkit_runtime::retry::RetryPolicy;
pub use streamkit_runtime::tls::install_default_provider as install_tls_provider;
pub use streamkit_runtime::{ApiError, ClientBuilder, Error, ErrorBody, Secret, pagination};
pub use votes::VoteSummary;
