//! A token cache that refreshes before expiry and after a 401, one refresh at a time, and
//! backs off when the token endpoint fails.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

// tokio's Instant is std's outside a paused test runtime, and follows paused time inside one.
use tokio::time::Instant;

use super::backoff::RefreshBackoff;
use crate::Secret;
use crate::clock::{Clock, SystemClock};
use crate::error::Error;

/// A freshly obtained access token.
#[derive(Clone, Debug)]
pub struct AccessToken {
    /// The token.
    pub token: Secret,
    /// How long the server said it lives.
    pub expires_in: Option<Duration>,
}

/// Boxed future returned by [`TokenSource::fetch`].
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<AccessToken, Error>> + Send + 'a>>;

/// Something that can obtain a new access token: a client-credentials grant, a refresh
/// grant, ... Service crates implement it; the cache decides when to call it.
pub trait TokenSource: Send + Sync + 'static {
    /// Obtains a new token. `stale` is the token being replaced, if any.
    fn fetch(&self, stale: Option<&Secret>) -> TokenFuture<'_>;

    /// The client id the tokens are issued to, when the source knows it: a client built
    /// from the cache then sends it, and refuses a different one.
    fn client_id(&self) -> Option<&str> {
        None
    }
}

/// A source shared with the application (to read what it keeps, e.g. a rotated refresh token).
impl<T: TokenSource> TokenSource for Arc<T> {
    fn fetch(&self, stale: Option<&Secret>) -> TokenFuture<'_> {
        (**self).fetch(stale)
    }

    fn client_id(&self) -> Option<&str> {
        (**self).client_id()
    }
}

struct Current {
    token: Secret,
    /// When to replace it (its expiry minus the margin).
    refresh_at: Option<Instant>,
    /// When it stops working by its own lifetime.
    expires_at: Option<Instant>,
    /// The server refused it (a 401 said it is invalid).
    rejected: bool,
}

impl Current {
    /// Still usable: not refused and not past its own expiry.
    fn usable(&self, now: Instant) -> bool {
        !self.rejected && self.expires_at.is_none_or(|at| now < at)
    }
}

#[derive(Default)]
struct State {
    current: Option<Current>,
    backoff: RefreshBackoff,
}

/// Holds the current token of a [`TokenSource`].
///
/// * [`TokenCache::token`] returns the cached token, fetching one first when there is none or
///   it is within `margin` of expiring.
/// * [`TokenCache::refresh_after_rejection`] replaces the token a request actually sent after
///   the server refused it, unless another task already did: N requests refused at once cause
///   one fetch.
/// * A fetch that fails backs off (exponentially, jittered, bounded: see
///   [`RefreshBackoff`]): until the next attempt is due, callers get the old token while it is
///   still valid by its own expiry, or the failure at once, and the token endpoint is not asked.
///
/// However many tasks ask at once, one fetch runs; the others wait for its result.
pub struct TokenCache {
    source: Box<dyn TokenSource>,
    margin: Duration,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
    fetch_lock: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache")
            .field("margin", &self.margin)
            .field("client_id", &self.client_id())
            .finish_non_exhaustive()
    }
}

impl TokenCache {
    /// A cache around `source` that refreshes `margin` before expiry.
    pub fn new(source: impl TokenSource, margin: Duration) -> Arc<Self> {
        Self::with_clock(source, margin, Arc::new(SystemClock))
    }

    /// Like [`TokenCache::new`], reading the time from `clock` (expiry and backoff).
    pub fn with_clock(source: impl TokenSource, margin: Duration, clock: Arc<dyn Clock>) -> Arc<Self> {
        Arc::new(TokenCache {
            source: Box::new(source),
            margin,
            clock,
            state: Mutex::new(State::default()),
            fetch_lock: tokio::sync::Mutex::new(()),
        })
    }

    /// The client id the source issues tokens to, when it says.
    pub fn client_id(&self) -> Option<&str> {
        self.source.client_id()
    }

    /// Seeds the cache with a token obtained elsewhere (e.g. from a code exchange).
    pub fn insert(&self, token: AccessToken) {
        let now = self.clock.now();
        self.lock().current = Some(Current {
            refresh_at: token.expires_in.map(|d| crate::deadline::after(now, d.saturating_sub(self.margin))),
            expires_at: token.expires_in.map(|d| crate::deadline::after(now, d)),
            token: token.token,
            rejected: false,
        });
    }

