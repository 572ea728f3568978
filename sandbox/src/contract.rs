//! The contract check: every response the sandbox sends is validated against
//! `specs/twitch/helix.yaml` and `specs/twitch/oauth.yaml`, so the sandbox can never teach a
//! client something Twitch does not document (an undocumented status or field).
//!
//! The validator is a deliberately small subset of OpenAPI 3.0 schema validation: `$ref` (local
//! components: schemas and responses), `type`, `nullable`, `enum`, `required`, `properties`,
//! `items`, `additionalProperties` (an object schema that does not declare it forbids
//! undocumented properties), `format: date-time` (RFC 3339), `minimum` / `maximum`. Other
//! keywords are ignored.

use crate::state::{AppState, lock};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::sync::{Arc, OnceLock};

/// The header on responses the contract check replaced with a 500.
pub(crate) const VIOLATION_HEADER: &str = "x-sandbox-contract-violation";

/// At most this many violations are reported per response.
const MAX_VIOLATIONS: usize = 20;

/// One parsed spec and the path prefix its operations are served under.
struct Api {
    prefix: &'static str,
    doc: Value,
}

fn apis() -> &'static [Api] {
    static APIS: OnceLock<Vec<Api>> = OnceLock::new();
    APIS.get_or_init(|| {
        let parse = |name: &str, text: &str| -> Value {
            serde_norway::from_str(text)
                .unwrap_or_else(|e| panic!("specs/twitch/{name} does not parse: {e}"))
        };
        vec![
            Api {
                prefix: "/helix",
                doc: parse("helix.yaml", include_str!("../../specs/twitch/helix.yaml")),
            },
            Api {
                prefix: "/oauth2",
                doc: parse("oauth.yaml", include_str!("../../specs/twitch/oauth.yaml")),
            },
        ]
    })
}

/// Paths that are served but outside the specs. Responses to them are not checked.
fn exempt_path(path: &str) -> bool {
    // Removed Helix endpoints: the sandbox answers `410 Gone` as Twitch does, but the spec
    // describes the current API only.
    crate::twitch::helix::is_gone(path)
        // A browser redirect, described only in oauth.yaml's prose (it is no API operation).
        || path == "/oauth2/authorize"
        // The sandbox's stand-in for https://www.twitch.tv/activate, a web page.
        || path == "/activate"
        // Sandbox-only demo routes (page/limit paging) that no spec describes yet.
        || path.starts_with("/sandbox/")
}

/// Whether a spec path template (`/users/{id}`) matches a concrete path.
fn template_matches(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| t == p || (t.starts_with('{') && t.ends_with('}') && !p.is_empty()))
}

/// Checks one response. `Ok` when it conforms or is exempt; otherwise the violations.
pub(crate) fn check(
    method: &str,
    path: &str,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<(), Vec<String>> {
    if exempt_path(path) {
        return Ok(());
    }
    let head = method.eq_ignore_ascii_case("HEAD");
    let method = if head {
        "get".to_owned()
    } else {
        method.to_ascii_lowercase()
    };
    let found = apis().iter().find_map(|api| {
        let rest = path.strip_prefix(api.prefix)?;
        let paths = api.doc.get("paths")?.as_object()?;
        let (_, item) = paths.iter().find(|(t, _)| template_matches(t, rest))?;
        Some((api, item))
    });
    let Some((api, item)) = found else {
        // An unknown route: the router answers 404, but the Helix middleware checks the
        // credentials and the rate-limit bucket first (401 / 429). None of this is an operation.
        return if [401, 404, 429].contains(&status) {
            Ok(())
        } else {
            Err(vec![format!("no operation in the spec for {path}")])
        };
    };
    let Some(op) = item.get(&method) else {
        // A documented path with an undocumented method: the router answers 405 (after the
        // Helix middleware's 401 / 429), which no spec documents per operation.
        return if [401, 405, 429].contains(&status) {
            Ok(())
        } else {
            Err(vec![format!(
                "{} is not documented for {path}",
                method.to_uppercase()
            )])
        };
    };
    let mut v = Validator {
        doc: &api.doc,
        out: Vec::new(),
    };
    let responses = op.get("responses").and_then(Value::as_object);
    let code = status.to_string();
    let range = format!("{}XX", status / 100);
    let Some(resp) = responses.and_then(|r| r.get(&code).or(r.get(&range)).or(r.get("default")))
    else {
        let documented: Vec<&str> = responses
            .map(|r| r.keys().map(String::as_str).collect())
            .unwrap_or_default();
        return Err(vec![format!(
            "status {status} is not documented (documented: {})",
            documented.join(", ")
        )]);
    };
    let resp = match v.resolve(resp) {
        Ok(r) => r,
        Err(e) => return Err(vec![e]),
    };
    if head {
        return Ok(());
    }
    let content = resp
        .get("content")
        .and_then(Value::as_object)
        .filter(|c| !c.is_empty());
    match content {
        None if body.is_empty() => {}
        None => v.out.push(format!(
            "status {status} documents no body, but one was sent"
        )),
        Some(content) => match content.get("application/json") {
            // Only JSON bodies are checked.
            None => {}
            Some(media) => {
                if !content_type.is_some_and(|c| c.starts_with("application/json")) {
                    v.out.push(format!(
                        "Content-Type is {content_type:?}, not application/json"
                    ));
                }
                match serde_json::from_slice::<Value>(body) {
                    Err(e) => v.out.push(format!("the body is not JSON: {e}")),
                    Ok(value) => {
                        if let Some(schema) = media.get("schema") {
                            v.validate(schema, &value, "$");
                        }
                    }
                }
            }
        },
    }
    if v.out.is_empty() { Ok(()) } else { Err(v.out) }
}

struct Validator<'a> {
    doc: &'a Value,
    out: Vec<String>,
}

