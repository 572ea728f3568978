//! `ratelimit`: 64 tasks share one app token against a sandbox whose bucket (200 points per
//! 4 s) differs from what the spec declares (800 per 60 s). How close does the client get to
//! the allowed rate without the server answering 429?

use std::time::{Duration, Instant};

use streamkit_twitch::{auth, helix};

use crate::common::*;

const SCENARIO: &str = "ratelimit";

pub struct Params {
    pub tasks: usize,
    pub points: u32,
    pub period: Duration,
    /// Run length in bucket intervals (the first is the burst, not measured).
    pub intervals: u32,
}

impl Default for Params {
    fn default() -> Self {
        Params { tasks: 64, points: 200, period: Duration::from_secs(4), intervals: 16 }
    }
}

enum Outcome {
    Ok,
    RateLimited,
    Other(String),
}

/// The headline numbers of one run, for the repeated scenario.
#[derive(Debug, Clone, Copy)]
pub struct Measured {
    /// Achieved / allowed rate in the steady window, in percent.
    pub pct: f64,
    /// 429s received from the server / attempts, in percent.
    pub server_429_pct: f64,
    /// 429s that reached callers.
    pub surfaced: usize,
}

pub async fn run(p: Params) -> BenchResult<Vec<Figure>> {
    measure(p).await.map(|(f, _)| f)
}

pub async fn measure(p: Params) -> BenchResult<(Vec<Figure>, Measured)> {
    let points = p.points.to_string();
    let period_secs = p.period.as_secs_f64().to_string();
    let sandbox = SandboxProcess::spawn(&["--ratelimit-points", &points, "--ratelimit-period-secs", &period_secs])?;
    // An app token managed by the token cache, default limiter and default retry policy.
    let tokens = auth::app_token_cache(oauth_client(&sandbox.oauth_url())?, app_credentials());
    let client = helix::Client::builder()
        .base_url(sandbox.helix_url())
        .client_id(CLIENT_ID)
        .token_cache(tokens)
        .build()
        .map_err(ctx("client"))?;
    // Every call asks for the featured broadcaster by login (no setup call spends points).
    let run_for = p.period * p.intervals;
    let start = Instant::now();
    let deadline = start + run_for;
    let tasks: Vec<_> = (0..p.tasks)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                let mut done: Vec<(Duration, Outcome)> = Vec::new();
                while Instant::now() < deadline {
                    let r = client.get_users().login(vec!["streamkitcaster".to_string()]).send().await;
                    let outcome = match r {
                        Ok(_) => Outcome::Ok,
                        Err(e) if e.status().is_some_and(|s| s.as_u16() == 429) => Outcome::RateLimited,
                        Err(e) => Outcome::Other(e.to_string()),
                    };
                    done.push((start.elapsed(), outcome));
                }
                done
            })
        })
        .collect();
    // What the server said was left in its bucket when the measured window opens and closes.
    let remaining_at = |at: Instant| {
        let client = client.clone();
        tokio::spawn(async move {
            tokio::time::sleep_until(at.into()).await;
            client.runtime().last_rate_limit().and_then(|r| r.remaining).unwrap_or(0)
        })
    };
    let (window_open, window_close) = (remaining_at(start + p.period), remaining_at(deadline));
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.map_err(ctx("task"))?);
    }
    let finished = start.elapsed();
    let bucket_open = f64::from(window_open.await.map_err(ctx("monitor"))?);
    let bucket_close = f64::from(window_close.await.map_err(ctx("monitor"))?);
    let stats = client.runtime().stats();

    let ok_in = |from: Duration, to: Duration| {
        all.iter().filter(|(t, o)| matches!(o, Outcome::Ok) && *t >= from && *t < to).count()
    };
    let surfaced = all.iter().filter(|(_, o)| matches!(o, Outcome::RateLimited)).count();
    let other: Vec<&String> =
        all.iter().filter_map(|(_, o)| if let Outcome::Other(e) = o { Some(e) } else { None }).collect();
    if let Some(e) = other.first() {
        eprintln!("  ratelimit: {} calls failed otherwise, e.g. {e}", other.len());
    }
    let rate = f64::from(p.points) / p.period.as_secs_f64();
    // Steady state: completions from the end of the first interval to the deadline.
    let window = run_for - p.period;
    let steady = ok_in(p.period, run_for);
    let achieved = steady as f64 / window.as_secs_f64();
    let pct = 100.0 * achieved / rate;
    // Whole run, burst included: a full bucket plus the refill over the run.
    let total_ok = ok_in(Duration::ZERO, run_for);
    let whole_allowed = f64::from(p.points) + rate * run_for.as_secs_f64();
    let server_429_pct = 100.0 * stats.rate_limited as f64 / stats.attempts.max(1) as f64;
    // The allowance of the window that was not used and is not still in the bucket: what the
    // server's bucket threw away while full.
    let usable = rate * window.as_secs_f64() + bucket_open - bucket_close;
    let per_interval: Vec<f64> =
        (1..p.intervals).map(|k| ok_in(p.period * k, p.period * (k + 1)) as f64 / p.period.as_secs_f64()).collect();
    eprintln!(
        "  ratelimit per interval (req/s): {}",
        per_interval.iter().map(|r| format!("{r:.1}")).collect::<Vec<_>>().join(" ")
    );
    let (lo, hi) = per_interval.iter().fold((f64::MAX, 0.0f64), |(lo, hi), r| (lo.min(*r), hi.max(*r)));
    let measured = Measured { pct, server_429_pct, surfaced };
    Ok((
        vec![
            Figure::target(
                SCENARIO,
                format!(
                    "achieved / allowed rate, {}..{} s ({} tasks, bucket {}/{} s)",
                    p.period.as_secs_f64(),
                    run_for.as_secs_f64(),
                    p.tasks,
                    p.points,
                    p.period.as_secs_f64()
                ),
                format!(
                    "{pct:.1}% ({achieved:.2} of {rate:.2} req/s; {steady} calls in {:.0} s)",
                    window.as_secs_f64()
                ),
                "≥ 97%",
                pct >= 97.0,
            ),
            Figure::info(
                SCENARIO,
                "whole run incl. the first burst: completed / (bucket + rate × run)",
                format!("{:.1}% ({total_ok} of {whole_allowed:.0})", 100.0 * total_ok as f64 / whole_allowed),
            ),
            Figure::info(
                SCENARIO,
                "same window, corrected for the bucket: calls / (rate × window + left at start − left at end)",
                format!("{:.1}% (bucket {bucket_open:.0} → {bucket_close:.0} points)", 100.0 * steady as f64 / usable),
            ),
            Figure::info(
                SCENARIO,
                format!("rate per {} s interval after the first, min – max", p.period.as_secs_f64()),
                format!("{lo:.1} – {hi:.1} req/s"),
            ),
            Figure::target(
                SCENARIO,
                "429s surfaced to callers (default retry policy)",
                surfaced.to_string(),
                "0",
                surfaced == 0,
            ),
            Figure::target(
                SCENARIO,
                "429s received from the server / attempts",
                format!("{server_429_pct:.2}% ({} of {})", stats.rate_limited, stats.attempts),
                "≤ 1%",
                server_429_pct <= 1.0,
            ),
            Figure::info(
                SCENARIO,
                "other failures; last call finished after",
                format!("{}; {:.1} s", other.len(), finished.as_secs_f64()),
            ),
        ],
        measured,
    ))
}
