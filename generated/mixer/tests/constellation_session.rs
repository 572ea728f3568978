//! The Constellation client end to end through the sandbox: typed subscriptions, an event
//! caused by a REST follow through the generated REST client, a drop after which the server
//! holds the same subscription set, odd frames, error codes, close codes, gzip, and a
//! partial update applied to a cached channel. No sleeps: every wait is for an event or a
//! reply, with a hang guard only.

mod common;
mod realtime_support;

use realtime_support::next_matching;
use serde_json::json;
use std::collections::BTreeSet;
use streamkit_mixer::constellation::{ConstellationClient, ConstellationOptions};
use streamkit_mixer::constellation_messages::{ConstellationEvent, LiveEvent, LivePayload};
use streamkit_mixer::rest::types;
use streamkit_mixer::session::SessionEvent;
use streamkit_mixer::{Error, ProtocolErrorKind};
use streamkit_sandbox::mixer::seed::{FIRST_CHANNEL_ID, FIRST_USER_ID};
use streamkit_sandbox::{CLIENT_ID, Sandbox};

const CHANNEL: u64 = FIRST_CHANNEL_ID as u64;

async fn connect(sb: &Sandbox, options: ConstellationOptions) -> ConstellationClient {
    ConstellationClient::connect(options.url(sb.mixer().realtime().constellation_url())).await.expect("connects")
}

fn newest(sb: &Sandbox) -> u64 {
    sb.mixer().realtime().constellation_connections().iter().rfind(|c| c.open).expect("an open connection").id
}

fn live(item: &SessionEvent<ConstellationEvent>) -> Option<LivePayload> {
    match item {
        SessionEvent::Event(ConstellationEvent::Live(payload)) => Some(payload.clone()),
        _ => None,
    }
}

#[tokio::test]
async fn subscriptions_get_typed_events_from_a_rest_follow_and_survive_a_drop_exactly() {
    let sb = common::sandbox().await;
    let rt = sb.mixer().realtime();
    let client = connect(&sb, ConstellationOptions::client_id(CLIENT_ID, true)).await;
    let mut events = client.events().expect("events");
    let set =
        [LiveEvent::channel_followed(CHANNEL), LiveEvent::user_followed(1003), LiveEvent::channel_update(CHANNEL)];
    client.subscribe(&set).await.expect("subscribed");
    let names: BTreeSet<String> = set.iter().map(ToString::to_string).collect();
    let first = newest(&sb);
    assert_eq!(rt.subscriptions(first), names);
    let handshake = &rt.constellation_connections()[0].handshake;
    assert_eq!(handshake.client_id.as_deref(), Some(CLIENT_ID));
    assert_eq!(handshake.details.get("x-is-bot").map(String::as_str), Some("true"));

    // A follow through the generated REST client reaches us as a typed event.
    let fan = common::user(&sb, 3, &["channel:follow:self"]);
    let body = types::FollowRequest::builder().user(FIRST_USER_ID + 3);
    fan.follow_channel().channel_id(FIRST_CHANNEL_ID).body(body).send().await.expect("follows");
    let followed = next_matching(&mut events, |e| match live(e) {
        Some(LivePayload::ChannelFollowed { id, payload }) => Some((id, payload)),
        _ => None,
    })
    .await;
    assert_eq!((followed.0, followed.1.following, followed.1.user.id), (CHANNEL, true, FIRST_USER_ID + 3));

    // The network fails: the client reconnects and the server holds exactly the same set.
    assert_eq!(rt.drop_constellation(), 1);
    next_matching(&mut events, |e| matches!(e, SessionEvent::Reconnected { .. }).then_some(())).await;
    let second = newest(&sb);
    assert_ne!(first, second);
    assert_eq!(rt.subscriptions(second), names);
    let frames: Vec<String> = rt.constellation_frames(second).into_iter().map(|f| f.name).collect();
    assert_eq!(frames[..2], ["hello", "livesubscribe"], "{frames:?}");
    assert_eq!(client.subscriptions(), set.iter().cloned().collect());

    // Events go on arriving on the new connection; unsubscribing shrinks the set.
    assert_eq!(rt.emit_live("channel:5000:followed", &json!({"following": false, "user": followed.1.user})), 1);
    let unfollow = next_matching(&mut events, |e| match live(e) {
        Some(LivePayload::ChannelFollowed { payload, .. }) => Some(payload.following),
        _ => None,
    })
    .await;
    assert!(!unfollow);
    client.unsubscribe(&[LiveEvent::user_followed(1003)]).await.expect("unsubscribed");
    assert_eq!(rt.subscriptions(second).len(), 2);
    assert_eq!(client.subscriptions().len(), 2);
}

