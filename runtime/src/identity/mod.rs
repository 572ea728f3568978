//! Identity providers: where the value of each credential a header template names comes from.
//!
//! A spec's security schemes say which header carries which credential
//! (`x-streamkit-header: {name: Authorization, value: "Bearer {access_token}"}`); the client
//! registers one [`IdentityProvider`] per credential name
//! ([`crate::ClientBuilder::identity`]). A new kind of credential is a new name in the spec and
//! a provider registered under it: nothing in the runtime changes.
//!
//! * [`StaticIdentity`]: a fixed value (a client id, a token its owner refreshes).
//! * [`ManagedToken`]: a [`TokenCache`](crate::auth::TokenCache) that fetches, refreshes before
//!   expiry and once after a 401.
//! * [`JwtIdentity`]: a JWT minted on demand by a [`JwtMinter`], cached until near expiry.

mod binding;
mod jwt;
mod managed;
mod registry;
mod static_identity;

pub(crate) use binding::bind_client_id;
pub use jwt::{JwtIdentity, JwtMinter, MintFuture, MintedJwt};
pub use managed::ManagedToken;
pub use registry::Identities;
pub use static_identity::StaticIdentity;

use std::future::Future;
use std::pin::Pin;

use crate::Secret;
use crate::error::Error;

/// The credential naming the application (`.client_id()`); rate-limit buckets scoped per
/// client are keyed by it.
pub const CLIENT_ID: &str = "client_id";
/// The access token (`.access_token()`, `.token_cache()`).
pub const ACCESS_TOKEN: &str = "access_token";
/// A JWT (`.jwt()`).
pub const JWT: &str = "jwt";

/// Boxed future of [`IdentityProvider::resolve`].
pub type IdentityFuture<'a> = Pin<Box<dyn Future<Output = Result<Secret, Error>> + Send + 'a>>;

/// Supplies the value of one credential.
pub trait IdentityProvider: Send + Sync + std::fmt::Debug {
    /// A value to send now (fetching or minting one first if needed).
    fn resolve(&self) -> IdentityFuture<'_>;

    /// The value held right now, without fetching (for redaction and bucket keys).
    fn current(&self) -> Option<Secret>;

    /// Whether the value is a secret: headers carrying it are marked sensitive, and it is
    /// redacted from error bodies. A client id is not.
    fn is_secret(&self) -> bool {
        true
    }

    /// Whether [`IdentityProvider::refresh_after_rejection`] can yield a different value.
    fn refreshable(&self) -> bool {
        false
    }

    /// The client id this credential belongs to, when it knows (a token cache whose source
    /// says): a client built with it sends that client id, and refuses another.
    fn client_id(&self) -> Option<String> {
        None
    }

    /// A new value after the server refused `rejected` (a 401). The default resolves again.
    fn refresh_after_rejection<'a>(&'a self, rejected: Option<&'a Secret>) -> IdentityFuture<'a> {
        let _ = rejected;
        self.resolve()
    }
}
