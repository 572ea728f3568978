//! Chat authkeys: handed out by `GET /v1/chats/{channelId}` to a token with `chat:connect`,
//! each bound to that channel and user, and good for one `auth` (reference B.1: "short
//! lived, single use, chat only").

use std::collections::{BTreeMap, VecDeque};

/// Outstanding (unused) authkeys kept; the oldest are forgotten first.
pub const MAX_OUTSTANDING: usize = 10_000;

/// What an authkey lets its holder join as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// The channel index.
    pub channel: usize,
    /// The user index.
    pub user: usize,
    /// The scopes of the token the key was fetched with (they decide the chat methods the
    /// session may call).
    pub scopes: Vec<String>,
}

/// The outstanding authkeys.
#[derive(Debug, Default)]
pub struct Authkeys {
    issued: u64,
    keys: BTreeMap<String, Grant>,
    order: VecDeque<String>,
    /// Every key's number (1, 2, …: the order they were issued), outstanding or used, for
    /// the log's labels; the oldest are forgotten beyond [`MAX_OUTSTANDING`] × 2.
    serials: BTreeMap<String, u64>,
    serial_order: VecDeque<String>,
}

impl Authkeys {
    /// A new key for `grant`: 32 hex characters like Mixer's, distinct for every call.
    pub fn issue(&mut self, grant: Grant) -> String {
        self.issued += 1;
        let n = self.issued;
        let key = format!(
            "{:016x}{:016x}",
            n.wrapping_mul(0x9e37_79b9_7f4a_7c15),
            (n ^ 0xa5a5_5a5a).wrapping_mul(0xc2b2_ae3d_27d4_eb4f)
        );
        while self.order.len() >= MAX_OUTSTANDING {
            if let Some(old) = self.order.pop_front() {
                self.keys.remove(&old);
            }
        }
        self.keys.insert(key.clone(), grant);
        self.order.push_back(key.clone());
        while self.serial_order.len() >= 2 * MAX_OUTSTANDING {
            if let Some(old) = self.serial_order.pop_front() {
                self.serials.remove(&old);
            }
        }
        self.serials.insert(key.clone(), n);
        self.serial_order.push_back(key.clone());
        key
    }

    /// What the frame log shows instead of `key`: `<authkey #3>` (the third key issued,
    /// unused), `<authkey #3, used>`, or `<authkey unknown>`; never the key.
    pub fn label(&self, key: &str) -> String {
        match (self.serials.get(key), self.keys.contains_key(key)) {
            (Some(n), true) => format!("<authkey #{n}>"),
            (Some(n), false) => format!("<authkey #{n}, used>"),
            (None, _) => "<authkey unknown>".to_owned(),
        }
    }

    /// Uses `key` to join `channel` as `user`: the grant when it matches (the key is then
    /// gone), `None` when the key is unknown, used, or for another channel or user (a
    /// mismatch leaves the key usable by its rightful holder).
    pub fn redeem(&mut self, key: &str, channel: usize, user: usize) -> Option<Grant> {
        let grant = self.keys.get(key).filter(|g| g.channel == channel && g.user == user)?.clone();
        self.keys.remove(key);
        self.order.retain(|k| k != key);
        Some(grant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_works_once_and_only_for_its_channel_and_user() {
        let mut keys = Authkeys::default();
        let grant = Grant { channel: 1, user: 2, scopes: vec!["chat:chat".into()] };
        let key = keys.issue(grant.clone());
        assert_eq!(key.len(), 32);
        assert_ne!(keys.issue(grant.clone()), key);
        assert_eq!(keys.label(&key), "<authkey #1>");
        assert_eq!(keys.redeem(&key, 1, 3), None, "another user");
        assert_eq!(keys.redeem(&key, 2, 2), None, "another channel");
        assert_eq!(keys.redeem(&key, 1, 2), Some(grant));
        assert_eq!(keys.redeem(&key, 1, 2), None, "used");
        assert_eq!(keys.label(&key), "<authkey #1, used>");
        assert_eq!(keys.label("guess"), "<authkey unknown>");
    }

    #[test]
    fn outstanding_keys_are_bounded() {
        let mut keys = Authkeys::default();
        let first = keys.issue(Grant { channel: 0, user: 0, scopes: vec![] });
        for _ in 0..MAX_OUTSTANDING {
            keys.issue(Grant { channel: 0, user: 0, scopes: vec![] });
        }
        assert_eq!(keys.keys.len(), MAX_OUTSTANDING);
        assert_eq!(keys.redeem(&first, 0, 0), None);
    }
}
