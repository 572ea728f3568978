//! [`RecentIds`]: a bounded memory of message ids, for protocols whose peer may deliver a
//! message twice (at-least-once delivery, or the overlap of a move, when old and new
//! connections both carry it).

use std::collections::{HashSet, VecDeque};

/// The last `capacity` message ids seen. [`RecentIds::first_time`] says whether an id is new;
/// the oldest id is forgotten when a new one would pass the capacity, so memory stays bounded
/// whatever the peer sends.
///
/// A protocol keeps one (behind a `Mutex`) and answers [`Incoming::Ignore`](super::Incoming::Ignore)
/// from `classify` for a repeat.
///
/// ```
/// use streamkit_runtime::session::RecentIds;
/// let mut seen = RecentIds::new(2);
/// assert!(seen.first_time("a"));
/// assert!(!seen.first_time("a"));
/// assert!(seen.first_time("b"));
/// assert!(seen.first_time("c")); // "a" is forgotten now
/// assert!(seen.first_time("a"));
/// assert_eq!(seen.len(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct RecentIds {
    capacity: usize,
    ids: HashSet<String>,
    order: VecDeque<String>,
}

/// Longest id remembered (bytes); a longer one is remembered by its first bytes.
const MAX_ID: usize = 256;

impl RecentIds {
    /// Remembers up to `capacity` ids (at least 1).
    pub fn new(capacity: usize) -> Self {
        RecentIds { capacity: capacity.max(1), ids: HashSet::new(), order: VecDeque::new() }
    }

    /// Whether `id` was not among the recent ids; it is one from now on.
    pub fn first_time(&mut self, id: &str) -> bool {
        let id = crate::redact::bound(id, MAX_ID);
        if self.ids.contains(&id) {
            return false;
        }
        if self.order.len() >= self.capacity
            && let Some(oldest) = self.order.pop_front()
        {
            self.ids.remove(&oldest);
        }
        self.ids.insert(id.clone());
        self.order.push_back(id);
        true
    }

    /// How many ids are remembered.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}
