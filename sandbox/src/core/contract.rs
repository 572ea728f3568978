//! The contract check: every response is validated against the specs the services register
//! ([`ServiceSpec`]), with `streamkit-spec`'s contract (the workspace's one validator), so a
//! fake service can never teach a client something its spec does not document (an
//! undocumented status, property or shape). A response that breaks it is replaced by the
//! owning service's `500` error saying `sandbox contract violation: ...`, and recorded.
//! Responses altered by a fault (marked with [`FAULT_HEADER`]) are not checked.

use crate::core::faults::FAULT_HEADER;
use crate::core::server::Shared;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use streamkit_spec::contract::{self, Contract, ContractViolation};

/// The header (value `1`) on responses the contract check replaced with a `500`.
pub const CONTRACT_VIOLATION_HEADER: &str = "x-sandbox-contract-violation";

/// One spec a service registers, and where its paths are served.
#[derive(Clone)]
pub struct ServiceSpec {
    /// The prefix the spec's paths are served under (`/api` serves the spec's `/users` as
    /// `/api/users`); `""` for none.
    pub prefix: String,
    /// The spec, with its compiled validators (share one `Arc` between servers: validators
    /// compile once).
    pub contract: Arc<Contract>,
    /// Paths under the prefix that are served but outside the spec; their responses are
    /// not checked.
    pub exempt: fn(&str) -> bool,
    /// Statuses the service answers before routing (its own middleware: `401`, `429`, …).
    /// With `404` (unknown path) and `405` (undocumented method) they are accepted for
    /// requests no operation documents.
    pub answered_before_routing: Vec<u16>,
}

impl std::fmt::Debug for ServiceSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceSpec")
            .field("prefix", &self.prefix)
            .field("file", &self.contract.document().file)
            .field("answered_before_routing", &self.answered_before_routing)
            .finish_non_exhaustive()
    }
}

fn never(_: &str) -> bool {
    false
}

impl ServiceSpec {
    /// `contract` served under `prefix`, nothing exempt, nothing answered before routing.
    pub fn new(prefix: impl Into<String>, contract: Arc<Contract>) -> ServiceSpec {
        ServiceSpec { prefix: prefix.into(), contract, exempt: never, answered_before_routing: Vec::new() }
    }

    /// Checks one response; `Ok` when it conforms or the spec does not cover the path.
    pub fn check(&self, method: &str, path: &str, response: contract::Response<'_>) -> Result<(), Vec<String>> {
        let Some(rest) = path.strip_prefix(self.prefix.as_str()) else { return Ok(()) };
        if (self.exempt)(path) {
            return Ok(());
        }
        let status = response.status;
        let tolerated = |routing: u16| status == routing || self.answered_before_routing.contains(&status);
        let Some(template) = self.contract.find_path(rest) else {
            return if tolerated(404) { Ok(()) } else { Err(vec![format!("no operation in the spec for {path}")]) };
        };
        let found = self.contract.check_response(method, template, response);
        match found.as_slice() {
            [] => Ok(()),
            [ContractViolation::UndocumentedMethod { .. }] if tolerated(405) => Ok(()),
            [ContractViolation::UndocumentedMethod { method, .. }] => {
                Err(vec![format!("{method} is not documented for {path}")])
            }
            _ => Err(found.iter().map(ToString::to_string).collect()),
        }
    }

    /// Whether the spec covers `path` (it is under [`prefix`](Self::prefix)).
    fn covers(&self, path: &str) -> bool {
        path.starts_with(self.prefix.as_str())
    }
}

