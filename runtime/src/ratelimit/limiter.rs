//! The rate-limiter contract, and the in-process default.

use std::collections::HashMap;
use std::future::Future;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
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
    slots: Mutex<HashMap<BucketKey, Arc<Slot>>>,
    waits: AtomicU64,
}

/// One bucket and what coordinates its callers.
#[derive(Debug)]
struct Slot {
    bucket: Mutex<TokenBucket>,
    /// A fair (FIFO) queue: only the caller at its head waits on the bucket, so a refill
    /// wakes one caller instead of all of them.
    queue: tokio::sync::Mutex<()>,
    /// Whether the server's figures have been seen.
    calibrated: AtomicBool,
    /// Whether a first call (the probe) is already out.
    probing: AtomicBool,
    calibration: tokio::sync::Notify,
}

impl InProcessLimiter {
    /// How many times a caller had to wait for points so far (for tests and metrics).
    pub fn waits(&self) -> u64 {
        self.waits.load(Ordering::Relaxed)
    }

    fn slot(&self, key: &BucketKey, spec: &BucketSpec) -> Arc<Slot> {
        let mut map = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(slot) = map.get(key) {
            return slot.clone();
        }
        let now = Instant::now().into_std();
        let slot = Arc::new(Slot {
            bucket: Mutex::new(TokenBucket::new(spec.points, Duration::from_secs(u64::from(spec.per_seconds.max(1))), now)),
            queue: tokio::sync::Mutex::new(()),
            calibrated: AtomicBool::new(false),
            probing: AtomicBool::new(false),
            calibration: tokio::sync::Notify::new(),
        });
        map.insert(key.clone(), slot.clone());
        slot
    }
}

impl Slot {
    fn take(&self, cost: u32) -> Result<(), Duration> {
        let now = Instant::now().into_std();
        self.bucket.lock().unwrap_or_else(|p| p.into_inner()).try_take(cost, now)
    }
}

impl RateLimiter for InProcessLimiter {
    fn acquire<'a>(&'a self, key: &'a BucketKey, spec: &'static BucketSpec, cost: u32) -> AcquireFuture<'a> {
        Box::pin(async move {
            let slot = self.slot(key, spec);
            // Until the server has told us its figures, one call goes first (the probe) and
            // the rest wait for its answer: the spec's declared limit may be wrong.
            if spec.remaining_header.is_some() && !slot.calibrated.load(Ordering::Acquire) {
                loop {
                    // Register for the wake-up before looking, so a notification in between is not lost.
                    let notified = slot.calibration.notified();
                    tokio::pin!(notified);
                    notified.as_mut().enable();
                    if slot.calibrated.load(Ordering::Acquire) || !slot.probing.swap(true, Ordering::AcqRel) {
                        break;
                    }
                    // A probe that never gets headers (transport error) must not block forever.
                    if tokio::time::timeout(Duration::from_secs(1), notified).await.is_err() {
                        break;
                    }
                }
            }
            // Fast path: nobody queued and points available — no await, no queueing.
            if let Ok(_free) = slot.queue.try_lock()
                && slot.take(cost).is_ok()
            {
                return;
            }
            let _turn = slot.queue.lock().await;
            loop {
                // The bucket lock is held only to compute; the wait happens outside it.
                match slot.take(cost) {
                    Ok(()) => return,
                    Err(wait) => {
                        self.waits.fetch_add(1, Ordering::Relaxed);
                        tracing::debug!(bucket = key.bucket, ?wait, "rate limit: waiting for points");
                        tokio::time::sleep(wait).await;
                    }
                }
            }
        })
    }

    fn observe(&self, key: &BucketKey, spec: &'static BucketSpec, info: &RateLimitInfo) {
        let slot = self.slot(key, spec);
        let epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0);
        let now = Instant::now().into_std();
        slot.bucket.lock().unwrap_or_else(|p| p.into_inner()).observe(info, now, epoch);
        if !slot.calibrated.swap(true, Ordering::AcqRel) {
            slot.calibration.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static SPEC: BucketSpec = BucketSpec {
        name: "t",
        points: 10,
        per_seconds: 1,
        per_user: true,
        limit_header: None,
        remaining_header: None,
        reset_header: None,
    };

    #[tokio::test(start_paused = true)]
    async fn callers_wait_for_refill_without_busy_looping() {
        let limiter = Arc::new(InProcessLimiter::default());
        let key = BucketKey::new(&SPEC, Some("c"), Some("Bearer t"));
        let start = Instant::now();
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let (l, k) = (limiter.clone(), key.clone());
                tokio::spawn(async move { l.acquire(&k, &SPEC, 1).await })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        // 10 at once, then 10 per second: 40 more take 4 s of (paused, auto-advanced) time.
        let took = Instant::now() - start;
        assert!(took >= Duration::from_secs(4) && took < Duration::from_secs(5), "{took:?}");
        // Each waiting caller sleeps until its points are due, not in a spin: the number of
        // waits is bounded by a small multiple of the callers that had to wait.
        assert!(limiter.waits() <= 45, "waits: {}", limiter.waits());
    }

    #[tokio::test(start_paused = true)]
    async fn user_buckets_are_separate_from_each_other() {
        let limiter = InProcessLimiter::default();
        let a = BucketKey::new(&SPEC, Some("c"), Some("Bearer a"));
        let b = BucketKey::new(&SPEC, Some("c"), Some("Bearer b"));
        for _ in 0..10 {
            limiter.acquire(&a, &SPEC, 1).await;
        }
        let start = Instant::now();
        limiter.acquire(&b, &SPEC, 1).await;
        assert_eq!(Instant::now(), start, "b's bucket is full");
        limiter.acquire(&a, &SPEC, 1).await;
        assert!(Instant::now() > start, "a's bucket was empty");
    }

    #[test]
    fn the_bucket_follows_the_server() {
        let t0 = std::time::Instant::now();
        let mut b = TokenBucket::new(800, Duration::from_secs(60), t0);
        // The server says: 20 points, 0 left, full at epoch 1004 (rounded up from ~1003.5).
        let info = RateLimitInfo { limit: Some(20), remaining: Some(0), reset: Some(1004) };
        b.observe(&info, t0, 1000.0);
        assert_eq!(b.available(t0), 0.0);
        assert_eq!(b.period(), Duration::from_millis(3500));
        assert_eq!(b.try_take(1, t0), Err(Duration::from_millis(175)));
        assert!(b.try_take(20, t0 + Duration::from_millis(3500)).is_ok());
    }
}
