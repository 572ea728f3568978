//! Auth headers, the error type, rate limits and retries, the OAuth flows and token
//! refresh, all through the embedded sandbox.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::*;
use streamkit_runtime::retry::RetryPolicy;
use streamkit_runtime::{Error, Secret};
use streamkit_sandbox::{CLIENT_ID, CLIENT_SECRET, OTHER_CLIENT_ID, SandboxConfig};
use streamkit_twitch::{auth, helix};

#[tokio::test]
async fn missing_or_mismatched_credentials_get_401_with_the_body() {
    let sb = sandbox().await;
    let seed = sb.seed();
    // No token configured: refused before sending, naming what is missing.
    let c = helix::Client::builder().base_url(sb.helix_url()).client_id(CLIENT_ID).build().unwrap();
    let e = c.get_users().id(vec![seed.user_ids[0].clone()]).send().await.unwrap_err();
    assert!(matches!(e, Error::Auth { .. }), "{e:?}");
    assert!(e.to_string().contains("access token") && e.to_string().contains("get_users"), "{e}");
    // A token of another client id: the server's 401 with its JSON body.
    let c = helix::Client::builder()
        .base_url(sb.helix_url())
        .client_id(OTHER_CLIENT_ID)
        .access_token(sb.mint_app_token())
        .build()
        .unwrap();
    let e = c.get_users().id(vec![seed.user_ids[0].clone()]).send().await.unwrap_err();
    let api = e.api().expect("api error");
    assert_eq!(api.status, 401);
    let body: helix::types::HelixErrorBody = api.body_as().expect("Helix error body");
    assert_eq!(body.status, 401);
    assert_eq!(body.error, "Unauthorized");
    assert!(api.rate_limit.is_some(), "Helix errors carry Ratelimit-* too");
    assert!(!e.is_retryable());
    // An invalid token.
    let c = app_client(&sb).with_access_token("not-a-real-token");
    let e = c.get_users().id(vec![seed.user_ids[0].clone()]).send().await.unwrap_err();
    assert_eq!(status(&e), 401);
    assert!(!format!("{e} {e:?}").contains("not-a-real-token"), "the token never shows in errors");
}

#[tokio::test]
async fn header_values_with_cr_or_lf_are_refused() {
    let e = helix::Client::builder().client_id("id\r\nX-Injected: 1").build().map(|_| ()).unwrap_err();
    assert!(matches!(e, Error::InvalidRequest { .. }), "{e:?}");
    assert!(e.to_string().contains("Client-Id"), "{e}");
    let e = helix::Client::builder().access_token("abc\r\nX: 1").build().map(|_| ()).unwrap_err();
    assert!(!e.to_string().contains("abc"), "{e}");
    // A per-call token is checked when the call is made.
    let sb = sandbox().await;
    let c = app_client(&sb).with_access_token("abc\ndef");
    let e = c.get_users().id(vec!["1".to_string()]).send().await.unwrap_err();
    assert!(matches!(e, Error::InvalidRequest { .. }), "{e:?}");
    assert!(e.to_string().contains("Authorization"), "{e}");
    assert!(!e.to_string().contains("abc"), "{e}");
}

#[tokio::test]
async fn production_https_needs_tls_feature_or_works() {
    let r = helix::Client::builder().client_id("x").access_token("y").build();
    if cfg!(feature = "rustls") {
        assert!(r.is_ok());
    } else {
        let e = r.map(|_| ()).unwrap_err();
        assert!(e.to_string().contains("rustls"), "{e}");
    }
    let e = helix::Client::builder().base_url("not a url").build().map(|_| ()).unwrap_err();
    assert!(e.to_string().contains("not a url"), "{e}");
}

