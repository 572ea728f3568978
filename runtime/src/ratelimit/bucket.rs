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
    calibrated: bool,
    /// When the server said its bucket will be full again.
    full_at: Option<Instant>,
}

impl TokenBucket {
    /// A full bucket of `capacity` points refilling over `period`.
    pub fn new(capacity: u32, period: Duration, now: Instant) -> Self {
        TokenBucket { capacity: f64::from(capacity.max(1)), tokens: f64::from(capacity.max(1)), period, last: now, calibrated: false, full_at: None }
    }

    fn rate(&self) -> f64 {
        self.capacity / self.period.as_secs_f64().max(0.001)
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate()).min(self.capacity);
        if self.full_at.is_some_and(|at| now >= at) {
            // The server said its bucket is full by now.
            self.tokens = self.capacity;
            self.full_at = None;
        }
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
            let by_rate = Duration::from_secs_f64((cost - self.tokens) / self.rate());
            let by_reset = self.full_at.map(|at| at.saturating_duration_since(now));
            Err(by_reset.map_or(by_rate, |r| r.min(by_rate)))
        }
    }

    /// Follows what the server said: its bucket size, never more points left than it
    /// reported (other clients of the same app may be spending them too), and its refill
    /// speed, learnt from how long the server says it needs to refill the missing points.
    /// `now_epoch` is the wall clock in seconds (the reset header is an epoch second).
    pub fn observe(&mut self, info: &RateLimitInfo, now: Instant, now_epoch: f64) {
        self.refill(now);
        if let (Some(limit), Some(remaining), Some(reset)) = (info.limit, info.remaining, info.reset) {
            let deficit = f64::from(limit.saturating_sub(remaining));
            // The reset is a whole epoch second rounded up from the true moment, so on average
            // it is half a second late: correct for that, or the client runs ~10% slow.
            let to_full = (reset as f64 - now_epoch - 0.5).max(0.0);
            self.full_at = Some(now + Duration::from_secs_f64(to_full.max(0.0)));
            // The reset is whole seconds: only a refill time of 2 s or more says enough.
            if deficit >= 1.0 && to_full >= 2.0 && limit > 0 {
                let period = to_full * f64::from(limit) / deficit;
                let old = self.period.as_secs_f64();
                let smoothed = if self.calibrated { 0.5 * old + 0.5 * period } else { period };
                self.period = Duration::from_secs_f64(smoothed.clamp(0.05, 3600.0));
            }
        }
        self.calibrated = true;
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

    /// Whether the server has been heard from.
    pub fn calibrated(&self) -> bool {
        self.calibrated
    }

    /// The refill period currently assumed.
    pub fn period(&self) -> Duration {
        self.period
    }

    /// Points available now.
    pub fn available(&mut self, now: Instant) -> f64 {
        self.refill(now);
        self.tokens
    }
}
