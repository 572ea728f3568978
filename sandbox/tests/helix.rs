//! End-to-end tests of the Helix side of the sandbox, over HTTP.

mod common;

use common::eventsub_ws::eventsub_session;
use common::*;
use reqwest::Method;
use serde_json::{Value, json};
use streamkit_sandbox::{OTHER_CLIENT_ID, SandboxConfig};

#[tokio::test]
async fn auth_failures_are_401_with_helix_body_and_rate_headers() {
    let ctx = start().await;
    let seed = ctx.sb.seed();
    let url = format!("{}/users", ctx.sb.helix_url());
    let q = [("id", seed.broadcaster_id.as_str())];

    // No Authorization header.
    let r = ctx.send(ctx.http.get(&url).query(&q).header("Client-Id", "x")).await;
    assert_helix_error(&r, 401);
    for h in ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"] {
        assert!(r.headers.contains_key(h), "missing {h}");
    }
    // Unknown token.
    let r = ctx.get("/users", "notatoken", &q).await;
    assert_helix_error(&r, 401);
    // Token of CLIENT_ID sent with another client's id.
    let token = ctx.sb.mint_app_token();
    let req = ctx
        .http
        .get(&url)
        .query(&q)
        .header("Authorization", format!("Bearer {token}"))
        .header("Client-Id", OTHER_CLIENT_ID);
    let r = ctx.send(req).await;
    assert_helix_error(&r, 401);
    // No Client-Id.
    let req = ctx.http.get(&url).query(&q).header("Authorization", format!("Bearer {token}"));
    assert_helix_error(&ctx.send(req).await, 401);
    // Valid, then expired.
    assert_eq!(ctx.get("/users", &token, &q).await.status, 200);
    ctx.sb.expire_token(&token);
    assert_helix_error(&ctx.get("/users", &token, &q).await, 401);
}

#[tokio::test]
async fn removed_endpoint_is_410_and_unknown_is_404() {
    let ctx = start().await;
    let token = ctx.sb.mint_app_token();
    let r = ctx.get("/users/follows", &token, &[("to_id", "1")]).await;
    assert_helix_error(&r, 410);
    assert!(r.headers.contains_key("ratelimit-remaining"));
    assert_helix_error(&ctx.get("/nope", &token, &[]).await, 404);
    let r = ctx.send(ctx.helix(Method::PUT, "/users", &token)).await;
    assert_helix_error(&r, 405);
}

#[tokio::test]
async fn users_by_id_login_and_own() {
    let ctx = start().await;
    let seed = ctx.sb.seed();
    let app = ctx.sb.mint_app_token();
    let r =
        ctx.get("/users", &app, &[("id", &seed.user_ids[1]), ("login", &seed.user_logins[2]), ("id", "nope")]).await;
    assert_eq!(r.status, 200);
    let data = r.body["data"].as_array().unwrap();
    assert_eq!(ids(data, "id"), vec![seed.user_ids[1].clone(), seed.user_ids[2].clone()]);
    assert!(data[0].get("email").is_none());
    assert!(data[0]["view_count"].is_u64());
    // App token without parameters → 400; more than 100 → 400.
    assert_helix_error(&ctx.get("/users", &app, &[]).await, 400);
    let many: Vec<(&str, &str)> = (0..101).map(|_| ("id", "1")).collect();
    assert_helix_error(&ctx.get("/users", &app, &many).await, 400);
    // User token without parameters → own user, with email.
    let user = ctx.sb.mint_user_token(&seed.user_ids[3], &["user:read:email"]);
    let r = ctx.get("/users", &user, &[]).await;
    assert_eq!(r.body["data"][0]["id"], seed.user_ids[3].as_str());
    assert!(r.body["data"][0]["email"].as_str().unwrap().contains('@'));
    let r = ctx.get("/users", &user, &[("id", &seed.user_ids[4])]).await;
    assert_eq!(r.body["data"][0]["email"], "");
}

