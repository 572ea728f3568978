//! The rate-limiter contract, and the in-process default.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{BucketKey, Observation, RateLimitInfo, TokenBucket};
use crate::clock::{Clock, SystemClock};
use crate::policy::BucketSpec;

/// Boxed future returned by [`RateLimiter::acquire`].
pub type AcquireFuture<'a> = Pin<Box<dyn Future<Output = Permit> + Send + 'a>>;

/// Boxed future returned by [`RateLimiter::acquire_within`].
pub type AcquireWithinFuture<'a> = Pin<Box<dyn Future<Output = Result<Permit, WaitRefused>> + Send + 'a>>;

/// [`RateLimiter::acquire_within`] would have had to wait longer than it was allowed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitRefused {
    /// The wait the bucket asked for (at least this long when the caller was queued).
    pub wait: Duration,
    /// The longest wait allowed.
    pub max: Duration,
}

/// Where buckets live. The default keeps them in this process ([`InProcessLimiter`]);
/// implement this to share them (e.g. between processes through a store).
pub trait RateLimiter: Send + Sync + std::fmt::Debug {
    /// Waits until `cost` points can be taken from the bucket, takes them, and returns the
    /// permit of the one request they pay for; fails at once, without waiting, when the bucket
    /// says the points come later than `max_wait` from now (a server announcing a reset far
    /// away must not hold a call past its timeout). Time spent queued behind other callers of
    /// the same bucket is not counted: each of them refuses its own too-long wait.
    fn acquire_within<'a>(
        &'a self,
        key: &'a BucketKey,
        spec: &'static BucketSpec,
        cost: u32,
        max_wait: Duration,
    ) -> AcquireWithinFuture<'a>;

    /// [`RateLimiter::acquire_within`] without a limit on the wait.
    fn acquire<'a>(&'a self, key: &'a BucketKey, spec: &'static BucketSpec, cost: u32) -> AcquireFuture<'a> {
        Box::pin(async move {
            loop {
                // No wait exceeds `Duration::MAX`; the loop only guards a limiter that refuses anyway.
                if let Ok(permit) = self.acquire_within(key, spec, cost, Duration::MAX).await {
                    return permit;
                }
            }
        })
    }
    /// The permit's request got a response, carrying these figures (`None`: no rate-limit
    /// headers). A permit dropped instead (transport error, cancelled call) is released.
    fn complete(&self, permit: Permit, info: Option<&RateLimitInfo>);
}

/// What a permit reports back to when it is dropped without a response.
pub trait PermitOwner: Send + Sync {
    /// The request `seq` ended without a response.
    fn release(&self, seq: u64);
    /// For the limiter that issued the permit to find its own state again.
    fn as_any(&self) -> &dyn Any;
}

/// The right to send one request: issued by [`RateLimiter::acquire`], handed back with the
/// response's figures to [`RateLimiter::complete`]. Tied to its request, so figures that arrive
/// out of order are recognised; dropped without a response, it is released.
pub struct Permit {
    /// Order in which the bucket let requests through.
    pub seq: u64,
    /// Points taken.
    pub cost: u32,
    /// When the request was let through (epoch seconds, the limiter's clock).
    pub sent_epoch: f64,
    owner: Option<Arc<dyn PermitOwner>>,
}

impl std::fmt::Debug for Permit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Permit").field("seq", &self.seq).field("cost", &self.cost).finish_non_exhaustive()
    }
}

impl Permit {
    /// A permit from a limiter of another kind: `owner` hears of a drop without response.
    pub fn new(seq: u64, cost: u32, sent_epoch: f64, owner: Option<Arc<dyn PermitOwner>>) -> Self {
        Permit { seq, cost, sent_epoch, owner }
    }

    /// Takes the owner out, so dropping the permit releases nothing (it was completed).
    pub fn disarm(mut self) -> Option<Arc<dyn PermitOwner>> {
        self.owner.take()
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some(owner) = self.owner.take() {
            owner.release(self.seq);
        }
    }
}

