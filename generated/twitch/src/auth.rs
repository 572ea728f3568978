//! Twitch token lifecycle, on top of the generated [`oauth`] client and the
//! runtime's [`TokenCache`]:
//!
//! * app tokens from the client-credentials grant ([`AppTokenSource`]);
//! * the authorization-code flow: [`authorize_url`] then [`exchange_code`];
//! * the device-code flow ([`DeviceFlow`]);
//! * user tokens refreshed with their refresh token ([`UserTokenSource`]), before expiry and
//!   once after a 401 that says the token is invalid, one refresh at a time however many
//!   tasks wait; a rotated refresh token can be persisted ([`user_token_cache_with`]);
//! * typed scopes ([`Scope`], generated from `specs/twitch/oauth.yaml`), accepted wherever
//!   scopes are asked for, as are plain strings;
//! * validation on start and hourly ([`validate`], [`spawn_periodic_validation`]), as
//!   Twitch requires of every app.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use streamkit_runtime::auth::token_cache::TokenFuture;
use streamkit_runtime::auth::{AccessToken, TokenCache, TokenSource};
use streamkit_runtime::{Error, Secret};

use crate::oauth::{self, types};

pub use crate::oauth::Scope;

/// How often Twitch asks apps to validate their tokens.
pub const VALIDATION_PERIOD: Duration = Duration::from_secs(60 * 60);

/// How long before expiry a cached token is replaced.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// An app's credentials.
#[derive(Clone, Debug)]
pub struct AppCredentials {
    /// Client id.
    pub client_id: String,
    /// Client secret (redacted in `Debug`).
    pub client_secret: Secret,
}

fn to_access_token(r: &types::TokenResponse) -> AccessToken {
    AccessToken { token: r.access_token.clone(), expires_in: u64::try_from(r.expires_in).ok().map(Duration::from_secs) }
}

/// Obtains app access tokens with the client-credentials grant.
///
/// ```no_run
/// # async fn demo() -> Result<(), streamkit_runtime::Error> {
/// use streamkit_twitch::{auth, helix, oauth};
/// let app = auth::AppCredentials { client_id: "id".into(), client_secret: "secret".into() };
/// let oauth = oauth::Client::builder().build()?;
/// let tokens = auth::app_token_cache(oauth, app);
/// // The client id comes from the cache; giving a different one is a build error.
/// let helix = helix::Client::builder().token_cache(tokens).build()?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct AppTokenSource {
    oauth: oauth::Client,
    app: AppCredentials,
}

impl AppTokenSource {
    /// A source that asks `oauth` for app tokens.
    pub fn new(oauth: oauth::Client, app: AppCredentials) -> Self {
        AppTokenSource { oauth, app }
    }
}

impl TokenSource for AppTokenSource {
    fn fetch(&self, _stale: Option<&Secret>) -> TokenFuture<'_> {
        Box::pin(async move {
            let body = types::TokenRequest::builder()
                .client_id(self.app.client_id.clone())
                .client_secret(self.app.client_secret.clone())
                .grant_type(types::GrantType::ClientCredentials);
            let r = self.oauth.request_token().body(body).send().await?;
            Ok(to_access_token(&r))
        })
    }

    fn client_id(&self) -> Option<&str> {
        Some(&self.app.client_id)
    }
}

/// A token cache holding app tokens.
pub fn app_token_cache(oauth: oauth::Client, app: AppCredentials) -> Arc<TokenCache> {
    TokenCache::new(AppTokenSource::new(oauth, app), REFRESH_MARGIN)
}

/// A user's tokens, from a code exchange, the device flow or a refresh.
#[derive(Clone, Debug)]
pub struct UserToken {
    /// Access token.
    pub access_token: Secret,
    /// Refresh token.
    pub refresh_token: Option<Secret>,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Granted scopes.
    pub scopes: Vec<String>,
}

impl From<types::TokenResponse> for UserToken {
    fn from(r: types::TokenResponse) -> Self {
        UserToken {
            access_token: r.access_token,
            refresh_token: r.refresh_token,
            expires_in: r.expires_in,
            scopes: r.scope,
        }
    }
}

