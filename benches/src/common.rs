//! What every scenario shares: the sandbox process, `/proc` readers, an app token, and the
//! figures a scenario returns.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue};
use streamkit_runtime::Secret;
use streamkit_twitch::{auth, oauth};

/// The sandbox's registered app (the binary prints the same values on start).
pub const CLIENT_ID: &str = "sandboxclientid000000000000000001";
/// The secret of [`CLIENT_ID`].
pub const CLIENT_SECRET: &str = "sandbox-client-secret-0001";

pub type BenchResult<T> = Result<T, String>;

/// Converts any displayable error into the bench's error string, with context.
pub fn ctx<E: std::fmt::Display>(what: &'static str) -> impl FnOnce(E) -> String {
    move |e| format!("{what}: {e}")
}

/// One measured figure: a line of the README table.
#[derive(Debug, Clone)]
pub struct Figure {
    pub scenario: &'static str,
    pub name: String,
    pub value: String,
    /// The target, or `""` when the figure is informational.
    pub target: String,
    /// `Some(true)` met, `Some(false)` missed, `None` no target.
    pub met: Option<bool>,
}

impl Figure {
    pub fn info(scenario: &'static str, name: impl Into<String>, value: impl Into<String>) -> Self {
        Figure { scenario, name: name.into(), value: value.into(), target: String::new(), met: None }
    }

    pub fn target(
        scenario: &'static str,
        name: impl Into<String>,
        value: impl Into<String>,
        target: impl Into<String>,
        met: bool,
    ) -> Self {
        Figure { scenario, name: name.into(), value: value.into(), target: target.into(), met: Some(met) }
    }

    pub fn verdict(&self) -> &'static str {
        match self.met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "",
        }
    }
}

impl Figure {
    /// The figure as a Markdown table row (`|` in a cell escaped).
    pub fn row(&self) -> String {
        let cell = |s: &str| s.replace('|', "\\|");
        format!(
            "| {} | {} | {} | {} | {} |",
            self.scenario,
            cell(&self.name),
            cell(&self.value),
            cell(&self.target),
            self.verdict()
        )
    }
}

/// Prints a scenario's figures as table rows.
pub fn print_rows(figures: &[Figure]) {
    for f in figures {
        println!("{}", f.row());
    }
}

