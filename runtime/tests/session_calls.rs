//! Calls and events over one connection of the session runtime, against a scripted
//! in-memory server speaking the tests' own JSON frame protocol (`session_support`).

mod session_support;

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use session_support::*;
use streamkit_runtime::session::{Compression, MemoryNetwork, Method, SessionConfig, SessionEvent};
use streamkit_runtime::{Error, ProtocolErrorKind};

const URL: &str = "ws://server.test/socket";

fn kind(e: &Error) -> ProtocolErrorKind {
    e.protocol_kind().cloned().unwrap_or_else(|| panic!("not a protocol error: {e}"))
}

#[tokio::test(start_paused = true)]
async fn replies_are_matched_to_calls_by_id_whatever_their_order() {
    let net = MemoryNetwork::new();
    // Hold the first two replies and answer all three, last first, when the third arrives.
    let held = Arc::new(std::sync::Mutex::new(Vec::new()));
    let h = held.clone();
    let server = Server::start(
        &net,
        URL,
        vec![],
        Arc::new(move |_, v: &Value| {
            let mut held = h.lock().unwrap();
            held.push(v.clone());
            if held.len() < 3 {
                return vec![];
            }
            held.drain(..).rev().flat_map(|v| echo(&v)).collect()
        }),
    );
    let session = builder(&net, URL, TestProtocol::default(), SessionConfig::default()).connect().await.unwrap();
    let (a, b, c) = tokio::join!(
        session.call_raw("first", json!(1)),
        session.call_raw("second", json!(2)),
        session.call_raw("third", json!(3)),
    );
    assert_eq!(a.unwrap(), json!({"m": "first", "p": 1}));
    assert_eq!(b.unwrap(), json!({"m": "second", "p": 2}));
    assert_eq!(c.unwrap(), json!({"m": "third", "p": 3}));
    assert_eq!(server.calls().len(), 3);
}

/// A typed method: `add` takes two numbers and replies with their sum.
#[derive(Serialize)]
struct Add {
    a: i64,
    b: i64,
}

#[derive(Deserialize, Debug, PartialEq)]
struct Sum {
    sum: i64,
}

impl Method for Add {
    const NAME: &'static str = "add";
    type Reply = Sum;
}

#[tokio::test(start_paused = true)]
async fn typed_calls_serialize_params_and_decode_replies() {
    let net = MemoryNetwork::new();
    let server = Server::start(
        &net,
        URL,
        vec![],
        Arc::new(|_, v: &Value| {
            let sum = v["p"]["a"].as_i64().unwrap() + v["p"]["b"].as_i64().unwrap();
            vec![Action::Text(json!({"re": v["id"], "ok": {"sum": sum}}).to_string())]
        }),
    );
    let session = builder(&net, URL, TestProtocol::default(), SessionConfig::default()).connect().await.unwrap();
    assert_eq!(session.call(&Add { a: 2, b: 40 }).await.unwrap(), Sum { sum: 42 });
    assert_eq!(server.calls(), vec![(0, "add".to_owned())]);
}

#[tokio::test(start_paused = true)]
async fn string_and_object_reply_errors_both_come_through() {
    let net = MemoryNetwork::new();
    Server::start(
        &net,
        URL,
        vec![],
        Arc::new(|_, v: &Value| {
            let err = match v["m"].as_str() {
                Some("bare") => json!("Not allowed"),
                _ => json!({"code": 4106, "message": "Unknown thing", "detail": "x"}),
            };
            vec![Action::Text(json!({"re": v["id"], "err": err}).to_string())]
        }),
    );
    let session = builder(&net, URL, TestProtocol::default(), SessionConfig::default()).connect().await.unwrap();

    let bare = session.call_raw("bare", Value::Null).await.unwrap_err();
    assert_eq!(kind(&bare), ProtocolErrorKind::Reply { code: None });
    assert_eq!(bare.to_string(), "bare: reply error: Not allowed");

    let coded = session.call_raw("coded", Value::Null).await.unwrap_err();
    assert_eq!(kind(&coded), ProtocolErrorKind::Reply { code: Some(4106) });
    assert_eq!(coded.to_string(), "coded: reply error 4106: Unknown thing");

    let raw = session.call_raw_outcome("coded", Value::Null).await.unwrap().unwrap_err();
    assert_eq!(raw.raw["detail"], "x", "the error object stays available as sent");
}

