//! EventSub over a websocket, end to end through the sandbox: the client connects to the
//! sandbox's `/eventsub/ws`, creates its subscriptions through the sandbox's Helix, and reads
//! what the sandbox sends; the sandbox's hooks drive reconnects, drops, resends, revocations
//! and the subscribe rule, and its session list and frame log say what the server saw.
//!
//! Nothing here sleeps or measures time: each step awaits the client's next event (under a
//! generous timeout, so a missing event fails instead of hanging) or reads the sandbox's state.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{sandbox, user_client};
use serde_json::json;
use streamkit_runtime::ProtocolErrorKind;
use streamkit_sandbox::Sandbox;
use streamkit_twitch::eventsub::Subscription;
use streamkit_twitch::eventsub::websocket::{EventSubClient, EventSubEvent, Notification, Revocation};
use streamkit_twitch::eventsub_messages::EventsubEvent;
use streamkit_twitch::helix;
use streamkit_twitch::message::Strictness;

/// Guards every wait: far longer than any step takes, only there to turn a hang into a failure.
const PATIENCE: Duration = Duration::from_secs(20);

async fn connect(sb: &Sandbox, subscriptions: Vec<Subscription>) -> EventSubClient {
    let broadcaster = sb.seed().broadcaster_id;
    let helix = user_client(sb, &broadcaster, &["moderator:read:followers", "channel:manage:broadcast"]);
    // Strict: a frame or event carrying what the spec does not document would be `Invalid`
    // (and fail the test), so the sandbox's messages are the documented shapes.
    let mut builder = EventSubClient::builder(helix)
        .url(sb.twitch().eventsub().websocket_url())
        .keepalive_timeout_seconds(600)
        .strictness(Strictness::Strict);
    for s in subscriptions {
        builder = builder.subscribe(s);
    }
    tokio::time::timeout(PATIENCE, builder.connect()).await.expect("connects in time").expect("connects")
}

async fn next(client: &mut EventSubClient) -> EventSubEvent {
    tokio::time::timeout(PATIENCE, client.next()).await.expect("an event in time").expect("the client goes on")
}

/// The next notification; welcomes, moves and reconnects are skipped (and counted in `moved`).
async fn notification(client: &mut EventSubClient, moved: &mut usize) -> Notification {
    loop {
        match next(client).await {
            EventSubEvent::Notification(n) => return *n,
            EventSubEvent::Moved => *moved += 1,
            EventSubEvent::Welcome(_) | EventSubEvent::Reconnecting { .. } | EventSubEvent::Reconnected => {}
            other => panic!("expected a notification, got {other:?}"),
        }
    }
}

async fn revocation(client: &mut EventSubClient) -> Revocation {
    loop {
        match next(client).await {
            EventSubEvent::Revocation(r) => return *r,
            EventSubEvent::Welcome(_) => {}
            other => panic!("expected a revocation, got {other:?}"),
        }
    }
}

/// A `channel.update` v2 event, every documented field set.
fn update(broadcaster: &str, title: &str) -> serde_json::Value {
    json!({
        "broadcaster_user_id": broadcaster,
        "broadcaster_user_login": "b",
        "broadcaster_user_name": "B",
        "title": title,
        "language": "en",
        "category_id": "509658",
        "category_name": "Just Chatting",
        "content_classification_labels": [],
    })
}

/// A `stream.online` v1 event.
fn online(broadcaster: &str) -> serde_json::Value {
    json!({
        "id": "9001",
        "broadcaster_user_id": broadcaster,
        "broadcaster_user_login": "b",
        "broadcaster_user_name": "B",
        "type": "live",
        "started_at": "2020-10-11T10:11:12.123456789Z",
    })
}

fn follow(broadcaster: &str, n: usize) -> serde_json::Value {
    json!({
        "user_id": format!("{}", 90_000 + n),
        "user_login": format!("follower{n}"),
        "user_name": format!("Follower{n}"),
        "broadcaster_user_id": broadcaster,
        "broadcaster_user_login": "b",
        "broadcaster_user_name": "B",
        "followed_at": "2023-07-15T18:16:11.17106713Z",
    })
}

