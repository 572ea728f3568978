//! Everything the fake MEDKit remembers, for the life of the server: the JSON stores keyed
//! by extension / channel / viewer, aggregations, codes, trivia, pins and broadcasts.

use super::auth::AuthMode;
use crate::core::{Clock, lock};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::UNIX_EPOCH;

/// A message sent through `broadcast`, `extension_broadcast`, `whisper_self` or
/// `pusher_broadcast`, as the sandbox recorded it.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedBroadcast {
    /// The endpoint (`broadcast`, `extension_broadcast`, `whisper_self`, `pusher_broadcast`).
    pub endpoint: String,
    /// The extension (client id).
    pub extension: String,
    /// `broadcast`, `whisper-<id>`, or for `whisper_self` `whisper-<caller>`.
    pub target: String,
    /// The event name.
    pub event: String,
    /// The channel, when the message is for one.
    pub channel_id: Option<String>,
    /// The payload.
    pub data: Value,
}

/// One vote.
#[derive(Clone, Debug)]
pub struct Vote {
    pub value: i64,
    pub count: i64,
    pub timestamp: u64,
}

/// One accumulation entry.
#[derive(Clone, Debug)]
pub struct Accumulated {
    pub observed: u64,
    pub channel_id: String,
    pub opaque_user_id: String,
    pub user_id: String,
    pub data: Value,
}

/// Game codes of one extension.
#[derive(Clone, Debug, Default)]
pub struct Codes {
    pub names: Vec<String>,
    pub sets: Vec<Vec<String>>,
    pub distributed: Vec<i64>,
    /// Per user: eligible prize slots.
    pub eligible: HashMap<String, BTreeSet<i64>>,
    /// Per user: redeemed codes per slot.
    pub redeemed: HashMap<String, BTreeMap<i64, Vec<String>>>,
}

/// The mutable data.
#[derive(Debug, Default)]
pub struct Data {
    /// JSON object stores by key (see `stores.rs`).
    pub stores: HashMap<String, Value>,
    /// Votes by poll key, then voter.
    pub votes: HashMap<String, BTreeMap<String, Vote>>,
    /// Rank answers by key, then voter.
    pub ranks: HashMap<String, BTreeMap<String, String>>,
    /// Accumulations by extension + id.
    pub accumulated: HashMap<String, Vec<Accumulated>>,
    /// Codes by extension.
    pub codes: HashMap<String, Codes>,
    /// Trivia questions by extension + channel, in insertion order.
    pub questions: HashMap<String, Vec<Value>>,
    /// JSON documents by extension + channel + id.
    pub json_store: HashMap<String, Value>,
    /// Users who called the extension with a shared id, by extension.
    pub users: HashMap<String, BTreeSet<String>>,
    /// PINs issued (by extension), and whether validated.
    pub pins: HashMap<String, HashMap<String, bool>>,
    /// Every broadcast, in order.
    pub broadcasts: Vec<RecordedBroadcast>,
    /// Counter for PINs.
    pub next_pin: u64,
}

/// The service's state.
#[derive(Debug)]
pub struct MedkitState {
    pub(crate) secret: String,
    pub(crate) mode: Mutex<AuthMode>,
    pub(crate) clock: Mutex<Option<Arc<dyn Clock>>>,
    pub(crate) page_size: usize,
    pub(crate) data: Mutex<Data>,
}

impl MedkitState {
    pub fn new(secret: String, mode: AuthMode, page_size: usize) -> Self {
        MedkitState { secret, mode: Mutex::new(mode), clock: Mutex::new(None), page_size, data: Mutex::default() }
    }

    pub fn mode(&self) -> AuthMode {
        *lock(&self.mode)
    }

    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// The server's wall clock in milliseconds (the system's before the server starts).
    pub fn now_ms(&self) -> u64 {
        let wall = match &*lock(&self.clock) {
            Some(c) => c.wall(),
            None => std::time::SystemTime::now(),
        };
        wall.duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
    }

    pub fn now_secs(&self) -> u64 {
        self.now_ms() / 1000
    }

    pub fn pin_validated(&self, extension: &str, pin: &str) -> bool {
        lock(&self.data).pins.get(extension).and_then(|p| p.get(pin)).copied().unwrap_or(false)
    }
}
