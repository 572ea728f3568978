//! # streamkit-mixer
//!
//! A typed client for Mixer's core REST API: [`rest`], generated from
//! `specs/mixer/core.yaml` by `cargo xtask regen`, plus hand-written typed list filters in
//! [`filters`]. Everything an app needs is re-exported here.
//!
//! ```no_run
//! use streamkit_mixer::filters::{Order, Where};
//! use streamkit_mixer::{rest, Error};
//!
//! # async fn demo() -> Result<(), Error> {
//! let client = rest::Client::builder().client_id("your-client-id").build()?;
//! let live = client
//!     .list_channels()
//!     .where_(Where::field("online").eq(true).and(Where::field("viewersCurrent").gt(10)))
//!     .order(Order::desc("viewersCurrent"))
//!     .send()
//!     .await?;
//! for channel in live.iter() {
//!     println!("{} ({})", channel.token.as_deref().unwrap_or("?"), channel.id);
//! }
//! # Ok(()) }
//! ```
//!
//! A client built without an access token sends no `Authorization` header at all (Mixer
//! answers a malformed one with a CSRF error); operations that need a token fail before
//! sending, naming the missing credential.
#![warn(missing_docs)]

/// Mixer's core REST API (`https://mixer.com/api`), generated from `specs/mixer/core.yaml`.
#[rustfmt::skip] // formatted by codegen (prettyplease)
#[path = "generated_rest.rs"]
pub mod rest;

pub mod auth;
pub mod filters;
pub mod paging;

/// What [`paging`] returns, and the stream extension traits to consume it.
pub mod pagination {
    pub use streamkit_runtime::pagination::{
        ItemStream, Page, PageStream, PageToken, Paginator, StreamExt, TryStreamExt,
    };
}

pub use streamkit_runtime::clock::{Clock, SystemClock};
pub use streamkit_runtime::ratelimit::{InProcessLimiter, RateLimitInfo, RateLimiter};
pub use streamkit_runtime::retry::RetryPolicy;
pub use streamkit_runtime::tls::install_default_provider as install_tls_provider;
pub use streamkit_runtime::{ApiError, ClientBuilder, Error, ErrorBody, Secret};
