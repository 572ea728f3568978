//! Tracing: the runtime reports retries, token fetches and rate-limit waits as `tracing`
//! events (targets under `streamkit_runtime`). Install any subscriber; here
//! `tracing-subscriber` with a `RUST_LOG`-style filter, `streamkit_runtime=debug` unless
//! `RUST_LOG` says otherwise.
//!
//! Run: `RUST_LOG=streamkit_runtime=debug cargo run -p streamkit-examples --bin tracing`

use streamkit_sandbox::{CLIENT_ID, CLIENT_SECRET, Fault, FaultKind, Sandbox, SandboxConfig};
use streamkit_twitch::{Secret, auth, helix, oauth};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("streamkit_runtime=debug"));
    tracing_subscriber::fmt().with_env_filter(filter).with_target(true).without_time().init();

    let sandbox = Sandbox::start(SandboxConfig::default()).await?;
    let oauth = oauth::Client::builder().base_url(sandbox.oauth_url()).build()?;
    let app = auth::AppCredentials { client_id: CLIENT_ID.into(), client_secret: Secret::new(CLIENT_SECRET) };
    let helix = helix::Client::builder()
        .base_url(sandbox.helix_url())
        .client_id(CLIENT_ID)
        .token_cache(auth::app_token_cache(oauth, app))
        .build()?;

    // A token fetch (debug), then a 503 the runtime retries once (warn).
    sandbox.inject(Fault::new("GET", "/helix/streams", FaultKind::ServiceUnavailable).times(1));
    let streams = helix.get_streams().first(3).send().await?;
    println!("{} streams after one retry", streams.data.len());

    let stats = helix.runtime().stats();
    println!("requests sent: {}, retries: {}", stats.attempts, stats.retries);
    Ok(())
}
