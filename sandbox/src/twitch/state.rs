//! The Twitch service's state: the seeded world plus everything that changes.

use crate::SandboxConfig;
use crate::core::{BucketSpec, Context, TokenBuckets};
use crate::twitch::auth::TokenStore;
use crate::twitch::eventsub::delivery::Webhooks;
use crate::twitch::helix::eventsub::EventSubStore;
use crate::twitch::seed::{Channel, Seed};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

/// Everything the Twitch service knows.
#[derive(Debug)]
pub(crate) struct TwitchState {
    pub(crate) config: SandboxConfig,
    /// The server's address and clock, set when the server starts.
    ctx: OnceLock<Context>,
    pub(crate) seed: Seed,
    /// Current channel information, indexed like `seed.users`.
    pub(crate) channels: Mutex<Vec<Channel>>,
    pub(crate) tokens: Mutex<TokenStore>,
    pub(crate) ratelimit: Mutex<TokenBuckets>,
    pub(crate) eventsub: Mutex<EventSubStore>,
    /// EventSub webhook deliveries: the queue and the log.
    pub(crate) webhooks: Webhooks,
    /// The EventSub websocket server: sessions and their connections.
    pub(crate) eventsub_ws: crate::twitch::eventsub::websocket::WsServer,
    counter: AtomicU64,
}

impl TwitchState {
    pub(crate) fn new(config: SandboxConfig, bucket: BucketSpec, seed: Seed) -> Self {
        TwitchState {
            channels: Mutex::new(seed.channels.clone()),
            tokens: Mutex::new(TokenStore::new(config.token_lifetime)),
            ratelimit: Mutex::new(TokenBuckets::new(bucket)),
            eventsub: Mutex::new(EventSubStore::default()),
            webhooks: Webhooks::default(),
            eventsub_ws: Default::default(),
            counter: AtomicU64::new(0),
            ctx: OnceLock::new(),
            config,
            seed,
        }
    }

    /// Records the server's context (the first server to start the service keeps it).
    pub(crate) fn started(&self, ctx: &Context) {
        let _ = self.ctx.set(ctx.clone());
    }

    /// `http://127.0.0.1:PORT` (empty before the server started).
    pub(crate) fn base_url(&self) -> &str {
        self.ctx.get().map_or("", |c| c.base_url.as_str())
    }

    /// The server's clock (the configured one before the server started).
    pub(crate) fn clock(&self) -> &dyn crate::core::Clock {
        self.ctx.get().map_or(self.config.clock.as_ref(), |c| c.clock.as_ref())
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
