//! Secrets never print, and every future the SDK returns can be spawned on tokio.

mod common;

use streamkit_runtime::Secret;
use streamkit_twitch::{auth, helix, oauth};

const MARK: &str = "s3cr3t-VALUE-never-printed";

fn secret() -> Secret {
    Secret::new(MARK)
}

fn assert_hidden(what: &str, shown: String) {
    assert!(!shown.contains(MARK), "{what} printed a secret: {shown}");
    assert!(shown.contains("redacted"), "{what} should say the value is redacted: {shown}");
}

/// Every generated type with a `format: password` field, filled with a marked secret, and
/// printed with `Debug` (and `Display` where it has one).
#[test]
fn every_type_holding_a_secret_redacts_it() {
    use oauth::types as o;
    // A response type: decoded, as callers get it (response types have no builder).
    let token_response: o::TokenResponse = serde_json::from_value(serde_json::json!({
        "access_token": MARK, "refresh_token": MARK, "id_token": MARK,
        "expires_in": 3600, "token_type": "bearer"
    }))
    .unwrap();
    assert_hidden("TokenResponse", format!("{token_response:?}"));
    let req: o::TokenRequest = o::TokenRequest::builder()
        .client_id("id".to_string())
        .client_secret(secret())
        .code(secret())
        .refresh_token(secret())
        .device_code(secret())
        .grant_type(o::GrantType::RefreshToken)
        .try_into()
        .unwrap();
    assert_hidden("TokenRequest", format!("{req:?}"));
    let revoke: o::RevokeRequest =
        o::RevokeRequest::builder().client_id("id".to_string()).token(secret()).try_into().unwrap();
    assert_hidden("RevokeRequest", format!("{revoke:?}"));
    let device: o::DeviceAuthorization = serde_json::from_value(serde_json::json!({
        "device_code": MARK, "expires_in": 1800, "interval": 5, "user_code": "ABCDEFGH",
        "verification_uri": "https://www.twitch.tv/activate?device-code=ABCDEFGH"
    }))
    .unwrap();
    assert_hidden("DeviceAuthorization", format!("{device:?}"));
    let transport: helix::types::EventSubTransportRequest = helix::types::EventSubTransportRequest::builder()
        .method(helix::types::EventSubTransportMethod::Webhook)
        .callback("https://example.com/cb".to_string())
        .secret(secret())
        .try_into()
        .unwrap();
    assert_hidden("EventSubTransportRequest", format!("{transport:?}"));
    // The secret still goes over the wire where it must.
    assert_eq!(serde_json::to_value(&transport).unwrap()["secret"], MARK);
    // Hand-written holders of secrets.
    let app = auth::AppCredentials { client_id: "id".into(), client_secret: secret() };
    assert_hidden("AppCredentials", format!("{app:?}"));
    let user = auth::UserToken { access_token: secret(), refresh_token: Some(secret()), expires_in: 1, scopes: vec![] };
    assert_hidden("UserToken", format!("{user:?}"));
    assert_hidden("Secret Display", secret().to_string());
}

#[tokio::test]
async fn clients_and_builders_do_not_print_tokens() {
    let sb = common::sandbox().await;
    let c = helix::Client::builder().base_url(sb.helix_url()).client_id("id").access_token(secret()).build().unwrap();
    assert_hidden("helix::Client", format!("{c:?}"));
    let b = helix::Client::builder().access_token(secret());
    assert_hidden("ClientBuilder", format!("{b:?}"));
    let per_user = c.with_access_token(secret());
    assert_hidden("per-user client", format!("{per_user:?}"));
}

fn assert_send<T: Send>(_: &T) {}

/// Compile-time: every future and task the SDK hands out is `Send`, so it can be spawned.
#[tokio::test]
async fn futures_are_send_and_spawnable() {
    let sb = common::sandbox().await;
    let seed = sb.seed();
    let c = common::app_client(&sb);
    let o = common::oauth_client(&sb);
    let fut = {
        let c = c.clone();
        let id = seed.user_ids[0].clone();
        async move { c.get_users().id(vec![id]).send().await }
    };
    assert_send(&fut);
    let users = tokio::spawn(fut).await.unwrap().unwrap();
    // Pagination streams are Send too, and can be consumed on another task.
    use streamkit_twitch::pagination::TryStreamExt;
    let stream = c.get_top_games().first(10u64).paginate().take_items(20).items();
    assert_send(&stream);
    let games: Vec<_> = tokio::spawn(stream.try_collect::<Vec<_>>()).await.unwrap().unwrap();
    assert_eq!(games.len(), 20);
    assert_eq!(users.data.len(), 1);
    let app = auth::AppCredentials {
        client_id: streamkit_sandbox::CLIENT_ID.into(),
        client_secret: Secret::new(streamkit_sandbox::CLIENT_SECRET),
    };
    let cache = auth::app_token_cache(o.clone(), app.clone());
    let token_fut = {
        let cache = cache.clone();
        async move { cache.token().await }
    };
    assert_send(&token_fut);
    tokio::spawn(token_fut).await.unwrap().unwrap();
    let device = auth::DeviceFlow::start(o.clone(), streamkit_sandbox::CLIENT_ID, Vec::<auth::Scope>::new());
    assert_send(&device);
    let flow = tokio::spawn(device).await.unwrap().unwrap();
    let poll = async move { flow.poll().await };
    assert_send(&poll);
    tokio::spawn(poll).await.unwrap().unwrap();
    let exchange = {
        let o = o.clone();
        let app = app.clone();
        async move { auth::exchange_code(&o, &app, Secret::new("bad"), "http://x").await }
    };
    assert_send(&exchange);
    assert!(tokio::spawn(exchange).await.unwrap().is_err());
}
