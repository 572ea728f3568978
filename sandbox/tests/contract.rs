//! The contract check: responses are validated against specs/twitch/*.yaml.

mod common;

use common::eventsub_ws::eventsub_session;
use common::*;
use reqwest::Method;
use serde_json::{Value, json};
use streamkit_sandbox::{
    CLIENT_ID, CLIENT_SECRET, CONTRACT_VIOLATION_HEADER, FAULT_HEADER, Fault, FaultKind, SandboxConfig,
};

fn unmarked(name: &str) -> FaultKind {
    FaultKind::UnmarkedExtraField { name: name.to_owned(), value: json!("surprise") }
}

#[tokio::test]
async fn an_undocumented_field_becomes_a_500_naming_it() {
    let ctx = start().await;
    let token = ctx.sb.mint_app_token();
    let id = ctx.sb.seed().broadcaster_id;
    ctx.sb.inject(Fault::new("GET", "/helix/users", unmarked("sandbox_undocumented")).times(1));
    let r = ctx.get("/users", &token, &[("id", id.as_str())]).await;
    assert_helix_error(&r, 500);
    assert_eq!(r.headers[CONTRACT_VIOLATION_HEADER], "1");
    assert!(!r.headers.contains_key(FAULT_HEADER));
    assert!(r.headers.contains_key("ratelimit-remaining"));
    let message = r.body["message"].as_str().unwrap();
    assert!(message.starts_with("sandbox contract violation: "), "{message}");
    assert!(message.contains("$.data[0].sandbox_undocumented: undocumented property"), "{message}");
    assert!(message.contains("$.sandbox_undocumented: undocumented property"), "{message}");

    let violations = ctx.sb.contract_violations();
    assert_eq!(violations.len(), 2, "{violations:?}");
    assert!(
        violations.iter().all(|v| v.starts_with("GET /helix/users 200: ") && v.contains("sandbox_undocumented")),
        "{violations:?}"
    );
    let log = ctx.sb.requests();
    assert_eq!(log[0].status, Some(500));
    assert!(log[0].contract_violation);
    assert_eq!(log[0].fault, Some("unmarked_extra_field"));

    // The fault is used up: the next response conforms.
    let r = ctx.get("/users", &token, &[("id", id.as_str())]).await;
    assert_eq!(r.status, 200);
    assert_eq!(ctx.sb.contract_violations().len(), 2);
}

#[tokio::test]
async fn oauth_responses_are_checked_too() {
    let ctx = start().await;
    let token = ctx.sb.mint_app_token();
    ctx.sb.inject(Fault::new("GET", "/oauth2/validate", unmarked("sandbox_undocumented")).times(1));
    let r = ctx
        .send(
            ctx.http.get(format!("{}/validate", ctx.sb.oauth_url())).header("Authorization", format!("OAuth {token}")),
        )
        .await;
    assert_eq!(r.status, 500);
    let message = r.body["message"].as_str().unwrap();
    assert!(message.contains("GET /oauth2/validate 200: $.sandbox_undocumented"), "{message}");
}

#[tokio::test]
async fn the_check_can_be_turned_off() {
    let ctx = start_with(SandboxConfig { contract_check: false, ..SandboxConfig::default() }).await;
    let token = ctx.sb.mint_app_token();
    ctx.sb.inject(Fault::new("GET", "/helix/games/top", unmarked("sandbox_undocumented")));
    let r = ctx.get("/games/top", &token, &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["sandbox_undocumented"], "surprise");
    assert!(ctx.sb.contract_violations().is_empty());
}

