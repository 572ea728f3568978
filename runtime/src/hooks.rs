//! The progenitor adapter: what the generated `ClientHooks` impl delegates to. Auth headers
//! go on in `pre`; `exec` is the [`crate::send_loop`].
//!
//! progenitor's `pre` can only fail with a `String` and `exec` with a `reqwest::Error`, so
//! typed facts (the typed error, the attempt count) travel to the generated `send` wrapper in
//! a task-local slot (the private `call` module). Resolving credentials in the wrapper instead would
//! still need a way into `pre` for the values, and the attempt count would still need one out
//! of `exec`: the slot stays, in one small file.

use progenitor_client::OperationInfo;
use reqwest::{Request, Response};

use crate::call::with_call;
use crate::config::Runtime;
use crate::error::Error;

/// `ClientHooks::pre`: adds the auth headers the spec declares for the operation.
///
/// On failure the typed error is left for the `send` wrapper and a short string is returned
/// for progenitor's `Error::Custom`.
pub async fn pre(rt: &Runtime, request: &mut Request, info: &OperationInfo) -> Result<(), String> {
    let result = match rt.policy().operation(info.operation_id) {
        // An operation missing from the table is a codegen bug: a configuration error, not a panic.
        None => Err(Error::config(format!("operation {} is missing from the policy table", info.operation_id))),
        Some(op) => crate::auth::authorize(rt, op, request).await,
    };
    result.map_err(|e| {
        let short = e.to_string();
        with_call(|c| c.error = Some(e.with_operation(info.operation_id)));
        short
    })
}

/// `ClientHooks::exec`: the send loop ([`crate::send_loop::send_with_retries`]), redirects
/// handled by the runtime, and the response body read through the client's size cap.
pub async fn exec(
    rt: &Runtime,
    http: &reqwest::Client,
    request: Request,
    info: &OperationInfo,
) -> reqwest::Result<Response> {
    // Boxed: the send loop's state (reqwest's pending request inside it) is most of a
    // call's future, and unboxed every future wrapping it up to the caller's `.await`
    // copies all of it when it is moved (callgrind: ~18k instructions of memcpy per call).
    let resp = Box::pin(crate::redirect::send_following(rt, http, request, info.operation_id)).await?;
    Ok(crate::body_limit::limit_body(resp, rt.max_response_body()))
}
