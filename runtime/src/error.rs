//! The one error type every generated call returns.

use std::fmt;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::ratelimit::RateLimitInfo;
pub use crate::redact::{MAX_BODY, MAX_JSON_STRING, bound as bound_text};
pub use crate::refusal::Refusal;

/// Longest message text shown by an error's `Display` (bytes).
const MAX_DISPLAY: usize = 1024;

/// What went wrong with a call. Secrets never appear in it: bodies are redacted when they are
/// read, and credentials are kept out of every message.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The request was refused before it was sent: a missing or invalid parameter, a header
    /// value with CR/LF, ...
    InvalidRequest {
        /// The operation, when known.
        operation: Option<&'static str>,
        /// What was wrong.
        message: String,
    },
    /// Credentials were missing, or obtaining a token failed.
    Auth {
        /// The operation, when known.
        operation: Option<&'static str>,
        /// What was wrong.
        message: String,
    },
    /// The client is misconfigured (bad base URL, https without TLS support, ...).
    Config(String),
    /// The request never got a response: connection refused, timeout, reset.
    Communication {
        /// The operation, when known.
        operation: Option<&'static str>,
        /// The transport error.
        source: reqwest::Error,
    },
    /// The server answered with a status that is not a success.
    Api(Box<ApiError>),
    /// A success response whose body did not match the spec.
    Decode {
        /// The operation, when known.
        operation: Option<&'static str>,
        /// The body, redacted and cut to 4 KiB.
        body: String,
        /// The decoder's complaint.
        source: serde_json::Error,
    },
    /// A failure of a non-HTTP protocol (a websocket session, a message stream): a frame that
    /// breaks the protocol, a reply reporting an error, a close with an error code.
    Protocol {
        /// The operation or method, when known.
        operation: Option<&'static str>,
        /// What failed.
        kind: ProtocolErrorKind,
        /// What the peer or the decoder said.
        message: String,
    },
    /// Strict mode: the response decoded, but carried values the spec does not know
    /// (unknown enum values, undocumented fields). Lists where.
    Drift {
        /// The operation.
        operation: &'static str,
        /// One entry per unknown value or field, e.g. `data[0].extra.new_field`.
        paths: Vec<String>,
    },
    /// The client refused to go on against a server that would make it buffer, wait or loop
    /// without end: a body over the cap, a wait past the call's timeout, a redirect of a
    /// write, a cursor that cycles. [`Refusal`] says which, with the figures.
    Refused {
        /// The operation, when known.
        operation: Option<&'static str>,
        /// What was refused.
        reason: Refusal,
    },
}

/// What kind of non-HTTP failure an [`Error::Protocol`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtocolErrorKind {
    /// The peer sent something the protocol does not allow (bad frame, unexpected message).
    Violation,
    /// A reply to a request reported an error, with the protocol's own code when it gave one
    /// (some protocols answer with a bare error string).
    Reply {
        /// The error code in the reply, when the reply carried one.
        code: Option<i64>,
    },
    /// The peer closed the session with this code.
    Closed {
        /// The close code (websocket: 1000-4999).
        code: u16,
    },
    /// No reply arrived within the call's timeout (or the re-establishment hook overran its
    /// own). The call may still have been carried out by the peer.
    Timeout,
    /// No endpoint could be connected to (each was tried in order); the message lists why.
    Connect,
    /// The connection was lost while the call waited for its reply, and the protocol does not
    /// declare the method safe to send again; whether the peer carried it out is unknown.
    Interrupted,
    /// The session has ended (closed by the client, or given up on): nothing more is sent.
    Ended,
    /// A frame over the session's size limit (received, sent, or after decompression).
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The send queue is full (the non-waiting `try_` calls refuse instead of waiting).
    QueueFull {
        /// How many calls the queue holds.
        capacity: usize,
    },
}

