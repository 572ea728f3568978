//! The chat and Constellation message specs against their generated types: every example
//! frame in `specs/mixer/chat.yaml` and `constellation.yaml` validates against its message's
//! schema (streamkit-spec's validator) and decodes, in strict mode, into the generated type,
//! then encodes back to the same JSON; every method and event has such an example; unknown
//! events are kept raw; a known event with a bad payload is an error naming it.

use std::path::Path;

use serde_json::{Value, json};
use streamkit_mixer::Error;
use streamkit_mixer::chat_messages::{self as chat, ChatEvent};
use streamkit_mixer::constellation_messages::{self as cnstl, ConstellationEvent, LiveEvent, LivePayload};
use streamkit_mixer::message::Strictness;
use streamkit_mixer::session::Method;
use streamkit_runtime::drift::{Drift, drift_paths};
use streamkit_spec::schema::{Direction, Validator};
use streamkit_spec::{Document, document};

fn spec(name: &str) -> Document {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shown = format!("specs/mixer/{name}");
    document::load(&root.join(&shown), Path::new(&shown)).unwrap_or_else(|e| panic!("{e}"))
}

/// `(message key, wire name, example payload)` of every example, each validated against its
/// message's payload schema.
fn validated_examples(doc: &Document) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    let messages = doc.get("/components/messages").and_then(Value::as_object).expect("components.messages");
    for (key, msg) in messages {
        let ptr = format!("/components/messages/{key}/payload");
        let validator = Validator::new(doc, &ptr, Direction::Either).unwrap_or_else(|e| panic!("{e}"));
        let name = msg["name"].as_str().expect("message name").to_string();
        for (i, ex) in msg.get("examples").and_then(Value::as_array).into_iter().flatten().enumerate() {
            let payload = ex.get("payload").cloned().expect("example payload");
            let violations = validator.validate(&payload);
            assert!(violations.is_empty(), "{key} example {i}: {violations:?}");
            out.push((key.clone(), name.clone(), payload));
        }
    }
    out
}

/// Decodes `value` as `T`, strictly (no drift), and checks it encodes back to `value`.
fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize + Drift>(what: &str, value: &Value) {
    let decoded: T = serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{what}: {e}: {value}"));
    assert_eq!(drift_paths(&decoded), Vec::<String>::new(), "{what}");
    assert_eq!(&serde_json::to_value(&decoded).unwrap(), value, "{what}");
}

/// A method's params type: decodes the frame's parameters and encodes them back unchanged.
fn params_round_trip<M: Method + serde::de::DeserializeOwned>(params: &Value) {
    let decoded: M = serde_json::from_value(params.clone()).unwrap_or_else(|e| panic!("{}: {e}", M::NAME));
    assert_eq!(&serde_json::to_value(&decoded).unwrap(), params, "{}", M::NAME);
}

fn reply_round_trip<M: Method>(result: &Value)
where
    M::Reply: serde::Serialize + Drift,
{
    round_trip::<M::Reply>(&format!("reply of {}", M::NAME), result);
}

/// Dispatches on a method name to its params type `M`, running `$f::<M>($arg)`; false for
/// an unknown name.
macro_rules! by_method {
    ($name:expr, $f:ident, $arg:expr, [$($t:ty),* $(,)?]) => {{
        let mut found = false;
        $(if $name == <$t as Method>::NAME { $f::<$t>($arg); found = true; })*
        found
    }};
}

fn chat_method(name: &str, args: &Value) -> bool {
    use chat::*;
    by_method!(
        name,
        params_round_trip,
        args,
        [
            Auth,
            Msg,
            Whisper,
            VoteChoose,
            VoteStart,
            Timeout,
            Purge,
            DeleteMessage,
            ClearMessages,
            History,
            GiveawayStart,
            Ping,
            AttachEmotes,
            OptOutEvents,
            CancelSkill,
        ]
    )
}

fn chat_reply(name: &str, data: &Value) -> bool {
    use chat::*;
    by_method!(
        name,
        reply_round_trip,
        data,
        [
            Auth,
            Msg,
            Whisper,
            VoteChoose,
            VoteStart,
            Timeout,
            Purge,
            DeleteMessage,
            ClearMessages,
            History,
            GiveawayStart,
            Ping,
            AttachEmotes,
            OptOutEvents,
            CancelSkill,
        ]
    )
}

fn cnstl_method(name: &str, params: &Value) -> bool {
    use cnstl::*;
    by_method!(name, params_round_trip, params, [Livesubscribe, Liveunsubscribe, Ping])
}