#[tokio::test]
async fn after_an_unknown_event_and_a_malformed_frame_the_next_call_gets_its_reply() {
    let sb = common::sandbox().await;
    let rt = sb.mixer().realtime();
    let client = connect(&sb, ConstellationOptions::client_id(CLIENT_ID, true).gzip(true)).await;
    let mut events = client.events().expect("events");
    let conn = newest(&sb);
    assert_eq!(rt.constellation_connections()[0].handshake.details.get("gzip").map(String::as_str), Some("true"));

    rt.send_raw_constellation(conn, r#"{"type":"event","event":"surprise","data":{"x":1}}"#);
    let unknown = next_matching(&mut events, |e| match e {
        SessionEvent::Event(ConstellationEvent::Unknown { name, data }) => Some((name.clone(), data.clone())),
        _ => None,
    })
    .await;
    assert_eq!(unknown, ("surprise".to_owned(), json!({"x": 1})));
    rt.send_raw_constellation(conn, "][");
    next_matching(&mut events, |e| matches!(e, SessionEvent::Invalid(_)).then_some(())).await;

    client.ping().await.expect("the next call gets its reply");
    client.subscribe(&[LiveEvent::channel_update(CHANNEL)]).await.expect("and a subscription");
    assert_eq!(rt.constellation_connections().len(), 1, "no reconnect happened");
}

#[tokio::test]
async fn a_partial_channel_update_patches_a_cached_channel() {
    let sb = common::sandbox().await;
    let rt = sb.mixer().realtime();
    let mut cached: types::ExpandedChannel = common::anonymous(&sb)
        .get_channel()
        .channel_id_or_token(FIRST_CHANNEL_ID.to_string())
        .send()
        .await
        .unwrap()
        .into_inner();
    let before = serde_json::to_value(&cached).unwrap();
    let token = sb.mixer().mint_token(0, &[]);
    let client = connect(&sb, ConstellationOptions::bearer(token)).await;
    assert!(rt.constellation_connections()[0].handshake.has_authorization);
    let mut events = client.events().expect("events");
    client.subscribe(&[LiveEvent::channel_update(CHANNEL)]).await.unwrap();

    rt.emit_live("channel:5000:update", &json!({"online": true, "name": "Patched title", "viewersCurrent": 7}));
    let patch = next_matching(&mut events, |e| match live(e) {
        Some(LivePayload::ChannelUpdate { id, payload }) => Some((id, payload)),
        _ => None,
    })
    .await;
    assert_eq!(patch.0, CHANNEL);
    patch.1.apply(&mut cached).expect("applies");
    let after = serde_json::to_value(&cached).unwrap();
    assert_eq!((after["online"].clone(), after["name"].clone()), (json!(true), json!("Patched title")));
    assert_eq!(after["viewersCurrent"], 7);
    // Every field the patch does not carry is as it was.
    for (key, value) in before.as_object().unwrap() {
        if !["online", "name", "viewersCurrent"].contains(&key.as_str()) {
            assert_eq!(&after[key], value, "{key} changed");
        }
    }
}

#[tokio::test]
async fn error_codes_are_explained_and_session_expired_is_fatal_while_a_restart_reconnects() {
    let sb = common::sandbox().await;
    let rt = sb.mixer().realtime();
    let client = connect(&sb, ConstellationOptions::client_id(CLIENT_ID, true)).await;
    let mut events = client.events().expect("events");
    let err = client.subscribe(&[LiveEvent::parse("nonsense:1:thing")]).await.expect_err("unknown event");
    assert!(matches!(err, Error::Protocol { kind: ProtocolErrorKind::Reply { code: Some(4106) }, .. }), "{err:?}");
    assert!(err.to_string().contains("unknown event"), "{err}");
    assert!(client.subscriptions().is_empty(), "a refused subscription is not in the set");

    // 1012 (restart): reconnect.
    assert!(rt.close_constellation(newest(&sb), 1012, "restart"));
    next_matching(&mut events, |e| matches!(e, SessionEvent::Reconnected { .. }).then_some(())).await;
    client.ping().await.expect("up again");

    // 4011 (session expired, the docs' numbering): the session ends, no reconnect.
    assert!(rt.close_constellation(newest(&sb), 4011, "The user session has expired."));
    let closed = next_matching(&mut events, |e| match e {
        SessionEvent::Closed(closed) => Some(closed.clone()),
        _ => None,
    })
    .await;
    assert_eq!(closed.code, Some(4011));
    assert_eq!(rt.constellation_connections().len(), 2, "no third connection");
    assert!(client.ping().await.is_err());
}
