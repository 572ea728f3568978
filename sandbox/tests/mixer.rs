//! The Mixer service next to Twitch on one server: each answers its own paths with its own
//! error shape, Mixer's list conventions and its contract check hold on the raw wire.

use axum::http::StatusCode;
use serde_json::{Value, json};
use streamkit_sandbox::mixer::seed::FIRST_CHANNEL_ID;
use streamkit_sandbox::{CLIENT_ID, Mixer, Sandbox, SandboxConfig, Twitch};

async fn get(url: String) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let resp = reqwest::Client::new().get(url).header("Client-ID", CLIENT_ID).send().await.expect("request");
    let (status, headers) = (resp.status(), resp.headers().clone());
    (status, headers, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn mixer_and_twitch_are_served_together() {
    let sb = Sandbox::builder()
        .service(Twitch::new(&SandboxConfig::default()))
        .service(Mixer::new())
        .start()
        .await
        .expect("starts");
    let api = sb.service::<Mixer>().expect("serves Mixer").api_url();
    assert_eq!(api, format!("{}/mixer/api", sb.url()));

    // Mixer's paths, Mixer's answers and error shape.
    let (status, _, body) = get(format!("{api}/v1/channels/{FIRST_CHANNEL_ID}")).await;
    assert_eq!((status, body["token"].as_str()), (StatusCode::OK, Some("user0")));
    let (status, _, body) = get(format!("{api}/v1/nothing-here")).await;
    assert_eq!(
        (status, body),
        (StatusCode::NOT_FOUND, json!({"statusCode": 404, "error": "Not Found", "message": "Not Found"}))
    );

    // Twitch still answers its own, with Helix's shape.
    let (status, _, body) = get(format!("{}/users?login=nobody", sb.helix_url())).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("Unauthorized")));
    assert!(sb.contract_violations().is_empty(), "{:?}", sb.contract_violations());
}

#[tokio::test]
async fn v1_lists_send_link_and_total_count_and_v2_a_continuation_link() {
    let sb = Sandbox::builder().service(Mixer::new()).start().await.expect("starts");
    let api = sb.service::<Mixer>().expect("serves Mixer").api_url();
    let (status, headers, body) =
        get(format!("{api}/v1/channels?where=online:eq:true&order=id:ASC&fields=id&page=1&limit=10")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.as_array().map(Vec::len), Some(10));
    assert_eq!(body[0], json!({"id": FIRST_CHANNEL_ID + 30}), "page 1 of the live channels, trimmed to `id`");
    assert_eq!(headers["x-total-count"], "40");
    let link = headers["link"].to_str().unwrap();
    assert!(
        link.contains("page=2&limit=10>; rel=\"next\"") && link.contains("page=3&limit=10>; rel=\"last\""),
        "{link}"
    );

    let (_, headers, _) = get(format!("{api}/v1/channels?noCount=1&page=3&limit=10")).await;
    assert!(!headers.contains_key("x-total-count"));

    let (status, headers, body) = get(format!("{api}/v2/chats/{FIRST_CHANNEL_ID}/users?limit=10")).await;
    assert_eq!((status, body.as_array().map(Vec::len)), (StatusCode::OK, Some(10)));
    assert!(headers["link"].to_str().unwrap().contains("continuationToken="));

    let (status, _, body) = get(format!("{api}/v1/channels?where=online:like:true")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("unknown operator"));
    assert!(sb.contract_violations().is_empty(), "{:?}", sb.contract_violations());
}
