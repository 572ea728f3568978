//! The runtime against a hostile or broken server (issue 10): each test reproduces one class
//! of misbehaviour seen against `main` and checks it now ends in a clear, bounded error.

mod common;

use common::*;
use streamkit_runtime::{ErrorBody, Refusal};

const MIB: u64 = 1024 * 1024;

// ---- No body size limit ---------------------------------------------------------------

#[tokio::test]
async fn a_chunked_body_past_the_cap_fails_typed_and_the_rest_is_not_read() {
    let mut server = serve(|_, _| Reply {
        head: "200 OK\r\ncontent-type: application/json".into(),
        body: Body::Chunked { chunk: 64 * 1024, total: 64 * MIB },
    })
    .await;
    let client = builder(&server.url).build().unwrap();
    let err = client.call("get_thing", "/big").await.unwrap_err();
    assert_eq!(err.refusal(), Some(&Refusal::BodyTooLarge { limit: 16 * MIB, declared: None }), "{err}");
    assert!(err.to_string().contains("get_thing"), "{err}");
    // The client dropped the connection: the server could not send everything.
    assert!(!server.done.recv().await.unwrap(), "the server wrote the whole 64 MiB");
    assert!(server.sent() < 32 * MIB, "sent {} bytes", server.sent());
}

#[tokio::test]
async fn a_declared_length_past_the_cap_fails_before_reading_and_the_cap_is_per_client() {
    let mut server = serve(|_, _| Reply {
        head: "200 OK\r\ncontent-type: application/json".into(),
        body: Body::Declared { declared: 1 << 40, send: 8 * MIB },
    })
    .await;
    let client = builder(&server.url).build().unwrap();
    let err = client.call("get_thing", "/big").await.unwrap_err();
    assert_eq!(err.refusal(), Some(&Refusal::BodyTooLarge { limit: 16 * MIB, declared: Some(1 << 40) }), "{err}");
    assert!(!server.done.recv().await.unwrap());

    let body = format!("[{}]", vec!["1"; 1000].join(","));
    let server = serve(move |_, _| Reply::json("200 OK", &body)).await;
    let small = builder(&server.url).max_response_body(1000).build().unwrap();
    assert!(matches!(
        small.call("get_thing", "/list").await.unwrap_err().refusal(),
        Some(Refusal::BodyTooLarge { limit: 1000, .. })
    ));
    let roomy = builder(&server.url).max_response_body(4000).build().unwrap();
    assert_eq!(roomy.call("get_thing", "/list").await.unwrap().as_array().unwrap().len(), 1000);
}

// ---- Error text without bound ---------------------------------------------------------

#[tokio::test]
async fn huge_error_messages_and_bodies_are_bounded_with_a_marker() {
    let huge = "m".repeat(8 * MIB as usize);
    let json = format!(r#"{{"error":"Bad Request","status":400,"message":"{huge}"}}"#);
    let server =
        serve(
            move |n, _| {
                if n == 0 { Reply::json("400 Bad Request", &json) } else { Reply::text("400 Bad Request", &huge) }
            },
        )
        .await;
    let client = builder(&server.url).build().unwrap();
    for _ in 0..2 {
        let err = client.call("get_thing", "/x").await.unwrap_err();
        let shown = format!("{err}");
        assert!(shown.len() < 2048, "Display is {} bytes", shown.len());
        assert!(shown.contains("cut"), "{}", &shown[shown.len() - 60..]);
        let kept = format!("{:?}", err.api().unwrap().body);
        assert!(kept.len() < 16 * 1024, "the error keeps {} bytes of body", kept.len());
        assert!(kept.contains("cut"));
    }
}

#[tokio::test]
async fn a_small_json_error_is_kept_whole() {
    let server =
        serve(|_, _| Reply::json("404 Not Found", r#"{"error":"Not Found","status":404,"message":"no such thing"}"#))
            .await;
    let err = builder(&server.url).build().unwrap().call("get_thing", "/x").await.unwrap_err();
    assert_eq!(err.api().unwrap().message(), Some("no such thing"));
    assert!(matches!(err.api().unwrap().body, ErrorBody::Json(_)));
}

// ---- Secrets echoed by a server --------------------------------------------------------

#[tokio::test]
async fn secrets_echoed_by_the_server_never_reach_display_or_debug() {
    let bodies = [
        Reply::text("401 Unauthorized", &format!("bad token Bearer {TOKEN}")),
        Reply::json("401 Unauthorized", &format!(r#"{{"status":401,"message":"bad token Bearer {TOKEN}"}}"#)),
        // An OAuth error page echoing the form it refused: the client never held this
        // secret as an identity, its shape gives it away.
        Reply::text(
            "400 Bad Request",
            "<html>invalid request: client_id=abc&client_secret=s3cr3t-value&grant_type=client_credentials</html>",
        ),
        Reply::json(
            "400 Bad Request",
            r#"{"message":"echo: refresh_token=rt-secret-1 jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"}"#,
        ),
    ];
    let bodies = std::sync::Mutex::new(bodies.into_iter().map(Some).collect::<Vec<_>>());
    let server = serve(move |n, _| bodies.lock().unwrap()[n].take().unwrap()).await;
    let client = builder(&server.url).build().unwrap();
    for _ in 0..4 {
        let err = client.call("get_thing", "/x").await.unwrap_err();
        let shown = format!("{err} {err:?} {:?}", err.api().unwrap().body);
        for secret in [TOKEN, "s3cr3t-value", "rt-secret-1", "c2lnbmF0dXJl"] {
            assert!(!shown.contains(secret), "{secret} shown in {shown}");
        }
        assert!(shown.contains("[redacted]"), "{shown}");
    }
}
