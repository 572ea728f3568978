//! The retry policy object and its defaults.

use std::time::Duration;

/// How the runtime retries. The defaults follow Twitch's documented rules: a 429 waits for
/// `Ratelimit-Reset` (or `Retry-After`) and is retried, a 503 is retried once, and connection
/// failures are retried with exponential backoff and jitter.
///
/// ```
/// use streamkit_runtime::retry::RetryPolicy;
/// let p = RetryPolicy::default();
/// assert_eq!(p.max_rate_limited_retries, 3);
/// assert!(p.retry_503_once);
/// let none = RetryPolicy::none();
/// assert_eq!(none.max_rate_limited_retries, 0);
/// ```
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// How many times a 429 is retried after waiting for the reset.
    pub max_rate_limited_retries: u32,
    /// Longest wait for a rate-limit reset; a longer one gives up at once.
    pub max_rate_limit_wait: Duration,
    /// Wait after a 429 that carries no reset header.
    pub default_rate_limit_wait: Duration,
    /// Retry a 503 once.
    pub retry_503_once: bool,
    /// How many times a connection failure is retried.
    pub max_connection_retries: u32,
    /// First backoff; doubles every attempt, with up to 50% jitter.
    pub base_backoff: Duration,
    /// Refresh the token once and retry after a 401, when the client manages its token.
    pub refresh_on_401: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_rate_limited_retries: 3,
            max_rate_limit_wait: Duration::from_secs(65),
            default_rate_limit_wait: Duration::from_secs(1),
            retry_503_once: true,
            max_connection_retries: 2,
            base_backoff: Duration::from_millis(100),
            refresh_on_401: true,
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy {
            max_rate_limited_retries: 0,
            retry_503_once: false,
            max_connection_retries: 0,
            refresh_on_401: false,
            ..Self::default()
        }
    }

    /// Backoff before connection retry number `attempt` (1-based), with jitter.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let base = self.base_backoff.saturating_mul(1 << attempt.saturating_sub(1).min(10));
        // Jitter from the clock's low bits: good enough to spread retries, no RNG dependency.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        base + base.mul_f64(f64::from(nanos % 500) / 1000.0)
    }
}