fn cnstl_reply(name: &str, result: &Value) -> bool {
    use cnstl::*;
    by_method!(name, reply_round_trip, result, [Livesubscribe, Liveunsubscribe, Ping])
}

#[test]
fn every_chat_example_validates_and_decodes_strictly() {
    let doc = spec("chat.yaml");
    let examples = validated_examples(&doc);
    assert!(examples.len() >= 35, "{}", examples.len());
    let (mut methods, mut replies, mut events) = (Vec::new(), Vec::new(), Vec::new());
    for (key, name, frame) in &examples {
        match frame["type"].as_str() {
            Some("method") => {
                assert!(chat_method(name, &frame["arguments"]), "{key}: no params type for `{name}`");
                methods.push(name.clone());
            }
            Some("reply") => {
                let error: chat::types::ReplyError = serde_json::from_value(frame["error"].clone()).unwrap();
                assert!(matches!(error, chat::types::ReplyError::Null), "{key}");
                assert!(chat_reply(name, &frame["data"]), "{key}: no method `{name}`");
                replies.push(name.clone());
            }
            Some("event") => {
                let event = ChatEvent::from_wire(name, frame["data"].clone(), Strictness::Strict)
                    .unwrap_or_else(|e| panic!("{key}: {e}"));
                assert!(!matches!(event, ChatEvent::Unknown { .. }), "{key}: decoded as Unknown");
                assert_eq!(event.name(), name);
                assert_eq!(event.to_wire().unwrap(), (name.clone(), frame["data"].clone()), "{key}");
                events.push(name.clone());
            }
            other => panic!("{key}: frame type {other:?}"),
        }
    }
    // Every method and every event of the issue has an example that round-trips.
    for m in [
        "auth",
        "msg",
        "whisper",
        "vote:choose",
        "vote:start",
        "timeout",
        "purge",
        "deleteMessage",
        "clearMessages",
        "history",
        "giveaway:start",
        "ping",
        "attachEmotes",
        "optOutEvents",
        "cancelSkill",
    ] {
        assert!(methods.iter().any(|n| n == m), "no example of method {m}");
    }
    for r in ["auth", "msg", "whisper", "vote:choose", "vote:start", "timeout", "history", "optOutEvents"] {
        assert!(replies.iter().any(|n| n == r), "no example of the reply of {r}");
    }
    for e in ChatEvent::KNOWN {
        assert!(events.iter().any(|n| n == e), "no example of event {e}");
    }
    assert_eq!(ChatEvent::KNOWN.len(), 13);
}

