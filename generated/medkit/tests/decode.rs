//! Decoding Muxy's documented example payloads (from its JavaScript library's fixtures, not
//! from our sandbox) into the generated types, strictly: no undocumented field.

use std::path::Path;

use serde_json::json;
use streamkit_medkit::auth::{Role, check_token, decode_claims};
use streamkit_medkit::medkit::types;
use streamkit_runtime::drift::{Drift, drift_paths};

fn decode<T: serde::de::DeserializeOwned + Drift>(file: &str) -> T {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let value: T = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file} does not decode: {e}"));
    let drift = drift_paths(&value);
    assert!(drift.is_empty(), "{file}: values the spec does not know: {drift:?}");
    value
}

#[test]
fn the_documented_state_and_user_info_examples_decode_strictly() {
    let all: types::AllState = decode("getAllState.json");
    assert_eq!(all.viewer.unwrap().0["state"], "hello");
    let channel: types::JsonObject = decode("getChannelState.json");
    assert_eq!(
        serde_json::Value::Object(channel.0),
        json!({"stringState": "hello", "numberState": 123, "booleanState": true})
    );
    let info: types::UserInfo = decode("getUserInfo.json");
    assert_eq!(
        (info.ip_address.as_str(), info.registered, info.server_time, info.visualization_id.as_str()),
        ("1.1.1.1", true, 1_530_290_223_261, "vizid")
    );
}

#[test]
fn the_documented_sandbox_tokens_decode_and_are_refused_as_expired() {
    for (file, role) in [
        ("requestAuthToken.viewer.json", Role::Viewer),
        ("requestAuthToken.admin.json", Role::Admin),
        ("requestAuthToken.broadcaster.json", Role::Broadcaster),
    ] {
        let r: types::AuthTokenResponse = decode(file);
        let token = r.token.unwrap_or_else(|| panic!("{file}: no token"));
        let claims = decode_claims(token.expose()).unwrap();
        assert_eq!(claims.role, role, "{file}");
        assert_eq!(claims.channel_id.as_deref(), Some("12345"));
        assert_eq!(claims.user_id.as_deref(), Some("23456"));
        assert_eq!(claims.opaque_user_id.as_deref(), Some("23456"));
        assert_eq!(claims.allowed_stage.as_deref(), Some("sandbox"));
        assert_eq!(claims.exp, 1_672_531_199);
        // Valid the second before it expired, refused after.
        assert!(check_token(token.expose(), 1_672_531_198).is_ok());
        let e = check_token(token.expose(), 1_700_000_000).unwrap_err().to_string();
        assert!(e.contains("expired"), "{e}");
    }
    let viewer: types::AuthTokenResponse = decode("requestAuthToken.viewer.json");
    let c = decode_claims(viewer.token.unwrap().expose()).unwrap();
    assert_eq!(
        (c.iss.as_deref(), c.aud.as_deref(), c.sub.as_deref(), c.iat),
        (Some("muxy"), Some("muxy.io"), Some("extensions"), Some(1_514_764_801))
    );
}

#[test]
fn vote_results_decode_in_both_documented_forms() {
    // The JavaScript types and voting guide: flat.
    let flat: types::VoteData = serde_json::from_value(
        json!({"count": 2, "mean": 1.5, "specific": [0, 1, 1], "stddev": 0.5, "sum": 3, "vote": 1}),
    )
    .unwrap();
    // The REST page: nested in `stats`.
    let nested: types::VoteData = serde_json::from_value(
        json!({"stats": {"stddev": 0.5, "mean": 1.5, "sum": 3, "specific": [0, 1, 1], "count": 2}}),
    )
    .unwrap();
    assert!(drift_paths(&flat).is_empty() && drift_paths(&nested).is_empty());
    assert_eq!(flat.summary(), nested.summary());
    assert_eq!(flat.summary().count, 2);
}

#[test]
fn both_authtoken_body_spellings_are_accepted() {
    // Muxy's API description sends `extension_id`, its JavaScript library `app_id`.
    for body in [
        json!({"extension_id": "ext", "channel_id": "12345", "role": "viewer", "user_id": "23456"}),
        json!({"app_id": "ext", "channel_id": "12345", "role": "viewer", "user_id": "23456"}),
    ] {
        let r: types::AuthTokenRequest = serde_json::from_value(body).unwrap();
        assert_eq!(r.extension_id.or(r.app_id).as_deref(), Some("ext"));
    }
}

#[test]
fn accumulate_entries_take_either_opaque_id_name() {
    for key in ["opaque_user_id", "opaque_id"] {
        let d: types::AccumulateData = serde_json::from_value(json!({"latest": 1, "data": [{"observed": 1, "channel_id": "12345", key: "U1", "user_id": "1", "data": {}}]})).unwrap();
        assert!(drift_paths(&d).is_empty(), "{key}");
        let e = &d.data[0];
        assert_eq!(e.opaque_user_id.clone().or(e.opaque_id.clone()).as_deref(), Some("U1"));
    }
}
