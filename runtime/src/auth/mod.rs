//! Auth headers from the spec's templates, filled from the client's identity providers.
//!
//! The spec says which headers an operation needs (`x-streamkit-header` on its security
//! schemes); [`resolve_auth_headers`] asks the [`crate::identity`] provider registered under
//! each credential name a template uses, and [`render_auth_headers`] fills the templates.

pub mod backoff;
mod headers;
mod request;
pub mod token_cache;

pub use backoff::RefreshBackoff;
pub use headers::{ResolvedCredential, header_value, render_auth_headers, resolve_auth_headers, template_credentials};
pub use token_cache::{AccessToken, TokenCache, TokenFuture, TokenSource};

pub(crate) use request::{authorize, can_refresh, refresh, sent_credentials};