    /// The cached token, if any, without fetching.
    pub fn current(&self) -> Option<Secret> {
        self.lock().current.as_ref().map(|c| c.token.clone())
    }

    /// A valid token, fetching or refreshing first when needed.
    pub async fn token(&self) -> Result<Secret, Error> {
        if let Some(answer) = self.without_fetching() {
            return answer;
        }
        let _guard = self.fetch_lock.lock().await;
        // Another task may have fetched (or failed) while we waited for the lock.
        if let Some(answer) = self.without_fetching() {
            return answer;
        }
        let stale = self.current();
        self.fetch_and_store(stale.as_ref()).await
    }

    /// Replaces `rejected` (the token a request sent) after the server refused it. When
    /// another task already replaced it, returns that newer token without fetching again;
    /// while a failed fetch backs off, fails at once.
    pub async fn refresh_after_rejection(&self, rejected: &Secret) -> Result<Secret, Error> {
        let _guard = self.fetch_lock.lock().await;
        {
            let mut state = self.lock();
            let now = self.clock.now();
            match state.current.as_mut() {
                Some(cur) if &cur.token != rejected => return Ok(cur.token.clone()),
                Some(cur) => cur.rejected = true,
                None => {}
            }
            if let Some(wait) = state.backoff.wait(now) {
                return Err(state.backoff.error(wait));
            }
        }
        self.fetch_and_store(Some(rejected)).await
    }

    /// The answer when no fetch is needed or allowed: a fresh token, or during a backoff the
    /// old token while usable, else the failure.
    fn without_fetching(&self) -> Option<Result<Secret, Error>> {
        let state = self.lock();
        let now = self.clock.now();
        let cur = state.current.as_ref();
        if let Some(c) = cur
            && !c.rejected
            && c.refresh_at.is_none_or(|at| now < at)
        {
            return Some(Ok(c.token.clone()));
        }
        let wait = state.backoff.wait(now)?;
        Some(match cur {
            Some(c) if c.usable(now) => Ok(c.token.clone()),
            _ => Err(state.backoff.error(wait)),
        })
    }

