//! Client-side rate limiting: a token bucket per (bucket, client id, user or app) that
//! starts from the spec's declared limits and then follows the server's `Ratelimit-*`
//! headers, so callers wait instead of receiving 429.

mod bucket;
mod headers;
mod key;
mod limiter;
#[cfg(feature = "redis")]
mod redis;

pub use bucket::{Observation, TokenBucket};
pub use headers::RateLimitInfo;
pub use key::BucketKey;
pub(crate) use key::KeyCache;
pub use limiter::{
    AcquireFuture, AcquireWithinFuture, InProcessLimiter, Permit, PermitOwner, RateLimiter, WaitRefused,
};
#[cfg(feature = "redis")]
pub use redis::RedisLimiter;