impl UserToken {
    /// Whether the token was granted `scope` (a [`Scope`] or its name).
    pub fn has_scope(&self, scope: impl AsRef<str>) -> bool {
        self.scopes.iter().any(|s| s == scope.as_ref())
    }
}

/// What [`UserTokenSource::on_refresh`] calls.
type RefreshCallback = Box<dyn Fn(&UserToken) + Send + Sync>;

/// Refreshes a user's access token with its refresh token. Twitch may rotate the refresh
/// token; the newest one is kept, readable with [`UserTokenSource::refresh_token`] (share the
/// source as an `Arc`) and handed to [`UserTokenSource::on_refresh`]'s callback.
pub struct UserTokenSource {
    oauth: oauth::Client,
    app: AppCredentials,
    refresh_token: Mutex<Secret>,
    on_refresh: Option<RefreshCallback>,
}

impl std::fmt::Debug for UserTokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserTokenSource")
            .field("app", &self.app)
            .field("on_refresh", &self.on_refresh.is_some())
            .finish_non_exhaustive()
    }
}

impl UserTokenSource {
    /// A source that refreshes with `refresh_token`.
    pub fn new(oauth: oauth::Client, app: AppCredentials, refresh_token: Secret) -> Self {
        UserTokenSource { oauth, app, refresh_token: Mutex::new(refresh_token), on_refresh: None }
    }

    /// Calls `f` with every token a refresh brings, refresh token included (rotated or not),
    /// so the app can persist it: after a rotation the old refresh token no longer works.
    pub fn on_refresh(mut self, f: impl Fn(&UserToken) + Send + Sync + 'static) -> Self {
        self.on_refresh = Some(Box::new(f));
        self
    }

