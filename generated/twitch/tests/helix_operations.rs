//! One test per Helix operation, driven through the embedded sandbox in strict mode: the
//! response must decode with no unknown enum value and no undocumented field, and the typed
//! result must say what the sandbox's seeded data says.

mod common;

use common::*;
use streamkit_twitch::helix::types;

#[tokio::test]
async fn get_users_by_id_and_login_repeats_keys() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let c = app_client(&sb);
    let r = c
        .get_users()
        .id(vec![seed.user_ids[0].clone(), seed.user_ids[1].clone()])
        .login(vec![seed.user_logins[2].clone()])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mut ids: Vec<_> = r.data.iter().map(|u| u.id.clone()).collect();
    ids.sort();
    let mut want = vec![seed.user_ids[0].clone(), seed.user_ids[1].clone(), seed.user_ids[2].clone()];
    want.sort();
    assert_eq!(ids, want);
    assert!(r.data.iter().all(|u| !u.login.is_empty() && u.created_at.timestamp() > 0));
    // No parameters with a user token: the token's own user.
    let me = user_client(&sb, &seed.user_ids[3], &[]).get_users().send().await.unwrap();
    assert_eq!(me.data.len(), 1);
    assert_eq!(me.data[0].id, seed.user_ids[3]);
    // No parameters with an app token: 400.
    let e = c.get_users().send().await.unwrap_err();
    assert_eq!(status(&e), 400);
    assert!(e.api().unwrap().message().is_some());
    // More than 100 ids (the spec's maxItems) is refused before anything is sent.
    sb.clear_requests();
    let many: Vec<String> = (0..101).map(|i| i.to_string()).collect();
    let e = c.get_users().id(many).send().await.unwrap_err();
    assert!(matches!(e, streamkit_runtime::Error::InvalidRequest { .. }), "{e}");
    assert_eq!(
        e.to_string(),
        "get_users: invalid request: parameter `id` has 101 values, more than the maximum of 100"
    );
    assert!(sb.requests().is_empty());
}

#[tokio::test]
async fn get_streams_pages_by_viewers_and_filters() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let c = app_client(&sb);
    let page = c.get_streams().first(100u64).send().await.unwrap();
    assert_eq!(page.data.len(), 100);
    assert!(page.data.windows(2).all(|w| w[0].viewer_count >= w[1].viewer_count));
    let cursor = page.pagination.as_ref().and_then(|p| p.cursor.clone()).expect("more pages");
    let next = c.get_streams().first(100u64).after(cursor).send().await.unwrap();
    assert!(next.data[0].viewer_count <= page.data[99].viewer_count);
    assert!(next.data.iter().all(|s| !page.data.iter().any(|p| p.id == s.id)));
    let one = c.get_streams().user_login(vec![seed.broadcaster_login.clone()]).send().await.unwrap();
    assert_eq!(one.data.len(), 1);
    assert_eq!(one.data[0].user_id, seed.broadcaster_id);
    assert_eq!(one.data[0].type_.to_string(), "live");
    let by_game = c.get_streams().game_id(vec![seed.game_id.clone()]).first(20u64).send().await.unwrap();
    assert!(!by_game.data.is_empty() && by_game.data.iter().all(|s| s.game_id == seed.game_id));
    // first out of range is refused client-side (maximum 100 is in the spec) or by the server.
    assert!(c.get_streams().first(101u64).send().await.is_err());
}

#[tokio::test]
async fn get_videos_archive_highlight_and_errors() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let c = app_client(&sb);
    let r = c.get_videos().id(vec![seed.video_id.clone(), seed.highlight_video_id.clone()]).send().await.unwrap();
    let archive = r.data.iter().find(|v| v.id == seed.video_id).unwrap();
    let highlight = r.data.iter().find(|v| v.id == seed.highlight_video_id).unwrap();
    assert!(archive.stream_id.is_some());
    assert!(highlight.stream_id.is_none());
    assert!(!archive.duration.is_empty());
    let by_user = c.get_videos().user_id(seed.broadcaster_id.clone()).first(100u64).send().await.unwrap();
    assert!(by_user.data.iter().all(|v| v.user_id == seed.broadcaster_id));
    assert_eq!(status(&c.get_videos().send().await.unwrap_err()), 400);
    assert_eq!(status(&c.get_videos().id(vec!["999999999999".to_string()]).send().await.unwrap_err()), 404);
}

