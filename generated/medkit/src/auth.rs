//! MEDKit JWTs: minting (HS256 with the extension secret), decoding for debugging, local
//! refusal of expired or malformed tokens, and the sandbox's `authtoken` flow.
//!
//! MEDKit reads `Authorization: <client id> <jwt>`; the spec's header template is
//! `{client_id} {jwt}`, so a client needs `.client_id(..)` and a JWT provider:
//!
//! * [`ExtensionJwt`]: mints tokens signed with the extension secret, with a [`Role`] and
//!   the claims MEDKit reads ([`Claims`]); pass it to `ClientBuilder::jwt_minter`, which
//!   mints on first use and again [`REMINT_MARGIN`] before expiry.
//! * [`CheckedJwt`]: a token obtained elsewhere (Twitch's extension helper, the sandbox's
//!   `authtoken`), refused locally once expired instead of being sent.
//! * [`sandbox_token`]: the sandbox's `authtoken` flow as one call.
//!
//! ```
//! use std::time::Duration;
//! use streamkit_medkit::auth::{ExtensionJwt, ExtensionSecret, Role, REMINT_MARGIN};
//! use streamkit_medkit::medkit;
//! let minter = ExtensionJwt::new(ExtensionSecret::raw("my-extension-secret"), Role::Backend)
//!     .channel_id("12345")
//!     .lifetime(Duration::from_secs(600));
//! let client = medkit::Client::builder()
//!     .base_url("http://127.0.0.1:9/v1/e")
//!     .client_id("my-extension-client-id")
//!     .jwt_minter(minter, REMINT_MARGIN)
//!     .build()?;
//! # let _ = client;
//! # Ok::<(), streamkit_runtime::Error>(())
//! ```

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use streamkit_runtime::identity::{IdentityFuture, IdentityProvider, JwtMinter, MintFuture, MintedJwt};
use streamkit_runtime::{Error, Secret};

use crate::medkit;

/// How long before expiry a minted token is replaced.
pub const REMINT_MARGIN: Duration = Duration::from_secs(60);

/// Default lifetime of a minted token.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// Who a JWT speaks for. MEDKit's endpoints each require one of these (or better).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A viewer of a channel.
    Viewer,
    /// The channel's broadcaster.
    Broadcaster,
    /// The extension's developer.
    Admin,
    /// The extension's own server (a token it signed with the extension secret).
    Backend,
}

impl Role {
    /// The claim value (`viewer`, `broadcaster`, `admin`, `backend`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Broadcaster => "broadcaster",
            Role::Admin => "admin",
            Role::Backend => "backend",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The claims of a MEDKit JWT: those MEDKit reads, and any others in `extra`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    /// Expiry, Unix epoch seconds.
    pub exp: u64,
    /// Issued at, Unix epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    /// The role.
    pub role: Role,
    /// The channel the token acts in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<String>,
    /// The caller's opaque id (`U…` logged in, `A…` anonymous).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opaque_user_id: Option<String>,
    /// The caller's Twitch user id, when shared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Issuer (`muxy` on sandbox tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Audience (`muxy.io` on sandbox tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    /// Subject (`extensions` on sandbox tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// The environment the token is for (`sandbox` on sandbox tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_stage: Option<String>,
    /// Any other claim.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// The key MEDKit tokens are signed with. Redacted in `Debug`.
#[derive(Clone)]
pub struct ExtensionSecret(Secret);

impl ExtensionSecret {
    /// A secret used as given (its UTF-8 bytes are the HMAC key).
    pub fn raw(secret: impl Into<Secret>) -> Self {
        ExtensionSecret(secret.into())
    }

    /// A base64 secret as Twitch's developer console shows extension secrets: the decoded
    /// bytes are the key. A value that is not base64 is an error naming the problem (not the
    /// value).
    pub fn base64(secret: impl Into<Secret>) -> Result<Self, Error> {
        let secret: Secret = secret.into();
        DecodingKey::from_base64_secret(secret.expose())
            .map_err(|e| auth_error(format!("the extension secret is not valid base64: {e}")))?;
        Ok(ExtensionSecret(Secret::new(format!("b64:{}", secret.expose()))))
    }

