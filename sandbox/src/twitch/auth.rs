//! Registered apps, the token store (access/refresh tokens, authorization codes, device codes)
//! and the Helix credential check.

use crate::twitch::errors::HelixError;
use crate::twitch::rng;
use axum::http::HeaderMap;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

/// The registered apps: `(client id, client secret)`.
const CLIENTS: &[(&str, &str)] =
    &[(crate::CLIENT_ID, crate::CLIENT_SECRET), (crate::OTHER_CLIENT_ID, crate::OTHER_CLIENT_SECRET)];

/// The secret of a registered client, `None` for unknown clients.
pub(crate) fn client_secret(client_id: &str) -> Option<&'static str> {
    CLIENTS.iter().find(|(id, _)| *id == client_id).map(|(_, secret)| *secret)
}

/// Lifetime of device codes (`expires_in` of `/oauth2/device`).
pub(crate) const DEVICE_CODE_LIFETIME: Duration = Duration::from_secs(1800);

/// What an access token stands for.
#[derive(Clone, Debug)]
pub(crate) struct TokenInfo {
    pub(crate) client_id: String,
    /// `None` for app access tokens.
    pub(crate) user_id: Option<String>,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_at: Instant,
}

impl TokenInfo {
    /// Whole seconds until expiry.
    pub(crate) fn expires_in(&self) -> u64 {
        self.expires_at.saturating_duration_since(Instant::now()).as_secs()
    }
}

/// A user's authorization of a client for some scopes.
#[derive(Clone, Debug)]
pub(crate) struct Grant {
    pub(crate) client_id: String,
    pub(crate) user_id: String,
    pub(crate) scopes: Vec<String>,
}

/// A freshly issued user access token and its refresh token.
#[derive(Clone, Debug)]
pub(crate) struct TokenPair {
    pub(crate) access_token: String,
    pub(crate) refresh_token: String,
    pub(crate) expires_in: u64,
    pub(crate) scopes: Vec<String>,
}

#[derive(Clone, Debug)]
struct AuthCode {
    grant: Grant,
    redirect_uri: String,
}

#[derive(Clone, Debug)]
struct DeviceCode {
    client_id: String,
    scopes: Vec<String>,
    approved_by: Option<String>,
    expires_at: Instant,
}

/// Why a device-code poll did not produce tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DevicePollError {
    /// Unknown or expired code, or one issued to another client.
    Invalid,
    /// Not yet approved by a user.
    Pending,
}

/// Why a revocation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RevokeError {
    /// The client id is not registered.
    UnknownClient,
    /// The token is unknown or belongs to another client.
    InvalidToken,
}

/// Every credential the sandbox has issued.
#[derive(Debug)]
pub(crate) struct TokenStore {
    counter: u64,
    lifetime: Duration,
    access: HashMap<String, TokenInfo>,
    refresh: HashMap<String, Grant>,
    codes: HashMap<String, AuthCode>,
    devices: HashMap<String, DeviceCode>,
    user_codes: HashMap<String, String>,
    /// `(client id, user id)` pairs where the user has authorized the client.
    authorized: HashSet<(String, String)>,
}

impl TokenStore {
    pub(crate) fn new(lifetime: Duration) -> Self {
        TokenStore {
            counter: 0,
            lifetime,
            access: HashMap::new(),
            refresh: HashMap::new(),
            codes: HashMap::new(),
            devices: HashMap::new(),
            user_codes: HashMap::new(),
            authorized: HashSet::new(),
        }
    }

    fn next_token(&mut self) -> String {
        self.counter += 1;
        rng::token(self.counter, 0x0007_0CE4)
    }

    /// Issues an access token (app token when `user_id` is `None`).
    pub(crate) fn issue_access(&mut self, client_id: &str, user_id: Option<&str>, scopes: &[String]) -> (String, u64) {
        let token = self.next_token();
        if let Some(user) = user_id {
            self.authorized.insert((client_id.to_owned(), user.to_owned()));
        }
        let info = TokenInfo {
            client_id: client_id.to_owned(),
            user_id: user_id.map(str::to_owned),
            scopes: scopes.to_vec(),
            expires_at: Instant::now() + self.lifetime,
        };
        self.access.insert(token.clone(), info);
        (token, self.lifetime.as_secs())
    }