/// A non-success response, with everything the server said.
#[derive(Debug)]
pub struct ApiError {
    /// The operation.
    pub operation: Option<&'static str>,
    /// HTTP status.
    pub status: StatusCode,
    /// Response headers (sensitive ones are marked and print as `Sensitive`).
    pub headers: HeaderMap,
    /// The body, parsed when it was JSON, redacted.
    pub body: ErrorBody,
    /// Rate-limit figures from the response headers, if present.
    pub rate_limit: Option<RateLimitInfo>,
    /// How many attempts were made before giving up.
    pub attempts: u32,
}

/// An error response body.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorBody {
    /// A JSON body (secret-looking fields replaced by `"[redacted]"`).
    Json(serde_json::Value),
    /// A non-JSON body, redacted and cut to 4 KiB.
    Text(String),
    /// No body.
    Empty,
}

impl ApiError {
    /// The server's `message` field, when the body is JSON and has one.
    pub fn message(&self) -> Option<&str> {
        match &self.body {
            ErrorBody::Json(v) => v.get("message").and_then(|m| m.as_str()),
            _ => None,
        }
    }

    /// Decodes the JSON body into a service's error schema (e.g. `types::Error`).
    pub fn body_as<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        match &self.body {
            ErrorBody::Json(v) => serde_json::from_value(v.clone()).ok(),
            _ => None,
        }
    }
}

impl Error {
    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        Error::InvalidRequest { operation: None, message: message.into() }
    }

    pub(crate) fn auth(message: impl Into<String>) -> Self {
        Error::Auth { operation: None, message: message.into() }
    }

    pub(crate) fn refused(reason: Refusal) -> Self {
        Error::Refused { operation: None, reason }
    }

    /// What was refused, for an [`Error::Refused`].
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            Error::Refused { reason, .. } => Some(reason),
            _ => None,
        }
    }

    pub(crate) fn protocol(kind: ProtocolErrorKind, message: impl Into<String>) -> Self {
        Error::Protocol { operation: None, kind, message: message.into() }
    }

    /// What kind of protocol failure this is, for an [`Error::Protocol`].
    pub fn protocol_kind(&self) -> Option<&ProtocolErrorKind> {
        match self {
            Error::Protocol { kind, .. } => Some(kind),
            _ => None,
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::Config(message.into())
    }

    /// Attaches the operation id if the error has none yet.
    pub fn with_operation(mut self, op: &'static str) -> Self {
        match &mut self {
            Error::InvalidRequest { operation, .. }
            | Error::Auth { operation, .. }
            | Error::Communication { operation, .. }
            | Error::Decode { operation, .. }
            | Error::Protocol { operation, .. }
            | Error::Refused { operation, .. } => {
                operation.get_or_insert(op);
            }
            Error::Api(api) => {
                api.operation.get_or_insert(op);
            }
            Error::Config(_) | Error::Drift { .. } => {}
        }
        self
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status),
            _ => None,
        }
    }

    /// The non-success response, when the server answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// Whether sending the same request again later may succeed (429, 5xx, connection errors;
    /// a protocol session closed by the peer without an error code of its own).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Protocol { kind: ProtocolErrorKind::Closed { code }, .. } => {
                matches!(code, 1001 | 1006 | 1012 | 1013)
            }
            Error::Protocol {
                kind: ProtocolErrorKind::Connect | ProtocolErrorKind::Interrupted | ProtocolErrorKind::QueueFull { .. },
                ..
            } => true,
            Error::Api(api) => crate::retry::is_retryable_status(api.status),
            Error::Communication { source, .. } => source.is_connect() || source.is_timeout(),
            _ => false,
        }
    }

    /// Rate-limit figures the server sent with the error, if any.
    pub fn rate_limit(&self) -> Option<&RateLimitInfo> {
        self.api().and_then(|a| a.rate_limit.as_ref())
    }
}

