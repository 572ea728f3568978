//! # streamkit-twitch
//!
//! A typed client for Twitch: [`helix`] (the Helix REST API) and [`oauth`] (id.twitch.tv),
//! generated from `specs/twitch/*.yaml` by `cargo xtask regen`, plus hand-written token
//! management in [`auth`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), streamkit_runtime::Error> {
//! use streamkit_twitch::helix;
//! let client = helix::Client::builder()
//!     .client_id("your-client-id")
//!     .access_token("your-access-token")
//!     .build()?;
//! let users = client.get_users().login(vec!["twitchdev".to_string()]).send().await?;
//! for user in &users.data {
//!     println!("{} ({})", user.display_name, user.id);
//! }
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

/// Twitch Helix (`https://api.twitch.tv/helix`), generated from `specs/twitch/helix.yaml`.
#[path = "generated_helix.rs"]
pub mod helix;

/// Twitch OAuth (`https://id.twitch.tv/oauth2`), generated from `specs/twitch/oauth.yaml`.
#[path = "generated_oauth.rs"]
pub mod oauth;

pub mod auth;

pub use streamkit_runtime::{Error, Secret, pagination};

/// Rate-limit buckets shared by every process on one Redis (cargo feature `redis`).
#[cfg(feature = "redis")]
pub use streamkit_runtime::ratelimit::RedisLimiter;
