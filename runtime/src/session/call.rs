//! One call on its way: what the caller hands the session's driver, and the small helpers
//! shared by [`Session`](super::Session) and [`Link`](super::Link).

use std::time::Duration;

use serde_json::Value;
use tokio::sync::oneshot;
use tracing::Span;
use tracing::field::Empty;

use super::method::Method;
use super::reply::ReplyError;
use crate::{Error, ProtocolErrorKind};

/// What the driver answers a call with: the reply (a result or the peer's error), or why
/// there is none.
pub(crate) type Outcome = Result<Result<Value, ReplyError>, Error>;

/// A call handed to the driver.
pub(crate) struct CallRequest {
    pub(crate) method: String,
    pub(crate) params: Value,
    pub(crate) reply: oneshot::Sender<Outcome>,
    pub(crate) span: Span,
}

impl CallRequest {
    pub(crate) fn new(method: &str, params: Value, reply: oneshot::Sender<Outcome>) -> Self {
        let span = tracing::debug_span!("streamkit.session.call", method, id = Empty, outcome = Empty);
        CallRequest { method: method.to_owned(), params, reply, span }
    }

    /// Answers the caller (if it still waits) and records how the call ended.
    pub(crate) fn finish(self, outcome: Outcome) {
        let label = match &outcome {
            Ok(Ok(_)) => "ok",
            Ok(Err(_)) => "reply error",
            Err(_) => "failed",
        };
        self.span.record("outcome", label);
        let _ = self.reply.send(outcome);
    }
}

/// A [`Method`]'s parameters as JSON.
pub(crate) fn params<M: Method>(method: &M) -> Result<Value, Error> {
    serde_json::to_value(method)
        .map_err(|e| Error::invalid_request(format!("{}: parameters do not serialize: {e}", M::NAME)))
}

/// A reply value decoded as `M::Reply`; the error names the method.
pub(crate) fn decode<M: Method>(value: Value) -> Result<M::Reply, Error> {
    serde_json::from_value(value).map_err(|e| {
        Error::protocol(ProtocolErrorKind::Violation, format!("{}: reply does not match its type: {e}", M::NAME))
    })
}

/// The error of a call that got no reply in time.
pub(crate) fn timeout(method: &str, after: Duration) -> Error {
    Error::protocol(ProtocolErrorKind::Timeout, format!("{method}: no reply within {after:?}"))
}
