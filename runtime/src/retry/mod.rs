//! When a failed attempt is sent again, and how long to wait first.
//!
//! * [`RetryPolicy`]: the budgets and waits (neutral defaults, a service's declared ones).
//! * [`RetryClassifier`]: per answer, what the send loop does next; [`HttpClassifier`] for HTTP.

mod classifier;
mod policy;

pub use classifier::{
    AttemptContext, HttpClassifier, HttpReply, RetriesSpent, RetryAction, RetryClassifier, RetryReason,
};
pub use policy::RetryPolicy;

use reqwest::StatusCode;

/// 429 and the 5xx statuses that mean "try again later".
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 502 | 503 | 504)
}
