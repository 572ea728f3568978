//! The Twitch specs the sandbox keeps to: `specs/twitch/helix.yaml`, `oauth.yaml` and the
//! websocket half of `eventsub.yaml`,
//! embedded, parsed once per process (their compiled validators are shared by every
//! sandbox), and the Helix rate-limit bucket they declare.

use crate::core::{BucketSpec, FrameContract, RateHeaders, ServiceSpec};
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use streamkit_spec::contract::Contract;
use streamkit_spec::document::parse;
use streamkit_spec::extensions::{self, Buckets};

/// The name of the bucket every Helix operation draws from.
const HELIX_BUCKET: &str = "helix";

/// Statuses the Helix middleware answers before routing (authentication, rate limit).
const BEFORE_ROUTING: [u16; 2] = [401, 429];

fn load(file: &str, text: &str) -> Arc<Contract> {
    // Embedded at build time and parsed by this crate's tests: a failure is a bug here.
    match parse(text, Path::new(file)) {
        Ok(doc) => Arc::new(Contract::new(doc)),
        Err(e) => panic!("the embedded {file} does not load: {e}"),
    }
}

pub(crate) fn helix() -> Arc<Contract> {
    static HELIX: OnceLock<Arc<Contract>> = OnceLock::new();
    HELIX.get_or_init(|| load("specs/twitch/helix.yaml", include_str!("../../../specs/twitch/helix.yaml"))).clone()
}

pub(crate) fn oauth() -> Arc<Contract> {
    static OAUTH: OnceLock<Arc<Contract>> = OnceLock::new();
    OAUTH.get_or_init(|| load("specs/twitch/oauth.yaml", include_str!("../../../specs/twitch/oauth.yaml"))).clone()
}

/// `specs/twitch/eventsub.yaml`'s websocket channel as a frame contract: what the EventSub
/// websocket server may send.
pub(crate) fn eventsub_frames() -> Arc<FrameContract> {
    static FRAMES: OnceLock<Arc<FrameContract>> = OnceLock::new();
    FRAMES
        .get_or_init(|| {
            const FILE: &str = "specs/twitch/eventsub.yaml";
            let text = include_str!("../../../specs/twitch/eventsub.yaml");
            let contract = parse(text, Path::new(FILE))
                .map_err(|e| e.to_string())
                .and_then(|doc| FrameContract::for_channel(&doc, "websocket"));
            // Embedded at build time and checked by this crate's tests: a failure is a bug here.
            Arc::new(contract.unwrap_or_else(|e| panic!("the embedded {FILE} does not load: {e}")))
        })
        .clone()
}

/// The Helix bucket as `x-streamkit-ratelimit-buckets` declares it.
pub(crate) fn helix_bucket() -> &'static BucketSpec {
    static BUCKET: OnceLock<BucketSpec> = OnceLock::new();
    BUCKET.get_or_init(|| match read_bucket(&helix().document().doc) {
        Ok(b) => b,
        Err(e) => panic!("specs/twitch/helix.yaml#/x-streamkit-ratelimit-buckets: {e}"),
    })
}

fn read_bucket(doc: &serde_json::Value) -> Result<BucketSpec, String> {
    let buckets: Buckets = extensions::read(doc, "x-streamkit-ratelimit-buckets")?.ok_or("missing")?;
    let b = buckets.get(HELIX_BUCKET).ok_or_else(|| format!("no `{HELIX_BUCKET}` bucket"))?;
    let h = &b.headers;
    let headers = RateHeaders::named(h.limit.as_deref(), h.remaining.as_deref(), h.reset.as_deref())
        .ok_or("a header name is not a valid HTTP header name")?;
    Ok(BucketSpec {
        name: HELIX_BUCKET.to_owned(),
        points: b.points,
        period: Duration::from_secs(u64::from(b.per_seconds)),
        headers,
    })
}

/// The specs the Twitch service registers with the contract check.
pub(crate) fn service_specs() -> Vec<ServiceSpec> {
    vec![
        ServiceSpec {
            // Removed Helix endpoints: the sandbox answers `410 Gone` as Twitch does, but the
            // spec describes the current API only.
            exempt: super::helix::is_gone,
            answered_before_routing: BEFORE_ROUTING.to_vec(),
            ..ServiceSpec::new("/helix", helix())
        },
        ServiceSpec {
            // A browser redirect, described only in oauth.yaml's prose (no API operation).
            exempt: |path| path == "/oauth2/authorize",
            answered_before_routing: BEFORE_ROUTING.to_vec(),
            ..ServiceSpec::new("/oauth2", oauth())
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specs_load_and_declare_the_helix_bucket() {
        assert_eq!(helix().find_path("/users"), Some("/users"));
        assert_eq!(oauth().find_path("/validate"), Some("/validate"));
        let b = helix_bucket();
        assert_eq!((b.points, b.period), (800, Duration::from_secs(60)));
        let names: Vec<&str> = b.headers.names().map(|n| n.as_str()).collect();
        assert_eq!(names, ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"]);
    }
}

#[cfg(test)]
mod frame_tests {
    use super::*;

    #[test]
    fn the_eventsub_websocket_contract_holds_its_five_messages_and_checks_them() {
        let frames = eventsub_frames();
        assert_eq!(frames.message_count(), 5, "welcome, keepalive, notification, reconnect, revocation");
        let keepalive = r#"{"metadata": {"message_id": "m1", "message_type": "session_keepalive",
            "message_timestamp": "2023-07-19T10:11:12.634234626Z"}, "payload": {}}"#;
        assert_eq!(frames.check(keepalive), Ok(()));
        let wrong = keepalive.replace("2023-07-19T10:11:12.634234626Z", "yesterday");
        assert!(frames.check(&wrong).is_err(), "a timestamp that is no date-time is refused");
    }
}
