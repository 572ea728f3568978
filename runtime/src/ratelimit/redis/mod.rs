//! [`RedisLimiter`]: the buckets live in Redis, so every process using the same Redis
//! shares one budget per bucket (cargo feature `redis`).
//!
//! * State is a hash per bucket plus a sorted set of the requests in flight, updated
//!   atomically by Lua scripts (`acquire.lua`, `complete.lua`, `release.lua` beside this
//!   file) that read Redis's own clock (`TIME`): processes on machines with skewed clocks agree.
//!   The arithmetic is [`super::TokenBucket`]'s: figures from the server, seen by any process,
//!   can only make the shared bucket more careful.
//! * Scripts are invoked by their SHA (`EVALSHA`) and loaded again when Redis answers
//!   `NOSCRIPT` (after a restart or `SCRIPT FLUSH`): one round trip per `acquire` when points
//!   are available. The response's figures are sent in the background.
//! * **When Redis is unreachable the limiter fails open to an in-process limiter**: a call
//!   never fails because Redis is down. The process then limits itself alone (still following
//!   the server's headers, so it backs off when the shared budget runs out), logs a warning
//!   and counts the fallback ([`RedisLimiter::fallbacks`]); it tries Redis again on the next
//!   call. Failing closed would turn a Redis outage into an outage of every client.
//! * Buckets expire in Redis when idle (twice their period, at least 10 minutes).

use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use redis::aio::ConnectionManager;
use redis::{Script, Value};

use super::limiter::{AcquireWithinFuture, Permit, PermitOwner, RateLimiter, WaitRefused};
use super::{BucketKey, InProcessLimiter, RateLimitInfo};
use crate::error::Error;
use crate::policy::BucketSpec;

const PRELUDE: &str = include_str!("state.lua");

/// How long one Redis command may take before the limiter falls back to in-process.
const DEFAULT_OP_TIMEOUT: Duration = Duration::from_millis(500);

/// A [`RateLimiter`] whose buckets live in Redis.
///
/// ```no_run
/// # async fn demo() -> Result<(), streamkit_runtime::Error> {
/// use std::sync::Arc;
/// use streamkit_runtime::ratelimit::RedisLimiter;
/// let limiter = Arc::new(RedisLimiter::connect("redis://127.0.0.1:6379/").await?);
/// // builder.rate_limiter(limiter.clone()) on every client, in every process.
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisLimiter {
    inner: Arc<Inner>,
}

struct Inner {
    conn: ConnectionManager,
    acquire: Script,
    complete: Script,
    release: Script,
    fallback: InProcessLimiter,
    fallbacks: AtomicU64,
    round_trips: AtomicU64,
    waits: AtomicU64,
    op_timeout: Duration,
    prefix: String,
}

impl std::fmt::Debug for RedisLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisLimiter").field("prefix", &self.inner.prefix).finish_non_exhaustive()
    }
}

impl RedisLimiter {
    /// Connects to Redis at `url` (`redis://host:port/db`). Fails when Redis cannot be reached
    /// now; once built, an outage makes the limiter fall back to in-process limiting.
    pub async fn connect(url: &str) -> Result<Self, Error> {
        let client = redis::Client::open(url).map_err(|e| Error::config(format!("Redis URL: {e}")))?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(DEFAULT_OP_TIMEOUT))
            .set_response_timeout(Some(DEFAULT_OP_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(200));
        let conn = tokio::time::timeout(DEFAULT_OP_TIMEOUT * 4, client.get_connection_manager_with_config(config))
            .await
            .map_err(|_| Error::config("Redis did not answer in time"))?
            .map_err(|e| Error::config(format!("cannot connect to Redis: {e}")))?;
        let script = |body: &str| Script::new(&format!("{PRELUDE}\n{body}"));
        Ok(RedisLimiter {
            inner: Arc::new(Inner {
                conn,
                acquire: script(include_str!("acquire.lua")),
                complete: script(include_str!("complete.lua")),
                release: Script::new(include_str!("release.lua")),
                fallback: InProcessLimiter::default(),
                fallbacks: AtomicU64::new(0),
                round_trips: AtomicU64::new(0),
                waits: AtomicU64::new(0),
                op_timeout: DEFAULT_OP_TIMEOUT,
                prefix: "streamkit:rl".into(),
            }),
        })
    }

