//! One client shared by many tasks: a `helix::Client` is cheap to clone (the connection
//! pool, token cache, rate-limit state and stats are shared), so each task takes a clone.
//! `with_access_token` makes a per-user client that still shares the pool and the limiter.
//!
//! Run: `cargo run -p streamkit-examples --bin shared-client`

use streamkit_sandbox::{CLIENT_ID, CLIENT_SECRET, Sandbox, SandboxConfig};
use streamkit_twitch::{Error, Secret, auth, helix, oauth};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start(SandboxConfig::default()).await?;
    let seed = sandbox.seed();
    let oauth = oauth::Client::builder().base_url(sandbox.oauth_url()).build()?;
    let app = auth::AppCredentials { client_id: CLIENT_ID.into(), client_secret: Secret::new(CLIENT_SECRET) };
    let helix = helix::Client::builder()
        .base_url(sandbox.helix_url())
        .client_id(CLIENT_ID)
        .token_cache(auth::app_token_cache(oauth, app))
        .build()?;

    // 16 tasks, one client: one token fetch, one connection pool, one rate-limit bucket.
    let mut tasks = tokio::task::JoinSet::new();
    for (i, login) in seed.user_logins.iter().cycle().take(16).cloned().enumerate() {
        let helix = helix.clone();
        tasks.spawn(async move {
            let users = helix.get_users().login([login]).send().await?;
            Ok::<_, Error>((i, users.data.first().map(|u| u.display_name.clone())))
        });
    }
    let mut found = 0;
    while let Some(done) = tasks.join_next().await {
        let (i, name) = done??;
        found += usize::from(name.is_some());
        println!("task {i:>2}: {}", name.as_deref().unwrap_or("(no such user)"));
    }
    let stats = helix.runtime().stats();
    println!("{found} users found; {} requests sent, {} retried", stats.attempts, stats.retries);
    if let Some(rl) = helix.runtime().last_rate_limit() {
        println!("bucket: {} of {} points left", rl.remaining.unwrap_or_default(), rl.limit.unwrap_or_default());
    }

    // A per-user client from the shared one.
    let owner = helix.with_access_token(sandbox.mint_user_token(&seed.broadcaster_id, &["channel:manage:broadcast"]));
    owner
        .modify_channel_information()
        .broadcaster_id(seed.broadcaster_id.as_str())
        .body(helix::types::ModifyChannelInformationBody::builder().title("Shared by 16 tasks"))
        .send()
        .await?;
    println!("the broadcaster's client shares the pool: {} requests in all", helix.runtime().stats().attempts);
    Ok(())
}
