//! Enveloped sockets (`x-streamkit-frames.envelope`) through codegen: a small protocol whose
//! frames share an envelope generates the frame enum and the event enum (deterministically,
//! through the REST type passes), and each broken declaration is one clear error naming the
//! file and the JSON pointer of the cause, never a panic.

use std::path::Path;

use serde_json::{Value, json};

/// Two kinds of frame (`hello`, `note`) on the `socket` channel; `note` carries an event typed
/// by `meta.topic` + `meta.rev`; one typed body (`thing.made` v`1`) on the `bodies` channel.
fn base() -> Value {
    json!({
        "asyncapi": "3.0.0",
        "info": {"title": "t", "version": "1"},
        "x-streamkit-service": {"crate": "t", "module": "sock", "base-url": "wss://127.0.0.1:1"},
        "x-streamkit-frames": {"envelope": {
            "channel": "socket",
            "kind": "meta.kind",
            "notification": {
                "kind": "note", "type": "meta.topic", "version": "meta.rev",
                "body": "data", "event": "event", "body-type": "about.topic", "body-version": "about.rev"
            }
        }},
        "channels": {
            "socket": {"address": "/", "messages": {
                "hello": {"$ref": "#/components/messages/Hello"},
                "note": {"$ref": "#/components/messages/Note"}
            }},
            "bodies": {"address": null, "messages": {
                "thingMade": {"$ref": "#/components/messages/ThingMade"}
            }}
        },
        "operations": {
            "frames": {"action": "receive", "channel": {"$ref": "#/channels/socket"}},
            "bodies": {"action": "receive", "channel": {"$ref": "#/channels/bodies"}}
        },
        "components": {
            "messages": {
                "Hello": {"name": "hello", "payload": {"$ref": "#/components/schemas/HelloFrame"}},
                "Note": {"name": "note", "payload": {"$ref": "#/components/schemas/NoteFrame"}},
                "ThingMade": {"name": "thing.made", "payload": {"$ref": "#/components/schemas/ThingMadeBody"}}
            },
            "schemas": {
                "Meta": {"type": "object", "required": ["kind"], "properties": {
                    "kind": {"type": "string"}, "topic": {"type": "string"}, "rev": {"type": "string"}}},
                "HelloFrame": {"type": "object", "properties": {
                    "meta": {"allOf": [{"$ref": "#/components/schemas/Meta"}, {"properties": {"kind": {"const": "hello"}}}]}}},
                "NoteFrame": {"type": "object", "properties": {
                    "meta": {"allOf": [{"$ref": "#/components/schemas/Meta"}, {"properties": {"kind": {"const": "note"}}}]},
                    "data": {"type": "object", "properties": {"event": {"type": "object"}}}}},
                "ThingMadeBody": {"type": "object", "required": ["about", "event"], "properties": {
                    "about": {"type": "object", "properties": {"topic": {"const": "thing.made"}, "rev": {"const": "1"}}},
                    "event": {"$ref": "#/components/schemas/ThingMade"}}},
                "ThingMade": {"type": "object", "required": ["name"], "properties": {
                    "name": {"type": "string"}, "mood": {"type": "string", "enum": ["happy", "sad"]}}}
            }
        }
    })
}

fn generate(doc: &Value) -> Result<streamkit_codegen::Output, streamkit_codegen::SpecError> {
    streamkit_codegen::generate_text(&doc.to_string(), Path::new("specs/t/sock.json"))
}

fn refused(doc: &Value, pointer: &str, mentions: &str) {
    let e = generate(doc).expect_err("should be refused");
    assert_eq!(e.pointer, pointer, "{e}");
    let shown = e.to_string();
    assert!(shown.starts_with("specs/t/sock.json: "), "{shown}");
    assert!(shown.contains(mentions), "{shown}");
}