    /// Keys in Redis start with `prefix` (default `streamkit:rl`): separate budgets on one Redis.
    pub fn with_prefix(self, prefix: impl Into<String>) -> Self {
        let mut inner = Arc::try_unwrap(self.inner).unwrap_or_else(|arc| Inner::clone_of(&arc));
        inner.prefix = prefix.into();
        RedisLimiter { inner: Arc::new(inner) }
    }

    /// How many calls were limited in process because Redis could not be reached.
    pub fn fallbacks(&self) -> u64 {
        self.inner.fallbacks.load(Ordering::Relaxed)
    }

    /// Redis commands sent so far (script invocations; a `NOSCRIPT` reload counts once).
    pub fn round_trips(&self) -> u64 {
        self.inner.round_trips.load(Ordering::Relaxed)
    }

    /// How many times a caller was told to wait for points.
    pub fn waits(&self) -> u64 {
        self.inner.waits.load(Ordering::Relaxed)
    }
}

impl Inner {
    fn clone_of(other: &Inner) -> Inner {
        Inner {
            conn: other.conn.clone(),
            acquire: other.acquire.clone(),
            complete: other.complete.clone(),
            release: other.release.clone(),
            fallback: InProcessLimiter::default(),
            fallbacks: AtomicU64::new(0),
            round_trips: AtomicU64::new(0),
            waits: AtomicU64::new(0),
            op_timeout: other.op_timeout,
            prefix: other.prefix.clone(),
        }
    }

    fn keys(&self, key: &BucketKey) -> (String, String) {
        // The braces keep both keys in one hash slot on a Redis cluster.
        let base = format!("{}:{{{}}}", self.prefix, key.storage_key());
        (base.clone(), format!("{base}:inflight"))
    }

    async fn run(&self, script: &Script, keys: &(String, String), args: &[String]) -> Result<Value, String> {
        let mut inv = script.key(&keys.0);
        inv.key(&keys.1);
        for a in args {
            inv.arg(a);
        }
        let mut conn = self.conn.clone();
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        match tokio::time::timeout(self.op_timeout, inv.invoke_async::<Value>(&mut conn)).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err("timed out".into()),
        }
    }
}

fn spec_args(spec: &BucketSpec) -> [String; 4] {
    let period = spec.per_seconds.max(1);
    let ttl = (u64::from(period) * 2).max(600);
    [
        spec.points.to_string(),
        period.to_string(),
        u8::from(spec.remaining_header.is_some()).to_string(),
        ttl.to_string(),
    ]
}

/// What a Redis permit needs to report back.
struct RedisPermit {
    inner: Arc<Inner>,
    keys: (String, String),
    spec: &'static BucketSpec,
}

impl PermitOwner for RedisPermit {
    fn release(&self, seq: u64) {
        let (inner, keys) = (self.inner.clone(), self.keys.clone());
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                if let Err(e) = inner.run(&inner.release, &keys, &[seq.to_string()]).await {
                    tracing::debug!(error = %e, "rate limit: could not release a permit in Redis");
                }
            });
        }
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Reads the acquire script's reply: `Ok((seq, now))` for a permit, `Err(wait)` otherwise.
fn parse_acquire(v: &Value) -> Option<Result<(u64, f64), Duration>> {
    let Value::Array(items) = v else { return None };
    let int = |v: &Value| match v {
        Value::Int(i) => Some(*i),
        _ => None,
    };
    let granted = int(items.first()?)?;
    let n = int(items.get(1)?)?;
    if granted == 1 {
        let now = match items.get(2)? {
            Value::BulkString(b) => std::str::from_utf8(b).ok()?.parse().ok()?,
            Value::SimpleString(s) => s.parse().ok()?,
            _ => return None,
        };
        Some(Ok((u64::try_from(n).ok()?, now)))
    } else {
        Some(Err(Duration::from_millis(u64::try_from(n).unwrap_or(1).clamp(1, 3_600_000))))
    }
}

