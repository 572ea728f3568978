//! A token cache that refreshes before expiry and once after a 401, one refresh at a time.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

// tokio's Instant is std's outside a paused test runtime, and follows paused time inside one.
use tokio::time::Instant;

use crate::error::Error;
use crate::Secret;

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
}

struct Current {
    token: Secret,
    refresh_at: Option<Instant>,
    generation: u64,
}

/// Holds the current token of a [`TokenSource`].
///
/// * [`TokenCache::token`] returns the cached token, fetching one first when there is none or
///   it is within `margin` of expiring.
/// * [`TokenCache::refresh_after_rejection`] replaces a token the server refused (401), unless
///   another task already did.
///
/// However many tasks ask at once, one fetch runs; the others wait for its result.
pub struct TokenCache {
    source: Box<dyn TokenSource>,
    margin: Duration,
    current: Mutex<Option<Current>>,
    fetch_lock: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache").field("margin", &self.margin).finish_non_exhaustive()
    }
}

impl TokenCache {
    /// A cache around `source` that refreshes `margin` before expiry.
    pub fn new(source: impl TokenSource, margin: Duration) -> Arc<Self> {
        Arc::new(TokenCache {
            source: Box::new(source),
            margin,
            current: Mutex::new(None),
            fetch_lock: tokio::sync::Mutex::new(()),
        })
    }

    /// Seeds the cache with a token obtained elsewhere (e.g. from a code exchange).
    pub fn insert(&self, token: AccessToken) {
        let mut cur = self.lock();
        let generation = cur.as_ref().map_or(0, |c| c.generation + 1);
        *cur = Some(Current {
            refresh_at: token.expires_in.map(|d| crate::deadline::after(Instant::now(), d.saturating_sub(self.margin))),
            token: token.token,
            generation,
        });
    }

    /// The cached token, if any, without fetching.
    pub fn current(&self) -> Option<Secret> {
        self.lock().as_ref().map(|c| c.token.clone())
    }

    /// A valid token, fetching or refreshing first when needed.
    pub async fn token(&self) -> Result<Secret, Error> {
        if let Some(t) = self.fresh() {
            return Ok(t);
        }
        let _guard = self.fetch_lock.lock().await;
        // Another task may have fetched while we waited for the lock.
        if let Some(t) = self.fresh() {
            return Ok(t);
        }
        let stale = self.current();
        self.fetch_and_store(stale.as_ref()).await
    }

    /// Replaces `rejected` after the server refused it. When another task already replaced
    /// it, returns that newer token without fetching again.
    pub async fn refresh_after_rejection(&self, rejected: &Secret) -> Result<Secret, Error> {
        let _guard = self.fetch_lock.lock().await;
        if let Some(cur) = self.current()
            && &cur != rejected {
                return Ok(cur);
            }
        self.fetch_and_store(Some(rejected)).await
    }

    async fn fetch_and_store(&self, stale: Option<&Secret>) -> Result<Secret, Error> {
        tracing::debug!("fetching a new access token");
        let fresh = self.source.fetch(stale).await?;
        let token = fresh.token.clone();
        self.insert(fresh);
        Ok(token)
    }

    fn fresh(&self) -> Option<Secret> {
        let cur = self.lock();
        let c = cur.as_ref()?;
        match c.refresh_at {
            Some(at) if Instant::now() >= at => None,
            _ => Some(c.token.clone()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Current>> {
        // A poisoned lock only means a panic elsewhere while holding it; the data is still a
        // whole token or none, so keep going.
        self.current.lock().unwrap_or_else(|p| p.into_inner())
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
}