/// Messages are bounded and scrubbed of credential-looking text when shown, whatever built
/// them (bodies were scrubbed of the client's own secrets when they were stored).
fn shown(m: &str) -> String {
    crate::redact::bound(&crate::redact::scrub(&crate::redact::bound(m, MAX_DISPLAY * 2), &[]), MAX_DISPLAY)
}

fn op(o: &Option<&'static str>) -> String {
    o.map(|o| format!("{o}: ")).unwrap_or_default()
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidRequest { operation, message } => {
                write!(f, "{}invalid request: {}", op(operation), shown(message))
            }
            Error::Auth { operation, message } => write!(f, "{}authentication: {}", op(operation), shown(message)),
            Error::Config(m) => write!(f, "client configuration: {}", shown(m)),
            Error::Communication { operation, source } => {
                // reqwest's Display includes the URL; ours never carry credentials.
                write!(f, "{}no response: {source}", op(operation))
            }
            Error::Api(api) => {
                write!(f, "{}server answered {}", op(&api.operation), api.status)?;
                match (&api.body, api.message()) {
                    (_, Some(m)) => write!(f, ": {}", shown(m)),
                    (ErrorBody::Text(t), None) if !t.is_empty() => write!(f, ": {}", crate::redact::bound(t, 200)),
                    _ => Ok(()),
                }
            }
            Error::Decode { operation, source, .. } => {
                // serde quotes the offending value, which a server chose: bounded and scrubbed.
                write!(f, "{}response did not match the spec: {}", op(operation), shown(&source.to_string()))
            }
            Error::Protocol { operation, kind, message } => match (kind, shown(message)) {
                (ProtocolErrorKind::Violation, message) => write!(f, "{}protocol violation: {message}", op(operation)),
                (ProtocolErrorKind::Reply { code: Some(code) }, message) => {
                    write!(f, "{}reply error {code}: {message}", op(operation))
                }
                (ProtocolErrorKind::Reply { code: None }, message) => {
                    write!(f, "{}reply error: {message}", op(operation))
                }
                (ProtocolErrorKind::Closed { code }, message) => {
                    write!(f, "{}session closed ({code}): {message}", op(operation))
                }
                (ProtocolErrorKind::Timeout, message) => write!(f, "{}timed out: {message}", op(operation)),
                (ProtocolErrorKind::Connect, message) => write!(f, "{}could not connect: {message}", op(operation)),
                (ProtocolErrorKind::Interrupted, message) => {
                    write!(f, "{}connection lost before the reply: {message}", op(operation))
                }
                (ProtocolErrorKind::Ended, message) => write!(f, "{}session ended: {message}", op(operation)),
                (ProtocolErrorKind::TooLarge { limit }, message) => {
                    write!(f, "{}frame over the {limit}-byte limit: {message}", op(operation))
                }
                (ProtocolErrorKind::QueueFull { capacity }, message) => {
                    write!(f, "{}send queue full ({capacity} calls): {message}", op(operation))
                }
            },
            Error::Drift { operation, paths } => write!(
                f,
                "{operation}: strict mode: response carries values the spec does not know: {}",
                shown(&paths.join(", "))
            ),
            Error::Refused { operation, reason } => write!(f, "{}refused: {reason}", op(operation)),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Communication { source, .. } => Some(source),
            Error::Decode { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_errors_name_the_operation_and_the_code() {
        let e = Error::Protocol {
            operation: None,
            kind: ProtocolErrorKind::Reply { code: Some(4001) },
            message: "not allowed".into(),
        }
        .with_operation("chat.send");
        assert_eq!(e.to_string(), "chat.send: reply error 4001: not allowed");
        assert!(!e.is_retryable());
        let closed = Error::Protocol {
            operation: None,
            kind: ProtocolErrorKind::Closed { code: 1012 },
            message: "restart".into(),
        };
        assert!(closed.is_retryable(), "a service restart is worth reconnecting for");
        assert!(closed.status().is_none());
    }
}
