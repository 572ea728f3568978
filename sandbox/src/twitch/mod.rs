//! The fake Twitch services: Helix (`/helix`) and id.twitch.tv OAuth (`/oauth2`).

pub(crate) mod helix;
pub(crate) mod oauth;
