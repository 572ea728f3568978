//! `GET /sandbox/paged`: a list paged by page number and limit, the way Mixer's v1 API pages
//! (`page` is 0-based, an RFC 5988 `Link` header points at the next and last pages). It
//! proves the runtime's page/limit pagination until the Mixer routes exist.
//!
//! Query: `page` (default 0), `limit` (1..=100, default 50), `total` (list length, default
//! 1000), `count_header` (`1` adds `x-total-count`, which is unconfirmed for Mixer), `link`
//! (`0` leaves out the `Link` header: the client must then page until a short page).
//! Items are `{"id": n, "name": "item-n"}`. `page` and `total` above a billion (or
//! not integers) are a `400`.

use std::sync::Arc;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The route; `base_url` is where the `Link` header points.
pub(crate) fn router(base_url: String) -> Router {
    Router::new().route("/sandbox/paged", get(paged)).with_state(Arc::new(base_url))
}

/// The error body: `{"statusCode", "error", "message"}`, the way Mixer's API answers.
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    let reason = status.canonical_reason().unwrap_or("Error");
    let body = serde_json::json!({"statusCode": status.as_u16(), "error": reason, "message": message});
    (status, axum::Json(body)).into_response()
}

/// The largest `page` and `total` accepted (a billion); larger values are a `400`.
pub(crate) const MAX_FIGURE: u64 = 1_000_000_000;

fn bad(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, message)
}

async fn paged(State(base_url): State<Arc<String>>, RawQuery(q): RawQuery) -> Response {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q.as_deref().unwrap_or("")).unwrap_or_default();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    // Bounded parsing: every figure is checked against its documented range before any
    // arithmetic, so no value a client sends can overflow.
    let num = |k: &str, default: u64| -> Result<u64, String> {
        let out_of_range = || format!("`{k}` must be an integer between 0 and {MAX_FIGURE}");
        match get(k) {
            None => Ok(default),
            Some(v) => v.parse().ok().filter(|n| *n <= MAX_FIGURE).ok_or_else(out_of_range),
        }
    };
    let (page, limit, total) = match (num("page", 0), num("limit", 50), num("total", 1000)) {
        (Ok(p), Ok(l), Ok(t)) => (p, l, t),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return bad(&e),
    };
    if !(1..=100).contains(&limit) {
        return bad("`limit` must be between 1 and 100");
    }
    let start = page.saturating_mul(limit).min(total);
    let end = start.saturating_add(limit).min(total);
    let items: Vec<serde_json::Value> =
        (start..end).map(|n| serde_json::json!({"id": n, "name": format!("item-{n}")})).collect();
    let mut headers = HeaderMap::new();
    if get("count_header") == Some("1") {
        headers.insert("x-total-count", HeaderValue::from(total));
    }
    if get("link") != Some("0") {
        let base = format!("{base_url}/sandbox/paged");
        let last = total.div_ceil(limit).saturating_sub(1);
        let mut links = Vec::new();
        if end < total {
            links.push(format!("<{base}?page={}&limit={limit}&total={total}>; rel=\"next\"", page + 1));
        }
        if page > 0 {
            links.push(format!("<{base}?page={}&limit={limit}&total={total}>; rel=\"prev\"", page - 1));
        }
        links.push(format!("<{base}?page={last}&limit={limit}&total={total}>; rel=\"last\""));
        if let Ok(v) = HeaderValue::from_str(&links.join(", ")) {
            headers.insert("link", v);
        }
    }
    (headers, axum::Json(items)).into_response()
}