#[test]
fn an_enveloped_protocol_generates_its_frame_and_event_enums() {
    let out = generate(&base()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.path, Path::new("generated/t/src/generated_sock.rs"));
    // Compared without whitespace: prettyplease decides the line breaks.
    let flat: String = out.code.split_whitespace().collect();
    for expected in [
        "pub enum SockEvent {",
        "ThingMadeV1(types::ThingMade)",
        "pub const KNOWN: &'static [(&'static str, &'static str)] = &[(\"thing.made\", \"1\")];",
        "::streamkit_runtime::message::decode(\"thing.made v1\", event, strictness",
        "let subscription_type = text(\"/about/topic\", \"about.topic\")?;",
        "pub enum SockMessage {",
        "Hello(types::HelloFrame)",
        "Note { /// The frame, as its schema types it (the event inside untyped). message: types::NoteFrame,",
        "let kind = text(&frame, \"/meta/kind\", \"meta.kind\")?",
        "frame.pointer(\"/data/event\")",
        "impl ::streamkit_runtime::drift::Drift for ThingMade",
    ] {
        let want: String = expected.split_whitespace().collect();
        assert!(flat.contains(&want), "missing {expected:?}");
    }
    assert!(out.passes.iter().any(|c| c.pass == "open_enums" && c.changed > 0), "{:?}", out.passes);
    assert_eq!(generate(&base()).unwrap().code, out.code, "deterministic");
}

#[test]
fn broken_envelopes_name_the_pointer() {
    let mut d = base();
    d["x-streamkit-frames"]["event"] = json!({"name": "event", "data": "data"});
    refused(&d, "/x-streamkit-frames", "does not go with `method`");

    let mut d = base();
    d["x-streamkit-frames"]["envelope"]["notification"]["bodytype"] = json!("x");
    refused(&d, "/x-streamkit-frames", "unknown field `bodytype`");

    let mut d = base();
    d["x-streamkit-frames"]["envelope"]["kind"] = json!("meta..kind");
    refused(&d, "/x-streamkit-frames", "dotted path");

    let mut d = base();
    d["x-streamkit-frames"]["envelope"]["channel"] = json!("sockets");
    refused(&d, "/x-streamkit-frames/envelope/channel", "no channel `sockets`");

    let mut d = base();
    d["components"]["schemas"]["HelloFrame"]["properties"]["meta"]["allOf"][1]["properties"]["kind"] =
        json!({"const": "hi"});
    refused(&d, "/components/schemas/HelloFrame/properties/meta/allOf/1/properties/kind", "must be `const: hello`");

    let mut d = base();
    d["components"]["schemas"]["HelloFrame"]["properties"].as_object_mut().unwrap().remove("meta");
    refused(&d, "/components/messages/Hello/payload", "needs a `meta.kind` property");

    let mut d = base();
    d["x-streamkit-frames"]["envelope"]["notification"]["kind"] = json!("notice");
    refused(
        &d,
        "/x-streamkit-frames/envelope/notification/kind",
        "no message of channel `socket` is the `notice` frame",
    );

    let mut d = base();
    d["x-streamkit-frames"]["envelope"]["notification"]["version"] = json!("meta.revision");
    refused(&d, "/components/messages/Note/payload", "no `meta.revision` property");

    let mut d = base();
    d["components"]["schemas"]["ThingMadeBody"]["properties"]["about"]["properties"]
        .as_object_mut()
        .unwrap()
        .remove("rev");
    refused(&d, "/components/messages/ThingMade/payload", "fixes only one");

    let mut d = base();
    d["components"]["messages"]["Other"] = d["components"]["messages"]["ThingMade"].clone();
    d["channels"]["bodies"]["messages"]["other"] = json!({"$ref": "#/components/messages/Other"});
    refused(
        &d,
        "/components/messages/ThingMade/payload",
        "`thing.made` v1 has two typed bodies (also at #/components/messages/Other/payload)",
    );

    let mut d = base();
    d["operations"]["say"] = json!({"action": "send", "channel": {"$ref": "#/channels/socket"}});
    refused(&d, "/operations/say/action", "only delivers");
}