impl<'a> Validator<'a> {
    /// Follows `$ref`s (local JSON pointers only).
    fn resolve(&self, mut node: &'a Value) -> Result<&'a Value, String> {
        for _ in 0..32 {
            let Some(r) = node.get("$ref").and_then(Value::as_str) else {
                return Ok(node);
            };
            node = r
                .strip_prefix('#')
                .and_then(|ptr| self.doc.pointer(ptr))
                .ok_or_else(|| format!("unresolvable $ref {r} in the spec"))?;
        }
        Err("$ref chain too long in the spec".to_owned())
    }

    fn push(&mut self, path: &str, msg: String) {
        self.out.push(format!("{path}: {msg}"));
    }

    fn validate(&mut self, schema: &'a Value, value: &Value, path: &str) {
        if self.out.len() >= MAX_VIOLATIONS {
            return;
        }
        let schema = match self.resolve(schema) {
            Ok(s) => s,
            Err(e) => return self.push(path, e),
        };
        let ty = schema.get("type").and_then(Value::as_str).or_else(|| {
            if schema.get("properties").is_some() {
                Some("object")
            } else if schema.get("items").is_some() {
                Some("array")
            } else {
                None
            }
        });
        if value.is_null() {
            let nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true);
            if !nullable && (ty.is_some() || schema.get("enum").is_some()) {
                self.push(path, "null, but the schema is not nullable".to_owned());
            }
            return;
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
            && !allowed.contains(value)
        {
            self.push(
                path,
                format!(
                    "{value} is not one of the documented values {}",
                    Value::Array(allowed.clone())
                ),
            );
        }
        let wrong = |expected: &str| format!("expected {expected}, got {}", kind(value));
        match ty {
            None => {}
            Some("string") => match value.as_str() {
                None => self.push(path, wrong("string")),
                Some(s) => {
                    if schema.get("format").and_then(Value::as_str) == Some("date-time")
                        && chrono::DateTime::parse_from_rfc3339(s).is_err()
                    {
                        self.push(path, format!("{s:?} is not an RFC 3339 date-time"));
                    }
                }
            },
            Some("integer") if !(value.is_i64() || value.is_u64()) => {
                self.push(path, wrong("integer"))
            }
            Some("number") if !value.is_number() => self.push(path, wrong("number")),
            Some("integer" | "number") => self.bounds(schema, value, path),
            Some("boolean") if !value.is_boolean() => self.push(path, wrong("boolean")),
            Some("boolean") => {}
            Some("array") => match value.as_array() {
                None => self.push(path, wrong("array")),
                Some(items) => {
                    if let Some(item_schema) = schema.get("items") {
                        for (i, item) in items.iter().enumerate() {
                            self.validate(item_schema, item, &format!("{path}[{i}]"));
                        }
                    }
                }
            },
            Some("object") => match value.as_object() {
                None => self.push(path, wrong("object")),
                Some(obj) => self.object(schema, obj, path),
            },
            Some(other) => self.push(path, format!("unsupported type {other:?} in the spec")),
        }
    }

    fn bounds(&mut self, schema: &Value, value: &Value, path: &str) {
        let (Some(x), min, max) = (
            value.as_f64(),
            schema.get("minimum").and_then(Value::as_f64),
            schema.get("maximum").and_then(Value::as_f64),
        ) else {
            return;
        };
        if min.is_some_and(|m| x < m) || max.is_some_and(|m| x > m) {
            self.push(path, format!("{value} is outside [{min:?}, {max:?}]"));
        }
    }

    fn object(&mut self, schema: &'a Value, obj: &Map<String, Value>, path: &str) {
        let props = schema.get("properties").and_then(Value::as_object);
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(name) = name.as_str()
                && !obj.contains_key(name)
            {
                self.push(path, format!("required property `{name}` is missing"));
            }
        }
        for (key, item) in obj {
            let item_path = format!("{path}.{key}");
            match (
                props.and_then(|p| p.get(key)),
                schema.get("additionalProperties"),
            ) {
                (Some(prop), _) => self.validate(prop, item, &item_path),
                // Undocumented properties are forbidden unless the schema allows them.
                (None, None | Some(Value::Bool(false))) => {
                    self.push(&item_path, "undocumented property".to_owned())
                }
                (None, Some(Value::Bool(true))) => {}
                (None, Some(extra)) => self.validate(extra, item, &item_path),
            }
        }
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Validates every response (unless it carries `x-sandbox-fault`) and replaces a
/// non-conforming one with a 500 that says why.
pub(crate) async fn middleware(
    State(state): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    if !state.config.contract_check {
        return next.run(req).await;
    }
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let response = next.run(req).await;
    if response.headers().contains_key(crate::faults::FAULT_HEADER) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let result = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => {
            let ct = parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok());
            match check(&method, &path, parts.status.as_u16(), ct, &bytes) {
                Ok(()) => Ok(bytes),
                Err(v) => Err(v),
            }
        }
        Err(e) => Err(vec![format!("the body could not be read: {e}")]),
    };
    let violations = match result {
        Ok(bytes) => return Response::from_parts(parts, Body::from(bytes)),
        Err(v) => v,
    };
    let status = parts.status.as_u16();
    let details: Vec<String> = violations
        .iter()
        .map(|v| format!("{method} {path} {status}: {v}"))
        .collect();
    let message = format!("sandbox contract violation: {}", details.join("; "));
    lock(&state.violations).extend(details);
    let body = json!({ "error": "Internal Server Error", "status": 500, "message": message });
    let mut replaced = (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response();
    let headers = replaced.headers_mut();
    headers.insert(VIOLATION_HEADER, HeaderValue::from_static("1"));
    for name in ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"] {
        if let Some(v) = parts.headers.get(name) {
            headers.insert(name, v.clone());
        }
    }
    // Keeps what the request log reads (the applied fault).
    replaced.extensions_mut().extend(parts.extensions);
    replaced
}

