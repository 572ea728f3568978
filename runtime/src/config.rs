//! Building a client: base URL, identity providers, user agent, timeout, retry policy.

use std::marker::PhantomData;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::Secret;
use crate::auth::{TokenCache, header_value, template_credentials};
use crate::clock::{Clock, SystemClock};
use crate::error::Error;
use crate::identity::{self, Identities, IdentityProvider, ManagedToken, StaticIdentity};
use crate::policy::ServicePolicy;
use crate::ratelimit::{InProcessLimiter, RateLimitInfo, RateLimiter};
use crate::retry::RetryPolicy;

/// The default `User-Agent`.
pub const DEFAULT_USER_AGENT: &str = concat!("streamkit/", env!("CARGO_PKG_VERSION"));

/// Implemented by every generated `Client`: how to assemble one from its parts.
pub trait FromRuntime: Sized {
    /// The service's policy table.
    fn policy() -> &'static ServicePolicy;
    /// Builds the client.
    fn from_parts(base_url: &str, http: reqwest::Client, runtime: Runtime) -> Self;
}

/// The state a generated client carries (progenitor's "inner" value): identity providers,
/// policy, retry rules and what the server last said about rate limits. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Runtime {
    pub(crate) shared: Arc<Shared>,
    // Behind an Arc: every call clones the runtime, and that must stay two counter bumps.
    pub(crate) identities: Arc<Identities>,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) policy: &'static ServicePolicy,
    pub(crate) retry: RetryPolicy,
    pub(crate) strict: bool,
    pub(crate) last_rate_limit: Mutex<Option<RateLimitInfo>>,
    pub(crate) limiter: Option<Arc<dyn RateLimiter>>,
    pub(crate) stats: crate::stats::CallStats,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) max_response_body: u64,
    pub(crate) max_wait: Duration,
    /// The last rate-limit bucket key made (see [`crate::ratelimit::KeyCache`]).
    pub(crate) bucket_key: crate::ratelimit::KeyCache,
}

impl Runtime {
    /// The service's policy table.
    pub fn policy(&self) -> &'static ServicePolicy {
        self.shared.policy
    }

    /// Whether responses with unknown values fail (see [`crate::drift`]).
    pub fn strict(&self) -> bool {
        self.shared.strict
    }

    /// The identity providers in use, by credential name.
    pub fn identities(&self) -> &Identities {
        &self.identities
    }

    /// The retry rules in use.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.shared.retry
    }

    /// The same runtime (rate-limit state, policy, retries) acting with another access token:
    /// one client serves many users.
    pub fn with_access_token(&self, token: Secret) -> Runtime {
        self.with_identity(identity::ACCESS_TOKEN, Arc::new(StaticIdentity::secret(token)))
    }

    /// The same runtime with `provider` for credential `name`.
    pub fn with_identity(&self, name: &str, provider: Arc<dyn IdentityProvider>) -> Runtime {
        let mut identities = (*self.identities).clone();
        identities.insert(name, provider);
        Runtime { shared: self.shared.clone(), identities: Arc::new(identities) }
    }

    /// What this client has done on the wire so far (attempts, retries, 429s).
    pub fn stats(&self) -> crate::stats::StatsSnapshot {
        self.shared.stats.snapshot()
    }

    /// The cap on a response body, in bytes ([`ClientBuilder::max_response_body`]).
    pub fn max_response_body(&self) -> u64 {
        self.shared.max_response_body
    }

    /// The longest the client waits before an attempt, for rate-limit points or a retry
    /// ([`ClientBuilder::max_wait`]).
    pub fn max_wait(&self) -> Duration {
        self.shared.max_wait
    }

    /// The rate-limit figures of the last response that carried them.
    pub fn last_rate_limit(&self) -> Option<RateLimitInfo> {
        *self.shared.last_rate_limit.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn record_rate_limit(&self, info: RateLimitInfo) {
        *self.shared.last_rate_limit.lock().unwrap_or_else(|p| p.into_inner()) = Some(info);
    }
}

/// Which rate limiter a client gets.
enum LimiterChoice {
    /// An [`InProcessLimiter`] of its own, on the client's clock.
    Own,
    /// One given by the caller, possibly shared.
    Shared(Arc<dyn RateLimiter>),
    /// None.
    Off,
}

