//! Keeping secrets out of error bodies.

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
];

/// Largest body text kept in an error.
pub(crate) const MAX_BODY: usize = 4096;

/// Replaces secret-looking fields of a JSON value with `"[redacted]"`, recursively.
pub(crate) fn redact_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if SECRET_KEYS.contains(&k.to_ascii_lowercase().as_str()) && !v.is_null() {
                    *v = Value::String("[redacted]".into());
                } else {
                    redact_json(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// Removes known secret values from free text and cuts it to [`MAX_BODY`] bytes.
pub(crate) fn redact_text(text: &str, known: &[Secret]) -> String {
    let mut out = text.to_string();
    for s in known {
        let v = s.expose();
        if v.len() >= 4 {
            out = out.replace(v, "[redacted]");
        }
    }
    if out.len() > MAX_BODY {
        let mut cut = MAX_BODY;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push_str("…[truncated]");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_secrets_are_replaced() {
        let mut v: Value = serde_json::from_str(
            r#"{"access_token":"abc","nested":[{"refresh_token":"def","ok":"x"}],"message":"m"}"#,
        )
        .unwrap();
        redact_json(&mut v);
        let s = v.to_string();
        assert!(!s.contains("abc") && !s.contains("def"), "{s}");
        assert!(s.contains("\"ok\":\"x\"") && s.contains("\"message\":\"m\""));
    }

    #[test]
    fn known_values_are_replaced_in_text() {
        let t = redact_text("token tok-12345 was bad", &[Secret::new("tok-12345")]);
        assert_eq!(t, "token [redacted] was bad");
    }
}
