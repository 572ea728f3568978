//! How a token cache waits after a failed fetch: exponential, jittered, bounded.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

use crate::error::Error;

/// The first wait after a failed token fetch.
pub const FIRST_WAIT: Duration = Duration::from_secs(1);
/// The longest wait between two fetch attempts.
pub const MAX_WAIT: Duration = Duration::from_secs(60);

/// The failures since the last successful fetch, and when the next attempt is due. The n-th
/// consecutive failure waits `FIRST_WAIT * 2^(n-1)`, capped at [`MAX_WAIT`], plus up to half
/// of that as jitter (so many processes sharing an endpoint spread out).
#[derive(Debug, Default)]
pub struct RefreshBackoff {
    failures: u32,
    next_attempt: Option<Instant>,
    last_error: String,
}

impl RefreshBackoff {
    /// How long until the next attempt is due, if one is not due yet.
    pub fn wait(&self, now: Instant) -> Option<std::time::Duration> {
        self.next_attempt.filter(|at| now < *at).map(|at| at - now)
    }

    /// Records a failure at `now` (`wall` feeds the jitter); returns the wait before the next.
    pub fn failed(&mut self, now: Instant, wall: SystemTime, error: &Error) -> Duration {
        self.failures = self.failures.saturating_add(1);
        let base = FIRST_WAIT.saturating_mul(1 << (self.failures - 1).min(16)).min(MAX_WAIT);
        let nanos = wall.duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let wait = base + base.mul_f64(f64::from(nanos % 500) / 1000.0);
        self.next_attempt = Some(now + wait);
        self.last_error = error.to_string();
        wait
    }

    /// Records a success: the next failure starts from [`FIRST_WAIT`] again.
    pub fn succeeded(&mut self) {
        *self = RefreshBackoff::default();
    }

    /// The error callers get while waiting.
    pub fn error(&self, wait: Duration) -> Error {
        Error::auth(format!(
            "the access token cannot be used and refreshing it failed ({}); next attempt in {:.1} s",
            self.last_error,
            wait.as_secs_f64()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn waits_double_with_jitter_and_stay_bounded() {
        let mut b = RefreshBackoff::default();
        let e = Error::auth("down");
        let now = Instant::now();
        let mut previous_base = Duration::ZERO;
        for n in 1..=12u32 {
            let wait = b.failed(now, SystemTime::now(), &e);
            let base = FIRST_WAIT.saturating_mul(1 << (n - 1)).min(MAX_WAIT);
            assert!(wait >= base && wait <= base.mul_f64(1.5), "failure {n}: {wait:?} for base {base:?}");
            assert!(base >= previous_base);
            previous_base = base;
            assert_eq!(b.wait(now), Some(wait));
        }
        assert!(b.wait(now + MAX_WAIT.mul_f64(1.5)).is_none());
        assert!(b.error(Duration::from_secs(2)).to_string().contains("down"));
        b.succeeded();
        assert!(b.wait(now).is_none());
    }
}
