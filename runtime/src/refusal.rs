//! The bounds the client keeps against a server that would otherwise make it buffer, wait or
//! loop without end: what an [`crate::Error::Refused`] says was refused.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

/// Which bound a call ran into. Each names the figure it refused and the limit it applied.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// The response body is larger than the client's cap
    /// ([`crate::ClientBuilder::max_response_body`]); the rest was not read.
    BodyTooLarge {
        /// The cap, in bytes.
        limit: u64,
        /// The `Content-Length` the server declared, when it declared one over the cap.
        declared: Option<u64>,
    },
    /// A wait longer than the call allows (its timeout, or the documented maximum for that
    /// kind of wait); the call failed at once instead of waiting.
    WaitTooLong {
        /// What would have been waited for: `"rate-limit points"`, `"rate-limit reset"`, ...
        what: &'static str,
        /// How long the wait would have been.
        wait: Duration,
        /// The longest wait allowed.
        max: Duration,
    },
    /// The server redirected a request the client does not resend: a non-idempotent one (a
    /// write would be replayed or turned into a `GET`), or past the hop limit.
    Redirect {
        /// The redirect's status.
        status: StatusCode,
        /// Its `Location`, without query (it may carry tokens).
        location: Option<String>,
        /// Why it was not followed.
        reason: &'static str,
    },
    /// The server returned a cursor it had returned before in this walk: the list loops.
    CursorCycle {
        /// The cursor, cut to 64 characters.
        cursor: String,
        /// How many pages had been fetched.
        pages: u64,
    },
    /// More consecutive empty pages than the paginator allows
    /// ([`crate::pagination::Paginator::max_empty_pages`]), each with a new cursor.
    EmptyPages {
        /// The limit that was reached.
        limit: u32,
    },
    /// The walk fetched more pages than the paginator remembers cursors of
    /// ([`crate::pagination::Paginator::max_pages`]).
    TooManyPages {
        /// The limit that was reached.
        limit: u64,
    },
    /// The task fetching pages ahead of the consumer ended abnormally (it panicked); the
    /// list is incomplete.
    PageProducerFailed {
        /// What the panic said, when it was text.
        message: String,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::BodyTooLarge { limit, declared: Some(d) } => {
                write!(f, "response body of {d} bytes exceeds the {limit}-byte limit; not read")
            }
            Refusal::BodyTooLarge { limit, declared: None } => {
                write!(f, "response body exceeds the {limit}-byte limit; stopped reading")
            }
            Refusal::WaitTooLong { what, wait, max } => {
                write!(f, "would wait {wait:?} for {what}, longer than the {max:?} allowed")
            }
            Refusal::Redirect { status, location, reason } => {
                write!(
                    f,
                    "redirect {status} to {} not followed: {reason}",
                    location.as_deref().unwrap_or("(no location)")
                )
            }
            Refusal::CursorCycle { cursor, pages } => {
                write!(
                    f,
                    "the server returned cursor {cursor:?}, which it had already returned, after {pages} pages; stopping instead of looping"
                )
            }
            Refusal::EmptyPages { limit } => {
                write!(f, "{limit} empty pages in a row, each with a new cursor; stopping")
            }
            Refusal::TooManyPages { limit } => write!(f, "more than {limit} pages; stopping"),
            Refusal::PageProducerFailed { message } => write!(f, "the page fetching task failed: {message}"),
        }
    }
}
