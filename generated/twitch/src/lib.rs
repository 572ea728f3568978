//! # streamkit-twitch
//!
//! A typed client for Twitch: [`helix`] (the Helix REST API) and [`oauth`] (id.twitch.tv),
//! generated from `specs/twitch/*.yaml` by `cargo xtask regen`, plus hand-written token
//! management in [`auth`]. Everything an app needs is re-exported here: it does not need a
//! direct `streamkit-runtime` dependency.
//!
//! ```no_run
//! use streamkit_twitch::{helix, Error, Secret};
//!
//! # async fn demo() -> Result<(), Error> {
//! let client = helix::Client::builder()
//!     .client_id("your-client-id")
//!     .access_token(Secret::new("your-access-token"))
//!     .build()?;
//! let users = client.get_users().login(["twitchdev"]).send().await?;
//! for user in &users.data {
//!     println!("{} ({})", user.display_name, user.id);
//! }
//! # Ok(()) }
//! ```
//!
//! Every call returns [`Error`]; a value the spec's bounds refuse (`first(101)`, more than
//! 100 ids) fails with [`Error::InvalidRequest`] before anything is sent.
//!
//! ## Features
//! * `rustls` (default): HTTPS through rustls with the *ring* provider (builds with a C
//!   compiler only), installed when the first client is built. Code that builds its own
//!   `reqwest::Client` before that calls [`install_tls_provider`] first. Turn default
//!   features off if you bring your own `reqwest::Client` with TLS of your choosing
//!   ([`ClientBuilder::http_client`]); the sandbox and other plain-HTTP URLs need no TLS.
//! * `axum`: `eventsub::webhook::axum::callback`, an EventSub webhook callback route.
#![warn(missing_docs)]

/// Twitch Helix (`https://api.twitch.tv/helix`), generated from `specs/twitch/helix.yaml`.
#[rustfmt::skip] // formatted by codegen (prettyplease)
#[path = "generated_helix.rs"]
pub mod helix;

/// Twitch OAuth (`https://id.twitch.tv/oauth2`), generated from `specs/twitch/oauth.yaml`.
#[rustfmt::skip] // formatted by codegen (prettyplease)
#[path = "generated_oauth.rs"]
pub mod oauth;

/// Twitch EventSub's messages, generated from `specs/twitch/eventsub.yaml` (AsyncAPI): the
/// [`types`](eventsub_messages::types) of every condition, event, notification body and
/// websocket frame, [`EventsubEvent`](eventsub_messages::EventsubEvent) (one variant per
/// subscription type and version, `Unknown` keeping the raw JSON of others) and
/// [`EventsubMessage`](eventsub_messages::EventsubMessage) (the websocket frames, by
/// `metadata.message_type`). [`eventsub`] uses them; most apps read them from there.
///
/// ```
/// use streamkit_twitch::eventsub_messages::EventsubEvent;
/// use streamkit_twitch::message::Strictness;
///
/// let event = serde_json::json!({"broadcaster_user_id": "1337", "broadcaster_user_login": "cool_user", "broadcaster_user_name": "Cool_User"});
/// let offline = EventsubEvent::from_wire("stream.offline", "1", event, Strictness::Strict).unwrap();
/// assert!(matches!(&offline, EventsubEvent::StreamOfflineV1(e) if e.broadcaster_user_login == "cool_user"));
/// let later = EventsubEvent::from_wire("stream.offline", "9", serde_json::json!({}), Strictness::Strict).unwrap();
/// assert!(matches!(later, EventsubEvent::Unknown { .. }));
/// ```
#[rustfmt::skip] // formatted by codegen (prettyplease)
#[path = "generated_eventsub.rs"]
pub mod eventsub_messages;

pub mod auth;
pub mod eventsub;

pub use streamkit_runtime::clock::{Clock, SystemClock};
pub use streamkit_runtime::ratelimit::{InProcessLimiter, RateLimitInfo, RateLimiter};
pub use streamkit_runtime::retry::RetryPolicy;
pub use streamkit_runtime::tls::install_default_provider as install_tls_provider;
pub use streamkit_runtime::{ApiError, ClientBuilder, Error, ErrorBody, Secret};

/// How strictly generated messages decode ([`Strictness`](message::Strictness)): lenient
/// (the default) keeps undocumented fields and values, strict refuses them.
pub mod message {
    pub use streamkit_runtime::message::Strictness;
}

/// Rate-limit buckets shared by every process on one Redis (cargo feature `redis`).
#[cfg(feature = "redis")]
pub use streamkit_runtime::ratelimit::RedisLimiter;

/// Paging: what `.stream()`, `.pages()` and `.paginate()` return, and the stream extension
/// traits to consume them (`next()`, `try_next()`, `try_collect()`).
///
/// The `futures` `Stream` trait itself is not re-exported by name, so that a glob import of
/// this module does not shadow [`helix::types::Stream`] (a live stream); its methods come
/// with [`StreamExt`](crate::pagination::StreamExt) and [`TryStreamExt`](crate::pagination::TryStreamExt).
pub mod pagination {
    pub use streamkit_runtime::pagination::{
        ItemStream, Page, PageStream, PageToken, Paginator, StreamExt, TryStreamExt,
    };
}

/// The README's Rust snippets compile as doctests of this crate (`cargo test --doc`).
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
