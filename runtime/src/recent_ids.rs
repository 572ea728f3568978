//! [`RecentIds`]: a bounded memory of message ids, for protocols whose peer may deliver a
//! message twice (at-least-once delivery, a webhook replayed, or the overlap of a session
//! move, when old and new connections both carry it).

use std::collections::{HashSet, VecDeque};
use std::time::{Duration, SystemTime};

/// The last `capacity` message ids seen, optionally each for a limited time only.
///
/// [`RecentIds::first_time`] says whether an id is new; the oldest id is forgotten when a new
/// one would pass the capacity, so memory stays bounded whatever the peer sends. A protocol
/// keeps one (behind a `Mutex`) and answers
/// [`Incoming::Ignore`](crate::session::Incoming::Ignore) from `classify` for a repeat.
///
/// ```
/// use streamkit_runtime::recent_ids::RecentIds;
/// let mut seen = RecentIds::new(2);
/// assert!(seen.first_time("a"));
/// assert!(!seen.first_time("a"));
/// assert!(seen.first_time("b"));
/// assert!(seen.first_time("c")); // "a" is forgotten now
/// assert!(seen.first_time("a"));
/// assert_eq!(seen.len(), 2);
/// ```
///
/// Where a message also carries a timestamp that is refused past some age (a signed webhook),
/// an id needs remembering only that long: [`RecentIds::expiring`] forgets it then, on the
/// clock the caller passes to [`RecentIds::first_time_at`].
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use streamkit_runtime::recent_ids::RecentIds;
/// let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// let mut seen = RecentIds::expiring(100, Duration::from_secs(60));
/// assert!(seen.first_time_at("a", t0));
/// assert!(!seen.first_time_at("a", t0 + Duration::from_secs(59)));
/// assert!(seen.first_time_at("a", t0 + Duration::from_secs(60))); // forgotten after 60 s
/// ```
#[derive(Debug, Clone)]
pub struct RecentIds {
    capacity: usize,
    /// How long an id is remembered, when ids expire.
    keep: Option<Duration>,
    ids: HashSet<String>,
    /// Ids in arrival order, with when they arrived (`None` for ids recorded without a time).
    order: VecDeque<(Option<SystemTime>, String)>,
}

/// Longest id remembered (bytes); a longer one is remembered by its first bytes.
const MAX_ID: usize = 256;

impl RecentIds {
    /// Remembers up to `capacity` ids (at least 1), until the capacity pushes them out.
    pub fn new(capacity: usize) -> Self {
        RecentIds { capacity: capacity.max(1), keep: None, ids: HashSet::new(), order: VecDeque::new() }
    }

    /// Remembers up to `capacity` ids (at least 1), each for `keep` at most after it was
    /// recorded with [`RecentIds::first_time_at`].
    pub fn expiring(capacity: usize, keep: Duration) -> Self {
        RecentIds { keep: Some(keep), ..RecentIds::new(capacity) }
    }

    /// Whether `id` was not among the recent ids; it is one from now on.
    pub fn first_time(&mut self, id: &str) -> bool {
        self.record(id, None)
    }

    /// [`RecentIds::first_time`] at `now`: ids older than the expiry are forgotten first.
    pub fn first_time_at(&mut self, id: &str, now: SystemTime) -> bool {
        self.forget_expired(now);
        self.record(id, Some(now))
    }

    fn forget_expired(&mut self, now: SystemTime) {
        let Some(keep) = self.keep else { return };
        while let Some((Some(at), _)) = self.order.front() {
            let expired = at.checked_add(keep).is_none_or(|until| until <= now);
            if !expired {
                break;
            }
            if let Some((_, old)) = self.order.pop_front() {
                self.ids.remove(&old);
            }
        }
    }

    fn record(&mut self, id: &str, now: Option<SystemTime>) -> bool {
        let id = crate::redact::bound(id, MAX_ID);
        if self.ids.contains(&id) {
            return false;
        }
        if self.order.len() >= self.capacity
            && let Some((_, oldest)) = self.order.pop_front()
        {
            self.ids.remove(&oldest);
        }
        self.ids.insert(id.clone());
        self.order.push_back((now, id));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_and_capacity_both_bound_the_memory() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let at = |s| t0 + Duration::from_secs(s);
        let mut seen = RecentIds::expiring(3, Duration::from_secs(60));
        assert!(seen.first_time_at("a", at(0)));
        assert!(!seen.first_time_at("a", at(59)));
        assert!(seen.first_time_at("a", at(60)));
        assert_eq!(seen.len(), 1);
        for id in ["b", "c", "d"] {
            assert!(seen.first_time_at(id, at(61)));
        }
        // Capacity 3: "a" (the oldest) made room for "d".
        assert_eq!(seen.len(), 3);
        assert!(seen.first_time_at("a", at(62)));
        assert!(!seen.first_time_at("d", at(62)));
    }

    #[test]
    fn a_clock_going_back_forgets_nothing_early() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut seen = RecentIds::expiring(8, Duration::from_secs(60));
        assert!(seen.first_time_at("a", t0));
        assert!(!seen.first_time_at("a", t0 - Duration::from_secs(3600)));
    }

    #[test]
    fn long_ids_are_bounded() {
        let mut seen = RecentIds::new(4);
        let long = "x".repeat(10_000);
        assert!(seen.first_time(&long));
        assert!(!seen.first_time(&long));
        assert!(seen.order.iter().all(|(_, id)| id.len() <= 2 * MAX_ID));
    }
}
