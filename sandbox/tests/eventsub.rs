//! EventSub webhook delivery, checked from the wire: a bare callback on 127.0.0.1 records
//! each request and recomputes the signature with `hmac` itself (not the client crate's
//! verifier), so the sandbox's messages are checked against Twitch's rules independently.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::HeaderMap;
use common::start;
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::Sha256;

const SECRET: &str = "sandbox-test-secret-42";

type Seen = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

/// Records every request; echoes `challenge` when `echo`, else answers "nope".
async fn callback(echo: bool) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let app = axum::Router::new().route(
        "/cb",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let log = log.clone();
            async move {
                let challenge = serde_json::from_slice::<Value>(&body)
                    .ok()
                    .and_then(|v| v["challenge"].as_str().map(str::to_owned));
                log.lock().unwrap().push((headers, body));
                match challenge {
                    Some(c) if echo => c,
                    Some(_) => "nope".to_owned(),
                    None => String::new(),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/cb", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).unwrap_or_else(|| panic!("{name} missing")).to_str().unwrap()
}

/// Checks the signature as Twitch documents it, with our own HMAC.
fn assert_signed(h: &HeaderMap, body: &[u8]) {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(header(h, "Twitch-Eventsub-Message-Id").as_bytes());
    mac.update(header(h, "Twitch-Eventsub-Message-Timestamp").as_bytes());
    mac.update(body);
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(header(h, "Twitch-Eventsub-Message-Signature"), format!("sha256={hex}"));
}

#[tokio::test]
async fn verification_then_signed_notifications_with_every_header() {
    let ctx = start().await;
    let seed = ctx.sb.seed();
    let (url, seen) = callback(true).await;
    let app = ctx.sb.mint_app_token();
    let body = json!({
        "type": "channel.update", "version": "2",
        "condition": {"broadcaster_user_id": seed.broadcaster_id},
        "transport": {"method": "webhook", "callback": url, "secret": SECRET},
    });
    let r = ctx.send(ctx.helix(Method::POST, "/eventsub/subscriptions", &app).json(&body)).await;
    assert_eq!(r.status, 202, "{}", r.text);
    let id = r.body["data"][0]["id"].as_str().unwrap().to_owned();
    let hooks = ctx.sb.twitch().eventsub();
    let log = tokio::time::timeout(Duration::from_secs(10), hooks.wait_for(1)).await.unwrap();
    assert_eq!(log[0].status, Some(200));
    assert_eq!(hooks.status(&id).as_deref(), Some("enabled"));

    let user = ctx.sb.mint_user_token(&seed.broadcaster_id, &["channel:manage:broadcast"]);
    let patch = ctx
        .helix(Method::PATCH, "/channels", &user)
        .query(&[("broadcaster_id", seed.broadcaster_id.as_str())])
        .json(&json!({"title": "From the wire"}));
    assert_eq!(ctx.send(patch).await.status, 204);
    tokio::time::timeout(Duration::from_secs(10), hooks.wait_for(2)).await.unwrap();

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    for (i, (h, raw)) in seen.iter().enumerate() {
        assert_signed(h, raw);
        assert_eq!(header(h, "Content-Type"), "application/json");
        assert_eq!(header(h, "Twitch-Eventsub-Message-Retry"), "0");
        assert_eq!(header(h, "Twitch-Eventsub-Subscription-Type"), "channel.update");
        assert_eq!(header(h, "Twitch-Eventsub-Subscription-Version"), "2");
        let ts = header(h, "Twitch-Eventsub-Message-Timestamp");
        // RFC 3339 in UTC with nanoseconds, as Twitch sends it.
        let fraction = ts.split('.').nth(1).unwrap();
        assert!(fraction.len() == 10 && fraction.ends_with('Z'), "{ts}");
        assert!(chrono::DateTime::parse_from_rfc3339(ts).is_ok(), "{ts}");
        let kind = ["webhook_callback_verification", "notification"][i];
        assert_eq!(header(h, "Twitch-Eventsub-Message-Type"), kind);
    }
    let notification: Value = serde_json::from_slice(&seen[1].1).unwrap();
    assert_eq!(notification["subscription"]["id"], id.as_str());
    assert_eq!(notification["subscription"]["status"], "enabled");
    assert!(notification["subscription"]["transport"].get("secret").is_none());
    assert_eq!(notification["event"]["title"], "From the wire");
    assert_eq!(notification["event"]["broadcaster_user_id"], seed.broadcaster_id.as_str());
    // The secret is nowhere in the sandbox's own records.
    assert!(!format!("{:?}", hooks.deliveries()).contains(SECRET));
}

#[tokio::test]
async fn a_wrong_answer_fails_verification_and_nothing_is_delivered() {
    let ctx = start().await;
    let seed = ctx.sb.seed();
    let (url, seen) = callback(false).await;
    let app = ctx.sb.mint_app_token();
    let body = json!({
        "type": "stream.online", "version": "1",
        "condition": {"broadcaster_user_id": seed.broadcaster_id},
        "transport": {"method": "webhook", "callback": url, "secret": SECRET},
    });
    let r = ctx.send(ctx.helix(Method::POST, "/eventsub/subscriptions", &app).json(&body)).await;
    let id = r.body["data"][0]["id"].as_str().unwrap().to_owned();
    let hooks = ctx.sb.twitch().eventsub();
    let log = tokio::time::timeout(Duration::from_secs(10), hooks.wait_for(1)).await.unwrap();
    assert_eq!(log[0].status, Some(200));
    assert!(log[0].error.as_deref().is_some_and(|e| e.contains("challenge")), "{log:?}");
    let listed = ctx.get("/eventsub/subscriptions", &app, &[("subscription_id", id.as_str())]).await;
    assert_eq!(listed.body["data"][0]["status"], "webhook_callback_verification_failed");
    assert!(hooks.trigger("stream.online", json!({"broadcaster_user_id": seed.broadcaster_id})).is_empty());
    assert_eq!(seen.lock().unwrap().len(), 1);
}
