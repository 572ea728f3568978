//! The runtime under the sandbox's fault modes, proven from the request log and the typed
//! results rather than from timings.

mod common;

use std::time::Duration;

use common::*;
use streamkit_runtime::Error;
use streamkit_runtime::pagination::{StreamExt, TryStreamExt};
use streamkit_sandbox::{Fault, FaultKind, Sandbox};
use streamkit_twitch::helix;

fn count(sb: &Sandbox, path: &str) -> usize {
    sb.requests().iter().filter(|r| r.path == path).count()
}

/// Waits (bounded) until the log holds `n` requests for `path`.
async fn until_logged(sb: &Sandbox, path: &str, n: usize) -> bool {
    for _ in 0..500 {
        if count(sb, path) >= n {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

fn users(sb: &Sandbox) -> Vec<String> {
    vec![sb.seed().user_ids[0].clone()]
}

#[tokio::test]
async fn the_next_page_is_requested_before_the_consumer_asks() {
    let sb = sandbox().await;
    let c = app_client(&sb);
    let mut items = c.get_streams().first(100u64).paginate().prefetch(1).items();
    let first = items.next().await.unwrap().unwrap();
    assert!(!first.id.is_empty());
    // Only one item consumed; page 2 is fetched anyway.
    assert!(until_logged(&sb, "/helix/streams", 2).await, "page 2 was requested while page 1 was consumed");
    // And the walk runs at most depth + 1 pages ahead: it settles, it does not read the list.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(count(&sb, "/helix/streams") <= 3, "bounded prefetch: {} requests", count(&sb, "/helix/streams"));
    drop(items);

    // Depth 0: nothing is fetched until asked.
    sb.clear_requests();
    let mut seq = c.get_streams().first(100u64).paginate().prefetch(0).pages();
    let _ = seq.next().await.unwrap().unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(count(&sb, "/helix/streams"), 1);
    let _ = seq.next().await.unwrap().unwrap();
    assert_eq!(count(&sb, "/helix/streams"), 2);
}

#[tokio::test]
async fn take_items_stops_requesting_once_covered() {
    let sb = sandbox().await;
    let c = app_client(&sb);
    let got: Vec<_> =
        c.get_streams().first(100u64).paginate().prefetch(4).take_items(150).items().try_collect().await.unwrap();
    assert_eq!(got.len(), 150);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(count(&sb, "/helix/streams"), 2, "two pages cover 150 items; no third is requested");
}

#[tokio::test]
async fn a_repeating_cursor_ends_the_stream_with_an_error() {
    let sb = sandbox().await;
    sb.inject(Fault::new("GET", "/helix/streams", FaultKind::RepeatCursor));
    let c = app_client(&sb);
    let results: Vec<_> = c.get_streams().first(100u64).pages().collect().await;
    let last = results.last().unwrap();
    let e = last.as_ref().unwrap_err();
    assert!(e.to_string().contains("already returned"), "{e}");
    assert!(results[..results.len() - 1].iter().all(|r| r.is_ok()));
    assert!(count(&sb, "/helix/streams") <= 3, "stopped instead of looping");
}

#[tokio::test]
async fn a_429_with_headers_waits_for_the_reset_and_retries() {
    let sb = sandbox().await;
    sb.inject(
        Fault::new("GET", "/helix/users", FaultKind::TooManyRequests { with_headers: true, retry_after: None })
            .times(1),
    );
    let c = app_client(&sb);
    let r = c.get_users().id(users(&sb)).send().await.unwrap();
    assert_eq!(r.data.len(), 1);
    let log: Vec<_> = sb.requests().into_iter().filter(|r| r.path == "/helix/users").collect();
    assert_eq!(log.iter().map(|r| r.status).collect::<Vec<_>>(), vec![Some(429), Some(200)]);
    let stats = c.runtime().stats();
    assert_eq!((stats.attempts, stats.retries, stats.rate_limited), (2, 1, 1));
}

#[tokio::test]
async fn a_429_without_rate_limit_headers_honours_retry_after() {
    let sb = sandbox().await;
    sb.inject(
        Fault::new("GET", "/helix/users", FaultKind::TooManyRequests { with_headers: false, retry_after: Some(1) })
            .times(1),
    );
    let c = app_client(&sb);
    c.get_users().id(users(&sb)).send().await.unwrap();
    let log: Vec<_> = sb.requests().into_iter().filter(|r| r.path == "/helix/users").collect();
    assert_eq!(log.len(), 2);
    let gap = log[1].received - log[0].finished.unwrap();
    assert!(gap >= Duration::from_millis(900), "waited for Retry-After: {gap:?}");
}

#[tokio::test]
async fn retries_give_up_with_the_last_real_response() {
    let sb = sandbox().await;
    sb.inject(Fault::new("GET", "/helix/users", FaultKind::TooManyRequests { with_headers: true, retry_after: None }));
    let c = helix::Client::builder()
        .base_url(sb.helix_url())
        .client_id(streamkit_sandbox::CLIENT_ID)
        .access_token(sb.mint_app_token())
        .retry_policy(streamkit_runtime::retry::RetryPolicy { max_rate_limited_retries: 2, ..Default::default() })
        .build()
        .unwrap();
    let e = c.get_users().id(users(&sb)).send().await.unwrap_err();
    let api = e.api().unwrap();
    assert_eq!(api.status, 429);
    assert_eq!(api.attempts, 3);
    assert!(api.message().is_some(), "the server's body is kept");
    assert_eq!(api.rate_limit.unwrap().remaining, Some(0));
    assert_eq!(count(&sb, "/helix/users"), 3);
}

#[tokio::test]
async fn a_503_is_retried_once() {
    let sb = sandbox().await;
    let c = app_client(&sb);
    sb.inject(Fault::new("GET", "/helix/users", FaultKind::ServiceUnavailable).times(1));
    c.get_users().id(users(&sb)).send().await.expect("second attempt succeeds");
    assert_eq!(count(&sb, "/helix/users"), 2);
    sb.clear_requests();
    sb.inject(Fault::new("GET", "/helix/users", FaultKind::ServiceUnavailable).times(2));
    let e = c.get_users().id(users(&sb)).send().await.unwrap_err();
    assert_eq!(status(&e), 503);
    assert!(e.is_retryable());
    assert_eq!(count(&sb, "/helix/users"), 2, "once, not more");
}

#[tokio::test]
async fn dropped_connections_are_retried_only_when_safe() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let c = app_client(&sb);
    sb.inject(Fault::new("GET", "/helix/users", FaultKind::DropConnection).times(1));
    c.get_users().id(users(&sb)).send().await.expect("an idempotent GET is sent again");
    assert_eq!(count(&sb, "/helix/users"), 2);
    // A POST whose body may have reached the server is not sent again.
    let sender = user_client(&sb, &seed.user_ids[4], &["user:write:chat"]);
    sb.inject(Fault::new("POST", "/helix/chat/messages", FaultKind::DropConnection).times(1));
    let body = helix::types::SendChatMessageBody::builder()
        .broadcaster_id(seed.broadcaster_id.clone())
        .sender_id(seed.user_ids[4].clone())
        .message(helix::types::SendChatMessageBodyMessage::try_from("hi".to_string()).unwrap());
    let e = sender.send_chat_message().body(body).send().await.unwrap_err();
    assert!(matches!(e, Error::Communication { .. }), "{e:?}");
    assert_eq!(count(&sb, "/helix/chat/messages"), 1);
}

#[tokio::test]
async fn truncated_and_malformed_bodies_are_decode_errors() {
    let sb = sandbox().await;
    let c = app_client(&sb);
    for kind in [FaultKind::TruncatedJson, FaultKind::MalformedJson] {
        sb.inject(Fault::new("GET", "/helix/users", kind).times(1));
        let e = c.get_users().id(users(&sb)).send().await.unwrap_err();
        match &e {
            Error::Decode { operation, body, .. } => {
                assert_eq!(*operation, Some("get_users"));
                assert!(!body.is_empty());
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
        assert!(e.to_string().contains("did not match the spec"), "{e}");
    }
}

#[tokio::test]
async fn unknown_values_are_kept_or_reported_in_strict_mode() {
    let sb = sandbox().await;
    let lenient = helix::Client::builder()
        .base_url(sb.helix_url())
        .client_id(streamkit_sandbox::CLIENT_ID)
        .access_token(sb.mint_app_token())
        .build()
        .unwrap();
    let strict = app_client(&sb);
    sb.inject(Fault::new(
        "GET",
        "/helix/users",
        FaultKind::UnknownEnumValue { field: "broadcaster_type".into(), value: "superstar".into() },
    ));
    let r = lenient.get_users().id(users(&sb)).send().await.unwrap();
    assert_eq!(r.data[0].broadcaster_type, helix::types::BroadcasterType::Unknown("superstar".into()));
    let e = strict.get_users().id(users(&sb)).send().await.unwrap_err();
    assert!(
        matches!(&e, Error::Drift { paths, .. } if paths.iter().any(|p| p.contains("data[0].broadcaster_type"))),
        "{e:?}"
    );
    sb.clear_faults();
    sb.inject(Fault::new(
        "GET",
        "/helix/users",
        FaultKind::ExtraField { name: "brand_new".into(), value: serde_json::json!(42) },
    ));
    let r = lenient.get_users().id(users(&sb)).send().await.unwrap();
    assert_eq!(r.data[0].extra.get("brand_new"), Some(&serde_json::json!(42)));
    assert_eq!(r.extra.get("brand_new"), Some(&serde_json::json!(42)));
    let e = strict.get_users().id(users(&sb)).send().await.unwrap_err();
    assert!(e.to_string().contains("brand_new"), "{e}");
}

#[tokio::test]
async fn a_slow_answer_times_out_and_an_idempotent_call_is_retried() {
    let sb = sandbox().await;
    // The first answer is held far past the timeout, so that attempt times out however
    // loaded the machine is; the retry (a loopback GET) and its backoff (a few hundred ms at
    // most, under the wait cap, which is the timeout) fit in 2 s with a wide margin. (With
    // 150 ms the backoff's jitter alone passed the cap in some runs.)
    let c = helix::Client::builder()
        .base_url(sb.helix_url())
        .client_id(streamkit_sandbox::CLIENT_ID)
        .access_token(sb.mint_app_token())
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    sb.inject(Fault::new("GET", "/helix/users", FaultKind::Slow(Duration::from_secs(120))).times(1));
    c.get_users().id(users(&sb)).send().await.expect("the retry is not slow");
    assert_eq!(count(&sb, "/helix/users"), 2);
}