    fn keys(&self) -> Result<(EncodingKey, DecodingKey), Error> {
        let s = self.0.expose();
        match s.strip_prefix("b64:") {
            Some(b) => Ok((
                EncodingKey::from_base64_secret(b)
                    .map_err(|e| auth_error(format!("the extension secret is not valid base64: {e}")))?,
                DecodingKey::from_base64_secret(b)
                    .map_err(|e| auth_error(format!("the extension secret is not valid base64: {e}")))?,
            )),
            None => Ok((EncodingKey::from_secret(s.as_bytes()), DecodingKey::from_secret(s.as_bytes()))),
        }
    }
}

impl std::fmt::Debug for ExtensionSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ExtensionSecret([redacted])")
    }
}

fn auth_error(message: String) -> Error {
    Error::Auth { operation: None, message }
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Mints HS256 tokens signed with the extension secret: development tokens for any role, and
/// the `backend` tokens an extension's server uses. Implements [`JwtMinter`].
#[derive(Clone, Debug)]
pub struct ExtensionJwt {
    secret: ExtensionSecret,
    role: Role,
    channel_id: Option<String>,
    user_id: Option<String>,
    opaque_user_id: Option<String>,
    lifetime: Duration,
}

impl ExtensionJwt {
    /// Tokens with `role`, valid [`DEFAULT_LIFETIME`].
    pub fn new(secret: ExtensionSecret, role: Role) -> Self {
        ExtensionJwt { secret, role, channel_id: None, user_id: None, opaque_user_id: None, lifetime: DEFAULT_LIFETIME }
    }

    /// The `channel_id` claim.
    pub fn channel_id(mut self, id: impl Into<String>) -> Self {
        self.channel_id = Some(id.into());
        self
    }

    /// The `user_id` claim.
    pub fn user_id(mut self, id: impl Into<String>) -> Self {
        self.user_id = Some(id.into());
        self
    }

    /// The `opaque_user_id` claim (default: `U` + the user id, when one is set).
    pub fn opaque_user_id(mut self, id: impl Into<String>) -> Self {
        self.opaque_user_id = Some(id.into());
        self
    }

    /// How long each token is valid (default [`DEFAULT_LIFETIME`]).
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// The claims a token minted now carries.
    pub fn claims_at(&self, now_secs: u64) -> Claims {
        Claims {
            exp: now_secs + self.lifetime.as_secs(),
            iat: Some(now_secs),
            role: self.role,
            channel_id: self.channel_id.clone(),
            opaque_user_id: self.opaque_user_id.clone().or_else(|| self.user_id.as_ref().map(|u| format!("U{u}"))),
            user_id: self.user_id.clone(),
            iss: None,
            aud: None,
            sub: None,
            allowed_stage: None,
            extra: BTreeMap::new(),
        }
    }

    /// A token minted now.
    pub fn mint_now(&self) -> Result<MintedJwt, Error> {
        let claims = self.claims_at(now_secs());
        let token = sign(&claims, &self.secret)?;
        Ok(MintedJwt { token, expires_in: self.lifetime })
    }
}

impl JwtMinter for ExtensionJwt {
    fn mint(&self) -> MintFuture<'_> {
        let minted = self.mint_now();
        Box::pin(async move { minted })
    }
}

/// Signs `claims` (HS256) with `secret`.
pub fn sign(claims: &Claims, secret: &ExtensionSecret) -> Result<Secret, Error> {
    let (key, _) = secret.keys()?;
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &key)
        .map(Secret::new)
        .map_err(|e| auth_error(format!("cannot sign the MEDKit JWT: {e}")))
}

