//! What identifies a page: a cursor or a page number, and the guard against cursors that
//! repeat.

use std::collections::VecDeque;
use std::hash::{DefaultHasher, Hash, Hasher};

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PageToken {
    /// Forward from a cursor (`after`).
    After(String),
    /// Backward from a cursor (`before`).
    Before(String),
    /// A page number (1-based), for `page` + `limit` APIs.
    Number(u64),
}

/// Remembers the last cursors seen (hashes only, a bounded number, so memory does not grow
/// with the list) and says when one comes back.
#[derive(Debug, Default)]
pub struct RepeatGuard {
    recent: VecDeque<u64>,
}

impl RepeatGuard {
    const KEEP: usize = 64;

    /// Records `cursor`; `false` when it was seen recently (the server is looping).
    ///
    /// ```
    /// use streamkit_runtime::pagination::RepeatGuard;
    /// let mut g = RepeatGuard::default();
    /// assert!(g.check("a"));
    /// assert!(g.check("b"));
    /// assert!(!g.check("a"));
    /// ```
    pub fn check(&mut self, cursor: &str) -> bool {
        let mut h = DefaultHasher::new();
        cursor.hash(&mut h);
        let h = h.finish();
        if self.recent.contains(&h) {
            return false;
        }
        if self.recent.len() == Self::KEEP {
            self.recent.pop_front();
        }
        self.recent.push_back(h);
        true
    }
}
