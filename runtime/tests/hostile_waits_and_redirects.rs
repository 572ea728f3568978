//! Waits a hostile server asks for, missing rate-limit headers, and redirects (issue 10).
//! Time-dependent tests run on tokio's paused clock with the client on a `TokioClock`.

mod common;

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use common::*;
use streamkit_runtime::Refusal;
use streamkit_runtime::clock::{Clock, TokioClock};
use tokio::time::Instant;

const EPOCH_MS: u64 = 1_800_000_000_000;

fn clock() -> Arc<TokioClock> {
    Arc::new(TokioClock::starting_at(UNIX_EPOCH + Duration::from_millis(EPOCH_MS)))
}

// ---- Waits longer than the call's own timeout -----------------------------------------

#[tokio::test(start_paused = true)]
async fn a_reset_a_billion_seconds_away_fails_the_next_call_at_once() {
    let clock = clock();
    let reset = (clock.epoch_secs() as i64) + 1_000_000_000;
    let server = serve(move |_, _| {
        Reply::json(
            &format!("200 OK\r\nratelimit-limit: 800\r\nratelimit-remaining: 0\r\nratelimit-reset: {reset}"),
            "{}",
        )
    })
    .await;
    let client = builder(&server.url).clock(clock).timeout(Duration::from_secs(8)).build().unwrap();
    client.call("get_thing", "/x").await.unwrap();
    let start = Instant::now();
    let err = client.call("get_thing", "/x").await.unwrap_err();
    assert_eq!(Instant::now(), start, "failed at once, without waiting");
    match err.refusal() {
        Some(Refusal::WaitTooLong { what: "rate-limit points", wait, max }) => {
            assert_eq!(*max, Duration::from_secs(8));
            assert!(*wait > *max, "{wait:?}");
        }
        other => panic!("expected a refused wait, got {other:?}: {err}"),
    }
    assert!(err.to_string().contains("rate-limit points"), "{err}");
    assert_eq!(server.requests().len(), 1, "the refused call sent nothing");
}

#[tokio::test(start_paused = true)]
async fn a_429_whose_reset_is_past_the_timeout_is_not_waited_for() {
    let clock = clock();
    // 30 s: within the retry policy's longest rate-limit wait (65 s), past the 8 s timeout.
    let reset = (clock.epoch_secs() as i64) + 30;
    let server = serve(move |_, _| {
        Reply::json(
            &format!(
                "429 Too Many Requests\r\nratelimit-limit: 800\r\nratelimit-remaining: 0\r\nratelimit-reset: {reset}"
            ),
            "{}",
        )
    })
    .await;
    let client =
        builder(&server.url).clock(clock).timeout(Duration::from_secs(8)).without_rate_limiting().build().unwrap();
    let start = Instant::now();
    let err = client.call("get_thing", "/x").await.unwrap_err();
    assert_eq!(Instant::now(), start);
    assert!(
        matches!(err.refusal(), Some(Refusal::WaitTooLong { what: "rate-limit reset before a retry", .. })),
        "{err}"
    );
    assert_eq!(server.requests().len(), 1);
    // A wait within the budget is still waited.
    let client = builder(&server.url)
        .clock(self::clock())
        .max_wait(Duration::from_secs(40))
        .without_rate_limiting()
        .build()
        .unwrap();
    let err = client.call("get_thing", "/x").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429), "retried after waiting, then the 429 is the answer: {err}");
    assert!(Instant::now() - start >= Duration::from_secs(29));
}

// ---- A missing rate-limit header -------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn a_bucket_whose_headers_never_come_costs_no_wait_per_call() {
    let server = serve(|_, _| Reply::json("200 OK", "{}")).await;
    let client = builder(&server.url).clock(clock()).build().unwrap();
    let start = Instant::now();
    for _ in 0..5 {
        client.call("get_thing", "/x").await.unwrap();
    }
    // Concurrent callers too: the probe's header-less answer calibrates the bucket.
    let client = Arc::new(client);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.call("get_thing", "/x").await.map(|_| ()) })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert!(Instant::now() - start < Duration::from_millis(100), "waited {:?}", Instant::now() - start);
    assert_eq!(server.requests().len(), 13);
}

// ---- Redirects rewrite writes ----------------------------------------------------------

#[tokio::test]
async fn a_redirected_write_is_refused_not_replayed_as_a_get() {
    let server = serve(|n, _| {
        if n == 0 {
            Reply::text("301 Moved Permanently\r\nlocation: /elsewhere?k=v", "")
        } else {
            Reply::json("202 Accepted", "{}")
        }
    })
    .await;
    let client = builder(&server.url).build().unwrap();
    let err = client.call("create_thing", "/things").await.unwrap_err();
    match err.refusal() {
        Some(Refusal::Redirect { status, location, .. }) => {
            assert_eq!(status.as_u16(), 301);
            assert_eq!(location.as_deref(), Some(format!("{}/elsewhere", server.url).as_str()), "query left out");
        }
        other => panic!("expected a refused redirect, got {other:?}: {err}"),
    }
    assert_eq!(server.requests().len(), 1, "nothing was sent to the new location");
}

#[tokio::test]
async fn a_redirect_to_another_origin_carries_no_credentials() {
    let other = serve(|_, _| Reply::json("200 OK", r#"{"ok":true}"#)).await;
    let target = format!("{}/landing", other.url);
    let server = serve(move |n, _| match n {
        0 => Reply::text(&format!("302 Found\r\nlocation: {target}"), ""),
        _ => Reply::text("307 Temporary Redirect\r\nlocation: /same", ""),
    })
    .await;
    let client = builder(&server.url).build().unwrap();
    assert_eq!(client.call("get_thing", "/x").await.unwrap()["ok"], true);
    let landed = &other.requests()[0];
    assert_eq!(landed.path, "/landing");
    for h in ["authorization", "client-id", "cookie"] {
        assert!(landed.header(h).is_none(), "{h} sent to another origin: {landed:?}");
    }
    assert_eq!(server.requests()[0].header("client-id"), Some(CLIENT_ID));
}

#[tokio::test]
async fn a_same_origin_redirect_of_a_read_is_followed_with_credentials_and_loops_end() {
    let server = serve(|n, _| {
        if n == 0 { Reply::text("307 Temporary Redirect\r\nlocation: /v2/x", "") } else { Reply::json("200 OK", "[]") }
    })
    .await;
    let client = builder(&server.url).build().unwrap();
    client.call("get_thing", "/x").await.unwrap();
    let second = &server.requests()[1];
    assert_eq!(second.path, "/v2/x");
    assert_eq!(second.header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));

    let looping = serve(|_, _| Reply::text("302 Found\r\nlocation: /again", "")).await;
    let err = builder(&looping.url).build().unwrap().call("get_thing", "/x").await.unwrap_err();
    assert!(matches!(err.refusal(), Some(Refusal::Redirect { .. })), "{err}");
    assert_eq!(looping.requests().len(), streamkit_runtime::redirect::MAX_REDIRECTS + 1);
}
