//! A sandbox serving MEDKit and clients acting as each role against it, in strict mode.
#![allow(dead_code)]

use serde_json::Value;
use streamkit_medkit::medkit::{self, types};
use streamkit_sandbox::{MEDKIT_EXTENSION_ID, Medkit, MedkitConfig, MedkitRole, Sandbox};

pub const CHANNEL: &str = "12345";
pub const BROADCASTER: &str = "12345";
pub const VIEWER: &str = "23456";
pub const OTHER_VIEWER: &str = "34567";

pub async fn sandbox() -> Sandbox {
    sandbox_with(MedkitConfig::default()).await
}

pub async fn sandbox_with(config: MedkitConfig) -> Sandbox {
    match Sandbox::builder().service(Medkit::new(config)).start().await {
        Ok(s) => s,
        Err(e) => panic!("sandbox did not start: {e}"),
    }
}

/// A strict client sending `jwt`.
pub fn client_with_jwt(sb: &Sandbox, jwt: &str) -> medkit::Client {
    medkit::Client::builder()
        .base_url(sb.medkit_url())
        .client_id(MEDKIT_EXTENSION_ID)
        .jwt(jwt.to_string())
        .strict(true)
        .build()
        .expect("client builds")
}

/// A strict client acting as `role` (signed token) in [`CHANNEL`].
pub fn client(sb: &Sandbox, role: MedkitRole, user: Option<&str>) -> medkit::Client {
    let jwt = sb.medkit().mint(role, Some(CHANNEL), user);
    client_with_jwt(sb, &jwt)
}

pub fn viewer(sb: &Sandbox) -> medkit::Client {
    client(sb, MedkitRole::Viewer, Some(VIEWER))
}

pub fn broadcaster(sb: &Sandbox) -> medkit::Client {
    client(sb, MedkitRole::Broadcaster, Some(BROADCASTER))
}

pub fn admin(sb: &Sandbox) -> medkit::Client {
    client(sb, MedkitRole::Admin, None)
}

pub fn backend(sb: &Sandbox) -> medkit::Client {
    client(sb, MedkitRole::Backend, None)
}

/// A JSON object body.
pub fn obj(v: Value) -> types::JsonObject {
    match v {
        Value::Object(m) => types::JsonObject(m),
        other => panic!("test bug: {other} is not an object"),
    }
}

/// The HTTP status of a failed call.
pub fn status<T: std::fmt::Debug>(r: Result<T, streamkit_medkit::Error>) -> u16 {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e.status().map(|s| s.as_u16()).unwrap_or_else(|| panic!("expected an HTTP error, got {e}")),
    }
}
