//! # streamkit-runtime
//!
//! The hand-written crate every generated streamkit client leans on. It knows no service:
//! everything service-specific arrives as data, in the policy table codegen emits from the
//! spec's `x-streamkit-*` extensions.
//!
//! * [`config`]: [`ClientBuilder`] and the [`Runtime`] a generated client carries.
//! * [`identity`]: identity providers by credential name (static values, managed tokens, JWTs
//!   minted on demand); [`auth`]: the spec's header templates filled from them, CR/LF refused.
//! * [`send_loop`]: one call's attempts: rate-limit permit, send, [`retry`] classifier, then
//!   wait and retry, refresh a credential and retry, or hand the answer back.
//!   Each call is one `tracing` span (operation, method, path template, attempts, status,
//!   latency) holding the retry, refresh and rate-limit events.
//! * [`hooks`]: the progenitor adapter the generated `ClientHooks` impl calls.
//! * [`base_url`]: the client's base URL parsed once; each call's URL is a clone with the
//!   operation's path set, not a string parsed again.
//! * [`response`]: the generated `send()` wrappers, converting to the one [`Error`] type.
//! * [`recent_ids`]: bounded duplicate detection by message id (sessions and webhooks).
//! * [`decode`]: the one-pass `Deserialize` of generated structs that keep undocumented
//!   fields (no `#[serde(flatten)]` buffering). [`drift`]: strict decoding for tests.
//!   [`Secret`]: values never printed.
//! * [`message`]: decoding one message of a message-driven protocol (a websocket event's
//!   data) into its generated type, [`Strictness`](message::Strictness) deciding about drift.
//!
//! Against a hostile or broken server every call stays bounded, failing with
//! [`Error::Refused`] (a [`Refusal`] naming the figure) instead of buffering, waiting or
//! looping without end: response bodies are capped ([`body_limit`], 16 MiB by default,
//! [`ClientBuilder::max_response_body`]); no wait before an attempt exceeds
//! [`ClientBuilder::max_wait`] (the timeout by default); writes are not redirected and no
//! credential follows a redirect to another origin ([`redirect`]); a walk over pages stops
//! on a repeated cursor, on too many empty pages or too many pages ([`pagination`]). Error
//! bodies and messages are bounded and scrubbed of secrets; lifetimes and waits a server
//! sends saturate instead of overflowing ([`deadline`]).
#![warn(missing_docs)]

pub mod auth;
pub mod base_url;
pub mod body_limit;
mod buffered;
mod call;
pub mod clock;
pub mod config;
pub mod deadline;
pub mod decode;
pub mod drift;
pub mod error;
pub mod hooks;
pub mod identity;
pub mod input;
pub mod message;
pub mod pagination;
pub mod policy;
pub mod ratelimit;
pub mod recent_ids;
pub(crate) mod redact;
pub mod redirect;
mod refusal;
pub mod response;
pub mod retry;
mod secret;
pub mod send_loop;
pub mod session;
pub mod stats;
pub mod tls;
mod trace;

pub use config::{ClientBuilder, FromRuntime, Runtime};
pub use error::{ApiError, Error, ErrorBody, ProtocolErrorKind, Refusal};
pub use progenitor_client::ResponseValue;
pub use secret::Secret;
