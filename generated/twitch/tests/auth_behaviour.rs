//! Auth that behaves, through the sandbox: a 401 refreshes only when Helix says the token is
//! invalid, N refused requests cause one refresh, a failing refresh keeps a still-valid
//! token and backs off, rotated refresh tokens are observable, scopes are typed, and the
//! client id comes from the token cache. Token requests are counted in the request log.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use streamkit_runtime::Secret;
use streamkit_sandbox::{CLIENT_ID, CLIENT_SECRET, Fault, FaultKind, Sandbox, SandboxConfig};
use streamkit_twitch::auth::{self, Scope, UserToken};
use streamkit_twitch::helix;

fn app() -> auth::AppCredentials {
    auth::AppCredentials { client_id: CLIENT_ID.into(), client_secret: Secret::new(CLIENT_SECRET) }
}

/// Requests to the token endpoint so far.
fn token_requests(sb: &Sandbox) -> usize {
    sb.requests().iter().filter(|r| r.path == "/oauth2/token").count()
}

/// A user's tokens through the authorization-code flow, asking for `scopes`.
async fn user_tokens(sb: &Sandbox, scopes: &[Scope]) -> UserToken {
    let redirect = "http://localhost:3000/callback";
    let url = auth::authorize_url(&sb.oauth_url(), CLIENT_ID, redirect, scopes, "st").unwrap();
    streamkit_twitch::install_tls_provider();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let resp = http.get(&url).send().await.unwrap();
    let location = reqwest::Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap();
    let code = location.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    auth::exchange_code(&oauth_client(sb), &app(), Secret::new(code), redirect).await.unwrap()
}

fn client_from(sb: &Sandbox, cache: Arc<streamkit_runtime::auth::TokenCache>) -> helix::Client {
    helix::Client::builder().base_url(sb.helix_url()).token_cache(cache).strict(true).build().unwrap()
}

#[tokio::test]
async fn typed_scopes_are_granted_and_a_missing_scope_401_costs_no_refresh() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let token = user_tokens(&sb, &[Scope::UserReadChat, Scope::custom("user:read:follows")]).await;
    assert!(token.has_scope(Scope::UserReadFollows), "a known name becomes its variant: {:?}", token.scopes);
    assert!(!token.has_scope(Scope::UserWriteChat));
    let me = auth::validate(&oauth_client(&sb), &token.access_token).await.unwrap().user_id.unwrap();
    let cache = auth::user_token_cache(oauth_client(&sb), app(), token.clone()).unwrap();
    let c = client_from(&sb, cache.clone());
    sb.clear_requests();
    let body = helix::types::SendChatMessageBody::builder()
        .broadcaster_id(seed.broadcaster_id.clone())
        .sender_id(me)
        .message(helix::types::SendChatMessageBodyMessage::try_from("hi".to_string()).unwrap());
    let e = c.send_chat_message().body(body).send().await.unwrap_err();
    assert_eq!(status(&e), 401);
    assert_eq!(e.api().unwrap().message(), Some("Missing scope: user:write:chat"));
    assert_eq!(e.api().unwrap().attempts, 1, "not sent again");
    assert_eq!(token_requests(&sb), 0, "no refresh for a missing scope");
    assert_eq!(cache.current().unwrap(), token.access_token, "the token (and its refresh token) kept");
    // An app token where a user token is needed: the same, at once.
    let apps = client_from(&sb, auth::app_token_cache(oauth_client(&sb), app()));
    apps.get_users().id([seed.user_ids[0].clone()].to_vec()).send().await.unwrap();
    sb.clear_requests();
    let e = apps.get_channel_followers().broadcaster_id(seed.broadcaster_id.clone()).send().await.unwrap_err();
    assert_eq!(e.api().unwrap().message(), Some("This endpoint requires a user access token"));
    assert_eq!(token_requests(&sb), 0);
    assert_eq!(sb.requests().len(), 1);
}

