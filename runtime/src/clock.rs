//! The time source: a monotonic clock for waiting and a wall clock for the epoch seconds
//! servers send in headers. Injected, so tests can place a call anywhere within a second
//! and let time pass without sleeping.

use std::fmt::Debug;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

/// Where the runtime reads the time.
///
/// `now` must advance with tokio's clock (the runtime waits with `tokio::time::sleep`), so an
/// implementation either reads `tokio::time::Instant::now()` or adds a fixed offset to it.
pub trait Clock: Send + Sync + Debug {
    /// The monotonic time, used for waits and refills.
    fn now(&self) -> Instant;
    /// The wall-clock time, used to read epoch-second headers such as `Ratelimit-Reset`.
    fn wall(&self) -> SystemTime;

    /// The wall clock in (fractional) seconds since the Unix epoch; 0 before 1970.
    fn epoch_secs(&self) -> f64 {
        self.wall().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
    }
}

/// The real clocks: tokio's monotonic `Instant` (which follows tokio's paused time in tests)
/// and the system's wall clock.
///
/// ```
/// use streamkit_runtime::clock::{Clock, SystemClock};
/// let c = SystemClock;
/// assert!(c.epoch_secs() > 1.6e9);
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
    fn wall(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock whose wall time is derived from tokio's monotonic time: it starts at a chosen
/// wall-clock moment and advances exactly as `tokio::time::Instant` does. Under
/// `#[tokio::test(start_paused = true)]` time then only moves when every task waits, so a
/// test is independent of the machine's speed, and `starting_at` chooses the sub-second
/// phase at which the first call happens.
///
/// ```
/// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
/// use std::time::{Duration, UNIX_EPOCH};
/// use streamkit_runtime::clock::{Clock, TokioClock};
/// let c = TokioClock::starting_at(UNIX_EPOCH + Duration::from_millis(1_700_000_000_700));
/// tokio::time::sleep(Duration::from_millis(500)).await;
/// assert_eq!(c.epoch_secs(), 1_700_000_001.2);
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct TokioClock {
    start: Instant,
    start_wall: SystemTime,
}

impl TokioClock {
    /// A clock that reads `wall` now and follows tokio's time from here on.
    pub fn starting_at(wall: SystemTime) -> Self {
        TokioClock { start: Instant::now(), start_wall: wall }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
    fn wall(&self) -> SystemTime {
        let elapsed = Instant::now().saturating_duration_since(self.start);
        self.start_wall.checked_add(elapsed).unwrap_or(self.start_wall + Duration::ZERO)
    }
}
