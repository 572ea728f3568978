//! The identity providers of one client, by credential name.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{CLIENT_ID, IdentityProvider};
use crate::Secret;

/// Identity providers by credential name (the names in the spec's header templates).
#[derive(Clone, Debug, Default)]
pub struct Identities {
    providers: BTreeMap<String, Arc<dyn IdentityProvider>>,
}

impl Identities {
    /// Registers `provider` for `name`, replacing any earlier one.
    pub fn insert(&mut self, name: impl Into<String>, provider: Arc<dyn IdentityProvider>) {
        self.providers.insert(name.into(), provider);
    }

    /// The provider for `name`.
    pub fn get(&self, name: &str) -> Option<&Arc<dyn IdentityProvider>> {
        self.providers.get(name)
    }

    /// Every credential name and its provider.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Arc<dyn IdentityProvider>)> {
        self.providers.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The client id, for rate-limit bucket keys.
    pub fn client_id(&self) -> Option<Secret> {
        self.get(CLIENT_ID).and_then(|p| p.current())
    }

    /// Every secret value held right now, for redaction.
    pub(crate) fn known_secrets(&self) -> Vec<Secret> {
        self.providers.values().filter(|p| p.is_secret()).filter_map(|p| p.current()).collect()
    }
}
