//! Helix rate limiting: one token bucket per client id (app tokens) or per client id + user
//! (user tokens), refilling continuously.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The outcome of charging one request to a bucket; becomes the `Ratelimit-*` headers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RateInfo {
    /// Whether the request may proceed (false → 429).
    pub(crate) allowed: bool,
    /// `Ratelimit-Limit`: the bucket size.
    pub(crate) limit: u32,
    /// `Ratelimit-Remaining`: whole points left after this request.
    pub(crate) remaining: u32,
    /// `Ratelimit-Reset`: Unix epoch seconds at which the bucket is full again.
    pub(crate) reset: u64,
}

#[derive(Debug)]
struct Bucket {
    points: f64,
    updated: Instant,
}

/// All buckets of one sandbox.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    capacity: u32,
    period: Duration,
    buckets: HashMap<String, Bucket>,
}

impl RateLimiter {
    pub(crate) fn new(capacity: u32, period: Duration) -> Self {
        RateLimiter {
            capacity,
            period,
            buckets: HashMap::new(),
        }
    }

    /// Points regained per second.
    fn rate(&self) -> f64 {
        let secs = self.period.as_secs_f64();
        if secs <= 0.0 {
            f64::INFINITY
        } else {
            f64::from(self.capacity) / secs
        }
    }

    /// Charges `cost` points to the bucket named `key`, at monotonic time `now` and
    /// wall-clock `epoch_now` (seconds).
    pub(crate) fn charge(&mut self, key: &str, cost: u32, now: Instant, epoch_now: f64) -> RateInfo {
        let capacity = f64::from(self.capacity);
        let rate = self.rate();
        let bucket = self.buckets.entry(key.to_owned()).or_insert(Bucket {
            points: capacity,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.points = (bucket.points + elapsed * rate).min(capacity);
        bucket.updated = now;
        let cost = f64::from(cost);
        let allowed = bucket.points >= cost;
        if allowed {
            bucket.points -= cost;
        }
        let missing = capacity - bucket.points;
        let secs_to_full = if missing <= 0.0 || !rate.is_finite() {
            0.0
        } else {
            missing / rate
        };
        RateInfo {
            allowed,
            limit: self.capacity,
            remaining: bucket.points.max(0.0).floor() as u32,
            reset: (epoch_now + secs_to_full).ceil() as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empties_then_refuses() {
        let mut rl = RateLimiter::new(3, Duration::from_secs(3600));
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
        let mut rl = RateLimiter::new(20, Duration::from_secs(4));
        let t = Instant::now();
        for _ in 0..20 {
            rl.charge("k", 1, t, 1000.6);
        }
        let later = rl.charge("k", 0, t + Duration::from_millis(300), 1000.9);
        // 1.5 points refilled: 1 reported; full at 1000.9 + 18.5 / 5 = 1004.6, reported 1005.
        assert_eq!((later.remaining, later.reset), (1, 1005));
    }
}