#[tokio::test]
async fn rate_limit_headers_are_read_and_429_waits_for_the_reset() {
    let sb = sandbox_with(SandboxConfig {
        ratelimit_points: 3,
        ratelimit_period: Duration::from_secs(2),
        ..Default::default()
    })
    .await;
    let seed = sb.seed();
    let ids = vec![seed.user_ids[0].clone()];
    let token = sb.mint_app_token();
    // Without retries the caller sees the server's 429, its body and its figures.
    let strict_no_retry = helix::Client::builder()
        .base_url(sb.helix_url())
        .client_id(CLIENT_ID)
        .access_token(token.clone())
        .retry_policy(RetryPolicy::none())
        .without_rate_limiting()
        .build()
        .unwrap();
    let mut last = None;
    for _ in 0..4 {
        match strict_no_retry.get_users().id(ids.clone()).send().await {
            Ok(r) => {
                assert!(r.headers().contains_key("ratelimit-remaining"));
                last = strict_no_retry.runtime().last_rate_limit();
            }
            Err(e) => {
                assert_eq!(status(&e), 429);
                assert!(e.is_retryable());
                let rl = e.rate_limit().expect("429 carries Ratelimit-*");
                assert_eq!(rl.limit, Some(3));
                assert_eq!(rl.remaining, Some(0));
                assert!(rl.reset.is_some());
                assert_eq!(e.api().unwrap().attempts, 1);
                last = None;
                break;
            }
        }
    }
    assert!(last.is_none(), "the fourth call within the period was refused");
    // With the default policy the same call waits for the reset and succeeds.
    let patient = helix::Client::builder()
        .base_url(sb.helix_url())
        .client_id(CLIENT_ID)
        .access_token(token)
        .without_rate_limiting()
        .build()
        .unwrap();
    let r = patient.get_users().id(ids.clone()).send().await.expect("retried after the reset");
    assert_eq!(r.data[0].id, ids[0]);
}

#[tokio::test]
async fn client_credentials_token_cache_fetches_once_and_refreshes_after_401() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let app = auth::AppCredentials { client_id: CLIENT_ID.into(), client_secret: Secret::new(CLIENT_SECRET) };
    let cache = auth::app_token_cache(oauth_client(&sb), app);
    let c = helix::Client::builder()
        .base_url(sb.helix_url())
        .client_id(CLIENT_ID)
        .token_cache(cache.clone())
        .strict(true)
        .build()
        .unwrap();
    // Many tasks at once: one token.
    let calls: Vec<_> = (0..16)
        .map(|_| {
            let c = c.clone();
            let id = seed.user_ids[0].clone();
            tokio::spawn(async move { c.get_users().id(vec![id]).send().await.map(|r| r.data.len()) })
        })
        .collect();
    for t in calls {
        assert_eq!(t.await.unwrap().unwrap(), 1);
    }
    let first = cache.current().expect("token cached");
    // The server forgets the token: the next call gets a 401, refreshes once, and succeeds.
    sb.expire_token(first.expose());
    let r = c.get_users().id(vec![seed.user_ids[1].clone()]).send().await.expect("refreshed after 401");
    assert_eq!(r.data[0].id, seed.user_ids[1]);
    let second = cache.current().unwrap();
    assert_ne!(first, second);
}

#[tokio::test]
async fn bad_client_secret_is_an_oauth_error_without_the_secret() {
    let sb = sandbox().await;
    let app = auth::AppCredentials { client_id: CLIENT_ID.into(), client_secret: Secret::new("wrong-secret-value") };
    let cache = auth::app_token_cache(oauth_client(&sb), app);
    let e = cache.token().await.unwrap_err();
    // Twitch answers a wrong secret with 403 {"status":403,"message":"invalid client secret"}.
    assert_eq!(status(&e), 403);
    let body: streamkit_twitch::oauth::types::OAuthErrorBody = e.api().unwrap().body_as().unwrap();
    assert_eq!(body.status, 403);
    assert!(!format!("{e} {e:?}").contains("wrong-secret-value"));
}

