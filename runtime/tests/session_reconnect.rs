//! Keep-alive, reconnects and re-establishment, endpoint fallback and closing, over in-memory
//! connections under tokio's paused clock (no sockets: the clock only moves when every task
//! waits, so every figure below is exact).

mod session_support;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use serde_json::{Value, json};
use session_support::*;
use streamkit_runtime::session::{
    Backoff, EventStream, KeepAlive, KeepAlivePing, MemoryNetwork, SessionBuilder, SessionConfig, SessionEvent,
};
use streamkit_runtime::{Error, ProtocolErrorKind};
use tokio::time::Instant;

const URL: &str = "ws://server.test/socket";

fn kind(e: &Error) -> ProtocolErrorKind {
    e.protocol_kind().cloned().unwrap_or_else(|| panic!("not a protocol error: {e}"))
}

/// Connection notices from the stream until (and including) the first `Reconnected` or `Closed`.
async fn notices_until_settled(events: &mut EventStream<TestEvent>) -> Vec<String> {
    let mut seen = Vec::new();
    while let Some(ev) = events.next().await {
        let (line, done) = match ev {
            SessionEvent::Event(_) => continue,
            SessionEvent::Disconnected { code, .. } => (format!("disconnected {code:?}"), false),
            SessionEvent::Reconnecting { attempt, delay } => (format!("reconnecting {attempt} after {delay:?}"), false),
            SessionEvent::Reconnected { endpoint } => (format!("reconnected to {endpoint}"), true),
            SessionEvent::Closed(c) => (format!("closed {:?} {}", c.code, c.reason), true),
            other => (format!("{other:?}"), false),
        };
        seen.push(line);
        if done {
            break;
        }
    }
    seen
}

fn config_with(backoff: Backoff) -> SessionConfig {
    let mut config = SessionConfig::default();
    config.backoff = backoff;
    config
}

fn quick_backoff() -> Backoff {
    let mut b = Backoff::default();
    b.initial = Duration::from_secs(1);
    b.jitter = 0.0;
    b
}

#[tokio::test(start_paused = true)]
async fn a_websocket_ping_goes_out_after_silence_and_a_dead_peer_is_replaced() {
    let net = MemoryNetwork::new();
    let server = Server::start(&net, URL, vec![], echoing());
    let protocol = TestProtocol {
        keep_alive: Some(KeepAlive {
            idle: Duration::from_secs(5),
            timeout: Duration::from_secs(2),
            ping: KeepAlivePing::WebSocket,
        }),
        ..Default::default()
    };
    let start = Instant::now();
    let session = builder(&net, URL, protocol, config_with(quick_backoff())).connect().await.unwrap();
    let mut events = session.events().unwrap();

    // A live peer answers the ping (tungstenite's automatic pong): no reconnect.
    server.until(|log| log.iter().any(|s| s.frame == Frame::Ping)).await;
    let ping = server.log().into_iter().find(|s| s.frame == Frame::Ping).unwrap();
    assert_eq!(ping.at - start, Duration::from_secs(5), "the ping follows 5 s of silence");
    tokio::time::sleep(Duration::from_secs(32)).await;
    assert_eq!(server.connections(), 1);
    let pings = server.log().iter().filter(|s| s.frame == Frame::Ping).count();
    assert_eq!(pings, 7, "one ping per 5 s of silence over 37 s");

    // A frozen peer does not: 2 s after the next ping the connection is taken for dead.
    server.push(0, Action::Freeze);
    let frozen_at = Instant::now();
    assert_eq!(
        notices_until_settled(&mut events).await,
        vec!["disconnected None", "reconnecting 1 after 1s", "reconnected to 0"]
    );
    let reconnected = server.log().into_iter().filter(|s| s.frame == Frame::Connected).nth(1).unwrap();
    // The last pong came at 35 s, the freeze at 37 s: ping at 40 s, dead at 42 s, 1 s backoff.
    assert_eq!(reconnected.at - frozen_at, Duration::from_secs(6));
    assert_eq!(session.call_raw("after", json!(1)).await.unwrap()["p"], 1);
}

