//! One token bucket: starts from the spec's declared size and then follows the server, in a
//! way that figures from the server can only make it more careful.
//!
//! The model is the server's own (Twitch documents a bucket that refills continuously): the
//! client's count of points is kept at or below the server's, so a request the client lets
//! through is one the server accepts.
//!
//! * Points are taken when a request is let through ([`TokenBucket::try_take`]), which issues a
//!   sequence number; the request's response is reported with it ([`TokenBucket::complete`]).
//! * On a response the server's `remaining` (floored, so at or below its true count) minus the
//!   points of requests let through *after* that one and still in flight (the server may not
//!   have charged them yet) is an upper bound of what is left: the client's count is lowered
//!   to it, never raised. A response older than one already seen (out of order) is stale
//!   and does not lower the count.
//! * The refill rate is only ever a proven lower bound of the server's. `reset` is the epoch
//!   second at which the server's bucket is full, rounded *up*, and the server read its clock
//!   after the request was sent: so the server needed at most `reset − sent` seconds for more
//!   than `limit − remaining − 1` points. The best such bound over all responses is used.
//!   (An earlier version treated `reset − 0.5 s` as the moment the bucket is full and refilled
//!   to full then; when the response came in the second half of a second that was before the
//!   server's real reset, and one request too many went out.)
//! * Until a lower bound exists the spec's declared rate is used, capped by any proven
//!   upper bound.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::RateLimitInfo;

/// What one response said, with when its request was sent and when the answer arrived
/// (wall-clock seconds since the Unix epoch, the unit of `Ratelimit-Reset`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    /// The figures the server sent.
    pub info: RateLimitInfo,
    /// When the request was let through.
    pub sent_epoch: f64,
    /// When the response arrived.
    pub received_epoch: f64,
}

/// A token bucket holding `capacity` points.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    capacity: f64,
    tokens: f64,
    /// The spec's declared refill rate (points per second).
    declared_rate: f64,
    /// Proven lower bound of the server's refill rate; 0 while unknown.
    rate_low: f64,
    /// Proven upper bound of the server's refill rate; infinite while unknown.
    rate_high: f64,
    last: Instant,
    calibrated: bool,
    next_seq: u64,
    /// Points of requests let through whose response has not been reported, by sequence.
    in_flight: BTreeMap<u64, u32>,
    /// The newest request whose response has been reported.
    newest_seen: Option<u64>,
}

impl TokenBucket {
    /// A full bucket of `capacity` points, declared to refill completely over `period`.
    pub fn new(capacity: u32, period: Duration, now: Instant) -> Self {
        let capacity = f64::from(capacity.max(1));
        TokenBucket {
            capacity,
            tokens: capacity,
            declared_rate: capacity / period.as_secs_f64().max(0.001),
            rate_low: 0.0,
            rate_high: f64::INFINITY,
            last: now,
            calibrated: false,
            next_seq: 0,
            in_flight: BTreeMap::new(),
            newest_seen: None,
        }
    }

