//! The session over real 127.0.0.1 sockets (the default `TcpConnector`): what the opening
//! request carries and endpoint fallback past a refused port. Nothing here depends on timing.

// tungstenite's handshake callback returns its (large) `ErrorResponse` by signature.
#![allow(clippy::result_large_err)]

mod session_support;

use std::sync::{Arc, Mutex};

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use session_support::TestProtocol;
use streamkit_runtime::session::tungstenite::Message;
use streamkit_runtime::session::tungstenite::handshake::server::{Request, Response};
use streamkit_runtime::session::{SessionBuilder, tungstenite};
use streamkit_runtime::{ProtocolErrorKind, Secret};
use tokio::net::TcpListener;

/// What the server saw of an opening request.
#[derive(Debug, Default, Clone)]
struct Opening {
    uri: String,
    headers: Vec<(String, String)>,
}

/// A port nothing listens on (bound, then released).
async fn refused_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    l.local_addr().unwrap().port()
}

/// A websocket server on 127.0.0.1 that records each opening request, picks the last
/// subprotocol offered, and echoes calls of the test protocol.
async fn server() -> (u16, Arc<Mutex<Vec<Opening>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let s = s.clone();
            tokio::spawn(async move {
                let callback = |req: &Request, mut resp: Response| {
                    let headers = req
                        .headers()
                        .iter()
                        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_owned()))
                        .collect();
                    s.lock().unwrap().push(Opening { uri: req.uri().to_string(), headers });
                    if let Some(offered) = req.headers().get("sec-websocket-protocol") {
                        let last = offered.to_str().unwrap().rsplit(',').next().unwrap().trim().to_owned();
                        resp.headers_mut().insert("sec-websocket-protocol", last.parse().unwrap());
                    }
                    Ok(resp)
                };
                let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(tcp, callback).await else { return };
                while let Some(Ok(Message::Text(t))) = ws.next().await {
                    let v: Value = serde_json::from_str(&t).unwrap();
                    let reply = json!({"re": v["id"], "ok": v["p"]}).to_string();
                    if ws.send(tungstenite::Message::text(reply)).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, seen)
}

#[tokio::test]
async fn headers_query_and_subprotocols_reach_the_server_and_a_refused_endpoint_is_skipped() {
    let (port, seen) = server().await;
    let refused = refused_port().await;
    let builder = SessionBuilder::new(TestProtocol::default())
        .endpoints([format!("ws://127.0.0.1:{refused}/socket"), format!("ws://127.0.0.1:{port}/socket")])
        .header("Client-ID", "client-123")
        .secret_header("Authorization", Secret::new("OAuth sekrit-token"))
        .header("x-is-bot", "true")
        .query("version", "1.0")
        .subprotocol("test-gzip")
        .subprotocol("test");
    let shown = format!("{builder:?}");
    assert!(!shown.contains("sekrit") && shown.contains("[redacted]"), "{shown}");
    let session = builder.connect().await.unwrap();
    assert_eq!(session.call_raw("echo", json!({"x": 1})).await.unwrap(), json!({"x": 1}));
    assert!(!format!("{session:?}").contains("sekrit"));

    let opening = seen.lock().unwrap()[0].clone();
    assert_eq!(opening.uri, "/socket?version=1.0");
    let header = |name: &str| opening.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    assert_eq!(header("client-id").as_deref(), Some("client-123"));
    assert_eq!(header("authorization").as_deref(), Some("OAuth sekrit-token"));
    assert_eq!(header("x-is-bot").as_deref(), Some("true"));
    assert_eq!(header("sec-websocket-protocol").as_deref(), Some("test-gzip, test"));
    session.close().await;
}

#[tokio::test]
async fn when_every_endpoint_refuses_the_error_names_them_and_no_secret() {
    let (a, b) = (refused_port().await, refused_port().await);
    let e = SessionBuilder::new(TestProtocol::default())
        .endpoints([format!("ws://127.0.0.1:{a}/s?token=hidden"), format!("ws://127.0.0.1:{b}/s")])
        .secret_header("Authorization", Secret::new("OAuth sekrit-token"))
        .connect()
        .await
        .unwrap_err();
    assert_eq!(e.protocol_kind(), Some(&ProtocolErrorKind::Connect));
    let text = format!("{e} {e:?}");
    assert!(text.contains(&format!("127.0.0.1:{a}/s")) && text.contains(&format!("127.0.0.1:{b}/s")), "{text}");
    assert!(!text.contains("sekrit") && !text.contains("hidden"), "{text}");
}

#[tokio::test]
async fn a_header_value_with_a_line_break_is_refused_without_showing_it() {
    let e = SessionBuilder::new(TestProtocol::default())
        .endpoint("ws://127.0.0.1:1/s")
        .secret_header("Authorization", Secret::new("a\r\nInjected: sekrit"))
        .connect()
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(text.contains("Authorization") && !text.contains("sekrit"), "{text}");
}
