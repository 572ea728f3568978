//! EventSub's keepalive rule on tokio's paused clock: the client takes the connection for dead
//! when neither a keepalive nor a notification arrives within the welcome's
//! `keepalive_timeout_seconds` (plus its 2 s margin), counted from the last message, and
//! reconnects. The server is scripted on the runtime's in-memory network, so the clock only
//! moves when every task waits and the figures are exact.

use futures::SinkExt;
use serde_json::json;
use streamkit_runtime::session::MemoryNetwork;
use streamkit_twitch::eventsub::websocket::{EventSubClient, EventSubEvent};
use streamkit_twitch::helix;
use streamkit_twitch::message::Strictness;
use tokio::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

const URL: &str = "ws://eventsub.test/ws";

fn message(id: &str, kind: &str, payload: serde_json::Value) -> Message {
    let metadata =
        json!({"message_id": id, "message_type": kind, "message_timestamp": "2023-07-19T14:56:51.634234626Z"});
    Message::text(json!({"metadata": metadata, "payload": payload}).to_string())
}

fn welcome(session: &str, keepalive: u64) -> Message {
    let session = json!({"session": {"id": session, "status": "connected", "keepalive_timeout_seconds": keepalive,
        "reconnect_url": null, "connected_at": "2023-07-19T14:56:51.616329898Z"}});
    message(&format!("welcome-{}", session["session"]["id"]), "session_welcome", session)
}

#[tokio::test(start_paused = true)]
async fn silence_past_the_keepalive_window_reconnects() {
    streamkit_twitch::install_tls_provider();
    let net = MemoryNetwork::new();
    let mut listener = net.listen(URL);
    let t0 = Instant::now();
    // Connection 1: welcome (keepalive 10 s), one keepalive after 9 s, then silence.
    // Connection 2: welcome, then keepalives every 10 s.
    let server = tokio::spawn(async move {
        let io = listener.accept().await.expect("first connection");
        let mut first = tokio_tungstenite::accept_async(io).await.expect("handshake");
        first.send(welcome("s1", 10)).await.unwrap();
        tokio::time::sleep(Duration::from_secs(9)).await;
        first.send(message("k1", "session_keepalive", json!({}))).await.unwrap();
        let io = listener.accept().await.expect("second connection");
        let reconnected_at = Instant::now();
        let mut second = tokio_tungstenite::accept_async(io).await.expect("handshake");
        second.send(welcome("s2", 10)).await.unwrap();
        for n in 0..3 {
            tokio::time::sleep(Duration::from_secs(10)).await;
            second.send(message(&format!("k2-{n}"), "session_keepalive", json!({}))).await.unwrap();
        }
        // Kept open, so that only the keepalive rule can end them.
        (reconnected_at, first, second)
    });
    // No subscriptions: the Helix client is never called.
    let helix = helix::Client::builder().base_url("http://127.0.0.1:9/helix").client_id("cid").build().unwrap();
    // Strict: the scripted frames are the documented shapes (an undocumented one would be `Invalid`).
    let mut client = EventSubClient::builder(helix)
        .url(URL)
        .connector(net.connector())
        .strictness(Strictness::Strict)
        .connect()
        .await
        .unwrap();
    assert_eq!(client.session_id().as_deref(), Some("s1"));

    let mut seen = Vec::new();
    loop {
        match client.next().await.expect("the client goes on") {
            EventSubEvent::Welcome(w) => seen.push(format!("welcome {}", w.session_id)),
            EventSubEvent::Reconnecting { attempt } => {
                // Dead at the last message (9 s) + 10 s + the 2 s margin.
                assert_eq!(Instant::now() - t0, Duration::from_secs(21), "declared dead exactly then");
                seen.push(format!("reconnecting {attempt}"));
            }
            EventSubEvent::Reconnected => {
                seen.push("reconnected".into());
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(seen, ["welcome s1", "reconnecting 1", "welcome s2", "reconnected"]);
    assert_eq!(client.session_id().as_deref(), Some("s2"));
    // Keepalives every 10 s keep the second connection alive past 30 s.
    let (reconnected_at, _first, _second) = server.await.unwrap();
    assert_eq!(Instant::now() - reconnected_at, Duration::from_secs(30));
    let pending = tokio::time::timeout(Duration::from_millis(1), client.next()).await;
    assert!(pending.is_err(), "no event (no second reconnect) while keepalives came: {pending:?}");
    assert_eq!(client.session_id().as_deref(), Some("s2"));
}