/// Builds a generated client. Get one from the client type, e.g.
/// `streamkit_twitch::helix::Client::builder()`.
///
/// ```
/// # use streamkit_runtime::{ClientBuilder, Runtime, FromRuntime, policy::ServicePolicy};
/// # struct Demo(String);
/// # static P: ServicePolicy = ServicePolicy { service: "demo", default_base_url: "http://127.0.0.1:9", buckets: &[], operations: &[], retry: streamkit_runtime::policy::RetryDefaults::NONE };
/// # impl FromRuntime for Demo {
/// #     fn policy() -> &'static ServicePolicy { &P }
/// #     fn from_parts(base: &str, _: reqwest::Client, _: Runtime) -> Self { Demo(base.into()) }
/// # }
/// let client: Demo = ClientBuilder::new()
///     .base_url("http://127.0.0.1:8080/helix")
///     .client_id("my-client-id")
///     .access_token("my-token")
///     .build()?;
/// assert_eq!(client.0, "http://127.0.0.1:8080/helix");
/// # Ok::<(), streamkit_runtime::Error>(())
/// ```
pub struct ClientBuilder<C> {
    base_url: Option<String>,
    identities: Identities,
    user_agent: String,
    timeout: Duration,
    connect_timeout: Duration,
    retry: Option<RetryPolicy>,
    strict: bool,
    http: Option<reqwest::Client>,
    limiter: LimiterChoice,
    clock: Arc<dyn Clock>,
    max_response_body: u64,
    max_wait: Option<Duration>,
    _client: PhantomData<fn() -> C>,
}