#[cfg(test)]
mod tests {
    use super::check;
    use serde_json::{Value, json};

    const JSON: Option<&str> = Some("application/json");

    fn get(path: &str, status: u16, body: Value) -> Result<(), Vec<String>> {
        check("GET", path, status, JSON, body.to_string().as_bytes())
    }

    fn user() -> Value {
        json!({
            "id": "1", "login": "a", "display_name": "A", "type": "", "broadcaster_type": "partner",
            "description": "", "profile_image_url": "u", "offline_image_url": "",
            "view_count": 3, "created_at": "2016-12-14T20:32:28Z"
        })
    }

    #[test]
    fn specs_parse_and_a_valid_body_passes() {
        assert_eq!(
            get("/helix/users", 200, json!({ "data": [user()] })),
            Ok(())
        );
    }

    #[test]
    fn finds_violations_with_paths() {
        let mut u = user();
        u["sandbox_extra"] = json!(1);
        u["broadcaster_type"] = json!("sandbox_unknown_value");
        u["created_at"] = json!("yesterday");
        u["view_count"] = json!(1.5);
        u.as_object_mut().unwrap().remove("login");
        let errs = get("/helix/users", 200, json!({ "data": [u] })).unwrap_err();
        let all = errs.join("\n");
        assert!(
            all.contains("$.data[0].sandbox_extra: undocumented property"),
            "{all}"
        );
        assert!(
            all.contains("$.data[0].broadcaster_type: \"sandbox_unknown_value\""),
            "{all}"
        );
        assert!(
            all.contains("$.data[0].created_at: \"yesterday\" is not an RFC 3339"),
            "{all}"
        );
        assert!(
            all.contains("$.data[0].view_count: expected integer, got number"),
            "{all}"
        );
        assert!(
            all.contains("$.data[0]: required property `login` is missing"),
            "{all}"
        );
        assert_eq!(errs.len(), 5, "{all}");
    }

