//! Time arithmetic on figures a server sent: never panics, whatever the figure.
//!
//! `Instant + Duration` panics when the sum does not fit ("overflow when adding duration to
//! instant"), and `expires_in: 9223372036854775807` from a token endpoint is a sum that does
//! not fit. Every lifetime or wait read from a response goes through these helpers instead.

use std::time::Duration;

use tokio::time::Instant;

/// The longest lifetime or wait the client ever plans with: 100 years. Longer figures from a
/// server mean "effectively never" and are clamped to it.
pub const MAX_HORIZON: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// `now + d`, with `d` clamped to [`MAX_HORIZON`] (and saturating if even that does not fit).
///
/// ```
/// use std::time::Duration;
/// use streamkit_runtime::deadline::{after, MAX_HORIZON};
/// let now = tokio::time::Instant::now();
/// assert_eq!(after(now, Duration::MAX), after(now, MAX_HORIZON));
/// assert_eq!(after(now, Duration::from_secs(1)), now + Duration::from_secs(1));
/// ```
pub fn after(now: Instant, d: Duration) -> Instant {
    let d = d.min(MAX_HORIZON);
    now.checked_add(d).unwrap_or_else(|| now.checked_add(Duration::from_secs(3600)).unwrap_or(now))
}

/// A count of seconds a server sent (possibly negative or absurd) as a duration: negative is
/// zero, more than [`MAX_HORIZON`] is [`MAX_HORIZON`].
///
/// ```
/// use std::time::Duration;
/// use streamkit_runtime::deadline::{seconds, MAX_HORIZON};
/// assert_eq!(seconds(-5), Duration::ZERO);
/// assert_eq!(seconds(i64::MAX), MAX_HORIZON);
/// assert_eq!(seconds(90), Duration::from_secs(90));
/// ```
pub fn seconds(n: i64) -> Duration {
    Duration::from_secs(u64::try_from(n).unwrap_or(0)).min(MAX_HORIZON)
}
