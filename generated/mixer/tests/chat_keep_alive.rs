//! The chat protocol's keep-alive (B.7) with paused time, over the runtime's in-memory
//! network and a scripted server: the `ping` method after 15 s of inbound silence, a
//! connection taken for dead 5 s after an unanswered ping, and the re-establishment (wait
//! for WelcomeEvent, then `auth`) before anything else goes out.

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use streamkit_mixer::chat::{ChatIdentity, ChatProtocol, default_keep_alive};
use streamkit_mixer::message::Strictness;
use streamkit_mixer::rest;
use streamkit_mixer::session::tokio_tungstenite::{self, tungstenite::Message};
use streamkit_mixer::session::{MemoryNetwork, SessionBuilder, SessionEvent};
use tokio::time::Instant;

const URL: &str = "ws://chat.test/socket";

async fn next_text<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    ws: &mut tokio_tungstenite::WebSocketStream<S>,
) -> Value {
    loop {
        match ws.next().await.expect("open").expect("a frame") {
            Message::Text(t) => return serde_json::from_str(t.as_str()).expect("JSON"),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn ping_after_15_s_of_silence_and_dead_5_s_after_an_unanswered_ping() {
    let net = MemoryNetwork::new();
    let mut listener = net.listen(URL);
    let rest = rest::Client::builder().client_id("test-client").build().unwrap();
    let protocol = ChatProtocol::new(rest, 42, ChatIdentity::Anonymous, Strictness::Strict, default_keep_alive(), None);
    let server = tokio::spawn(async move {
        let io = listener.accept().await.expect("a connection");
        let mut ws = tokio_tungstenite::accept_async(io).await.expect("handshake");
        ws.send(Message::text(json!({"type": "event", "event": "WelcomeEvent", "data": {"server": "s1"}}).to_string()))
            .await
            .unwrap();
        let auth = next_text(&mut ws).await;
        assert_eq!((&auth["method"], &auth["arguments"]), (&json!("auth"), &json!([42])), "{auth}");
        let reply =
            json!({"type": "reply", "id": auth["id"], "error": null, "data": {"authenticated": false, "roles": []}});
        ws.send(Message::text(reply.to_string())).await.unwrap();
        let answered = Instant::now();

        // 15 s of silence: a ping call; answered.
        let ping = next_text(&mut ws).await;
        assert_eq!(
            (&ping["type"], &ping["method"], &ping["arguments"]),
            (&json!("method"), &json!("ping"), &json!([]))
        );
        assert_eq!(answered.elapsed(), Duration::from_secs(15));
        ws.send(Message::text(json!({"type": "reply", "id": ping["id"], "error": null}).to_string())).await.unwrap();
        let pong = Instant::now();

        // The next ping goes unanswered; keep the socket open and see when the client gives up.
        let again = next_text(&mut ws).await;
        assert_eq!(again["method"], "ping");
        assert_eq!(pong.elapsed(), Duration::from_secs(15));
        let unanswered = Instant::now();
        while let Some(Ok(_)) = ws.next().await {}
        unanswered.elapsed()
    });

    let session =
        SessionBuilder::new(protocol).endpoint(URL).connector(net.connector()).connect().await.expect("connects");
    let mut events = session.events().unwrap();
    // The first item that is not an event is the loss of the connection.
    loop {
        match events.next().await.expect("an item") {
            SessionEvent::Disconnected { .. } => break,
            SessionEvent::Event(_) => continue,
            other => panic!("unexpected {other:?}"),
        }
    }
    let gave_up_after = server.await.expect("the server's assertions hold");
    assert_eq!(gave_up_after, Duration::from_secs(5));
}

/// Serves one connection: WelcomeEvent, then answers every method (auth as anonymous,
/// anything else with an empty reply) and reports each method's name, until `hang_up_after`
/// methods, when it drops the connection without a close frame.
async fn serve(
    listener: &mut streamkit_mixer::session::MemoryListener,
    seen: tokio::sync::mpsc::UnboundedSender<String>,
    hang_up_after: Option<usize>,
) {
    let io = listener.accept().await.expect("a connection");
    let mut ws = tokio_tungstenite::accept_async(io).await.expect("handshake");
    ws.send(Message::text(json!({"type": "event", "event": "WelcomeEvent", "data": {"server": "s"}}).to_string()))
        .await
        .unwrap();
    let mut count = 0;
    while let Some(Ok(Message::Text(t))) = ws.next().await {
        let call: Value = serde_json::from_str(t.as_str()).unwrap();
        let method = call["method"].as_str().unwrap_or_default().to_owned();
        let data = if method == "auth" { json!({"authenticated": false, "roles": []}) } else { json!({}) };
        seen.send(method).unwrap();
        ws.send(Message::text(json!({"type": "reply", "id": call["id"], "error": null, "data": data}).to_string()))
            .await
            .unwrap();
        count += 1;
        if hang_up_after == Some(count) {
            return; // dropped: no close frame
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_call_made_while_reconnecting_goes_out_only_after_the_new_auth() {
    let net = MemoryNetwork::new();
    let mut listener = net.listen(URL);
    let (tx, mut seen) = tokio::sync::mpsc::unbounded_channel();
    let server = tokio::spawn(async move {
        serve(&mut listener, tx.clone(), Some(1)).await;
        serve(&mut listener, tx, None).await;
    });
    let rest = rest::Client::builder().client_id("test-client").build().unwrap();
    let protocol = ChatProtocol::new(rest, 42, ChatIdentity::Anonymous, Strictness::Strict, default_keep_alive(), None);
    let session = SessionBuilder::new(protocol).endpoint(URL).connector(net.connector()).connect().await.unwrap();
    let mut events = session.events().unwrap();
    assert_eq!(seen.recv().await.as_deref(), Some("auth"));
    loop {
        if let SessionEvent::Reconnecting { .. } = events.next().await.expect("an item") {
            break;
        }
    }
    // Queued while the session waits to reconnect; sent after WelcomeEvent and auth.
    // (any method whose reply is `{}`; the raw session does not remember opt-outs, so this is
    // an ordinary queued call, not the hook's re-send.)
    let queued = streamkit_mixer::chat_messages::OptOutEvents::new(vec!["UserJoin".into()]);
    session.call(&queued).await.expect("answered on the new connection");
    assert_eq!(seen.recv().await.as_deref(), Some("auth"));
    assert_eq!(seen.recv().await.as_deref(), Some("optOutEvents"));
    session.close().await;
    server.await.unwrap();
}
