//! Demo services: routes no real API documents yet, that prove a runtime feature.

mod paged;

use crate::core::{Context, Service};
use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;

/// `GET /sandbox/paged`: a list paged by page number and limit, the way Mixer's v1 API
/// pages (`page` is 0-based, an RFC 5988 `Link` header points at the next and last pages).
/// It proves the runtime's page/limit pagination until the Mixer service exists. No spec
/// describes it, so its responses are not contract-checked.
///
/// Query: `page` (default 0), `limit` (1..=100, default 50), `total` (list length, default
/// 1000), `count_header` (`1` adds `x-total-count`), `link` (`0` leaves out the `Link`
/// header: the client must then page until a short page). Items are
/// `{"id": n, "name": "item-n"}`.
#[derive(Clone, Copy, Debug, Default)]
pub struct PagedDemo;

impl Service for PagedDemo {
    fn owns(&self, path: &str) -> bool {
        path.starts_with("/sandbox/")
    }

    fn router(&self, ctx: &Context) -> Router {
        paged::router(ctx.base_url.clone())
    }

    fn render_error(&self, _path: &str, status: StatusCode, message: &str) -> Response {
        paged::error(status, message)
    }
}
