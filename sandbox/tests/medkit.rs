//! The fake MEDKit at the HTTP level: request validation against medkit.yaml, and inputs no
//! client would send.

use serde_json::{Value, json};
use streamkit_sandbox::{MEDKIT_EXTENSION_ID, Medkit, MedkitConfig, MedkitRole, Sandbox};

async fn start() -> (Sandbox, String) {
    let sb = Sandbox::builder().service(Medkit::new(MedkitConfig::default())).start().await.expect("starts");
    let jwt = sb.medkit().mint(MedkitRole::Admin, Some("12345"), Some("23456"));
    (sb, format!("{MEDKIT_EXTENSION_ID} {jwt}"))
}

async fn send(sb: &Sandbox, auth: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut r =
        reqwest::Client::new().request(method, format!("{}{path}", sb.medkit_url())).header("Authorization", auth);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let resp = r.send().await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn requests_that_do_not_match_the_spec_are_400_and_change_nothing() {
    let (sb, auth) = start().await;
    let (status, body) = send(&sb, &auth, reqwest::Method::GET, "/vote", None).await;
    assert_eq!(status, 400, "`id` is required: {body}");
    assert!(body["message"].as_str().is_some_and(|m| m.contains("`id`")), "{body}");
    let (status, body) = send(&sb, &auth, reqwest::Method::POST, "/vote?id=p", Some(json!({"value": "one"}))).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) =
        send(&sb, &auth, reqwest::Method::PUT, "/codes", Some(json!({"codes": [[1]], "names": []}))).await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = send(&sb, &auth, reqwest::Method::GET, "/codes", None).await;
    assert_eq!(status, 200);
    let (_, names) = send(&sb, &auth, reqwest::Method::GET, "/codes", None).await;
    assert_eq!(names, json!({"names": []}), "nothing was stored");
    let (status, _) = send(
        &sb,
        &auth,
        reqwest::Method::POST,
        "/authtoken?role=king",
        Some(json!({"channel_id": "1", "role": "viewer", "user_id": "2"})),
    )
    .await;
    assert_eq!(status, 400, "enum query values are checked");
    assert!(sb.contract_violations().is_empty(), "{:?}", sb.contract_violations());
}

#[tokio::test]
async fn huge_votes_are_counted_without_overflow() {
    let (sb, auth) = start().await;
    let (status, body) =
        send(&sb, &auth, reqwest::Method::POST, "/vote?id=p", Some(json!({"value": i64::MAX, "count": i64::MAX})))
            .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["count"], json!(i64::MAX));
    let (status, body) =
        send(&sb, &auth, reqwest::Method::PATCH, "/channel_state", Some(json!([{"op": "remove", "path": "/missing"}])))
            .await;
    assert_eq!(status, 409, "a patch that does not apply: {body}");
    let (status, body) =
        send(&sb, &auth, reqwest::Method::PATCH, "/channel_state", Some(json!([{"op": "nope", "path": "/x"}]))).await;
    assert_eq!(status, 400, "not a JSON Patch: {body}");
}