#[tokio::test(start_paused = true)]
async fn a_call_without_reply_times_out_and_a_late_reply_is_dropped() {
    let net = MemoryNetwork::new();
    let server =
        Server::start(&net, URL, vec![], Arc::new(|_, v: &Value| if v["m"] == "slow" { vec![] } else { echo(v) }));
    let mut config = SessionConfig::default();
    config.call_timeout = Duration::from_secs(3);
    let session = builder(&net, URL, TestProtocol::default(), config).connect().await.unwrap();
    let started = tokio::time::Instant::now();
    let e = session.call_raw("slow", Value::Null).await.unwrap_err();
    assert_eq!(kind(&e), ProtocolErrorKind::Timeout);
    assert_eq!(started.elapsed(), Duration::from_secs(3));
    // The late reply to call 1 matches nothing; the session goes on.
    server.push(0, Action::Text(json!({"re": 1, "ok": "late"}).to_string()));
    assert_eq!(session.call_raw("fast", json!(1)).await.unwrap()["p"], 1);
}

#[tokio::test(start_paused = true)]
async fn events_arrive_on_the_stream_in_order() {
    let net = MemoryNetwork::new();
    let server = Server::start(&net, URL, vec![event("hello", json!({"n": 0}))], echoing());
    let session = builder(&net, URL, TestProtocol::default(), SessionConfig::default()).connect().await.unwrap();
    let mut events = session.events().unwrap();
    assert!(session.events().is_none(), "one consumer");
    server.push(0, event("a", json!(1)));
    server.push(0, event("b", json!(2)));
    assert_eq!(next_event(&mut events).await, TestEvent { name: "hello".into(), data: json!({"n": 0}) });
    assert_eq!(next_event(&mut events).await.name, "a");
    assert_eq!(next_event(&mut events).await, TestEvent { name: "b".into(), data: json!(2) });
}

#[tokio::test(start_paused = true)]
async fn malformed_and_unknown_frames_are_reported_and_the_next_call_still_gets_its_reply() {
    let net = MemoryNetwork::new();
    let server = Server::start(&net, URL, vec![], echoing());
    let session = builder(&net, URL, TestProtocol::default(), SessionConfig::default()).connect().await.unwrap();
    let mut events = session.events().unwrap();
    server.push(0, Action::Text("{not json".into()));
    server.push(0, Action::Text(json!({"something": "else"}).to_string()));
    server.push(0, Action::Binary(vec![0xff, 0xfe, 0x00]));
    for expected in ["not JSON", "neither a reply", "neither gzip nor UTF-8"] {
        match events.next().await.unwrap() {
            SessionEvent::Invalid(e) => {
                assert_eq!(kind(&e), ProtocolErrorKind::Violation);
                assert!(e.to_string().contains(expected), "{e}");
            }
            other => panic!("expected an invalid-frame report, got {other:?}"),
        }
    }
    assert_eq!(session.call_raw("after", json!("ok")).await.unwrap()["p"], "ok");
    assert_eq!(server.connections(), 1, "no reconnect was needed");
}

