//! The message ids already seen, bounded in count and in time.
//!
//! A message older than the verifier's maximum age is refused by its timestamp, so an id needs
//! to be remembered only that long (plus the allowed clock skew). Past `capacity` ids the
//! oldest is forgotten first: memory stays bounded even under a flood, at the price that a
//! replay of an id evicted that way is caught by its timestamp only.

use std::collections::{HashSet, VecDeque};
use std::time::{Duration, SystemTime};

#[derive(Debug)]
pub(crate) struct SeenIds {
    capacity: usize,
    keep: Duration,
    /// Ids in arrival order, with when they arrived.
    order: VecDeque<(SystemTime, String)>,
    set: HashSet<String>,
}

impl SeenIds {
    pub(crate) fn new(capacity: usize, keep: Duration) -> SeenIds {
        SeenIds { capacity: capacity.max(1), keep, order: VecDeque::new(), set: HashSet::new() }
    }

    /// Records `id` at `now`; false when it was seen (and is still remembered).
    pub(crate) fn insert(&mut self, id: &str, now: SystemTime) -> bool {
        while let Some((at, old)) = self.order.front() {
            let expired = at.checked_add(self.keep).is_none_or(|until| until <= now);
            if !expired {
                break;
            }
            self.set.remove(old);
            self.order.pop_front();
        }
        if self.set.contains(id) {
            return false;
        }
        if self.order.len() >= self.capacity
            && let Some((_, oldest)) = self.order.pop_front()
        {
            self.set.remove(&oldest);
        }
        self.order.push_back((now, id.to_owned()));
        self.set.insert(id.to_owned());
        true
    }

    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_until_expiry_and_within_capacity() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut seen = SeenIds::new(3, Duration::from_secs(60));
        assert!(seen.insert("a", t0));
        assert!(!seen.insert("a", t0 + Duration::from_secs(59)));
        // After `keep`, the id is forgotten (its timestamp check refuses it by then).
        assert!(seen.insert("a", t0 + Duration::from_secs(60)));
        assert_eq!(seen.len(), 1);
        for id in ["b", "c", "d"] {
            assert!(seen.insert(id, t0 + Duration::from_secs(61)));
        }
        // Capacity 3: "a" (the oldest) made room for "d".
        assert_eq!(seen.len(), 3);
        assert!(seen.insert("a", t0 + Duration::from_secs(62)));
        assert!(!seen.insert("d", t0 + Duration::from_secs(62)));
    }
}