/// The claims of `token`, **without** checking its signature or expiry: for debugging and
/// logging what a token says. A token that is not a JWT, or whose claims lack `exp` or
/// `role`, is an error saying so.
///
/// ```
/// use streamkit_medkit::auth::{decode_claims, Role};
/// // The sandbox viewer token from Muxy's JavaScript library's fixtures.
/// let t = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJtdXh5IiwiaWF0IjoxNTE0NzY0ODAxLCJleHAiOjE2NzI1MzExOTksImF1ZCI6Im11eHkuaW8iLCJzdWIiOiJleHRlbnNpb25zIiwiYWxsb3dlZF9zdGFnZSI6InNhbmRib3giLCJjaGFubmVsX2lkIjoiMTIzNDUiLCJvcGFxdWVfdXNlcl9pZCI6IjIzNDU2Iiwicm9sZSI6InZpZXdlciIsInVzZXJfaWQiOiIyMzQ1NiJ9.IhdticdaAKF2na-YvccyfpagSDox3dbADsR5R8pzjjY";
/// let c = decode_claims(t).unwrap();
/// assert_eq!((c.role, c.channel_id.as_deref()), (Role::Viewer, Some("12345")));
/// ```
pub fn decode_claims(token: &str) -> Result<Claims, Error> {
    let mut v = Validation::new(Algorithm::HS256);
    v.insecure_disable_signature_validation();
    v.validate_exp = false;
    v.validate_aud = false;
    v.required_spec_claims.clear();
    jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(&[]), &v)
        .map(|d| d.claims)
        .map_err(|e| auth_error(format!("the MEDKit JWT is malformed: {e}")))
}

/// The claims of `token` if it is well formed and not expired at `now_secs`; otherwise an
/// [`Error::Auth`] saying which (and when it expired).
pub fn check_token(token: &str, now_secs: u64) -> Result<Claims, Error> {
    let claims = decode_claims(token)?;
    if claims.exp <= now_secs {
        return Err(auth_error(format!(
            "the MEDKit JWT expired {} s ago (exp {}); get a new one",
            now_secs - claims.exp,
            claims.exp
        )));
    }
    Ok(claims)
}

/// The claims of `token` if its signature is valid for `secret` and it has not expired.
pub fn verify(token: &str, secret: &ExtensionSecret) -> Result<Claims, Error> {
    let (_, key) = secret.keys()?;
    let mut v = Validation::new(Algorithm::HS256);
    v.validate_aud = false;
    v.leeway = 0;
    v.required_spec_claims = ["exp".to_string()].into_iter().collect();
    jsonwebtoken::decode::<Claims>(token, &key, &v)
        .map(|d| d.claims)
        .map_err(|e| auth_error(format!("the MEDKit JWT is not valid: {e}")))
}

/// A JWT obtained elsewhere, sent as is until it expires; after that every call fails locally
/// with an error saying the token expired, instead of reaching the server. A malformed token
/// is refused when the provider is made.
#[derive(Clone)]
pub struct CheckedJwt {
    token: Secret,
    claims: Claims,
}

impl CheckedJwt {
    /// Checks `token` now: well formed and not expired.
    pub fn new(token: impl Into<Secret>) -> Result<Self, Error> {
        let token = token.into();
        let claims = check_token(token.expose(), now_secs())?;
        Ok(CheckedJwt { token, claims })
    }

    /// What the token says.
    pub fn claims(&self) -> &Claims {
        &self.claims
    }
}

impl std::fmt::Debug for CheckedJwt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckedJwt")
            .field("token", &self.token)
            .field("role", &self.claims.role)
            .field("exp", &self.claims.exp)
            .finish()
    }
}

impl IdentityProvider for CheckedJwt {
    fn resolve(&self) -> IdentityFuture<'_> {
        let result = check_token(self.token.expose(), now_secs()).map(|_| self.token.clone());
        Box::pin(async move { result })
    }

    fn current(&self) -> Option<Secret> {
        Some(self.token.clone())
    }
}

