//! Token buckets, configured from a service's bucket declarations (size, refill period,
//! header names): one bucket per key (a client, a client and user, …), refilling
//! continuously. The service decides which key a request charges and what it costs.

use crate::core::clock::{Clock, epoch_secs};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How the reset header counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ResetUnit {
    /// Unix epoch seconds at which the bucket is full again, rounded up.
    #[default]
    EpochSeconds,
    /// Seconds from now until the bucket is full again, rounded up.
    DeltaSeconds,
}

/// The headers a bucket's state is reported in; a header left `None` is not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateHeaders {
    /// The bucket size.
    pub limit: Option<HeaderName>,
    /// Whole points left after this request (floored).
    pub remaining: Option<HeaderName>,
    /// When the bucket is full again (see [`ResetUnit`]).
    pub reset: Option<HeaderName>,
    /// How [`reset`](Self::reset) counts.
    pub reset_unit: ResetUnit,
}

impl RateHeaders {
    /// Header names from their spelling in a spec (any case). `None` for a name that is not
    /// a valid header name.
    pub fn named(limit: Option<&str>, remaining: Option<&str>, reset: Option<&str>) -> Option<RateHeaders> {
        let name = |n: Option<&str>| -> Result<Option<HeaderName>, ()> {
            n.map(|n| HeaderName::from_bytes(n.as_bytes()).map_err(|_| ())).transpose()
        };
        Some(RateHeaders {
            limit: name(limit).ok()?,
            remaining: name(remaining).ok()?,
            reset: name(reset).ok()?,
            reset_unit: ResetUnit::default(),
        })
    }

    /// Every header name set.
    pub fn names(&self) -> impl Iterator<Item = &HeaderName> {
        [&self.limit, &self.remaining, &self.reset].into_iter().flatten()
    }
}

/// One declared bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketSpec {
    /// The declaration's name (for messages).
    pub name: String,
    /// The bucket size in points.
    pub points: u32,
    /// Time for an empty bucket to refill completely.
    pub period: Duration,
    /// Where its state is reported.
    pub headers: RateHeaders,
}

/// The outcome of charging one request to a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateInfo {
    /// Whether the request may proceed (false: the service answers 429).
    pub allowed: bool,
    /// The bucket size.
    pub limit: u32,
    /// Whole points left after this request (floored).
    pub remaining: u32,
    /// Unix epoch seconds at which the bucket is full again, rounded up.
    pub reset: u64,
    /// Seconds until then, rounded up.
    pub reset_after: u64,
}

impl RateInfo {
    /// Writes the state into `headers`, under the declared names.
    pub fn write(&self, names: &RateHeaders, headers: &mut HeaderMap) {
        if let Some(n) = &names.limit {
            headers.insert(n.clone(), HeaderValue::from(self.limit));
        }
        if let Some(n) = &names.remaining {
            headers.insert(n.clone(), HeaderValue::from(self.remaining));
        }
        if let Some(n) = &names.reset {
            let value = match names.reset_unit {
                ResetUnit::EpochSeconds => self.reset,
                ResetUnit::DeltaSeconds => self.reset_after,
            };
            headers.insert(n.clone(), HeaderValue::from(value));
        }
    }
}

#[derive(Debug)]
struct Bucket {
    points: f64,
    updated: Instant,
}

/// Every bucket of one declaration, by key.
#[derive(Debug)]
pub struct TokenBuckets {
    spec: BucketSpec,
    buckets: HashMap<String, Bucket>,
}

impl TokenBuckets {
    /// Buckets shaped as `spec` declares; each key starts full.
    pub fn new(spec: BucketSpec) -> Self {
        TokenBuckets { spec, buckets: HashMap::new() }
    }

    /// The declaration.
    pub fn spec(&self) -> &BucketSpec {
        &self.spec
    }

    /// Points regained per second.
    fn rate(&self) -> f64 {
        let secs = self.spec.period.as_secs_f64();
        if secs <= 0.0 { f64::INFINITY } else { f64::from(self.spec.points) / secs }
    }