    /// Issues a user access token plus a refresh token for `grant`.
    pub(crate) fn issue_pair(&mut self, grant: &Grant) -> TokenPair {
        let (access_token, expires_in) = self.issue_access(&grant.client_id, Some(&grant.user_id), &grant.scopes);
        let refresh_token = format!("{}{}", self.next_token(), self.next_token());
        let refresh_token = refresh_token.get(..50).unwrap_or(&refresh_token).to_owned();
        self.refresh.insert(refresh_token.clone(), grant.clone());
        TokenPair { access_token, refresh_token, expires_in, scopes: grant.scopes.clone() }
    }

    /// A valid (known, unexpired) access token.
    pub(crate) fn lookup(&self, token: &str) -> Option<&TokenInfo> {
        self.access.get(token).filter(|t| t.expires_at > Instant::now())
    }

    /// Makes a token invalid as if it had expired.
    pub(crate) fn expire(&mut self, token: &str) {
        if let Some(info) = self.access.get_mut(token) {
            info.expires_at = Instant::now();
        }
    }

    /// Whether `user_id` has ever authorized `client_id`.
    pub(crate) fn has_authorized(&self, client_id: &str, user_id: &str) -> bool {
        self.authorized.contains(&(client_id.to_owned(), user_id.to_owned()))
    }

    /// Revokes an access or refresh token belonging to `client_id`.
    pub(crate) fn revoke(&mut self, client_id: &str, token: &str) -> Result<(), RevokeError> {
        if client_secret(client_id).is_none() {
            return Err(RevokeError::UnknownClient);
        }
        if self.access.get(token).is_some_and(|t| t.client_id == client_id) {
            self.access.remove(token);
            return Ok(());
        }
        if self.refresh.get(token).is_some_and(|g| g.client_id == client_id) {
            self.refresh.remove(token);
            return Ok(());
        }
        Err(RevokeError::InvalidToken)
    }

    /// Trades a refresh token for a new pair; the old refresh token stops working.
    pub(crate) fn refresh(&mut self, client_id: &str, refresh_token: &str) -> Option<TokenPair> {
        let grant = self.refresh.get(refresh_token).filter(|g| g.client_id == client_id)?.clone();
        self.refresh.remove(refresh_token);
        Some(self.issue_pair(&grant))
    }

    /// Stores a single-use authorization code.
    pub(crate) fn create_code(&mut self, grant: Grant, redirect_uri: &str) -> String {
        let code = self.next_token();
        self.codes.insert(code.clone(), AuthCode { grant, redirect_uri: redirect_uri.to_owned() });
        code
    }

