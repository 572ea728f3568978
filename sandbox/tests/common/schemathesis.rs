//! The harness every schemathesis contract run uses (`tests/schemathesis.rs`: Twitch Helix and
//! OAuth, MEDKit, Mixer): finding schemathesis, the one command line all runs share, running it
//! with a timeout, tallying the sandbox's request log per operation and the checks every run
//! ends with. A run differs only in its spec, URL, headers, hooks environment and prefix.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use streamkit_sandbox::{LoggedRequest, Sandbox};

/// Test cases per operation in the fuzzing phase (`--max-examples`). The examples, coverage and
/// stateful phases add their own cases on top.
pub const MAX_EXAMPLES: u32 = 100;
/// `--seed`. schemathesis ignores it under `--generation-deterministic`, which already makes
/// the run reproducible. It is passed anyway, so that the run stays reproducible if that
/// option is ever dropped.
pub const SEED: u64 = 20_250_101;
/// The schemathesis major version whose command line this harness speaks.
const SUPPORTED_MAJOR: &str = "4.";
/// Kill a schemathesis run after this long. Each run takes well under a minute here.
const RUN_TIMEOUT: Duration = Duration::from_secs(180);

/// The row for requests outside a spec: schemathesis' probes, the undocumented methods that
/// the `unsupported_method` check sends (they must get 405), and hooks' side calls.
pub const OTHER: &str = "(other methods and paths)";

/// `specs/<rel>`, canonical when it exists.
pub fn spec_path(rel: &str) -> PathBuf {
    let path = manifest_dir().join("../specs").join(rel);
    path.canonicalize().unwrap_or(path)
}