#[tokio::test]
async fn subscribes_and_receives_events_including_one_caused_by_a_rest_write() {
    let sb = sandbox().await;
    let b = sb.seed().broadcaster_id;
    let mut client =
        connect(&sb, vec![Subscription::channel_follow_v2(&b, &b), Subscription::channel_update_v2(&b)]).await;
    let hooks = sb.twitch().eventsub();

    let session = client.session_id().expect("welcomed");
    let sessions = hooks.websocket_sessions();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].id, session);
    assert_eq!(sessions[0].keepalive_timeout_seconds, 600, "negotiated through the query");
    assert_eq!(client.active_subscriptions().len(), 2);
    assert_eq!(client.subscriptions_created(), 2);
    let cost = client.cost().expect("Helix reported the cost");
    assert_eq!((cost.total, cost.total_cost, cost.max_total_cost), (2, 0, 10));

    let ids = hooks.trigger("channel.follow", follow(&b, 1));
    assert_eq!(ids.len(), 1);
    let mut moved = 0;
    let n = notification(&mut client, &mut moved).await;
    assert_eq!((n.subscription_type(), n.subscription_version()), ("channel.follow", "2"));
    assert_eq!(n.message_id, ids[0]);
    let EventsubEvent::ChannelFollowV2(follow) = &n.event else { panic!("a typed follow: {:?}", n.event) };
    assert_eq!(follow.user_login, "follower1");
    assert_eq!(follow.followed_at.timestamp_subsec_nanos(), 171_067_130, "nanoseconds kept");
    assert_eq!(n.subscription.condition.get("broadcaster_user_id").map(String::as_str), Some(b.as_str()));
    assert!(client.active_subscriptions().iter().any(|(id, _)| id == n.subscription_id()));

    // A REST write: Modify Channel Information → channel.update v2.
    let me = user_client(&sb, &b, &["channel:manage:broadcast"]);
    me.modify_channel_information()
        .broadcaster_id(&b)
        .body(helix::types::ModifyChannelInformationBody::builder().title("Speedrun at 9"))
        .send()
        .await
        .unwrap();
    let n = notification(&mut client, &mut moved).await;
    let EventsubEvent::ChannelUpdateV2(update) = &n.event else { panic!("a typed update: {:?}", n.event) };
    assert_eq!((n.subscription_type(), n.subscription_version()), ("channel.update", "2"));
    assert_eq!(update.title, "Speedrun at 9");
    assert_eq!(update.broadcaster_user_id, b);
    // The message timestamp parsed (Twitch sends nanoseconds).
    assert!(n.timestamp.timestamp() > 0, "{}", n.timestamp);

    let frames: Vec<String> = hooks.websocket_frames(sessions[0].connection).into_iter().map(|f| f.name).collect();
    assert_eq!(frames, ["session_welcome", "channel.follow", "channel.update"]);
    client.close().await;
}