/// Where the release `streamkit-sandbox` binary is: `$STREAMKIT_SANDBOX_BIN`, else next to
/// this binary (both live in `target/release`).
pub fn sandbox_bin() -> BenchResult<PathBuf> {
    if let Some(p) = std::env::var_os("STREAMKIT_SANDBOX_BIN") {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe().map_err(ctx("cannot find the bench binary"))?;
    let bin = exe.with_file_name("streamkit-sandbox");
    if bin.is_file() {
        Ok(bin)
    } else {
        Err(format!(
            "{} does not exist: run `cargo build --release -p streamkit-sandbox` first (or set STREAMKIT_SANDBOX_BIN)",
            bin.display()
        ))
    }
}

/// A `streamkit-sandbox` process on 127.0.0.1, killed when dropped.
pub struct SandboxProcess {
    child: Child,
    url: String,
    /// Kept open so the sandbox's later prints never hit a closed pipe.
    _stdout: Option<BufReader<ChildStdout>>,
}

impl SandboxProcess {
    /// Starts the sandbox with `--port 0` and `args`, and reads its URL from the first line.
    pub fn spawn(args: &[&str]) -> BenchResult<SandboxProcess> {
        let bin = sandbox_bin()?;
        let mut child = Command::new(&bin)
            .args(["--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout pipe")?;
        // Read the first line on a thread so a sandbox that hangs cannot hang the bench.
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let ok = reader.read_line(&mut line).is_ok();
            let _ = tx.send((ok, line, reader));
        });
        let first = rx.recv_timeout(Duration::from_secs(60));
        let mut sandbox = SandboxProcess { child, url: String::new(), _stdout: None };
        let (_, line, reader) = first.map_err(|_| "the sandbox printed nothing within 60 s".to_string())?;
        sandbox._stdout = Some(reader);
        let url = line.trim().strip_prefix("streamkit-sandbox listening on ").map(str::to_owned);
        match url {
            Some(url) if url.starts_with("http://127.0.0.1:") => {
                sandbox.url = url;
                Ok(sandbox)
            }
            _ => {
                let _ = sandbox.child.kill();
                let _ = sandbox.child.wait();
                let mut err = String::new();
                if let Some(mut e) = sandbox.child.stderr.take() {
                    let _ = e.read_to_string(&mut err);
                }
                Err(format!(
                    "the sandbox did not start (args {args:?}; an old binary? rebuild with `cargo build --release -p streamkit-sandbox`): {} {}",
                    line.trim(),
                    err.trim()
                ))
            }
        }
    }

    pub fn helix_url(&self) -> String {
        format!("{}/helix", self.url)
    }

    pub fn oauth_url(&self) -> String {
        format!("{}/oauth2", self.url)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The sandbox's CPU time (user + system) so far.
    pub fn cpu(&self) -> Duration {
        cpu_of(&self.pid().to_string())
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Clock ticks per second of `/proc/<pid>/stat` (`USER_HZ`, 100 on Linux).
const USER_HZ: f64 = 100.0;

/// User + system CPU time of a process (`self` or a pid) from `/proc/<pid>/stat`, all
/// threads included (10 ms resolution).
pub fn cpu_of(pid: &str) -> Duration {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return Duration::ZERO };
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    let tick = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    Duration::from_secs_f64((tick(11) + tick(12)) as f64 / USER_HZ)
}

/// This process's CPU time so far.
pub fn self_cpu() -> Duration {
    cpu_of("self")
}

/// A `Vm*` line of `/proc/self/status`, in KiB (`VmHWM` is the peak resident set).
pub fn self_status_kib(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find_map(|l| l.strip_prefix(key).and_then(|v| v.strip_prefix(':')).map(str::to_owned)))
        .and_then(|v| v.split_whitespace().next().and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

/// The oauth client of a sandbox.
pub fn oauth_client(sandbox_oauth_url: &str) -> BenchResult<oauth::Client> {
    oauth::Client::builder().base_url(sandbox_oauth_url).build().map_err(ctx("oauth client"))
}

/// The sandbox app's credentials.
pub fn app_credentials() -> auth::AppCredentials {
    auth::AppCredentials { client_id: CLIENT_ID.into(), client_secret: Secret::new(CLIENT_SECRET) }
}

/// An app access token from the sandbox (client-credentials grant).
pub async fn app_token(sandbox_oauth_url: &str) -> BenchResult<Secret> {
    let cache = auth::app_token_cache(oauth_client(sandbox_oauth_url)?, app_credentials());
    cache.token().await.map_err(ctx("app token"))
}

/// `x` formatted with thousands separators.
pub fn thousands(x: u64) -> String {
    let s = x.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The `reqwest::Client` a scenario's variants share (one connection pool), TLS provider
/// installed first.
pub fn shared_http() -> BenchResult<reqwest::Client> {
    streamkit_runtime::tls::install_default_provider();
    reqwest::Client::builder()
        .user_agent(streamkit_runtime::config::DEFAULT_USER_AGENT)
        .timeout(Duration::from_secs(60))
        .connect_timeout(Duration::from_secs(20))
        .build()
        .map_err(ctx("reqwest client"))
}

/// The headers the hand-written baseline sends, built once as a careful hand-written client
/// would: `Accept`, `Client-Id` and the bearer token (marked sensitive).
pub fn raw_helix_headers(token: &Secret) -> BenchResult<HeaderMap> {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    headers.insert("client-id", HeaderValue::from_static(CLIENT_ID));
    let mut bearer = HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(ctx("token header"))?;
    bearer.set_sensitive(true);
    headers.insert(AUTHORIZATION, bearer);
    Ok(headers)
}