/// `sandbox/tests/schemathesis/`: the hooks and the configuration file.
pub fn here() -> PathBuf {
    manifest_dir().join("tests/schemathesis")
}

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Whether the run must not be skipped (`CI` set to anything but empty, `0` or `false`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// The command that starts schemathesis 4.x. `None` (after printing `SKIPPED`) when it is not
/// installed or another major version; under CI that is a failure instead.
pub fn cli_or_skip() -> Option<Vec<String>> {
    let hint = "install it with: python3 -m pip install 'schemathesis==4.32.5'";
    let Some((cli, version)) = find_schemathesis() else {
        assert!(
            !in_ci(),
            "schemathesis is not installed, but CI is set, so the contract run must not be skipped; {hint}"
        );
        println!("SKIPPED: schemathesis is not installed ({hint})");
        return None;
    };
    if !version.split_whitespace().last().is_some_and(|v| v.starts_with(SUPPORTED_MAJOR)) {
        let message = format!("found {version:?}, but this test needs schemathesis 4.x (tested with 4.32.5)");
        assert!(!in_ci(), "{message}");
        println!("SKIPPED: {message}");
        return None;
    }
    println!("using {version} ({})", cli.join(" "));
    Some(cli)
}

/// The command and its version line. The ways it can be installed: the `schemathesis` script,
/// or the package without its script on PATH (`python3 -m schemathesis.cli` in 4.x,
/// `python3 -m schemathesis` in 3.x).
fn find_schemathesis() -> Option<(Vec<String>, String)> {
    let candidates: [&[&str]; 3] =
        [&["schemathesis"], &["python3", "-m", "schemathesis.cli"], &["python3", "-m", "schemathesis"]];
    candidates.iter().find_map(|cmd| {
        let out = Command::new(cmd[0]).args(&cmd[1..]).arg("--version").stdin(Stdio::null()).output().ok()?;
        let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        (out.status.success() && text.contains("version"))
            .then(|| (cmd.iter().map(|s| (*s).to_owned()).collect(), text))
    })
}

/// The arguments of one run over `spec` against `url`, sending `headers` with every request:
/// all checks, all phases, positive and negative cases, deterministic generation, one worker,
/// [`MAX_EXAMPLES`] fuzzing cases per operation.
pub fn args(spec: &Path, url: &str, headers: &[String]) -> Vec<String> {
    args_with(spec, url, headers, MAX_EXAMPLES)
}

/// [`args`] with `max_examples` fuzzing cases per operation.
pub fn args_with(spec: &Path, url: &str, headers: &[String], max_examples: u32) -> Vec<String> {
    let mut args = vec![
        "--config-file".to_owned(),
        here().join("schemathesis.toml").display().to_string(),
        "--no-color".to_owned(),
        "run".to_owned(),
        spec.display().to_string(),
        "--url".to_owned(),
        url.to_owned(),
    ];
    for h in headers {
        args.push("-H".to_owned());
        args.push(h.clone());
    }
    let max_examples = max_examples.to_string();
    let seed = SEED.to_string();
    args.extend(
        [
            "--checks",
            "all",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--mode",
            "all",
            "--max-examples",
            &max_examples,
            "--seed",
            &seed,
            // Also turns off hypothesis' example database.
            "--generation-deterministic",
            "--workers",
            "1",
            "--request-timeout",
            "10",
            "--continue-on-failure",
        ]
        .map(str::to_owned),
    );
    args
}

/// A fresh working directory under target/ (schemathesis keeps `.hypothesis/` and
/// `.schemathesis/` in its working directory).
pub fn work_dir(name: &str) -> PathBuf {
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("schemathesis-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("create the work directory");
    work
}

/// One schemathesis invocation: its command line (secrets replaced for printing) and its exit
/// status and output.
pub struct Run {
    pub printable: String,
    pub success: bool,
    pub output: String,
}

impl Run {
    /// The number of test cases schemathesis reports in its summary (`Test cases:` followed
    /// by `N generated, ...` on the same or the next line).
    pub fn cases(&self) -> Option<u64> {
        let after = self.output.split("Test cases:").nth(1)?;
        let generated = after.split(" generated").next()?;
        generated.split_whitespace().last()?.parse().ok()
    }
}

/// One schemathesis process at a time. The runs of one test binary would otherwise share the
/// machine's cores (two on CI), and each one's [`RUN_TIMEOUT`] would measure the others' load.
static ONE_RUN_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs `cli args...` in `dir` with `envs`, output going to `dir/<name>.log`, killed after
/// [`RUN_TIMEOUT`] (counted from its own start: runs wait for each other first). Blocks: call
/// it from `spawn_blocking` while the sandbox serves.
pub fn run(
    name: &str,
    cli: &[String],
    args: &[String],
    envs: &[(&str, String)],
    dir: &Path,
    secrets: &[String],
) -> Run {
    // A run that panicked poisons the lock; the next run is still independent of it.
    let _turn = ONE_RUN_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let mut printable = cli.join(" ");
    for arg in args {
        let shown = secrets.iter().fold(arg.clone(), |a, s| a.replace(s.as_str(), "<token>"));
        if shown.contains(' ') {
            printable.push_str(&format!(" '{shown}'"));
        } else {
            printable.push(' ');
            printable.push_str(&shown);
        }
    }
    let log_path = dir.join(format!("{name}.log"));
    let log = std::fs::File::create(&log_path).expect("create the schemathesis log");
    let mut child = Command::new(&cli[0])
        .args(&cli[1..])
        .args(args)
        .current_dir(dir)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("clone the log handle"))
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", cli[0]));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for schemathesis") {
            break Some(status);
        }
        if started.elapsed() > RUN_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let mut output = std::fs::read_to_string(&log_path).unwrap_or_default();
    if status.is_none() {
        output.push_str(&format!("\n(killed after {RUN_TIMEOUT:?})\n"));
    }
    println!("\n===== {name} ({:.0?}): {printable} =====\n{output}", started.elapsed());
    Run { printable, success: status.is_some_and(|s| s.success()), output }
}

/// Per-operation counts `[requests, 2xx, 4xx, 5xx]` of the requests under `prefix`, keyed by
/// `METHOD /path` for the spec's operations and [`OTHER`] for the rest.
pub fn tally(log: &[LoggedRequest], prefix: &str, operations: &[Operation]) -> BTreeMap<String, [usize; 4]> {
    let mut table: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    for r in log.iter().filter(|r| r.path.starts_with(prefix)) {
        let path = &r.path[prefix.len()..];
        let key = operations
            .iter()
            .filter(|op| op.matches(&r.method, path))
            // Literal segments win over parameters (`/v1/users/search` over `/v1/users/{userId}`).
            .max_by_key(|op| op.literal_segments())
            .map_or_else(|| OTHER.to_owned(), Operation::key);
        let row = table.entry(key).or_default();
        row[0] += 1;
        match r.status {
            Some(200..=299) => row[1] += 1,
            Some(400..=499) => row[2] += 1,
            Some(500..=599) => row[3] += 1,
            _ => {}
        }
    }
    table
}

