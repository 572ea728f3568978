//! `cargo xtask diff` on the AsyncAPI specs (`specs/mixer/chat.yaml`, `specs/twitch/eventsub.yaml`):
//! each message is compared like an HTTP body in its direction. What the client sends is
//! narrowed at the client's cost (a new required field breaks it); what the client receives
//! is widened at the client's cost (a field that may now be missing breaks it, a new field
//! does not). The edits are made on copies of the real specs in a temporary directory.

mod edited_spec;

use edited_spec::{diff, spec};
use serde_json::Value;

/// `(wire, kind, operation id, location)` of every change.
fn changes(report: &Value) -> Vec<(String, String, String, String)> {
    let files = report["files"].as_array().expect("files");
    files
        .iter()
        .flat_map(|f| f["changes"].as_array().cloned().unwrap_or_default())
        .map(|c| {
            let s = |v: &Value| v.as_str().unwrap_or("").to_owned();
            (s(&c["wire"]), s(&c["kind"]), s(&c["operation"]["operation_id"]), s(&c["location"]))
        })
        .collect()
}

/// `text` with the first `find` after `anchor` replaced by `with`.
fn edit_after(text: &str, anchor: &str, find: &str, with: &str) -> String {
    let at = text.find(anchor).unwrap_or_else(|| panic!("the spec has {anchor:?}"));
    let rel = text[at..].find(find).unwrap_or_else(|| panic!("{find:?} follows {anchor:?}"));
    let start = at + rel;
    format!("{}{with}{}", &text[..start], &text[start + find.len()..])
}

#[test]
fn unchanged_asyncapi_specs_report_nothing() {
    for rel in ["mixer/chat.yaml", "mixer/constellation.yaml", "twitch/eventsub.yaml"] {
        let (code, report) = diff("unchanged", rel, &spec(rel));
        assert_eq!(changes(&report), Vec::new(), "{rel}: {report:#}");
        assert_eq!(code, 0, "{rel}");
    }
}

#[test]
fn removing_a_method_the_client_sends_is_breaking() {
    let text = spec("mixer/chat.yaml");
    let start = text.find("\n  whisper:\n    action: send\n").expect("chat.yaml has the whisper operation");
    let end = text[start + 1..].find("\n  voteChoose:\n").map(|i| start + 1 + i).expect("voteChoose follows");
    let edited = format!("{}{}", &text[..start], &text[end..]);
    let (code, report) = diff("removed", "mixer/chat.yaml", &edited);
    let found = changes(&report);
    assert_eq!(
        found,
        [("breaking".into(), "message-removed".into(), "Whisper".into(), "message".into())],
        "{report:#}"
    );
    assert_eq!(code, 1, "a breaking change fails the diff");
    let rust = &report["files"][0]["changes"][0]["rust"]["message"];
    assert!(rust.as_str().is_some_and(|m| m.contains("`types::Whisper` is gone")), "{rust}");
}

#[test]
fn a_new_required_field_in_a_sent_message_is_breaking() {
    let text = spec("mixer/chat.yaml");
    let edited = edit_after(
        &text,
        "\n    Auth:\n",
        "required: [type, method, arguments, id]",
        "required: [type, method, arguments, id, token]",
    );
    let edited = edit_after(
        &edited,
        "\n    Auth:\n",
        "        properties:\n",
        "        properties:\n          token: { type: string }\n",
    );
    let (code, report) = diff("required", "mixer/chat.yaml", &edited);
    let found = changes(&report);
    assert!(
        found.iter().any(|(w, k, id, at)| w == "breaking"
            && k.contains("required")
            && id == "Auth"
            && at.starts_with("payload")),
        "{report:#}"
    );
    assert_eq!(code, 1);
}

#[test]
fn a_received_field_becoming_optional_breaks_and_a_new_one_does_not() {
    let text = spec("twitch/eventsub.yaml");
    let optional = edit_after(&text, "\n    ChannelFollowV2Event:\n", "        - followed_at\n", "");
    let (code, report) = diff("optional", "twitch/eventsub.yaml", &optional);
    let found = changes(&report);
    assert!(!found.is_empty(), "{report:#}");
    assert!(
        found.iter().all(|(w, k, _, at)| w == "breaking"
            && k == "field-became-optional"
            && at == "payload `event.followed_at`"),
        "{report:#}"
    );
    assert_eq!(code, 1);

    let added = edit_after(
        &text,
        "\n    ChannelFollowV2Event:\n",
        "      properties:\n",
        "      properties:\n        followed_via:\n          type: string\n",
    );
    let (code, report) = diff("added", "twitch/eventsub.yaml", &added);
    let found = changes(&report);
    assert!(!found.is_empty(), "{report:#}");
    assert!(found.iter().all(|(w, k, _, _)| w == "non-breaking" && k == "field-added"), "{report:#}");
    assert_eq!(code, 0, "additions to what the client receives do not fail the diff");
}
