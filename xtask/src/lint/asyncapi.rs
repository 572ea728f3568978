//! Lint for AsyncAPI 3.0 documents (websocket protocols, webhook requests).
//!
//! | rule | what it wants |
//! |---|---|
//! | `asyncapi-version` | `asyncapi: 3.0.x` |
//! | `refs` | every `$ref` resolves inside the document, without cycles that never descend |
//! | `message-payload` | every message has a `payload` |
//! | `example-valid` | every message example's `payload` and `headers` validate against the message's schemas |
//! | `extension-unknown`, `extension-misplaced`, `extension-malformed` | as for OpenAPI |
//! | `codegen` | a document with `x-streamkit-service` is one codegen accepts: the checks and the protocol model of `streamkit_codegen::asyncapi` (limits, `x-streamkit-frames`, methods, events, topics, or an envelope with its frame kinds and typed events), then the whole generation, so a spec lint passes is one regen takes |
//!
//! A document without `x-streamkit-service` gets every check but the last: regen skips it.
//!
//! The AsyncAPI meta-schema and its semantic rules are the job of the official CLI
//! (`asyncapi validate`, npm `@asyncapi/cli`); lint runs it when it is on the PATH (see
//! [`external`]), as it runs openapi-spec-validator for OpenAPI.

use serde_json::Value;
use streamkit_spec::Document;
use streamkit_spec::pointer::escape;
use streamkit_spec::schema::{Direction, Validator};
use streamkit_spec::vocabulary::{self, Problem};

use super::rules::Finding;

/// Every finding for one parsed AsyncAPI document.
pub fn lint(spec: &Document, shown: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut add = |pointer: String, rule: &'static str, message: String| {
        out.push(Finding { file: shown.to_string(), pointer, rule, message });
    };
    if !spec.version().starts_with("3.0.") {
        add("/asyncapi".into(), "asyncapi-version", "write `asyncapi: 3.0.0` (the version streamkit reads)".into());
    }
    if let Err(e) = streamkit_spec::refs::check_refs(spec) {
        add(e.pointer, "refs", e.message);
    }
    extensions_in(&spec.doc, &spec.doc, "", &mut add);
    if spec.doc.get("x-streamkit-service").is_some()
        && let Err(e) = streamkit_codegen::generate(spec)
    {
        add(e.pointer, "codegen", format!("{}: {}", e.subject, e.message));
    }
    for (ptr, message) in messages(&spec.doc) {
        if message.get("$ref").is_some() {
            continue;
        }
        let Some(payload) = message.get("payload") else {
            add(ptr, "message-payload", "a message needs a `payload` schema".into());
            continue;
        };
        let headers = message.get("headers");
        for (i, example) in message.get("examples").and_then(Value::as_array).into_iter().flatten().enumerate() {
            let ex_ptr = format!("{ptr}/examples/{i}");
            for (part, schema, schema_ptr) in
                [("payload", Some(payload), format!("{ptr}/payload")), ("headers", headers, format!("{ptr}/headers"))]
            {
                let (Some(schema), Some(value)) = (schema, example.get(part)) else { continue };
                match Validator::for_schema(spec, schema, &schema_ptr, Direction::Either) {
                    Ok(v) => {
                        for p in v.validate(value).iter().take(5) {
                            add(
                                format!("{ex_ptr}/{part}"),
                                "example-valid",
                                format!("example does not match its schema: {p}"),
                            );
                        }
                    }
                    Err(e) => {
                        add(e.pointer, "example-valid", format!("the schema cannot check examples: {}", e.message))
                    }
                }
            }
        }
    }
    out
}

/// `(pointer, message)` for the messages of `components/messages` and of every channel.
fn messages(doc: &Value) -> Vec<(String, &Value)> {
    let mut found = Vec::new();
    for (name, m) in doc.pointer("/components/messages").and_then(Value::as_object).into_iter().flatten() {
        found.push((format!("/components/messages/{}", escape(name)), m));
    }
    for (channel, c) in doc.get("channels").and_then(Value::as_object).into_iter().flatten() {
        for (name, m) in c.get("messages").and_then(Value::as_object).into_iter().flatten() {
            found.push((format!("/channels/{}/messages/{}", escape(channel), escape(name)), m));
        }
    }
    found
}