#[tokio::test(start_paused = true)]
async fn a_full_send_queue_pushes_back_and_drains_as_replies_free_room() {
    let net = MemoryNetwork::new();
    // Reply only when told to: the server holds every call.
    let server = Server::start(&net, URL, vec![], Arc::new(|_, _| vec![]));
    let mut config = SessionConfig::default();
    config.max_in_flight = 2;
    config.send_queue = 3;
    config.call_timeout = Duration::from_secs(60);
    let session = builder(&net, URL, TestProtocol::default(), config).connect().await.unwrap();

    let mut replies = Vec::new();
    for i in 0..2 {
        replies.push(tokio::spawn(session.try_call_raw("c", json!(i)).unwrap()));
    }
    server.until(|log| log.iter().filter(|s| matches!(s.frame, Frame::Call { .. })).count() == 2).await;
    // Two in flight; the queue holds three more; the sixth is refused.
    for i in 2..5 {
        replies.push(tokio::spawn(session.try_call_raw("c", json!(i)).unwrap()));
    }
    let e = session.try_call_raw("c", json!(5)).err().expect("the queue is full");
    assert_eq!(kind(&e), ProtocolErrorKind::QueueFull { capacity: 3 });
    // A waiting `call` is back-pressured, not refused: it completes once room frees.
    let waiting = tokio::spawn({
        let s = session.clone();
        async move { s.call_raw("c", json!(5)).await }
    });
    tokio::task::yield_now().await;
    assert_eq!(server.calls().len(), 2, "nothing past the in-flight limit was sent");

    for id in 1..=6u64 {
        server.until(|log| log.iter().any(|s| matches!(s.frame, Frame::Call { id: i, .. } if i == id))).await;
        server.push(0, Action::Text(json!({"re": id, "ok": id}).to_string()));
    }
    for (i, r) in replies.into_iter().enumerate() {
        assert_eq!(r.await.unwrap().unwrap(), json!(i + 1));
    }
    assert_eq!(waiting.await.unwrap().unwrap(), json!(6));
    let params: Vec<Value> = server
        .log()
        .into_iter()
        .filter_map(|s| match s.frame {
            Frame::Call { params, .. } => Some(params),
            _ => None,
        })
        .collect();
    assert_eq!(params, (0..6).map(|i| json!(i)).collect::<Vec<_>>(), "sent in the order queued");
}

#[tokio::test(start_paused = true)]
async fn an_oversized_incoming_frame_closes_with_1009_and_an_oversized_call_is_refused() {
    let net = MemoryNetwork::new();
    let server = Server::start(&net, URL, vec![], echoing());
    let mut config = SessionConfig::default();
    config.max_frame = 4096;
    let session = builder(&net, URL, TestProtocol::default(), config).connect().await.unwrap();
    let mut events = session.events().unwrap();

    let e = session.call_raw("big", json!("x".repeat(5000))).await.unwrap_err();
    assert_eq!(kind(&e), ProtocolErrorKind::TooLarge { limit: 4096 });
    assert!(server.calls().is_empty(), "never sent");

    server.push(0, event("huge", json!("y".repeat(10_000))));
    match events.next().await.unwrap() {
        SessionEvent::Invalid(e) => assert_eq!(kind(&e), ProtocolErrorKind::TooLarge { limit: 4096 }),
        other => panic!("expected the refusal, got {other:?}"),
    }
    // 1009 is final by default: the session ends, saying why.
    let mut rest = Vec::new();
    while let Some(ev) = events.next().await {
        rest.push(ev);
    }
    assert!(matches!(rest[0], SessionEvent::Disconnected { code: Some(1009), .. }), "{rest:?}");
    assert!(matches!(&rest[1], SessionEvent::Closed(c) if c.code == Some(1009) && !c.by_client), "{rest:?}");
    server.until(|log| log.iter().any(|s| s.frame == Frame::Close(Some(1009)))).await;
    let e = session.call_raw("after", Value::Null).await.unwrap_err();
    assert_eq!(kind(&e), ProtocolErrorKind::Closed { code: 1009 });
}

fn gzip(text: &str) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(text.as_bytes()).unwrap();
    enc.finish().unwrap()
}