impl<C> std::fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("identities", &self.identities)
            .field("user_agent", &self.user_agent)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl<C: FromRuntime> Default for ClientBuilder<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C: FromRuntime> ClientBuilder<C> {
    /// A builder with the production base URL and default settings.
    pub fn new() -> Self {
        ClientBuilder {
            base_url: None,
            identities: Identities::default(),
            user_agent: DEFAULT_USER_AGENT.to_string(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: None,
            strict: false,
            http: None,
            limiter: LimiterChoice::Own,
            clock: Arc::new(SystemClock),
            max_response_body: crate::body_limit::DEFAULT_MAX_RESPONSE_BODY,
            max_wait: None,
            _client: PhantomData,
        }
    }

    /// Where to send requests (default: the spec's production URL). The sandbox's URL here.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The provider of credential `name` (a `{name}` in the spec's header templates),
    /// replacing any earlier one. The methods below are shorthands for the common names.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use streamkit_runtime::{ClientBuilder, Runtime, FromRuntime, policy::*};
    /// use streamkit_runtime::identity::{IdentityProvider, StaticIdentity};
    /// # struct Demo(Runtime);
    /// # static P: ServicePolicy = ServicePolicy { service: "demo", default_base_url: "http://127.0.0.1:9", buckets: &[], operations: &[], retry: RetryDefaults::NONE };
    /// # impl FromRuntime for Demo {
    /// #     fn policy() -> &'static ServicePolicy { &P }
    /// #     fn from_parts(_: &str, _: reqwest::Client, rt: Runtime) -> Self { Demo(rt) }
    /// # }
    /// // The spec's scheme says `x-streamkit-header: {name: X-Api-Key, value: "{api_key}"}`.
    /// let client: Demo = ClientBuilder::new().identity("api_key", Arc::new(StaticIdentity::secret("k-123"))).build()?;
    /// assert!(client.0.identities().get("api_key").unwrap().is_secret());
    /// # Ok::<(), streamkit_runtime::Error>(())
    /// ```
    pub fn identity(mut self, name: impl Into<String>, provider: Arc<dyn IdentityProvider>) -> Self {
        self.identities.insert(name, provider);
        self
    }

    /// The application's client id (`{client_id}`; not a secret).
    pub fn client_id(self, id: impl Into<String>) -> Self {
        self.identity(identity::CLIENT_ID, Arc::new(StaticIdentity::public(id)))
    }

    /// A fixed access token, app or user (`{access_token}`).
    pub fn access_token(self, token: impl Into<Secret>) -> Self {
        self.identity(identity::ACCESS_TOKEN, Arc::new(StaticIdentity::secret(token)))
    }

    /// A managed access token (`{access_token}`): fetched on first use, refreshed before
    /// expiry and after a 401.
    pub fn token_cache(self, cache: Arc<TokenCache>) -> Self {
        self.identity(identity::ACCESS_TOKEN, Arc::new(ManagedToken(cache)))
    }

    /// A fixed JWT (`{jwt}`).
    pub fn jwt(self, jwt: impl Into<Secret>) -> Self {
        self.identity(identity::JWT, Arc::new(StaticIdentity::secret(jwt)))
    }

    /// A JWT minted on demand (`{jwt}`), minted again `margin` before each one expires.
    pub fn jwt_minter(self, minter: impl identity::JwtMinter, margin: Duration) -> Self {
        self.identity(identity::JWT, Arc::new(identity::JwtIdentity::new(minter, margin)))
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// Total time allowed for one attempt (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest response body read, in bytes (default
    /// [`DEFAULT_MAX_RESPONSE_BODY`](crate::body_limit::DEFAULT_MAX_RESPONSE_BODY), 16 MiB).
    /// A larger body fails the call with [`crate::Refusal::BodyTooLarge`] without the rest
    /// being read: at once when its `Content-Length` says so, else once the cap is passed.
    pub fn max_response_body(mut self, bytes: u64) -> Self {
        self.max_response_body = bytes;
        self
    }

    /// The longest a call waits before an attempt: for rate-limit points, for a reset before
    /// a retry, for a backoff (default: the [`ClientBuilder::timeout`], 30 s unless set). A
    /// longer wait fails the call at once with [`crate::Refusal::WaitTooLong`], naming it.
    pub fn max_wait(mut self, max: Duration) -> Self {
        self.max_wait = Some(max);
        self
    }

    /// The retry policy (default [`RetryPolicy::for_service`]: the neutral defaults with the
    /// spec's `x-streamkit-retry-defaults` applied). This one replaces it whole.
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Where rate-limit buckets live (default: an [`InProcessLimiter`] of this client's own).
    /// Pass the same limiter to several clients to share buckets between them.
    pub fn rate_limiter(mut self, limiter: Arc<dyn RateLimiter>) -> Self {
        self.limiter = LimiterChoice::Shared(limiter);
        self
    }

    /// No client-side rate limiting: calls go out at once (a 429 is still retried).
    pub fn without_rate_limiting(mut self) -> Self {
        self.limiter = LimiterChoice::Off;
        self
    }

    /// Where the client reads the time (default [`SystemClock`]); the client's own rate
    /// limiter reads it too. Tests pass a [`crate::clock::TokioClock`].
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Strict decoding: fail on unknown enum values and undocumented fields. For tests.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Use this `reqwest::Client` (shares its connection pool) instead of building one;
    /// `user_agent` and `timeout` are then the caller's business, and so are redirects:
    /// build it with `redirect(reqwest::redirect::Policy::none())` to keep the runtime's
    /// redirect rules (no write redirected, no credential sent to another origin).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(mut self) -> Result<C, Error> {
        let policy = C::policy();
        identity::bind_client_id(&mut self.identities)?;
        // Header values first: a CR/LF in a credential is the caller's bug, whatever the URL.
        check_credentials(policy, &self.identities)?;
        let ua = header_value("User-Agent", &self.user_agent, false)?;
        let base = self.base_url.unwrap_or_else(|| policy.default_base_url.to_string());
        let base = base.trim_end_matches('/').to_string();
        let url = reqwest::Url::parse(&base)
            .map_err(|e| Error::config(format!("base URL `{base}` is not a valid URL: {e}")))?;
        match url.scheme() {
            "http" => {}
            // A caller's own `reqwest::Client` brings its own TLS.
            "https" if cfg!(feature = "rustls") || self.http.is_some() => {}
            "https" => {
                return Err(Error::config(format!(
                    "base URL `{base}` needs TLS: enable the `rustls` feature of the client crate (on by default), \
                     or pass a `reqwest::Client` with TLS to `http_client`"
                )));
            }
            other => return Err(Error::config(format!("base URL `{base}` has unsupported scheme `{other}`"))),
        }
        let http = match self.http {
            Some(h) => h,
            None => {
                crate::tls::install_default_provider();
                reqwest::Client::builder()
                    .user_agent(ua)
                    .timeout(self.timeout)
                    .connect_timeout(self.connect_timeout)
                    // The runtime follows redirects itself (crate::redirect): reqwest's policy
                    // cannot see the method, and would forward `Client-Id` to another origin.
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .map_err(|e| Error::config(format!("cannot build the HTTP client: {e}")))?
            }
        };
        let runtime = Runtime {
            shared: Arc::new(Shared {
                policy,
                retry: self.retry.unwrap_or_else(|| RetryPolicy::for_service(policy)),
                strict: self.strict,
                last_rate_limit: Mutex::new(None),
                limiter: match self.limiter {
                    LimiterChoice::Own => Some(Arc::new(InProcessLimiter::with_clock(self.clock.clone()))),
                    LimiterChoice::Shared(l) => Some(l),
                    LimiterChoice::Off => None,
                },
                stats: Default::default(),
                clock: self.clock,
                max_response_body: self.max_response_body,
                max_wait: self.max_wait.unwrap_or(self.timeout),
                bucket_key: Default::default(),
            }),
            identities: Arc::new(self.identities),
        };
        Ok(C::from_parts(&base, http, runtime))
    }
}

/// Checks every credential value known now as the header that carries it (the first one of
/// the service's templates naming it), so the error names a header the caller recognises.
fn check_credentials(policy: &ServicePolicy, identities: &Identities) -> Result<(), Error> {
    for (name, provider) in identities.iter() {
        let Some(value) = provider.current() else { continue };
        let header = policy
            .operations
            .iter()
            .flat_map(|o| o.auth)
            .find(|h| template_credentials(h.template).contains(&name))
            .map_or_else(|| format!("credential `{name}`"), |h| h.name.to_string());
        header_value(&header, value.expose(), provider.is_secret())?;
    }
    Ok(())
}
