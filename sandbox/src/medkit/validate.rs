//! Requests checked against `specs/medkit/medkit.yaml` before they reach a handler, as a
//! real API validates its input: a JSON body that does not match the operation's request
//! schema, or a query without a required parameter or with a value outside an enum, is a
//! 400 naming the problem.

use super::errors::bad_request;
use super::specs::medkit;
use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use streamkit_spec::{Options, Validator};

const PREFIX: &str = "/v1/e";
/// Larger bodies are refused before parsing.
const MAX_BODY: usize = 1 << 20;

fn escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// The compiled request-body validator of one operation (`None`: it takes no JSON body).
fn body_validator(pointer: &str) -> Option<Arc<Validator>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Arc<Validator>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    let mut cache = crate::core::lock(cache);
    cache
        .entry(pointer.to_owned())
        .or_insert_with(|| {
            let contract = medkit();
            let doc = contract.document();
            doc.get(pointer)?;
            Validator::new(doc, pointer, Options::request()).ok().map(Arc::new)
        })
        .clone()
}

/// What is wrong with the query, per the operation's parameters.
fn query_problem(op: &Value, query: &HashMap<String, String>) -> Option<String> {
    let contract = medkit();
    let doc = &contract.document().doc;
    for p in op.get("parameters").and_then(Value::as_array).into_iter().flatten() {
        let p = match p.get("$ref").and_then(Value::as_str) {
            Some(r) => doc.pointer(r.trim_start_matches('#'))?,
            None => p,
        };
        if p.get("in").and_then(Value::as_str) != Some("query") {
            continue;
        }
        let name = p.get("name").and_then(Value::as_str)?;
        let schema = match p.get("schema").and_then(|s| s.get("$ref")).and_then(Value::as_str) {
            Some(r) => doc.pointer(r.trim_start_matches('#'))?,
            None => p.get("schema")?,
        };
        match query.get(name) {
            None if p.get("required") == Some(&Value::Bool(true)) => {
                return Some(format!("the query parameter `{name}` is required"));
            }
            None => {}
            Some(v) => {
                if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
                    && !allowed.iter().any(|a| a.as_str() == Some(v))
                {
                    return Some(format!("`{name}` must be one of {allowed:?}"));
                }
                if schema.get("type").and_then(Value::as_str) == Some("integer") && v.parse::<i64>().is_err() {
                    return Some(format!("`{name}` must be an integer"));
                }
            }
        }
    }
    None
}

/// The middleware.
pub async fn validate(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let Some(sub) = path.strip_prefix(PREFIX) else { return next.run(request).await };
    let contract = medkit();
    let Some(template) = contract.find_path(sub).map(str::to_owned) else { return next.run(request).await };
    let method = request.method().as_str().to_ascii_lowercase();
    let op_ptr = format!("/paths/{}/{method}", escape(&template));
    let Some(op) = contract.document().doc.pointer(&op_ptr).cloned() else { return next.run(request).await };
    let query: HashMap<String, String> =
        serde_urlencoded::from_str(request.uri().query().unwrap_or("")).unwrap_or_default();
    if let Some(problem) = query_problem(&op, &query) {
        return bad_request(&problem).into_response();
    }
    let Some(validator) = body_validator(&format!("{op_ptr}/requestBody/content/application~1json/schema")) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return bad_request("the body is too large or could not be read").into_response();
    };
    let value: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => return bad_request(&format!("the body is not JSON: {e}")).into_response(),
    };
    if let Some(v) = validator.validate_at_most(&value, 1).first() {
        return bad_request(&format!("the body does not match the request schema: {v}")).into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}