    /// Redeems an authorization code; `Err` carries the error message.
    pub(crate) fn redeem_code(
        &mut self,
        client_id: &str,
        code: &str,
        redirect_uri: &str,
    ) -> Result<Grant, &'static str> {
        let stored = self.codes.get(code).ok_or("Invalid authorization code")?;
        if stored.grant.client_id != client_id {
            return Err("Invalid authorization code");
        }
        if stored.redirect_uri != redirect_uri {
            return Err("Parameter redirect_uri does not match registered URI");
        }
        let grant = stored.grant.clone();
        self.codes.remove(code);
        Ok(grant)
    }

    /// Starts a device authorization: returns `(device_code, user_code)`.
    pub(crate) fn start_device(&mut self, client_id: &str, scopes: Vec<String>) -> (String, String) {
        let device_code = self.next_token();
        let user_code = loop {
            self.counter += 1;
            let mut r = rng::Rng::new(rng::mix(self.counter ^ 0xDE71CE));
            let code: String = (0..8).map(|_| char::from(b'A' + r.below(26) as u8)).collect();
            if !self.user_codes.contains_key(&code) {
                break code;
            }
        };
        self.devices.insert(
            device_code.clone(),
            DeviceCode {
                client_id: client_id.to_owned(),
                scopes,
                approved_by: None,
                expires_at: Instant::now() + DEVICE_CODE_LIFETIME,
            },
        );
        self.user_codes.insert(user_code.clone(), device_code.clone());
        (device_code, user_code)
    }

    /// Approves a pending device authorization as `user_id`.
    pub(crate) fn approve_device(&mut self, user_code: &str, user_id: &str) -> bool {
        let Some(device_code) = self.user_codes.get(user_code) else {
            return false;
        };
        match self.devices.get_mut(device_code) {
            Some(d) if d.approved_by.is_none() && d.expires_at > Instant::now() => {
                d.approved_by = Some(user_id.to_owned());
                true
            }
            _ => false,
        }
    }

    /// Polls a device code; once approved it yields the grant and is consumed.
    pub(crate) fn poll_device(&mut self, client_id: &str, device_code: &str) -> Result<Grant, DevicePollError> {
        let d = self.devices.get(device_code).ok_or(DevicePollError::Invalid)?;
        if d.client_id != client_id || d.expires_at <= Instant::now() {
            return Err(DevicePollError::Invalid);
        }
        let user = d.approved_by.clone().ok_or(DevicePollError::Pending)?;
        let grant = Grant { client_id: client_id.to_owned(), user_id: user, scopes: d.scopes.clone() };
        self.devices.remove(device_code);
        self.user_codes.retain(|_, dc| dc != device_code);
        Ok(grant)
    }
}

/// The caller of a Helix request, established from its headers.
#[derive(Clone, Debug)]
pub(crate) struct Auth {
    pub(crate) client_id: String,
    /// `None` for app access tokens.
    pub(crate) user_id: Option<String>,
    pub(crate) scopes: Vec<String>,
}

impl Auth {
    /// The rate-limit bucket this caller draws from.
    pub(crate) fn bucket(&self) -> String {
        match &self.user_id {
            Some(user) => format!("user:{}:{user}", self.client_id),
            None => format!("app:{}", self.client_id),
        }
    }

    /// Whether the token carries `scope`.
    pub(crate) fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// The token's user, or 401 for app tokens.
    pub(crate) fn user(&self) -> Result<&str, HelixError> {
        self.user_id.as_deref().ok_or_else(HelixError::user_token_required)
    }

    /// The token's user if it is a user token with `scope`; 401 otherwise.
    pub(crate) fn user_with_scope(&self, scope: &str) -> Result<&str, HelixError> {
        let user = self.user()?;
        if !self.has_scope(scope) {
            return Err(HelixError::missing_scope(scope));
        }
        Ok(user)
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

/// The `Client-Id` header, if present.
pub(crate) fn client_id_header(headers: &HeaderMap) -> Option<&str> {
    header(headers, "client-id")
}

/// The token of an `Authorization: <scheme> <token>` header, for any of `schemes`
/// (case-insensitive).
pub(crate) fn bearer<'a>(headers: &'a HeaderMap, schemes: &[&str]) -> Option<&'a str> {
    let value = header(headers, "authorization")?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (schemes.iter().any(|s| s.eq_ignore_ascii_case(scheme)) && !token.is_empty()).then_some(token)
}

/// Checks a Helix request's `Authorization` and `Client-Id` headers.
pub(crate) fn authenticate(store: &TokenStore, headers: &HeaderMap) -> Result<Auth, HelixError> {
    if header(headers, "authorization").is_none() {
        return Err(HelixError::unauthorized("OAuth token is missing"));
    }
    let token = bearer(headers, &["Bearer"]).ok_or_else(|| HelixError::unauthorized("Invalid OAuth token"))?;
    let client_id = client_id_header(headers)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| HelixError::unauthorized("Client ID is missing"))?;
    let info = store.lookup(token).ok_or_else(|| HelixError::unauthorized("Invalid OAuth token"))?;
    if info.client_id != client_id {
        return Err(HelixError::unauthorized("Client ID and OAuth token do not match"));
    }
    Ok(Auth { client_id: info.client_id.clone(), user_id: info.user_id.clone(), scopes: info.scopes.clone() })
}
