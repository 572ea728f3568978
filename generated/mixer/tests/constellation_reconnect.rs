//! Constellation's subscription set across a lost connection, over the runtime's in-memory
//! network with paused time and a scripted server: a `livesubscribe` pending when the
//! connection drops is sent again (once) on the next one, and only a confirmed subscription
//! joins the set the hook restores.

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use streamkit_mixer::constellation::{ConstellationClient, ConstellationOptions};
use streamkit_mixer::constellation_messages::LiveEvent;
use streamkit_mixer::session::tokio_tungstenite::{self, tungstenite::Message};
use streamkit_mixer::session::{MemoryListener, MemoryNetwork};

const URL: &str = "ws://constellation.test/";

/// One connection: `hello`, then each method frame is reported; answered unless it is the
/// `hang_up_on`-th one (from 1), when the connection is dropped instead.
async fn serve(
    listener: &mut MemoryListener,
    seen: &tokio::sync::mpsc::UnboundedSender<Value>,
    hang_up_on: Option<usize>,
) {
    let io = listener.accept().await.expect("a connection");
    let mut ws = tokio_tungstenite::accept_async(io).await.expect("handshake");
    let hello = json!({"type": "event", "event": "hello", "data": {"authenticated": false}});
    ws.send(Message::text(hello.to_string())).await.unwrap();
    let mut count = 0;
    while let Some(Ok(Message::Text(t))) = ws.next().await {
        let call: Value = serde_json::from_str(t.as_str()).unwrap();
        count += 1;
        seen.send(json!({"method": call["method"], "params": call["params"]})).unwrap();
        if hang_up_on == Some(count) {
            return;
        }
        // C.2: `ping` answers `{}`, the subscription methods `null`.
        let result = if call["method"] == "ping" { json!({}) } else { Value::Null };
        let reply = json!({"type": "reply", "id": call["id"], "result": result, "error": null});
        ws.send(Message::text(reply.to_string())).await.unwrap();
    }
}

#[tokio::test(start_paused = true)]
async fn a_subscribe_pending_at_a_drop_is_sent_again_once_and_then_restored_on_later_connections() {
    let net = MemoryNetwork::new();
    let mut listener = net.listen(URL);
    let (tx, mut seen) = tokio::sync::mpsc::unbounded_channel();
    let server = tokio::spawn(async move {
        serve(&mut listener, &tx, Some(2)).await; // answers the first subscribe, drops on the second
        serve(&mut listener, &tx, Some(3)).await; // restores, answers the resent one, drops on the ping
        serve(&mut listener, &tx, None).await;
    });
    let options = ConstellationOptions::client_id("test-client", true).url(URL);
    let client = ConstellationClient::connect_with(options, |b| b.connector(net.connector())).await.unwrap();
    let (a, b) = (LiveEvent::channel_followed(1), LiveEvent::channel_update(1));
    client.subscribe(std::slice::from_ref(&a)).await.expect("confirmed");
    client.subscribe(std::slice::from_ref(&b)).await.expect("confirmed on the second connection");
    client.ping().await.expect("resent too: answered on the third connection");
    assert_eq!(client.subscriptions(), [a.clone(), b.clone()].into_iter().collect());

    let events = |v: &Value| v["params"]["events"].clone();
    let mut log = Vec::new();
    for _ in 0..7 {
        log.push(seen.recv().await.expect("a method"));
    }
    let methods: Vec<&str> = log.iter().map(|v| v["method"].as_str().unwrap()).collect();
    assert_eq!(
        methods,
        ["livesubscribe", "livesubscribe", "livesubscribe", "livesubscribe", "ping", "livesubscribe", "ping"]
    );
    assert_eq!(events(&log[0]), json!(["channel:1:followed"]));
    assert_eq!(events(&log[1]), json!(["channel:1:update"]), "the one the connection was lost with");
    assert_eq!(events(&log[2]), json!(["channel:1:followed"]), "the hook restores only what was confirmed");
    assert_eq!(events(&log[3]), json!(["channel:1:update"]), "then the pending call goes out again");
    assert_eq!(events(&log[5]), json!(["channel:1:followed", "channel:1:update"]), "the whole set, once");
    client.close().await;
    server.await.unwrap();
}
