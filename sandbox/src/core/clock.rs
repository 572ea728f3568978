//! The sandbox's time source, injectable so tests can choose the wall-clock moment (down to
//! the sub-second phase) and let time pass without sleeping.

use std::fmt::Debug;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Where the sandbox reads the time.
pub trait Clock: Send + Sync + Debug {
    /// Monotonic time, for refills and expiries.
    fn now(&self) -> Instant;
    /// Wall-clock time, for the epoch seconds in headers such as `Ratelimit-Reset`.
    fn wall(&self) -> SystemTime;
}

/// The real clocks. The monotonic one is tokio's, so it follows paused time in tests.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }
    fn wall(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Wall time that starts at a chosen moment and advances exactly as tokio's clock does; with
/// `#[tokio::test(start_paused = true)]` the sandbox then runs on simulated time.
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
/// use std::time::{Duration, UNIX_EPOCH};
/// use streamkit_sandbox::{Clock, TokioClock};
/// let c = TokioClock::starting_at(UNIX_EPOCH + Duration::from_millis(1_700_000_000_250));
/// tokio::time::sleep(Duration::from_secs(2)).await;
/// assert_eq!(c.wall(), UNIX_EPOCH + Duration::from_millis(1_700_000_002_250));
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct TokioClock {
    start: tokio::time::Instant,
    start_wall: SystemTime,
}

impl TokioClock {
    /// A clock reading `wall` now.
    pub fn starting_at(wall: SystemTime) -> Self {
        TokioClock { start: tokio::time::Instant::now(), start_wall: wall }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }
    fn wall(&self) -> SystemTime {
        let elapsed = tokio::time::Instant::now().saturating_duration_since(self.start);
        self.start_wall.checked_add(elapsed).unwrap_or(self.start_wall)
    }
}

/// Seconds since the Unix epoch (0 before it).
pub(crate) fn epoch_secs(clock: &dyn Clock) -> f64 {
    clock.wall().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}
