//! The core serving services other than Twitch: a tiny test-only "store" service with its
//! own spec (a `oneOf` body), error shape and rate-limit bucket, alone and next to Twitch.

use axum::Router;
use axum::extract::RawQuery;
use axum::http::{HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use streamkit_sandbox::core::{BucketSpec, Context, RateHeaders, ResetUnit, Service, ServiceSpec};
use streamkit_sandbox::{CLIENT_ID, CONTRACT_VIOLATION_HEADER, Fault, FaultKind, Sandbox, SandboxConfig, Twitch};
use streamkit_spec::Document;
use streamkit_spec::contract::Contract;

/// A store whose `GET /store/item?kind=...` answers one of a `oneOf`'s two shapes, or a
/// note whose `at` is not a date-time (a violation inside the `Note` branch).
struct Store;

fn store_spec() -> Arc<Contract> {
    let doc = Document::from_value(
        json!({
            "openapi": "3.0.3",
            "paths": {"/item": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/Item"}}}}}}}},
            "components": {"schemas": {
                "Item": {"oneOf": [{"$ref": "#/components/schemas/Counter"}, {"$ref": "#/components/schemas/Note"}]},
                "Counter": {"type": "object", "required": ["count"], "properties": {"count": {"type": "integer"}}},
                "Note": {"type": "object", "required": ["text"], "properties": {
                    "text": {"type": "string"}, "at": {"type": "string", "format": "date-time"}}},
            }},
        }),
        "store.yaml",
    )
    .expect("the store spec is an OpenAPI document");
    Arc::new(Contract::new(doc))
}

async fn item(RawQuery(q): RawQuery) -> Response {
    let body = match q.as_deref() {
        Some("kind=counter") => json!({"count": 2}),
        Some("kind=note") => json!({"text": "hi", "at": "2024-01-01T00:00:00Z"}),
        _ => json!({"text": "hi", "at": "tomorrow"}),
    };
    axum::Json(body).into_response()
}

impl Service for Store {
    fn owns(&self, path: &str) -> bool {
        path.starts_with("/store")
    }

    fn router(&self, _ctx: &Context) -> Router {
        Router::new().route("/store/item", get(item))
    }

    fn render_error(&self, _path: &str, status: StatusCode, message: &str) -> Response {
        (status, axum::Json(json!({"code": status.as_u16(), "reason": message}))).into_response()
    }

    fn specs(&self) -> Vec<ServiceSpec> {
        vec![ServiceSpec::new("/store", store_spec())]
    }

    fn buckets(&self) -> Vec<BucketSpec> {
        let headers = RateHeaders {
            reset_unit: ResetUnit::DeltaSeconds,
            ..RateHeaders::named(Some("X-Store-Limit"), Some("X-Store-Left"), Some("X-Store-Reset"))
                .expect("valid header names")
        };
        vec![BucketSpec { name: "store".into(), points: 30, period: Duration::from_secs(60), headers }]
    }
}

async fn get_json(url: String) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    streamkit_runtime::tls::install_default_provider();
    let resp = reqwest::get(url).await.expect("request");
    let (status, headers) = (resp.status(), resp.headers().clone());
    (status, headers, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_contract_check_catches_a_violation_inside_a_one_of_branch() {
    let sb = Sandbox::builder().service(Store).start().await.expect("starts");
    for kind in ["counter", "note"] {
        let (status, _, body) = get_json(format!("{}/store/item?kind={kind}", sb.url())).await;
        assert_eq!(status, StatusCode::OK, "{kind}: {body}");
    }
    assert_eq!(sb.contract_violations(), Vec::<String>::new());

    let (status, headers, body) = get_json(format!("{}/store/item?kind=bad", sb.url())).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(headers[CONTRACT_VIOLATION_HEADER], "1");
    // The 500 is the store's own error shape.
    assert_eq!(body["code"], 500);
    let reason = body["reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with("sandbox contract violation: GET /store/item 200: $: matches none of the `oneOf`"),
        "{reason}"
    );
    let found = sb.contract_violations();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("/at: \"tomorrow\" is not an RFC 3339 date-time"), "{found:?}");
    let log = sb.requests();
    assert!(log.last().is_some_and(|r| r.contract_violation && r.status == Some(500)), "{log:?}");
}

#[tokio::test]
async fn several_services_each_render_their_own_errors_and_rate_headers() {
    let sb = Sandbox::builder()
        .service(Store)
        .service(Twitch::new(&SandboxConfig::default()))
        .start()
        .await
        .expect("starts");
    sb.inject(Fault::any(FaultKind::TooManyRequests { with_headers: true, retry_after: None }).times(2));

    let (status, headers, body) = get_json(format!("{}/store/item?kind=counter", sb.url())).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body, json!({"code": 429, "reason": "Too Many Requests"}));
    assert_eq!(
        (&headers["x-store-limit"], &headers["x-store-left"], &headers["x-store-reset"]),
        (&"30".parse().unwrap(), &"0".parse().unwrap(), &"1".parse().unwrap())
    );
    assert!(!headers.contains_key("ratelimit-limit"));

    let token = sb.mint_app_token();
    streamkit_runtime::tls::install_default_provider();
    let resp = reqwest::Client::new()
        .get(format!("{}/users?login=nobody", sb.helix_url()))
        .bearer_auth(&token)
        .header("Client-Id", CLIENT_ID)
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(resp.headers()["ratelimit-limit"], "800");
    assert!(!resp.headers().contains_key(HeaderName::from_static("x-store-limit")));
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["error"], "Too Many Requests");

    // Past the faults both services answer for real; unknown paths get the owner's 404.
    let (status, _, body) = get_json(format!("{}/store/item?kind=note", sb.url())).await;
    assert_eq!((status, body["text"].as_str()), (StatusCode::OK, Some("hi")));
    // A path no service owns is answered by the first service added.
    let (status, _, body) = get_json(format!("{}/nowhere", sb.url())).await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, json!({"code": 404, "reason": "Not Found"})));
    assert!(sb.service::<Store>().is_some());
    assert_eq!(sb.twitch().seed().user_count, 3000);
}

#[tokio::test]
async fn a_sandbox_without_twitch_has_no_twitch() {
    let sb = Sandbox::builder().service(Store).start().await.expect("starts");
    assert!(sb.service::<Twitch>().is_none());
    let (status, _, body) = get_json(format!("{}/helix/users", sb.url())).await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, json!({"code": 404, "reason": "Not Found"})));
}
