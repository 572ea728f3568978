//! A JWT minted on demand and cached until near its expiry.
//!
//! The runtime knows nothing of claims or keys: a service crate implements [`JwtMinter`] (or
//! passes a closure) and the provider decides when to call it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use super::{IdentityFuture, IdentityProvider};
use crate::Secret;
use crate::auth::{AccessToken, TokenCache, TokenFuture, TokenSource};
use crate::error::Error;

/// A freshly minted JWT.
#[derive(Clone, Debug)]
pub struct MintedJwt {
    /// The token.
    pub token: Secret,
    /// How long it is valid from now (its `exp` minus its `iat`).
    pub expires_in: Duration,
}

/// Boxed future of [`JwtMinter::mint`].
pub type MintFuture<'a> = Pin<Box<dyn Future<Output = Result<MintedJwt, Error>> + Send + 'a>>;

/// Mints a JWT. Implemented for any `Fn() -> impl Future<Output = Result<MintedJwt, Error>>`.
pub trait JwtMinter: Send + Sync + 'static {
    /// A new token.
    fn mint(&self) -> MintFuture<'_>;
}

impl<F, Fut> JwtMinter for F
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<MintedJwt, Error>> + Send + 'static,
{
    fn mint(&self) -> MintFuture<'_> {
        Box::pin(self())
    }
}

/// Adapts a minter to the token cache: a JWT is a token with a known lifetime.
struct MintSource<M>(M);

impl<M: JwtMinter> TokenSource for MintSource<M> {
    fn fetch(&self, _stale: Option<&Secret>) -> TokenFuture<'_> {
        Box::pin(async move {
            let jwt = self.0.mint().await?;
            Ok(AccessToken { token: jwt.token, expires_in: Some(jwt.expires_in) })
        })
    }
}

/// A JWT minted on first use and again once within `margin` of expiry; concurrent callers
/// share one mint. It is not refreshed after a 401: a token the client signed itself is
/// refused for a reason minting again does not fix (wrong key, wrong claims).
///
/// ```
/// use std::time::Duration;
/// use streamkit_runtime::identity::{IdentityProvider, JwtIdentity, MintedJwt};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let jwt = JwtIdentity::new(
///     || async { Ok(MintedJwt { token: "eyJ.claims.sig".into(), expires_in: Duration::from_secs(300) }) },
///     Duration::from_secs(30),
/// );
/// assert_eq!(jwt.resolve().await.unwrap().expose(), "eyJ.claims.sig");
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct JwtIdentity {
    cache: Arc<TokenCache>,
}

impl JwtIdentity {
    /// Mints with `minter`, `margin` before each token's expiry.
    pub fn new(minter: impl JwtMinter, margin: Duration) -> Self {
        JwtIdentity { cache: TokenCache::new(MintSource(minter), margin) }
    }
}

impl IdentityProvider for JwtIdentity {
    fn resolve(&self) -> IdentityFuture<'_> {
        Box::pin(self.cache.token())
    }

    fn current(&self) -> Option<Secret> {
        self.cache.current()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn counting_minter(n: Arc<AtomicUsize>) -> impl JwtMinter {
        move || {
            let i = n.fetch_add(1, Ordering::SeqCst) + 1;
            async move { Ok(MintedJwt { token: Secret::new(format!("jwt{i}")), expires_in: Duration::from_secs(300) }) }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_jwt_is_cached_until_near_expiry_then_minted_again() {
        let n = Arc::new(AtomicUsize::new(0));
        let jwt = JwtIdentity::new(counting_minter(n.clone()), Duration::from_secs(30));
        assert!(jwt.current().is_none(), "nothing minted before first use");
        assert_eq!(jwt.resolve().await.unwrap().expose(), "jwt1");
        tokio::time::advance(Duration::from_secs(269)).await;
        assert_eq!(jwt.resolve().await.unwrap().expose(), "jwt1", "still 31 s from expiry");
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(jwt.resolve().await.unwrap().expose(), "jwt2", "within the margin: minted again");
        assert_eq!(n.load(Ordering::SeqCst), 2);
        assert!(!jwt.refreshable());
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_one_mint() {
        let n = Arc::new(AtomicUsize::new(0));
        let jwt = JwtIdentity::new(counting_minter(n.clone()), Duration::from_secs(30));
        let (a, b, c) = tokio::join!(jwt.resolve(), jwt.resolve(), jwt.resolve());
        for t in [a, b, c] {
            assert_eq!(t.unwrap().expose(), "jwt1");
        }
        assert_eq!(n.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_mint_is_an_error_and_is_tried_again_after_a_backoff() {
        let n = Arc::new(AtomicUsize::new(0));
        let m = n.clone();
        let jwt = JwtIdentity::new(
            move || {
                let first = m.fetch_add(1, Ordering::SeqCst) == 0;
                async move {
                    if first {
                        Err(Error::Auth { operation: None, message: "no signing key".into() })
                    } else {
                        Ok(MintedJwt { token: Secret::new("ok"), expires_in: Duration::from_secs(60) })
                    }
                }
            },
            Duration::from_secs(5),
        );
        assert!(jwt.resolve().await.unwrap_err().to_string().contains("no signing key"));
        // Right away: the backoff answers, without minting.
        assert!(jwt.resolve().await.unwrap_err().to_string().contains("next attempt in"));
        assert_eq!(n.load(Ordering::SeqCst), 1);
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(jwt.resolve().await.unwrap().expose(), "ok");
    }
}
