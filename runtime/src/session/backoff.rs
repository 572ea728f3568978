//! [`Backoff`]: exponential delays with jitter between reconnect attempts, and the injected
//! randomness ([`Jitter`]) that makes them reproducible in tests.

use std::fmt::Debug;
use std::time::Duration;

/// Exponential backoff with jitter: attempt `n` (0-based) waits
/// `base = min(max, initial × multiplier^n)`, of which the fraction `jitter` is random:
/// `base × (1 − jitter) + base × jitter × u` for `u` in `[0, 1)` from a [`Jitter`].
///
/// ```
/// use std::time::Duration;
/// use streamkit_runtime::session::Backoff;
/// let b = Backoff::default();
/// assert_eq!(b.delay(0, 0.0), Duration::from_millis(250));
/// assert_eq!(b.delay(2, 0.5), Duration::from_millis(1500)); // base 2 s, half of it random
/// assert_eq!(b.delay(40, 0.0), Duration::from_secs(15)); // base capped at 30 s
/// assert!(b.delay(40, 0.999) <= b.max);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Backoff {
    /// The first delay, before jitter (default 500 ms).
    pub initial: Duration,
    /// The longest delay (default 30 s).
    pub max: Duration,
    /// Growth per attempt (default 2).
    pub multiplier: f64,
    /// The random fraction of each delay, 0 to 1 (default 0.5).
    pub jitter: f64,
    /// Consecutive failed attempts after which the session gives up (`None`: never; default 10).
    pub max_attempts: Option<u32>,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(30),
            multiplier: 2.0,
            jitter: 0.5,
            max_attempts: Some(10),
        }
    }
}

impl Backoff {
    /// The delay before attempt `attempt` (0-based), with `unit` the random draw in `[0, 1)`
    /// (clamped). Never longer than [`Backoff::max`].
    pub fn delay(&self, attempt: u32, unit: f64) -> Duration {
        let max = self.max.as_secs_f64();
        let exp = self.multiplier.max(1.0).powi(i32::try_from(attempt).unwrap_or(i32::MAX));
        let base = (self.initial.as_secs_f64() * exp).min(max);
        let jitter = self.jitter.clamp(0.0, 1.0);
        let unit = if unit.is_finite() { unit.clamp(0.0, 1.0) } else { 0.0 };
        let secs = (base * (1.0 - jitter) + base * jitter * unit).clamp(0.0, max);
        Duration::try_from_secs_f64(secs).unwrap_or(self.max)
    }
}

/// Where backoff jitter comes from: a draw in `[0, 1)` per delay. Inject a fixed sequence in
/// tests to know every delay.
pub trait Jitter: Send + Debug + 'static {
    /// The next draw, in `[0, 1)`.
    fn unit(&mut self) -> f64;
}

/// Jitter from a fast non-cryptographic generator, seeded from the OS (the default).
#[derive(Debug)]
pub struct RandomJitter(fastrand::Rng);

impl Default for RandomJitter {
    fn default() -> Self {
        RandomJitter(fastrand::Rng::new())
    }
}

impl RandomJitter {
    /// A generator with a fixed seed: the same delays every run.
    pub fn seeded(seed: u64) -> Self {
        RandomJitter(fastrand::Rng::with_seed(seed))
    }
}

impl Jitter for RandomJitter {
    fn unit(&mut self) -> f64 {
        self.0.f64()
    }
}