    /// Charges `cost` points to the bucket `key` at the clock's time.
    pub fn charge_now(&mut self, key: &str, cost: u32, clock: &dyn Clock) -> RateInfo {
        self.charge(key, cost, clock.now(), epoch_secs(clock))
    }

    /// Charges `cost` points to the bucket `key`, at monotonic time `now` and wall-clock
    /// `epoch_now` (seconds). A refused request costs nothing.
    pub fn charge(&mut self, key: &str, cost: u32, now: Instant, epoch_now: f64) -> RateInfo {
        let capacity = f64::from(self.spec.points);
        let rate = self.rate();
        let bucket = self.buckets.entry(key.to_owned()).or_insert(Bucket { points: capacity, updated: now });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.points = (bucket.points + elapsed * rate).min(capacity);
        bucket.updated = now;
        let cost = f64::from(cost);
        let allowed = bucket.points >= cost;
        if allowed {
            bucket.points -= cost;
        }
        let missing = capacity - bucket.points;
        let secs_to_full = if missing <= 0.0 || !rate.is_finite() { 0.0 } else { missing / rate };
        RateInfo {
            allowed,
            limit: self.spec.points,
            remaining: bucket.points.max(0.0).floor() as u32,
            reset: (epoch_now + secs_to_full).ceil() as u64,
            reset_after: secs_to_full.ceil() as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buckets(points: u32, period: Duration) -> TokenBuckets {
        let headers = RateHeaders::named(Some("X-Limit"), Some("X-Remaining"), Some("X-Reset")).unwrap();
        TokenBuckets::new(BucketSpec { name: "b".into(), points, period, headers })
    }

    #[test]
    fn empties_then_refuses() {
        let mut rl = buckets(3, Duration::from_secs(3600));
        let t = Instant::now();
        let a = rl.charge("k", 1, t, 1000.0);
        assert!(a.allowed);
        assert_eq!(a.remaining, 2);
        assert!(rl.charge("k", 1, t, 1000.0).allowed);
        let c = rl.charge("k", 1, t, 1000.0);
        assert!(c.allowed);
        assert_eq!(c.remaining, 0);
        let d = rl.charge("k", 1, t, 1000.0);
        assert!(!d.allowed);
        assert_eq!(d.limit, 3);
        // Other buckets are independent.
        assert!(rl.charge("other", 1, t, 1000.0).allowed);
    }

    #[test]
    fn reset_is_the_full_moment_rounded_up_and_remaining_is_floored() {
        // 20 points per 4 s: 5 per second.
        let mut rl = buckets(20, Duration::from_secs(4));
        let t = Instant::now();
        for _ in 0..20 {
            rl.charge("k", 1, t, 1000.6);
        }
        let later = rl.charge("k", 0, t + Duration::from_millis(300), 1000.9);
        // 1.5 points refilled: 1 reported; full at 1000.9 + 18.5 / 5 = 1004.6, reported 1005.
        assert_eq!((later.remaining, later.reset, later.reset_after), (1, 1005, 4));
    }

    #[test]
    fn headers_use_the_declared_names_and_unit() {
        let mut rl = buckets(20, Duration::from_secs(4));
        let info = rl.charge("k", 1, Instant::now(), 1000.5);
        let mut h = HeaderMap::new();
        info.write(&rl.spec().headers, &mut h);
        assert_eq!((h["x-limit"].to_str().unwrap(), h["x-remaining"].to_str().unwrap()), ("20", "19"));
        // One point missing refills in 0.2 s: full at 1000.7, reported 1001.
        assert_eq!(h["x-reset"], "1001");
        let delta = RateHeaders { reset_unit: ResetUnit::DeltaSeconds, ..rl.spec().headers.clone() };
        info.write(&delta, &mut h);
        assert_eq!(h["x-reset"], "1");
        // Undeclared headers are not sent.
        let mut none = HeaderMap::new();
        info.write(&RateHeaders::default(), &mut none);
        assert!(none.is_empty());
        assert_eq!(RateHeaders::named(Some("bad header"), None, None), None);
    }
}
