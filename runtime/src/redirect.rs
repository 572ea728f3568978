//! Redirects, followed by the runtime instead of reqwest (whose policy cannot see the method):
//!
//! * a redirect of a request that is not idempotent (a `POST` the spec does not declare
//!   idempotent) is not followed: it fails with [`Refusal::Redirect`], since following would
//!   replay the write or, for 301/302/303, turn it into a `GET` without its body that
//!   "succeeds" while nothing was written;
//! * a redirect to another origin (scheme, host, port) carries no credentials at all: every
//!   header the operation's auth templates fill, and `Authorization`, `Cookie`,
//!   `Proxy-Authorization`, are removed before it is sent;
//! * at most [`MAX_REDIRECTS`] hops; a 303 continues as a `GET` without body, the others
//!   keep method and body.

use reqwest::header::{AUTHORIZATION, COOKIE, HeaderName, LOCATION, PROXY_AUTHORIZATION};
use reqwest::{Method, Request, Response, StatusCode};

use crate::config::Runtime;
use crate::refusal::Refusal;

/// Most redirects followed for one call.
pub const MAX_REDIRECTS: usize = 10;

/// The send loop, with redirects handled as above.
pub(crate) async fn send_following(
    rt: &Runtime,
    http: &reqwest::Client,
    mut request: Request,
    operation_id: &str,
) -> reqwest::Result<Response> {
    let op = rt.policy().operation(operation_id);
    let idempotent =
        matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) || op.is_some_and(|o| o.idempotent);
    for _hop in 0..=MAX_REDIRECTS {
        let spare = request.try_clone();
        let resp = crate::send_loop::send_with_retries(rt, http, request, operation_id).await?;
        let status = resp.status();
        if !matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
            return Ok(resp);
        }
        let Some(target) =
            resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()).and_then(|l| resp.url().join(l).ok())
        else {
            // A redirect without a usable Location is the answer itself.
            return Ok(resp);
        };
        let refuse = |reason: &'static str| {
            let mut shown = target.clone();
            shown.set_query(None);
            shown.set_fragment(None);
            crate::call::fail_with(
                http,
                crate::Error::refused(Refusal::Redirect { status, location: Some(shown.to_string()), reason }),
            )
        };
        if !idempotent {
            return Err(refuse("the request is not idempotent; following would replay or drop the write"));
        }
        let Some(mut next) = spare else {
            return Err(refuse("the request body is a stream and cannot be sent again"));
        };
        if target.origin() != next.url().origin() {
            strip_credentials(rt, &mut next);
        }
        if status == StatusCode::SEE_OTHER && next.method() != Method::HEAD {
            *next.method_mut() = Method::GET;
            *next.body_mut() = None;
            next.headers_mut().remove(reqwest::header::CONTENT_TYPE);
            next.headers_mut().remove(reqwest::header::CONTENT_LENGTH);
        }
        tracing::debug!(operation = operation_id, %status, "following a redirect");
        *next.url_mut() = target;
        request = next;
    }
    Err(crate::call::fail_with(
        http,
        crate::Error::refused(Refusal::Redirect {
            status: StatusCode::LOOP_DETECTED,
            location: None,
            reason: "more than 10 redirects",
        }),
    ))
}

/// Removes every credential-carrying header from a request going to another origin.
fn strip_credentials(rt: &Runtime, request: &mut Request) {
    let headers = request.headers_mut();
    for name in [AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION] {
        headers.remove(name);
    }
    // Every header any operation's auth templates fill: a credential whatever its name
    // (`Client-Id` included; a client id identifies the app to whoever receives it).
    let declared = rt.policy().operations.iter().flat_map(|o| o.auth);
    for h in declared {
        if let Ok(name) = HeaderName::from_bytes(h.name.as_bytes()) {
            headers.remove(name);
        }
    }
}
