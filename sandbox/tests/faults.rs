//! The request log and fault injection, observed over raw HTTP.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;
use streamkit_sandbox::{
    CLIENT_ID, FAULT_HEADER, Fault, FaultKind, LoggedRequest, MALFORMED_JSON_BODY, UNKNOWN_ENUM_VALUE,
};

fn fault_header(r: &Reply) -> Option<&str> {
    r.headers.get(FAULT_HEADER).and_then(|v| v.to_str().ok())
}

fn statuses(log: &[LoggedRequest]) -> Vec<Option<u16>> {
    log.iter().map(|e| e.status).collect()
}

/// GET /helix/users?id=<broadcaster> with an app token.
async fn get_user(ctx: &Ctx, token: &str) -> Reply {
    let id = ctx.sb.seed().broadcaster_id;
    ctx.get("/users", token, &[("id", id.as_str())]).await
}

#[tokio::test]
async fn the_log_records_every_request_without_tokens() {
    let ctx = start().await;
    let token = ctx.sb.mint_app_token();
    let seed = ctx.sb.seed();
    assert!(ctx.sb.requests().is_empty());

    get_user(&ctx, &token).await;
    // No credentials at all.
    let r = ctx.send(ctx.http.get(format!("{}/streams?first=5", ctx.sb.helix_url()))).await;
    assert_eq!(r.status, 401);
    ctx.oauth_post("/token", &[("grant_type", "nope")]).await;
    ctx.send(ctx.http.get(format!("{}/helix/nope", ctx.sb.url()))).await;

    let log = ctx.sb.requests();
    assert_eq!(log.len(), 4);
    assert_eq!(log.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3, 4]);
    let methods: Vec<&str> = log.iter().map(|e| e.method.as_str()).collect();
    assert_eq!(methods, ["GET", "GET", "POST", "GET"]);
    let paths: Vec<&str> = log.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["/helix/users", "/helix/streams", "/oauth2/token", "/helix/nope"]);
    assert_eq!(statuses(&log), [Some(200), Some(401), Some(400), Some(401)]);
    assert_eq!(log[0].query.as_deref(), Some(format!("id={}", seed.broadcaster_id).as_str()));
    assert_eq!(log[0].query_param("id"), Some(seed.broadcaster_id.clone()));
    assert_eq!(log[1].query_pairs(), [("first".to_owned(), "5".to_owned())]);
    assert_eq!(log[2].query, None);
    assert_eq!(log[0].client_id.as_deref(), Some(CLIENT_ID));
    assert!(log[0].has_authorization);
    assert_eq!(log[1].client_id, None);
    assert!(!log[1].has_authorization);
    for e in &log {
        assert_eq!(e.fault, None);
        assert!(!e.contract_violation);
        assert!(e.finished.expect("finished") >= e.received);
    }
    assert!(log.windows(2).all(|w| w[0].received <= w[1].received));
    assert!(!format!("{log:?}").contains(&token), "the token must never be logged");

    ctx.sb.clear_requests();
    assert!(ctx.sb.requests().is_empty());
    get_user(&ctx, &token).await;
    let log = ctx.sb.requests();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].seq, 5, "sequence numbers keep counting after a clear");
}

#[tokio::test]
async fn too_many_requests_with_headers_once() {
    let ctx = start().await;
    let token = ctx.sb.mint_app_token();
    let kind = FaultKind::TooManyRequests { with_headers: true, retry_after: None };
    ctx.sb.inject(Fault::new("GET", "/helix/users", kind).times(1));
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();

    let r = get_user(&ctx, &token).await;
    assert_helix_error(&r, 429);
    assert_eq!(fault_header(&r), Some("too_many_requests"));
    assert_eq!(r.headers["ratelimit-limit"], "800");
    assert_eq!(r.headers["ratelimit-remaining"], "0");
    let reset: u64 = r.headers["ratelimit-reset"].to_str().unwrap().parse().unwrap();
    assert!(reset > now && reset <= now + 2, "reset {reset}, now {now}");
    assert!(!r.headers.contains_key("retry-after"));

    // times(1): the next request is served normally.
    let r = get_user(&ctx, &token).await;
    assert_eq!(r.status, 200);
    assert_eq!(fault_header(&r), None);
    assert_ne!(r.headers["ratelimit-remaining"], "0");

    let log = ctx.sb.requests();
    assert_eq!(statuses(&log), [Some(429), Some(200)]);
    assert_eq!(log[0].fault, Some("too_many_requests"));
    assert_eq!(log[1].fault, None);
}

#[tokio::test]
async fn too_many_requests_without_headers_but_retry_after() {
    let ctx = start().await;
    let token = ctx.sb.mint_app_token();
    let kind = FaultKind::TooManyRequests { with_headers: false, retry_after: Some(3) };
    ctx.sb.inject(Fault::new("*", "/helix/users", kind).times(1));
    let r = get_user(&ctx, &token).await;
    assert_helix_error(&r, 429);
    assert_eq!(r.headers["retry-after"], "3");
    for h in ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"] {
        assert!(!r.headers.contains_key(h), "{h} must be absent");
    }
}