/// Prints a table and returns its totals `[requests, 2xx, 4xx, 5xx]`.
pub fn print_table(title: &str, table: &BTreeMap<String, [usize; 4]>) -> [usize; 4] {
    let pct = |part: usize, all: usize| 100.0 * part as f64 / all.max(1) as f64;
    println!("\n{title}");
    println!("{:<48} {:>8} {:>6} {:>6} {:>6} {:>6}", "operation", "requests", "2xx", "4xx", "5xx", "2xx %");
    let mut total = [0; 4];
    for (op, row) in table {
        let [n, two, four, five] = *row;
        println!("{op:<48} {n:>8} {two:>6} {four:>6} {five:>6} {:>5.0}%", pct(two, n));
        for (t, v) in total.iter_mut().zip(row) {
            *t += v;
        }
    }
    let [n, two, four, five] = total;
    println!("{:<48} {n:>8} {two:>6} {four:>6} {five:>6} {:>5.0}%", "total", pct(two, n));
    total
}

/// One operation of a spec: its method and path template.
#[derive(Debug, Clone)]
pub struct Operation {
    pub method: String,
    pub path: String,
}

impl Operation {
    /// `METHOD /path/{param}`.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// Whether a request `method path` is this operation (`{...}` matches any one segment).
    pub fn matches(&self, method: &str, path: &str) -> bool {
        let (template, actual): (Vec<&str>, Vec<&str>) = (self.path.split('/').collect(), path.split('/').collect());
        method == self.method
            && template.len() == actual.len()
            && template.iter().zip(&actual).all(|(t, a)| (t.starts_with('{') && !a.is_empty()) || t == a)
    }

    fn literal_segments(&self) -> usize {
        self.path.split('/').filter(|s| !s.starts_with('{')).count()
    }
}

/// Every operation of a spec's text.
pub fn spec_operations(text: &str) -> Vec<Operation> {
    let doc: Value = serde_norway::from_str(text).expect("the spec parses");
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "put", "post", "delete", "patch"] {
            if item.get(method).is_some() {
                ops.push(Operation { method: method.to_uppercase(), path: path.clone() });
            }
        }
    }
    ops
}

/// The checks every run ends with: schemathesis passed, the sandbox recorded no contract
/// violation and answered no 5xx, and every operation was called.
pub fn assert_clean(spec: &str, run: &Run, sandbox: &Sandbox, table: &BTreeMap<String, [usize; 4]>, ops: &[Operation]) {
    assert!(run.success, "schemathesis found problems with {spec}: see its output above ({})", run.printable);
    let violations = sandbox.contract_violations();
    assert!(violations.is_empty(), "the sandbox sent responses the specs do not allow: {violations:#?}");
    let server_errors: Vec<String> = sandbox
        .requests()
        .iter()
        .filter(|r| r.status.is_some_and(|s| s >= 500))
        .map(|r| format!("{} {}?{} -> {:?}", r.method, r.path, r.query.as_deref().unwrap_or(""), r.status))
        .collect();
    assert!(server_errors.is_empty(), "the sandbox answered 5xx: {server_errors:#?}");
    for op in ops {
        let [n, ..] = table.get(&op.key()).copied().unwrap_or_default();
        assert!(n > 0, "schemathesis never called {}", op.key());
    }
}

/// Asserts every operation answered 2xx at least once: the run got past validation there.
pub fn assert_each_reached_2xx(table: &BTreeMap<String, [usize; 4]>, ops: &[Operation]) {
    for op in ops {
        let [n, two, ..] = table.get(&op.key()).copied().unwrap_or_default();
        assert!(two > 0, "{} never answered 2xx in {n} requests: the run never got past validation there", op.key());
    }
}
