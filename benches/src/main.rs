//! `streamkit-benches`: hand-run benchmarks of the generated clients (see `benches/README.md`).
//!
//! ```text
//! cargo build --release -p streamkit-sandbox
//! cargo run --release -p streamkit-benches -- overhead|streams|streams-callgrind|ratelimit|pagination|build|decode|all
//! ```
//!
//! Every figure is compared with a baseline measured in the same run; the sandbox runs as its
//! own process on 127.0.0.1. `all` runs every scenario and rewrites the figures section of
//! `benches/README.md`.

mod buildcost;
mod common;
mod decode;
mod overhead;
mod pagination;
mod ratelimit;
mod ratelimit_shared;
mod streams;

use std::process::ExitCode;

use common::{BenchResult, Figure, print_rows};

const USAGE: &str = "usage: streamkit-benches overhead|overhead-callgrind|streams|streams-callgrind|ratelimit|ratelimit-repeat|ratelimit-redis|pagination|build|decode|all";
const SCENARIOS: &[&str] = &[
    "overhead",
    "overhead-callgrind",
    "streams",
    "streams-callgrind",
    "ratelimit",
    "ratelimit-repeat",
    "ratelimit-redis",
    "pagination",
    "build",
    "decode",
];
const BEGIN: &str = "<!-- figures:begin -->";
const END: &str = "<!-- figures:end -->";

fn runtime() -> BenchResult<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| format!("tokio runtime: {e}"))
}

/// A number from the environment (for quick trial runs), else `default`.
fn env_usize(key: &str, default: usize) -> usize {
    std::env::var(key).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn run_scenario(name: &str) -> BenchResult<Vec<Figure>> {
    eprintln!("== {name}");
    let figures = match name {
        "overhead" => runtime()?.block_on(overhead::run(env_usize("STREAMKIT_BENCH_CALLS", 100_000), 8)),
        "streams" => runtime()?.block_on(streams::run(env_usize("STREAMKIT_BENCH_STREAM_CALLS", 20_000), 8)),
        // Under callgrind: the difference between a short and a long run, per call.
        "streams-callgrind" | "overhead-callgrind" => {
            let workload =
                if name == "streams-callgrind" { streams::Workload::Streams } else { streams::Workload::Users };
            let large = env_usize("STREAMKIT_BENCH_CALLGRIND_CALLS", 2_000).max(2);
            runtime()?.block_on(streams::callgrind(workload, large / 4, large))
        }
        "ratelimit" => runtime()?.block_on(ratelimit::run(ratelimit::Params::default())),
        "ratelimit-repeat" => runtime()?.block_on(ratelimit_shared::repeat(
            env_usize("STREAMKIT_BENCH_REPEAT", 10),
            u32::try_from(env_usize("STREAMKIT_BENCH_INTERVALS", 8)).unwrap_or(8),
        )),
        "ratelimit-redis" => runtime()?.block_on(ratelimit_shared::redis(env_usize("STREAMKIT_BENCH_SECS", 24) as f64)),
        "pagination" => runtime()?.block_on(pagination::run()),
        "build" => buildcost::run(),
        "decode" => decode::run(),
        other => Err(format!("unknown scenario `{other}`\n{USAGE}")),
    }?;
    print_rows(&figures);
    Ok(figures)
}

fn command_output(cmd: &str, args: &[&str]) -> String {
    std::process::Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name").map(|v| v.trim_start_matches([' ', '\t', ':']).to_string()))
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cores} cores ({cpu}), {}", command_output("rustc", &["--version"]))
}

/// The 1-minute load average: other people's builds share this machine.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_default()
}

fn figures_section(figures: &[Figure], loads: &[(&str, String)]) -> String {
    let mut s = String::new();
    s.push_str(BEGIN);
    s.push_str(&format!(
        "\n\nMeasured {} on {} with `cargo build --release -p streamkit-sandbox && cargo run --release -p streamkit-benches -- all`.\n\
         1-minute load average when each scenario started (other builds share the machine): {}.\n\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        machine(),
        loads.iter().map(|(n, l)| format!("{n} {l}")).collect::<Vec<_>>().join(", ")
    ));
    s.push_str("| Scenario | Figure | Measured | Target | Met |\n|---|---|---|---|---|\n");
    for f in figures {
        s.push_str(&f.row());
        s.push('\n');
    }
    s.push('\n');
    s.push_str(END);
    s
}

fn rewrite_readme(figures: &[Figure], loads: &[(&str, String)]) -> BenchResult<()> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("read {}: {e}", path.display()))?;
    let (Some(b), Some(e)) = (text.find(BEGIN), text.find(END)) else {
        return Err(format!("{} has no {BEGIN} … {END} section", path.display()));
    };
    if e < b {
        return Err(format!("{}: {END} comes before {BEGIN}", path.display()));
    }
    let new = format!("{}{}{}", &text[..b], figures_section(figures, loads), &text[e + END.len()..]);
    std::fs::write(&path, new).map_err(|e| format!("write {}: {e}", path.display()))?;
    eprintln!("figures written to {}", path.display());
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if cfg!(debug_assertions) && args.first().is_some_and(|a| !a.starts_with("__")) {
        eprintln!("warning: a debug build; figures are only meaningful with `cargo run --release`");
    }
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        // Hidden: the child process of the pagination scenario.
        // Hidden: a child process of the ratelimit-redis scenario.
        ["__limit_worker", url, store, tasks, secs] => match (tasks.parse(), secs.parse()) {
            (Ok(t), Ok(s)) => runtime().and_then(|rt| rt.block_on(ratelimit_shared::worker(url, store, t, s))),
            _ => Err("__limit_worker: bad numbers".into()),
        },
        // Hidden: the child process of the callgrind scenarios.
        ["__calls", workload, variant, n] => match n.parse() {
            Ok(n) => runtime().and_then(|rt| rt.block_on(streams::calls_child(workload, variant, n))),
            Err(_) => Err(format!("__calls: bad call count {n}")),
        },
        // Hidden: the child process the decode scenario runs under callgrind.
        ["__decode", variant, items, iters] => match (items.parse(), iters.parse()) {
            (Ok(n), Ok(i)) => decode::child(variant, n, i),
            _ => Err("__decode: bad numbers".into()),
        },
        ["__walk", n] => match n.parse() {
            Ok(n) => runtime().and_then(|rt| rt.block_on(pagination::walk_child(n))),
            Err(_) => Err(format!("__walk: bad item count {n}")),
        },
        ["all"] => {
            println!("| scenario | figure | measured | target | met |\n|---|---|---|---|---|");
            let mut all = Vec::new();
            let mut failed = Vec::new();
            let mut loads = Vec::new();
            for name in SCENARIOS {
                loads.push((*name, load_average()));
                match run_scenario(name) {
                    Ok(f) => all.extend(f),
                    Err(e) => {
                        eprintln!("{name} failed: {e}");
                        failed.push(*name);
                    }
                }
            }
            if !failed.is_empty() {
                Err(format!("failed: {failed:?}; benches/README.md left unchanged"))
            } else if cfg!(debug_assertions) {
                Err("a debug build: benches/README.md left unchanged".into())
            } else {
                rewrite_readme(&all, &loads)
            }
        }
        [name] if SCENARIOS.contains(name) => {
            println!("| scenario | figure | measured | target | met |\n|---|---|---|---|---|");
            run_scenario(name).map(|_| ())
        }
        ["-h" | "--help"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