#[tokio::test]
async fn service_unavailable_honours_times_and_the_route() {
    let ctx = start().await;
    let token = ctx.sb.mint_app_token();
    ctx.sb.inject(Fault::new("GET", "/helix/users", FaultKind::ServiceUnavailable).times(2));
    // Another route and another method on the same path are not affected.
    let r = ctx.get("/games/top", &token, &[]).await;
    assert_eq!(r.status, 200);
    let r = ctx.send(ctx.helix(Method::POST, "/users", &token)).await;
    assert_helix_error(&r, 405);
    assert_eq!(fault_header(&r), None);

    for _ in 0..2 {
        let r = get_user(&ctx, &token).await;
        assert_helix_error(&r, 503);
        assert_eq!(fault_header(&r), Some("service_unavailable"));
    }
    assert_eq!(get_user(&ctx, &token).await.status, 200);

    let log = ctx.sb.requests();
    let users: Vec<Option<u16>> =
        log.iter().filter(|e| e.path == "/helix/users" && e.method == "GET").map(|e| e.status).collect();
    assert_eq!(users, [Some(503), Some(503), Some(200)], "3 attempts were made");
    assert_eq!(log.iter().filter(|e| e.status == Some(429)).count(), 0);
}

#[tokio::test]
async fn faults_apply_in_injection_order_and_until_cleared() {
    let ctx = start().await;
    let token = ctx.sb.mint_app_token();
    ctx.sb.inject(Fault::any(FaultKind::ServiceUnavailable).times(1));
    ctx.sb.inject(Fault::new("GET", "/helix/users", FaultKind::MalformedJson));
    // "*" matches OAuth too.
    let r = ctx.oauth_post("/token", &[("grant_type", "nope")]).await;
    assert_eq!(r.status, 503);
    for _ in 0..3 {
        let r = get_user(&ctx, &token).await;
        assert_eq!(fault_header(&r), Some("malformed_json"));
    }
    ctx.sb.clear_faults();
    let r = get_user(&ctx, &token).await;
    assert_eq!(r.status, 200);
    assert_eq!(fault_header(&r), None);
    let faults: Vec<Option<&str>> = ctx.sb.requests().iter().map(|e| e.fault).collect();
    assert_eq!(
        faults,
        [Some("service_unavailable"), Some("malformed_json"), Some("malformed_json"), Some("malformed_json"), None]
    );
}

#[tokio::test]
async fn slow_delays_the_real_response() {
    let ctx = start().await;
    let token = ctx.sb.mint_app_token();
    let slow = FaultKind::Slow(Duration::from_millis(150));
    ctx.sb.inject(Fault::new("GET", "/helix/users", slow).times(1));
    let r = get_user(&ctx, &token).await;
    assert_eq!(r.status, 200);
    assert_eq!(fault_header(&r), Some("slow"));
    assert_eq!(r.body["data"][0]["id"], ctx.sb.seed().broadcaster_id);
    let log = ctx.sb.requests();
    assert_eq!(log[0].fault, Some("slow"));
    assert!(log[0].finished.expect("finished") > log[0].received);
}

#[tokio::test]
async fn drop_connection_gives_the_client_an_error() {
    let ctx = start().await;
    let token = ctx.sb.mint_app_token();
    ctx.sb.inject(Fault::new("GET", "/helix/users", FaultKind::DropConnection).times(1));
    let id = ctx.sb.seed().broadcaster_id;
    let sent = ctx.helix(Method::GET, "/users", &token).query(&[("id", id.as_str())]).send().await;
    // hyper aborts the connection before flushing the response head.
    let err = sent.expect_err("the dropped connection must surface as an error");
    assert!(err.is_request() && !err.is_status(), "{err:?}");
    // The server is fine afterwards.
    assert_eq!(get_user(&ctx, &token).await.status, 200);
    let log = ctx.sb.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].fault, Some("drop_connection"));
    assert_eq!(log[0].status, None, "no status reached the client");
    assert_eq!(log[1].status, Some(200));
}

#[tokio::test]
async fn truncated_json_is_half_the_real_body() {
    let ctx = start().await;
    let token = ctx.sb.mint_app_token();
    let full = get_user(&ctx, &token).await;
    assert_eq!(full.status, 200);
    ctx.sb.inject(Fault::new("GET", "/helix/users", FaultKind::TruncatedJson).times(1));
    let r = get_user(&ctx, &token).await;
    assert_eq!(r.status, 200);
    assert_eq!(fault_header(&r), Some("truncated_json"));
    assert_eq!(r.headers["content-type"], "application/json");
    assert_eq!(r.text.len(), full.text.len() / 2);
    assert!(full.text.starts_with(&r.text));
    assert!(serde_json::from_str::<Value>(&r.text).is_err());
}

