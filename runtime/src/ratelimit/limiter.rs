//! The rate-limiter contract, and the in-process default.

use std::collections::HashMap;
use std::future::Future;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::{RateLimitInfo, TokenBucket};
use crate::policy::BucketSpec;

/// Whose bucket a call draws from: the spec's bucket, the client id, and (for buckets
/// scoped per user) a fingerprint of the access token — never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BucketKey {
    /// Bucket name from the spec.
    pub bucket: &'static str,
    /// Client id.
    pub client_id: String,
    /// Token fingerprint, for per-user buckets.
    pub principal: Option<u64>,
}

impl BucketKey {
    /// The key for a call with these credentials.
    pub fn new(spec: &BucketSpec, client_id: Option<&str>, token: Option<&str>) -> Self {
        let principal = if spec.per_user {
            token.map(|t| {
                let mut h = DefaultHasher::new();
                t.hash(&mut h);
                h.finish()
            })
        } else {
            None
        };
        BucketKey { bucket: spec.name, client_id: client_id.unwrap_or_default().to_string(), principal }
    }
}

/// Boxed future returned by [`RateLimiter::acquire`].
pub type AcquireFuture<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// Where buckets live. The default keeps them in this process ([`InProcessLimiter`]);
/// implement this to share them (e.g. between processes through a store).
pub trait RateLimiter: Send + Sync + std::fmt::Debug {
    /// Waits until `cost` points can be taken from the bucket, then takes them.
    fn acquire<'a>(&'a self, key: &'a BucketKey, spec: &'static BucketSpec, cost: u32) -> AcquireFuture<'a>;
    /// Adjusts the bucket to what the server reported in a response.
    fn observe(&self, key: &BucketKey, spec: &'static BucketSpec, info: &RateLimitInfo);
}

/// Buckets in a map in this process, shared by every task using the same client.
#[derive(Debug, Default)]
pub struct InProcessLimiter {
    buckets: Mutex<HashMap<BucketKey, TokenBucket>>,
    waits: std::sync::atomic::AtomicU64,
}

impl InProcessLimiter {
    /// How many times a caller had to wait for points so far (for tests and metrics).
    pub fn waits(&self) -> u64 {
        self.waits.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn with_bucket<R>(&self, key: &BucketKey, spec: &BucketSpec, f: impl FnOnce(&mut TokenBucket, std::time::Instant) -> R) -> R {
        let now = Instant::now().into_std();
        let mut map = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let bucket = map
            .entry(key.clone())
            .or_insert_with(|| TokenBucket::new(spec.points, Duration::from_secs(u64::from(spec.per_seconds.max(1))), now));
        f(bucket, now)
    }
}

impl RateLimiter for InProcessLimiter {
    fn acquire<'a>(&'a self, key: &'a BucketKey, spec: &'static BucketSpec, cost: u32) -> AcquireFuture<'a> {
        Box::pin(async move {
            loop {
                // The lock is held only to compute; the wait happens outside it.
                match self.with_bucket(key, spec, |b, now| b.try_take(cost, now)) {
                    Ok(()) => return,
                    Err(wait) => {
                        self.waits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        tracing::debug!(bucket = key.bucket, ?wait, "rate limit: waiting for points");
                        tokio::time::sleep(wait).await;
                    }
                }
            }
        })
    }

    fn observe(&self, key: &BucketKey, spec: &'static BucketSpec, info: &RateLimitInfo) {
        self.with_bucket(key, spec, |b, now| b.observe(info, now));
    }
}