#[test]
fn chat_message_examples_carry_every_part_kind() {
    let doc = spec("chat.yaml");
    let ex = &doc.get("/components/messages/ChatMessage/examples/0/payload/data").unwrap().clone();
    let Ok(ChatEvent::ChatMessage(msg)) = ChatEvent::from_wire("ChatMessage", ex.clone(), Strictness::Strict) else {
        panic!("not a ChatMessage")
    };
    use chat::types::MessagePart as P;
    let kinds: Vec<&str> = msg
        .message
        .message
        .iter()
        .map(|p| match p {
            P::Text { .. } => "text",
            P::Emoticon { .. } => "emoticon",
            P::Link { .. } => "link",
            P::Tag { .. } => "tag",
            P::Image { .. } => "image",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["text", "emoticon", "link", "tag", "image"]);
}

#[test]
fn every_constellation_example_validates_and_decodes_strictly() {
    let doc = spec("constellation.yaml");
    let examples = validated_examples(&doc);
    let mut live_examples = 0;
    for (key, name, payload) in &examples {
        match payload.get("type").and_then(Value::as_str) {
            Some("method") if payload.get("method").is_some() => {
                assert!(cnstl_method(name, &payload["params"]), "{key}: no params type for `{name}`");
            }
            Some("reply") if payload.get("id").is_some() => {
                let error: cnstl::types::ReplyError = serde_json::from_value(payload["error"].clone()).unwrap();
                match error.0 {
                    None => assert!(cnstl_reply(name, &payload["result"]), "{key}"),
                    Some(d) => assert_eq!(d.code.0, cnstl::types::ErrorCode::UNKNOWN_EVENT.0, "{key}"),
                }
            }
            Some("event") if payload.get("event").is_some() => {
                let event = ConstellationEvent::from_wire(name, payload["data"].clone(), Strictness::Strict)
                    .unwrap_or_else(|e| panic!("{key}: {e}"));
                assert!(!matches!(event, ConstellationEvent::Unknown { .. }), "{key}");
                assert_eq!(event.to_wire().unwrap(), (name.clone(), payload["data"].clone()), "{key}");
            }
            // A live event's payload (its message is the payload, not a frame).
            _ => {
                let wire = name.replace("{id}", "7").replace("{channelId}", "7");
                let live = LivePayload::from_wire(&wire, payload.clone(), Strictness::Strict)
                    .unwrap_or_else(|e| panic!("{key}: {e}"));
                assert!(!matches!(live, LivePayload::Unknown { .. }), "{key}");
                assert_eq!(live.event().to_string(), wire);
                assert_eq!(live.event().template(), Some(name.as_str()));
                assert_eq!(&live.payload().unwrap(), payload, "{key}");
                live_examples += 1;
            }
        }
    }
    assert!(live_examples >= 8, "{live_examples}");
}

#[test]
fn every_live_event_of_the_catalogue_is_a_channel_with_its_parameter() {
    let doc = spec("constellation.yaml");
    let channels = doc.get("/channels").and_then(Value::as_object).unwrap();
    let mut addresses: Vec<&str> =
        channels.values().filter_map(|c| c["address"].as_str()).filter(|a| *a != "/").collect();
    addresses.sort();
    let mut templates = LiveEvent::TEMPLATES.to_vec();
    templates.sort();
    assert_eq!(addresses, templates);
    // C.4 of the reference, every entry.
    for t in [
        "announcement:announce",
        "channel:{id}:followed",
        "channel:{id}:hosted",
        "channel:{id}:unhosted",
        "channel:{id}:subscribed",
        "channel:{id}:resubscribed",
        "channel:{id}:resubShared",
        "channel:{id}:directPurchased",
        "channel:{id}:update",
        "channel:{id}:skill",
        "channel:{id}:patronageUpdate",
        "channel:{id}:subscriptionGifted",
        "channel:{id}:status",
        "costream:{id}:update",
        "interactive:{id}:connect",
        "interactive:{id}:disconnect",
        "team:{id}:deleted",
        "team:{id}:memberAccepted",
        "team:{id}:memberInvited",
        "team:{id}:memberRemoved",
        "team:{id}:ownerChanged",
        "user:{id}:achievement",
        "user:{id}:followed",
        "user:{id}:notify",
        "user:{id}:subscribed",
        "user:{id}:resubscribed",
        "user:{id}:subscriptionGifted",
        "user:{id}:teamAccepted",
        "user:{id}:teamRemoved",
        "user:{id}:teamInvited",
        "user:{id}:update",
        "progression:{channelId}:levelup",
    ] {
        assert!(templates.contains(&t), "missing {t}");
    }
    for c in channels.values().filter(|c| c["address"].as_str().is_some_and(|a| a.contains('{'))) {
        assert_eq!(c["parameters"].as_object().map(|p| p.len()), Some(1), "{c}");
    }
}

#[test]
fn live_event_names_build_print_and_parse_back() {
    assert_eq!(LiveEvent::channel_followed(42).to_string(), "channel:42:followed");
    assert_eq!(LiveEvent::user_update(7).to_string(), "user:7:update");
    assert_eq!(LiveEvent::progression_levelup(3).to_string(), "progression:3:levelup");
    assert_eq!(LiveEvent::announcement_announce().to_string(), "announcement:announce");
    for template in LiveEvent::TEMPLATES {
        let name = template.replace("{id}", "123").replace("{channelId}", "123");
        let parsed = LiveEvent::parse(&name);
        assert_eq!(parsed.template(), Some(*template));
        assert_eq!(parsed.to_string(), name);
        assert_eq!(serde_json::to_value(&parsed).unwrap(), json!(name));
    }
    // Not the name printed back: unknown, never a different known event.
    for odd in
        ["channel:+5:followed", "channel:05:followed", "channel::followed", "channel:x:followed", "channel:1:nope", ""]
    {
        assert_eq!(LiveEvent::parse(odd), LiveEvent::Unknown(odd.to_string()), "{odd}");
    }
    let subscribe =
        cnstl::Livesubscribe::new(vec![LiveEvent::channel_followed(1).into(), LiveEvent::user_update(2).into()]);
    assert_eq!(serde_json::to_value(&subscribe).unwrap(), json!({"events": ["channel:1:followed", "user:2:update"]}));
    assert_eq!(serde_json::to_value(cnstl::Ping).unwrap(), Value::Null);
}

#[test]
fn update_payloads_are_partial() {
    let live = LivePayload::from_wire("channel:9:update", json!({"name": "test"}), Strictness::Strict).unwrap();
    let LivePayload::ChannelUpdate { id: 9, payload } = live else { panic!("{live:?}") };
    assert_eq!(payload.name.as_deref(), Some("test"));
    assert_eq!(payload.online, None);
    let live = LivePayload::from_wire("user:9:update", json!({}), Strictness::Strict).unwrap();
    assert!(matches!(live, LivePayload::UserUpdate { id: 9, .. }));
}

#[test]
fn unknown_events_keep_their_raw_json() {
    let data = json!({"whatever": [1, 2, {"x": null}]});
    let e = ChatEvent::from_wire("BrandNewEvent", data.clone(), Strictness::Strict).unwrap();
    let ChatEvent::Unknown { name, data: kept } = &e else { panic!("{e:?}") };
    assert_eq!((name.as_str(), kept), ("BrandNewEvent", &data));
    assert_eq!(e.to_wire().unwrap(), ("BrandNewEvent".to_string(), data.clone()));

    let e = ConstellationEvent::from_wire("goodbye", data.clone(), Strictness::Strict).unwrap();
    assert!(matches!(e, ConstellationEvent::Unknown { ref name, .. } if name == "goodbye"));
    let live = json!({"channel": "channel:1:teleported", "payload": data});
    let e = ConstellationEvent::from_wire("live", live.clone(), Strictness::Strict).unwrap();
    let ConstellationEvent::Live(LivePayload::Unknown { name, payload }) = &e else { panic!("{e:?}") };
    assert_eq!((name.as_str(), payload), ("channel:1:teleported", &data));
    assert_eq!(e.to_wire().unwrap(), ("live".to_string(), live));
}

#[test]
fn a_known_event_with_a_bad_payload_is_an_error_naming_it() {
    for strictness in [Strictness::Strict, Strictness::Lenient] {
        // `user_id` must be an integer; `id` is missing.
        let bad = json!({"channel": 1, "user_name": "a", "user_id": "one", "user_roles": [], "message": {"message": [], "meta": {}}});
        let e = ChatEvent::from_wire("ChatMessage", bad, strictness).unwrap_err();
        assert!(matches!(e, Error::Protocol { operation: Some("ChatMessage"), .. }), "{e:?}");
        let shown = e.to_string();
        assert!(
            shown
                .starts_with("ChatMessage: protocol violation: the payload does not match the schema of `ChatMessage`"),
            "{shown}"
        );

        let e = ConstellationEvent::from_wire(
            "live",
            json!({"channel": "channel:1:followed", "payload": {"following": "yes"}}),
            strictness,
        )
        .unwrap_err();
        assert!(e.to_string().contains("`channel:{id}:followed`"), "{e}");
        let e = ConstellationEvent::from_wire("live", json!({"payload": {}}), strictness).unwrap_err();
        assert!(e.to_string().starts_with("live: protocol violation"), "{e}");
        let e = ConstellationEvent::from_wire("hello", json!("hi"), strictness).unwrap_err();
        assert!(e.to_string().contains("schema of `hello`"), "{e}");
    }
}

#[test]
fn strict_mode_refuses_what_the_spec_does_not_know_and_lenient_keeps_it() {
    let data = json!({"server": "0ea0f1d4-a6d4-4f7b-a0a4-3e8f0c6c2b7e", "region": "eu"});
    match ChatEvent::from_wire("WelcomeEvent", data.clone(), Strictness::Strict) {
        Err(Error::Drift { operation: "WelcomeEvent", paths }) => assert_eq!(paths, ["region (undocumented field)"]),
        other => panic!("{other:?}"),
    }
    let Ok(ChatEvent::WelcomeEvent(w)) = ChatEvent::from_wire("WelcomeEvent", data, Strictness::Lenient) else {
        panic!()
    };
    assert_eq!(w.extra.get("region"), Some(&json!("eu")));

    let roles = json!({"originatingChannel": 1, "username": "a", "id": 2, "roles": ["Wizard"]});
    assert!(matches!(ChatEvent::from_wire("UserJoin", roles.clone(), Strictness::Strict), Err(Error::Drift { .. })));
    assert!(ChatEvent::from_wire("UserJoin", roles, Strictness::Lenient).is_ok());
    let live = json!({"channel": "channel:1:update", "payload": {}, "extra": 1});
    assert!(matches!(
        ConstellationEvent::from_wire("live", live.clone(), Strictness::Strict),
        Err(Error::Drift { operation: "live", .. })
    ));
    assert!(ConstellationEvent::from_wire("live", live, Strictness::Lenient).is_ok());
}

#[test]
fn a_message_part_of_an_unknown_kind_decodes_and_strict_mode_says_so() {
    let data = json!({"channel": 1, "id": "6351f9e0-3bf7-11e6-a3b9-374e0bf6f4b0", "user_name": "a", "user_id": 2,
        "user_roles": ["User"], "message": {"message": [{"type": "sticker", "url": "https://x"}, {"type": "text", "data": "hi", "text": "hi"}], "meta": {}}});
    let Ok(ChatEvent::ChatMessage(m)) = ChatEvent::from_wire("ChatMessage", data.clone(), Strictness::Lenient) else {
        panic!("a new part kind must not fail the message")
    };
    assert!(matches!(m.message.message[0], chat::types::MessagePart::Unknown));
    assert!(matches!(m.message.message[1], chat::types::MessagePart::Text { .. }));
    match ChatEvent::from_wire("ChatMessage", data, Strictness::Strict) {
        Err(Error::Drift { operation: "ChatMessage", paths }) => {
            assert_eq!(paths, ["message.message[0] = \"(a kind the spec does not list)\" (unknown enum value)"])
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn chat_arguments_are_positional_and_optional_ones_trail() {
    let anonymous = chat::Auth::new(286);
    assert_eq!(serde_json::to_value(&anonymous).unwrap(), json!([286]));
    let user = chat::Auth::new(286).user_id(373).authkey("k".into());
    assert_eq!(serde_json::to_value(&user).unwrap(), json!([286, 373, "k"]));
    // The authkey is a Secret: never in Debug.
    assert!(!format!("{user:?}").contains("\"k\""), "{user:?}");
    // An unset argument before a set one goes as null.
    let gap = chat::Auth::new(1).authkey("k".into());
    assert_eq!(serde_json::to_value(&gap).unwrap(), json!([1, null, "k"]));
    assert_eq!(serde_json::to_value(chat::Ping).unwrap(), json!([]));
    assert_eq!(serde_json::to_value(chat::OptOutEvents::new(vec!["UserJoin".into()])).unwrap(), json!(["UserJoin"]));
    assert_eq!(
        serde_json::to_value(chat::VoteStart::new("Q?".into(), vec!["a".into(), "b".into()], 30)).unwrap(),
        json!(["Q?", ["a", "b"], 30])
    );
    // Decoding checks the count and names the argument.
    let e = serde_json::from_value::<chat::Msg>(json!([])).unwrap_err().to_string();
    assert!(e.contains("`msg` takes 1 argument(s), got 0"), "{e}");
    let e = serde_json::from_value::<chat::Auth>(json!(["x"])).unwrap_err().to_string();
    assert!(e.contains("argument 1 (`channelId`) of `auth`"), "{e}");
    let e = serde_json::from_value::<chat::Ping>(json!([1])).unwrap_err().to_string();
    assert!(e.contains("`ping` takes no arguments, got 1"), "{e}");
    assert_eq!(<chat::VoteChoose as Method>::NAME, "vote:choose");
}

#[test]
fn reply_errors_take_every_documented_form() {
    use chat::types::ReplyError;
    assert!(matches!(serde_json::from_value(json!(null)).unwrap(), ReplyError::Null));
    assert!(matches!(serde_json::from_value(json!("UNOTFOUND")).unwrap(), ReplyError::String(s) if s == "UNOTFOUND"));
    let old = json!({"code": 1, "message": "UNOTFOUND", "stacktrace": "", "data": {}});
    let ReplyError::ReplyErrorDetail(d) = serde_json::from_value(old).unwrap() else { panic!() };
    assert_eq!((d.code, d.message.as_str()), (1, "UNOTFOUND"));
}

#[test]
fn constellation_error_codes_know_both_numberings() {
    use cnstl::types::ErrorCode;
    for (code, name) in [
        (4006, "InvalidPayload"),
        (4000, "InvalidPayloadClient"),
        (4011, "SessionExpired"),
        (4005, "SessionExpiredClient"),
        (4106, "UnknownEvent"),
        (4110, "SubscriptionLimit"),
    ] {
        let c: ErrorCode = serde_json::from_value(json!(code)).unwrap();
        assert_eq!(c.name(), Some(name), "{code}");
    }
    let other: ErrorCode = serde_json::from_value(json!(4999)).unwrap();
    assert!(!other.is_known());
    assert_eq!(ErrorCode::NOT_SUBSCRIBED.0, 4109);
}