    #[test]
    fn statuses_nulls_and_additional_properties() {
        let err = get("/helix/users", 418, json!({})).unwrap_err();
        assert!(err[0].contains("status 418 is not documented"), "{err:?}");
        // 429 comes from a shared $ref'd response.
        let e = json!({ "error": "Too Many Requests", "status": 429, "message": "" });
        assert_eq!(get("/helix/users", 429, e), Ok(()));
        // `tags` is nullable, `title` is not.
        let mut s = json!({
            "id": "1", "user_id": "1", "user_login": "a", "user_name": "A", "game_id": "",
            "game_name": "", "type": "live", "title": "t", "tags": null, "viewer_count": 1,
            "started_at": "2021-03-10T15:04:21.5Z", "language": "en", "thumbnail_url": "u"
        });
        assert_eq!(
            get(
                "/helix/streams",
                200,
                json!({ "data": [s.clone()], "pagination": {} })
            ),
            Ok(())
        );
        s["title"] = Value::Null;
        let err = get("/helix/streams", 200, json!({ "data": [s] })).unwrap_err();
        assert_eq!(
            err,
            vec!["$.data[0].title: null, but the schema is not nullable"]
        );
        // EventSubCondition allows extra string properties, not extra numbers.
        let sub = |cond: Value| {
            json!({ "data": [{
            "id": "x", "status": "enabled", "type": "t", "version": "1", "condition": cond,
            "created_at": "2024-01-01T00:00:00.123456789Z", "transport": { "method": "conduit", "conduit_id": "c" },
            "cost": 0 }], "total": 1, "total_cost": 0, "max_total_cost": 10 })
        };
        assert_eq!(
            get(
                "/helix/eventsub/subscriptions",
                200,
                sub(json!({ "new_key": "1" }))
            ),
            Ok(())
        );
        let err = get(
            "/helix/eventsub/subscriptions",
            200,
            sub(json!({ "new_key": 1 })),
        )
        .unwrap_err();
        assert_eq!(
            err,
            vec!["$.data[0].condition.new_key: expected string, got integer"]
        );
    }

    #[test]
    fn bodies_and_exemptions() {
        // 204 documents no body.
        assert_eq!(check("PATCH", "/helix/channels", 204, None, b""), Ok(()));
        assert!(check("PATCH", "/helix/channels", 204, JSON, b"{}").is_err());
        assert!(check("GET", "/helix/users", 200, JSON, b"{\"data\": [").is_err());
        assert!(
            check(
                "GET",
                "/helix/users",
                200,
                Some("text/plain"),
                b"{\"data\": []}"
            )
            .is_err()
        );
        // OAuth: revoke's 200 has no body; validate's 200 is checked.
        assert_eq!(check("POST", "/oauth2/revoke", 200, None, b""), Ok(()));
        let ok = json!({ "client_id": "c", "scopes": null, "expires_in": 5 });
        assert_eq!(
            check(
                "GET",
                "/oauth2/validate",
                200,
                JSON,
                ok.to_string().as_bytes()
            ),
            Ok(())
        );
        // Outside the specs.
        assert_eq!(
            check("GET", "/helix/users/follows", 410, JSON, b"{}"),
            Ok(())
        );
        assert_eq!(check("GET", "/oauth2/authorize", 302, None, b""), Ok(()));
        assert_eq!(check("GET", "/helix/nope", 404, JSON, b"{}"), Ok(()));
        assert_eq!(check("PUT", "/helix/users", 405, JSON, b"{}"), Ok(()));
        assert!(check("GET", "/helix/nope", 200, JSON, b"{}").is_err());
        assert!(check("PUT", "/helix/users", 200, JSON, b"{}").is_err());
    }
}