#[tokio::test(start_paused = true)]
async fn the_protocols_own_ping_call_is_the_keep_alive_when_it_says_so() {
    let net = MemoryNetwork::new();
    let server = Server::start(&net, URL, vec![], echoing());
    let protocol = TestProtocol {
        keep_alive: Some(KeepAlive {
            idle: Duration::from_secs(10),
            timeout: Duration::from_secs(3),
            ping: KeepAlivePing::Call { method: "ping".into(), params: json!([]) },
        }),
        ..Default::default()
    };
    let session = builder(&net, URL, protocol, SessionConfig::default()).connect().await.unwrap();
    tokio::time::sleep(Duration::from_secs(25)).await;
    assert_eq!(server.calls(), vec![(0, "ping".to_owned()), (0, "ping".to_owned())], "at 10 s and 20 s");
    assert!(!server.log().iter().any(|s| s.frame == Frame::Ping), "no websocket pings");
    // The ping replies went to nobody; user calls still correlate.
    assert_eq!(session.call_raw("x", json!(2)).await.unwrap()["p"], 2);
}

#[tokio::test(start_paused = true)]
async fn reconnect_delays_grow_exponentially_with_the_injected_jitter() {
    let net = MemoryNetwork::new();
    // Connection 0 works; 1 to 3 are closed at once with 1012 (try again) before the hook's
    // `hello`, so each is a failed attempt; 4 works.
    let greeting: Greeting = Arc::new(|conn| match conn {
        1..=3 => vec![Action::Close(1012, "restarting".into())],
        _ => vec![event("hello", Value::Null)],
    });
    let server = Server::start_with(&net, URL, greeting, echoing());
    let protocol = TestProtocol { hook: Hook::HelloThenLogin, ..Default::default() };
    let mut backoff = Backoff::default();
    backoff.initial = Duration::from_secs(1);
    backoff.jitter = 0.5;
    let session = builder(&net, URL, protocol, config_with(backoff.clone()))
        .jitter(Draws(vec![0.0, 0.5, 0.75, 0.25]))
        .connect()
        .await
        .unwrap();
    let mut events = session.events().unwrap();
    let dropped_at = Instant::now();
    server.push(0, Action::Drop);
    let mut notices = Vec::new();
    for _ in 0..4 {
        notices.extend(notices_until_settled(&mut events).await);
        if notices.last().is_some_and(|n| n.starts_with("reconnected")) {
            break;
        }
    }
    // attempt n waits base·(1 − 0.5) + base·0.5·draw, base = 1 s · 2^(n−1).
    let expected = [
        Duration::from_millis(500),
        Duration::from_millis(1500),
        Duration::from_millis(3500),
        Duration::from_millis(5000),
    ];
    assert_eq!(expected[..], [0, 1, 2, 3].map(|n| backoff.delay(n, [0.0, 0.5, 0.75, 0.25][n as usize]))[..]);
    let reconnecting: Vec<String> = notices.iter().filter(|n| n.starts_with("reconnecting")).cloned().collect();
    assert_eq!(
        reconnecting,
        vec![
            "reconnecting 1 after 500ms",
            "reconnecting 2 after 1.5s",
            "reconnecting 3 after 3.5s",
            "reconnecting 4 after 5s"
        ]
    );
    assert_eq!(notices.last().unwrap(), "reconnected to 0");
    // The server saw the connections exactly that far apart.
    let connects: Vec<Instant> = server.log().iter().filter(|s| s.frame == Frame::Connected).map(|s| s.at).collect();
    assert_eq!(connects.len(), 5);
    assert_eq!(connects[1] - dropped_at, expected[0]);
    for n in 1..4 {
        assert_eq!(connects[n + 1] - connects[n], expected[n], "attempt {}", n + 1);
    }
    assert_eq!(server.calls(), vec![(0, "login".to_owned()), (4, "login".to_owned())]);
}

#[tokio::test(start_paused = true)]
async fn the_session_gives_up_after_its_attempts_and_says_so() {
    let net = MemoryNetwork::new();
    let greeting: Greeting =
        Arc::new(|conn| if conn == 0 { vec![event("hello", Value::Null)] } else { vec![Action::Drop] });
    let server = Server::start_with(&net, URL, greeting, echoing());
    let protocol = TestProtocol { hook: Hook::HelloThenLogin, ..Default::default() };
    let mut backoff = quick_backoff();
    backoff.max_attempts = Some(3);
    let session = builder(&net, URL, protocol, config_with(backoff)).connect().await.unwrap();
    let mut events = session.events().unwrap();
    server.push(0, Action::Drop);
    let mut last = String::new();
    while let Some(n) = notices_until_settled(&mut events).await.pop() {
        last = n;
        if last.starts_with("closed") {
            break;
        }
    }
    assert_eq!(last, "closed None gave up after 3 reconnect attempts");
    assert_eq!(server.connections(), 4);
    let e = session.call_raw("x", Value::Null).await.unwrap_err();
    assert_eq!(kind(&e), ProtocolErrorKind::Ended);
}