#[tokio::test]
async fn a_session_reconnect_mid_stream_loses_and_duplicates_nothing() {
    let sb = sandbox().await;
    let b = sb.seed().broadcaster_id;
    let mut client = connect(&sb, vec![Subscription::channel_follow_v2(&b, &b)]).await;
    let hooks = sb.twitch().eventsub();
    let session = client.session_id().expect("welcomed");

    let mut sent = Vec::new();
    for i in 0..5 {
        sent.extend(hooks.trigger("channel.follow", follow(&b, i)));
    }
    let url = hooks.send_reconnect(&session).expect("a session to move");
    assert!(url.contains("reconnect="), "{url}");
    // Sent after the reconnect message, before the client got to the new URL: the old
    // connection carries them.
    for i in 5..10 {
        sent.extend(hooks.trigger("channel.follow", follow(&b, i)));
    }
    let mut got = Vec::new();
    let mut moved = 0;
    while got.len() < 10 {
        got.push(notification(&mut client, &mut moved).await.message_id);
    }
    while moved == 0 {
        match next(&mut client).await {
            EventSubEvent::Moved => moved += 1,
            EventSubEvent::Welcome(w) => assert_eq!(w.session_id, session, "the same session"),
            other => panic!("expected the move, got {other:?}"),
        }
    }
    // On the new connection: fresh events, and one already delivered on the old one again.
    for i in 10..15 {
        sent.extend(hooks.trigger("channel.follow", follow(&b, i)));
    }
    assert!(hooks.resend(&sent[3]), "kept for resending");
    sent.extend(hooks.trigger("channel.follow", follow(&b, 15)));
    while got.len() < 16 {
        got.push(notification(&mut client, &mut moved).await.message_id);
    }
    assert_eq!(got, sent, "every event once, in order");
    assert_eq!(moved, 1);

    assert_eq!(client.subscriptions_created(), 1, "a move does not re-subscribe");
    assert_eq!(client.session_id().as_deref(), Some(session.as_str()));
    let sessions = hooks.websocket_sessions();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].id, session, "the session carried over");
    let conns = hooks.websocket_connections();
    assert_eq!(conns.len(), 2);
    assert!(!conns[0].open, "the client closed the old connection");
    assert_eq!(conns[1].handshake.details.get("reconnect"), Some(&session));
    let old: Vec<String> = hooks.websocket_frames(conns[0].id).into_iter().map(|f| f.name).collect();
    assert_eq!(old.iter().filter(|n| *n == "channel.follow").count(), 10);
    assert!(old.contains(&"session_reconnect".to_owned()));
    let new: Vec<String> = hooks.websocket_frames(conns[1].id).into_iter().map(|f| f.name).collect();
    assert_eq!(new[0], "session_welcome");
    assert_eq!(new.iter().filter(|n| *n == "channel.follow").count(), 7, "6 new and the resent one");
    client.close().await;
}

#[tokio::test]
async fn a_dropped_connection_recreates_every_subscription() {
    let sb = sandbox().await;
    let b = sb.seed().broadcaster_id;
    let subs = vec![
        Subscription::channel_follow_v2(&b, &b),
        Subscription::channel_update_v2(&b),
        Subscription::stream_online_v1(&b),
    ];
    let mut client = connect(&sb, subs).await;
    let hooks = sb.twitch().eventsub();
    let first = client.session_id().expect("welcomed");
    assert!(hooks.drop_websocket(&first));

    let mut welcomed = Vec::new();
    loop {
        match next(&mut client).await {
            EventSubEvent::Welcome(w) => welcomed.push(w.session_id),
            EventSubEvent::Reconnected => break,
            EventSubEvent::Reconnecting { attempt } => assert_eq!(attempt, 1),
            other => panic!("expected a reconnect, got {other:?}"),
        }
    }
    let second = welcomed.pop().expect("a new welcome");
    assert_ne!(second, first);
    assert_eq!(client.subscriptions_created(), 6, "the three again, before Reconnected");
    let mut seen = BTreeSet::new();
    let mut moved = 0;
    hooks.trigger("channel.follow", follow(&b, 1));
    hooks.trigger("channel.update", update(&b, "t"));
    hooks.trigger("stream.online", online(&b));
    while seen.len() < 3 {
        let n = notification(&mut client, &mut moved).await;
        assert!(!matches!(n.event, EventsubEvent::Unknown { .. }), "{:?}", n.event);
        seen.insert(n.subscription_type().to_owned());
    }
    assert_eq!(client.subscriptions_created(), 6);
    assert_eq!(client.session_id(), Some(second.clone()));
    assert_eq!(client.active_subscriptions().len(), 3);

    // Helix agrees: three subscriptions, all on the new session (the old ones died with it).
    let me = user_client(&sb, &b, &[]);
    let list = me.get_eventsub_subscriptions().send().await.unwrap();
    assert_eq!(list.total, 3);
    for s in &list.data {
        assert_eq!(s.transport.session_id.as_deref(), Some(second.as_str()));
    }
    client.close().await;
}

