//! The one trait a fake service implements to be served by the core.

use crate::core::clock::Clock;
use crate::core::contract::ServiceSpec;
use crate::core::frame_contract::Violations;
use crate::core::ratelimit::BucketSpec;
use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};
use std::sync::Arc;

/// What the core hands a service when the server starts.
#[derive(Clone, Debug)]
pub struct Context {
    /// `http://127.0.0.1:PORT`, the address every service of this server answers on.
    pub base_url: String,
    /// The server's time source (the one [`ServerBuilder::clock`](crate::core::ServerBuilder::clock) set).
    pub clock: Arc<dyn Clock>,
    /// Whether what the service sends is checked against its specs
    /// ([`ServerBuilder::contract_check`](crate::core::ServerBuilder::contract_check)): a
    /// websocket service then calls [`WsHub::check_frames`](crate::core::WsHub::check_frames).
    pub contract_check: bool,
    /// Where contract violations go (HTTP responses and websocket frames alike).
    pub violations: Violations,
}

/// A fake service: its routes and state, how it renders errors, what it documents.
///
/// The service keeps its own state (usually an `Arc` it clones into its router), so a
/// handle to it can keep reaching that state after the server started
/// ([`Server::service`](crate::core::Server::service)).
///
/// Only [`owns`](Self::owns), [`router`](Self::router) and
/// [`render_error`](Self::render_error) are required; the rest default to "nothing".
pub trait Service: Send + Sync + 'static {
    /// Whether `path` is one of this service's (its routes, documented or not). The core
    /// asks the owning service for error bodies (faults, contract violations, unknown
    /// routes); a path no service owns gets the first registered service's.
    fn owns(&self, path: &str) -> bool;

    /// The routes, with full paths and their state applied. Called once, at start.
    fn router(&self, ctx: &Context) -> Router;

    /// Wraps the whole app (every service's routes and the fallback), e.g. with the
    /// service's authentication and rate limiting, so unknown paths of the service pass
    /// through it too. It must leave other services' paths alone. Default: unchanged.
    fn wrap(&self, app: Router, ctx: &Context) -> Router {
        let _ = ctx;
        app
    }

    /// The service's error response for `path` (a fault's 503, a contract violation's
    /// 500, …) with `message` in it.
    fn render_error(&self, path: &str, status: StatusCode, message: &str) -> Response;

    /// The response to a path no route serves. Default: [`render_error`](Self::render_error)
    /// with `404 Not Found`.
    fn not_found(&self, path: &str) -> Response {
        self.render_error(path, StatusCode::NOT_FOUND, "Not Found")
    }

    /// The specs every response of this service is checked against. Default: none (its
    /// responses are not checked).
    fn specs(&self) -> Vec<ServiceSpec> {
        Vec::new()
    }

    /// The rate-limit buckets the service charges, the first one being the one a
    /// [`FaultKind::TooManyRequests`](crate::core::FaultKind::TooManyRequests) fault
    /// describes in its headers. Default: none.
    fn buckets(&self) -> Vec<BucketSpec> {
        Vec::new()
    }

    /// The records of a JSON body: what
    /// [`UnknownEnumValue`](crate::core::FaultKind::UnknownEnumValue) and
    /// [`ExtraField`](crate::core::FaultKind::ExtraField) rewrite. Default: the objects of a
    /// top-level array, or the top-level object itself.
    fn records<'a>(&self, body: &'a mut Value) -> Vec<&'a mut Map<String, Value>> {
        match body {
            Value::Array(items) => items.iter_mut().filter_map(Value::as_object_mut).collect(),
            Value::Object(obj) => vec![obj],
            _ => Vec::new(),
        }
    }

    /// The query parameter that carries a paging cursor, for
    /// [`RepeatCursor`](crate::core::FaultKind::RepeatCursor). Default: none (the fault
    /// changes nothing).
    fn cursor_param(&self) -> Option<&str> {
        None
    }

    /// Puts `cursor` where a body hands out the next page's cursor. Default: nothing.
    fn replace_cursor(&self, body: &mut Value, cursor: &str) {
        let _ = (body, cursor);
    }
}