    /// The refresh token to store for next time.
    pub fn refresh_token(&self) -> Secret {
        self.refresh_token.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl TokenSource for UserTokenSource {
    fn fetch(&self, _stale: Option<&Secret>) -> TokenFuture<'_> {
        Box::pin(async move {
            let body = types::TokenRequest::builder()
                .client_id(self.app.client_id.clone())
                .client_secret(self.app.client_secret.clone())
                .grant_type(types::GrantType::RefreshToken)
                .refresh_token(self.refresh_token());
            let r = self.oauth.request_token().body(body).send().await?.into_inner();
            let token = to_access_token(&r);
            if let Some(next) = r.refresh_token.clone() {
                *self.refresh_token.lock().unwrap_or_else(|p| p.into_inner()) = next;
            }
            if let Some(f) = &self.on_refresh {
                f(&UserToken { refresh_token: Some(self.refresh_token()), ..UserToken::from(r) });
            }
            Ok(token)
        })
    }

    fn client_id(&self) -> Option<&str> {
        Some(&self.app.client_id)
    }
}

/// A token cache for a user: starts with `token`, refreshes with its refresh token.
pub fn user_token_cache(oauth: oauth::Client, app: AppCredentials, token: UserToken) -> Result<Arc<TokenCache>, Error> {
    let refresh = user_refresh_token(&token)?;
    Ok(cache_from(UserTokenSource::new(oauth, app, refresh), token))
}

/// Like [`user_token_cache`], calling `on_refresh` with every refreshed token: persist its
/// refresh token, which Twitch may rotate (the old one then stops working).
///
/// ```no_run
/// # fn demo(oauth: streamkit_twitch::oauth::Client, app: streamkit_twitch::auth::AppCredentials,
/// #         token: streamkit_twitch::auth::UserToken) -> Result<(), streamkit_twitch::Error> {
/// use streamkit_twitch::auth;
/// let cache = auth::user_token_cache_with(oauth, app, token, |fresh| {
///     if let Some(r) = &fresh.refresh_token {
///         // save r.expose() to your store
///         let _ = r;
///     }
/// })?;
/// # Ok(()) }
/// ```
pub fn user_token_cache_with(
    oauth: oauth::Client,
    app: AppCredentials,
    token: UserToken,
    on_refresh: impl Fn(&UserToken) + Send + Sync + 'static,
) -> Result<Arc<TokenCache>, Error> {
    let refresh = user_refresh_token(&token)?;
    Ok(cache_from(UserTokenSource::new(oauth, app, refresh).on_refresh(on_refresh), token))
}

fn user_refresh_token(token: &UserToken) -> Result<Secret, Error> {
    token.refresh_token.clone().ok_or_else(|| Error::Auth {
        operation: None,
        message: "this user token has no refresh token, so it cannot be refreshed".into(),
    })
}

/// A cache around `source` seeded with `token`.
fn cache_from(source: impl TokenSource, token: UserToken) -> Arc<TokenCache> {
    let cache = TokenCache::new(source, REFRESH_MARGIN);
    cache.insert(AccessToken {
        token: token.access_token,
        expires_in: u64::try_from(token.expires_in).ok().map(Duration::from_secs),
    });
    cache
}

/// The URL to send a user's browser to for the authorization-code flow. `oauth_base` is the
/// OAuth base URL (`oauth::Client::DEFAULT_BASE_URL`, or the sandbox's). `scopes` are
/// [`Scope`]s or plain names.
///
/// ```
/// use streamkit_twitch::auth::{authorize_url, Scope};
/// use streamkit_twitch::oauth::Client;
/// let url = authorize_url(
///     Client::DEFAULT_BASE_URL,
///     "my-client-id",
///     "http://localhost:3000/callback",
///     [Scope::UserReadEmail, Scope::ChannelManageBroadcast, Scope::custom("brand:new:scope")],
///     "csrf-state-123",
/// ).unwrap();
/// assert!(url.starts_with("https://id.twitch.tv/oauth2/authorize?"));
/// assert!(url.contains("scope=user%3Aread%3Aemail+channel%3Amanage%3Abroadcast+brand%3Anew%3Ascope"));
/// assert!(url.contains("state=csrf-state-123"));
/// // Plain strings work too.
/// assert_eq!(
///     authorize_url(Client::DEFAULT_BASE_URL, "id", "http://x", &["user:read:email"], "s").unwrap(),
///     authorize_url(Client::DEFAULT_BASE_URL, "id", "http://x", [Scope::UserReadEmail], "s").unwrap(),
/// );
/// ```
pub fn authorize_url<S: AsRef<str>>(
    oauth_base: &str,
    client_id: &str,
    redirect_uri: &str,
    scopes: impl IntoIterator<Item = S>,
    state: &str,
) -> Result<String, Error> {
    let mut url = reqwest::Url::parse(&format!("{}/authorize", oauth_base.trim_end_matches('/')))
        .map_err(|e| Error::Config(format!("OAuth base URL `{oauth_base}` is not a URL: {e}")))?;
    url.query_pairs_mut()
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("response_type", "code")
        .append_pair("scope", &join_scopes(scopes))
        .append_pair("state", state);
    Ok(url.into())
}

/// Scopes as the space-separated list OAuth sends.
fn join_scopes<S: AsRef<str>>(scopes: impl IntoIterator<Item = S>) -> String {
    scopes.into_iter().map(|s| s.as_ref().to_owned()).collect::<Vec<_>>().join(" ")
}

/// Exchanges the `code` from the redirect for the user's tokens.
pub async fn exchange_code(
    oauth: &oauth::Client,
    app: &AppCredentials,
    code: Secret,
    redirect_uri: &str,
) -> Result<UserToken, Error> {
    let body = types::TokenRequest::builder()
        .client_id(app.client_id.clone())
        .client_secret(app.client_secret.clone())
        .grant_type(types::GrantType::AuthorizationCode)
        .code(code)
        .redirect_uri(redirect_uri.to_string());
    Ok(oauth.request_token().body(body).send().await?.into_inner().into())
}

/// The device-code flow: show [`DeviceFlow::user_code`] and [`DeviceFlow::verification_uri`]
/// to the user, then [`DeviceFlow::wait`] for the tokens.
#[derive(Debug)]
pub struct DeviceFlow {
    oauth: oauth::Client,
    client_id: String,
    scopes: String,
    authorization: types::DeviceAuthorization,
}

impl DeviceFlow {
    /// Starts the flow for a public client; `scopes` are [`Scope`]s or plain names.
    pub async fn start<S: AsRef<str>>(
        oauth: oauth::Client,
        client_id: &str,
        scopes: impl IntoIterator<Item = S>,
    ) -> Result<DeviceFlow, Error> {
        let scopes = join_scopes(scopes);
        let body = types::DeviceAuthorizationRequest::builder().client_id(client_id.to_string()).scopes(scopes.clone());
        let authorization = oauth.start_device_authorization().body(body).send().await?.into_inner();
        Ok(DeviceFlow { oauth, client_id: client_id.to_string(), scopes, authorization })
    }