/// Validates every response (unless it carries [`FAULT_HEADER`]) and replaces a
/// non-conforming one with a 500 that says why.
pub(crate) async fn middleware(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    if !shared.contract_check {
        return next.run(req).await;
    }
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let response = next.run(req).await;
    if response.headers().contains_key(FAULT_HEADER) {
        return response;
    }
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        // An extractor read past the body limit: the sandbox's own documented status, in
        // the owning service's error format (axum's rejection is plain text).
        return crate::core::limits::too_large(&shared, &path);
    }
    let owner = shared.owner(&path);
    let specs: Vec<&ServiceSpec> = owner.into_iter().flat_map(|o| o.specs.iter()).filter(|s| s.covers(&path)).collect();
    if specs.is_empty() {
        return response;
    }
    let (parts, body) = response.into_parts();
    let status = parts.status.as_u16();
    let violations = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => {
            let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
            let sent = contract::Response { status, content_type, body: &bytes };
            let found: Vec<String> =
                specs.iter().filter_map(|s| s.check(&method, &path, sent).err()).flatten().collect();
            if found.is_empty() {
                return Response::from_parts(parts, Body::from(bytes));
            }
            found
        }
        Err(e) => vec![format!("the body could not be read: {e}")],
    };
    let details: Vec<String> = violations.iter().map(|v| format!("{method} {path} {status}: {v}")).collect();
    let message = format!("sandbox contract violation: {}", details.join("; "));
    details.into_iter().for_each(|d| shared.violations.record(d));
    let mut replaced = match owner {
        Some(o) => o.service.render_error(&path, StatusCode::INTERNAL_SERVER_ERROR, &message),
        None => (StatusCode::INTERNAL_SERVER_ERROR, message).into_response(),
    };
    let headers = replaced.headers_mut();
    headers.insert(CONTRACT_VIOLATION_HEADER, HeaderValue::from_static("1"));
    // The rate-limit state stays visible: clients still pace themselves on a 500.
    for name in &shared.rate_headers {
        if let Some(v) = parts.headers.get(name) {
            headers.insert(name.clone(), v.clone());
        }
    }
    // Keeps what the request log reads (the applied fault).
    replaced.extensions_mut().extend(parts.extensions);
    replaced
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use streamkit_spec::Document;

    fn spec() -> ServiceSpec {
        let doc = Document::from_value(
            json!({"openapi": "3.0.3", "paths": {"/items/{id}": {"get": {"responses": {
                "200": {"content": {"application/json": {"schema": {"type": "object",
                    "properties": {"id": {"type": "integer"}}}}}}}}}}}),
            "items.yaml",
        )
        .unwrap();
        ServiceSpec {
            exempt: |p| p == "/api/legacy",
            answered_before_routing: vec![401],
            ..ServiceSpec::new("/api", Arc::new(Contract::new(doc)))
        }
    }

    fn check(method: &str, path: &str, status: u16, body: &str) -> Result<(), Vec<String>> {
        spec().check(method, path, contract::Response::json(status, body.as_bytes()))
    }

    #[test]
    fn checks_paths_under_the_prefix() {
        assert_eq!(check("GET", "/api/items/7", 200, r#"{"id": 7}"#), Ok(()));
        assert_eq!(
            check("GET", "/api/items/7", 200, r#"{"id": "7"}"#),
            Err(vec!["$.id: expected integer, found string".to_owned()])
        );
        // Outside the prefix, or exempt: not checked.
        assert_eq!(check("GET", "/other", 200, "{}"), Ok(()));
        assert_eq!(check("GET", "/api/legacy", 410, "{}"), Ok(()));
    }

    #[test]
    fn unrouted_requests_may_answer_routing_and_pre_routing_statuses() {
        assert_eq!(check("GET", "/api/nope", 404, "{}"), Ok(()));
        assert_eq!(check("GET", "/api/nope", 401, "{}"), Ok(()));
        assert_eq!(
            check("GET", "/api/nope", 200, "{}"),
            Err(vec!["no operation in the spec for /api/nope".to_owned()])
        );
        assert_eq!(check("PUT", "/api/items/7", 405, "{}"), Ok(()));
        assert_eq!(
            check("PUT", "/api/items/7", 200, "{}"),
            Err(vec!["PUT is not documented for /api/items/7".to_owned()])
        );
        assert!(check("GET", "/api/items/7", 418, "{}").unwrap_err()[0].starts_with("status 418 is not documented"));
    }
}