// Several worker threads, as in an app: refusals and the refresh really overlap.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_calls_refused_after_expiry_cause_one_token_request() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let cache = auth::app_token_cache(oauth_client(&sb), app());
    let c = client_from(&sb, cache.clone());
    c.get_users().id(vec![seed.user_ids[0].clone()]).send().await.unwrap();
    let first = cache.current().unwrap();
    sb.expire_token(first.expose());
    sb.clear_requests();
    let calls: Vec<_> = (0..16)
        .map(|i| {
            let c = c.clone();
            let id = seed.user_ids[i % seed.user_ids.len()].clone();
            tokio::spawn(async move { c.get_users().id(vec![id]).send().await.map(|r| r.data.len()) })
        })
        .collect();
    for t in calls {
        assert_eq!(t.await.unwrap().unwrap(), 1);
    }
    assert_eq!(token_requests(&sb), 1, "{:#?}", sb.requests().iter().map(|r| (&r.path, r.status)).collect::<Vec<_>>());
    assert_ne!(cache.current().unwrap(), first);
}

#[tokio::test(start_paused = true)]
async fn a_failing_refresh_before_expiry_keeps_the_old_token_and_backs_off() {
    let sb = sandbox_with(SandboxConfig::default()).await;
    let seed = sb.seed();
    let mut token = user_tokens(&sb, &[Scope::UserReadFollows]).await;
    // Valid for 60 s more: inside the refresh margin, so the next call tries to refresh.
    token.expires_in = 60;
    let seen: Arc<Mutex<Vec<UserToken>>> = Arc::default();
    let saved = seen.clone();
    let cache = auth::user_token_cache_with(oauth_client(&sb), app(), token.clone(), move |t| {
        saved.lock().unwrap().push(t.clone())
    })
    .unwrap();
    let c = client_from(&sb, cache.clone());
    sb.inject(Fault::new("POST", "/oauth2/token", FaultKind::ServiceUnavailable));
    sb.clear_requests();
    let ids = vec![seed.user_ids[0].clone()];
    c.get_users().id(ids.clone()).send().await.expect("the old token still works");
    let after_first = token_requests(&sb);
    assert!(after_first >= 1, "a refresh was tried");
    for _ in 0..5 {
        c.get_users().id(ids.clone()).send().await.unwrap();
    }
    assert_eq!(token_requests(&sb), after_first, "backing off: the token endpoint is not asked again");
    assert_eq!(cache.current().unwrap(), token.access_token);
    assert!(seen.lock().unwrap().is_empty());
    // The endpoint recovers; after the backoff the token is replaced, and the rotated refresh
    // token reaches the app.
    sb.clear_faults();
    tokio::time::advance(Duration::from_secs(2)).await;
    c.get_users().id(ids).send().await.unwrap();
    assert_eq!(token_requests(&sb), after_first + 1);
    assert_ne!(cache.current().unwrap(), token.access_token);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    let rotated = seen[0].refresh_token.clone().unwrap();
    assert_ne!(Some(rotated), token.refresh_token, "the sandbox, like Twitch, rotates refresh tokens");
}

#[tokio::test]
async fn a_client_from_a_token_cache_takes_its_client_id_and_refuses_another() {
    let sb = sandbox().await;
    let cache = auth::app_token_cache(oauth_client(&sb), app());
    let c = client_from(&sb, cache.clone());
    assert_eq!(c.runtime().identities().client_id().unwrap().expose(), CLIENT_ID);
    c.get_users().id(vec![sb.seed().user_ids[0].clone()]).send().await.unwrap();
    let e = helix::Client::builder()
        .base_url(sb.helix_url())
        .client_id("another-client")
        .token_cache(cache)
        .build()
        .map(|_| ())
        .unwrap_err();
    assert!(e.to_string().contains("another-client") && e.to_string().contains(CLIENT_ID), "{e}");
}