/// The sandbox's `authtoken` flow in one call: a development JWT for `user_id` acting with
/// `role` in `channel_id` of extension `extension_id`, checked locally before it is returned.
/// `client` must point at the sandbox (production answers 404); it needs no credentials.
pub async fn sandbox_token(
    client: &medkit::Client,
    extension_id: &str,
    channel_id: &str,
    role: Role,
    user_id: &str,
) -> Result<CheckedJwt, Error> {
    let wire_role = match role {
        Role::Viewer => medkit::types::Role::Viewer,
        Role::Broadcaster => medkit::types::Role::Broadcaster,
        Role::Admin => medkit::types::Role::Admin,
        Role::Backend => medkit::types::Role::Backend,
    };
    // Muxy's API description names the extension `extension_id`, its JavaScript library
    // `app_id`: send both.
    let body = medkit::types::AuthTokenRequest::builder()
        .extension_id(extension_id.to_string())
        .app_id(extension_id.to_string())
        .channel_id(channel_id.to_string())
        .role(wire_role.clone())
        .user_id(user_id.to_string());
    let r = client.request_auth_token().role(wire_role).body(body).send().await?.into_inner();
    let token = r.token.ok_or_else(|| auth_error("the sandbox's authtoken answer has no `token`".into()))?;
    CheckedJwt::new(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minted_token_verifies_with_its_secret_and_carries_the_claims() {
        let s = ExtensionSecret::raw("shh");
        let m = ExtensionJwt::new(s.clone(), Role::Broadcaster).channel_id("12345").user_id("12345");
        let t = m.mint_now().unwrap();
        let c = verify(t.token.expose(), &s).unwrap();
        assert_eq!(c.role, Role::Broadcaster);
        assert_eq!(c.channel_id.as_deref(), Some("12345"));
        assert_eq!(c.opaque_user_id.as_deref(), Some("U12345"));
        assert_eq!(c.exp - c.iat.unwrap(), DEFAULT_LIFETIME.as_secs());
        assert!(
            verify(t.token.expose(), &ExtensionSecret::raw("other")).unwrap_err().to_string().contains("not valid")
        );
    }

    #[test]
    fn expired_and_malformed_tokens_are_refused_with_clear_errors() {
        let s = ExtensionSecret::raw("shh");
        let t = sign(&ExtensionJwt::new(s, Role::Viewer).claims_at(1000), &ExtensionSecret::raw("shh")).unwrap();
        assert!(check_token(t.expose(), 1500).is_ok());
        let e = check_token(t.expose(), 2000).unwrap_err().to_string();
        assert!(e.contains("expired"), "{e}");
        let e = check_token("not-a-jwt", 0).unwrap_err().to_string();
        assert!(e.contains("malformed"), "{e}");
        assert!(CheckedJwt::new("a.b.c").is_err());
    }

    #[test]
    fn secrets_and_tokens_stay_redacted() {
        let s = ExtensionSecret::raw("super-secret");
        assert!(!format!("{s:?}").contains("super-secret"));
        let m = ExtensionJwt::new(s, Role::Admin);
        assert!(!format!("{m:?}").contains("super-secret"));
        let t = m.mint_now().unwrap().token;
        let checked = CheckedJwt::new(t.clone()).unwrap();
        assert!(!format!("{checked:?}").contains(t.expose()));
    }

    #[test]
    fn a_base64_secret_is_decoded_and_a_bad_one_refused() {
        let s = ExtensionSecret::base64("c2ho").unwrap(); // "shh"
        let t = sign(&ExtensionJwt::new(s, Role::Backend).claims_at(now_secs()), &ExtensionSecret::raw("shh")).unwrap();
        assert!(verify(t.expose(), &ExtensionSecret::base64("c2ho").unwrap()).is_ok());
        assert!(ExtensionSecret::base64("not base64!").is_err());
    }
}
