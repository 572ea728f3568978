//! The generated EventSub types (`eventsub_messages`, from `specs/twitch/eventsub.yaml`)
//! against Twitch's documented example notifications (tests/fixtures/eventsub/): each
//! decodes into its own typed variant in strict mode (no undocumented field, no unknown
//! enum value), as a webhook body and inside a websocket notification frame; a notification
//! of a type the spec does not know is `Unknown` with its JSON kept; a known type whose event
//! does not fit is an error, never `Unknown`.

use std::path::Path;

use serde_json::{Value, json};
use streamkit_twitch::Error;
use streamkit_twitch::eventsub_messages::{EventsubEvent, EventsubMessage, types};
use streamkit_twitch::message::Strictness::{Lenient, Strict};

fn fixtures() -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eventsub");
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap())
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// A websocket notification frame carrying `body` as its payload.
fn frame(body: &Value, id: &str) -> Value {
    json!({
        "metadata": {
            "message_id": id,
            "message_type": "notification",
            "message_timestamp": "2023-07-19T14:56:51.634234626Z",
            "subscription_type": body["subscription"]["type"],
            "subscription_version": body["subscription"]["version"],
        },
        "payload": body,
    })
}

/// The variant's name as `Debug` prints it (`ChannelFollowV2`).
fn variant(e: &EventsubEvent) -> String {
    format!("{e:?}").split(['(', ' ', '{']).next().unwrap_or_default().to_owned()
}

/// `channel.follow` + `2` → `ChannelFollowV2`: the variant codegen names for the pair.
fn expected_variant(kind: &str, version: &str) -> String {
    let words = format!("{}_v{version}", kind.replace('.', "_"));
    words.split('_').map(|w| w[..1].to_uppercase() + &w[1..]).collect()
}

