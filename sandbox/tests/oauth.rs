//! End-to-end tests of the OAuth side of the sandbox, over HTTP.

mod common;

use common::*;
use serde_json::json;
use streamkit_sandbox::{CLIENT_ID, CLIENT_SECRET, OTHER_CLIENT_ID, OTHER_CLIENT_SECRET};

async fn validate(ctx: &Ctx, token: &str) -> Reply {
    let req =
        ctx.http.get(format!("{}/validate", ctx.sb.oauth_url())).header("Authorization", format!("OAuth {token}"));
    ctx.send(req).await
}

#[tokio::test]
async fn client_credentials_and_validate() {
    let ctx = start().await;
    let r = ctx
        .oauth_post(
            "/token",
            &[("client_id", CLIENT_ID), ("client_secret", CLIENT_SECRET), ("grant_type", "client_credentials")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["token_type"], "bearer");
    assert!(r.body["expires_in"].as_u64().unwrap() > 0);
    assert!(r.body.get("refresh_token").is_none() && r.body.get("scope").is_none());
    let token = r.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 30);

    let v = validate(&ctx, &token).await;
    assert_eq!(v.status, 200);
    assert_eq!(v.body["client_id"], CLIENT_ID);
    assert_eq!(v.body["scopes"], json!([]));
    assert!(v.body.get("login").is_none() && v.body.get("user_id").is_none());
    // The token works on Helix.
    let seed = ctx.sb.seed();
    assert_eq!(ctx.get("/users", &token, &[("id", &seed.broadcaster_id)]).await.status, 200);

    // Errors use {status, message}.
    let wrong =
        [("client_id", CLIENT_ID), ("client_secret", OTHER_CLIENT_SECRET), ("grant_type", "client_credentials")];
    assert_oauth_error(&ctx.oauth_post("/token", &wrong).await, 403, "invalid client secret");
    let unknown = [("client_id", "nobody"), ("client_secret", "x"), ("grant_type", "client_credentials")];
    assert_oauth_error(&ctx.oauth_post("/token", &unknown).await, 400, "invalid client");
    let no_grant = [("client_id", CLIENT_ID), ("client_secret", CLIENT_SECRET)];
    assert_eq!(ctx.oauth_post("/token", &no_grant).await.status, 400);
    let bad_grant = [("client_id", CLIENT_ID), ("client_secret", CLIENT_SECRET), ("grant_type", "password")];
    assert_eq!(ctx.oauth_post("/token", &bad_grant).await.status, 400);
    assert_oauth_error(&validate(&ctx, "nope").await, 401, "invalid access token");

    // Another registered client's app token is only valid with its own client id.
    let other = ctx
        .oauth_post(
            "/token",
            &[
                ("client_id", OTHER_CLIENT_ID),
                ("client_secret", OTHER_CLIENT_SECRET),
                ("grant_type", "client_credentials"),
            ],
        )
        .await;
    let other_token = other.body["access_token"].as_str().unwrap();
    assert_eq!(ctx.get("/users", other_token, &[("id", &seed.broadcaster_id)]).await.status, 401);
}

#[tokio::test]
async fn authorization_code_then_refresh() {
    let ctx = start().await;
    let seed = ctx.sb.seed();
    let redirect = "http://localhost:3000/callback";
    let req = ctx.http.get(format!("{}/authorize", ctx.sb.oauth_url())).query(&[
        ("client_id", CLIENT_ID),
        ("redirect_uri", redirect),
        ("response_type", "code"),
        ("scope", "user:read:follows channel:manage:broadcast"),
        ("state", "xyz"),
    ]);
    let r = ctx.send(req).await;
    assert_eq!(r.status, 302);
    let location = r.headers.get("location").unwrap().to_str().unwrap().to_owned();
    let (base, query) = location.split_once('?').unwrap();
    assert_eq!(base, redirect);
    let params: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap();
    let get = |k: &str| params.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap();
    assert_eq!(get("state"), "xyz");
    assert_eq!(get("scope"), "user:read:follows channel:manage:broadcast");
    let code = get("code");

    let exchange = |code: &str, uri: &str| {
        vec![
            ("client_id", CLIENT_ID.to_owned()),
            ("client_secret", CLIENT_SECRET.to_owned()),
            ("code", code.to_owned()),
            ("grant_type", "authorization_code".to_owned()),
            ("redirect_uri", uri.to_owned()),
        ]
    };
    let post = |form: Vec<(&'static str, String)>| ctx.http.post(format!("{}/token", ctx.sb.oauth_url())).form(&form);
    let r = ctx.send(post(exchange(&code, "http://elsewhere/"))).await;
    assert_eq!(r.status, 400, "redirect_uri must match");
    let r = ctx.send(post(exchange(&code, redirect))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["scope"], json!(["user:read:follows", "channel:manage:broadcast"]));
    assert_eq!(r.body["token_type"], "bearer");
    let access = r.body["access_token"].as_str().unwrap().to_owned();
    let refresh = r.body["refresh_token"].as_str().unwrap().to_owned();
    let r = ctx.send(post(exchange(&code, redirect))).await;
    assert_eq!(r.status, 400, "codes are single-use");

    let v = validate(&ctx, &access).await;
    assert_eq!(v.body["user_id"], seed.broadcaster_id.as_str());
    assert_eq!(v.body["login"], seed.broadcaster_login.as_str());

    // Refresh: new pair; the old refresh token is spent.
    ctx.sb.expire_token(&access);
    assert_eq!(validate(&ctx, &access).await.status, 401);
    let form = [
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh.as_str()),
    ];
    let r = ctx.oauth_post("/token", &form).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let new_access = r.body["access_token"].as_str().unwrap();
    assert_ne!(new_access, access);
    assert_ne!(r.body["refresh_token"].as_str().unwrap(), refresh);
    assert_eq!(r.body["scope"], json!(["user:read:follows", "channel:manage:broadcast"]));
    assert_eq!(validate(&ctx, new_access).await.status, 200);
    assert_oauth_error(&ctx.oauth_post("/token", &form).await, 400, "Invalid refresh token");
}

