//! Credentials and the auth headers built from them.
//!
//! The spec says which headers an operation needs (`x-streamkit-header` on its security
//! schemes); the runtime fills the templates from [`Credentials`].

mod headers;
pub mod token_cache;

pub use headers::{header_value, render_auth_headers};
pub use token_cache::{AccessToken, TokenCache, TokenSource};

use std::sync::Arc;

use crate::Secret;

/// Where the access token comes from.
#[derive(Clone)]
pub enum TokenSlot {
    /// No token: operations that need one fail before sending.
    None,
    /// A fixed token (its owner refreshes it).
    Static(Secret),
    /// A cache that fetches and refreshes tokens on demand.
    Managed(Arc<TokenCache>),
}

impl std::fmt::Debug for TokenSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenSlot::None => f.write_str("None"),
            TokenSlot::Static(_) => f.write_str("Static([redacted])"),
            TokenSlot::Managed(_) => f.write_str("Managed"),
        }
    }
}

/// The credentials a client sends: client id, access token and (MEDKit) JWT.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// The application's client id (not a secret: it is sent in clear on every call).
    pub client_id: Option<String>,
    /// The access token.
    pub access_token: TokenSlot,
    /// A JWT (MEDKit's `Authorization: <client-id> <jwt>`).
    pub jwt: Option<Secret>,
}

impl Default for Credentials {
    fn default() -> Self {
        Credentials { client_id: None, access_token: TokenSlot::None, jwt: None }
    }
}

impl Credentials {
    /// Every secret value these credentials hold right now, for redaction.
    pub(crate) fn known_secrets(&self) -> Vec<Secret> {
        let mut out = Vec::new();
        match &self.access_token {
            TokenSlot::Static(s) => out.push(s.clone()),
            TokenSlot::Managed(cache) => out.extend(cache.current()),
            TokenSlot::None => {}
        }
        out.extend(self.jwt.clone());
        out
    }
}
