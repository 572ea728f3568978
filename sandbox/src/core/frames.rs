//! Frame-level faults, for the websocket servers to come: the per-frame counterpart of
//! [`Fault`](crate::core::Fault). A websocket service keeps a [`FrameFaults`] and asks it,
//! for every frame it is about to send or has received, what to do ([`FrameFaults::take`]);
//! it then drops, delays, corrupts ([`corrupt`]) or closes as told. No service uses it yet.
//!
//! ```
//! use std::time::Duration;
//! use streamkit_sandbox::core::{FrameAction, FrameDirection, FrameFault, FrameFaults};
//! let mut faults = FrameFaults::default();
//! // Delay the next two frames the server sends that mention `"method":"reply"`.
//! faults.inject(FrameFault::new("/socket", FrameDirection::ToClient, FrameAction::Delay(Duration::from_secs(3)))
//!     .containing("\"method\":\"reply\"")
//!     .times(2));
//! let frame = br#"{"type":"x","method":"reply"}"#;
//! assert_eq!(faults.take("/socket", FrameDirection::ToServer, frame), None);
//! assert_eq!(faults.take("/socket", FrameDirection::ToClient, frame), Some(FrameAction::Delay(Duration::from_secs(3))));
//! ```

use std::time::Duration;

/// Which way a frame travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameDirection {
    /// Sent by the server.
    ToClient,
    /// Received from the client.
    ToServer,
}

/// What a [`FrameFault`] does to the frame it matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrameAction {
    /// The frame is never delivered.
    Drop,
    /// The frame is delivered this much later (frames behind it wait: order is kept).
    Delay(Duration),
    /// The frame is delivered cut in half (see [`corrupt`]), so it no longer parses.
    Corrupt,
    /// Instead of the frame, the connection is closed with this close code and reason.
    Close {
        /// The close code (e.g. `1011` internal error, `4000`+ for application codes).
        code: u16,
        /// The close reason.
        reason: String,
    },
}

/// One injected frame fault: which frames it applies to and what it does to them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameFault {
    /// The websocket's path (a trailing `/` ignored), or `"*"` for any.
    pub path: String,
    /// Which way the frames it applies to travel; `None` for both.
    pub direction: Option<FrameDirection>,
    /// Applies only to frames whose payload contains these bytes; `None` for every frame.
    pub containing: Option<Vec<u8>>,
    /// What to do.
    pub action: FrameAction,
    /// How many matching frames to affect; `None` = every one until cleared.
    pub times: Option<u32>,
}

impl FrameFault {
    /// A fault for every frame on `path` travelling `direction`, until cleared.
    pub fn new(path: &str, direction: FrameDirection, action: FrameAction) -> FrameFault {
        FrameFault { path: path.to_owned(), direction: Some(direction), containing: None, action, times: None }
    }

    /// A fault for every frame of every websocket, both ways.
    pub fn any(action: FrameAction) -> FrameFault {
        FrameFault { path: "*".to_owned(), direction: None, containing: None, action, times: None }
    }

    /// Limits the fault to frames whose payload contains `needle`.
    pub fn containing(mut self, needle: impl AsRef<[u8]>) -> FrameFault {
        self.containing = Some(needle.as_ref().to_vec());
        self
    }

    /// Limits the fault to the next `n` matching frames.
    pub fn times(mut self, n: u32) -> FrameFault {
        self.times = Some(n);
        self
    }

    fn matches(&self, path: &str, direction: FrameDirection, payload: &[u8]) -> bool {
        let trim = |p: &str| {
            let t = p.trim_end_matches('/');
            if t.is_empty() { "/".to_owned() } else { t.to_owned() }
        };
        (self.path == "*" || trim(&self.path) == trim(path))
            && self.direction.is_none_or(|d| d == direction)
            && self.containing.as_deref().is_none_or(|needle| contains(payload, needle))
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

/// The active frame faults, in injection order; the first match wins.
#[derive(Clone, Debug, Default)]
pub struct FrameFaults {
    faults: Vec<FrameFault>,
}

impl FrameFaults {
    /// Adds a fault (one with `times(0)` is ignored).
    pub fn inject(&mut self, fault: FrameFault) {
        if fault.times != Some(0) {
            self.faults.push(fault);
        }
    }

    /// Removes every fault.
    pub fn clear(&mut self) {
        self.faults.clear();
    }

    /// The action of the first fault matching the frame, using up one of its `times`.
    pub fn take(&mut self, path: &str, direction: FrameDirection, payload: &[u8]) -> Option<FrameAction> {
        let i = self.faults.iter().position(|f| f.matches(path, direction, payload))?;
        let action = self.faults[i].action.clone();
        if let Some(n) = &mut self.faults[i].times {
            *n -= 1;
            if *n == 0 {
                self.faults.remove(i);
            }
        }
        Some(action)
    }
}

/// The payload [`FrameAction::Corrupt`] delivers: its first half (a JSON frame no longer
/// parses; a text frame stays valid UTF-8, cut at a character boundary).
pub fn corrupt(payload: &[u8]) -> Vec<u8> {
    let mut cut = payload.len() / 2;
    if let Ok(text) = std::str::from_utf8(payload) {
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
    }
    payload[..cut].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_match_wins_and_times_run_out() {
        let mut f = FrameFaults::default();
        f.inject(FrameFault::new("/chat/", FrameDirection::ToClient, FrameAction::Drop).times(1));
        f.inject(FrameFault::any(FrameAction::Corrupt).containing("ping").times(2));
        f.inject(FrameFault::any(FrameAction::Delay(Duration::from_secs(1))).times(0));
        assert_eq!(f.take("/chat", FrameDirection::ToClient, b"ping"), Some(FrameAction::Drop));
        assert_eq!(f.take("/chat", FrameDirection::ToClient, b"ping"), Some(FrameAction::Corrupt));
        assert_eq!(f.take("/other", FrameDirection::ToServer, b"a ping b"), Some(FrameAction::Corrupt));
        assert_eq!(f.take("/chat", FrameDirection::ToClient, b"ping"), None);
        assert_eq!(f.take("/chat", FrameDirection::ToClient, b"pong"), None);
    }

    #[test]
    fn direction_path_and_content_must_all_match() {
        let close = FrameAction::Close { code: 4001, reason: "bye".into() };
        let mut f = FrameFaults::default();
        f.inject(FrameFault::new("/live", FrameDirection::ToServer, close.clone()).containing("subscribe"));
        assert_eq!(f.take("/live", FrameDirection::ToClient, b"subscribe"), None);
        assert_eq!(f.take("/chat", FrameDirection::ToServer, b"subscribe"), None);
        assert_eq!(f.take("/live", FrameDirection::ToServer, b"hello"), None);
        // Without `times`, it applies until cleared.
        for _ in 0..3 {
            assert_eq!(f.take("/live/", FrameDirection::ToServer, b"{\"subscribe\":1}"), Some(close.clone()));
        }
        f.clear();
        assert_eq!(f.take("/live", FrameDirection::ToServer, b"subscribe"), None);
    }

    #[test]
    fn corrupt_cuts_in_half_at_a_character_boundary() {
        assert_eq!(corrupt(br#"{"a":1}"#), br#"{"a"#);
        assert_eq!(corrupt("ééé".as_bytes()), "é".as_bytes());
        assert_eq!(corrupt(&[0xff, 0xfe, 0xfd]), [0xff]);
        assert_eq!(corrupt(b""), b"");
    }
}
