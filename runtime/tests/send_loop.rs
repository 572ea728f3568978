//! The send loop against a server that answers from a script: declared classifications,
//! the service's retry defaults, and a managed credential refreshed after a 401.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use streamkit_runtime::auth::{AccessToken, TokenCache, TokenFuture, TokenSource};
use streamkit_runtime::policy::*;
use streamkit_runtime::send_loop::send_with_retries;
use streamkit_runtime::{ClientBuilder, FromRuntime, Runtime, Secret};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

static BUCKETS: &[BucketSpec] = &[BucketSpec {
    name: "main",
    points: 100,
    per_seconds: 60,
    per_user: false,
    limit_header: Some("x-limit"),
    remaining_header: Some("x-remaining"),
    reset_header: None,
    reset_unit: ResetUnit::DeltaSeconds,
}];
static AUTH: &[AuthHeader] = &[AuthHeader { name: "Authorization", template: "Bearer {access_token}" }];
static POINTS_LEFT_IS_FINAL: &[Classification] =
    &[Classification { status: 429, when: ClassifyWhen::PointsLeft, outcome: ClassifyAs::Final }];
const fn op(id: &'static str, classify: &'static [Classification]) -> OperationPolicy {
    OperationPolicy {
        operation_id: id,
        method: "POST",
        path: "/x",
        auth: AUTH,
        ratelimit: Some(RateCost { bucket: "main", cost: 1 }),
        idempotent: false,
        pagination: None,
        classify,
        invalid_credential: &[],
    }
}
static POLICY: ServicePolicy = ServicePolicy {
    service: "scripted",
    default_base_url: "http://127.0.0.1:9",
    buckets: BUCKETS,
    operations: &[op("declared", POINTS_LEFT_IS_FINAL), op("plain", &[])],
    retry: RetryDefaults { retry_503_once: Some(true), rate_limited_retries: Some(3), ..RetryDefaults::NONE },
};

struct Scripted(Runtime);
impl FromRuntime for Scripted {
    fn policy() -> &'static ServicePolicy {
        &POLICY
    }
    fn from_parts(_: &str, _: reqwest::Client, rt: Runtime) -> Self {
        Scripted(rt)
    }
}

/// One recorded request: its `Authorization` header.
type Log = Arc<Mutex<Vec<String>>>;

/// A server answering the n-th request with the n-th raw response head (the last repeats).
async fn server(script: &'static [&'static str]) -> (String, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let log: Log = Arc::default();
    let seen = log.clone();
    tokio::spawn(async move {
        let mut n = 0;
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 1024];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match sock.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(k) => buf.extend_from_slice(&chunk[..k]),
                }
            }
            let head = String::from_utf8_lossy(&buf).to_lowercase();
            let auth = head.lines().find_map(|l| l.strip_prefix("authorization: ")).unwrap_or("").trim().to_string();
            seen.lock().unwrap().push(auth);
            let status = script[n.min(script.len() - 1)];
            n += 1;
            let reply = format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            let _ = sock.write_all(reply.as_bytes()).await;
        }
    });
    (url, log)
}

fn client(url: &str, build: impl FnOnce(ClientBuilder<Scripted>) -> ClientBuilder<Scripted>) -> Runtime {
    build(ClientBuilder::<Scripted>::new().base_url(url).without_rate_limiting()).build().unwrap().0
}

async fn call(rt: &Runtime, url: &str, operation: &'static str) -> u16 {
    streamkit_runtime::tls::install_default_provider();
    let http = reqwest::Client::new();
    let mut request = http.post(format!("{url}/x")).build().unwrap();
    // What the `pre` hook does for a generated client.
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {}", rt.identities().get("access_token").unwrap().current().unwrap().expose()).parse().unwrap(),
    );
    send_with_retries(rt, &http, request, operation).await.unwrap().status().as_u16()
}

const POINTS_LEFT_429: &str = "429 Too Many Requests\r\nx-limit: 100\r\nx-remaining: 7\r\nretry-after: 0";

#[tokio::test]
async fn a_429_with_points_left_is_final_only_on_the_operation_that_declares_it() {
    let (url, log) = server(&[POINTS_LEFT_429, "200 OK"]).await;
    let rt = client(&url, |b| b.access_token("t"));
    assert_eq!(call(&rt, &url, "declared").await, 429);
    assert_eq!(log.lock().unwrap().len(), 1, "declared final: not retried");

    let (url, log) = server(&[POINTS_LEFT_429, "200 OK"]).await;
    let rt = client(&url, |b| b.access_token("t"));
    assert_eq!(call(&rt, &url, "plain").await, 200);
    assert_eq!(log.lock().unwrap().len(), 2, "without the declaration it is the rate limit: retried");
}

#[tokio::test]
async fn the_service_retry_defaults_apply_unless_the_caller_sets_a_policy() {
    let (url, log) = server(&["503 Service Unavailable", "200 OK"]).await;
    let rt = client(&url, |b| b.access_token("t"));
    assert!(rt.retry_policy().retry_503_once && rt.retry_policy().max_rate_limited_retries == 3);
    assert_eq!(call(&rt, &url, "plain").await, 200);
    assert_eq!(log.lock().unwrap().len(), 2, "the spec says: 503 once");

    let (url, log) = server(&["503 Service Unavailable", "200 OK"]).await;
    let rt = client(&url, |b| b.access_token("t").retry_policy(streamkit_runtime::retry::RetryPolicy::default()));
    assert_eq!(call(&rt, &url, "plain").await, 503);
    assert_eq!(log.lock().unwrap().len(), 1, "the neutral default does not retry a 503");
}

struct Counting(AtomicUsize);
impl TokenSource for Counting {
    fn fetch(&self, _stale: Option<&Secret>) -> TokenFuture<'_> {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        Box::pin(async move { Ok(AccessToken { token: Secret::new(format!("t{n}")), expires_in: None }) })
    }
}

#[tokio::test]
async fn a_401_refreshes_a_managed_token_once_and_resends_with_it() {
    let (url, log) = server(&["401 Unauthorized", "401 Unauthorized"]).await;
    let cache = TokenCache::new(Counting(AtomicUsize::new(0)), std::time::Duration::from_secs(60));
    cache.token().await.unwrap();
    let rt = client(&url, |b| b.token_cache(cache));
    assert_eq!(call(&rt, &url, "plain").await, 401);
    assert_eq!(*log.lock().unwrap(), ["bearer t1", "bearer t2"], "refreshed once, then the 401 is the answer");

    // A static token cannot be refreshed: the first 401 is the answer.
    let (url, log) = server(&["401 Unauthorized", "200 OK"]).await;
    let rt = client(&url, |b| b.access_token("fixed"));
    assert_eq!(call(&rt, &url, "plain").await, 401);
    assert_eq!(log.lock().unwrap().len(), 1);
}
