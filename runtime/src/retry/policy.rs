//! The retry policy object, its neutral defaults, and a service's declared ones.

use std::time::Duration;

use crate::policy::{RetryDefaults, ServicePolicy};

/// How the runtime retries.
///
/// [`RetryPolicy::default`] knows no service: a rate-limited answer waits for the bucket's
/// reset (or `Retry-After`) and is retried twice, a 503 is not retried, connection failures
/// are retried twice with exponential backoff and jitter, and a managed token is refreshed
/// once after a 401. A client built without [`crate::ClientBuilder::retry_policy`] uses
/// [`RetryPolicy::for_service`]: those defaults overridden by the spec's
/// `x-streamkit-retry-defaults`.
///
/// ```
/// use streamkit_runtime::policy::RetryDefaults;
/// use streamkit_runtime::retry::RetryPolicy;
/// let p = RetryPolicy::default();
/// assert_eq!(p.max_rate_limited_retries, 2);
/// assert!(!p.retry_503_once);
/// let declared = RetryDefaults { retry_503_once: Some(true), ..RetryDefaults::NONE };
/// assert!(p.with_defaults(&declared).retry_503_once);
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
            max_rate_limited_retries: 2,
            max_rate_limit_wait: Duration::from_secs(60),
            default_rate_limit_wait: Duration::from_secs(1),
            retry_503_once: false,
            max_connection_retries: 2,
            base_backoff: Duration::from_millis(100),
            refresh_on_401: true,
        }
    }
}

impl RetryPolicy {
    /// The neutral defaults with the service's declared rules applied.
    pub fn for_service(policy: &ServicePolicy) -> Self {
        Self::default().with_defaults(&policy.retry)
    }

    /// This policy with every rule `declared` sets replaced.
    pub fn with_defaults(mut self, declared: &RetryDefaults) -> Self {
        let ms = |v: u32| Duration::from_millis(u64::from(v));
        if let Some(v) = declared.rate_limited_retries {
            self.max_rate_limited_retries = v;
        }
        if let Some(v) = declared.max_rate_limit_wait_seconds {
            self.max_rate_limit_wait = Duration::from_secs(u64::from(v));
        }
        if let Some(v) = declared.default_rate_limit_wait_ms {
            self.default_rate_limit_wait = ms(v);
        }
        if let Some(v) = declared.retry_503_once {
            self.retry_503_once = v;
        }
        if let Some(v) = declared.connection_retries {
            self.max_connection_retries = v;
        }
        if let Some(v) = declared.base_backoff_ms {
            self.base_backoff = ms(v);
        }
        if let Some(v) = declared.refresh_on_401 {
            self.refresh_on_401 = v;
        }
        self
    }

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
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        base + base.mul_f64(f64::from(nanos % 500) / 1000.0)
    }
}