#[tokio::test]
async fn authorization_code_flow_refresh_validate_revoke() {
    let sb = sandbox().await;
    let app = auth::AppCredentials { client_id: CLIENT_ID.into(), client_secret: Secret::new(CLIENT_SECRET) };
    let oauth = oauth_client(&sb);
    let redirect = "http://localhost:3000/callback";
    let url = auth::authorize_url(
        &sb.oauth_url(),
        CLIENT_ID,
        redirect,
        ["user:read:follows", "channel:manage:broadcast"],
        "state-42",
    )
    .unwrap();
    // The "browser": follow the authorize URL without following its redirect.
    streamkit_twitch::install_tls_provider();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let resp = http.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 302);
    let location = reqwest::Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap();
    let q: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "state-42");
    let token = auth::exchange_code(&oauth, &app, Secret::new(q["code"].clone()), redirect).await.unwrap();
    assert!(token.scopes.contains(&"user:read:follows".to_string()));
    assert!(token.refresh_token.is_some(), "user tokens come with a refresh token");
    // Validate on start.
    let v = auth::validate(&oauth, &token.access_token).await.unwrap();
    assert_eq!(v.client_id, CLIENT_ID);
    assert!(v.user_id.is_some() && v.login.is_some());
    assert!(v.expires_in > 0);
    // A user token cache refreshes with the refresh token when the server rejects the token.
    let cache = auth::user_token_cache(oauth.clone(), app.clone(), token.clone()).unwrap();
    let c = helix::Client::builder()
        .base_url(sb.helix_url())
        .client_id(CLIENT_ID)
        .token_cache(cache.clone())
        .strict(true)
        .build()
        .unwrap();
    let me = c.get_users().send().await.unwrap();
    assert_eq!(Some(&me.data[0].id), v.user_id.as_ref());
    sb.expire_token(token.access_token.expose());
    let again = c.get_users().send().await.unwrap();
    assert_eq!(again.data[0].id, me.data[0].id);
    assert_ne!(cache.current().unwrap(), token.access_token);
    // Revoke: the token stops validating.
    let current = cache.current().unwrap();
    let body = streamkit_twitch::oauth::types::RevokeRequest::builder()
        .client_id(CLIENT_ID.to_string())
        .token(current.clone());
    oauth.revoke_token().body(body).send().await.unwrap();
    let e = auth::validate(&oauth, &current).await.unwrap_err();
    assert_eq!(status(&e), 401);
}

#[tokio::test]
async fn device_code_flow_pending_then_approved() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let flow = auth::DeviceFlow::start(oauth_client(&sb), CLIENT_ID, ["user:read:follows"]).await.unwrap();
    assert!(!flow.user_code().is_empty());
    assert!(flow.verification_uri().contains(flow.user_code()));
    assert!(flow.poll().await.unwrap().is_none(), "pending until the user approves");
    assert!(sb.approve_device(flow.user_code(), &seed.user_ids[7]));
    let token = flow.wait_every(Duration::from_millis(10)).await.unwrap();
    let v = auth::validate(&oauth_client(&sb), &token.access_token).await.unwrap();
    assert_eq!(v.user_id.as_deref(), Some(seed.user_ids[7].as_str()));
}

#[tokio::test]
async fn periodic_validation_notices_an_invalid_token_and_refreshes() {
    let sb = sandbox().await;
    let app = auth::AppCredentials { client_id: CLIENT_ID.into(), client_secret: Secret::new(CLIENT_SECRET) };
    let oauth = oauth_client(&sb);
    let cache = auth::app_token_cache(oauth.clone(), app);
    let first = cache.token().await.unwrap();
    sb.expire_token(first.expose());
    let (valid, invalid) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let (v2, i2) = (valid.clone(), invalid.clone());
    let task = auth::spawn_periodic_validation(oauth, cache.clone(), Duration::from_millis(20), move |r| {
        match r {
            Ok(_) => v2.fetch_add(1, Ordering::SeqCst),
            Err(_) => i2.fetch_add(1, Ordering::SeqCst),
        };
        let _ = tx.send(r.is_ok());
    });
    // First round finds the token invalid and refreshes; a later round validates the new one.
    let mut saw_ok = false;
    for _ in 0..50 {
        if tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.unwrap().unwrap() {
            saw_ok = true;
            break;
        }
    }
    task.abort();
    assert!(saw_ok);
    assert!(invalid.load(Ordering::SeqCst) >= 1);
    assert_ne!(cache.current().unwrap(), first);
}