/// Buckets in a map in this process, shared by every task using the same client.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use streamkit_runtime::policy::BucketSpec;
/// use streamkit_runtime::ratelimit::{BucketKey, InProcessLimiter, RateLimiter};
/// static SPEC: BucketSpec = BucketSpec { name: "b", points: 2, per_seconds: 1, per_user: false,
///     limit_header: None, remaining_header: None, reset_header: None,
///     reset_unit: streamkit_runtime::policy::ResetUnit::EpochSeconds };
/// let limiter = InProcessLimiter::default();
/// let key = BucketKey::new(&SPEC, Some("client"), None);
/// let permit = limiter.acquire(&key, &SPEC, 1).await;
/// limiter.complete(permit, None);
/// # }
/// ```
#[derive(Debug)]
pub struct InProcessLimiter {
    slots: Mutex<Slots>,
    waits: AtomicU64,
    clock: Arc<dyn Clock>,
}

#[derive(Debug, Default)]
struct Slots {
    map: HashMap<BucketKey, Arc<Slot>>,
    /// The map size at which idle buckets are swept out next.
    sweep_at: usize,
}

/// Buckets unused for longer than this and their refill period are forgotten.
const IDLE_EVICTION: Duration = Duration::from_secs(600);

/// One bucket and what coordinates its callers.
#[derive(Debug)]
struct Slot {
    bucket: Mutex<TokenBucket>,
    /// A fair (FIFO) queue: only the caller at its head waits on the bucket, so a refill
    /// wakes one caller instead of all of them.
    queue: tokio::sync::Mutex<()>,
    /// Whether the server's figures have been seen (or are known not to come).
    calibrated: AtomicBool,
    /// Whether a first call (the probe) is already out.
    probing: AtomicBool,
    /// The probe's sequence number.
    probe_seq: AtomicU64,
    calibration: tokio::sync::Notify,
}

impl Default for InProcessLimiter {
    fn default() -> Self {
        InProcessLimiter::with_clock(Arc::new(SystemClock))
    }
}

impl InProcessLimiter {
    /// A limiter reading time from `clock` (tests use a [`crate::clock::TokioClock`]).
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        InProcessLimiter {
            slots: Mutex::new(Slots { map: HashMap::new(), sweep_at: 64 }),
            waits: AtomicU64::new(0),
            clock,
        }
    }

    /// How many times a caller had to wait for points so far (for tests and metrics).
    pub fn waits(&self) -> u64 {
        self.waits.load(Ordering::Relaxed)
    }

    /// How many buckets are kept now.
    pub fn buckets(&self) -> usize {
        self.slots.lock().unwrap_or_else(|p| p.into_inner()).map.len()
    }

    fn now(&self) -> std::time::Instant {
        self.clock.now().into_std()
    }

    fn slot(&self, key: &BucketKey, spec: &BucketSpec) -> Arc<Slot> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(slot) = slots.map.get(key) {
            return slot.clone();
        }
        let now = self.now();
        if slots.map.len() >= slots.sweep_at {
            // Forget buckets nobody holds that have been idle long enough to be full again.
            slots.map.retain(|_, slot| {
                Arc::strong_count(slot) > 1 || {
                    let b = slot.bucket.lock().unwrap_or_else(|p| p.into_inner());
                    let idle = now.saturating_duration_since(b.last_used());
                    b.in_flight() > 0 || idle < IDLE_EVICTION.max(b.period())
                }
            });
            slots.sweep_at = (slots.map.len() * 2).max(64);
        }
        let period = Duration::from_secs(u64::from(spec.per_seconds.max(1)));
        let slot = Arc::new(Slot {
            bucket: Mutex::new(TokenBucket::new(spec.points, period, now)),
            queue: tokio::sync::Mutex::new(()),
            calibrated: AtomicBool::new(spec.remaining_header.is_none()),
            probing: AtomicBool::new(false),
            probe_seq: AtomicU64::new(u64::MAX),
            calibration: tokio::sync::Notify::new(),
        });
        slots.map.insert(key.clone(), slot.clone());
        slot
    }

    fn permit(&self, slot: &Arc<Slot>, seq: u64, cost: u32) -> Permit {
        let owner: Arc<dyn PermitOwner> = slot.clone();
        Permit::new(seq, cost, self.clock.epoch_secs(), Some(owner))
    }
}