    async fn fetch_and_store(&self, stale: Option<&Secret>) -> Result<Secret, Error> {
        tracing::debug!("fetching a new access token");
        match self.source.fetch(stale).await {
            Ok(fresh) => {
                let token = fresh.token.clone();
                self.insert(fresh);
                self.lock().backoff.succeeded();
                Ok(token)
            }
            Err(e) => {
                let now = self.clock.now();
                let mut state = self.lock();
                let wait = state.backoff.failed(now, self.clock.wall(), &e);
                match state.current.as_ref() {
                    Some(c) if c.usable(now) => {
                        tracing::warn!(error = %e, retry_in = ?wait, "token refresh failed; the current token is still valid and stays in use");
                        Ok(c.token.clone())
                    }
                    _ => {
                        tracing::warn!(error = %e, retry_in = ?wait, "token refresh failed");
                        Err(e)
                    }
                }
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A poisoned lock only means a panic elsewhere while holding it; the data is still a
        // whole token or none, so keep going.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Counting(Arc<AtomicUsize>);
    impl TokenSource for Counting {
        fn fetch(&self, _stale: Option<&Secret>) -> TokenFuture<'_> {
            let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
            Box::pin(async move {
                tokio::task::yield_now().await;
                Ok(AccessToken { token: Secret::new(format!("t{n}")), expires_in: None })
            })
        }
    }

    /// Fails while `failing` is set; counts every fetch.
    struct Flaky {
        fetches: Arc<AtomicUsize>,
        failing: Arc<std::sync::atomic::AtomicBool>,
    }
    impl TokenSource for Flaky {
        fn fetch(&self, _stale: Option<&Secret>) -> TokenFuture<'_> {
            let n = self.fetches.fetch_add(1, Ordering::SeqCst) + 1;
            let fail = self.failing.load(Ordering::SeqCst);
            Box::pin(async move {
                if fail {
                    Err(Error::auth("token endpoint down"))
                } else {
                    Ok(AccessToken { token: Secret::new(format!("t{n}")), expires_in: Some(Duration::from_secs(3600)) })
                }
            })
        }
    }

    #[tokio::test]
    async fn many_waiters_one_fetch() {
        let n = Arc::new(AtomicUsize::new(0));
        let cache = TokenCache::new(Counting(n.clone()), Duration::from_secs(60));
        let tasks: Vec<_> = (0..32)
            .map(|_| {
                let c = cache.clone();
                tokio::spawn(async move { c.token().await.unwrap().expose().to_string() })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), "t1");
        }
        assert_eq!(n.load(Ordering::SeqCst), 1);
        // A rejection refreshes once; a second rejection of the same old token does not.
        let old = Secret::new("t1");
        let (a, b) = tokio::join!(cache.refresh_after_rejection(&old), cache.refresh_after_rejection(&old));
        assert_eq!(a.unwrap().expose(), "t2");
        assert_eq!(b.unwrap().expose(), "t2");
        assert_eq!(n.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn refreshes_before_expiry() {
        let n = Arc::new(AtomicUsize::new(0));
        let cache = TokenCache::new(Counting(n.clone()), Duration::from_secs(60));
        // Expires within the margin: the next call must fetch.
        cache.insert(AccessToken { token: Secret::new("old"), expires_in: Some(Duration::from_secs(30)) });
        assert_eq!(cache.token().await.unwrap().expose(), "t1");
        cache.insert(AccessToken { token: Secret::new("long"), expires_in: Some(Duration::from_secs(3600)) });
        assert_eq!(cache.token().await.unwrap().expose(), "long");
        assert_eq!(n.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_refresh_keeps_a_still_valid_token_and_backs_off() {
        let fetches = Arc::new(AtomicUsize::new(0));
        let failing = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let cache =
            TokenCache::new(Flaky { fetches: fetches.clone(), failing: failing.clone() }, Duration::from_secs(300));
        // Within the margin but 120 s from its own expiry.
        cache.insert(AccessToken { token: Secret::new("old"), expires_in: Some(Duration::from_secs(120)) });
        for _ in 0..10 {
            assert_eq!(cache.token().await.unwrap().expose(), "old");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1, "one failed fetch, then the backoff holds");
        // The first backoff is at most 1.5 s: after it, one more (failing) attempt.
        tokio::time::advance(Duration::from_millis(1600)).await;
        assert_eq!(cache.token().await.unwrap().expose(), "old");
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
        // The endpoint recovers; once the (longer) backoff is over the token is replaced.
        failing.store(false, Ordering::SeqCst);
        tokio::time::advance(Duration::from_secs(4)).await;
        assert_eq!(cache.token().await.unwrap().expose(), "t3");
        // Past its own expiry, a token is never handed out during a backoff.
        let cache = TokenCache::new(
            Flaky { fetches: fetches.clone(), failing: Arc::new(true.into()) },
            Duration::from_secs(300),
        );
        cache.insert(AccessToken { token: Secret::new("short"), expires_in: Some(Duration::from_secs(10)) });
        assert_eq!(cache.token().await.unwrap().expose(), "short", "the fetch failed, the token is valid for 10 s");
        tokio::time::advance(Duration::from_secs(11)).await;
        let e = cache.token().await.unwrap_err();
        assert!(e.to_string().contains("token endpoint down"), "{e}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_rejected_token_with_a_failing_endpoint_fetches_once_per_backoff() {
        let fetches = Arc::new(AtomicUsize::new(0));
        let cache = TokenCache::new(
            Flaky { fetches: fetches.clone(), failing: Arc::new(true.into()) },
            Duration::from_secs(60),
        );
        cache.insert(AccessToken { token: Secret::new("old"), expires_in: Some(Duration::from_secs(3600)) });
        let old = Secret::new("old");
        let results = futures::future::join_all((0..16).map(|_| cache.refresh_after_rejection(&old))).await;
        assert!(results.iter().all(Result::is_err));
        assert_eq!(fetches.load(Ordering::SeqCst), 1, "16 rejections, one fetch");
        // The refused token is not handed out again while the backoff lasts.
        assert!(cache.token().await.is_err());
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }
}