#[test]
fn every_fixture_decodes_strictly_into_its_typed_variant() {
    let all = fixtures();
    assert_eq!(all.len(), 30, "the 30 documented examples");
    let mut bad = Vec::new();
    for (name, body) in &all {
        let kind = body["subscription"]["type"].as_str().unwrap();
        let version = body["subscription"]["version"].as_str().unwrap();
        match EventsubEvent::from_body(body, Strict) {
            Ok(event) => {
                assert_eq!(variant(&event), expected_variant(kind, version), "{name}");
                assert_eq!((event.subscription_type(), event.version()), (kind, version), "{name}");
                // Nothing was lost: the typed event gives the documented JSON back.
                let (_, _, back) = event.to_wire().unwrap();
                assert_eq!(normalized(back), normalized(body["event"].clone()), "{name}");
            }
            Err(e) => bad.push(format!("{name}: {e}")),
        }
        match EventsubMessage::from_frame(frame(body, name), Strict) {
            Ok(EventsubMessage::Notification { message, event }) => {
                assert_eq!(variant(&event), expected_variant(kind, version), "{name}");
                assert_eq!(message.payload.subscription.type_, kind, "{name}");
            }
            Ok(other) => bad.push(format!("{name}: as a frame, {other:?}")),
            Err(e) => bad.push(format!("{name}: as a frame: {e}")),
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
    // The 28 (type, version) pairs the spec knows, each with its example.
    let pairs: std::collections::BTreeSet<(&str, &str)> = all
        .iter()
        .map(|(_, b)| (b["subscription"]["type"].as_str().unwrap(), b["subscription"]["version"].as_str().unwrap()))
        .collect();
    assert_eq!(pairs.len(), 28);
    assert_eq!(pairs, EventsubEvent::KNOWN.iter().copied().collect());
}

/// Timestamps as instants (Twitch writes `.123Z`, chrono may write it otherwise), and an
/// absent optional field the same as a `null` one (the types write `null`).
fn normalized(mut v: Value) -> Value {
    match &mut v {
        Value::String(s) => {
            if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
                *s = t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| *x = normalized(x.take())),
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(|x| *x = normalized(x.take()));
        }
        _ => {}
    }
    v
}

#[test]
fn whole_bodies_decode_strictly_into_their_notification_types() {
    let (_, body) = fixtures().into_iter().find(|(n, _)| n == "channel.follow.v2.json").unwrap();
    let typed: types::ChannelFollowV2Notification = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(typed.subscription.condition.moderator_user_id, body["subscription"]["condition"]["moderator_user_id"]);
    assert_eq!(typed.event.user_login, body["event"]["user_login"]);
    // Nanoseconds parse.
    let mut nanos = body;
    nanos["event"]["followed_at"] = json!("2023-07-15T18:16:11.171067133Z");
    let event = EventsubEvent::from_body(&nanos, Strict).unwrap();
    let EventsubEvent::ChannelFollowV2(follow) = event else { panic!("{event:?}") };
    assert_eq!(follow.followed_at.timestamp_subsec_nanos(), 171_067_133);
}

#[test]
fn an_undocumented_type_is_unknown_with_its_json_kept() {
    let (_, mut body) = fixtures().into_iter().find(|(n, _)| n == "stream.online.v1.json").unwrap();
    body["subscription"]["type"] = json!("channel.future_thing");
    body["subscription"]["version"] = json!("beta");
    body["event"]["brand_new"] = json!({"nested": [1, 2]});
    let raw = body["event"].clone();
    for event in [
        EventsubEvent::from_body(&body, Strict).unwrap(),
        match EventsubMessage::from_frame(frame(&body, "m1"), Strict).unwrap() {
            EventsubMessage::Notification { event, .. } => event,
            other => panic!("{other:?}"),
        },
    ] {
        match &event {
            EventsubEvent::Unknown { subscription_type, version, event } => {
                assert_eq!(subscription_type, "channel.future_thing");
                assert_eq!(version, "beta");
                assert_eq!(event, &raw);
            }
            other => panic!("{other:?}"),
        }
    }
    // A known type in a version the spec does not know is Unknown too.
    let e = EventsubEvent::from_wire("stream.online", "2", json!({}), Strict).unwrap();
    assert!(matches!(e, EventsubEvent::Unknown { ref version, .. } if version == "2"), "{e:?}");
}

#[test]
fn drift_is_kept_leniently_and_refused_strictly() {
    let (_, mut body) = fixtures().into_iter().find(|(n, _)| n == "channel.follow.v2.json").unwrap();
    body["event"]["new_field"] = json!(true);
    let lenient = EventsubEvent::from_body(&body, Lenient).unwrap();
    let EventsubEvent::ChannelFollowV2(follow) = &lenient else { panic!("{lenient:?}") };
    assert_eq!(follow.extra["new_field"], json!(true));
    match EventsubEvent::from_body(&body, Strict) {
        Err(Error::Drift { operation, paths }) => {
            assert_eq!(operation, "channel.follow v2");
            assert_eq!(paths, ["new_field (undocumented field)"]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_known_type_that_does_not_fit_is_an_error_not_unknown() {
    let (_, mut body) = fixtures().into_iter().find(|(n, _)| n == "channel.follow.v2.json").unwrap();
    body["event"]["followed_at"] = json!("July 15");
    let e = EventsubEvent::from_body(&body, Lenient).unwrap_err();
    assert!(e.to_string().contains("channel.follow v2"), "{e}");
    body["event"] = json!({"user_id": 5});
    assert!(EventsubEvent::from_body(&body, Lenient).is_err());
    // A frame without its kind, and a notification without its type, are errors.
    assert!(
        EventsubMessage::from_frame(json!({"payload": {}}), Lenient)
            .unwrap_err()
            .to_string()
            .contains("metadata.message_type")
    );
    let e = EventsubMessage::from_frame(
        json!({"metadata": {"message_id": "1", "message_type": "notification", "message_timestamp": "2023-07-19T14:56:51Z"}, "payload": {}}),
        Lenient,
    )
    .unwrap_err();
    assert!(e.to_string().contains("metadata.subscription_type"), "{e}");
}

#[test]
fn every_documented_frame_kind_decodes_strictly() {
    let welcome = json!({"metadata": {"message_id": "96a3f3b5-5dec-4eed-908e-e11ee657416c", "message_type": "session_welcome", "message_timestamp": "2023-07-19T14:56:51.634234626Z"},
        "payload": {"session": {"id": "AQoQILE98gtqShGmLD7AM6yJThAB", "status": "connected", "connected_at": "2023-07-19T14:56:51.616329898Z", "keepalive_timeout_seconds": 10, "reconnect_url": null, "recovery_url": null}}});
    let m = EventsubMessage::from_frame(welcome, Strict).unwrap();
    let EventsubMessage::SessionWelcome(w) = &m else { panic!("{m:?}") };
    assert_eq!(w.payload.session.keepalive_timeout_seconds, Some(10));
    assert_eq!(m.kind(), "session_welcome");
    let keepalive = json!({"metadata": {"message_id": "84c1e79a", "message_type": "session_keepalive", "message_timestamp": "2023-07-19T10:11:12.634234626Z"}, "payload": {}});
    assert!(matches!(EventsubMessage::from_frame(keepalive, Strict).unwrap(), EventsubMessage::SessionKeepalive(_)));
    let reconnect = json!({"metadata": {"message_id": "84c1e79a", "message_type": "session_reconnect", "message_timestamp": "2022-11-18T09:10:11.634234626Z"},
        "payload": {"session": {"id": "AQoQexAWVYKSTIu4ec_2VAxyuhAB", "status": "reconnecting", "keepalive_timeout_seconds": null, "reconnect_url": "wss://eventsub.wss.twitch.tv?...", "connected_at": "2022-11-16T10:11:12.634234626Z"}}});
    let m = EventsubMessage::from_frame(reconnect, Strict).unwrap();
    let EventsubMessage::SessionReconnect(r) = &m else { panic!("{m:?}") };
    assert_eq!(r.payload.session.reconnect_url.as_deref(), Some("wss://eventsub.wss.twitch.tv?..."));
    let revocation = json!({"metadata": {"message_id": "84c1e79a", "message_type": "revocation", "message_timestamp": "2022-11-16T10:11:12.464757833Z", "subscription_type": "channel.follow", "subscription_version": "2"},
        "payload": {"subscription": {"id": "f1c2a387", "status": "authorization_revoked", "type": "channel.follow", "version": "2", "cost": 1,
            "condition": {"broadcaster_user_id": "12826", "moderator_user_id": "12826"}, "transport": {"method": "websocket", "session_id": "AQoQexAWVYKSTIu4ec_2VAxyuhAB"}, "created_at": "2022-11-16T10:11:12.464757833Z"}}});
    let m = EventsubMessage::from_frame(revocation, Strict).unwrap();
    let EventsubMessage::Revocation(r) = &m else { panic!("{m:?}") };
    assert_eq!(r.payload.subscription.status, "authorization_revoked");
    // A kind the spec does not know is kept.
    let later = json!({"metadata": {"message_id": "1", "message_type": "session_paused"}, "payload": {"x": 1}});
    let m = EventsubMessage::from_frame(later.clone(), Strict).unwrap();
    assert!(
        matches!(&m, EventsubMessage::Unknown { kind, frame } if kind == "session_paused" && frame == &later),
        "{m:?}"
    );
}