impl RateLimiter for RedisLimiter {
    fn acquire_within<'a>(
        &'a self,
        key: &'a BucketKey,
        spec: &'static BucketSpec,
        cost: u32,
        max_wait: Duration,
    ) -> AcquireWithinFuture<'a> {
        Box::pin(async move {
            let inner = &self.inner;
            let keys = inner.keys(key);
            let [points, period, probe, ttl] = spec_args(spec);
            let args = [cost.to_string(), points, period, probe, ttl];
            loop {
                let reply = inner.run(&inner.acquire, &keys, &args).await;
                match reply.as_ref().map(parse_acquire) {
                    Ok(Some(Ok((seq, now)))) => {
                        let owner: Arc<dyn PermitOwner> =
                            Arc::new(RedisPermit { inner: inner.clone(), keys: keys.clone(), spec });
                        return Ok(Permit::new(seq, cost, now, Some(owner)));
                    }
                    Ok(Some(Err(wait))) if wait > max_wait => {
                        return Err(WaitRefused { wait, max: max_wait });
                    }
                    Ok(Some(Err(wait))) => {
                        inner.waits.fetch_add(1, Ordering::Relaxed);
                        tracing::debug!(bucket = key.bucket, ?wait, "rate limit (Redis): waiting for points");
                        tokio::time::sleep(wait).await;
                    }
                    Ok(None) => {
                        return self
                            .fall_back(key, spec, cost, max_wait, "unexpected reply from the acquire script")
                            .await;
                    }
                    Err(e) => return self.fall_back(key, spec, cost, max_wait, e).await,
                }
            }
        })
    }

    fn complete(&self, permit: Permit, info: Option<&RateLimitInfo>) {
        let (seq, sent) = (permit.seq, permit.sent_epoch);
        let Some(owner) = permit.disarm() else { return };
        let Some(redis_permit) = owner.as_any().downcast_ref::<RedisPermit>() else {
            // A permit from the in-process fallback.
            self.inner.fallback.complete(Permit::new(seq, 0, sent, Some(owner)), info);
            return;
        };
        let (inner, keys, spec) = (redis_permit.inner.clone(), redis_permit.keys.clone(), redis_permit.spec);
        let opt = |v: Option<String>| v.unwrap_or_default();
        let [points, period, probe, ttl] = spec_args(spec);
        let args = [
            seq.to_string(),
            points,
            period,
            probe,
            ttl,
            sent.to_string(),
            opt(info.and_then(|i| i.limit).map(|v| v.to_string())),
            opt(info.and_then(|i| i.remaining).map(|v| v.to_string())),
            opt(info.and_then(|i| i.reset).map(|v| v.to_string())),
        ];
        // The owner of the fallback's view follows the same figures, for when Redis goes away.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                if let Err(e) = inner.run(&inner.complete, &keys, &args).await {
                    tracing::debug!(error = %e, "rate limit: could not report figures to Redis");
                }
            });
        }
    }
}

impl RedisLimiter {
    async fn fall_back(
        &self,
        key: &BucketKey,
        spec: &'static BucketSpec,
        cost: u32,
        max_wait: Duration,
        why: impl std::fmt::Display,
    ) -> Result<Permit, WaitRefused> {
        self.inner.fallbacks.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(bucket = key.bucket, error = %why, "rate limit: Redis unreachable, limiting in process");
        self.inner.fallback.acquire_within(key, spec, cost, max_wait).await
    }
}
