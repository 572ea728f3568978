//! `pagination`: memory of a long walk, and what prefetching buys.
//!
//! * Peak RSS: Get Streams with `first=100` walked item by item over 100 (one page, the fixed
//!   cost), 10,000 and 100,000 items (`take_items(n)`), each in a fresh child process (this
//!   binary re-executed with the hidden `__walk` subcommand) so every peak is its own.
//! * Prefetch: 50 pages from a sandbox that delays every response by 20 ms, consumed by a
//!   loop that spends 20 ms per page; depth 1 (the default) against depth 0 (one page at a
//!   time), rounds alternating.

use std::time::{Duration, Instant};

use streamkit_runtime::pagination::StreamExt;
use streamkit_twitch::helix;

use crate::common::*;

const SCENARIO: &str = "pagination";
const TOKEN_ENV: &str = "STREAMKIT_BENCH_TOKEN";
const HELIX_ENV: &str = "STREAMKIT_BENCH_HELIX";

/// What a `__walk` child reports.
#[derive(Debug)]
struct Walk {
    items: u64,
    hwm_kib: u64,
    secs: f64,
}

fn client(helix_url: &str, token: &str) -> BenchResult<helix::Client> {
    helix::Client::builder().base_url(helix_url).client_id(CLIENT_ID).access_token(token).build().map_err(ctx("client"))
}

/// The child: walks `n` items and prints `walk items=… hwm_kib=… secs=…`.
pub async fn walk_child(n: usize) -> BenchResult<()> {
    let helix_url = std::env::var(HELIX_ENV).map_err(ctx(HELIX_ENV))?;
    let token = std::env::var(TOKEN_ENV).map_err(ctx(TOKEN_ENV))?;
    let c = client(&helix_url, &token)?;
    let t0 = Instant::now();
    let mut items = c.get_streams().first(100u64).paginate().take_items(n).items();
    let (mut count, mut prev) = (0u64, i64::MAX);
    while let Some(item) = items.next().await {
        let s = item.map_err(ctx("walk"))?;
        if s.viewer_count > prev {
            return Err(format!("item {count} is out of order"));
        }
        prev = s.viewer_count;
        count += 1;
    }
    let secs = t0.elapsed().as_secs_f64();
    println!("walk items={count} hwm_kib={} secs={secs:.3}", self_status_kib("VmHWM"));
    Ok(())
}

fn walk_in_child(helix_url: &str, token: &str, n: usize) -> BenchResult<Walk> {
    let exe = std::env::current_exe().map_err(ctx("current exe"))?;
    let out = std::process::Command::new(exe)
        .args(["__walk", &n.to_string()])
        .env(HELIX_ENV, helix_url)
        .env(TOKEN_ENV, token)
        .output()
        .map_err(ctx("walk child"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.starts_with("walk ")).ok_or_else(|| {
        format!("the walk child failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr).trim())
    })?;
    let field = |k: &str| {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(k).and_then(|v| v.strip_prefix('=')))
            .ok_or_else(|| format!("no {k} in {line:?}"))
    };
    let num = |k: &str| field(k).and_then(|v| v.parse::<f64>().map_err(|e| format!("{k}: {e}")));
    Ok(Walk { items: num("items")? as u64, hwm_kib: num("hwm_kib")? as u64, secs: num("secs")? })
}

/// 50 pages with a consumer that spends `consumer` per page.
async fn prefetch_round(c: &helix::Client, depth: usize, pages: usize, consumer: Duration) -> BenchResult<Duration> {
    let t0 = Instant::now();
    let mut s = c.get_streams().first(100u64).paginate().prefetch(depth).take_items(pages * 100).pages();
    let mut n = 0;
    while let Some(page) = s.next().await {
        page.map_err(ctx("page"))?;
        n += 1;
        tokio::time::sleep(consumer).await;
    }
    if n != pages {
        return Err(format!("expected {pages} pages, got {n}"));
    }
    Ok(t0.elapsed())
}

pub async fn run() -> BenchResult<Vec<Figure>> {
    let mut figures = Vec::new();
    {
        let sandbox = SandboxProcess::spawn(&[
            "--extra-live-streams",
            "100000",
            "--ratelimit-points",
            "1000000000",
            "--no-contract-check",
        ])?;
        let token = app_token(&sandbox.oauth_url()).await?;
        let helix_url = sandbox.helix_url();
        let mut walks = Vec::new();
        for n in [100usize, 10_000, 100_000] {
            let w = tokio::task::block_in_place(|| walk_in_child(&helix_url, token.expose(), n))?;
            if w.items != n as u64 {
                return Err(format!("the walk of {n} items yielded {}", w.items));
            }
            eprintln!("  pagination walk {n}: peak RSS {} KiB, {:.2} s", w.hwm_kib, w.secs);
            walks.push(w);
        }
        let mib = |k: u64| k as f64 / 1024.0;
        let (one, ten_k, hundred_k) = (&walks[0], &walks[1], &walks[2]);
        figures.push(Figure::info(
            SCENARIO,
            "peak RSS (VmHWM) of a walk: 1 page / 10,000 / 100,000 items (first=100, prefetch 1)",
            format!("{:.1} / {:.1} / {:.1} MiB", mib(one.hwm_kib), mib(ten_k.hwm_kib), mib(hundred_k.hwm_kib)),
        ));
        let growth = hundred_k.hwm_kib as f64 / ten_k.hwm_kib as f64;
        figures.push(Figure::target(
            SCENARIO,
            "peak RSS 100,000 items / 10,000 items (bounded memory)",
            format!("{growth:.2}× ({:+} KiB for 10× the items)", hundred_k.hwm_kib as i64 - ten_k.hwm_kib as i64),
            "≈ 1 (≤ 1.10)",
            growth <= 1.10,
        ));
        figures.push(Figure::info(
            SCENARIO,
            "walk throughput 10,000 / 100,000 items (client + sandbox on the same 2 cores)",
            format!("{:.0} / {:.0} items/s", ten_k.items as f64 / ten_k.secs, hundred_k.items as f64 / hundred_k.secs),
        ));
    }
    {
        const LATENCY_MS: u64 = 20;
        const PAGES: usize = 50;
        let latency = Duration::from_millis(LATENCY_MS);
        let sandbox = SandboxProcess::spawn(&[
            "--extra-live-streams",
            "10000",
            "--page-latency-ms",
            &LATENCY_MS.to_string(),
            "--ratelimit-points",
            "1000000000",
            "--no-contract-check",
        ])?;
        let token = app_token(&sandbox.oauth_url()).await?;
        let c = client(&sandbox.helix_url(), token.expose())?;
        prefetch_round(&c, 1, 2, latency).await?; // warm-up
        let (mut d0, mut d1) = (Duration::ZERO, Duration::ZERO);
        for i in 0..6 {
            if matches!(i % 4, 0 | 3) {
                d0 += prefetch_round(&c, 0, PAGES, latency).await?;
            } else {
                d1 += prefetch_round(&c, 1, PAGES, latency).await?;
            }
        }
        let (d0, d1) = (d0 / 3, d1 / 3);
        let speedup = d0.as_secs_f64() / d1.as_secs_f64();
        figures.push(Figure::target(
            SCENARIO,
            format!(
                "prefetch 1 vs 0, {PAGES} pages, {LATENCY_MS} ms server latency + {LATENCY_MS} ms consumer per page"
            ),
            format!("{speedup:.2}× ({:.2} s vs {:.2} s, mean of 3)", d1.as_secs_f64(), d0.as_secs_f64()),
            "≥ 1.5×",
            speedup >= 1.5,
        ));
    }
    Ok(figures)
}
