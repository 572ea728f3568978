//! Mixer token lifecycle, on top of the generated [`rest`] client's OAuth operations and
//! the runtime's [`TokenCache`]:
//!
//! * the authorization-code flow's exchange ([`exchange_code`]);
//! * the shortcode flow ([`ShortcodeFlow`]): show a 6-character code, the user enters it at
//!   `mixer.com/go`, poll until they approve, exchange;
//! * user tokens refreshed with their refresh token ([`RefreshTokenSource`]), before expiry
//!   and once after a 401. Mixer's refresh tokens are single use: each refresh keeps the
//!   new one.
//!
//! A client without a token sends no `Authorization` header at all, which is what Mixer
//! wants of anonymous calls (a malformed one is a CSRF error).
//!
//! ```no_run
//! # async fn demo() -> Result<(), streamkit_mixer::Error> {
//! use std::time::Duration;
//! use streamkit_mixer::{auth, rest};
//! let app = auth::AppCredentials { client_id: "id".into(), client_secret: None };
//! let api = rest::Client::builder().client_id(app.client_id.clone()).build()?;
//! let flow = auth::ShortcodeFlow::start(api.clone(), &app, &["chat:connect", "chat:chat"]).await?;
//! println!("Enter {} at https://mixer.com/go", flow.code());
//! let token = flow.wait_every(Duration::from_secs(2)).await?;
//! let cache = auth::user_token_cache(api, app.clone(), token)?;
//! let me = rest::Client::builder().client_id(app.client_id).token_cache(cache).build()?;
//! let user = me.get_current_user().send().await?;
//! # let _ = user; Ok(()) }
//! ```

use std::sync::{Arc, Mutex};
use std::time::Duration;

use streamkit_runtime::auth::{AccessToken, TokenCache, TokenFuture, TokenSource};
use streamkit_runtime::{Error, Secret};

use crate::rest::{self, types};

/// How long before expiry a cached token is replaced.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// An app's credentials. Public clients (apps that cannot keep a secret) have none.
#[derive(Clone, Debug)]
pub struct AppCredentials {
    /// Client id.
    pub client_id: String,
    /// Client secret (redacted in `Debug`), `None` for a public client.
    pub client_secret: Option<Secret>,
}

/// A user's tokens, from a code exchange, the shortcode flow or a refresh.
#[derive(Clone, Debug)]
pub struct UserToken {
    /// Access token (6 hours).
    pub access_token: Secret,
    /// Refresh token (a year, single use).
    pub refresh_token: Option<Secret>,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

impl From<types::TokenResponse> for UserToken {
    fn from(r: types::TokenResponse) -> Self {
        UserToken { access_token: r.access_token, refresh_token: r.refresh_token, expires_in: r.expires_in }
    }
}

fn token_request(app: &AppCredentials, grant: types::GrantType) -> types::builder::TokenRequest {
    let body = types::TokenRequest::builder().client_id(app.client_id.clone()).grant_type(grant);
    match &app.client_secret {
        Some(s) => body.client_secret(s.clone()),
        None => body,
    }
}

/// Exchanges an authorization code (from the browser flow, with its `redirect_uri`, or from
/// an approved shortcode, with `None`) for tokens.
pub async fn exchange_code(
    api: &rest::Client,
    app: &AppCredentials,
    code: Secret,
    redirect_uri: Option<&str>,
) -> Result<UserToken, Error> {
    let mut body = token_request(app, types::GrantType::AuthorizationCode).code(code);
    if let Some(uri) = redirect_uri {
        body = body.redirect_uri(uri.to_owned());
    }
    Ok(api.request_token().body(body).send().await?.into_inner().into())
}

/// Refreshes a user's access token with its refresh token, keeping the new refresh token
/// each time (Mixer's are single use).
#[derive(Debug)]
pub struct RefreshTokenSource {
    api: rest::Client,
    app: AppCredentials,
    refresh_token: Mutex<Secret>,
}

impl RefreshTokenSource {
    /// A source that refreshes with `refresh_token`.
    pub fn new(api: rest::Client, app: AppCredentials, refresh_token: Secret) -> Self {
        RefreshTokenSource { api, app, refresh_token: Mutex::new(refresh_token) }
    }

