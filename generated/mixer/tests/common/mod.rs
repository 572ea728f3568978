//! Shared setup: a sandbox serving Mixer and strict clients for it.
#![allow(dead_code)]

use streamkit_mixer::rest;
use streamkit_sandbox::{CLIENT_ID, Mixer, Sandbox};

pub async fn sandbox() -> Sandbox {
    Sandbox::builder().service(Mixer::new()).start().await.expect("sandbox starts")
}

/// A strict client without a token (sends only `Client-ID`).
pub fn anonymous(sb: &Sandbox) -> rest::Client {
    rest::Client::builder()
        .base_url(sb.mixer().api_url())
        .client_id(CLIENT_ID)
        .strict(true)
        .build()
        .expect("client builds")
}

/// A strict client acting as user index `user` with `scopes`.
pub fn user(sb: &Sandbox, user: usize, scopes: &[&str]) -> rest::Client {
    anonymous(sb).with_access_token(sb.mixer().mint_token(user, scopes))
}

/// The HTTP status of an error.
pub fn status(e: &streamkit_mixer::Error) -> u16 {
    e.status().map(|s| s.as_u16()).unwrap_or_else(|| panic!("expected an API error, got {e}"))
}