/// Every route, with successes and the documented errors, and the out-of-spec answers
/// (410, 404, 405, redirects): no violation.
#[tokio::test]
async fn a_walk_over_every_route_records_no_violation() {
    let ctx = start().await;
    let seed = ctx.sb.seed();
    let b = seed.broadcaster_id.as_str();
    let app = ctx.sb.mint_app_token();
    let everything = ctx.sb.mint_user_token(
        b,
        &[
            "user:read:email",
            "channel:manage:broadcast",
            "moderator:read:followers",
            "moderator:read:chatters",
            "user:read:follows",
            "user:write:chat",
        ],
    );
    let expected = std::cell::RefCell::new(Vec::<u16>::new());
    let check = |r: Reply, status: u16, what: &str| {
        assert_eq!(r.status.as_u16(), status, "{what}: {}", r.text);
        expected.borrow_mut().push(status);
    };

    // Users.
    check(ctx.get("/users", &everything, &[]).await, 200, "own user with email");
    check(ctx.get("/users", &app, &[("id", b), ("login", &seed.user_logins[2])]).await, 200, "users");
    check(ctx.get("/users", &app, &[]).await, 400, "users without id");
    check(ctx.get("/users", "nope", &[]).await, 401, "bad token");
    // Streams, walked to the end (including the last page's `pagination: {}`).
    let streams = ctx.walk("/streams", &app, &[("first", "100")]).await;
    expected.borrow_mut().extend(std::iter::repeat_n(200, streams.len().div_ceil(100)));
    check(ctx.get("/streams", &app, &[("user_id", &seed.offline_user_id)]).await, 200, "offline");
    check(ctx.get("/streams", &app, &[("first", "0")]).await, 400, "bad first");
    // Videos.
    check(ctx.get("/videos", &app, &[("id", &seed.video_id), ("id", &seed.highlight_video_id)]).await, 200, "videos");
    check(ctx.get("/videos", &app, &[("user_id", b), ("first", "100")]).await, 200, "user videos");
    check(ctx.get("/videos", &app, &[("game_id", &seed.game_id)]).await, 200, "game videos");
    check(ctx.get("/videos", &app, &[("id", "1")]).await, 404, "unknown video");
    // Channels.
    check(ctx.get("/channels", &everything, &[("broadcaster_id", b)]).await, 200, "channel");
    let patch = |body: Value, token: &str| {
        ctx.helix(Method::PATCH, "/channels", token).query(&[("broadcaster_id", b)]).json(&body)
    };
    let body = json!({"title": "contract", "tags": ["Rust"], "game_id": seed.game_id,
        "content_classification_labels": [{"id": "Gambling", "is_enabled": true}]});
    check(ctx.send(patch(body, &everything)).await, 204, "modify");
    check(ctx.get("/channels", &app, &[("broadcaster_id", b)]).await, 200, "modified channel");
    check(ctx.send(patch(json!({}), &everything)).await, 400, "empty modify");
    // Follows.
    check(
        ctx.get("/channels/followers", &everything, &[("broadcaster_id", b), ("first", "100")]).await,
        200,
        "followers",
    );
    let f = seed.follower_id.as_str();
    let follows = ctx.sb.mint_user_token(f, &["user:read:follows"]);
    check(ctx.get("/channels/followed", &follows, &[("user_id", f)]).await, 200, "followed");
    check(ctx.get("/channels/followed", &follows, &[("user_id", b)]).await, 401, "other user");
    // Search.
    check(ctx.get("/search/channels", &app, &[("query", &seed.search_query)]).await, 200, "search");
    check(
        ctx.get("/search/channels", &app, &[("query", &seed.search_query), ("live_only", "true")]).await,
        200,
        "live search",
    );
    // EventSub.
    let post = |token: &str, body: Value| ctx.helix(Method::POST, "/eventsub/subscriptions", token).json(&body);
    let webhook = json!({"type": "stream.online", "version": "1",
        "condition": {"broadcaster_user_id": b},
        "transport": {"method": "webhook", "callback": "https://example.com/hook", "secret": "0123456789"}});
    let created = ctx.send(post(&app, webhook.clone())).await;
    let sub_id = created.body["data"][0]["id"].as_str().unwrap_or_default().to_owned();
    check(created, 202, "webhook");
    check(ctx.send(post(&app, webhook)).await, 409, "duplicate");
    // A real EventSub websocket session (its upgrade is logged as a 101).
    let session = eventsub_session(&ctx.sb).await;
    expected.borrow_mut().push(101);
    let ws = json!({"type": "channel.follow", "version": "2",
        "condition": {"broadcaster_user_id": b, "moderator_user_id": b},
        "transport": {"method": "websocket", "session_id": session.id}});
    check(ctx.send(post(&everything, ws)).await, 202, "websocket");
    check(ctx.get("/eventsub/subscriptions", &app, &[]).await, 200, "list");
    check(ctx.get("/eventsub/subscriptions", &everything, &[]).await, 200, "list websocket");
    let del = |id: &str| ctx.helix(Method::DELETE, "/eventsub/subscriptions", &app).query(&[("id", id)]);
    check(ctx.send(del(&sub_id)).await, 204, "delete");
    check(ctx.send(del(&sub_id)).await, 404, "delete again");
    // Extensions.
    let ext = [("extension_id", seed.live_extension_id.as_str())];
    check(ctx.get("/extensions/live", &app, &ext).await, 200, "extension");
    check(ctx.get("/extensions/live", &app, &[("extension_id", &seed.idle_extension_id)]).await, 404, "idle");
    // Clips and games.
    check(ctx.get("/clips", &app, &[("broadcaster_id", b), ("first", "100")]).await, 200, "clips");
    check(ctx.get("/clips", &app, &[("id", &seed.clip_id)]).await, 200, "clip");
    check(ctx.get("/games", &app, &[("id", &seed.game_id), ("id", &seed.game_without_igdb_id)]).await, 200, "games");
    check(ctx.get("/games/top", &app, &[("first", "100")]).await, 200, "top games");
    // Chat.
    let send = |body: Value| ctx.helix(Method::POST, "/chat/messages", &everything).json(&body);
    check(ctx.send(send(json!({"broadcaster_id": b, "sender_id": b, "message": "hi"}))).await, 200, "sent");
    check(ctx.send(send(json!({"broadcaster_id": b, "sender_id": b, "message": "dropme"}))).await, 200, "dropped");
    check(ctx.send(send(json!({"broadcaster_id": b, "sender_id": b, "message": "a".repeat(501)}))).await, 422, "long");
    check(ctx.get("/chat/chatters", &everything, &[("broadcaster_id", b), ("moderator_id", b)]).await, 200, "chatters");
    let outsider = ctx.sb.mint_user_token(f, &["moderator:read:chatters"]);
    check(ctx.get("/chat/chatters", &outsider, &[("broadcaster_id", b), ("moderator_id", f)]).await, 403, "not a mod");
    // Outside the spec: removed, unknown, wrong method.
    check(ctx.get("/users/follows", &app, &[]).await, 410, "removed");
    check(ctx.get("/nope", &app, &[]).await, 404, "unknown");
    check(ctx.send(ctx.helix(Method::PUT, "/users", &app)).await, 405, "method");

    // OAuth.
    let r = ctx
        .oauth_post(
            "/token",
            &[("client_id", CLIENT_ID), ("client_secret", CLIENT_SECRET), ("grant_type", "client_credentials")],
        )
        .await;
    let fresh = r.body["access_token"].as_str().unwrap_or_default().to_owned();
    check(r, 200, "client credentials");
    check(
        ctx.oauth_post(
            "/token",
            &[("client_id", CLIENT_ID), ("client_secret", "wrong"), ("grant_type", "client_credentials")],
        )
        .await,
        403,
        "wrong secret",
    );
    check(
        ctx.oauth_post(
            "/token",
            &[
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("grant_type", "refresh_token"),
                ("refresh_token", "nope"),
            ],
        )
        .await,
        400,
        "bad refresh",
    );
    check(ctx.oauth_post("/device", &[("client_id", CLIENT_ID), ("scopes", "user:write:chat")]).await, 200, "device");
    let validate = |token: &str| {
        ctx.http.get(format!("{}/validate", ctx.sb.oauth_url())).header("Authorization", format!("OAuth {token}"))
    };
    check(ctx.send(validate(&fresh)).await, 200, "validate app token");
    check(ctx.send(validate(&everything)).await, 200, "validate user token");
    check(ctx.oauth_post("/revoke", &[("client_id", CLIENT_ID), ("token", &fresh)]).await, 200, "revoke");
    check(ctx.send(validate(&fresh)).await, 401, "revoked");
    check(ctx.oauth_post("/revoke", &[("client_id", "nope"), ("token", &fresh)]).await, 404, "unknown client");
    let authorize = ctx.http.get(format!("{}/authorize", ctx.sb.oauth_url())).query(&[
        ("client_id", CLIENT_ID),
        ("redirect_uri", "http://localhost/cb"),
        ("response_type", "code"),
        ("scope", "user:read:email"),
    ]);
    check(ctx.send(authorize).await, 302, "authorize");

    assert_eq!(ctx.sb.contract_violations(), Vec::<String>::new());
    let log = ctx.sb.requests();
    let statuses: Vec<u16> = log.iter().map(|e| e.status.unwrap()).collect();
    assert!(log.iter().all(|e| !e.contract_violation));
    assert_eq!(statuses, expected.into_inner());
    assert!(!statuses.contains(&500));
}
