//! Mixer sends no rate-limit headers: the per-bucket limits the spec declares are enforced
//! by the client alone. 100 concurrent channel searches (bucket `channel-search`, 20 per
//! 5 s) against the sandbox's own bucket of the same shape: none is refused by the server,
//! none surfaces a 429, and the callers wait instead.
//!
//! Client and sandbox run on tokio's paused clock with the same injected wall clock.

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use streamkit_mixer::rest;
use streamkit_runtime::clock::TokioClock;
use streamkit_runtime::ratelimit::InProcessLimiter;
use streamkit_runtime::retry::RetryPolicy;
use streamkit_sandbox::{CLIENT_ID, Mixer, Sandbox};

/// The wall-clock time client and sandbox start at (both on tokio's paused clock).
fn wall() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

/// A sandbox serving Mixer whose buckets run on tokio's paused clock from [`wall`].
async fn sandbox_on_paused_time() -> Sandbox {
    let clock = Arc::new(streamkit_sandbox::TokioClock::starting_at(wall()));
    Sandbox::builder().clock(clock).service(Mixer::new()).start().await.expect("sandbox starts")
}

#[tokio::test(start_paused = true)]
async fn a_hundred_concurrent_searches_keep_to_twenty_per_five_seconds() {
    let sb = sandbox_on_paused_time().await;
    let clock = Arc::new(TokioClock::starting_at(wall()));
    let limiter = Arc::new(InProcessLimiter::with_clock(clock.clone()));
    // No retries: a 429 from the server would reach the caller as an error.
    let c = rest::Client::builder()
        .base_url(sb.mixer().api_url())
        .client_id(CLIENT_ID)
        .rate_limiter(limiter.clone())
        .clock(clock)
        .retry_policy(RetryPolicy::none())
        .strict(true)
        .build()
        .unwrap();
    let start = tokio::time::Instant::now();
    let handles: Vec<_> = (0..100)
        .map(|i| {
            let c = c.clone();
            tokio::spawn(async move { c.list_channels().q(format!("user{}", i % 10)).send().await.map(|r| r.len()) })
        })
        .collect();
    let mut surfaced_429 = 0;
    for h in handles {
        match h.await.unwrap() {
            Ok(n) => assert!(n > 0),
            Err(e) if e.status().map(|s| s.as_u16()) == Some(429) => surfaced_429 += 1,
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    let log = sb.requests();
    let searches: Vec<_> = log.iter().filter(|r| r.path.ends_with("/v1/channels")).collect();
    assert_eq!(searches.len(), 100, "each search sent once");
    // The sandbox's bucket is the spec's (20 per 5 s, on the same paused clock): had the
    // client sent faster, it would have answered 429.
    assert_eq!(searches.iter().filter(|r| r.status == Some(429)).count(), 0, "the server refused none");
    assert_eq!(surfaced_429, 0);
    assert!(limiter.waits() > 0, "callers waited for the bucket");
    // 20 at once, then 4 per second: the last of 100 cannot start before 20 s.
    let took = start.elapsed();
    assert!(took >= Duration::from_secs(20), "took {took:?}");
    assert!(took <= Duration::from_secs(25), "and not much longer: {took:?}");
}

#[tokio::test(start_paused = true)]
async fn the_sandbox_answers_429_past_the_bucket() {
    streamkit_mixer::install_tls_provider();
    let sb = sandbox_on_paused_time().await;
    let url = format!("{}/v1/channels?q=user1", sb.mixer().api_url());
    let http = reqwest::Client::new();
    let mut statuses = Vec::new();
    for _ in 0..21 {
        statuses.push(http.get(&url).header("Client-ID", CLIENT_ID).send().await.unwrap().status().as_u16());
    }
    assert!(statuses[..20].iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(statuses[20], 429);
}

#[tokio::test(start_paused = true)]
async fn a_server_429_with_retry_after_is_waited_out_and_retried() {
    let sb = sandbox_on_paused_time().await;
    let api = sb.mixer().api_url();
    // Two clients with separate limiters share one server bucket, so together they overrun
    // it; the default retry policy waits for `Retry-After` and tries again.
    let client = || {
        let clock = Arc::new(TokioClock::starting_at(wall()));
        rest::Client::builder()
            .base_url(api.clone())
            .client_id(CLIENT_ID)
            .rate_limiter(Arc::new(InProcessLimiter::with_clock(clock.clone())))
            .clock(clock)
            .strict(true)
            .build()
            .unwrap()
    };
    let (a, b) = (client(), client());
    let handles: Vec<_> = (0..30)
        .map(|i| {
            let c = if i % 2 == 0 { a.clone() } else { b.clone() };
            tokio::spawn(async move { c.list_channels().q("user1").send().await.map(|r| r.len()) })
        })
        .collect();
    for h in handles {
        assert!(h.await.unwrap().unwrap() > 0, "every caller got its answer");
    }
    let refused = sb.requests().iter().filter(|r| r.status == Some(429)).count();
    assert!(refused > 0, "the server did refuse some");
}
