//! The shared state behind every request: the seeded world plus everything that changes.

use crate::SandboxConfig;
use crate::auth::TokenStore;
use crate::faults::FaultStore;
use crate::ratelimit::RateLimiter;
use crate::requestlog::RequestLog;
use crate::seed::{Channel, Seed};
use crate::twitch::helix::eventsub::EventSubStore;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Locks a mutex, ignoring poisoning (handlers never panic while holding a lock, and a
/// poisoned sandbox is still more useful than a dead one).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Everything a running sandbox knows.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) config: SandboxConfig,
    /// `http://127.0.0.1:PORT`.
    pub(crate) base_url: String,
    pub(crate) seed: Seed,
    /// Current channel information, indexed like `seed.users`.
    pub(crate) channels: Mutex<Vec<Channel>>,
    pub(crate) tokens: Mutex<TokenStore>,
    pub(crate) ratelimit: Mutex<RateLimiter>,
    pub(crate) eventsub: Mutex<EventSubStore>,
    /// Every request received (see [`crate::LoggedRequest`]).
    pub(crate) log: Mutex<RequestLog>,
    /// Injected faults.
    pub(crate) faults: Mutex<FaultStore>,
    /// Contract violations found so far.
    pub(crate) violations: Mutex<Vec<String>>,
    counter: AtomicU64,
}

impl AppState {
    pub(crate) fn new(config: SandboxConfig, base_url: String, seed: Seed) -> Self {
        AppState {
            channels: Mutex::new(seed.channels.clone()),
            tokens: Mutex::new(TokenStore::new(config.token_lifetime)),
            ratelimit: Mutex::new(RateLimiter::new(
                config.ratelimit_points,
                config.ratelimit_period,
            )),
            eventsub: Mutex::new(EventSubStore::default()),
            log: Mutex::new(RequestLog::default()),
            faults: Mutex::new(FaultStore::default()),
            violations: Mutex::new(Vec::new()),
            counter: AtomicU64::new(0),
            config,
            base_url,
            seed,
        }
    }

    /// A number never handed out before by this sandbox (for ids of created things).
    pub(crate) fn next_id(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// A user index from a user id.
    pub(crate) fn user_index(&self, id: &str) -> Option<usize> {
        self.seed.user_by_id.get(id).copied()
    }
}