#[tokio::test(start_paused = true)]
async fn a_refusing_first_endpoint_falls_back_to_the_second() {
    let net = MemoryNetwork::new();
    let server = Server::start(&net, "ws://two.test/chat", vec![], echoing());
    let session = SessionBuilder::new(TestProtocol::default())
        .endpoints(["ws://one.test/chat", "ws://two.test/chat"])
        .connector(net.connector())
        .connect()
        .await
        .unwrap();
    assert_eq!(session.call_raw("hi", json!(1)).await.unwrap()["p"], 1);
    assert_eq!(server.connections(), 1);

    let none = SessionBuilder::new(TestProtocol::default())
        .endpoints(["ws://one.test/chat", "ws://three.test/chat"])
        .connector(net.connector())
        .connect()
        .await
        .unwrap_err();
    assert_eq!(kind(&none), ProtocolErrorKind::Connect);
    let message = none.to_string();
    assert!(message.contains("ws://one.test/chat") && message.contains("ws://three.test/chat"), "{message}");
}

#[tokio::test(start_paused = true)]
async fn after_a_reconnect_the_hook_runs_before_the_queued_calls_are_sent() {
    let net = MemoryNetwork::new();
    let server = Server::start(&net, URL, vec![event("hello", Value::Null)], echoing());
    let protocol = TestProtocol { hook: Hook::HelloThenLogin, ..Default::default() };
    let session = builder(&net, URL, protocol, config_with(quick_backoff())).connect().await.unwrap();
    let mut events = session.events().unwrap();
    server.push(0, Action::Drop);
    // Wait until the session knows, so the calls below are queued, not sent on the old socket.
    loop {
        if let SessionEvent::Disconnected { .. } = events.next().await.unwrap() {
            break;
        }
    }
    let (a, b) = tokio::join!(session.call_raw("a", json!("a")), session.call_raw("b", json!("b")));
    assert_eq!((a.unwrap()["p"].clone(), b.unwrap()["p"].clone()), (json!("a"), json!("b")));

    let second: Vec<String> = server
        .log()
        .into_iter()
        .filter(|s| s.conn == 1)
        .map(|s| match s.frame {
            Frame::Call { method, params, .. } => format!("{method} {params}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(second, vec!["Connected", r#"login {"n":2}"#, r#"a "a""#, r#"b "b""#]);
}

#[tokio::test(start_paused = true)]
async fn a_pending_call_is_resent_after_a_reconnect_only_when_the_protocol_allows() {
    let net = MemoryNetwork::new();
    // The first connection never answers `read` or `write`; later ones do.
    let server = Server::start(&net, URL, vec![], Arc::new(|conn, v: &Value| if conn == 0 { vec![] } else { echo(v) }));
    let protocol = TestProtocol { resend_safe: HashSet::from(["read".to_owned()]), ..Default::default() };
    let session = builder(&net, URL, protocol, config_with(quick_backoff())).connect().await.unwrap();
    let read = tokio::spawn({
        let s = session.clone();
        async move { s.call_raw("read", json!("r")).await }
    });
    let write = tokio::spawn({
        let s = session.clone();
        async move { s.call_raw("write", json!("w")).await }
    });
    server.until(|log| log.iter().filter(|s| matches!(s.frame, Frame::Call { .. })).count() == 2).await;
    server.push(0, Action::Drop);

    let e = write.await.unwrap().unwrap_err();
    assert_eq!(kind(&e), ProtocolErrorKind::Interrupted);
    assert!(e.to_string().contains("write"), "{e}");
    assert_eq!(read.await.unwrap().unwrap()["p"], "r");
    let mut calls = server.calls();
    calls.sort();
    assert_eq!(calls, vec![(0, "read".to_owned()), (0, "write".to_owned()), (1, "read".to_owned())]);
}

#[tokio::test(start_paused = true)]
async fn a_clean_close_sends_1000_fails_pending_calls_and_ends_the_stream() {
    let net = MemoryNetwork::new();
    let server = Server::start(&net, URL, vec![], Arc::new(|_, _| vec![]));
    let session = builder(&net, URL, TestProtocol::default(), SessionConfig::default()).connect().await.unwrap();
    let mut events = session.events().unwrap();
    let held = tokio::spawn({
        let s = session.clone();
        async move { s.call_raw("held", Value::Null).await }
    });
    server.until(|log| log.iter().any(|s| matches!(s.frame, Frame::Call { .. }))).await;

    let closed = session.close().await;
    assert_eq!((closed.code, closed.by_client), (Some(1000), true));
    server.until(|log| log.iter().any(|s| s.frame == Frame::Close(Some(1000)))).await;
    assert_eq!(kind(&held.await.unwrap().unwrap_err()), ProtocolErrorKind::Ended);
    assert!(matches!(events.next().await, Some(SessionEvent::Closed(c)) if c.code == Some(1000)));
    assert!(events.next().await.is_none(), "the stream ends");
    assert_eq!(kind(&session.call_raw("after", Value::Null).await.unwrap_err()), ProtocolErrorKind::Ended);
    assert_eq!(session.close().await, closed, "closing twice says the same");
}

#[tokio::test(start_paused = true)]
async fn a_fatal_close_code_ends_the_session_and_a_declared_one_reconnects() {
    let net = MemoryNetwork::new();
    let server = Server::start(&net, URL, vec![], echoing());
    let protocol = TestProtocol { reconnect_codes: HashSet::from([4000]), ..Default::default() };
    let session = builder(&net, URL, protocol, config_with(quick_backoff())).connect().await.unwrap();
    let mut events = session.events().unwrap();

    server.push(0, Action::Close(4000, "shuffle".into()));
    assert_eq!(
        notices_until_settled(&mut events).await,
        vec!["disconnected Some(4000)", "reconnecting 1 after 1s", "reconnected to 0"]
    );
    server.push(1, Action::Close(4003, "go away".into()));
    assert_eq!(notices_until_settled(&mut events).await, vec!["disconnected Some(4003)", "closed Some(4003) go away"]);
    tokio::time::sleep(Duration::from_secs(120)).await;
    assert_eq!(server.connections(), 2, "no reconnect after a fatal code");
    let e = session.call_raw("after", Value::Null).await.unwrap_err();
    assert_eq!(kind(&e), ProtocolErrorKind::Closed { code: 4003 });
    assert!(e.to_string().contains("go away"), "{e}");
    let ended = session.ended().unwrap();
    assert_eq!((ended.code, ended.by_client), (Some(4003), false));
}

#[tokio::test(start_paused = true)]
async fn with_no_ping_of_its_own_the_session_sends_nothing_and_silence_past_the_window_is_death() {
    let net = MemoryNetwork::new();
    let server = Server::start(&net, URL, vec![], echoing());
    let protocol = TestProtocol {
        keep_alive: Some(KeepAlive {
            idle: Duration::from_secs(10),
            timeout: Duration::from_secs(2),
            ping: KeepAlivePing::None,
        }),
        ..Default::default()
    };
    let session = builder(&net, URL, protocol, config_with(quick_backoff())).connect().await.unwrap();
    let mut events = session.events().unwrap();
    // Heartbeats every 11 s keep it alive (under idle + timeout = 12 s).
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_secs(11)).await;
        server.push(0, Action::Text(json!({"hb": true}).to_string()));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(server.connections(), 1);
    let sent: Vec<Frame> = server.log().into_iter().map(|s| s.frame).filter(|f| *f != Frame::Connected).collect();
    assert!(sent.is_empty(), "the client sent nothing: {sent:?}");
    // Then silence: 12 s after the last heartbeat the connection is taken for dead.
    let last = Instant::now() - Duration::from_secs(1);
    assert_eq!(
        notices_until_settled(&mut events).await,
        vec!["disconnected None", "reconnecting 1 after 1s", "reconnected to 0"]
    );
    let reconnected = server.log().into_iter().filter(|s| s.frame == Frame::Connected).nth(1).unwrap();
    assert_eq!(reconnected.at - last, Duration::from_secs(13));
}