#[tokio::test]
async fn a_resent_message_is_delivered_once() {
    let sb = sandbox().await;
    let b = sb.seed().broadcaster_id;
    let mut client = connect(&sb, vec![Subscription::channel_follow_v2(&b, &b)]).await;
    let hooks = sb.twitch().eventsub();
    let first = hooks.trigger("channel.follow", follow(&b, 1));
    assert!(hooks.resend(&first[0]));
    assert!(hooks.resend(&first[0]));
    let second = hooks.trigger("channel.follow", follow(&b, 2));
    let mut moved = 0;
    assert_eq!(notification(&mut client, &mut moved).await.message_id, first[0]);
    assert_eq!(notification(&mut client, &mut moved).await.message_id, second[0], "the repeats were dropped");
    let conn = hooks.websocket_sessions()[0].connection;
    let sent = hooks.websocket_frames(conn).into_iter().filter(|f| f.name == "channel.follow").count();
    assert_eq!(sent, 4, "the server did send the repeats");
    client.close().await;
}

#[tokio::test]
async fn a_revocation_is_an_event_and_the_subscription_leaves_the_active_set() {
    let sb = sandbox().await;
    let b = sb.seed().broadcaster_id;
    let mut client =
        connect(&sb, vec![Subscription::channel_follow_v2(&b, &b), Subscription::channel_update_v2(&b)]).await;
    let hooks = sb.twitch().eventsub();
    let (follow_id, _) = client
        .active_subscriptions()
        .into_iter()
        .find(|(_, s)| s.type_() == "channel.follow")
        .expect("the follow subscription is active");
    assert!(hooks.revoke(&follow_id, "authorization_revoked").is_some());
    let r = revocation(&mut client).await;
    assert_eq!((r.subscription_id(), r.status()), (follow_id.as_str(), "authorization_revoked"));
    assert_eq!((r.subscription_type(), r.subscription.version.as_str()), ("channel.follow", "2"));
    let active: Vec<String> = client.active_subscriptions().into_iter().map(|(_, s)| s.type_().to_owned()).collect();
    assert_eq!(active, ["channel.update"]);
    // The revoked subscription delivers nothing more; the other one still does.
    assert!(hooks.trigger("channel.follow", follow(&b, 1)).is_empty());
    let ids = hooks.trigger("channel.update", update(&b, "t"));
    let mut moved = 0;
    assert_eq!(notification(&mut client, &mut moved).await.message_id, ids[0]);

    // After a lost connection only the remaining subscription is created again.
    let first = client.session_id().expect("welcomed");
    assert!(hooks.drop_websocket(&first));
    while !matches!(next(&mut client).await, EventSubEvent::Reconnected) {}
    assert_ne!(client.session_id().as_deref(), Some(first.as_str()));
    let ids = hooks.trigger("channel.update", update(&b, "u"));
    assert_eq!(notification(&mut client, &mut moved).await.message_id, ids[0]);
    assert_eq!(client.subscriptions_created(), 3);
    client.close().await;
}

#[tokio::test]
async fn subscribing_too_late_ends_with_4003_not_a_retry_loop() {
    let sb = sandbox().await;
    // No subscription at all: the subscribe step never happens in time.
    let mut client = connect(&sb, vec![]).await;
    let hooks = sb.twitch().eventsub();
    assert_eq!(hooks.enforce_subscribe_rule(), 1);
    let error = loop {
        match next(&mut client).await {
            EventSubEvent::Ended(e) => break e,
            EventSubEvent::Welcome(_) => {}
            other => panic!("expected the end, got {other:?}"),
        }
    };
    assert_eq!(error.protocol_kind(), Some(&ProtocolErrorKind::Closed { code: 4003 }));
    assert!(error.to_string().contains("subscribe step too slow"), "{error}");
    assert!(tokio::time::timeout(PATIENCE, client.next()).await.expect("ended").is_none());
    let conns = hooks.websocket_connections();
    assert_eq!(conns.len(), 1, "no reconnect");
    assert_eq!(conns[0].closed_with.as_ref().map(|c| c.0), Some(4003));
    assert!(hooks.websocket_sessions().is_empty());
}

#[tokio::test]
async fn more_than_300_subscriptions_are_refused_before_connecting() {
    let sb = sandbox().await;
    let helix = user_client(&sb, &sb.seed().broadcaster_id, &[]);
    let mut builder = EventSubClient::builder(helix).url(sb.twitch().eventsub().websocket_url());
    for i in 0..301 {
        builder = builder.subscribe(Subscription::stream_online_v1(format!("{i}")));
    }
    let e = builder.connect().await.unwrap_err();
    assert!(e.to_string().contains("at most 300"), "{e}");
    assert!(sb.twitch().eventsub().websocket_connections().is_empty());
}

