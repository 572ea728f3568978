//! The documented example notifications (tests/fixtures/eventsub/, from Twitch's reference)
//! against `specs/twitch/eventsub.yaml`: each validates against its type's
//! `<Type>Notification` schema with undocumented properties forbidden (so the spec declares
//! every field Twitch documents), each typed subscription of `eventsub::types::ALL` has its
//! schema and a fixture, and each fixture arrives through the webhook verifier as a
//! notification of its type, whose typed event (`Notification::typed_event`) is its own
//! variant of the generated `EventsubEvent` in strict mode.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use http::{HeaderMap, HeaderValue};
use serde_json::Value;
use streamkit_spec::schema::{Direction, Options, Validator};
use streamkit_spec::{Document, document};
use streamkit_twitch::Secret;
use streamkit_twitch::eventsub::types::ALL;
use streamkit_twitch::eventsub::webhook::{Outcome, WebhookVerifier, headers, sign};
use streamkit_twitch::eventsub_messages::EventsubEvent;
use streamkit_twitch::message::Strictness;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn spec() -> Document {
    document::load(&root().join("specs/twitch/eventsub.yaml"), Path::new("specs/twitch/eventsub.yaml")).unwrap()
}

fn fixtures() -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eventsub");
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let json = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            (name, json)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The pointer of the `<Type>Notification` schema the spec's message for `(type, version)` carries.
fn schema_of(spec: &Document, kind: &str, version: &str) -> Option<String> {
    let messages = spec.get("/components/messages")?.as_object()?;
    messages.values().find_map(|m| {
        let pointer = m.pointer("/payload/$ref")?.as_str()?.strip_prefix('#')?.to_owned();
        let sub = spec.get(&format!("{pointer}/properties/subscription/allOf/1/properties"))?;
        let typed = m.get("name")?.as_str() == Some(kind) && sub.pointer("/version/const")?.as_str() == Some(version);
        typed.then_some(pointer)
    })
}

#[test]
fn every_fixture_validates_strictly_against_its_notification_schema() {
    let spec = spec();
    let mut seen = BTreeSet::new();
    let mut bad = false;
    for (name, body) in fixtures() {
        let kind = body["subscription"]["type"].as_str().unwrap();
        let version = body["subscription"]["version"].as_str().unwrap();
        let pointer =
            schema_of(&spec, kind, version).unwrap_or_else(|| panic!("{name}: no message for {kind} v{version}"));
        let strict = Validator::new(&spec, &pointer, Options::from(Direction::Either).forbid_undocumented()).unwrap();
        let problems = strict.validate(&body);
        for p in &problems {
            println!("{name}: {p}");
        }
        bad |= !problems.is_empty();
        seen.insert((kind.to_owned(), version.to_owned()));
    }
    assert!(!bad, "fixtures do not validate (see above)");
    // Every typed subscription has its documented example, and nothing else is here.
    let typed: BTreeSet<(String, String)> = ALL.iter().map(|(t, v)| ((*t).to_owned(), (*v).to_owned())).collect();
    assert_eq!(seen, typed);
}

#[test]
fn the_schemas_refuse_what_twitch_would_not_send() {
    let spec = spec();
    let pointer = schema_of(&spec, "channel.follow", "2").unwrap();
    let v = Validator::new(&spec, &pointer, Direction::Either).unwrap();
    let (_, mut body) = fixtures().into_iter().find(|(n, _)| n == "channel.follow.v2.json").unwrap();
    assert!(v.is_valid(&body));
    // Nanoseconds are fine; a date that is no RFC 3339 is not.
    body["event"]["followed_at"] = "2023-07-15T18:16:11.171067133Z".into();
    assert!(v.is_valid(&body));
    body["event"]["followed_at"] = "July 15".into();
    assert!(!v.is_valid(&body));
    // The condition of another type.
    let (_, mut body) = fixtures().into_iter().find(|(n, _)| n == "channel.follow.v2.json").unwrap();
    body["subscription"]["condition"].as_object_mut().unwrap().remove("moderator_user_id");
    assert!(!v.is_valid(&body));
    // Another version.
    let (_, mut body) = fixtures().into_iter().find(|(n, _)| n == "channel.follow.v2.json").unwrap();
    body["subscription"]["version"] = "1".into();
    assert!(!v.is_valid(&body));
}

#[test]
fn every_fixture_arrives_through_the_verifier_as_its_type() {
    let secret = Secret::new("fixture-secret-0123456789");
    let verifier = WebhookVerifier::new(secret.clone());
    for (i, (name, body)) in fixtures().into_iter().enumerate() {
        let raw = serde_json::to_vec(&body).unwrap();
        let id = format!("fixture-{i}");
        let ts = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
        let mut h = HeaderMap::new();
        h.insert(headers::MESSAGE_ID, HeaderValue::from_str(&id).unwrap());
        h.insert(headers::MESSAGE_TIMESTAMP, HeaderValue::from_str(&ts).unwrap());
        h.insert(headers::MESSAGE_TYPE, HeaderValue::from_static("notification"));
        h.insert(headers::MESSAGE_SIGNATURE, HeaderValue::from_str(&sign(&secret, &id, &ts, &raw)).unwrap());
        match verifier.verify(&h, &raw) {
            Ok(Outcome::Notification(n)) => {
                assert_eq!(n.subscription_type, body["subscription"]["type"], "{name}");
                assert_eq!(n.subscription_version, body["subscription"]["version"], "{name}");
                assert_eq!(n.event, body["event"], "{name}");
                // And typed: its own variant, strictly (no undocumented field or value).
                let typed = n.typed_event(Strictness::Strict).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(!matches!(typed, EventsubEvent::Unknown { .. }), "{name}: {typed:?}");
                assert_eq!(
                    (typed.subscription_type(), typed.version()),
                    (n.subscription_type.as_str(), n.subscription_version.as_str())
                );
                let sub = n.typed_subscription(Strictness::Strict).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(sub.type_, n.subscription_type, "{name}");
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}
