//! The Mixer service next to Twitch on one server: each answers its own paths with its own
//! error shape, Mixer's list conventions and its contract check hold on the raw wire.

use axum::http::StatusCode;
use serde_json::{Value, json};
use streamkit_sandbox::mixer::seed::FIRST_CHANNEL_ID;
use streamkit_sandbox::{CLIENT_ID, Mixer, Sandbox, SandboxConfig, Twitch};

async fn get(url: String) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    streamkit_runtime::tls::install_default_provider();
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
    let api = sb.mixer().api_url();
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
    let api = sb.mixer().api_url();
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

/// Mixer's service with one response changed on its way out: `GET /v1/teams/1` answers the
/// team's `id` as a string. Everything else (routes, middleware, the specs it registers) is
/// the real service's.
struct Tampered(Mixer);

async fn id_as_string(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let tamper = req.uri().path() == "/mixer/api/v1/teams/1";
    let response = next.run(req).await;
    if !tamper {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20).await.expect("body");
    let mut value: Value = serde_json::from_slice(&bytes).expect("a JSON team");
    value["id"] = json!(value["id"].to_string());
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    axum::response::Response::from_parts(parts, axum::body::Body::from(value.to_string()))
}

impl streamkit_sandbox::Service for Tampered {
    fn owns(&self, path: &str) -> bool {
        self.0.owns(path)
    }
    fn router(&self, ctx: &streamkit_sandbox::core::Context) -> axum::Router {
        self.0.router(ctx).layer(axum::middleware::from_fn(id_as_string))
    }
    fn wrap(&self, app: axum::Router, ctx: &streamkit_sandbox::core::Context) -> axum::Router {
        self.0.wrap(app, ctx)
    }
    fn render_error(&self, path: &str, status: StatusCode, message: &str) -> axum::response::Response {
        self.0.render_error(path, status, message)
    }
    fn specs(&self) -> Vec<streamkit_sandbox::core::ServiceSpec> {
        self.0.specs()
    }
}

#[tokio::test]
async fn the_contract_check_holds_mixer_responses_to_core_yaml() {
    let sb = Sandbox::builder().service(Tampered(Mixer::new())).start().await.expect("starts");
    let api = format!("{}/mixer/api", sb.url());
    // Untouched answers pass the check.
    let (status, _, body) = get(format!("{api}/v1/teams")).await;
    assert_eq!((status, body[0]["id"].as_i64()), (StatusCode::OK, Some(1)));
    assert_eq!(sb.contract_violations(), Vec::<String>::new());

    // `"id": "1"` where core.yaml's `Team` says integer: replaced by Mixer's own 500.
    let (status, headers, body) = get(format!("{api}/v1/teams/1")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(headers[streamkit_sandbox::CONTRACT_VIOLATION_HEADER], "1");
    assert_eq!(body["statusCode"], 500);
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("sandbox contract violation: GET /mixer/api/v1/teams/1 200: $.id"), "{message}");
    let found = sb.contract_violations();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(sb.requests().last().is_some_and(|r| r.contract_violation && r.status == Some(500)));
}

async fn send(req: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let resp = req.header("Client-ID", CLIENT_ID).send().await.expect("request");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// The sandbox bugs the Mixer contract run (tests/schemathesis.rs) found, pinned down without
/// schemathesis.
#[tokio::test]
async fn sandbox_fixes_from_the_mixer_contract_run() {
    streamkit_runtime::tls::install_default_provider();
    let sb = Sandbox::builder().service(Mixer::new()).start().await.expect("starts");
    let api = sb.mixer().api_url();
    let http = reqwest::Client::new();
    let owner = sb.mixer().mint_token(0, &["channel:update:self", "chat:change_role"]);
    let me = format!("{api}/v1/channels/{FIRST_CHANNEL_ID}");
    let bad = |(status, body): (StatusCode, Value)| {
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["statusCode"], 400, "Mixer's error body: {body}");
    };

    // A body without `Content-Type: application/json`, or none: Mixer's 400, not axum's 415.
    bad(send(http.patch(&me).bearer_auth(&owner).header("Content-Type", "text/plain").body("{}")).await);
    bad(send(http.post(format!("{api}/v1/oauth/shortcode"))).await);
    // Integers are int64; enums and booleans are checked with or without the other parameters.
    bad(send(http.get(format!("{api}/v1/teams?page=9223372036854775808"))).await);
    bad(send(http.get(format!("{api}/v1/channels?scope=AAA"))).await);
    bad(send(http.get(format!("{api}/v1/channels?noCount=2"))).await);
    bad(send(http.get(format!("{api}/v2/chats/{FIRST_CHANNEL_ID}/users?showLurkers=null"))).await);
    // `fields` naming nothing the objects have would answer them without their `id`.
    bad(send(http.get(format!("{api}/v1/channels?fields=nothing"))).await);
    bad(send(http.get(format!("{me}?fields=nothing"))).await);
    // Ids past int64 or below the seeded range name nothing (no overflow, no 500).
    let (status, _) = send(http.get(format!("{api}/v1/users/9223372036854775808/avatar"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(http.get(format!("{api}/v1/channels/-9223372036854775808/hosters"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Update: a field of the wrong type is refused; properties `ChannelUpdate` does not name
    // are ignored (the schema allows them).
    bad(send(http.patch(&me).bearer_auth(&owner).json(&json!({"name": 5}))).await);
    let (status, body) = send(http.patch(&me).bearer_auth(&owner).json(&json!({"name": "x", "nope": 1}))).await;
    assert_eq!((status, body["name"].as_str(), body.get("nope")), (StatusCode::OK, Some("x"), None));
    let (status, body) =
        send(http.post(format!("{me}/preferences")).bearer_auth(&owner).json(&json!({"hosting:allow": false, "x": 1})))
            .await;
    assert_eq!((status, body["hosting:allow"].as_bool(), body.get("x")), (StatusCode::OK, Some(false), None));
    // Hosting a channel that does not exist: 404, as for any unknown channel.
    let (status, _) = send(http.put(format!("{me}/hostee")).bearer_auth(&owner).json(&json!({"id": i64::MAX}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // `Owner` and `User` are no grants: asking for them changes nothing.
    let roles = http
        .patch(format!("{me}/users/{}", streamkit_sandbox::mixer::seed::FIRST_USER_ID + 9))
        .bearer_auth(&owner)
        .header("Client-ID", CLIENT_ID)
        .json(&json!({"add": ["Mod"], "remove": ["Owner", "User"]}))
        .send()
        .await
        .expect("request");
    assert_eq!(roles.status(), StatusCode::NO_CONTENT);
    // A client secret that is no string is a wrong one.
    let shortcode = json!({"client_id": CLIENT_ID, "client_secret": 5, "scope": "chat:connect"});
    bad(send(http.post(format!("{api}/v1/oauth/shortcode")).json(&shortcode)).await);
    // Client-ID is recommended, not required.
    let resp = http.get(format!("{api}/v1/teams")).send().await.expect("request");
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(sb.contract_violations().is_empty(), "{:?}", sb.contract_violations());
}
