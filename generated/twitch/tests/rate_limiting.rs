//! Client-side rate limiting against the sandbox's real token bucket, whose size differs
//! from what the spec declares (800 per minute): the client learns the server's figures and
//! makes callers wait instead of surfacing 429.
//!
//! Client and sandbox run on tokio's paused clock with the same injected wall clock, so
//! the outcome does not depend on the machine's speed or on where in a wall-clock second
//! the test happens to start: the sweep places the first call at every tenth of a second.

mod common;

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use common::*;
use streamkit_runtime::clock::TokioClock;
use streamkit_runtime::ratelimit::InProcessLimiter;
use streamkit_runtime::retry::RetryPolicy;
use streamkit_sandbox::{CLIENT_ID, SandboxConfig};
use streamkit_twitch::helix;

/// What one run saw.
#[derive(Debug)]
struct Run {
    ok: usize,
    surfaced_429: usize,
    server_429: usize,
    attempts: u64,
    waits: u64,
    limit_read: Option<u32>,
}

/// `tasks` concurrent calls with retries off against a sandbox bucket of `points` per
/// `period`, starting at `phase_ms` into a wall-clock second.
async fn run(points: u32, period: Duration, phase_ms: u64, tasks: usize) -> Run {
    let wall = UNIX_EPOCH + Duration::from_millis(1_800_000_000_000 + phase_ms);
    let sb = sandbox_with(SandboxConfig {
        ratelimit_points: points,
        ratelimit_period: period,
        clock: Arc::new(streamkit_sandbox::TokioClock::starting_at(wall)),
        ..Default::default()
    })
    .await;
    let clock = Arc::new(TokioClock::starting_at(wall));
    let seed = sb.seed();
    let limiter = Arc::new(InProcessLimiter::with_clock(clock.clone()));
    // No retries: a 429 from the server would reach the caller as an error.
    let c = helix::Client::builder()
        .base_url(sb.helix_url())
        .client_id(CLIENT_ID)
        .access_token(sb.mint_app_token())
        .rate_limiter(limiter.clone())
        .clock(clock)
        .retry_policy(RetryPolicy::none())
        .strict(true)
        .build()
        .unwrap();
    let handles: Vec<_> = (0..tasks)
        .map(|i| {
            let c = c.clone();
            let id = seed.user_ids[i % seed.user_ids.len()].clone();
            tokio::spawn(async move { c.get_users().id(vec![id]).send().await.map(|r| r.data.len()) })
        })
        .collect();
    let (mut ok, mut surfaced_429) = (0, 0);
    for h in handles {
        match h.await.unwrap() {
            Ok(1) => ok += 1,
            Ok(n) => panic!("one user asked, {n} returned"),
            Err(e) if e.status().map(|s| s.as_u16()) == Some(429) => surfaced_429 += 1,
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    let server_429 = sb.requests().iter().filter(|r| r.status == Some(429)).count();
    let stats = c.runtime().stats();
    Run {
        ok,
        surfaced_429,
        server_429,
        attempts: stats.attempts,
        waits: limiter.waits(),
        limit_read: c.runtime().last_rate_limit().and_then(|rl| rl.limit),
    }
}

#[tokio::test(start_paused = true)]
async fn concurrent_tasks_share_one_bucket_and_never_see_429() {
    let r = run(20, Duration::from_secs(4), 0, 30).await;
    assert_eq!((r.ok, r.surfaced_429, r.server_429), (30, 0, 0), "{r:?}");
    assert!(r.waits > 0, "callers waited for points instead: {r:?}");
    assert_eq!(r.attempts, 30);
    assert_eq!(r.limit_read, Some(20), "the server's bucket size was read");
}

#[tokio::test(start_paused = true)]
async fn no_429_at_any_phase_of_the_second_and_any_bucket_shape() {
    let shapes = [(20, 4), (10, 1), (50, 10), (7, 3), (200, 4)];
    for (points, secs) in shapes {
        for phase in 0..10 {
            let r = run(points, Duration::from_secs(secs), phase * 100, 64).await;
            assert_eq!(
                (r.ok, r.surfaced_429, r.server_429),
                (64, 0, 0),
                "bucket {points}/{secs}s, first call at +{}ms: {r:?}",
                phase * 100
            );
        }
    }
}

#[tokio::test(start_paused = true)]
async fn the_waits_follow_the_servers_rate_closely() {
    // 64 calls, 20 at once and then 5 per second: the server allows them in 8.8 s.
    let start = tokio::time::Instant::now();
    let r = run(20, Duration::from_secs(4), 500, 64).await;
    assert_eq!(r.server_429, 0);
    let took = start.elapsed().as_secs_f64();
    // Never faster than the server allows (that would be 429s), and not much slower.
    assert!((8.8..=11.0).contains(&took), "took {took} s of simulated time: {r:?}");
}