#[tokio::test]
async fn malformed_json_does_not_parse() {
    let ctx = start().await;
    let token = ctx.sb.mint_app_token();
    ctx.sb.inject(Fault::new("GET", "/helix/users", FaultKind::MalformedJson).times(1));
    let r = get_user(&ctx, &token).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-type"], "application/json");
    assert_eq!(r.text, MALFORMED_JSON_BODY);
    assert!(serde_json::from_str::<Value>(&r.text).is_err());
}

#[tokio::test]
async fn unknown_enum_value_rewrites_the_field_in_every_item() {
    let ctx = start().await;
    let token = ctx.sb.mint_app_token();
    let kind = FaultKind::UnknownEnumValue { field: "type".to_owned(), value: UNKNOWN_ENUM_VALUE.to_owned() };
    ctx.sb.inject(Fault::new("GET", "/helix/streams", kind).times(1));
    let r = ctx.get("/streams", &token, &[("first", "5")]).await;
    assert_eq!(r.status, 200);
    assert_eq!(fault_header(&r), Some("unknown_enum_value"));
    let data = r.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 5);
    for item in data {
        assert_eq!(item["type"], UNKNOWN_ENUM_VALUE);
        assert!(item["user_id"].is_string(), "other fields are untouched");
    }
    assert!(r.body["pagination"]["cursor"].is_string());
    // Fields absent from the items are not added.
    let kind = FaultKind::UnknownEnumValue { field: "no_such_field".to_owned(), value: "x".to_owned() };
    ctx.sb.inject(Fault::new("GET", "/helix/users", kind).times(1));
    let r = get_user(&ctx, &token).await;
    assert!(r.body["data"][0].get("no_such_field").is_none());
}

#[tokio::test]
async fn extra_field_appears_in_items_and_at_top_level() {
    let ctx = start().await;
    let token = ctx.sb.mint_app_token();
    let kind = FaultKind::ExtraField { name: "sandbox_extra".to_owned(), value: json!({ "nested": [1, 2] }) };
    ctx.sb.inject(Fault::new("GET", "/helix/games/top", kind).times(1));
    let r = ctx.get("/games/top", &token, &[("first", "3")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(fault_header(&r), Some("extra_field"));
    assert_eq!(r.body["sandbox_extra"], json!({ "nested": [1, 2] }));
    let data = r.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 3);
    for item in data {
        assert_eq!(item["sandbox_extra"], json!({ "nested": [1, 2] }));
    }
    assert!(ctx.sb.contract_violations().is_empty(), "marked faults are not checked");
}

#[tokio::test]
async fn repeat_cursor_makes_the_second_page_repeat_the_first_cursor() {
    let ctx = start().await;
    let token = ctx.sb.mint_app_token();
    ctx.sb.inject(Fault::new("GET", "/helix/streams", FaultKind::RepeatCursor));
    let page = |after: Option<String>| {
        let ctx = &ctx;
        let token = &token;
        async move {
            let mut q = vec![("first", "10".to_owned())];
            if let Some(a) = after {
                q.push(("after", a));
            }
            let q: Vec<(&str, &str)> = q.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = ctx.get("/streams", token, &q).await;
            assert_eq!(r.status, 200, "{}", r.text);
            assert_eq!(fault_header(&r), Some("repeat_cursor"));
            r.body
        }
    };
    let first = page(None).await;
    let c1 = first["pagination"]["cursor"].as_str().unwrap().to_owned();
    let second = page(Some(c1.clone())).await;
    assert_eq!(second["pagination"]["cursor"], c1.as_str());
    assert_ne!(second["data"], first["data"]);
    let third = page(Some(c1.clone())).await;
    assert_eq!(third["pagination"]["cursor"], c1.as_str());
    assert_eq!(third["data"], second["data"], "a cursor follower is stuck");
    let afters: Vec<Option<String>> = ctx.sb.requests().iter().map(|e| e.query_param("after")).collect();
    assert_eq!(afters, [None, Some(c1.clone()), Some(c1)]);

    // The bare-string pagination of Get Extension Live Channels is repeated too.
    ctx.sb.clear_faults();
    let seed = ctx.sb.seed();
    let q = [("extension_id", seed.live_extension_id.as_str()), ("first", "20")];
    let r = ctx.get("/extensions/live", &token, &q).await;
    let c1 = r.body["pagination"].as_str().unwrap().to_owned();
    assert!(!c1.is_empty());
    ctx.sb.inject(Fault::new("GET", "/helix/extensions/live", FaultKind::RepeatCursor).times(1));
    let mut q2 = q.to_vec();
    q2.push(("after", &c1));
    let r = ctx.get("/extensions/live", &token, &q2).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["pagination"], c1.as_str());
}
