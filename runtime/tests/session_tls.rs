//! `wss://` through the default connector's rustls (ring) path, against a TLS websocket server
//! on 127.0.0.1 with the test certificate in `fixtures/tls/` (trusted by this test only).
#![cfg(feature = "rustls")]

mod session_support;

use std::sync::Arc;

use futures::{SinkExt, StreamExt};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::{Value, json};
use session_support::TestProtocol;
use streamkit_runtime::ProtocolErrorKind;
use streamkit_runtime::session::tungstenite::Message;
use streamkit_runtime::session::{SessionBuilder, TcpConnector};
use tokio::net::TcpListener;

const CERT: &[u8] = include_bytes!("fixtures/tls/cert.pem");
const KEY: &[u8] = include_bytes!("fixtures/tls/key.pem");

/// A wss:// echo server for the test protocol; returns its port.
async fn tls_server() -> u16 {
    streamkit_runtime::tls::install_default_provider();
    let cert = CertificateDer::from_pem_slice(CERT).unwrap();
    let key = PrivateKeyDer::from_pem_slice(KEY).unwrap();
    let config = rustls::ServerConfig::builder().with_no_client_auth().with_single_cert(vec![cert], key).unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else { return };
                let Ok(mut ws) = tokio_tungstenite::accept_async(tls).await else { return };
                while let Some(Ok(Message::Text(t))) = ws.next().await {
                    let v: Value = serde_json::from_str(&t).unwrap();
                    let reply = json!({"re": v["id"], "ok": v["p"]}).to_string();
                    if ws.send(Message::text(reply)).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    port
}

fn trusting_the_test_certificate() -> TcpConnector {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from_pem_slice(CERT).unwrap()).unwrap();
    let config = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
    TcpConnector::with_tls_config(Arc::new(config))
}

#[tokio::test]
async fn a_wss_endpoint_is_reached_over_rustls() {
    let port = tls_server().await;
    let session = SessionBuilder::new(TestProtocol::default())
        .endpoint(format!("wss://localhost:{port}/socket"))
        .connector(trusting_the_test_certificate())
        .connect()
        .await
        .unwrap();
    assert_eq!(session.call_raw("over-tls", json!("yes")).await.unwrap(), json!("yes"));
    session.close().await;
}

#[tokio::test]
async fn an_untrusted_certificate_fails_the_endpoint_and_the_next_one_is_tried() {
    let port = tls_server().await;
    // The platform verifier does not trust the test certificate.
    let e = SessionBuilder::new(TestProtocol::default())
        .endpoint(format!("wss://localhost:{port}/socket"))
        .connect()
        .await
        .unwrap_err();
    assert_eq!(e.protocol_kind(), Some(&ProtocolErrorKind::Connect));
    assert!(e.to_string().to_lowercase().contains("certificate"), "{e}");

    // Plain ws:// to a TLS port fails too, and a trusted second endpoint is used.
    let session = SessionBuilder::new(TestProtocol::default())
        .endpoints([format!("ws://127.0.0.1:{port}/socket"), format!("wss://localhost:{port}/socket")])
        .connector(trusting_the_test_certificate())
        .connect()
        .await
        .unwrap();
    assert_eq!(session.call_raw("second", json!(2)).await.unwrap(), json!(2));
}
