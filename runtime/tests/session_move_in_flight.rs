//! A server-initiated move ([`Incoming::MoveTo`]) does not lose, repeat or reorder a frame
//! across the switch. The old server goes on sending after it announced the move, and frames
//! are still in flight on the old connection when the session retires it (sent by the server
//! before it saw the client's close). The session delivers them all, once each, in the order
//! sent: the old connection's frames (before the move, after it, in flight), then the new
//! connection's. Every event id is counted.
//!
//! [`Incoming::MoveTo`]: streamkit_runtime::session::Incoming::MoveTo

mod session_support;

use futures::StreamExt;
use serde_json::{Value, json};
use session_support::*;
use streamkit_runtime::session::{Cause, MemoryNetwork, SessionConfig, SessionEvent};

const OLD: &str = "ws://server.test/socket";
const NEW: &str = "ws://server.test/moved";

fn frame(id: &str) -> String {
    json!({"ev": "n", "data": id}).to_string()
}

fn numbered(prefix: &str, range: std::ops::RangeInclusive<u32>) -> Vec<Action> {
    ids(prefix, range).iter().map(|id| Action::Text(frame(id))).collect()
}

fn ids(prefix: &str, range: std::ops::RangeInclusive<u32>) -> Vec<String> {
    range.map(|n| format!("{prefix}-{n}")).collect()
}

#[tokio::test(start_paused = true)]
async fn frames_in_flight_on_the_retired_connection_are_delivered_once_and_in_order() {
    let net = MemoryNetwork::new();
    let old = Server::start(&net, OLD, vec![event("hello", Value::Null)], echoing());
    // The new endpoint says hello (its welcome) only when the test says so.
    let new = Server::start(&net, NEW, vec![], echoing());
    let protocol = TestProtocol { hook: Hook::HelloThenLogin, ..Default::default() };
    let session = builder(&net, OLD, protocol, SessionConfig::default()).connect().await.unwrap();
    let mut events = session.events().unwrap();

    // Before the move, the move itself, after it; and what the old server still sends when
    // the client's close reaches it.
    for a in numbered("old", 1..=3) {
        old.push(0, a);
    }
    old.push(0, Action::Text(json!({"move": NEW}).to_string()));
    for a in numbered("old", 4..=6) {
        old.push(0, a);
    }
    old.on_close_send(0, ids("old", 7..=9).iter().map(|id| frame(id)).collect());
    new.until(|log| log.iter().any(|s| s.frame == Frame::Connected)).await;

    let mut seen: Vec<String> = Vec::new();
    let record = |ev: SessionEvent<TestEvent>, seen: &mut Vec<String>| match ev {
        SessionEvent::Event(e) if e.name == "n" => seen.push(e.data.as_str().unwrap_or("?").to_owned()),
        SessionEvent::Event(e) => seen.push(e.name),
        SessionEvent::Moved { url } => seen.push(format!("moved to {url}")),
        other => seen.push(format!("{other:?}")),
    };
    // The overlap: the old connection delivers what it sent after announcing the move.
    while seen.last().map(String::as_str) != Some("old-6") {
        record(events.next().await.expect("the session goes on"), &mut seen);
    }
    // The new connection is welcomed and at once sends its own events: they are already
    // waiting on it when the session closes the old one.
    new.push(0, event("hello", Value::Null));
    for a in numbered("new", 1..=3) {
        new.push(0, a);
    }
    while seen.last().map(String::as_str) != Some("new-3") {
        record(events.next().await.expect("the session goes on"), &mut seen);
    }

    let mut expected = vec!["hello".to_owned()];
    expected.extend(ids("old", 1..=6));
    expected.push("hello".to_owned()); // the new connection's welcome
    expected.extend(ids("old", 7..=9)); // in flight on the retired connection
    expected.push(format!("moved to {NEW}"));
    expected.extend(ids("new", 1..=3));
    assert_eq!(seen, expected);
    // Counted: each of the 12 ids exactly once.
    let numbered_seen: Vec<&String> = seen.iter().filter(|s| s.starts_with("old-") || s.starts_with("new-")).collect();
    assert_eq!(numbered_seen.len(), 12);
    let distinct: std::collections::BTreeSet<&String> = numbered_seen.iter().copied().collect();
    assert_eq!(distinct.len(), 12);

    // The old connection was closed by the session (1000) and never used again; nothing more
    // comes, and the hook restored nothing on the new one (a move keeps the peer's state).
    assert!(old.log().iter().any(|s| s.frame == Frame::Close(Some(1000))));
    assert_eq!(old.connections(), 1);
    assert_eq!(new.calls(), vec![]);
    assert_eq!(*session.protocol().causes.lock().unwrap(), vec![Cause::First, Cause::Moved]);
    assert_eq!(session.call_raw("after", json!(1)).await.unwrap()["p"], 1);
    assert_eq!(new.calls(), vec![(0, "after".to_owned())]);
}
