//! `streamkit-sandbox [--port N] [--ratelimit-points N] [--ratelimit-period-secs S]
//! [--extra-live-streams N] [--page-latency-ms MS] [--no-contract-check] [--mixer]`: runs the
//! sandbox until interrupted. Every flag defaults to [`SandboxConfig::default`]; `--mixer`
//! serves Mixer too (REST, chat endpoints, Constellation) and prints its URLs.

use std::io::Write;
use std::process::ExitCode;
use streamkit_sandbox::{CLIENT_ID, CLIENT_SECRET, Mixer, Sandbox, SandboxConfig, Twitch, demo};

const USAGE: &str = "usage: streamkit-sandbox [--port N] [--ratelimit-points N] [--ratelimit-period-secs S] \
[--extra-live-streams N] [--page-latency-ms MS] [--no-contract-check] [--mixer]";

/// The config, and whether to serve Mixer too.
fn parse_args() -> Result<(SandboxConfig, bool), String> {
    let mut config = SandboxConfig::default();
    let mut mixer = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        let mut value =
            |name: &str| inline.clone().or_else(|| args.next()).ok_or_else(|| format!("{name} needs a value"));
        match flag.as_str() {
            "--port" => {
                let v = value("--port")?;
                config.port = v.parse().map_err(|_| format!("invalid port: {v}"))?;
            }
            "--ratelimit-points" => {
                let v = value("--ratelimit-points")?;
                config.ratelimit_points = v.parse().map_err(|_| format!("invalid --ratelimit-points: {v}"))?;
            }
            "--ratelimit-period-secs" => {
                let v = value("--ratelimit-period-secs")?;
                config.ratelimit_period = v
                    .parse()
                    .ok()
                    .and_then(|s: f64| std::time::Duration::try_from_secs_f64(s).ok())
                    .filter(|d| !d.is_zero())
                    .ok_or_else(|| format!("invalid --ratelimit-period-secs: {v}"))?;
            }
            "--extra-live-streams" => {
                let v = value("--extra-live-streams")?;
                config.extra_live_streams = v.parse().map_err(|_| format!("invalid --extra-live-streams: {v}"))?;
            }
            "--page-latency-ms" => {
                let v = value("--page-latency-ms")?;
                let ms: u64 = v.parse().map_err(|_| format!("invalid --page-latency-ms: {v}"))?;
                config.helix_latency = std::time::Duration::from_millis(ms);
            }
            "--no-contract-check" if inline.is_none() => config.contract_check = false,
            "--mixer" if inline.is_none() => mixer = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok((config, mixer))
}

/// What [`Sandbox::start`] serves, plus Mixer when asked.
async fn start(config: SandboxConfig, mixer: bool) -> std::io::Result<Sandbox> {
    if !mixer {
        return Sandbox::start(config).await;
    }
    Sandbox::builder()
        .port(config.port)
        .contract_check(config.contract_check)
        .clock(config.clock.clone())
        .service(Twitch::new(&config))
        .service(demo::PagedDemo)
        .service(Mixer::new())
        .start()
        .await
}

#[tokio::main]
async fn main() -> ExitCode {
    let (config, mixer) = match parse_args() {
        Ok(c) => c,
        Err(msg) => {
            if msg.is_empty() {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            eprintln!("{msg}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let sandbox = match start(config, mixer).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("streamkit-sandbox: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "streamkit-sandbox listening on {}", sandbox.url());
    let _ = writeln!(out, "CLIENT_ID={CLIENT_ID}");
    let _ = writeln!(out, "CLIENT_SECRET={CLIENT_SECRET}");
    if let Some(m) = sandbox.service::<Mixer>() {
        let realtime = m.realtime();
        let _ = writeln!(out, "MIXER_API={}", m.api_url());
        let _ = writeln!(out, "MIXER_CHAT_ENDPOINTS={}", realtime.chat_endpoints().join(","));
        let _ = writeln!(out, "MIXER_CONSTELLATION={}", realtime.constellation_url());
    }
    let _ = out.flush();
    drop(out);
    // Runs until the process is interrupted (Ctrl-C ends it).
    std::future::pending::<()>().await;
    ExitCode::SUCCESS
}
