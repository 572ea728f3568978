//! `ratelimit-repeat`: the `ratelimit` scenario ten times (min / median / max), and
//! `ratelimit-redis`: four processes, each with its own client and a `RedisLimiter` on one
//! `redis-server`, against one sandbox bucket; plus what one `acquire` costs on Redis.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use streamkit_runtime::policy::BucketSpec;
use streamkit_runtime::ratelimit::{BucketKey, InProcessLimiter, RateLimiter, RedisLimiter};
use streamkit_runtime::retry::RetryPolicy;
use streamkit_twitch::helix;

use crate::common::*;
use crate::ratelimit;

const REPEAT: &str = "ratelimit-repeat";
const REDIS: &str = "ratelimit-redis";

fn spread(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[0], v[v.len() / 2], v[v.len() - 1])
}

pub async fn repeat(times: usize, intervals: u32) -> BenchResult<Vec<Figure>> {
    let mut runs = Vec::new();
    for i in 0..times {
        let (_, m) = ratelimit::measure(ratelimit::Params { intervals, ..Default::default() }).await?;
        eprintln!(
            "  run {}: {:.1}% of allowed, {:.2}% server 429s, {} surfaced",
            i + 1,
            m.pct,
            m.server_429_pct,
            m.surfaced
        );
        runs.push(m);
    }
    let (lo, med, hi) = spread(runs.iter().map(|m| m.pct).collect());
    let (qlo, qmed, qhi) = spread(runs.iter().map(|m| m.server_429_pct).collect());
    let surfaced: usize = runs.iter().map(|m| m.surfaced).sum();
    Ok(vec![
        Figure::target(
            REPEAT,
            format!("achieved / allowed over {times} runs of {intervals} intervals: min / median / max"),
            format!("{lo:.1}% / {med:.1}% / {hi:.1}%"),
            "≥ 97% (min)",
            lo >= 97.0,
        ),
        Figure::target(
            REPEAT,
            "server 429s / attempts: min / median / max",
            format!("{qlo:.2}% / {qmed:.2}% / {qhi:.2}%"),
            "≤ 1% (max)",
            qhi <= 1.0,
        ),
        Figure::target(REPEAT, "429s surfaced to callers, all runs", surfaced.to_string(), "0", surfaced == 0),
    ])
}

/// A `redis-server` on 127.0.0.1 and a free port, killed when dropped.
struct RedisProcess {
    child: Child,
    url: String,
}

impl RedisProcess {
    fn start() -> BenchResult<RedisProcess> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .map_err(ctx("free port"))?
            .local_addr()
            .map_err(ctx("port"))?
            .port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .map_err(ctx("cannot start redis-server (apt-get install redis-server)"))?;
        for _ in 0..500 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(RedisProcess { child, url: format!("redis://127.0.0.1:{port}/") });
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Err("redis-server did not accept connections".into())
    }
}

impl Drop for RedisProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The child process: `tasks` tasks calling until `secs` have passed; prints its counts.
pub async fn worker(helix_url: &str, store: &str, tasks: usize, secs: f64) -> BenchResult<()> {
    let token = std::env::var("STREAMKIT_BENCH_TOKEN").map_err(ctx("STREAMKIT_BENCH_TOKEN"))?;
    let limiter: Arc<dyn RateLimiter> = if store == "local" {
        Arc::new(InProcessLimiter::default())
    } else {
        Arc::new(RedisLimiter::connect(store).await.map_err(ctx("redis"))?)
    };
    let client = helix::Client::builder()
        .base_url(helix_url)
        .client_id(CLIENT_ID)
        .access_token(streamkit_runtime::Secret::new(token.as_str()))
        .rate_limiter(limiter)
        .retry_policy(RetryPolicy::none())
        .build()
        .map_err(ctx("client"))?;
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                let (mut ok, mut limited, mut other) = (0u64, 0u64, 0u64);
                while Instant::now() < deadline {
                    match client.get_users().login(vec!["streamkitcaster".to_string()]).send().await {
                        Ok(_) => ok += 1,
                        Err(e) if e.status().is_some_and(|s| s.as_u16() == 429) => limited += 1,
                        Err(_) => other += 1,
                    }
                }
                (ok, limited, other)
            })
        })
        .collect();
    let (mut ok, mut limited, mut other) = (0, 0, 0);
    for h in handles {
        let (a, b, c) = h.await.map_err(ctx("task"))?;
        (ok, limited, other) = (ok + a, limited + b, other + c);
    }
    println!("ok={ok} limited={limited} other={other}");
    Ok(())
}

