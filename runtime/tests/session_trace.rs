//! Tracing of sessions: a span per session and per call, and no secret in what is logged.
//! Alone in its binary: `tracing`'s callsite cache is process-wide, and tests running beside
//! it without a subscriber would race the one installed here.

mod session_support;

use std::sync::Arc;

use serde_json::json;
use session_support::*;
use streamkit_runtime::session::{MemoryNetwork, SessionConfig};

const URL: &str = "ws://server.test/socket";

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn each_session_and_call_is_a_span_and_no_secret_reaches_the_log() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let net = MemoryNetwork::new();
    Server::start(&net, URL, vec![], echoing());
    let session = builder(&net, URL, TestProtocol::default(), SessionConfig::default())
        .secret_header("Authorization", streamkit_runtime::Secret::new("OAuth sekrit-token"))
        .query("v", "1")
        .connect()
        .await
        .unwrap();
    session.call_raw("greet", json!("hi")).await.unwrap();
    session.close().await;

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("streamkit.session{protocol=\"test\"}"), "{log}");
    assert!(log.contains("streamkit.session.call{method=\"greet\" id=1"), "{log}");
    assert!(log.contains("call sent"), "{log}");
    assert!(!log.contains("sekrit"), "{log}");
}
