//! The response contract a server must keep: what the sandbox checks on every response it
//! sends, so it can never teach a client something the spec does not document (an
//! undocumented status, property, or shape).
//!
//! ```
//! use serde_json::json;
//! use streamkit_spec::{Document, contract::{Contract, Response}};
//! let doc = Document::from_value(json!({
//!     "openapi": "3.0.3",
//!     "paths": {"/users/{id}": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {
//!         "type": "object", "properties": {"data": {"type": "array", "items": {
//!             "type": "object", "properties": {"id": {"type": "string"}}}}}}}}}}}}}
//! }), "users.yaml").unwrap();
//! let contract = Contract::new(doc);
//! let template = contract.find_path("/users/42").unwrap();
//! let body = br#"{"data": [{"id": 1, "x": true}]}"#;
//! let found = contract.check_response("GET", template, Response::json(200, body));
//! let shown: Vec<String> = found.iter().map(ToString::to_string).collect();
//! assert_eq!(shown, ["$.data[0].id: expected string, found integer", "$.data[0].x: undocumented property"]);
//! ```

use std::fmt;

use serde_json::Value;

use crate::document::Document;
use crate::error::SpecError;
use crate::openapi;
use crate::pointer::escape;
use crate::refs::deref;
use crate::schema::{Options, ValidatorCache, Violation};

/// At most this many body violations are reported per response.
pub const MAX_BODY_VIOLATIONS: usize = 20;

/// A response as sent.
#[derive(Debug, Clone, Copy)]
pub struct Response<'a> {
    /// The status code.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<&'a str>,
    /// The body bytes (empty for none).
    pub body: &'a [u8],
}

impl<'a> Response<'a> {
    /// A response with an `application/json` body.
    pub fn json(status: u16, body: &'a [u8]) -> Response<'a> {
        Response { status, content_type: Some("application/json"), body }
    }
}

/// How a response breaks the contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContractViolation {
    /// No path template of the spec serves this path.
    UnknownPath {
        /// The path given.
        path: String,
    },
    /// The path is documented, the method is not.
    UndocumentedMethod {
        /// Upper case.
        method: String,
        /// The path template.
        path: String,
    },
    /// The operation documents no such status (nor its range `4XX`, nor `default`).
    UndocumentedStatus {
        /// The status sent.
        status: u16,
        /// The keys of `responses`.
        documented: Vec<String>,
    },
    /// The status documents no body, but one was sent.
    UnexpectedBody {
        /// The status sent.
        status: u16,
    },
    /// A JSON body was documented, another content type sent.
    ContentType {
        /// The `Content-Type` sent.
        found: Option<String>,
    },
    /// A JSON body was documented; the bytes are not JSON.
    NotJson {
        /// The parser's message.
        error: String,
    },
    /// The JSON body does not match its schema.
    Body(Violation),
    /// The spec itself is broken where this response is described.
    Spec(SpecError),
}

impl fmt::Display for ContractViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContractViolation::UnknownPath { path } => write!(f, "no operation in the spec for {path}"),
            ContractViolation::UndocumentedMethod { method, path } => {
                write!(f, "{method} is not documented for {path}")
            }
            ContractViolation::UndocumentedStatus { status, documented } => {
                write!(f, "status {status} is not documented (documented: {})", documented.join(", "))
            }
            ContractViolation::UnexpectedBody { status } => {
                write!(f, "status {status} documents no body, but one was sent")
            }
            ContractViolation::ContentType { found } => write!(f, "Content-Type is {found:?}, not application/json"),
            ContractViolation::NotJson { error } => write!(f, "the body is not JSON: {error}"),
            ContractViolation::Body(v) => write!(f, "{}: {}", v.path.json_path(), v.message),
            ContractViolation::Spec(e) => write!(f, "the spec is broken here: {e}"),
        }
    }
}

/// One spec and its compiled response validators.
#[derive(Debug)]
pub struct Contract {
    cache: ValidatorCache,
}

impl Contract {
    /// Checks responses against `doc`.
    pub fn new(doc: Document) -> Contract {
        Contract { cache: ValidatorCache::new(doc) }
    }

    /// The document.
    pub fn document(&self) -> &Document {
        self.cache.document()
    }

    /// The path template that serves a concrete path (`/users/42` → `/users/{id}`), a
    /// literal template winning over a templated one.
    pub fn find_path(&self, path: &str) -> Option<&str> {
        openapi::find_path(&self.document().doc, path)
    }

    /// Checks one response to `method` (any case; `HEAD` is checked as `GET` without a
    /// body) on the path template `template`. Empty when it keeps the contract.
    ///
    /// Body schemas are validated with undocumented properties forbidden (an object schema
    /// without `additionalProperties` lists every property it allows), in the response
    /// direction (`writeOnly` properties must not appear). Only JSON bodies are validated.
    pub fn check_response(&self, method: &str, template: &str, response: Response<'_>) -> Vec<ContractViolation> {
        let doc = self.document();
        let head = method.eq_ignore_ascii_case("HEAD");
        let method = if head { "get".to_string() } else { method.to_ascii_lowercase() };
        let Some(item) = doc.doc.get("paths").and_then(|p| p.get(template)) else {
            return vec![ContractViolation::UnknownPath { path: template.to_string() }];
        };
        let Some(op) = item.get(&method).filter(|o| o.is_object()) else {
            return vec![ContractViolation::UndocumentedMethod {
                method: method.to_uppercase(),
                path: template.to_string(),
            }];
        };
        let op_ptr = format!("/paths/{}/{method}", escape(template));
        let responses = op.get("responses").and_then(Value::as_object);
        let status = response.status;
        let keys = [status.to_string(), format!("{}XX", status / 100), "default".to_string()];
        let Some((key, resp)) = keys.iter().find_map(|k| responses?.get_key_value(k)) else {
            let documented = responses.map(|r| r.keys().cloned().collect()).unwrap_or_default();
            return vec![ContractViolation::UndocumentedStatus { status, documented }];
        };
        let (resp, resp_ptr) = match deref(doc, resp, &format!("{op_ptr}/responses/{}", escape(key))) {
            Ok(found) => found,
            Err(e) => return vec![ContractViolation::Spec(e)],
        };
        if head {
            return Vec::new();
        }
        let content = resp.get("content").and_then(Value::as_object).filter(|c| !c.is_empty());
        let Some(content) = content else {
            return if response.body.is_empty() {
                Vec::new()
            } else {
                vec![ContractViolation::UnexpectedBody { status }]
            };
        };
        // Only JSON bodies are checked.
        let Some(media) = content.get("application/json") else { return Vec::new() };
        let mut out = Vec::new();
        if !response.content_type.is_some_and(|c| c.starts_with("application/json")) {
            out.push(ContractViolation::ContentType { found: response.content_type.map(str::to_string) });
        }
        let value: Value = match serde_json::from_slice(response.body) {
            Ok(v) => v,
            Err(e) => {
                out.push(ContractViolation::NotJson { error: e.to_string() });
                return out;
            }
        };
        if media.get("schema").is_some() {
            let schema_ptr = format!("{resp_ptr}/content/application~1json/schema");
            match self.cache.validator(&schema_ptr, Options::response().forbid_undocumented()) {
                Ok(v) => {
                    out.extend(v.validate_at_most(&value, MAX_BODY_VIOLATIONS).into_iter().map(ContractViolation::Body))
                }
                Err(e) => out.push(ContractViolation::Spec(e)),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