fn extensions_in(doc: &Value, v: &Value, ptr: &str, add: &mut impl FnMut(String, &'static str, String)) {
    match v {
        Value::Object(map) => {
            for (k, c) in map {
                let c_ptr = format!("{ptr}/{}", escape(k));
                if k.starts_with("x-streamkit") {
                    let rule = match vocabulary::check(doc, v, k, ptr) {
                        Ok(()) => continue,
                        Err(Problem::Unknown(m)) => ("extension-unknown", m),
                        Err(Problem::Misplaced(m)) => ("extension-misplaced", m),
                        Err(Problem::Malformed(m)) => ("extension-malformed", m),
                    };
                    add(c_ptr, rule.0, rule.1);
                } else if !matches!(k.as_str(), "example" | "examples") {
                    extensions_in(doc, c, &c_ptr, add);
                }
            }
        }
        Value::Array(items) => {
            for (i, c) in items.iter().enumerate() {
                extensions_in(doc, c, &format!("{ptr}/{i}"), add);
            }
        }
        _ => {}
    }
}

/// The official AsyncAPI CLI, when installed.
pub mod external {
    use std::process::Command;

    use std::path::Path;

    use super::Finding;

    /// Name of the validator, as reported.
    pub const VALIDATOR: &str = "asyncapi validate";

    /// Whether `asyncapi` (npm `@asyncapi/cli`) is on the PATH.
    pub fn available() -> bool {
        Command::new("asyncapi").arg("--version").output().is_ok_and(|o| o.status.success())
    }

    /// Runs it on one file.
    pub fn check(path: &Path, shown: &str) -> Vec<Finding> {
        match Command::new("asyncapi").arg("validate").arg(path).args(["--fail-severity", "error"]).output() {
            Err(e) => vec![Finding {
                file: shown.into(),
                pointer: String::new(),
                rule: "asyncapi-cli",
                message: format!("cannot run asyncapi: {e}"),
            }],
            Ok(o) if o.status.success() => Vec::new(),
            Ok(o) => {
                let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
                let message: String =
                    text.lines().filter(|l| !l.trim().is_empty()).take(20).collect::<Vec<_>>().join(" | ");
                vec![Finding { file: shown.into(), pointer: String::new(), rule: "asyncapi-cli", message }]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(v: Value) -> Document {
        Document::from_value(v, "t.yaml").unwrap()
    }

    #[test]
    fn a_clean_document_and_each_problem() {
        let good = doc(json!({
            "asyncapi": "3.0.0",
            "components": {
                "schemas": {"Ts": {"type": "string", "format": "date-time"}},
                "messages": {"m": {
                    "payload": {"type": "object", "required": ["at"], "properties": {"at": {"$ref": "#/components/schemas/Ts"}}},
                    "examples": [{"payload": {"at": "2023-07-19T14:56:51.634234626Z"}}],
                }},
            },
        }));
        assert_eq!(lint(&good, "t.yaml"), vec![]);

        let bad = doc(json!({
            "asyncapi": "2.6.0",
            "x-streamkit-pagnation": {},
            "channels": {"c": {"messages": {"n": {"examples": []}}}},
            "components": {"messages": {"m": {
                "payload": {"$ref": "#/components/schemas/Missing"},
                "examples": [{"payload": {"at": "not a time"}}],
            }, "k": {
                "payload": {"type": "object", "properties": {"at": {"type": "string", "format": "date-time"}}},
                "examples": [{"payload": {"at": "yesterday"}}],
            }}},
        }));
        let rules: Vec<&str> = lint(&bad, "t.yaml").iter().map(|f| f.rule).collect();
        for rule in ["asyncapi-version", "refs", "extension-unknown", "message-payload", "example-valid"] {
            assert!(rules.contains(&rule), "{rule} missing from {rules:?}");
        }
    }
}
