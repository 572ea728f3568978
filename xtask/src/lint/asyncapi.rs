//! Lint for AsyncAPI 3.0 documents (websocket protocols):
//!
//! 1. It says `asyncapi: 3.0.0`.
//! 2. Codegen accepts it: the checks and the protocol model of
//!    `streamkit_codegen::asyncapi` (version, limits, `$ref`s, the `x-streamkit` vocabulary,
//!    `x-streamkit-service`, `x-streamkit-frames`, methods, events, topics), then the whole
//!    generation, so a spec lint passes is one regen takes.
//! 3. Every message example validates against its message's payload schema
//!    (`streamkit_spec::schema`, AsyncAPI's draft-07 semantics).
//!
//! The AsyncAPI meta-schema and its semantic rules are the job of the official CLI
//! (`asyncapi validate`, npm `@asyncapi/cli`); lint runs it when it is on the PATH (see
//! [`external`]), as it runs openapi-spec-validator for OpenAPI.

use std::path::Path;

use serde_json::Value;
use streamkit_spec::Document;
use streamkit_spec::pointer::escape;
use streamkit_spec::schema::{Direction, Validator};

use super::rules::Finding;

/// Every finding for one parsed AsyncAPI document.
pub fn lint(spec: &Document, shown: &str) -> Vec<Finding> {
    let finding = |pointer: String, rule: &'static str, message: String| Finding {
        file: shown.to_string(),
        pointer,
        rule,
        message,
    };
    let mut out = Vec::new();
    if spec.version() != "3.0.0" {
        out.push(finding(
            "/asyncapi".into(),
            "asyncapi-version",
            "write `asyncapi: 3.0.0` (the version codegen reads and these rules assume)".into(),
        ));
    }
    if let Err(e) = streamkit_codegen::generate(spec) {
        out.push(finding(e.pointer, "codegen", format!("{}: {}", e.subject, e.message)));
    }
    out.extend(examples(spec, shown));
    out
}

/// Each message's examples against its payload schema.
fn examples(spec: &Document, shown: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(messages) = spec.get("/components/messages").and_then(Value::as_object) else { return out };
    for (key, msg) in messages {
        let Some(examples) = msg.get("examples").and_then(Value::as_array) else { continue };
        let ptr = format!("/components/messages/{}/payload", escape(key));
        let validator = match Validator::new(spec, &ptr, Direction::Either) {
            Ok(v) => v,
            Err(e) => {
                out.push(Finding {
                    file: shown.into(),
                    pointer: e.pointer,
                    rule: "asyncapi-schema",
                    message: e.message,
                });
                continue;
            }
        };
        for (i, ex) in examples.iter().enumerate() {
            let at = format!("/components/messages/{}/examples/{i}/payload", escape(key));
            let Some(payload) = ex.get("payload") else { continue };
            for v in validator.validate_at_most(payload, 5) {
                out.push(Finding {
                    file: shown.into(),
                    pointer: at.clone(),
                    rule: "example-matches-schema",
                    message: format!("message {key} example {i}: {v}"),
                });
            }
        }
    }
    out
}

/// The official AsyncAPI CLI, when installed.
pub mod external {
    use std::process::Command;

    use super::*;

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
