//! Shared setup: an embedded sandbox and strict clients for it.
#![allow(dead_code)]

pub mod redis;

use streamkit_sandbox::{CLIENT_ID, Sandbox, SandboxConfig};
use streamkit_twitch::{helix, oauth};

pub async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig::default()).await.expect("sandbox starts")
}

pub async fn sandbox_with(config: SandboxConfig) -> Sandbox {
    Sandbox::start(config).await.expect("sandbox starts")
}

/// A strict Helix client with an app token.
pub fn app_client(sb: &Sandbox) -> helix::Client {
    helix::Client::builder()
        .base_url(sb.helix_url())
        .client_id(CLIENT_ID)
        .access_token(sb.mint_app_token())
        .strict(true)
        .build()
        .expect("client builds")
}

/// A strict Helix client acting as `user_id` with `scopes`.
pub fn user_client(sb: &Sandbox, user_id: &str, scopes: &[&str]) -> helix::Client {
    app_client(sb).with_access_token(sb.mint_user_token(user_id, scopes))
}

/// A strict OAuth client.
pub fn oauth_client(sb: &Sandbox) -> oauth::Client {
    oauth::Client::builder().base_url(sb.oauth_url()).strict(true).build().expect("client builds")
}

/// The HTTP status of an error.
pub fn status(e: &streamkit_runtime::Error) -> u16 {
    e.status().map(|s| s.as_u16()).unwrap_or_else(|| panic!("expected an API error, got {e}"))
}