#[tokio::test]
async fn device_flow_pending_then_approved() {
    let ctx = start().await;
    let seed = ctx.sb.seed();
    let r =
        ctx.oauth_post("/device", &[("client_id", CLIENT_ID), ("scopes", "user:write:chat user:read:follows")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["expires_in"], 1800);
    assert_eq!(r.body["interval"], 5);
    let user_code = r.body["user_code"].as_str().unwrap().to_owned();
    assert_eq!(user_code.len(), 8);
    assert!(user_code.bytes().all(|b| b.is_ascii_uppercase()));
    assert_eq!(
        r.body["verification_uri"].as_str().unwrap(),
        format!("{}/activate?device-code={user_code}", ctx.sb.url())
    );
    let device_code = r.body["device_code"].as_str().unwrap().to_owned();
    let poll = [
        ("client_id", CLIENT_ID),
        ("device_code", device_code.as_str()),
        ("scopes", "user:write:chat user:read:follows"),
        ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
    ];
    assert_oauth_error(&ctx.oauth_post("/token", &poll).await, 400, "authorization_pending");
    assert!(!ctx.sb.approve_device("ZZZZZZZZ", &seed.follower_id));
    assert!(ctx.sb.approve_device(&user_code, &seed.follower_id));
    let r = ctx.oauth_post("/token", &poll).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["scope"], json!(["user:write:chat", "user:read:follows"]));
    assert!(r.body["refresh_token"].is_string());
    let v = validate(&ctx, r.body["access_token"].as_str().unwrap()).await;
    assert_eq!(v.body["user_id"], seed.follower_id.as_str());
    // The device code is spent.
    assert_eq!(ctx.oauth_post("/token", &poll).await.status, 400);
    assert_oauth_error(&ctx.oauth_post("/device", &[("client_id", "nobody")]).await, 400, "invalid client");
}

#[tokio::test]
async fn revoke() {
    let ctx = start().await;
    let seed = ctx.sb.seed();
    let token = ctx.sb.mint_user_token(&seed.broadcaster_id, &["user:read:follows"]);
    assert_eq!(validate(&ctx, &token).await.status, 200);
    let r = ctx.oauth_post("/revoke", &[("client_id", CLIENT_ID), ("token", &token)]).await;
    assert_eq!(r.status, 200);
    assert!(r.text.is_empty());
    assert_eq!(validate(&ctx, &token).await.status, 401);
    assert_eq!(ctx.get("/users", &token, &[]).await.status, 401);
    let again = ctx.oauth_post("/revoke", &[("client_id", CLIENT_ID), ("token", &token)]).await;
    assert_oauth_error(&again, 400, "Invalid token");
    let other = ctx.sb.mint_app_token();
    let unknown = ctx.oauth_post("/revoke", &[("client_id", "nobody"), ("token", &other)]).await;
    assert_oauth_error(&unknown, 404, "client does not exist");
    let wrong_client = ctx.oauth_post("/revoke", &[("client_id", OTHER_CLIENT_ID), ("token", &other)]).await;
    assert_oauth_error(&wrong_client, 400, "Invalid token");
}
