//! When a failed attempt is sent again, and how long to wait first.

mod policy;

pub use policy::RetryPolicy;

use reqwest::StatusCode;

/// 429 and the 5xx statuses that mean "try again later".
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 502 | 503 | 504)
}
