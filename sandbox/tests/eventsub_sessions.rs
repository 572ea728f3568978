//! Create EventSub Subscription with `transport.method = websocket`, against the sandbox's
//! EventSub websocket: only a session the server issued and that is still connected takes
//! subscriptions, at most 300 enabled ones, and every answer carries the cost accounting
//! (`cost`, `total`, `total_cost`, `max_total_cost`). Facts: `shared/reference/eventsub-facts.md`
//! ("Limits") and `api-facts.md` (Create / Get EventSub Subscriptions).
//!
//! Each session is a real connection ([`eventsub_session`]); its end is observed by reading the
//! socket to the server's close, which the server sends only after the session is gone.

mod common;

use common::eventsub_ws::eventsub_session;
use common::*;
use reqwest::Method;
use serde_json::{Value, json};
use streamkit_sandbox::SandboxConfig;

/// Twitch's 400 for a session it did not issue or that has ended.
const UNKNOWN_SESSION: &str = "websocket transport session does not exist or has already disconnected";

fn websocket(kind: &str, condition: Value, session: &str) -> Value {
    json!({
        "type": kind,
        "version": "1",
        "condition": condition,
        "transport": {"method": "websocket", "session_id": session},
    })
}

async fn create(ctx: &Ctx, token: &str, body: &Value) -> Reply {
    ctx.send(ctx.helix(Method::POST, "/eventsub/subscriptions", token).json(body)).await
}

#[tokio::test]
async fn only_a_connected_session_the_server_issued_takes_subscriptions() {
    let ctx = start().await;
    let b = ctx.sb.seed().broadcaster_id;
    let token = ctx.sb.mint_user_token(&b, &[]);
    let online = |session: &str| websocket("stream.online", json!({"broadcaster_user_id": b}), session);

    // Made up: well-formed like Twitch's ids, but never issued.
    for made_up in ["AQoQexAWVYKSTIu4ec_2VAxyuhAB", "session-1"] {
        let r = create(&ctx, &token, &online(made_up)).await;
        assert_helix_error(&r, 400);
        assert_eq!(r.body["message"], UNKNOWN_SESSION);
    }

    let mut first = eventsub_session(&ctx.sb).await;
    let r = create(&ctx, &token, &online(&first.id)).await;
    assert_eq!(r.status, 202, "{}", r.text);
    let transport = &r.body["data"][0]["transport"];
    assert_eq!(transport["session_id"], first.id.as_str());
    assert_eq!(transport["connected_at"], first.connected_at.as_str(), "the session's, from its welcome");

    // The server ends the session: its id takes nothing more, and its subscription is gone.
    let hooks = ctx.sb.twitch().eventsub();
    assert!(hooks.close_websocket(&first.id, 4000, "internal server error"));
    first.until_closed().await;
    let r = create(&ctx, &token, &websocket("stream.offline", json!({"broadcaster_user_id": b}), &first.id)).await;
    assert_helix_error(&r, 400);
    assert_eq!(r.body["message"], UNKNOWN_SESSION);
    assert_eq!(ctx.get("/eventsub/subscriptions", &token, &[]).await.body["total"], 0);
}

#[tokio::test]
async fn a_session_takes_300_enabled_subscriptions() {
    let ctx = start_with(SandboxConfig { ratelimit_points: 1_000_000, ..SandboxConfig::default() }).await;
    let b = ctx.sb.seed().broadcaster_id;
    // The broadcaster's own token: each subscription names them, so each costs 0 and the
    // websocket's `max_total_cost` of 10 is never the limit here.
    let token = ctx.sb.mint_user_token(&b, &["channel:read:redemptions"]);
    let session = eventsub_session(&ctx.sb).await;
    let redemption = |reward: usize, session: &str| {
        let condition = json!({"broadcaster_user_id": b, "reward_id": format!("reward-{reward}")});
        websocket("channel.channel_points_custom_reward_redemption.add", condition, session)
    };
    let mut ids = Vec::new();
    for reward in 0..300 {
        let r = create(&ctx, &token, &redemption(reward, &session.id)).await;
        assert_eq!(r.status, 202, "subscription {reward}: {}", r.text);
        assert_eq!((r.body["total"].as_u64(), r.body["total_cost"].as_u64()), (Some(reward as u64 + 1), Some(0)));
        ids.push(r.body["data"][0]["id"].as_str().expect("an id").to_owned());
    }
    let r = create(&ctx, &token, &redemption(300, &session.id)).await;
    assert_helix_error(&r, 429);
    assert!(r.body["message"].as_str().unwrap_or_default().contains("300"), "{}", r.text);
    // Another session of the same user has its own 300.
    let other = eventsub_session(&ctx.sb).await;
    assert_eq!(create(&ctx, &token, &redemption(300, &other.id)).await.status, 202);
    // A revoked subscription is no longer enabled, so it no longer counts.
    let hooks = ctx.sb.twitch().eventsub();
    assert!(hooks.revoke(&ids[0], "authorization_revoked").is_some());
    let r = create(&ctx, &token, &redemption(301, &session.id)).await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_helix_error(&create(&ctx, &token, &redemption(302, &session.id)).await, 429);
    drop(other);
}