impl Slot {
    fn take(&self, cost: u32, now: std::time::Instant) -> Result<u64, Duration> {
        self.bucket.lock().unwrap_or_else(|p| p.into_inner()).try_take(cost, now)
    }

    fn end_probe(&self, seq: u64, calibrated: bool) {
        if self.probe_seq.load(Ordering::Acquire) != seq {
            return;
        }
        if calibrated {
            self.calibrated.store(true, Ordering::Release);
        } else {
            // The probe got no answer: let the next caller probe.
            self.probing.store(false, Ordering::Release);
        }
        self.calibration.notify_waiters();
    }
}

impl PermitOwner for Slot {
    fn release(&self, seq: u64) {
        self.bucket.lock().unwrap_or_else(|p| p.into_inner()).release(seq);
        self.end_probe(seq, false);
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl RateLimiter for InProcessLimiter {
    fn acquire_within<'a>(
        &'a self,
        key: &'a BucketKey,
        spec: &'static BucketSpec,
        cost: u32,
        max_wait: Duration,
    ) -> AcquireWithinFuture<'a> {
        Box::pin(async move {
            let slot = self.slot(key, spec);
            // Until the server has told us its figures, one call goes first (the probe) and
            // the rest wait for its answer: the spec's declared limit may be wrong.
            let mut probe = false;
            while !slot.calibrated.load(Ordering::Acquire) {
                // Register for the wake-up before looking, so a notification in between is not lost.
                let notified = slot.calibration.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                if slot.calibrated.load(Ordering::Acquire) {
                    break;
                }
                if !slot.probing.swap(true, Ordering::AcqRel) {
                    probe = true;
                    break;
                }
                notified.await;
            }
            // Fast path: nobody queued and points available — no await, no queueing.
            if let Ok(_free) = slot.queue.try_lock()
                && let Ok(seq) = slot.take(cost, self.now())
            {
                if probe {
                    slot.probe_seq.store(seq, Ordering::Release);
                }
                return Ok(self.permit(&slot, seq, cost));
            }
            // Queued behind other callers is fair sharing, not a wait to refuse: each caller
            // at the head refuses a wait too long at once, so a bucket that will not refill
            // in time empties the queue quickly.
            let _turn = slot.queue.lock().await;
            loop {
                // The bucket lock is held only to compute; the wait happens outside it.
                match slot.take(cost, self.now()) {
                    Ok(seq) => {
                        if probe {
                            slot.probe_seq.store(seq, Ordering::Release);
                        }
                        return Ok(self.permit(&slot, seq, cost));
                    }
                    Err(wait) if wait > max_wait => {
                        tracing::debug!(bucket = key.bucket, ?wait, ?max_wait, "rate limit: wait refused");
                        if probe {
                            // Nothing was sent: let another caller probe.
                            slot.probing.store(false, Ordering::Release);
                            slot.calibration.notify_waiters();
                        }
                        return Err(WaitRefused { wait, max: max_wait });
                    }
                    Err(wait) => {
                        self.waits.fetch_add(1, Ordering::Relaxed);
                        tracing::debug!(bucket = key.bucket, ?wait, "rate limit: waiting for points");
                        tokio::time::sleep(wait).await;
                    }
                }
            }
        })
    }