#[tokio::test]
async fn modify_then_get_channel_information() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let b = &seed.broadcaster_id;
    let app = app_client(&sb);
    let before = app.get_channel_information().broadcaster_id(vec![b.clone()]).send().await.unwrap();
    assert_eq!(before.data[0].broadcaster_id, *b);
    let owner = user_client(&sb, b, &["channel:manage:broadcast"]);
    let body =
        types::ModifyChannelInformationBody::builder().title("Speedrunning all day").tags(["Speedrun", "English"]);
    let done = owner.modify_channel_information().broadcaster_id(b.clone()).body(body).send().await.unwrap();
    assert_eq!(done.status(), 204);
    let after = app.get_channel_information().broadcaster_id(vec![b.clone()]).send().await.unwrap();
    assert_eq!(after.data[0].title, "Speedrunning all day");
    assert_eq!(after.data[0].tags, vec!["Speedrun".to_string(), "English".to_string()]);
    // An empty title never leaves the client: the spec says minLength 1.
    assert!(types::ModifyChannelInformationBodyTitle::try_from(String::new()).is_err());
    // An app token cannot modify a channel; another user cannot either.
    let e = app
        .modify_channel_information()
        .broadcaster_id(b.clone())
        .body(types::ModifyChannelInformationBody::builder().tags(Vec::<String>::new()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&e), 401);
    let other = user_client(&sb, &seed.user_ids[5], &["channel:manage:broadcast"]);
    let e = other
        .modify_channel_information()
        .broadcaster_id(b.clone())
        .body(types::ModifyChannelInformationBody::builder().tags(Vec::<String>::new()))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(status(&e), 401 | 403), "{e}");
}

#[tokio::test]
async fn get_channel_followers_full_list_or_total_only() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let b = &seed.broadcaster_id;
    let owner = user_client(&sb, b, &["moderator:read:followers"]);
    let r = owner.get_channel_followers().broadcaster_id(b.clone()).first(100u64).send().await.unwrap();
    assert_eq!(r.total as usize, seed.broadcaster_follower_count);
    assert_eq!(r.data.len(), 100);
    assert!(r.pagination.as_ref().and_then(|p| p.cursor.as_ref()).is_some());
    // Without the scope: only the total.
    let outsider = user_client(&sb, &seed.follower_id, &[]);
    let r = outsider.get_channel_followers().broadcaster_id(b.clone()).send().await.unwrap();
    assert!(r.data.is_empty());
    assert_eq!(r.total as usize, seed.broadcaster_follower_count);
    // Checking one follower.
    let one =
        owner.get_channel_followers().broadcaster_id(b.clone()).user_id(seed.follower_id.clone()).send().await.unwrap();
    assert_eq!(one.data.len(), 1);
    assert_eq!(one.data[0].user_id, seed.follower_id);
}

#[tokio::test]
async fn get_followed_channels_of_the_token_user() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let f = &seed.follower_id;
    let c = user_client(&sb, f, &["user:read:follows"]);
    let r = c.get_followed_channels().user_id(f.clone()).first(100u64).send().await.unwrap();
    assert_eq!(r.total as usize, seed.follower_followed_count);
    assert_eq!(r.data.len(), seed.follower_followed_count.min(100));
    assert!(r.data.iter().any(|x| x.broadcaster_id == seed.broadcaster_id));
    // Another user's list: refused.
    let e = c.get_followed_channels().user_id(seed.broadcaster_id.clone()).send().await.unwrap_err();
    assert!(matches!(status(&e), 400 | 401 | 403), "{e}");
}