    /// The refresh token to store for next time.
    pub fn refresh_token(&self) -> Secret {
        self.refresh_token.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl TokenSource for RefreshTokenSource {
    fn fetch(&self, _stale: Option<&Secret>) -> TokenFuture<'_> {
        Box::pin(async move {
            let body = token_request(&self.app, types::GrantType::RefreshToken).refresh_token(self.refresh_token());
            let r = self.api.request_token().body(body).send().await?.into_inner();
            if let Some(next) = r.refresh_token.clone() {
                *self.refresh_token.lock().unwrap_or_else(|p| p.into_inner()) = next;
            }
            Ok(AccessToken {
                token: r.access_token,
                expires_in: u64::try_from(r.expires_in).ok().map(Duration::from_secs),
            })
        })
    }
}

/// A token cache for a user: starts with `token`, refreshes with its refresh token.
pub fn user_token_cache(api: rest::Client, app: AppCredentials, token: UserToken) -> Result<Arc<TokenCache>, Error> {
    let refresh = token.refresh_token.clone().ok_or_else(|| Error::Auth {
        operation: None,
        message: "this user token has no refresh token, so it cannot be refreshed".into(),
    })?;
    let cache = TokenCache::new(RefreshTokenSource::new(api, app, refresh), REFRESH_MARGIN);
    cache.insert(AccessToken {
        token: token.access_token,
        expires_in: u64::try_from(token.expires_in).ok().map(Duration::from_secs),
    });
    Ok(cache)
}

/// The shortcode flow: show [`ShortcodeFlow::code`] to the user (they enter it at
/// `mixer.com/go`), then [`ShortcodeFlow::wait_every`] for the tokens.
#[derive(Debug)]
pub struct ShortcodeFlow {
    api: rest::Client,
    app: AppCredentials,
    shortcode: types::Shortcode,
}

impl ShortcodeFlow {
    /// Creates a shortcode for `scopes`.
    pub async fn start(api: rest::Client, app: &AppCredentials, scopes: &[&str]) -> Result<ShortcodeFlow, Error> {
        let mut body = types::ShortcodeRequest::builder().client_id(app.client_id.clone()).scope(scopes.join(" "));
        if let Some(s) = &app.client_secret {
            body = body.client_secret(s.clone());
        }
        let shortcode = api.create_shortcode().body(body).send().await?.into_inner();
        Ok(ShortcodeFlow { api, app: app.clone(), shortcode })
    }

    /// The 6 characters the user enters.
    pub fn code(&self) -> &str {
        &self.shortcode.code
    }

    /// Seconds the code lives from its creation.
    pub fn expires_in(&self) -> i64 {
        self.shortcode.expires_in
    }

    /// Asks once: `Ok(None)` while the user has not answered (204); the tokens once they
    /// approved (200, then the code is exchanged); an [`Error::Auth`] when they denied
    /// (403) or the code expired (404).
    pub async fn poll(&self) -> Result<Option<UserToken>, Error> {
        let answer = self.api.check_shortcode().handle(self.shortcode.handle.clone()).send().await;
        let approval = match answer {
            Ok(Some(a)) => a.into_inner(),
            Ok(None) => return Ok(None),
            Err(e) => {
                let why = match e.status().map(|s| s.as_u16()) {
                    Some(403) => "the user denied the shortcode",
                    Some(404) => "the shortcode expired (or its handle is unknown)",
                    _ => return Err(e),
                };
                return Err(Error::Auth { operation: Some("check_shortcode"), message: why.into() });
            }
        };
        exchange_code(&self.api, &self.app, approval.code, None).await.map(Some)
    }

    /// Polls every `interval` until the user approves, denies or the code expires.
    pub async fn wait_every(&self, interval: Duration) -> Result<UserToken, Error> {
        loop {
            if let Some(t) = self.poll().await? {
                return Ok(t);
            }
            tokio::time::sleep(interval).await;
        }
    }
}
