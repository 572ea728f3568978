//! # streamkit-runtime
//!
//! The hand-written crate every generated streamkit client leans on. It knows no service:
//! everything service-specific arrives as data, in the policy table codegen emits from the
//! spec's `x-streamkit-*` extensions.
//!
//! * [`config`]: [`ClientBuilder`] and the [`Runtime`] a generated client carries.
//! * [`auth`]: auth headers from spec templates, CR/LF refused; [`auth::TokenCache`] for
//!   refresh before expiry and once after a 401.
//! * [`hooks`]: what the generated `ClientHooks` impl calls: auth in `pre`, the retry loop in
//!   `exec` (429 waits for `Ratelimit-Reset`, 503 once, connection failures with backoff).
//! * [`response`]: the generated `send()` wrappers, converting to the one [`Error`] type.
//! * [`drift`]: strict decoding for tests. [`Secret`]: values never printed.
#![warn(missing_docs)]

pub mod auth;
mod call;
pub mod clock;
pub mod config;
pub mod drift;
pub mod error;
pub mod hooks;
pub mod input;
pub mod pagination;
pub mod policy;
pub mod ratelimit;
mod redact;
pub mod response;
pub mod retry;
mod secret;
pub mod stats;
pub mod tls;

pub use config::{ClientBuilder, FromRuntime, Runtime};
pub use error::{ApiError, Error, ErrorBody};
pub use progenitor_client::ResponseValue;
pub use secret::Secret;