#[tokio::test]
async fn search_channels_live_and_offline() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let c = app_client(&sb);
    let r = c.search_channels().query(seed.search_query.clone()).first(100u64).send().await.unwrap();
    assert!(r.data.len() > 20);
    assert!(r.data.iter().any(|x| x.is_live && !x.started_at.is_empty()));
    assert!(r.data.iter().any(|x| !x.is_live && x.started_at.is_empty()), "offline channels carry started_at \"\"");
    let live = c.search_channels().query(seed.search_query.clone()).live_only(true).first(100u64).send().await.unwrap();
    assert!(live.data.iter().all(|x| x.is_live));
    // An empty query never leaves the client (the spec says minLength 1).
    let e = c.search_channels().query(String::new()).send().await.unwrap_err();
    assert!(matches!(e, streamkit_runtime::Error::InvalidRequest { .. }) && e.to_string().contains("query"), "{e}");
}

#[tokio::test]
async fn eventsub_create_list_conflict_delete() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let c = app_client(&sb);
    let body = || {
        types::CreateEventsubSubscriptionBody::builder()
            .type_("channel.update".to_string())
            .version("2".to_string())
            .condition(
                serde_json::from_value::<types::EventSubCondition>(
                    serde_json::json!({"broadcaster_user_id": seed.broadcaster_id}),
                )
                .unwrap(),
            )
            .transport(
                types::EventSubTransportRequest::builder()
                    .method(types::EventSubTransportMethod::Webhook)
                    .callback("https://example.com/webhooks/callback")
                    .secret(streamkit_runtime::Secret::new("s3cre7-long-enough")),
            )
    };
    let created = c.create_eventsub_subscription().body(body()).send().await.unwrap();
    assert_eq!(created.status(), 202);
    let sub = &created.data[0];
    assert_eq!(sub.type_, "channel.update");
    assert_eq!(sub.status.to_string(), "webhook_callback_verification_pending");
    assert_eq!(created.total, 1);
    let dup = c.create_eventsub_subscription().body(body()).send().await.unwrap_err();
    assert_eq!(status(&dup), 409);
    let list = c.get_eventsub_subscriptions().send().await.unwrap();
    assert_eq!(list.total, 1);
    assert_eq!(list.data[0].id, sub.id);
    assert_eq!(list.total_cost, created.total_cost);
    assert!(list.max_total_cost > 0);
    let gone = c.delete_eventsub_subscription().id(sub.id.clone()).send().await.unwrap();
    assert_eq!(gone.status(), 204);
    assert_eq!(c.get_eventsub_subscriptions().send().await.unwrap().total, 0);
    assert_eq!(status(&c.delete_eventsub_subscription().id(sub.id.clone()).send().await.unwrap_err()), 404);
    // A webhook without an https callback is a bad request.
    let bad = types::CreateEventsubSubscriptionBody::builder()
        .type_("channel.update".to_string())
        .version("2".to_string())
        .condition(
            serde_json::from_value::<types::EventSubCondition>(
                serde_json::json!({"broadcaster_user_id": seed.broadcaster_id}),
            )
            .unwrap(),
        )
        .transport(
            types::EventSubTransportRequest::builder()
                .method(types::EventSubTransportMethod::Webhook)
                .callback("http://insecure".to_string()),
        );
    assert_eq!(status(&c.create_eventsub_subscription().body(bad).send().await.unwrap_err()), 400);
}

#[tokio::test]
async fn extension_live_channels_bare_string_cursor() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let c = app_client(&sb);
    let mut seen = std::collections::BTreeSet::new();
    let mut after: Option<String> = None;
    for _ in 0..100 {
        let mut req = c.get_extension_live_channels().extension_id(seed.live_extension_id.clone()).first(100u64);
        if let Some(a) = after.take() {
            req = req.after(a);
        }
        let page = req.send().await.unwrap();
        for ch in &page.data {
            assert!(seen.insert(ch.broadcaster_id.clone()), "no duplicates across pages");
        }
        match page.pagination.clone().filter(|p| !p.is_empty()) {
            Some(cursor) => after = Some(cursor),
            None => break,
        }
    }
    assert_eq!(seen.len(), seed.live_extension_channel_count);
    let e = c.get_extension_live_channels().extension_id(seed.idle_extension_id.clone()).send().await.unwrap_err();
    assert_eq!(status(&e), 404);
}