#[tokio::test]
async fn streams_walk_all_pages_sorted_without_duplicates() {
    let ctx = start().await;
    let seed = ctx.sb.seed();
    let token = ctx.sb.mint_app_token();
    let all = ctx.walk("/streams", &token, &[("first", "100")]).await;
    assert_eq!(all.len(), seed.live_stream_count);
    assert!(all.len() >= 2500);
    assert_unique(&ids(&all, "id"));
    let viewers: Vec<u64> = all.iter().map(|s| s["viewer_count"].as_u64().unwrap()).collect();
    assert!(viewers.windows(2).all(|w| w[0] >= w[1]));
    assert!(all.iter().all(|s| s["type"] == "live" && s["tag_ids"] == json!([])));

    // Backward paging: page 2's cursor with `before` gives page 1 again.
    let p1 = ctx.get("/streams", &token, &[]).await;
    let c1 = p1.body["pagination"]["cursor"].as_str().unwrap().to_owned();
    let p2 = ctx.get("/streams", &token, &[("after", &c1)]).await;
    let c2 = p2.body["pagination"]["cursor"].as_str().unwrap().to_owned();
    let back = ctx.get("/streams", &token, &[("before", &c2)]).await;
    assert_eq!(back.body["data"], p1.body["data"]);
    assert_eq!(back.body["pagination"], json!({}));
}

#[tokio::test]
async fn streams_filters_and_bad_parameters() {
    let ctx = start().await;
    let seed = ctx.sb.seed();
    let token = ctx.sb.mint_app_token();
    let r = ctx
        .get("/streams", &token, &[("user_login", &seed.broadcaster_login), ("user_id", &seed.offline_user_id)])
        .await;
    assert_eq!(ids(r.body["data"].as_array().unwrap(), "user_id"), vec![seed.broadcaster_id.clone()]);
    let de = ctx.get("/streams", &token, &[("language", "de"), ("language", "fr"), ("first", "100")]).await;
    let langs = de.body["data"].as_array().unwrap();
    assert!(!langs.is_empty());
    assert!(langs.iter().all(|s| s["language"] == "de" || s["language"] == "fr"));
    let game = ctx.get("/streams", &token, &[("game_id", &seed.game_id)]).await;
    assert!(game.body["data"].as_array().unwrap().iter().all(|s| s["game_id"] == seed.game_id.as_str()));

    for q in [
        vec![("first", "0")],
        vec![("first", "101")],
        vec![("first", "ten")],
        vec![("type", "vodcast")],
        vec![("after", "zzzz")],
        vec![("after", "6162"), ("before", "6162")],
    ] {
        assert_helix_error(&ctx.get("/streams", &token, &q).await, 400);
    }
}

#[tokio::test]
async fn videos_modes_and_errors() {
    let ctx = start().await;
    let seed = ctx.sb.seed();
    let token = ctx.sb.mint_app_token();
    assert_helix_error(&ctx.get("/videos", &token, &[]).await, 400);
    let both = [("id", seed.video_id.as_str()), ("user_id", seed.broadcaster_id.as_str())];
    assert_helix_error(&ctx.get("/videos", &token, &both).await, 400);
    assert_helix_error(&ctx.get("/videos", &token, &[("id", "1")]).await, 404);
    assert_helix_error(&ctx.get("/videos", &token, &[("game_id", "nope")]).await, 404);

    let r = ctx.get("/videos", &token, &[("id", &seed.video_id), ("id", &seed.highlight_video_id)]).await;
    let data = r.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert!(data[0]["stream_id"].is_string() && data[0]["type"] == "archive");
    assert!(data[1]["stream_id"].is_null() && data[1]["type"] == "highlight");
    assert_eq!(r.body["pagination"], json!({}));

    let all = ctx.walk("/videos", &token, &[("user_id", &seed.broadcaster_id)]).await;
    assert_eq!(all.len(), seed.broadcaster_video_count);
    assert_unique(&ids(&all, "id"));
    for v in &all {
        assert!(v["muted_segments"].is_null() || v["muted_segments"].is_array());
        assert_eq!(v["stream_id"].is_string(), v["type"] == "archive");
        assert!(v["duration"].as_str().unwrap().ends_with('s'));
    }
    let uploads =
        ctx.get("/videos", &token, &[("user_id", &seed.broadcaster_id), ("type", "upload"), ("sort", "views")]).await;
    let uploads = uploads.body["data"].as_array().unwrap().clone();
    assert!(!uploads.is_empty() && uploads.iter().all(|v| v["type"] == "upload"));
}