async fn four_processes(store: &str, points: u32, period: Duration, secs: f64) -> BenchResult<(u64, u64, u64, f64)> {
    let sandbox = SandboxProcess::spawn(&[
        "--ratelimit-points",
        &points.to_string(),
        "--ratelimit-period-secs",
        &period.as_secs_f64().to_string(),
    ])?;
    let token = app_token(&sandbox.oauth_url()).await?;
    let exe = std::env::current_exe().map_err(ctx("bench binary"))?;
    let start = Instant::now();
    let children: Vec<_> = (0..4)
        .map(|_| {
            Command::new(&exe)
                // The token goes by environment, not on the command line (visible in `ps`).
                .args(["__limit_worker", &sandbox.helix_url(), store, "16", &secs.to_string()])
                .env("STREAMKIT_BENCH_TOKEN", token.expose())
                .stdout(Stdio::piped())
                .spawn()
                .map_err(ctx("worker"))
        })
        .collect::<Result<_, _>>()?;
    let (mut ok, mut limited, mut other) = (0, 0, 0);
    for child in children {
        let out = tokio::task::spawn_blocking(move || child.wait_with_output())
            .await
            .map_err(ctx("join"))?
            .map_err(ctx("worker"))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let num = |k: &str| -> u64 {
            text.split(k).nth(1).and_then(|r| r.split_whitespace().next()).and_then(|n| n.parse().ok()).unwrap_or(0)
        };
        (ok, limited, other) = (ok + num("ok="), limited + num("limited="), other + num("other="));
    }
    // From the first spawn to the last exit: process start-up counts against the figure, so
    // it is a lower bound of the share achieved while the workers ran.
    let span = start.elapsed().as_secs_f64();
    let allowed = f64::from(points) + f64::from(points) / period.as_secs_f64() * span;
    Ok((ok, limited, other, ok as f64 / allowed))
}

pub async fn redis(secs: f64) -> BenchResult<Vec<Figure>> {
    let redis = RedisProcess::start()?;
    let (points, period) = (200, Duration::from_secs(4));
    let (ok, limited, other, share) = four_processes(&redis.url, points, period, secs).await?;
    let (lok, llimited, _, lshare) = four_processes("local", points, period, secs).await?;
    let attempts = ok + limited + other;
    let server_pct = 100.0 * limited as f64 / attempts.max(1) as f64;
    // One acquire on Redis: round trips and wall time, against the in-process limiter.
    static SPEC: BucketSpec = BucketSpec {
        name: "bench",
        points: 1_000_000,
        per_seconds: 1,
        per_user: false,
        limit_header: None,
        remaining_header: None,
        reset_header: None,
        reset_unit: streamkit_runtime::policy::ResetUnit::EpochSeconds,
    };
    let key = BucketKey::new(&SPEC, Some("bench"), None);
    let rl = RedisLimiter::connect(&redis.url).await.map_err(ctx("redis"))?;
    let n = 5_000u64;
    let t = Instant::now();
    for _ in 0..n {
        let p = rl.acquire(&key, &SPEC, 1).await;
        rl.complete(p, None);
    }
    let redis_us = t.elapsed().as_secs_f64() * 1e6 / n as f64;
    let trips = rl.round_trips() as f64 / n as f64;
    let local = InProcessLimiter::default();
    let t = Instant::now();
    for _ in 0..n {
        let p = local.acquire(&key, &SPEC, 1).await;
        local.complete(p, None);
    }
    let local_us = t.elapsed().as_secs_f64() * 1e6 / n as f64;
    Ok(vec![
        Figure::target(
            REDIS,
            format!(
                "4 processes × 16 tasks on one Redis, bucket {points}/{} s, {secs} s: completed / allowed",
                period.as_secs()
            ),
            format!("{:.1}% ({ok} calls)", share * 100.0),
            "≥ 95%",
            share >= 0.95,
        ),
        Figure::target(
            REDIS,
            "server 429s / attempts (Redis)",
            format!("{server_pct:.2}% ({limited} of {attempts})"),
            "≤ 1%",
            server_pct <= 1.0,
        ),
        Figure::info(
            REDIS,
            "same with unshared in-process limiters: completed / allowed; 429s",
            format!("{:.1}%; {llimited} 429s of {} attempts", lshare * 100.0, lok + llimited),
        ),
        Figure::target(
            REDIS,
            "Redis round trips per acquire + complete (complete is sent in the background)",
            format!("{trips:.2}"),
            "acquire: 1",
            trips <= 2.05,
        ),
        Figure::info(
            REDIS,
            "wall time per acquire + complete: Redis vs in-process",
            format!("{redis_us:.1} µs vs {local_us:.2} µs"),
        ),
    ])
}
