//! `POST /v1/oauth/token` takes a form body as well as JSON (the official JS client posts
//! form): both grants through the sandbox with a form body, the tokens they give used by the
//! generated client, and a body of another media type refused.

mod common;

use common::{anonymous, sandbox};
use streamkit_sandbox::{CLIENT_ID, CLIENT_SECRET, mixer::seed::FIRST_USER_ID};

async fn post_form(url: &str, fields: &[(&str, &str)]) -> (u16, serde_json::Value) {
    streamkit_mixer::install_tls_provider();
    let r = reqwest::Client::new().post(format!("{url}/v1/oauth/token")).form(fields).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn both_grants_accept_a_form_body() {
    let sb = sandbox().await;
    let url = sb.mixer().api_url();
    let code = sb.mixer().mint_code(7, &["user:details:self"]);
    let (status, tokens) = post_form(
        &url,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("code", &code),
            ("redirect_uri", "http://localhost/cb"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let me = anonymous(&sb).with_access_token(access).get_current_user().send().await.unwrap();
    assert_eq!(me.id, FIRST_USER_ID + 7);
    // The refresh grant, form-encoded too; the refresh token is single use.
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let fields = [("grant_type", "refresh_token"), ("client_id", CLIENT_ID), ("refresh_token", refresh.as_str())];
    let (status, refreshed) = post_form(&url, &fields).await;
    assert_eq!(status, 200, "{refreshed}");
    assert_ne!(refreshed["refresh_token"], tokens["refresh_token"]);
    let (status, again) = post_form(&url, &fields).await;
    assert_eq!(status, 400, "{again}");
}

#[tokio::test]
async fn another_media_type_is_refused() {
    let sb = sandbox().await;
    streamkit_mixer::install_tls_provider();
    let r = reqwest::Client::new()
        .post(format!("{}/v1/oauth/token", sb.mixer().api_url()))
        .header("content-type", "text/plain")
        .body("grant_type=refresh_token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("application/x-www-form-urlencoded"), "{body}");
}
