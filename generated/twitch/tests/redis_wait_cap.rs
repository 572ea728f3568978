//! `RedisLimiter` refuses a wait longer than the caller allows (issue 10): after a response
//! with `remaining: 0` and a reset 10⁹ s away, the next acquire fails at once, naming the
//! wait, instead of sleeping an hour at a time.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::redis::RedisServer;
use streamkit_runtime::policy::{BucketSpec, ResetUnit};
use streamkit_runtime::ratelimit::{BucketKey, RateLimitInfo, RateLimiter, RedisLimiter};

static SPEC: BucketSpec = BucketSpec {
    name: "capped",
    points: 800,
    per_seconds: 60,
    per_user: false,
    limit_header: Some("ratelimit-limit"),
    remaining_header: Some("ratelimit-remaining"),
    reset_header: Some("ratelimit-reset"),
    reset_unit: ResetUnit::EpochSeconds,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_a_billion_seconds_away_is_refused_not_waited_for() {
    let Some(redis) = RedisServer::start() else { return };
    let limiter = RedisLimiter::connect(&redis.url()).await.unwrap();
    let key = BucketKey::new(&SPEC, Some("c"), None);
    let max = Duration::from_secs(8);
    let probe = limiter.acquire_within(&key, &SPEC, 1, max).await.unwrap();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    let info = RateLimitInfo { limit: Some(800), remaining: Some(0), reset: Some(now + 1_000_000_000) };
    limiter.complete(probe, Some(&info));
    // The figures reach Redis in the background; until they do, points may still be granted.
    let mut held = Vec::new();
    let refused = loop {
        match limiter.acquire_within(&key, &SPEC, 1, max).await {
            Ok(p) => held.push(p),
            Err(r) => break r,
        }
        assert!(held.len() < 100, "the server's figures never reached the shared bucket");
    };
    assert_eq!(refused.max, max);
    assert!(refused.wait > max, "{refused:?}");
    assert_eq!(limiter.fallbacks(), 0);
}
