//! `overhead`: what the generated client costs per call over a hand-written reqwest call.
//!
//! Both variants send `GET /helix/users?id=<seeded id>` with the same headers through the
//! same `reqwest::Client` (same connection pool) to the same sandbox process (rate limit so
//! large it never bites, contract check off), and decode into
//! `helix::types::GetUsersResponse`. The generated client runs with everything on: auth
//! hook, in-process rate limiter, default retry policy. Rounds alternate A B B A … so drift
//! (other processes, CPU frequency) falls on both alike.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use streamkit_runtime::Secret;
use streamkit_twitch::helix;

use crate::common::*;

const SCENARIO: &str = "overhead";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Variant {
    /// The generated client, everything on (the figure that counts).
    Generated,
    /// The hand-written baseline.
    Raw,
    /// The generated client without its in-process rate limiter (to attribute the cost).
    NoLimiter,
}

/// The hand-written baseline: what a careful user would write with reqwest alone.
struct Raw {
    http: reqwest::Client,
    url: String,
    headers: HeaderMap,
}

impl Raw {
    fn new(http: reqwest::Client, helix_url: &str, token: &Secret) -> BenchResult<Raw> {
        Ok(Raw { http, url: format!("{helix_url}/users"), headers: raw_helix_headers(token)? })
    }

    async fn get_user(&self, id: &str) -> Result<helix::types::GetUsersResponse, String> {
        let resp = self
            .http
            .get(&self.url)
            .query(&[("id", id)])
            .headers(self.headers.clone())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if resp.status() != reqwest::StatusCode::OK {
            return Err(format!("status {}", resp.status()));
        }
        resp.json::<helix::types::GetUsersResponse>().await.map_err(|e| e.to_string())
    }
}

struct Clients {
    generated: helix::Client,
    no_limiter: helix::Client,
    raw: Raw,
    id: String,
}

/// One round: `calls` calls of one variant from `concurrency` tasks.
#[derive(Debug, Default, Clone, Copy)]
struct Round {
    calls: usize,
    errors: usize,
    wall: Duration,
    client_cpu: Duration,
    sandbox_cpu: Duration,
}

impl std::ops::AddAssign for Round {
    fn add_assign(&mut self, o: Round) {
        self.calls += o.calls;
        self.errors += o.errors;
        self.wall += o.wall;
        self.client_cpu += o.client_cpu;
        self.sandbox_cpu += o.sandbox_cpu;
    }
}

async fn round(
    clients: &Arc<Clients>,
    sandbox: &SandboxProcess,
    variant: Variant,
    calls: usize,
    concurrency: usize,
) -> Round {
    let next = Arc::new(AtomicUsize::new(0));
    let (cpu0, sb0, t0) = (self_cpu(), sandbox.cpu(), Instant::now());
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (clients, next) = (clients.clone(), next.clone());
            tokio::spawn(async move {
                let mut errors = 0usize;
                while next.fetch_add(1, Ordering::Relaxed) < calls {
                    let ok = match variant {
                        Variant::Generated => clients
                            .generated
                            .get_users()
                            .id(vec![clients.id.clone()])
                            .send()
                            .await
                            .is_ok_and(|r| r.data.len() == 1),
                        Variant::NoLimiter => clients
                            .no_limiter
                            .get_users()
                            .id(vec![clients.id.clone()])
                            .send()
                            .await
                            .is_ok_and(|r| r.data.len() == 1),
                        Variant::Raw => clients.raw.get_user(&clients.id).await.is_ok_and(|r| r.data.len() == 1),
                    };
                    errors += usize::from(!ok);
                }
                errors
            })
        })
        .collect();
    let mut errors = 0;
    for t in tasks {
        errors += t.await.unwrap_or(1);
    }
    Round {
        calls,
        errors,
        wall: t0.elapsed(),
        client_cpu: self_cpu().saturating_sub(cpu0),
        sandbox_cpu: sandbox.cpu().saturating_sub(sb0),
    }
}

