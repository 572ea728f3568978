//! Counters of what a client did on the wire, for metrics, tests and benchmarks.

use std::sync::atomic::{AtomicU64, Ordering};

/// What a client (and every per-user clone of it) has done so far.
#[derive(Debug, Default)]
pub struct CallStats {
    pub(crate) attempts: AtomicU64,
    pub(crate) retries: AtomicU64,
    pub(crate) rate_limited: AtomicU64,
    pub(crate) server_errors: AtomicU64,
}

/// A snapshot of [`CallStats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatsSnapshot {
    /// Requests sent, retries included.
    pub attempts: u64,
    /// Attempts that were retries.
    pub retries: u64,
    /// 429 answers received from the server (whether or not retried).
    pub rate_limited: u64,
    /// 5xx answers received.
    pub server_errors: u64,
}

impl CallStats {
    /// The counters now.
    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            attempts: self.attempts.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            server_errors: self.server_errors.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}
