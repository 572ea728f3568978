//! `streams`: issue 16's per-call workload. A realistic 20-item Get Streams page
//! (`GET /helix/streams?first=20` against a sandbox started with `--extra-live-streams`),
//! 20,000 calls per variant at concurrency 8, whole-process CPU of the client (this process;
//! the sandbox is its own process and not counted).
//!
//! Variants: raw reqwest with hand-written serde structs (the baseline) and the generated
//! client with every feature on (auth hook, in-process rate limiter, default retries,
//! unknown fields kept, strict mode off). Rounds alternate G R R G … as in `overhead`.
//!
//! `streams-callgrind` (and `overhead-callgrind` for the `overhead` call) count instructions
//! per call instead: this binary runs itself as `__calls` under `valgrind --tool=callgrind`
//! twice per variant, with a small and a large number of calls, and divides the difference
//! in instructions by the difference in calls, so start-up and warm-up cancel out.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use serde::Deserialize;
use streamkit_runtime::Secret;
use streamkit_twitch::helix;

use crate::common::*;

const SCENARIO: &str = "streams";
/// Items per page: the "realistic 20-item page".
const PAGE: u32 = 20;
/// Synthetic live streams beside the seeded ones, so a page of [`PAGE`] is always full.
const EXTRA_STREAMS: &str = "40";