pub async fn run(calls_per_variant: usize, concurrency: usize) -> BenchResult<Vec<Figure>> {
    let sandbox = SandboxProcess::spawn(&["--ratelimit-points", "1000000000", "--no-contract-check"])?;
    let token = app_token(&sandbox.oauth_url()).await?;
    let http = shared_http()?;
    let generated = helix::Client::builder()
        .base_url(sandbox.helix_url())
        .client_id(CLIENT_ID)
        .access_token(token.clone())
        .http_client(http.clone())
        .build()
        .map_err(ctx("generated client"))?;
    let no_limiter = helix::Client::builder()
        .base_url(sandbox.helix_url())
        .client_id(CLIENT_ID)
        .access_token(token.clone())
        .http_client(http.clone())
        .without_rate_limiting()
        .build()
        .map_err(ctx("generated client"))?;
    let me = generated
        .get_users()
        .login(vec!["streamkitcaster".to_string()])
        .send()
        .await
        .map_err(ctx("looking up the seeded user"))?;
    let id = me.data.first().map(|u| u.id.clone()).ok_or("the seeded user is missing")?;
    let raw = Raw::new(http, &sandbox.helix_url(), &token)?;
    let clients = Arc::new(Clients { generated, no_limiter, raw, id });

    // Warm-up (not counted): connections opened, limiter calibrated, code paged in.
    const ORDER: [Variant; 3] = [Variant::Generated, Variant::Raw, Variant::NoLimiter];
    let warm = (calls_per_variant / 20).max(200);
    for v in ORDER {
        round(&clients, &sandbox, v, warm, concurrency).await;
    }
    // Many short rounds, G R N N R G G R N …: the neighbours' load on this shared machine
    // changes over seconds, so it falls on every variant alike, and linear drift cancels.
    const ROUNDS_PER_VARIANT: usize = 40;
    let per_round = calls_per_variant.div_ceil(ROUNDS_PER_VARIANT);
    let mut totals = [Round::default(); 3];
    // Per block of three rounds: generated / raw throughput.
    let mut block_ratios = Vec::new();
    let mut block = [0.0f64; 3];
    for i in 0..ROUNDS_PER_VARIANT * ORDER.len() {
        let k = i % ORDER.len();
        let idx = if (i / ORDER.len()).is_multiple_of(2) { k } else { ORDER.len() - 1 - k };
        let variant = ORDER[idx];
        let r = round(&clients, &sandbox, variant, per_round, concurrency).await;
        block[idx] = r.calls as f64 / r.wall.as_secs_f64();
        if k == ORDER.len() - 1 {
            block_ratios.push(block[0] / block[1]);
            eprintln!(
                "  overhead block {}: generated {:.0}, raw {:.0}, no limiter {:.0} calls/s",
                i / ORDER.len(),
                block[0],
                block[1],
                block[2]
            );
        }
        totals[idx] += r;
    }
    block_ratios.sort_by(f64::total_cmp);
    let quantile = |q: f64| block_ratios[((block_ratios.len() - 1) as f64 * q).round() as usize];
    let [gen_total, raw_total, nolim_total] = totals;
    if totals.iter().any(|t| t.errors > 0) {
        return Err(format!(
            "overhead: calls failed (generated {}, raw {}, no limiter {}): the figures would be meaningless",
            gen_total.errors, raw_total.errors, nolim_total.errors
        ));
    }
    let stats = clients.generated.runtime().stats();
    let tput = |r: &Round| r.calls as f64 / r.wall.as_secs_f64();
    let us_per_call = |d: Duration, calls: usize| d.as_secs_f64() * 1e6 / calls as f64;
    let ratio = tput(&gen_total) / tput(&raw_total);
    let (gen_cpu, raw_cpu) =
        (us_per_call(gen_total.client_cpu, gen_total.calls), us_per_call(raw_total.client_cpu, raw_total.calls));
    let share = |r: &Round| 100.0 * r.sandbox_cpu.as_secs_f64() / r.wall.as_secs_f64();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    Ok(vec![
        Figure::target(
            SCENARIO,
            format!(
                "throughput generated / raw ({} calls each, concurrency {concurrency})",
                thousands(gen_total.calls as u64)
            ),
            format!("{ratio:.3} ({:.0} vs {:.0} calls/s)", tput(&gen_total), tput(&raw_total)),
            "≥ 0.95",
            ratio >= 0.95,
        ),
        Figure::info(
            SCENARIO,
            format!(
                "spread: generated / raw per block of rounds ({} blocks of {per_round} calls per variant)",
                block_ratios.len()
            ),
            format!("median {:.3}, quartiles {:.3}–{:.3}", quantile(0.5), quantile(0.25), quantile(0.75)),
        ),
        Figure::info(
            SCENARIO,
            "client CPU per call, generated vs raw (bench process, user+sys)",
            format!("{gen_cpu:.1} µs vs {raw_cpu:.1} µs (+{:.1} µs, ×{:.2})", gen_cpu - raw_cpu, gen_cpu / raw_cpu),
        ),
        Figure::info(
            SCENARIO,
            format!("sandbox CPU per call / share of the {cores} cores, generated vs raw"),
            format!(
                "{:.1} µs / {:.0}% vs {:.1} µs / {:.0}%",
                us_per_call(gen_total.sandbox_cpu, gen_total.calls),
                share(&gen_total) / cores as f64,
                us_per_call(raw_total.sandbox_cpu, raw_total.calls),
                share(&raw_total) / cores as f64
            ),
        ),
        Figure::info(
            SCENARIO,
            "same, generated client without its rate limiter: throughput / raw, client CPU per call",
            format!(
                "{:.3}, {:.1} µs",
                tput(&nolim_total) / tput(&raw_total),
                us_per_call(nolim_total.client_cpu, nolim_total.calls)
            ),
        ),
        Figure::info(
            SCENARIO,
            "generated client: attempts, retries, 429s (whole scenario)",
            format!("{} / {} / {}", stats.attempts, stats.retries, stats.rate_limited),
        ),
    ])
}