#[tokio::test]
async fn modify_channel_then_get() {
    let ctx = start().await;
    let seed = ctx.sb.seed();
    let me = seed.broadcaster_id.as_str();
    let token = ctx.sb.mint_user_token(me, &["channel:manage:broadcast"]);
    let patch = |body: Value, token: &str, id: &str| {
        ctx.helix(Method::PATCH, "/channels", token).query(&[("broadcaster_id", id)]).json(&body)
    };
    let body = json!({
        "title": "New title from the test",
        "tags": ["Rust", "Testing"],
        "game_id": seed.game_id,
        "broadcaster_language": "de",
        "delay": 30,
        "content_classification_labels": [{"id": "Gambling", "is_enabled": true}],
        "is_branded_content": true,
    });
    let r = ctx.send(patch(body, &token, me)).await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert!(r.text.is_empty());

    let app = ctx.sb.mint_app_token();
    let r = ctx.get("/channels", &app, &[("broadcaster_id", me), ("broadcaster_id", me)]).await;
    let ch = &r.body["data"][0];
    assert_eq!(r.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(ch["title"], "New title from the test");
    assert_eq!(ch["tags"], json!(["Rust", "Testing"]));
    assert_eq!(ch["broadcaster_language"], "de");
    assert_eq!(ch["game_id"], seed.game_id.as_str());
    assert_eq!(ch["is_branded_content"], true);
    assert!(ch["content_classification_labels"].as_array().unwrap().contains(&json!("Gambling")));
    assert_eq!(ch["delay"], 0, "delay is hidden from other tokens");
    let own = ctx.get("/channels", &token, &[("broadcaster_id", me)]).await;
    assert_eq!(own.body["data"][0]["delay"], 30);
    // Streams reflect the new title.
    let s = ctx.get("/streams", &app, &[("user_id", me)]).await;
    assert_eq!(s.body["data"][0]["title"], "New title from the test");

    // Validation.
    let eleven: Vec<String> = (0..11).map(|i| format!("tag{i}")).collect();
    for bad in [
        json!({"title": ""}),
        json!({"tags": eleven}),
        json!({}),
        json!({"tags": ["has space"]}),
        json!({"delay": 901}),
        json!({"content_classification_labels": [{"id": "MatureGame", "is_enabled": true}]}),
    ] {
        assert_helix_error(&ctx.send(patch(bad, &token, me)).await, 400);
    }
    // Delay is for partners only (user index 1 is not a partner).
    let mod_token = ctx.sb.mint_user_token(&seed.moderator_id, &["channel:manage:broadcast"]);
    assert_helix_error(&ctx.send(patch(json!({"delay": 5}), &mod_token, &seed.moderator_id)).await, 400);
    // Someone else's channel, missing scope, app token.
    assert_helix_error(&ctx.send(patch(json!({"title": "x"}), &mod_token, me)).await, 401);
    let no_scope = ctx.sb.mint_user_token(me, &[]);
    assert_helix_error(&ctx.send(patch(json!({"title": "x"}), &no_scope, me)).await, 401);
    assert_helix_error(&ctx.send(patch(json!({"title": "x"}), &app, me)).await, 401);
    assert_helix_error(&ctx.get("/channels", &app, &[]).await, 400);
}

#[tokio::test]
async fn channel_followers_and_followed() {
    let ctx = start().await;
    let seed = ctx.sb.seed();
    let b = seed.broadcaster_id.as_str();
    let moderator = ctx.sb.mint_user_token(&seed.moderator_id, &["moderator:read:followers"]);
    let all = ctx.walk("/channels/followers", &moderator, &[("broadcaster_id", b), ("first", "100")]).await;
    assert_eq!(all.len(), seed.broadcaster_follower_count);
    assert!(all.len() > 250);
    assert_unique(&ids(&all, "user_id"));
    let dates: Vec<&str> = all.iter().map(|f| f["followed_at"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");

    let one =
        ctx.get("/channels/followers", &moderator, &[("broadcaster_id", b), ("user_id", &seed.follower_id)]).await;
    assert_eq!(one.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(one.body["total"], seed.broadcaster_follower_count);

    // Without the scope, or not a moderator: only the total.
    for token in [
        ctx.sb.mint_user_token(&seed.moderator_id, &[]),
        ctx.sb.mint_user_token(&seed.follower_id, &["moderator:read:followers"]),
    ] {
        let r = ctx.get("/channels/followers", &token, &[("broadcaster_id", b)]).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body, json!({"data": [], "pagination": {}, "total": seed.broadcaster_follower_count}));
    }
    let app = ctx.sb.mint_app_token();
    assert_helix_error(&ctx.get("/channels/followers", &app, &[("broadcaster_id", b)]).await, 401);

    // Followed channels.
    let f = seed.follower_id.as_str();
    let token = ctx.sb.mint_user_token(f, &["user:read:follows"]);
    let followed = ctx.walk("/channels/followed", &token, &[("user_id", f)]).await;
    assert_eq!(followed.len(), seed.follower_followed_count);
    assert_unique(&ids(&followed, "broadcaster_id"));
    let check = ctx.get("/channels/followed", &token, &[("user_id", f), ("broadcaster_id", b)]).await;
    assert_eq!(check.body["data"][0]["broadcaster_id"], b);
    assert_helix_error(&ctx.get("/channels/followed", &token, &[("user_id", b)]).await, 401);
    let no_scope = ctx.sb.mint_user_token(f, &[]);
    assert_helix_error(&ctx.get("/channels/followed", &no_scope, &[("user_id", f)]).await, 401);
    assert_helix_error(&ctx.get("/channels/followed", &token, &[]).await, 400);
}

#[tokio::test]
async fn search_channels() {
    let ctx = start().await;
    let seed = ctx.sb.seed();
    let token = ctx.sb.mint_app_token();
    let q = seed.search_query.as_str();
    let all = ctx.walk("/search/channels", &token, &[("query", q), ("first", "100")]).await;
    assert!(all.len() > 20);
    assert_unique(&ids(&all, "id"));
    let mut seen_offline = false;
    for c in &all {
        let name = c["broadcaster_login"].as_str().unwrap().to_owned() + c["display_name"].as_str().unwrap();
        assert!(name.to_lowercase().contains(q));
        if c["is_live"] == true {
            assert!(!seen_offline, "live channels come first");
            assert!(c["started_at"].as_str().unwrap().ends_with('Z'));
        } else {
            seen_offline = true;
            assert_eq!(c["started_at"], "");
        }
    }
    assert!(seen_offline);
    let live = ctx.walk("/search/channels", &token, &[("query", q), ("live_only", "true"), ("first", "100")]).await;
    assert!(!live.is_empty() && live.iter().all(|c| c["is_live"] == true));
    assert_helix_error(&ctx.get("/search/channels", &token, &[]).await, 400);
    assert_helix_error(&ctx.get("/search/channels", &token, &[("query", q), ("live_only", "yes")]).await, 400);
}

#[tokio::test]
async fn eventsub_create_list_conflict_delete() {
    let ctx = start().await;
    let seed = ctx.sb.seed();
    let app = ctx.sb.mint_app_token();
    let post = |token: &str, body: Value| ctx.helix(Method::POST, "/eventsub/subscriptions", token).json(&body);
    let webhook = json!({
        "type": "stream.online",
        "version": "1",
        "condition": {"broadcaster_user_id": seed.broadcaster_id},
        "transport": {"method": "webhook", "callback": "https://example.com/hook", "secret": "0123456789"},
    });
    let r = ctx.send(post(&app, webhook.clone())).await;
    assert_eq!(r.status, 202, "{}", r.text);
    let sub = r.body["data"][0].clone();
    assert_eq!(sub["status"], "webhook_callback_verification_pending");
    assert_eq!(sub["transport"], json!({"method": "webhook", "callback": "https://example.com/hook"}));
    assert_eq!(r.body["total"], 1);
    assert_eq!(r.body["max_total_cost"], 10000);
    assert!(r.body.get("pagination").is_none());
    // The broadcaster never authorized the client: cost 1.
    assert_eq!(sub["cost"], 1);
    assert_eq!(r.body["total_cost"], 1);

    assert_helix_error(&ctx.send(post(&app, webhook.clone())).await, 409);
    let mut bad = webhook.clone();
    bad["transport"]["callback"] = json!("http://example.com/hook");
    assert_helix_error(&ctx.send(post(&app, bad)).await, 400);
    let mut bad = webhook.clone();
    bad["transport"]["secret"] = json!("short");
    assert_helix_error(&ctx.send(post(&app, bad)).await, 400);
    let mut bad = webhook.clone();
    bad["transport"]["method"] = json!("carrier-pigeon");
    assert_helix_error(&ctx.send(post(&app, bad)).await, 400);
    // The transport's fields are strings: `null` is malformed, not absent, even in a field
    // the method does not use; so is a number.
    for (key, value) in [("conduit_id", Value::Null), ("session_id", Value::Null), ("conduit_id", json!(7))] {
        let mut bad = webhook.clone();
        bad["transport"][key] = value;
        let r = ctx.send(post(&app, bad)).await;
        assert_helix_error(&r, 400);
        assert_eq!(r.body["message"], format!("The transport.{key} field must be a string"));
    }
    // A secret is 10 to 100 ASCII characters, whichever method it comes with.
    let mut bad = webhook.clone();
    bad["transport"]["secret"] = json!("x".repeat(101));
    assert_helix_error(&ctx.send(post(&app, bad)).await, 400);
    let mut bad = webhook.clone();
    bad["transport"] = json!("webhook");
    assert_helix_error(&ctx.send(post(&app, bad)).await, 400);

    let conduit = json!({
        "type": "channel.update",
        "version": "2",
        "condition": {"broadcaster_user_id": seed.broadcaster_id},
        "transport": {"method": "conduit", "conduit_id": "bfcfc993-26b1-b876-44d9-afe75a379dac"},
    });
    let r = ctx.send(post(&app, conduit)).await;
    assert_eq!(r.status, 202);
    assert_eq!(r.body["data"][0]["status"], "enabled");

    // Websocket needs a user token and a session the EventSub websocket issued; the user
    // authorized the client, so cost 0.
    let session = eventsub_session(&ctx.sb).await;
    let user = ctx.sb.mint_user_token(&seed.broadcaster_id, &[]);
    let ws = json!({
        "type": "channel.follow",
        "version": "2",
        "condition": {"broadcaster_user_id": seed.broadcaster_id, "moderator_user_id": seed.broadcaster_id},
        "transport": {"method": "websocket", "session_id": session.id},
    });
    assert_helix_error(&ctx.send(post(&app, ws.clone())).await, 401);
    let r = ctx.send(post(&user, ws)).await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(r.body["data"][0]["status"], "enabled");
    assert_eq!(r.body["data"][0]["cost"], 0);
    assert_eq!(r.body["data"][0]["transport"]["connected_at"], session.connected_at.as_str());

    // The app token sees the webhook and conduit subscriptions, the user token its websocket one.
    let list = ctx.get("/eventsub/subscriptions", &app, &[]).await;
    assert_eq!(list.body["total"], 2);
    assert_eq!(list.body["data"].as_array().unwrap().len(), 2);
    assert_eq!(list.body["pagination"], json!({}));
    let list = ctx.get("/eventsub/subscriptions", &user, &[]).await;
    assert_eq!(list.body["total"], 1);
    let by_type = ctx.get("/eventsub/subscriptions", &app, &[("type", "channel.update")]).await;
    assert_eq!(by_type.body["data"].as_array().unwrap().len(), 1);
    let by_status =
        ctx.get("/eventsub/subscriptions", &app, &[("status", "webhook_callback_verification_pending")]).await;
    assert_eq!(by_status.body["data"][0]["id"], sub["id"]);
    assert_helix_error(&ctx.get("/eventsub/subscriptions", &app, &[("status", "sleepy")]).await, 400);
    assert_helix_error(&ctx.get("/eventsub/subscriptions", &app, &[("status", "enabled"), ("type", "x")]).await, 400);
    let id = sub["id"].as_str().unwrap();
    let del = |token: &str, id: &str| ctx.helix(Method::DELETE, "/eventsub/subscriptions", token).query(&[("id", id)]);
    let r = ctx.send(del(&app, id)).await;
    assert_eq!(r.status, 204);
    assert!(r.text.is_empty());
    assert_helix_error(&ctx.send(del(&app, id)).await, 404);
    let list = ctx.get("/eventsub/subscriptions", &app, &[]).await;
    assert_eq!(list.body["total"], 1);
    assert_helix_error(&ctx.send(ctx.helix(Method::DELETE, "/eventsub/subscriptions", &app)).await, 400);
}

#[tokio::test]
async fn extension_live_channels_use_a_string_cursor() {
    let ctx = start().await;
    let seed = ctx.sb.seed();
    let token = ctx.sb.mint_app_token();
    let mut all: Vec<Value> = Vec::new();
    let mut cursor = String::new();
    loop {
        let mut q = vec![("extension_id", seed.live_extension_id.as_str()), ("first", "50")];
        if !cursor.is_empty() {
            q.push(("after", cursor.as_str()));
        }
        let r = ctx.get("/extensions/live", &token, &q).await;
        assert_eq!(r.status, 200, "{}", r.text);
        all.extend(r.body["data"].as_array().unwrap().iter().cloned());
        cursor = r.body["pagination"].as_str().expect("bare string").to_owned();
        if cursor.is_empty() {
            break;
        }
    }
    assert_eq!(all.len(), seed.live_extension_channel_count);
    assert!(all.len() > 150);
    assert_unique(&ids(&all, "broadcaster_id"));
    assert_helix_error(&ctx.get("/extensions/live", &token, &[("extension_id", &seed.idle_extension_id)]).await, 404);
    assert_helix_error(&ctx.get("/extensions/live", &token, &[("extension_id", "nope")]).await, 404);
    let bad_cursor = [("extension_id", seed.live_extension_id.as_str()), ("after", "nope")];
    assert_helix_error(&ctx.get("/extensions/live", &token, &bad_cursor).await, 400);
}

#[tokio::test]
async fn clips_and_games() {
    let ctx = start().await;
    let seed = ctx.sb.seed();
    let token = ctx.sb.mint_app_token();
    let clips = ctx.walk("/clips", &token, &[("broadcaster_id", &seed.broadcaster_id), ("first", "100")]).await;
    assert_eq!(clips.len(), seed.broadcaster_clip_count);
    assert_unique(&ids(&clips, "id"));
    for c in &clips {
        assert_eq!(c["video_id"] == "", c["vod_offset"].is_null());
        assert!(c["duration"].is_f64() || c["duration"].is_u64());
    }
    let one = ctx.get("/clips", &token, &[("id", &seed.clip_id)]).await;
    assert_eq!(one.body["data"][0]["id"], seed.clip_id.as_str());
    let both = [("id", seed.clip_id.as_str()), ("game_id", seed.game_id.as_str())];
    assert_helix_error(&ctx.get("/clips", &token, &both).await, 400);
    assert_helix_error(&ctx.get("/clips", &token, &[]).await, 400);
    let only_end = [("broadcaster_id", seed.broadcaster_id.as_str()), ("ended_at", "2026-11-01T00:00:00Z")];
    assert_helix_error(&ctx.get("/clips", &token, &only_end).await, 400);
    let window =
        [("broadcaster_id", seed.broadcaster_id.as_str()), ("started_at", "2026-11-10T00:00:00Z"), ("first", "100")];
    let w = ctx.walk("/clips", &token, &window).await;
    assert!(!w.is_empty() && w.len() < clips.len());
    assert!(w.iter().all(|c| c["created_at"].as_str().unwrap() >= "2026-11-10"));

    // Games.
    let g = ctx.get("/games", &token, &[("id", &seed.game_id), ("name", &seed.game_name)]).await;
    assert_eq!(g.body["data"].as_array().unwrap().len(), 1);
    let g = ctx.get("/games", &token, &[("id", &seed.game_without_igdb_id)]).await;
    assert_eq!(g.body["data"][0]["igdb_id"], "");
    assert_helix_error(&ctx.get("/games", &token, &[]).await, 400);
    let top = ctx.walk("/games/top", &token, &[]).await;
    assert_eq!(top.len(), seed.game_count);
    assert_eq!(top[0]["id"], seed.game_id.as_str());
    assert_unique(&ids(&top, "id"));
}

#[tokio::test]
async fn chat_messages_and_chatters() {
    let ctx = start().await;
    let seed = ctx.sb.seed();
    let b = seed.broadcaster_id.as_str();
    let sender = seed.follower_id.as_str();
    let token = ctx.sb.mint_user_token(sender, &["user:write:chat"]);
    let send = |token: &str, body: Value| ctx.helix(Method::POST, "/chat/messages", token).json(&body);
    let r = ctx.send(send(&token, json!({"broadcaster_id": b, "sender_id": sender, "message": "hello"}))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["data"][0]["is_sent"], true);
    assert!(!r.body["data"][0]["message_id"].as_str().unwrap().is_empty());
    assert!(r.body["data"][0].get("drop_reason").is_none());
    let r = ctx.send(send(&token, json!({"broadcaster_id": b, "sender_id": sender, "message": "dropme"}))).await;
    assert_eq!(r.body["data"][0]["is_sent"], false);
    assert!(r.body["data"][0]["drop_reason"]["code"].is_string());
    let long = "a".repeat(501);
    let r = ctx.send(send(&token, json!({"broadcaster_id": b, "sender_id": sender, "message": long}))).await;
    assert_helix_error(&r, 422);
    let r = ctx.send(send(&token, json!({"broadcaster_id": b, "sender_id": b, "message": "hi"}))).await;
    assert_helix_error(&r, 401);
    let r = ctx.send(send(&token, json!({"broadcaster_id": b, "sender_id": sender}))).await;
    assert_helix_error(&r, 400);
    // `for_source_only` "cannot be specified when a User Access Token is used": not as a
    // boolean, not as `null` (the spec's boolean is not nullable), not as anything else.
    for value in [json!(true), json!(false), Value::Null, json!("true")] {
        let body = json!({"broadcaster_id": b, "sender_id": sender, "message": "hi", "for_source_only": value});
        assert_helix_error(&ctx.send(send(&token, body)).await, 400);
    }
    let body = json!({"broadcaster_id": b, "sender_id": sender, "message": "hi", "reply_parent_message_id": null});
    assert_helix_error(&ctx.send(send(&token, body)).await, 400);
    let app = ctx.sb.mint_app_token();
    let r = ctx.send(send(&app, json!({"broadcaster_id": b, "sender_id": sender, "message": "hi"}))).await;
    assert_helix_error(&r, 401);

    // Chatters: the broadcaster pages 1000 + the rest; a non-moderator gets 403.
    let own = ctx.sb.mint_user_token(b, &["moderator:read:chatters"]);
    let all = ctx.walk("/chat/chatters", &own, &[("broadcaster_id", b), ("moderator_id", b), ("first", "1000")]).await;
    assert_eq!(all.len(), seed.broadcaster_chatter_count);
    assert_unique(&ids(&all, "user_id"));
    let first = ctx.get("/chat/chatters", &own, &[("broadcaster_id", b), ("moderator_id", b)]).await;
    assert_eq!(first.body["data"].as_array().unwrap().len(), 100);
    assert_eq!(first.body["total"], seed.broadcaster_chatter_count);
    let m = seed.moderator_id.as_str();
    let mod_token = ctx.sb.mint_user_token(m, &["moderator:read:chatters"]);
    assert_eq!(ctx.get("/chat/chatters", &mod_token, &[("broadcaster_id", b), ("moderator_id", m)]).await.status, 200);
    let outsider = ctx.sb.mint_user_token(sender, &["moderator:read:chatters"]);
    let r = ctx.get("/chat/chatters", &outsider, &[("broadcaster_id", b), ("moderator_id", sender)]).await;
    assert_helix_error(&r, 403);
    let r = ctx.get("/chat/chatters", &outsider, &[("broadcaster_id", b), ("moderator_id", b)]).await;
    assert_helix_error(&r, 401);
    let r = ctx.get("/chat/chatters", &own, &[("broadcaster_id", b), ("moderator_id", b), ("first", "1001")]).await;
    assert_helix_error(&r, 400);
}

#[tokio::test]
async fn rate_limit_headers_and_429() {
    let config = SandboxConfig { ratelimit_points: 3, ..SandboxConfig::default() };
    let ctx = start_with(config).await;
    let seed = ctx.sb.seed();
    let token = ctx.sb.mint_app_token();
    let q = [("id", seed.broadcaster_id.as_str())];
    let header = |r: &Reply, name: &str| -> u64 { r.headers.get(name).unwrap().to_str().unwrap().parse().unwrap() };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    for expected in [2, 1, 0] {
        let r = ctx.get("/users", &token, &q).await;
        assert_eq!(r.status, 200);
        assert_eq!(header(&r, "ratelimit-limit"), 3);
        assert_eq!(header(&r, "ratelimit-remaining"), expected);
        assert!(header(&r, "ratelimit-reset") >= now);
    }
    let r = ctx.get("/users", &token, &q).await;
    assert_helix_error(&r, 429);
    assert_eq!(r.body["error"], "Too Many Requests");
    assert_eq!(header(&r, "ratelimit-remaining"), 0);
    assert!(header(&r, "ratelimit-reset") > now);
    // A user token has its own bucket.
    let user = ctx.sb.mint_user_token(&seed.broadcaster_id, &[]);
    assert_eq!(ctx.get("/users", &user, &q).await.status, 200);
}
