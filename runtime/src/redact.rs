//! Keeping secrets out of errors, and errors bounded.
//!
//! Whatever a server sends back ends up in an [`crate::Error`] only after two passes:
//!
//! * **scrubbing**: every secret the client holds (tokens, JWTs, passed as `known`) is
//!   replaced wherever it appears, and so is anything that *looks* like a credential whatever
//!   the client knows of it: `Bearer …`/`OAuth …` values, `client_secret=…`-style form or JSON
//!   fields (a server echoing the request it refused), JWTs;
//! * **bounding**: text is cut to [`MAX_BODY`] bytes, each JSON string to
//!   [`MAX_JSON_STRING`] bytes, with a marker saying how much was cut.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use crate::Secret;

/// JSON keys whose values are secrets whatever the service.
const SECRET_KEYS: &[&str] = &[
    "access_token",
    "refresh_token",
    "client_secret",
    "secret",
    "device_code",
    "code",
    "token",
    "jwt",
    "password",
    "id_token",
];

/// What replaces a secret.
pub(crate) const REDACTED: &str = "[redacted]";

/// Largest body text kept in an error (bytes).
pub const MAX_BODY: usize = 4096;

/// Largest JSON string value kept in an error body (bytes); a longer `message` is cut.
pub const MAX_JSON_STRING: usize = 1024;

/// Most array items or object members kept per JSON level in an error body.
const MAX_JSON_ITEMS: usize = 64;

/// Credential-looking substrings in free text, found whatever the client knows:
/// `key=value` / `"key":"value"` / `key: value` for the secret keys, `Bearer x` / `OAuth x`,
/// and JWTs (three base64url segments, the first a JSON header).
static PATTERNS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    // Names that only ever mean a credential, after `=` or `:`; the generic `code`, `token`
    // and `secret` only in form/query syntax (`code=…`), since prose says "status code: 400".
    let specific = "access_token|refresh_token|client_secret|id_token|device_code|password|jwt";
    vec![
        // The value up to the next delimiter of a form, a query, JSON or prose.
        (
            Regex::new(&format!(r#"(?i)(\b(?:{specific})"?\s*[=:]\s*"?)[^&\s"',;}}]+"#)).expect("valid regex"),
            "${1}[redacted]",
        ),
        (Regex::new(r#"(?i)(\b(?:code|token|secret)=)[^&\s"',;}]+"#).expect("valid regex"), "${1}[redacted]"),
        (
            Regex::new(r"(?i)\b(bearer|oauth|basic)(\s+)[A-Za-z0-9\-._~+/=]{4,}").expect("valid regex"),
            "${1}${2}[redacted]",
        ),
        (Regex::new(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*").expect("valid regex"), REDACTED),
    ]
});

/// Replaces secret-looking fields of a JSON value with `"[redacted]"`, scrubs every other
/// string like [`scrub`], and bounds strings and collections, recursively.
pub(crate) fn redact_json(value: &mut Value, known: &[Secret]) {
    match value {
        Value::Object(map) => {
            if map.len() > MAX_JSON_ITEMS {
                let cut = map.len() - MAX_JSON_ITEMS;
                let keep: Vec<String> = map.keys().take(MAX_JSON_ITEMS).cloned().collect();
                map.retain(|k, _| keep.contains(k));
                map.insert("…".into(), Value::String(format!("[{cut} more members cut]")));
            }
            for (k, v) in map.iter_mut() {
                if SECRET_KEYS.contains(&k.to_ascii_lowercase().as_str()) && !v.is_null() {
                    *v = Value::String(REDACTED.into());
                } else {
                    redact_json(v, known);
                }
            }
        }
        Value::Array(items) => {
            if items.len() > MAX_JSON_ITEMS {
                let cut = items.len() - MAX_JSON_ITEMS;
                items.truncate(MAX_JSON_ITEMS);
                items.push(Value::String(format!("[{cut} more items cut]")));
            }
            items.iter_mut().for_each(|v| redact_json(v, known));
        }
        Value::String(s) => *s = bound(&scrub(s, known), MAX_JSON_STRING),
        _ => {}
    }
}

/// Removes known secret values and credential-looking substrings from `text`.
pub(crate) fn scrub(text: &str, known: &[Secret]) -> String {
    let mut out = text.to_string();
    for s in known {
        let v = s.expose();
        if v.len() >= 4 {
            out = out.replace(v, REDACTED);
        }
    }
    for (re, with) in PATTERNS.iter() {
        if re.is_match(&out) {
            out = re.replace_all(&out, *with).into_owned();
        }
    }
    out
}

/// `text` cut to at most `max` bytes (on a character boundary), with a marker saying how
/// many bytes were cut.
///
/// ```
/// # use streamkit_runtime::error::bound_text as bound;
/// assert_eq!(bound("short", 10), "short");
/// assert_eq!(bound("0123456789abc", 10), "0123456789…[3 more bytes cut]");
/// ```
pub fn bound(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…[{} more bytes cut]", &text[..cut], text.len() - cut)
}

/// Scrubs free text ([`scrub`]) and cuts it to [`MAX_BODY`] bytes.
pub(crate) fn redact_text(text: &str, known: &[Secret]) -> String {
    // Cut first (with room for what scrubbing shortens), so a huge text is scrubbed cheaply.
    let head = bound(text, MAX_BODY * 2);
    bound(&scrub(&head, known), MAX_BODY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_secrets_are_replaced() {
        let mut v: Value =
            serde_json::from_str(r#"{"access_token":"abc","nested":[{"refresh_token":"def","ok":"x"}],"message":"m"}"#)
                .unwrap();
        redact_json(&mut v, &[]);
        let s = v.to_string();
        assert!(!s.contains("abc") && !s.contains("def"), "{s}");
        assert!(s.contains("\"ok\":\"x\"") && s.contains("\"message\":\"m\""));
    }

    #[test]
    fn known_values_are_replaced_in_text() {
        let t = redact_text("token tok-12345 was bad", &[Secret::new("tok-12345")]);
        assert_eq!(t, "token [redacted] was bad");
    }

    #[test]
    fn credential_shapes_are_scrubbed_whatever_the_client_knows() {
        let echoed =
            "bad request: grant_type=x&client_secret=s3cr3t&refresh_token=r-1 (Authorization: Bearer abcd1234)";
        let t = redact_text(echoed, &[]);
        assert!(!t.contains("s3cr3t") && !t.contains("r-1") && !t.contains("abcd1234"), "{t}");
        assert!(t.contains("grant_type=x"), "{t}");
        let jwt = redact_text("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln rejected", &[]);
        assert_eq!(jwt, "jwt [redacted] rejected");
        let json_text = redact_text(r#"{"client_secret": "s3cr3t", "x": 1"#, &[]);
        assert!(!json_text.contains("s3cr3t"), "{json_text}");
        assert_eq!(redact_text("code=abc&x=1", &[]), "code=[redacted]&x=1");
        // Prose keeps its figures.
        assert_eq!(redact_text("status code: 400, token expired", &[]), "status code: 400, token expired");
    }

    #[test]
    fn json_strings_and_collections_are_bounded() {
        let mut v = serde_json::json!({"message": "m".repeat(50_000), "list": (0..1000).collect::<Vec<_>>()});
        redact_json(&mut v, &[]);
        let message = v["message"].as_str().unwrap();
        assert!(
            message.len() < MAX_JSON_STRING + 40 && message.ends_with("[48976 more bytes cut]"),
            "{}",
            &message[1000..]
        );
        assert_eq!(v["list"].as_array().unwrap().len(), MAX_JSON_ITEMS + 1);
    }
}
