//! How the EventSub websocket client decodes what arrives, against a server scripted on the
//! runtime's in-memory network (no subscriptions, so Helix is never called): a notification
//! of a documented type is its typed variant with the typed subscription, one of a type the
//! spec does not know is `Unknown` with its JSON, a revocation is typed, and an undocumented
//! field passes leniently but is an invalid frame in strict mode (the client goes on).

use futures::SinkExt;
use serde_json::{Value, json};
use streamkit_runtime::session::MemoryNetwork;
use streamkit_twitch::eventsub::websocket::{EventSubClient, EventSubEvent};
use streamkit_twitch::eventsub_messages::EventsubEvent;
use streamkit_twitch::helix;
use streamkit_twitch::message::Strictness;
use tokio_tungstenite::tungstenite::Message;

const URL: &str = "ws://eventsub.test/ws";

fn frame(id: &str, kind: &str, subscription: Option<(&str, &str)>, payload: Value) -> Message {
    let mut metadata =
        json!({"message_id": id, "message_type": kind, "message_timestamp": "2023-07-19T14:56:51.634234626Z"});
    if let Some((t, v)) = subscription {
        metadata["subscription_type"] = json!(t);
        metadata["subscription_version"] = json!(v);
    }
    Message::text(json!({"metadata": metadata, "payload": payload}).to_string())
}

fn subscription(kind: &str, version: &str, status: &str) -> Value {
    json!({"id": format!("sub-{kind}"), "status": status, "type": kind, "version": version, "cost": 0,
        "condition": {"broadcaster_user_id": "1337"},
        "transport": {"method": "websocket", "session_id": "s1"}, "created_at": "2023-07-19T14:56:51.634234626Z"})
}

fn offline(extra: Option<(&str, Value)>) -> Value {
    let mut event = json!({"broadcaster_user_id": "1337", "broadcaster_user_login": "cool_user", "broadcaster_user_name": "Cool_User"});
    if let Some((k, v)) = extra {
        event[k] = v;
    }
    event
}

/// Serves one connection: the welcome, then `frames`, then stays open.
async fn client(frames: Vec<Message>, strictness: Strictness) -> (EventSubClient, tokio::task::JoinHandle<()>) {
    streamkit_twitch::install_tls_provider();
    let net = MemoryNetwork::new();
    let mut listener = net.listen(URL);
    let server = tokio::spawn(async move {
        let io = listener.accept().await.expect("a connection");
        let mut ws = tokio_tungstenite::accept_async(io).await.expect("handshake");
        let session = json!({"session": {"id": "s1", "status": "connected", "keepalive_timeout_seconds": 600,
            "reconnect_url": null, "connected_at": "2023-07-19T14:56:51.616329898Z"}});
        ws.send(frame("w1", "session_welcome", None, session)).await.unwrap();
        for f in frames {
            ws.send(f).await.unwrap();
        }
        std::future::pending::<()>().await;
    });
    let helix = helix::Client::builder().base_url("http://127.0.0.1:9/helix").client_id("cid").build().unwrap();
    let client = EventSubClient::builder(helix)
        .url(URL)
        .connector(net.connector())
        .strictness(strictness)
        .connect()
        .await
        .unwrap();
    (client, server)
}

/// The next event that is not a welcome.
async fn next(client: &mut EventSubClient) -> EventSubEvent {
    loop {
        match client.next().await.expect("the client goes on") {
            EventSubEvent::Welcome(_) => {}
            other => return other,
        }
    }
}

#[tokio::test(start_paused = true)]
async fn documented_undocumented_and_revoked_arrive_typed() {
    let frames = vec![
        frame(
            "n1",
            "notification",
            Some(("stream.offline", "1")),
            json!({"subscription": subscription("stream.offline", "1", "enabled"), "event": offline(None)}),
        ),
        frame(
            "n2",
            "notification",
            Some(("channel.future_thing", "1")),
            json!({"subscription": subscription("channel.future_thing", "1", "enabled"), "event": {"anything": [1, 2]}}),
        ),
        frame(
            "r1",
            "revocation",
            Some(("stream.offline", "1")),
            json!({"subscription": subscription("stream.offline", "1", "authorization_revoked")}),
        ),
    ];
    let (mut client, _server) = client(frames, Strictness::Strict).await;

    let EventSubEvent::Notification(n) = next(&mut client).await else { panic!("a notification") };
    let EventsubEvent::StreamOfflineV1(e) = &n.event else { panic!("typed: {:?}", n.event) };
    assert_eq!(e.broadcaster_user_login, "cool_user");
    assert_eq!(
        (n.message_id.as_str(), n.subscription_id(), n.subscription_version()),
        ("n1", "sub-stream.offline", "1")
    );
    assert_eq!(n.timestamp.timestamp_subsec_nanos(), 634_234_626);

    let EventSubEvent::Notification(n) = next(&mut client).await else { panic!("a notification") };
    match &n.event {
        EventsubEvent::Unknown { subscription_type, version, event } => {
            assert_eq!((subscription_type.as_str(), version.as_str()), ("channel.future_thing", "1"));
            assert_eq!(event, &json!({"anything": [1, 2]}));
        }
        other => panic!("unknown expected: {other:?}"),
    }

    let EventSubEvent::Revocation(r) = next(&mut client).await else { panic!("a revocation") };
    assert_eq!(
        (r.subscription_id(), r.status(), r.subscription_type()),
        ("sub-stream.offline", "authorization_revoked", "stream.offline")
    );
}

#[tokio::test(start_paused = true)]
async fn an_undocumented_field_is_kept_leniently_and_invalid_strictly() {
    let drifted = || {
        let event = offline(Some(("brand_new", json!(true))));
        vec![
            frame(
                "n1",
                "notification",
                Some(("stream.offline", "1")),
                json!({"subscription": subscription("stream.offline", "1", "enabled"), "event": event}),
            ),
            frame(
                "n2",
                "notification",
                Some(("stream.offline", "1")),
                json!({"subscription": subscription("stream.offline", "1", "enabled"), "event": offline(None)}),
            ),
        ]
    };
    let (mut lenient, _a) = client(drifted(), Strictness::Lenient).await;
    let EventSubEvent::Notification(n) = next(&mut lenient).await else { panic!("a notification") };
    let EventsubEvent::StreamOfflineV1(e) = &n.event else { panic!("typed: {:?}", n.event) };
    assert_eq!(e.extra["brand_new"], json!(true));

    let (mut strict, _b) = client(drifted(), Strictness::Strict).await;
    match next(&mut strict).await {
        EventSubEvent::Invalid(streamkit_twitch::Error::Drift { operation, paths }) => {
            assert_eq!(operation, "stream.offline v1");
            assert_eq!(paths, ["brand_new (undocumented field)"]);
        }
        other => panic!("a drift error expected: {other:?}"),
    }
    // The client goes on with the next frame.
    let EventSubEvent::Notification(n) = next(&mut strict).await else { panic!("a notification") };
    assert_eq!(n.message_id, "n2");
}