    /// The code the user types.
    pub fn user_code(&self) -> &str {
        &self.authorization.user_code
    }

    /// Where the user types it.
    pub fn verification_uri(&self) -> &str {
        &self.authorization.verification_uri
    }

    /// Asks once: `Ok(None)` while the user has not approved yet.
    pub async fn poll(&self) -> Result<Option<UserToken>, Error> {
        let body = types::TokenRequest::builder()
            .client_id(self.client_id.clone())
            .grant_type(types::GrantType::UrnIetfParamsOauthGrantTypeDeviceCode)
            .device_code(self.authorization.device_code.clone())
            .scopes(self.scopes.clone());
        match self.oauth.request_token().body(body).send().await {
            Ok(r) => Ok(Some(r.into_inner().into())),
            Err(e) if e.api().and_then(|a| a.message()) == Some("authorization_pending") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Polls at the server's interval until the user approves, the code expires, or the
    /// server refuses.
    pub async fn wait(&self) -> Result<UserToken, Error> {
        let interval = Duration::from_secs(u64::try_from(self.authorization.interval).unwrap_or(5).max(1));
        self.wait_every(interval).await
    }

    /// Like [`DeviceFlow::wait`] with a chosen interval.
    pub async fn wait_every(&self, interval: Duration) -> Result<UserToken, Error> {
        let after = streamkit_runtime::deadline::after; // Server figures: saturating, never a panic.
        let deadline = after(
            tokio::time::Instant::now(),
            Duration::from_secs(u64::try_from(self.authorization.expires_in).unwrap_or(1800)),
        );
        loop {
            if let Some(t) = self.poll().await? {
                return Ok(t);
            }
            if after(tokio::time::Instant::now(), interval) > deadline {
                return Err(Error::Auth {
                    operation: None,
                    message: "the device code expired before the user approved".into(),
                });
            }
            tokio::time::sleep(interval).await;
        }
    }
}

/// Validates a token (`GET /oauth2/validate`).
pub async fn validate(oauth: &oauth::Client, token: &Secret) -> Result<types::TokenValidation, Error> {
    Ok(oauth.with_access_token(token.clone()).validate_token().send().await?.into_inner())
}

/// Validates the cache's token now and then every `period` ([`VALIDATION_PERIOD`], hourly, is
/// what Twitch asks for). A token
/// the server calls invalid is replaced through the cache. `report` sees each outcome.
pub fn spawn_periodic_validation(
    oauth: oauth::Client,
    cache: Arc<TokenCache>,
    period: Duration,
    report: impl Fn(Result<&types::TokenValidation, &Error>) + Send + Sync + 'static,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(period);
        loop {
            ticker.tick().await;
            let token = match cache.token().await {
                Ok(t) => t,
                Err(e) => {
                    report(Err(&e));
                    continue;
                }
            };
            match validate(&oauth, &token).await {
                Ok(v) => report(Ok(&v)),
                Err(e) => {
                    if e.status() == Some(reqwest::StatusCode::UNAUTHORIZED) {
                        tracing::warn!("access token no longer valid, refreshing");
                        if let Err(refresh) = cache.refresh_after_rejection(&token).await {
                            report(Err(&refresh));
                            continue;
                        }
                    }
                    report(Err(&e));
                }
            }
        }
    })
}
