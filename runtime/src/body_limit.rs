//! The response body cap: a response handed to generated code reads through a counting
//! stream, so a body larger than the cap fails with [`Refusal::BodyTooLarge`] after at most
//! the cap's worth of bytes (at once when `Content-Length` already says so), and the
//! connection is dropped instead of read to its end.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::Stream;
use reqwest::ResponseBuilderExt;

use crate::refusal::Refusal;

/// The default cap on a response body: 16 MiB, far above any page of a REST API and far
/// below what would hurt a process. Set per client with
/// [`crate::ClientBuilder::max_response_body`].
pub const DEFAULT_MAX_RESPONSE_BODY: u64 = 16 * 1024 * 1024;

/// The error the capped stream fails with; found again in the reqwest error's sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BodyTooLarge {
    limit: u64,
    declared: Option<u64>,
}

impl BodyTooLarge {
    pub(crate) fn refusal(self) -> Refusal {
        Refusal::BodyTooLarge { limit: self.limit, declared: self.declared }
    }

    /// The cap error among `err` and its sources, if the body failed because of it.
    pub(crate) fn find(err: &(dyn std::error::Error + 'static)) -> Option<BodyTooLarge> {
        let mut cur = Some(err);
        while let Some(e) = cur {
            if let Some(found) = e.downcast_ref::<BodyTooLarge>() {
                return Some(*found);
            }
            cur = e.source();
        }
        None
    }
}

impl fmt::Display for BodyTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.refusal().fmt(f)
    }
}

impl std::error::Error for BodyTooLarge {}

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type ByteStream = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// `resp` with its body read through the cap (status, headers, URL and extensions kept).
pub(crate) fn limit_body(resp: reqwest::Response, limit: u64) -> reqwest::Response {
    let declared = resp.content_length().filter(|n| *n > limit);
    let url = resp.url().clone();
    let (mut parts, body) = http::Response::<reqwest::Body>::from(resp).into_parts();
    // The URL travels in an extension only reqwest's builder can make.
    if let Ok(carrier) = http::Response::builder().url(url).body(()) {
        parts.extensions.extend(carrier.into_parts().0.extensions);
    }
    let inner: ByteStream = Box::pin(reqwest::Response::from(http::Response::new(body)).bytes_stream());
    let capped = Capped { inner: Some(inner), seen: 0, cap: BodyTooLarge { limit, declared } };
    reqwest::Response::from(http::Response::from_parts(parts, reqwest::Body::wrap_stream(capped)))
}

struct Capped {
    /// `None` once failed or finished: the connection is dropped with it.
    inner: Option<ByteStream>,
    seen: u64,
    cap: BodyTooLarge,
}

impl Stream for Capped {
    type Item = Result<Bytes, BoxError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let Some(inner) = this.inner.as_mut() else { return Poll::Ready(None) };
        if this.cap.declared.is_some() {
            this.inner = None;
            return Poll::Ready(Some(Err(Box::new(this.cap))));
        }
        match inner.as_mut().poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => {
                this.inner = None;
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(e))) => {
                this.inner = None;
                Poll::Ready(Some(Err(Box::new(e))))
            }
            Poll::Ready(Some(Ok(chunk))) => {
                this.seen = this.seen.saturating_add(chunk.len() as u64);
                if this.seen > this.cap.limit {
                    this.inner = None;
                    return Poll::Ready(Some(Err(Box::new(this.cap))));
                }
                Poll::Ready(Some(Ok(chunk)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(body: &'static str, content_length: Option<&str>) -> reqwest::Response {
        let mut b = http::Response::builder().status(200).header("x-kept", "1");
        if let Some(n) = content_length {
            b = b.header("content-length", n);
        }
        reqwest::Response::from(b.body(body).unwrap())
    }

    #[tokio::test]
    async fn bodies_within_the_cap_read_unchanged() {
        let r = limit_body(response("hello", None), 5);
        assert_eq!(r.headers()["x-kept"], "1");
        assert_eq!(r.bytes().await.unwrap(), "hello");
    }

    #[tokio::test]
    async fn a_body_over_the_cap_fails_with_the_cap_in_its_sources() {
        // A body of known length (here from memory) is refused before any byte is read.
        let err = limit_body(response("hello!", None), 5).bytes().await.unwrap_err();
        assert_eq!(BodyTooLarge::find(&err), Some(BodyTooLarge { limit: 5, declared: Some(6) }));
    }
}