#[tokio::test]
async fn each_close_code_has_its_documented_outcome() {
    let sb = sandbox().await;
    let b = sb.seed().broadcaster_id;
    let mut client = connect(&sb, vec![Subscription::channel_update_v2(&b)]).await;
    let hooks = sb.twitch().eventsub();
    // Server trouble, an expired reconnect grace, network trouble, an invalid reconnect: a new
    // session, its subscription created again.
    for (n, code) in [4000u16, 4002, 4004, 4005, 4006, 4007].into_iter().enumerate() {
        let session = client.session_id().expect("welcomed");
        assert!(hooks.close_websocket(&session, code, "test"), "close {code}");
        while !matches!(next(&mut client).await, EventSubEvent::Reconnected) {}
        assert_ne!(client.session_id(), Some(session), "a new session after {code}");
        assert_eq!(client.subscriptions_created(), 2 + n as u64, "re-subscribed after {code}");
    }
    let ids = hooks.trigger("channel.update", update(&b, "t"));
    let mut moved = 0;
    assert_eq!(notification(&mut client, &mut moved).await.message_id, ids[0]);
    // 4001 says the client broke the protocol: retrying would repeat it.
    let session = client.session_id().expect("welcomed");
    assert!(hooks.close_websocket(&session, 4001, "client sent inbound traffic"));
    let EventSubEvent::Ended(error) = next(&mut client).await else { panic!("expected the end") };
    assert_eq!(error.protocol_kind(), Some(&ProtocolErrorKind::Closed { code: 4001 }));
    assert_eq!(hooks.websocket_connections().len(), 7, "no reconnect after 4001");
}

/// Helix's cost accounting, as the client keeps it: a subscription to another user's channel
/// costs 1, one naming the token's own user 0, and a websocket user may spend 10. Spending
/// more is Helix's 429 (`max_total_cost`), handed back by `connect` after one attempt, not
/// retried.
#[tokio::test]
async fn the_cost_helix_reports_is_tracked_and_a_spent_budget_ends_connect() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let paid = |b: &str| {
        [Subscription::stream_online_v1(b), Subscription::stream_offline_v1(b), Subscription::channel_update_v2(b)]
    };
    let client_for = |viewer: &str, subs: Vec<Subscription>| {
        let helix = user_client(&sb, viewer, &[]);
        let builder = EventSubClient::builder(helix).url(sb.twitch().eventsub().websocket_url());
        subs.into_iter().fold(builder, |b, s| b.subscribe(s))
    };

    let viewer = seed.follower_id.as_str();
    let mut subs: Vec<Subscription> = paid(&seed.user_ids[0]).into_iter().chain(paid(&seed.user_ids[2])).collect();
    subs.push(Subscription::channel_update_v2(viewer));
    let client = tokio::time::timeout(PATIENCE, client_for(viewer, subs).connect()).await.expect("in time");
    let client = client.expect("connects");
    let cost = client.cost().expect("Helix reported the cost");
    assert_eq!((cost.total, cost.total_cost, cost.max_total_cost), (7, 6, 10));
    assert_eq!(client.subscriptions_created(), 7);
    client.close().await;

    // Another user (a budget of its own) asks for eleven paid subscriptions.
    let other = seed.user_ids[9].as_str();
    let eleven: Vec<Subscription> = [0, 2, 3, 4].iter().flat_map(|i| paid(&seed.user_ids[*i])).take(11).collect();
    let posts = || sb.requests().iter().filter(|r| r.path == "/helix/eventsub/subscriptions").count();
    let before = posts();
    let e = tokio::time::timeout(PATIENCE, client_for(other, eleven).connect()).await.expect("in time").unwrap_err();
    assert_eq!(common::status(&e), 429, "{e}");
    assert!(e.to_string().contains("max_total_cost"), "{e}");
    assert_eq!(posts() - before, 11, "ten created, the eleventh refused once");
}
