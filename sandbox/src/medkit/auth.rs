//! MEDKit authentication as the sandbox checks it: `Authorization: <client id> <jwt>`, the
//! JWT's expiry against the server's clock, its signature in production mode, and the role
//! each route needs.

use super::errors::{Reject, error};
use super::state::MedkitState;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How strictly JWTs are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMode {
    /// As Muxy's sandbox: any well-formed, unexpired token, signed or not.
    Sandbox,
    /// As production: HS256 signed with the extension secret.
    Production,
}

/// A JWT role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A viewer.
    Viewer,
    /// The channel's broadcaster.
    Broadcaster,
    /// The extension's developer.
    Admin,
    /// The extension's server.
    Backend,
}

/// The claims the sandbox reads.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Claims {
    /// Expiry, epoch seconds.
    pub exp: u64,
    /// Role.
    pub role: Role,
    /// Channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<String>,
    /// Opaque user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opaque_user_id: Option<String>,
    /// Twitch user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Set on PIN tokens: the PIN that activates them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<String>,
    /// Anything else.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Value>,
}

/// Who is calling.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The extension (the client id of the header).
    pub extension: String,
    /// The token's claims.
    pub claims: Claims,
}

impl Caller {
    /// Whether the role is one of `roles`.
    pub fn is(&self, roles: &[Role]) -> bool {
        roles.contains(&self.claims.role)
    }

    /// The viewer id stores are keyed by: the user id when shared, else the opaque id.
    pub fn viewer(&self) -> String {
        self.claims.user_id.clone().or_else(|| self.claims.opaque_user_id.clone()).unwrap_or_default()
    }

    /// The JWT's channel, or a 400 when it names none.
    pub fn channel(&self) -> Result<String, Reject> {
        self.claims.channel_id.clone().ok_or_else(|| error(StatusCode::BAD_REQUEST, "the JWT names no `channel_id`"))
    }
}

/// Roles that administer an extension.
pub const ADMIN: &[Role] = &[Role::Admin, Role::Backend];
/// Roles that may change a channel.
pub const CHANNEL_OWNER: &[Role] = &[Role::Broadcaster, Role::Admin, Role::Backend];
/// Every role.
pub const ANY: &[Role] = &[Role::Viewer, Role::Broadcaster, Role::Admin, Role::Backend];

/// Checks the request's credentials and that its role is one of `roles`.
pub fn authorize(state: &MedkitState, headers: &HeaderMap, roles: &[Role]) -> Result<Caller, Reject> {
    let unauthorized = |m: &str| error(StatusCode::UNAUTHORIZED, m);
    let value = headers
        .get("authorization")
        .ok_or_else(|| unauthorized("missing Authorization header (`<client id> <jwt>`)"))?
        .to_str()
        .map_err(|_| unauthorized("the Authorization header is not text"))?;
    let (extension, token) = value
        .split_once(' ')
        .filter(|(c, t)| !c.is_empty() && !t.is_empty() && !t.contains(' '))
        .ok_or_else(|| unauthorized("malformed Authorization header: expected `<client id> <jwt>`"))?;
    let claims = match state.mode() {
        AuthMode::Production => verified(token, state.secret()).map_err(|m| unauthorized(&m))?,
        AuthMode::Sandbox => unverified(token).map_err(|m| unauthorized(&m))?,
    };
    if claims.exp <= state.now_secs() {
        return Err(unauthorized("the JWT has expired"));
    }
    if let Some(pin) = &claims.pin
        && !state.pin_validated(extension, pin)
    {
        return Err(unauthorized("this PIN token is not active yet: validate its PIN first"));
    }
    if !roles.contains(&claims.role) {
        return Err(error(StatusCode::FORBIDDEN, &format!("role `{:?}` may not do this", claims.role).to_lowercase()));
    }
    Ok(Caller { extension: extension.to_owned(), claims })
}

fn verified(token: &str, secret: &str) -> Result<Claims, String> {
    let mut v = Validation::new(Algorithm::HS256);
    v.validate_exp = false; // checked against the server's clock instead
    v.validate_aud = false;
    v.required_spec_claims.clear();
    jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(secret.as_bytes()), &v)
        .map(|d| d.claims)
        .map_err(|e| format!("invalid JWT: {e}"))
}

/// The claims of a token whose signature is not checked (Muxy's sandbox accepts unsigned
/// development tokens): three dot-separated parts, the second base64url JSON claims.
fn unverified(token: &str) -> Result<Claims, String> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err("malformed JWT: expected three dot-separated parts".into());
    }
    let bytes =
        URL_SAFE_NO_PAD.decode(parts[1].trim_end_matches('=')).map_err(|e| format!("malformed JWT claims: {e}"))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("malformed JWT claims: {e}"))
}

/// Signs `claims` with `secret` (HS256).
pub fn sign(claims: &Claims, secret: &str) -> String {
    // Encoding serializable claims with an HMAC key cannot fail.
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret.as_bytes()))
        .unwrap_or_default()
}

/// An unsigned (`alg: none`) token, as development tools make them.
pub fn unsigned(claims: &Claims) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
    format!("{header}.{body}.")
}
