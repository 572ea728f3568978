//! Client-side rate limiting against the sandbox's real token bucket, whose size differs
//! from what the spec declares (800 per minute): the client learns the server's figures and
//! makes callers wait instead of surfacing 429.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use streamkit_runtime::ratelimit::InProcessLimiter;
use streamkit_runtime::retry::RetryPolicy;
use streamkit_sandbox::{CLIENT_ID, SandboxConfig};
use streamkit_twitch::helix;

#[tokio::test]
async fn concurrent_tasks_share_one_bucket_and_never_see_429() {
    let sb = sandbox_with(SandboxConfig { ratelimit_points: 20, ratelimit_period: Duration::from_secs(4), ..Default::default() }).await;
    let seed = sb.seed();
    let limiter = Arc::new(InProcessLimiter::default());
    // No retries: a 429 from the server would reach the caller as an error.
    let c = helix::Client::builder()
        .base_url(sb.helix_url())
        .client_id(CLIENT_ID)
        .access_token(sb.mint_app_token())
        .rate_limiter(limiter.clone())
        .retry_policy(RetryPolicy::none())
        .strict(true)
        .build()
        .unwrap();
    let tasks: Vec<_> = (0..30)
        .map(|i| {
            let c = c.clone();
            let id = seed.user_ids[i % seed.user_ids.len()].clone();
            tokio::spawn(async move { c.get_users().id(vec![id]).send().await.map(|r| r.data.len()) })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().expect("no 429 reached the caller"), 1);
    }
    assert!(limiter.waits() > 0, "callers waited for points instead");
    let stats = c.runtime().stats();
    assert_eq!(stats.attempts, 30);
    assert_eq!(stats.rate_limited, 0, "the server never had to answer 429");
    let rl = c.runtime().last_rate_limit().unwrap();
    assert_eq!(rl.limit, Some(20), "the server's bucket size was read");
}