#[tokio::test(start_paused = true)]
async fn gzip_frames_are_inflated_large_calls_deflated_and_a_gzip_bomb_is_capped() {
    let net = MemoryNetwork::new();
    let server = Server::start(&net, URL, vec![], echoing());
    let protocol = TestProtocol {
        compression: Some(Compression { inflate_incoming: true, max_inflated: 64 * 1024, deflate_above: Some(1024) }),
        ..Default::default()
    };
    let session = builder(&net, URL, protocol, SessionConfig::default()).connect().await.unwrap();
    let mut events = session.events().unwrap();

    // Incoming: a gzipped event.
    let frame = json!({"ev": "zipped", "data": "z".repeat(3000)}).to_string();
    server.push(0, Action::Binary(gzip(&frame)));
    assert_eq!(next_event(&mut events).await.data, json!("z".repeat(3000)));

    // Outgoing: small calls go as text, large ones gzipped.
    session.call_raw("small", json!("s")).await.unwrap();
    let big = "b".repeat(2000);
    assert_eq!(session.call_raw("large", json!(big)).await.unwrap()["p"], json!(big));
    let gz: Vec<String> = server
        .log()
        .into_iter()
        .filter_map(|s| match s.frame {
            Frame::Gzip(t) => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(gz.len(), 1, "only the frame over 1 KiB was gzipped");
    assert!(gz[0].contains(r#""m":"large""#));

    // A bomb: 10 MB of zeros in a few KB; refused at 64 KiB, and the session goes on.
    let bomb = gzip(&"0".repeat(10_000_000));
    assert!(bomb.len() < 20_000);
    server.push(0, Action::Binary(bomb));
    match events.next().await.unwrap() {
        SessionEvent::Invalid(e) => assert_eq!(kind(&e), ProtocolErrorKind::TooLarge { limit: 64 * 1024 }),
        other => panic!("expected the bomb refused, got {other:?}"),
    }
    assert_eq!(session.call_raw("after", json!(1)).await.unwrap()["p"], 1);
    assert_eq!(server.connections(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_slow_consumer_loses_events_counted_not_memory() {
    let net = MemoryNetwork::new();
    let server = Server::start(&net, URL, vec![], echoing());
    let mut config = SessionConfig::default();
    config.event_buffer = 4;
    let session = builder(&net, URL, TestProtocol::default(), config).connect().await.unwrap();
    let mut events = session.events().unwrap();
    for i in 0..10 {
        server.push(0, event("e", json!(i)));
    }
    // A reply after the events proves they have all been read.
    session.call_raw("sync", Value::Null).await.unwrap();
    let mut got = Vec::new();
    for _ in 0..4 {
        got.push(events.next().await.unwrap());
    }
    let data: Vec<Value> = got
        .iter()
        .map(|e| match e {
            SessionEvent::Event(e) => e.data.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(data, vec![json!(0), json!(1), json!(2), json!(3)]);
    // The count is reported before the next event that finds room.
    server.push(0, event("e", json!(10)));
    assert!(matches!(events.next().await.unwrap(), SessionEvent::Lagged { dropped: 6 }));
    assert_eq!(next_event(&mut events).await.data, json!(10));
}

#[tokio::test(start_paused = true)]
async fn hundreds_of_hostile_frames_leave_the_session_up_and_replying() {
    let net = MemoryNetwork::new();
    let server = Server::start(&net, URL, vec![], echoing());
    let protocol = TestProtocol {
        compression: Some(Compression { inflate_incoming: true, max_inflated: 4096, deflate_above: None }),
        ..Default::default()
    };
    let session = builder(&net, URL, protocol, SessionConfig::default()).connect().await.unwrap();
    let mut events = session.events().unwrap();
    let mut rng = fastrand::Rng::with_seed(14);
    let valid_gzip = gzip(&json!({"ev": "ok", "data": 1}).to_string());
    for i in 0..300 {
        let len = rng.usize(0..200);
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.u8(..)).collect();
        let frame = match i % 5 {
            0 => Action::Binary(bytes),
            1 => {
                // gzip magic, then garbage
                bytes.splice(0..0, [0x1f, 0x8b]);
                Action::Binary(bytes)
            }
            2 => Action::Binary(valid_gzip[..rng.usize(2..valid_gzip.len())].to_vec()), // truncated gzip
            3 => Action::Text(String::from_utf8_lossy(&bytes).into_owned()),
            _ => {
                // JSON shaped like the protocol's, with wrong types and unknown ids
                let pick = [
                    json!({"re": "x"}),
                    json!({"re": u64::MAX, "ok": 1}),
                    json!({"ev": 5}),
                    json!([1, 2]),
                    json!({"re": -1, "err": {"code": "NaN"}}),
                ];
                Action::Text(pick[rng.usize(..pick.len())].to_string())
            }
        };
        server.push(0, frame);
    }
    server.push(0, event("end", Value::Null));
    let mut invalid = 0;
    loop {
        match events.next().await.unwrap() {
            SessionEvent::Invalid(_) => invalid += 1,
            SessionEvent::Event(e) if e.name == "end" => break,
            SessionEvent::Event(_) => {}
            other => panic!("the connection suffered: {other:?}"),
        }
    }
    assert!(invalid >= 200, "each hostile frame was reported ({invalid})");
    assert_eq!(session.call_raw("still", json!("here")).await.unwrap()["p"], "here");
    assert_eq!(server.connections(), 1);
    assert!(session.ended().is_none());
}
