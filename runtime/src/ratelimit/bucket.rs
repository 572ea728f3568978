//! One token bucket: starts from the spec's declared size and then follows the server.

use std::time::{Duration, Instant};

use super::RateLimitInfo;

/// A token bucket holding `capacity` points, refilling continuously at `capacity / period`.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    capacity: f64,
    tokens: f64,
    period: Duration,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket of `capacity` points refilling over `period`.
    pub fn new(capacity: u32, period: Duration, now: Instant) -> Self {
        TokenBucket { capacity: f64::from(capacity.max(1)), tokens: f64::from(capacity.max(1)), period, last: now }
    }

    fn rate(&self) -> f64 {
        self.capacity / self.period.as_secs_f64().max(0.001)
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate()).min(self.capacity);
        self.last = now;
    }

    /// Takes `cost` points, or says how long until they are there.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use streamkit_runtime::ratelimit::TokenBucket;
    /// let t0 = Instant::now();
    /// let mut b = TokenBucket::new(2, Duration::from_secs(2), t0);
    /// assert!(b.try_take(1, t0).is_ok());
    /// assert!(b.try_take(1, t0).is_ok());
    /// let wait = b.try_take(1, t0).unwrap_err();
    /// assert_eq!(wait, Duration::from_secs(1));
    /// assert!(b.try_take(1, t0 + wait).is_ok());
    /// ```
    pub fn try_take(&mut self, cost: u32, now: Instant) -> Result<(), Duration> {
        self.refill(now);
        let cost = f64::from(cost).min(self.capacity);
        if self.tokens >= cost {
            self.tokens -= cost;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((cost - self.tokens) / self.rate()))
        }
    }

    /// Follows what the server said: its bucket size, and never more points left than it
    /// reported (other clients of the same app may be spending them too).
    pub fn observe(&mut self, info: &RateLimitInfo, now: Instant) {
        self.refill(now);
        if let Some(limit) = info.limit.filter(|l| *l > 0) {
            let limit = f64::from(limit);
            if (limit - self.capacity).abs() > f64::EPSILON {
                // Keep the refill period, change the size: the rate scales with it.
                self.capacity = limit;
                self.tokens = self.tokens.min(limit);
            }
        }
        if let Some(remaining) = info.remaining {
            self.tokens = self.tokens.min(f64::from(remaining));
        }
    }

    /// Points available now.
    pub fn available(&mut self, now: Instant) -> f64 {
        self.refill(now);
        self.tokens
    }
}