    /// Points regained per second as currently assumed.
    pub fn rate(&self) -> f64 {
        if self.rate_low > 0.0 { self.rate_low } else { self.declared_rate.min(self.rate_high) }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate()).min(self.capacity);
        self.last = now;
    }

    /// Takes `cost` points and returns the sequence number of the request they pay for, or
    /// says how long until they are there.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use streamkit_runtime::ratelimit::TokenBucket;
    /// let t0 = Instant::now();
    /// let mut b = TokenBucket::new(2, Duration::from_secs(2), t0);
    /// assert_eq!(b.try_take(1, t0), Ok(0));
    /// assert_eq!(b.try_take(1, t0), Ok(1));
    /// let wait = b.try_take(1, t0).unwrap_err();
    /// assert_eq!(wait, Duration::from_secs(1));
    /// assert_eq!(b.try_take(1, t0 + wait), Ok(2));
    /// ```
    pub fn try_take(&mut self, cost: u32, now: Instant) -> Result<u64, Duration> {
        self.refill(now);
        let need = f64::from(cost).min(self.capacity);
        if self.tokens + 1e-9 >= need {
            self.tokens -= need;
            let seq = self.next_seq;
            self.next_seq += 1;
            self.in_flight.insert(seq, cost);
            Ok(seq)
        } else {
            let secs = (need - self.tokens) / self.rate().max(1e-6);
            // At least a millisecond (a wait that rounds to zero would spin without time
            // passing), at most an hour (a wait is re-checked when it ends anyway).
            Err(Duration::from_secs_f64(secs.clamp(0.001, 3600.0)))
        }
    }

    /// The request `seq` ended without a response (a transport error, or the call was
    /// dropped): it no longer counts as in flight. Its points stay spent, since the server
    /// may have charged them.
    pub fn release(&mut self, seq: u64) {
        self.in_flight.remove(&seq);
    }

    /// The response to request `seq` arrived, with these figures (or none).
    pub fn complete(&mut self, seq: u64, observation: Option<&Observation>, now: Instant) {
        self.refill(now);
        self.in_flight.remove(&seq);
        let Some(obs) = observation else { return };
        self.calibrated = true;
        let info = &obs.info;
        if let Some(limit) = info.limit.filter(|l| *l > 0) {
            let limit = f64::from(limit);
            if (limit - self.capacity).abs() > f64::EPSILON {
                // Another size: keep the declared refill period, forget what was learnt.
                self.declared_rate *= limit / self.capacity;
                self.capacity = limit;
                self.tokens = self.tokens.min(limit);
                self.rate_low = 0.0;
                self.rate_high = f64::INFINITY;
            }
        }
        if let (Some(limit), Some(remaining), Some(reset)) = (info.limit, info.remaining, info.reset) {
            self.learn_rate(f64::from(limit.saturating_sub(remaining)), reset as f64, obs);
        }
        let stale = self.newest_seen.is_some_and(|newest| seq < newest);
        if stale {
            return;
        }
        self.newest_seen = Some(seq);
        if let Some(remaining) = info.remaining {
            let later: u64 = self.in_flight.range(seq + 1..).map(|(_, c)| u64::from(*c)).sum();
            let bound = f64::from(remaining) - later as f64;
            self.tokens = self.tokens.min(bound);
        }
    }

    /// `deficit` points were missing at the server, which would be full by `reset`.
    fn learn_rate(&mut self, deficit: f64, reset: f64, obs: &Observation) {
        // More than `deficit - 1` points (remaining is floored) refill in at most
        // `reset - sent` seconds: a lower bound of the rate.
        let longest = reset - obs.sent_epoch;
        if deficit >= 2.0 && longest > 0.0 {
            let low = (deficit - 1.0) / longest;
            if low > self.rate_high * (1.0 + 1e-9) {
                // Inconsistent with what was proven before: the server changed its rate.
                self.rate_high = f64::INFINITY;
                self.rate_low = low;
            } else {
                self.rate_low = self.rate_low.max(low);
            }
        }
        // At most `deficit` points refill in at least `reset - 1 - received` seconds.
        let shortest = reset - 1.0 - obs.received_epoch;
        if deficit >= 1.0 && shortest > 0.0 {
            let high = deficit / shortest;
            if high < self.rate_low * (1.0 - 1e-9) {
                self.rate_low = 0.0;
            }
            self.rate_high = self.rate_high.min(high);
        }
    }

    /// Whether the server has been heard from.
    pub fn calibrated(&self) -> bool {
        self.calibrated
    }

    /// Marks the bucket as calibrated without figures (the server sends none): the spec's
    /// declared figures stay in force.
    pub fn assume_declared(&mut self) {
        self.calibrated = true;
    }

    /// The time to refill the whole bucket at the rate currently assumed.
    pub fn period(&self) -> Duration {
        Duration::from_secs_f64((self.capacity / self.rate().max(1e-6)).min(1e9))
    }

    /// The bucket size.
    pub fn capacity(&self) -> f64 {
        self.capacity
    }

    /// Points available now.
    pub fn available(&mut self, now: Instant) -> f64 {
        self.refill(now);
        self.tokens
    }

    /// When the bucket was last used.
    pub fn last_used(&self) -> Instant {
        self.last
    }

    /// Requests let through whose response has not been reported.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(limit: u32, remaining: u32, reset: i64, sent: f64, received: f64) -> Observation {
        Observation {
            info: RateLimitInfo { limit: Some(limit), remaining: Some(remaining), reset: Some(reset) },
            sent_epoch: sent,
            received_epoch: received,
        }
    }

    #[test]
    fn requests_still_in_flight_are_subtracted_from_remaining() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(10, Duration::from_secs(10), t0);
        let first = b.try_take(1, t0).unwrap();
        let _second = b.try_take(1, t0).unwrap();
        let _third = b.try_take(2, t0).unwrap();
        // The first response says 5 left (someone else spends too); the 3 points let
        // through after it may not have been charged yet.
        b.complete(first, Some(&obs(10, 5, 1001, 1000.0, 1000.0)), t0);
        assert_eq!(b.available(t0), 2.0);
        assert_eq!(b.in_flight(), 2);
    }

    #[test]
    fn a_response_older_than_one_seen_does_not_move_the_count() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(10, Duration::from_secs(1000), t0);
        let a = b.try_take(1, t0).unwrap();
        let c = b.try_take(1, t0).unwrap();
        b.complete(c, Some(&obs(10, 6, 1100, 1000.0, 1000.0)), t0);
        assert_eq!(b.available(t0), 6.0);
        // `a` was sent first but answers last, with figures from before `c` was charged
        // elsewhere: stale, ignored (it would say 3).
        b.complete(a, Some(&obs(10, 3, 1100, 1000.0, 1000.0)), t0);
        assert_eq!(b.available(t0), 6.0);
    }

    #[test]
    fn server_figures_never_raise_the_count() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(10, Duration::from_secs(1000), t0);
        for _ in 0..8 {
            b.try_take(1, t0).unwrap();
        }
        let s = b.try_take(1, t0).unwrap();
        b.complete(s, Some(&obs(10, 9, 1001, 1000.0, 1000.0)), t0);
        assert_eq!(b.available(t0), 1.0);
    }

    #[test]
    fn the_reset_is_an_upper_bound_never_a_promise_of_a_full_bucket() {
        // The server: 20 points per 4 s. Empty at epoch 1000.6, so truly full at 1004.6,
        // reported as reset 1005. The old code refilled to full at 1004.5.
        let t0 = Instant::now();
        let mut b = TokenBucket::new(20, Duration::from_secs(4), t0);
        let mut last = 0;
        for _ in 0..20 {
            last = b.try_take(1, t0).unwrap();
        }
        b.complete(last, Some(&obs(20, 0, 1005, 1000.6, 1000.6)), t0);
        // 3.9 s later the server holds 19.5 points: the client must not think it has 20.
        assert!(b.available(t0 + Duration::from_millis(3900)) <= 19.5);
        // The rate learnt is at most the server's 5 points per second.
        assert!(b.rate() <= 5.0, "{}", b.rate());
        assert!(b.rate() >= 4.0, "{}", b.rate());
    }

    #[test]
    fn rate_bounds_tighten_over_responses_at_different_phases() {
        // Server: 200 points per 4 s (50/s). Deficits of 200 at phases 0.0 … 0.9 s.
        let t0 = Instant::now();
        let mut b = TokenBucket::new(200, Duration::from_secs(60), t0);
        for i in 0..10 {
            let sent = 1000.0 + f64::from(i) * 10.0 + f64::from(i) / 10.0;
            let reset = (sent + 4.0).ceil() as i64;
            let now = t0 + Duration::from_secs(10 * i as u64);
            let s = b.try_take(1, now).unwrap();
            b.complete(s, Some(&obs(200, 0, reset, sent, sent)), now);
            assert!(b.rate() <= 50.0, "never above the server's rate: {}", b.rate());
        }
        assert!(b.rate() >= 49.0, "close to the server's rate: {}", b.rate());
        assert_eq!(b.period().as_secs_f64().round(), 4.0);
    }

    #[test]
    fn a_new_size_rescales_the_declared_rate_and_forgets_bounds() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(800, Duration::from_secs(60), t0);
        let s = b.try_take(1, t0).unwrap();
        b.complete(s, Some(&obs(20, 19, 1001, 1000.0, 1000.0)), t0);
        assert_eq!(b.capacity(), 20.0);
        assert_eq!(b.available(t0), 19.0);
        assert_eq!(b.period(), Duration::from_secs(60));
    }

    #[test]
    fn released_requests_stop_counting_as_in_flight() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(5, Duration::from_secs(5), t0);
        let a = b.try_take(1, t0).unwrap();
        let c = b.try_take(1, t0).unwrap();
        b.release(c);
        b.complete(a, Some(&obs(5, 4, 1001, 1000.0, 1000.0)), t0);
        assert_eq!(b.in_flight(), 0);
        assert_eq!(b.available(t0), 3.0, "c's point stays spent");
    }
}
