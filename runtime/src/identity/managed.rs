//! A token the client manages: fetched on first use, refreshed before expiry and after a 401.

use std::sync::Arc;

use super::{IdentityFuture, IdentityProvider};
use crate::Secret;
use crate::auth::TokenCache;

/// A [`TokenCache`] as an identity provider: refreshable after a rejection.
#[derive(Clone, Debug)]
pub struct ManagedToken(pub Arc<TokenCache>);

impl IdentityProvider for ManagedToken {
    fn resolve(&self) -> IdentityFuture<'_> {
        Box::pin(self.0.token())
    }

    fn current(&self) -> Option<Secret> {
        self.0.current()
    }

    fn refreshable(&self) -> bool {
        true
    }

    fn client_id(&self) -> Option<String> {
        self.0.client_id().map(str::to_owned)
    }

    fn refresh_after_rejection<'a>(&'a self, rejected: Option<&'a Secret>) -> IdentityFuture<'a> {
        Box::pin(async move {
            match rejected {
                Some(r) => self.0.refresh_after_rejection(r).await,
                None => self.0.token().await,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{AccessToken, TokenFuture, TokenSource};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    struct Counting(Arc<AtomicUsize>);
    impl TokenSource for Counting {
        fn fetch(&self, _stale: Option<&Secret>) -> TokenFuture<'_> {
            let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
            Box::pin(async move { Ok(AccessToken { token: Secret::new(format!("t{n}")), expires_in: None }) })
        }
    }

    #[tokio::test]
    async fn a_managed_token_fetches_once_and_refreshes_after_a_rejection() {
        let n = Arc::new(AtomicUsize::new(0));
        let m = ManagedToken(TokenCache::new(Counting(n.clone()), Duration::from_secs(60)));
        assert!(m.current().is_none());
        assert_eq!(m.resolve().await.unwrap().expose(), "t1");
        assert_eq!(m.resolve().await.unwrap().expose(), "t1");
        assert!(m.refreshable());
        let rejected = m.current();
        assert_eq!(m.refresh_after_rejection(rejected.as_ref()).await.unwrap().expose(), "t2");
        // Rejecting the old token again does not fetch a third.
        assert_eq!(m.refresh_after_rejection(rejected.as_ref()).await.unwrap().expose(), "t2");
        assert_eq!(n.load(Ordering::SeqCst), 2);
    }
}
