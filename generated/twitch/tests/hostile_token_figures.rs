//! Token lifetimes from a hostile token endpoint (issue 10): `expires_in` of `i64::MAX` from
//! the token endpoint, in a user token handed to the cache, and as the device flow's
//! `expires_in` / `interval`, panicked with "overflow when adding duration to instant".
//! Now they saturate.

use std::time::Duration;

use streamkit_runtime::Secret;
use streamkit_twitch::auth::{self, AppCredentials, DeviceFlow, UserToken};
use streamkit_twitch::oauth;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A server answering every request with `status` and the JSON `body` chosen by path.
async fn token_server(answer: fn(&str) -> (&'static str, String)) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // Head, then the form body (its length from Content-Length).
            let (head_end, length) = loop {
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..i]).to_ascii_lowercase();
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0usize);
                    break (i, length);
                }
                match sock.read(&mut chunk).await {
                    Ok(0) | Err(_) => break (0, 0),
                    Ok(k) => buf.extend_from_slice(&chunk[..k]),
                }
            };
            while buf.len() < head_end + 4 + length {
                match sock.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(k) => buf.extend_from_slice(&chunk[..k]),
                }
            }
            let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
            let path = head.split(' ').nth(1).unwrap_or("").to_string();
            let (status, body) = answer(&path);
            let reply = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = sock.write_all(reply.as_bytes()).await;
        }
    });
    url
}

fn app() -> AppCredentials {
    AppCredentials { client_id: "cid".into(), client_secret: Secret::new("app-secret-xyz") }
}

fn endless_token(_: &str) -> (&'static str, String) {
    (
        "200 OK",
        format!(r#"{{"access_token":"tok-endless","expires_in":{},"token_type":"bearer","scope":[]}}"#, i64::MAX),
    )
}

#[tokio::test]
async fn an_endless_expires_in_from_the_token_endpoint_saturates() {
    let url = token_server(endless_token).await;
    let oauth = oauth::Client::builder().base_url(url).build().unwrap();
    let cache = auth::app_token_cache(oauth, app());
    assert_eq!(cache.token().await.unwrap().expose(), "tok-endless");
    assert_eq!(cache.token().await.unwrap().expose(), "tok-endless", "cached, not fetched again");
}

#[tokio::test]
async fn an_endless_user_token_handed_to_the_cache_saturates() {
    let url = token_server(endless_token).await;
    let oauth = oauth::Client::builder().base_url(url).build().unwrap();
    let token = UserToken {
        access_token: Secret::new("user-tok"),
        refresh_token: Some(Secret::new("rt")),
        expires_in: i64::MAX,
        scopes: vec![],
    };
    let cache = auth::user_token_cache(oauth, app(), token).unwrap();
    assert_eq!(cache.token().await.unwrap().expose(), "user-tok");
}

#[tokio::test(start_paused = true)]
async fn an_endless_device_flow_expiry_and_interval_do_not_panic() {
    fn device(path: &str) -> (&'static str, String) {
        if path.starts_with("/device") {
            let n = i64::MAX;
            (
                "200 OK",
                format!(
                    r#"{{"device_code":"dc","expires_in":{n},"interval":{n},"user_code":"ABCD","verification_uri":"http://x/activate"}}"#
                ),
            )
        } else {
            ("400 Bad Request", r#"{"status":400,"message":"authorization_pending"}"#.to_string())
        }
    }
    let url = token_server(device).await;
    let oauth = oauth::Client::builder().base_url(url).timeout(Duration::from_secs(3600)).build().unwrap();
    let flow = DeviceFlow::start(oauth, "cid", &["user:read:email"]).await.unwrap();
    // Pending, then an interval as long as the code's life: the flow gives up instead of
    // panicking or sleeping past the expiry.
    let err = flow.wait_every(Duration::MAX).await.unwrap_err();
    assert!(err.to_string().contains("expired"), "{err}");
    let err = tokio::time::timeout(Duration::from_secs(1), flow.wait()).await;
    assert!(err.is_err() || err.unwrap().is_err(), "the server's own interval is clamped, never an overflow");
}
