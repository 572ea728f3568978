//! A server-initiated move: the peer names a new URL; the session connects there and runs
//! the hook while the old connection keeps delivering, then closes the old one.

mod session_support;

use std::sync::Arc;

use futures::StreamExt;
use serde_json::{Value, json};
use session_support::*;
use streamkit_runtime::ProtocolErrorKind;
use streamkit_runtime::session::{Cause, MemoryNetwork, SessionConfig, SessionEvent};

const OLD: &str = "ws://server.test/socket";
const NEW: &str = "ws://server.test/moved";

#[tokio::test(start_paused = true)]
async fn a_move_overlaps_the_old_connection_until_the_new_one_is_welcomed() {
    let net = MemoryNetwork::new();
    let old = Server::start(
        &net,
        OLD,
        vec![event("hello", Value::Null)],
        Arc::new(|_, v: &Value| if v["m"] == "slow" { vec![] } else { echo(v) }),
    );
    // The new endpoint says hello only when the test says so.
    let new = Server::start(&net, NEW, vec![], echoing());
    let protocol = TestProtocol { hook: Hook::HelloThenLogin, ..Default::default() };
    let session = builder(&net, OLD, protocol, SessionConfig::default()).connect().await.unwrap();
    let mut events = session.events().unwrap();
    let slow = tokio::spawn({
        let s = session.clone();
        async move { s.call_raw("slow", Value::Null).await }
    });
    old.until(|log| log.iter().any(|s| matches!(&s.frame, Frame::Call { method, .. } if method == "slow"))).await;

    old.push(0, Action::Text(json!({"move": format!("{NEW}?session=abc")}).to_string()));
    new.until(|log| log.iter().any(|s| s.frame == Frame::Connected)).await;
    // Overlap: the old connection still delivers events and carries calls.
    old.push(0, event("from-old", json!(1)));
    assert_eq!(session.call_raw("during", json!(1)).await.unwrap()["p"], 1);
    assert_eq!(old.calls().last().unwrap().1, "during");

    new.push(0, event("hello", Value::Null));
    let mut seen = Vec::new();
    while let Some(ev) = events.next().await {
        match ev {
            SessionEvent::Event(e) => seen.push(e.name),
            SessionEvent::Moved { url } => {
                seen.push(format!("moved to {url}"));
                break;
            }
            other => seen.push(format!("{other:?}")),
        }
    }
    assert_eq!(seen, vec!["hello", "from-old", "hello", "moved to ws://server.test/moved"]);

    // The old connection is closed; its unanswered call was not safe to resend.
    old.until(|log| log.iter().any(|s| s.frame == Frame::Close(Some(1000)))).await;
    let e = slow.await.unwrap().unwrap_err();
    assert_eq!(e.protocol_kind(), Some(&ProtocolErrorKind::Interrupted));
    // New calls go to the new connection, where the hook restored nothing (the peer kept it).
    assert_eq!(session.call_raw("after", json!(2)).await.unwrap()["p"], 2);
    assert_eq!(new.calls(), vec![(0, "after".to_owned())]);
    assert_eq!(old.calls().iter().map(|c| c.1.as_str()).collect::<Vec<_>>(), vec!["login", "slow", "during"]);
    assert_eq!(*session.protocol().causes.lock().unwrap(), vec![Cause::First, Cause::Moved]);
}

#[tokio::test(start_paused = true)]
async fn a_move_to_a_url_that_refuses_is_abandoned_and_the_old_connection_goes_on() {
    let net = MemoryNetwork::new();
    let old = Server::start(&net, OLD, vec![], echoing());
    let session = builder(&net, OLD, TestProtocol::default(), SessionConfig::default()).connect().await.unwrap();
    let mut events = session.events().unwrap();
    old.push(0, Action::Text(json!({"move": "ws://nowhere.test/x"}).to_string()));
    match events.next().await.unwrap() {
        SessionEvent::Invalid(e) => {
            assert_eq!(e.protocol_kind(), Some(&ProtocolErrorKind::Connect));
            assert!(e.to_string().contains("ws://nowhere.test/x"), "{e}");
        }
        other => panic!("expected the failed move reported, got {other:?}"),
    }
    assert_eq!(session.call_raw("still", json!(3)).await.unwrap()["p"], 3);
    assert_eq!(old.connections(), 1);
}