#[tokio::test]
async fn get_clips_by_id_and_broadcaster() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let c = app_client(&sb);
    let r = c.get_clips().id(vec![seed.clip_id.clone()]).send().await.unwrap();
    assert_eq!(r.data.len(), 1);
    assert_eq!(r.data[0].id, seed.clip_id);
    assert_eq!(r.data[0].broadcaster_id, seed.broadcaster_id);
    let five = c.get_clips().broadcaster_id(seed.broadcaster_id.clone()).first(5u64).send().await.unwrap();
    assert_eq!(five.data.len(), 5);
    assert!(five.pagination.as_ref().and_then(|p| p.cursor.as_ref()).is_some());
    let e = c
        .get_clips()
        .broadcaster_id(seed.broadcaster_id.clone())
        .game_id(seed.game_id.clone())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&e), 400);
}

#[tokio::test]
async fn get_games_by_id_name_and_igdb() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let c = app_client(&sb);
    let r = c.get_games().id(vec![seed.game_id.clone()]).name(vec![seed.game_name.clone()]).send().await.unwrap();
    assert_eq!(r.data.len(), 1, "same game by id and name is one result");
    assert_eq!(r.data[0].name, seed.game_name);
    assert!(r.data[0].box_art_url.contains("{width}x{height}"));
    let blank = c.get_games().id(vec![seed.game_without_igdb_id.clone()]).send().await.unwrap();
    assert_eq!(blank.data[0].igdb_id, "");
    assert_eq!(status(&c.get_games().send().await.unwrap_err()), 400);
}

#[tokio::test]
async fn get_top_games_forward_and_backward() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let c = app_client(&sb);
    let first = c.get_top_games().first(10u64).send().await.unwrap();
    assert_eq!(first.data.len(), 10);
    assert_eq!(first.data[0].id, seed.game_id);
    let cursor = first.pagination.as_ref().and_then(|p| p.cursor.clone()).unwrap();
    let second = c.get_top_games().first(10u64).after(cursor).send().await.unwrap();
    assert!(second.data.iter().all(|g| !first.data.iter().any(|f| f.id == g.id)));
    let back_cursor = second.pagination.as_ref().and_then(|p| p.cursor.clone()).unwrap();
    let back = c.get_top_games().first(10u64).before(back_cursor).send().await.unwrap();
    assert!(!back.data.is_empty());
}

#[tokio::test]
async fn send_chat_message_sent_and_dropped() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let sender = &seed.user_ids[4];
    let c = user_client(&sb, sender, &["user:write:chat"]);
    let body = |m: &str| {
        types::SendChatMessageBody::builder()
            .broadcaster_id(seed.broadcaster_id.clone())
            .sender_id(sender.clone())
            .message(types::SendChatMessageBodyMessage::try_from(m.to_string()).unwrap())
    };
    let r = c.send_chat_message().body(body("hello chat")).send().await.unwrap();
    assert!(r.data[0].is_sent);
    assert!(!r.data[0].message_id.is_empty());
    let dropped = c.send_chat_message().body(body("dropme")).send().await.unwrap();
    assert!(!dropped.data[0].is_sent);
    assert!(dropped.data[0].drop_reason.is_some());
    // Over 500 characters never leaves the client.
    assert!(types::SendChatMessageBodyMessage::try_from("x".repeat(501)).is_err());
    // Without the scope: refused.
    let e = user_client(&sb, sender, &[]).send_chat_message().body(body("hi")).send().await.unwrap_err();
    assert!(matches!(status(&e), 401 | 403), "{e}");
}

#[tokio::test]
async fn get_chatters_as_moderator() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let m = &seed.moderator_id;
    let c = user_client(&sb, m, &["moderator:read:chatters"]);
    let r = c
        .get_chatters()
        .broadcaster_id(seed.broadcaster_id.clone())
        .moderator_id(m.clone())
        .first(1000u64)
        .send()
        .await
        .unwrap();
    assert_eq!(r.total as usize, seed.broadcaster_chatter_count);
    assert_eq!(r.data.len(), seed.broadcaster_chatter_count.min(1000));
    let outsider = user_client(&sb, &seed.follower_id, &["moderator:read:chatters"]);
    let e = outsider
        .get_chatters()
        .broadcaster_id(seed.broadcaster_id.clone())
        .moderator_id(seed.follower_id.clone())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&e), 403);
}