/// What a careful user would write by hand for Get Streams (Twitch's documented fields).
#[derive(Deserialize)]
#[allow(dead_code)] // decoded for the cost, read only in part
struct RawStreamsPage {
    data: Vec<RawStream>,
    #[serde(default)]
    pagination: Option<RawPagination>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct RawPagination {
    cursor: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct RawStream {
    id: String,
    user_id: String,
    user_login: String,
    user_name: String,
    game_id: String,
    game_name: String,
    #[serde(rename = "type")]
    kind: String,
    title: String,
    tags: Option<Vec<String>>,
    viewer_count: i64,
    started_at: chrono::DateTime<chrono::Utc>,
    language: String,
    thumbnail_url: String,
    #[serde(default)]
    tag_ids: Option<Vec<String>>,
    #[serde(default)]
    is_mature: Option<bool>,
}

/// Which call a `__calls` child or a round makes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Workload {
    /// Get Streams, a 20-item page.
    Streams,
    /// Get Users by id, one item (the `overhead` scenario's call).
    Users,
}

impl Workload {
    fn parse(s: &str) -> Option<Workload> {
        match s {
            "streams" => Some(Workload::Streams),
            "users" => Some(Workload::Users),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Workload::Streams => "streams",
            Workload::Users => "users",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Variant {
    Generated,
    Raw,
}

/// Both clients, sharing one `reqwest::Client` (one connection pool).
struct Clients {
    generated: helix::Client,
    http: reqwest::Client,
    helix_url: String,
    headers: HeaderMap,
    /// The seeded user's id, for [`Workload::Users`].
    user_id: String,
}

impl Clients {
    async fn new(helix_url: &str, token: &Secret) -> BenchResult<Clients> {
        let http = shared_http()?;
        // Every feature on: auth, the in-process limiter and the default retries are the
        // builder's defaults; unknown fields are kept and strict mode is off by default.
        let generated = helix::Client::builder()
            .base_url(helix_url)
            .client_id(CLIENT_ID)
            .access_token(token.clone())
            .http_client(http.clone())
            .build()
            .map_err(ctx("generated client"))?;
        let headers = raw_helix_headers(token)?;
        let me =
            generated.get_users().login(["streamkitcaster"]).send().await.map_err(ctx("looking up the seeded user"))?;
        let user_id = me.data.first().map(|u| u.id.clone()).ok_or("the seeded user is missing")?;
        Ok(Clients { generated, http, helix_url: helix_url.to_string(), headers, user_id })
    }

    /// One call; `true` when it returned the expected page.
    async fn call(&self, workload: Workload, variant: Variant) -> bool {
        match (workload, variant) {
            (Workload::Streams, Variant::Generated) => {
                self.generated.get_streams().first(PAGE).send().await.is_ok_and(|r| r.data.len() == PAGE as usize)
            }
            (Workload::Streams, Variant::Raw) => {
                self.raw_streams().await.is_ok_and(|r: RawStreamsPage| r.data.len() == PAGE as usize)
            }
            (Workload::Users, Variant::Generated) => {
                self.generated.get_users().id([self.user_id.as_str()]).send().await.is_ok_and(|r| r.data.len() == 1)
            }
            (Workload::Users, Variant::Raw) => self.raw_users().await.is_ok_and(|r| r.data.len() == 1),
        }
    }

    async fn raw_streams(&self) -> Result<RawStreamsPage, reqwest::Error> {
        let first = PAGE.to_string();
        self.http
            .get(format!("{}/streams", self.helix_url))
            .query(&[("first", first.as_str())])
            .headers(self.headers.clone())
            .send()
            .await?
            .error_for_status()?
            .json()
            .await
    }

    async fn raw_users(&self) -> Result<helix::types::GetUsersResponse, reqwest::Error> {
        self.http
            .get(format!("{}/users", self.helix_url))
            .query(&[("id", self.user_id.as_str())])
            .headers(self.headers.clone())
            .send()
            .await?
            .error_for_status()?
            .json()
            .await
    }
}

/// `calls` calls of one variant from `concurrency` tasks; the number that failed.
async fn calls(
    clients: &Arc<Clients>,
    workload: Workload,
    variant: Variant,
    calls: usize,
    concurrency: usize,
) -> usize {
    let next = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (clients, next) = (clients.clone(), next.clone());
            tokio::spawn(async move {
                let mut errors = 0usize;
                while next.fetch_add(1, Ordering::Relaxed) < calls {
                    errors += usize::from(!clients.call(workload, variant).await);
                }
                errors
            })
        })
        .collect();
    let mut errors = 0;
    for t in tasks {
        errors += t.await.unwrap_or(1);
    }
    errors
}

fn sandbox() -> BenchResult<SandboxProcess> {
    SandboxProcess::spawn(&[
        "--ratelimit-points",
        "1000000000",
        "--no-contract-check",
        "--extra-live-streams",
        EXTRA_STREAMS,
    ])
}

#[derive(Default, Clone, Copy)]
struct Total {
    calls: usize,
    errors: usize,
    wall: Duration,
    cpu: Duration,
}

/// The `streams` scenario: CPU and throughput per CPU, generated / raw.
pub async fn run(calls_per_variant: usize, concurrency: usize) -> BenchResult<Vec<Figure>> {
    let sandbox = sandbox()?;
    let token = app_token(&sandbox.oauth_url()).await?;
    let clients = Arc::new(Clients::new(&sandbox.helix_url(), &token).await?);
    const ORDER: [Variant; 2] = [Variant::Generated, Variant::Raw];
    for v in ORDER {
        calls(&clients, Workload::Streams, v, (calls_per_variant / 20).max(200), concurrency).await;
    }
    const ROUNDS_PER_VARIANT: usize = 20;
    let per_round = calls_per_variant.div_ceil(ROUNDS_PER_VARIANT);
    let mut totals = [Total::default(); 2];
    for i in 0..ROUNDS_PER_VARIANT * ORDER.len() {
        let k = i % ORDER.len();
        let idx = if (i / ORDER.len()).is_multiple_of(2) { k } else { ORDER.len() - 1 - k };
        let (cpu0, t0) = (self_cpu(), Instant::now());
        let errors = calls(&clients, Workload::Streams, ORDER[idx], per_round, concurrency).await;
        let t = &mut totals[idx];
        t.calls += per_round;
        t.errors += errors;
        t.wall += t0.elapsed();
        t.cpu += self_cpu().saturating_sub(cpu0);
    }
    let [g, r] = totals;
    if g.errors + r.errors > 0 {
        return Err(format!("streams: calls failed (generated {}, raw {})", g.errors, r.errors));
    }
    let us = |t: &Total| t.cpu.as_secs_f64() * 1e6 / t.calls as f64;
    let tput = |t: &Total| t.calls as f64 / t.wall.as_secs_f64();
    let per_cpu = us(&r) / us(&g);
    Ok(vec![
        Figure::target(
            SCENARIO,
            format!(
                "throughput per client CPU, generated / raw ({} calls each of a {PAGE}-item page, concurrency {concurrency})",
                thousands(g.calls as u64)
            ),
            format!("{per_cpu:.3}"),
            "≥ 0.97",
            per_cpu >= 0.97,
        ),
        Figure::info(
            SCENARIO,
            "client CPU per call, generated vs raw (bench process, user+sys; ratio = CPU relative to raw)",
            format!("{:.1} µs vs {:.1} µs (×{:.3})", us(&g), us(&r), us(&g) / us(&r)),
        ),
        Figure::info(
            SCENARIO,
            "throughput generated / raw (wall clock; the sandbox shares the cores)",
            format!("{:.3} ({:.0} vs {:.0} calls/s)", tput(&g) / tput(&r), tput(&g), tput(&r)),
        ),
    ])
}

/// The hidden `__calls WORKLOAD VARIANT WARM N` child: `WARM` calls, then `N` more; the
/// sandbox URL and token come from the environment (`STREAMKIT_BENCH_HELIX`,
/// `STREAMKIT_BENCH_TOKEN`), so no secret sits on a command line.
pub async fn calls_child(workload: &str, variant: &str, n: usize) -> BenchResult<()> {
    let workload = Workload::parse(workload).ok_or_else(|| format!("__calls: unknown workload {workload}"))?;
    let variant = match variant {
        "generated" => Variant::Generated,
        "raw" => Variant::Raw,
        other => return Err(format!("__calls: unknown variant {other}")),
    };
    let url = std::env::var("STREAMKIT_BENCH_HELIX").map_err(ctx("STREAMKIT_BENCH_HELIX"))?;
    let token = Secret::new(std::env::var("STREAMKIT_BENCH_TOKEN").map_err(ctx("STREAMKIT_BENCH_TOKEN"))?);
    let clients = Arc::new(Clients::new(&url, &token).await?);
    let errors = calls(&clients, workload, variant, n, 8).await;
    if errors > 0 { Err(format!("__calls: {errors} of {n} calls failed")) } else { Ok(()) }
}

/// Instructions the whole child process executed (callgrind's `summary:`/`totals:` line).
fn callgrind_instructions(
    workload: Workload,
    variant: &str,
    n: usize,
    helix: &str,
    token: &Secret,
) -> BenchResult<u64> {
    let exe = std::env::current_exe().map_err(ctx("current exe"))?;
    let out = std::env::temp_dir().join(format!(
        "streamkit-callgrind-{}-{}-{variant}-{n}.out",
        std::process::id(),
        workload.name()
    ));
    let status = std::process::Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(exe)
        .args(["__calls", workload.name(), variant, &n.to_string()])
        .env("STREAMKIT_BENCH_HELIX", helix)
        .env("STREAMKIT_BENCH_TOKEN", token.expose())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("cannot run valgrind (is it installed?): {e}"))?;
    let text = std::fs::read_to_string(&out).map_err(|e| format!("read {}: {e}", out.display()));
    let _ = std::fs::remove_file(&out);
    if !status.success() {
        return Err(format!("valgrind __calls {} {variant} {n}: {status}", workload.name()));
    }
    text?
        .lines()
        .find_map(|l| l.strip_prefix("summary:").or_else(|| l.strip_prefix("totals:")))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .ok_or_else(|| "callgrind output has no summary line".to_string())
}

/// `streams-callgrind` / `overhead-callgrind`: instructions per call, generated vs raw.
pub async fn callgrind(workload: Workload, small: usize, large: usize) -> BenchResult<Vec<Figure>> {
    let scenario = match workload {
        Workload::Streams => "streams-callgrind",
        Workload::Users => "overhead-callgrind",
    };
    let sandbox = sandbox()?;
    let token = app_token(&sandbox.oauth_url()).await?;
    let helix = sandbox.helix_url();
    let mut per_call = Vec::new();
    for variant in ["raw", "generated"] {
        let (h, t) = (helix.clone(), token.clone());
        let (a, b) = tokio::task::spawn_blocking(move || {
            Ok::<_, String>((
                callgrind_instructions(workload, variant, small, &h, &t)?,
                callgrind_instructions(workload, variant, large, &h, &t)?,
            ))
        })
        .await
        .map_err(ctx("callgrind thread"))??;
        let ir = b.saturating_sub(a) as f64 / (large - small) as f64;
        eprintln!("  {scenario} {variant}: {a} instructions for {small} calls, {b} for {large}: {ir:.0} per call");
        per_call.push(ir);
    }
    let (raw, generated) = (per_call[0], per_call[1]);
    let ratio = raw / generated;
    Ok(vec![Figure::target(
        scenario,
        format!(
            "instructions per call, generated vs raw (callgrind, whole client process, ({large} − {small} calls) difference)"
        ),
        format!(
            "{:.0}k vs {:.0}k (+{:.0}k; raw / generated {ratio:.3})",
            generated / 1e3,
            raw / 1e3,
            (generated - raw) / 1e3
        ),
        "raw / generated ≥ 0.97",
        ratio >= 0.97,
    )])
}
