//! Reading a response's body while keeping the response: for the few decisions that depend
//! on what the body says (is this 401 an invalid credential?).

use bytes::Bytes;
use reqwest::Response;

/// The largest body read for a decision; an error body is far smaller.
const LIMIT: usize = 64 * 1024;

/// Reads up to 64 KiB of `resp`'s body and returns a response with the same status, version
/// and headers whose body is what was read, and the bytes. A body that fails midway keeps
/// what arrived.
pub(crate) async fn read_body(mut resp: Response) -> (Response, Bytes) {
    let (status, version, headers) = (resp.status(), resp.version(), resp.headers().clone());
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        let room = LIMIT.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= LIMIT {
            break;
        }
    }
    let body = Bytes::from(body);
    let mut rebuilt = http::Response::new(body.clone());
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    (Response::from(rebuilt), body)
}
