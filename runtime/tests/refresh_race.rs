//! Two requests refused with the same token, the second refusal arriving after the first
//! one's refresh: the refresh compares with the token the request sent, so the second one
//! resends with the new token instead of fetching a third. The server orders the answers, so
//! the interleaving is the same on every run.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use streamkit_runtime::auth::{AccessToken, TokenCache, TokenFuture, TokenSource};
use streamkit_runtime::policy::*;
use streamkit_runtime::send_loop::send_with_retries;
use streamkit_runtime::{ClientBuilder, FromRuntime, Runtime, Secret};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Barrier, Notify};

static AUTH: &[AuthHeader] = &[AuthHeader { name: "Authorization", template: "Bearer {access_token}" }];
static POLICY: ServicePolicy = ServicePolicy {
    service: "race",
    default_base_url: "http://127.0.0.1:9",
    buckets: &[],
    operations: &[OperationPolicy {
        operation_id: "get",
        method: "GET",
        path: "/x",
        auth: AUTH,
        ratelimit: None,
        idempotent: true,
        pagination: None,
        classify: &[],
        invalid_credential: &[],
    }],
    retry: RetryDefaults::NONE,
};

struct Race(Runtime);
impl FromRuntime for Race {
    fn policy() -> &'static ServicePolicy {
        &POLICY
    }
    fn from_parts(_: &str, _: reqwest::Client, rt: Runtime) -> Self {
        Race(rt)
    }
}

/// Counts fetches and says when one is done.
struct Source {
    fetches: Arc<AtomicUsize>,
    fetched: Arc<Notify>,
}
impl TokenSource for Source {
    fn fetch(&self, _stale: Option<&Secret>) -> TokenFuture<'_> {
        let n = self.fetches.fetch_add(1, Ordering::SeqCst) + 1;
        self.fetched.notify_one();
        Box::pin(async move { Ok(AccessToken { token: Secret::new(format!("t{n}")), expires_in: None }) })
    }
}

async fn read_auth(sock: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(k) => buf.extend_from_slice(&chunk[..k]),
        }
    }
    let head = String::from_utf8_lossy(&buf).to_lowercase();
    head.lines().find_map(|l| l.strip_prefix("authorization: ")).unwrap_or("").trim().to_string()
}

async fn reply(mut sock: TcpStream, status: &str) {
    let r = format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    let _ = sock.write_all(r.as_bytes()).await;
}

/// Both `t1` requests arrive before either is answered; the first 401 goes out at once, the
/// second only after the token was fetched again. Any other token gets a 200.
async fn server(fetched: Arc<Notify>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let log: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = log.clone();
    let both_arrived = Arc::new(Barrier::new(2));
    let refused = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let (seen, both_arrived, refused, fetched) =
                (seen.clone(), both_arrived.clone(), refused.clone(), fetched.clone());
            tokio::spawn(async move {
                let auth = read_auth(&mut sock).await;
                seen.lock().unwrap().push(auth.clone());
                if auth != "bearer t1" {
                    return reply(sock, "200 OK").await;
                }
                both_arrived.wait().await;
                if refused.fetch_add(1, Ordering::SeqCst) == 1 {
                    fetched.notified().await;
                }
                reply(sock, "401 Unauthorized").await;
            });
        }
    });
    (url, log)
}

#[tokio::test]
async fn a_late_refusal_of_an_already_replaced_token_does_not_fetch_again() {
    let (fetches, fetched) = (Arc::new(AtomicUsize::new(0)), Arc::new(Notify::new()));
    let cache = TokenCache::new(
        Source { fetches: fetches.clone(), fetched: fetched.clone() },
        std::time::Duration::from_secs(60),
    );
    cache.token().await.unwrap();
    fetches.store(1, Ordering::SeqCst);
    // The fetch of t1 left a permit: take it, so only the refresh's fetch releases the server.
    fetched.notified().await;
    let (url, log) = server(fetched).await;
    let rt = ClientBuilder::<Race>::new()
        .base_url(&url)
        .token_cache(cache.clone())
        .without_rate_limiting()
        .build()
        .unwrap()
        .0;
    let call = |rt: Runtime, url: String| async move {
        streamkit_runtime::tls::install_default_provider();
        let http = reqwest::Client::new();
        let mut request = http.get(format!("{url}/x")).build().unwrap();
        // What the `pre` hook does for a generated client.
        let token = rt.identities().get("access_token").unwrap().current().unwrap();
        request.headers_mut().insert("authorization", format!("Bearer {}", token.expose()).parse().unwrap());
        send_with_retries(&rt, &http, request, "get").await.unwrap().status().as_u16()
    };
    let (a, b) = tokio::join!(call(rt.clone(), url.clone()), call(rt.clone(), url.clone()));
    assert_eq!((a, b), (200, 200));
    assert_eq!(fetches.load(Ordering::SeqCst), 2, "t1 at start, t2 once for both refusals: {:?}", log.lock().unwrap());
    assert_eq!(cache.current().unwrap().expose(), "t2");
}
