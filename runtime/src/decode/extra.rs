//! Where a generated struct keeps the fields its spec does not document.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hash};

use serde::de::DeserializeOwned;

/// A map of undocumented fields: `serde_json::Map` (any value) or a map of one value type
/// (a schema's `additionalProperties`).
pub trait Extra: Default {
    /// What a value decodes to.
    type Value: DeserializeOwned;

    /// Keeps one field; a key already kept is handed back (a duplicate key in the input).
    fn keep(&mut self, key: String, value: Self::Value) -> Result<(), String>;
}

impl Extra for serde_json::Map<String, serde_json::Value> {
    type Value = serde_json::Value;

    fn keep(&mut self, key: String, value: serde_json::Value) -> Result<(), String> {
        if self.contains_key(&key) {
            return Err(key);
        }
        self.insert(key, value);
        Ok(())
    }
}

impl<V: DeserializeOwned> Extra for BTreeMap<String, V> {
    type Value = V;

    fn keep(&mut self, key: String, value: V) -> Result<(), String> {
        if self.contains_key(&key) {
            return Err(key);
        }
        self.insert(key, value);
        Ok(())
    }
}

impl<V: DeserializeOwned, S: BuildHasher + Default> Extra for HashMap<String, V, S>
where
    String: Hash + Eq,
{
    type Value = V;

    fn keep(&mut self, key: String, value: V) -> Result<(), String> {
        if self.contains_key(&key) {
            return Err(key);
        }
        self.insert(key, value);
        Ok(())
    }
}