#[tokio::test]
async fn every_answer_carries_the_cost_accounting() {
    let ctx = start().await;
    let seed = ctx.sb.seed();
    // A user subscribing to other channels: the broadcasters never authorized the client, so
    // each subscription costs 1, and a websocket user may spend 10 in all.
    let viewer = seed.follower_id.clone();
    let token = ctx.sb.mint_user_token(&viewer, &[]);
    let session = eventsub_session(&ctx.sb).await;
    let kinds = ["stream.online", "stream.offline", "channel.update", "channel.raid", "channel.cheer"];
    let channels = [&seed.user_ids[0], &seed.user_ids[2], &seed.user_ids[3]];
    let mut bodies: Vec<Value> = Vec::new();
    for kind in kinds {
        for b in channels {
            let condition = match kind {
                "channel.raid" => json!({"to_broadcaster_user_id": b}),
                _ => json!({"broadcaster_user_id": b}),
            };
            bodies.push(websocket(kind, condition, &session.id));
        }
    }
    assert!(bodies.len() > 10);
    for (n, body) in bodies.iter().take(10).enumerate() {
        let r = create(&ctx, &token, body).await;
        assert_eq!(r.status, 202, "{}", r.text);
        assert_eq!(r.body["data"][0]["cost"], 1, "{}", r.text);
        assert_eq!(r.body["total"], n + 1);
        assert_eq!(r.body["total_cost"], n + 1);
        assert_eq!(r.body["max_total_cost"], 10);
    }
    let r = create(&ctx, &token, &bodies[10]).await;
    assert_helix_error(&r, 429);
    assert!(r.body["message"].as_str().unwrap_or_default().contains("max_total_cost"), "{}", r.text);
    let list = ctx.get("/eventsub/subscriptions", &token, &[]).await;
    assert_eq!((list.body["total"].as_u64(), list.body["total_cost"].as_u64()), (Some(10), Some(10)));
    assert_eq!(list.body["max_total_cost"], 10);

    // A subscription naming the token's own user costs 0, even with the budget spent.
    let own = websocket("channel.update", json!({"broadcaster_user_id": viewer}), &session.id);
    let r = create(&ctx, &token, &own).await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!((r.body["data"][0]["cost"].as_u64(), r.body["total_cost"].as_u64()), (Some(0), Some(10)));

    // The subscriptions die with the session, and their cost with them.
    let hooks = ctx.sb.twitch().eventsub();
    let mut session = session;
    assert!(hooks.close_websocket(&session.id, 4000, "internal server error"));
    session.until_closed().await;
    let list = ctx.get("/eventsub/subscriptions", &token, &[]).await;
    assert_eq!((list.body["total"].as_u64(), list.body["total_cost"].as_u64()), (Some(0), Some(0)));
    let fresh = eventsub_session(&ctx.sb).await;
    let mut again = bodies[10].clone();
    again["transport"]["session_id"] = json!(fresh.id);
    let r = create(&ctx, &token, &again).await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(r.body["total_cost"], 1);
}

#[tokio::test]
async fn a_user_subscribes_on_at_most_three_sessions() {
    let ctx = start().await;
    let b = ctx.sb.seed().broadcaster_id;
    let token = ctx.sb.mint_user_token(&b, &[]);
    let online = |session: &str| websocket("stream.online", json!({"broadcaster_user_id": b}), session);
    let mut sessions = Vec::new();
    for _ in 0..3 {
        let session = eventsub_session(&ctx.sb).await;
        assert_eq!(create(&ctx, &token, &online(&session.id)).await.status, 202);
        sessions.push(session);
    }
    // A fourth session of the same user and client.
    let fourth = eventsub_session(&ctx.sb).await;
    let r = create(&ctx, &token, &online(&fourth.id)).await;
    assert_helix_error(&r, 429);
    assert_eq!(r.body["message"], "number of websocket transports limit exceeded");
    // A session already in use takes more; another user has sessions of their own.
    let more = websocket("stream.offline", json!({"broadcaster_user_id": b}), &sessions[0].id);
    assert_eq!(create(&ctx, &token, &more).await.status, 202);
    let other = ctx.sb.mint_user_token(&ctx.sb.seed().follower_id, &[]);
    assert_eq!(create(&ctx, &other, &online(&fourth.id)).await.status, 202);
    // Once one of the three ends, the fourth is allowed.
    let mut ended = sessions.remove(1);
    assert!(ctx.sb.twitch().eventsub().close_websocket(&ended.id, 4000, "internal server error"));
    ended.until_closed().await;
    let offline = websocket("stream.offline", json!({"broadcaster_user_id": b}), &fourth.id);
    assert_eq!(create(&ctx, &token, &offline).await.status, 202);
}
