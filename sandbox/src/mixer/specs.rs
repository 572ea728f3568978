//! `specs/mixer/core.yaml`, embedded and parsed once per process, and what the sandbox
//! reads from it: each operation's rate-limit bucket and whether it needs a token.

use crate::core::{BucketSpec, FrameContract, RateHeaders, ServiceSpec};
use serde_json::Value;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use streamkit_spec::contract::Contract;
use streamkit_spec::document::parse;
use streamkit_spec::extensions::{self, Buckets, RateLimit};

/// Where the service is served: the spec's `/v1/...` paths are under it.
pub const PREFIX: &str = "/mixer/api";

/// Statuses the middleware answers before routing: no/invalid token, CSRF, rate limit.
const BEFORE_ROUTING: [u16; 3] = [401, 403, 429];

pub(crate) fn core() -> Arc<Contract> {
    static CORE: OnceLock<Arc<Contract>> = OnceLock::new();
    CORE.get_or_init(|| {
        match parse(include_str!("../../../specs/mixer/core.yaml"), Path::new("specs/mixer/core.yaml")) {
            Ok(doc) => Arc::new(Contract::new(doc)),
            // Embedded at build time and parsed by this crate's tests: a failure is a bug here.
            Err(e) => panic!("the embedded specs/mixer/core.yaml does not load: {e}"),
        }
    })
    .clone()
}

/// `specs/mixer/chat.yaml` and `constellation.yaml` as frame contracts: what the chat and
/// Constellation servers may send.
pub(crate) fn frame_contracts() -> (Arc<FrameContract>, Arc<FrameContract>) {
    static BOTH: OnceLock<(Arc<FrameContract>, Arc<FrameContract>)> = OnceLock::new();
    let load = |text: &str, file: &str| {
        let contract = parse(text, Path::new(file)).map_err(|e| e.to_string()).and_then(|d| FrameContract::new(&d));
        // Embedded at build time and checked by this crate's tests: a failure is a bug here.
        Arc::new(contract.unwrap_or_else(|e| panic!("the embedded {file} does not load: {e}")))
    };
    BOTH.get_or_init(|| {
        (
            load(include_str!("../../../specs/mixer/chat.yaml"), "specs/mixer/chat.yaml"),
            load(include_str!("../../../specs/mixer/constellation.yaml"), "specs/mixer/constellation.yaml"),
        )
    })
    .clone()
}

/// The spec the contract check holds Mixer's responses to.
pub(crate) fn service_specs() -> Vec<ServiceSpec> {
    let mut spec = ServiceSpec::new(PREFIX, core());
    spec.answered_before_routing = BEFORE_ROUTING.to_vec();
    vec![spec]
}

/// Every declared bucket (Mixer reports none in headers).
pub(crate) fn buckets() -> Vec<BucketSpec> {
    let contract = core();
    let doc = &contract.document().doc;
    let buckets: Buckets = match extensions::read(doc, "x-streamkit-ratelimit-buckets") {
        Ok(Some(b)) => b,
        other => panic!("specs/mixer/core.yaml#/x-streamkit-ratelimit-buckets: {other:?}"),
    };
    let none = RateHeaders::named(None, None, None).unwrap_or_else(|| unreachable!("no names are valid names"));
    let mut out: Vec<BucketSpec> = buckets
        .iter()
        .map(|(name, b)| BucketSpec {
            name: name.clone(),
            points: b.points,
            period: Duration::from_secs(u64::from(b.per_seconds)),
            headers: none.clone(),
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The preference keys `ChannelPreferences` declares: the only ones a channel stores.
pub(crate) fn preference_keys() -> Vec<String> {
    let contract = core();
    let props = contract.document().doc.pointer("/components/schemas/ChannelPreferences/properties").cloned();
    props.and_then(|p| p.as_object().map(|o| o.keys().cloned().collect())).unwrap_or_default()
}

/// The first property of `body` whose value is not of the JSON type `schema`'s properties
/// declare (`type: string | integer | number | boolean`), for request bodies the sandbox
/// stores and answers back.
pub(crate) fn mistyped_property(schema: &str, body: &serde_json::Map<String, Value>) -> Option<String> {
    let contract = core();
    let props = contract.document().doc.pointer(&format!("/components/schemas/{schema}/properties"))?.as_object()?;
    body.iter().find_map(|(k, v)| {
        let ok = match props.get(k).and_then(|p| p.get("type")).and_then(Value::as_str) {
            Some("string") => v.is_string(),
            Some("integer") => v.is_i64() || v.is_u64(),
            Some("number") => v.is_number(),
            Some("boolean") => v.is_boolean(),
            _ => true,
        };
        (!ok).then(|| k.clone())
    })
}

/// One operation as the middleware needs it.
#[derive(Debug, Clone)]
pub(crate) struct Route {
    method: String,
    segments: Vec<String>,
    /// The bucket it draws from (the document default when it names none).
    pub bucket: Option<String>,
    /// Whether its first security requirement has `bearer`.
    pub needs_token: bool,
}

/// The operations of the spec.
pub(crate) fn routes() -> Vec<Route> {
    let contract = core();
    let doc = &contract.document().doc;
    let default_bucket = extensions::read::<RateLimit>(doc, "x-streamkit-ratelimit").ok().flatten().map(|r| r.bucket);
    let doc_security = doc.get("security").cloned().unwrap_or(Value::Null);
    let mut out = Vec::new();
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let Some(op) = op.as_object() else { continue };
            let op_value = Value::Object(op.clone());
            let bucket = match extensions::read::<RateLimit>(&op_value, "x-streamkit-ratelimit") {
                Ok(Some(r)) => Some(r.bucket),
                _ if op.get("security").is_some_and(|s| s.as_array().is_some_and(Vec::is_empty)) => None,
                _ => default_bucket.clone(),
            };
            let security = op.get("security").unwrap_or(&doc_security);
            let needs_token = security.get(0).and_then(|r| r.get("bearer")).is_some();
            out.push(Route {
                method: method.to_ascii_uppercase(),
                segments: path.split('/').map(str::to_owned).collect(),
                bucket,
                needs_token,
            });
        }
    }
    out
}

/// The route serving `method path` (path without the prefix); literal segments win over
/// parameters (`/v1/users/search` over `/v1/users/{userId}`).
pub(crate) fn find<'a>(routes: &'a [Route], method: &str, path: &str) -> Option<&'a Route> {
    let segs: Vec<&str> = path.split('/').collect();
    routes
        .iter()
        .filter(|r| r.method == method && r.segments.len() == segs.len())
        .filter(|r| r.segments.iter().zip(&segs).all(|(a, b)| a.starts_with('{') || a == b))
        .max_by_key(|r| r.segments.iter().filter(|s| !s.starts_with('{')).count())
}

#[cfg(test)]
mod frame_tests {
    #[test]
    fn the_chat_and_constellation_contracts_load_with_their_messages() {
        let (chat, live) = super::frame_contracts();
        assert!(chat.message_count() > 20, "{chat:?}");
        assert!(live.message_count() >= 3, "{live:?}");
        assert!(chat.check(r#"{"type": "reply", "id": 1, "error": null, "data": "pong"}"#).is_ok());
        assert!(chat.check(r#"{"type": "reply", "id": "one", "error": null}"#).is_err());
    }
}