    fn complete(&self, permit: Permit, info: Option<&RateLimitInfo>) {
        let (seq, sent_epoch) = (permit.seq, permit.sent_epoch);
        let Some(owner) = permit.disarm() else { return };
        let Some(slot) = owner.as_any().downcast_ref::<Slot>() else {
            // Not ours: let its owner release it.
            owner.release(seq);
            return;
        };
        let observation =
            info.map(|info| Observation { info: *info, sent_epoch, received_epoch: self.clock.epoch_secs() });
        slot.bucket.lock().unwrap_or_else(|p| p.into_inner()).complete(seq, observation.as_ref(), self.now());
        // A response without figures still ends the probe: the server does not send them, so
        // the spec's declared figures stay in force instead of every call waiting.
        slot.end_probe(seq, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    static SPEC: BucketSpec = BucketSpec {
        name: "t",
        points: 10,
        per_seconds: 1,
        per_user: true,
        limit_header: None,
        remaining_header: None,
        reset_header: None,
        reset_unit: crate::policy::ResetUnit::EpochSeconds,
    };

    static PROBED: BucketSpec = BucketSpec {
        name: "p",
        points: 10,
        per_seconds: 1,
        per_user: false,
        limit_header: Some("l"),
        remaining_header: Some("r"),
        reset_header: Some("s"),
        reset_unit: crate::policy::ResetUnit::EpochSeconds,
    };

    #[tokio::test(start_paused = true)]
    async fn callers_wait_for_refill_without_busy_looping() {
        let limiter = Arc::new(InProcessLimiter::default());
        let key = BucketKey::new(&SPEC, Some("c"), Some("Bearer t"));
        let start = Instant::now();
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let (l, k) = (limiter.clone(), key.clone());
                tokio::spawn(async move { l.complete(l.acquire(&k, &SPEC, 1).await, None) })
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
            drop(limiter.acquire(&a, &SPEC, 1).await);
        }
        let start = Instant::now();
        drop(limiter.acquire(&b, &SPEC, 1).await);
        assert_eq!(Instant::now(), start, "b's bucket is full");
        drop(limiter.acquire(&a, &SPEC, 1).await);
        assert!(Instant::now() > start, "a's bucket was empty");
    }

    #[tokio::test(start_paused = true)]
    async fn the_probe_goes_alone_and_a_dropped_probe_hands_over() {
        let limiter = Arc::new(InProcessLimiter::default());
        let key = BucketKey::new(&PROBED, Some("c"), None);
        let probe = limiter.acquire(&key, &PROBED, 1).await;
        let waiter = {
            let (l, k) = (limiter.clone(), key.clone());
            tokio::spawn(async move { l.acquire(&k, &PROBED, 1).await.seq })
        };
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert!(!waiter.is_finished(), "waits for the probe's answer");
        // The probe fails without a response: the waiter becomes the next probe.
        drop(probe);
        assert_eq!(waiter.await.unwrap(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_probe_answered_without_headers_calibrates_on_the_declared_figures() {
        let limiter = Arc::new(InProcessLimiter::default());
        let key = BucketKey::new(&PROBED, Some("c"), None);
        let probe = limiter.acquire(&key, &PROBED, 1).await;
        limiter.complete(probe, None);
        let start = Instant::now();
        for _ in 0..9 {
            limiter.complete(limiter.acquire(&key, &PROBED, 1).await, None);
        }
        assert_eq!(Instant::now(), start, "no waiting once the probe answered");
    }

    #[tokio::test(start_paused = true)]
    async fn idle_buckets_are_evicted() {
        let limiter = InProcessLimiter::default();
        for i in 0..64 {
            let key = BucketKey::new(&SPEC, Some("c"), Some(&format!("Bearer {i}")));
            drop(limiter.acquire(&key, &SPEC, 1).await);
        }
        assert_eq!(limiter.buckets(), 64);
        tokio::time::sleep(IDLE_EVICTION + Duration::from_secs(1)).await;
        let key = BucketKey::new(&SPEC, Some("c"), Some("Bearer new"));
        drop(limiter.acquire(&key, &SPEC, 1).await);
        assert_eq!(limiter.buckets(), 1);
    }
}
