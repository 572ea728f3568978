//! [`SessionConfig`]: the figures a session keeps to (timeouts, queue and frame bounds).

use std::time::Duration;

use super::backoff::Backoff;

/// The bounds and timeouts of a [`Session`](super::Session). Build it from
/// [`SessionConfig::default`] and change the fields you need.
///
/// ```
/// use std::time::Duration;
/// use streamkit_runtime::session::SessionConfig;
/// let mut config = SessionConfig::default();
/// config.call_timeout = Duration::from_secs(5);
/// config.max_frame = 256 * 1024;
/// assert_eq!(config.send_queue, 64);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SessionConfig {
    /// How long a call may take, from being queued to its reply (default 10 s).
    pub call_timeout: Duration,
    /// How long one endpoint's connect and websocket handshake may take (default 10 s).
    pub connect_timeout: Duration,
    /// How long the protocol's re-establishment hook may take (default 30 s).
    pub reestablish_timeout: Duration,
    /// How long writing one frame may take before the connection is taken for dead (default 10 s).
    pub write_timeout: Duration,
    /// How long a clean close waits for the peer's close frame (default 5 s).
    pub close_timeout: Duration,
    /// Calls waiting to be sent; a full queue makes `call` wait (back-pressure) and `try_call`
    /// refuse (default 64).
    pub send_queue: usize,
    /// Calls sent and waiting for their reply at once (default 64); more wait in the queue.
    pub max_in_flight: usize,
    /// Events buffered for the event stream; past it events are dropped and counted in a
    /// [`SessionEvent::Lagged`](super::SessionEvent::Lagged) (default 1024).
    pub event_buffer: usize,
    /// The largest frame sent or received, and the largest message after decompression
    /// (bytes, default 1 MiB). A larger incoming frame closes the connection with 1009.
    pub max_frame: usize,
    /// The delays between reconnect attempts.
    pub backoff: Backoff,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            call_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
            reestablish_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(10),
            close_timeout: Duration::from_secs(5),
            send_queue: 64,
            max_in_flight: 64,
            event_buffer: 1024,
            max_frame: 1 << 20,
            backoff: Backoff::default(),
        }
    }
}
