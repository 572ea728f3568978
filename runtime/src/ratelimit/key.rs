//! Whose bucket a call draws from.

use sha2::{Digest, Sha256};

use crate::policy::BucketSpec;

/// Whose bucket a call draws from: the spec's bucket, the client id, and (for buckets
/// scoped per user) a keyed hash of the token — never the token itself.
///
/// The hash is SHA-256 over the client id (the salt) and the token, so it is the same in
/// every process and build (a shared store can key on it) and says nothing about the token.
///
/// ```
/// use streamkit_runtime::policy::BucketSpec;
/// use streamkit_runtime::ratelimit::BucketKey;
/// static SPEC: BucketSpec = BucketSpec { name: "helix", points: 800, per_seconds: 60, per_user: true,
///     limit_header: None, remaining_header: None, reset_header: None,
///     reset_unit: streamkit_runtime::policy::ResetUnit::EpochSeconds };
/// let a = BucketKey::new(&SPEC, Some("cid"), Some("Bearer secret-token"));
/// assert_eq!(a, BucketKey::new(&SPEC, Some("cid"), Some("Bearer secret-token")));
/// assert_ne!(a, BucketKey::new(&SPEC, Some("other"), Some("Bearer secret-token")));
/// assert!(!format!("{a:?}").contains("secret-token"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BucketKey {
    /// Bucket name from the spec.
    pub bucket: &'static str,
    /// Client id.
    pub client_id: String,
    /// Hex of the token's keyed hash, for per-user buckets.
    pub principal: Option<String>,
}

impl BucketKey {
    /// The key for a call with these credentials.
    pub fn new(spec: &BucketSpec, client_id: Option<&str>, token: Option<&str>) -> Self {
        let client_id = client_id.unwrap_or_default();
        let principal = spec.per_user.then_some(token).flatten().map(|t| fingerprint(client_id, t));
        BucketKey { bucket: spec.name, client_id: client_id.to_string(), principal }
    }

    /// One string naming the bucket, for stores keyed by strings.
    pub fn storage_key(&self) -> String {
        format!("{}:{}:{}", self.bucket, self.client_id, self.principal.as_deref().unwrap_or("app"))
    }
}

/// The last key a client made, by the exact client id and `Authorization` value it was
/// made from: the token is the same call after call, and hashing it each time (SHA-256 and
/// the hex) was the largest cost in the send path. One entry: a client shared by many
/// users' tokens recomputes on a change, as before.
#[derive(Debug, Default)]
pub(crate) struct KeyCache(std::sync::Mutex<Option<(crate::Secret, Option<crate::Secret>, BucketKey)>>);

impl KeyCache {
    /// [`BucketKey::new`], from the cache when the inputs are the ones it was made from.
    pub(crate) fn key(&self, spec: &'static BucketSpec, client_id: Option<&str>, token: Option<&str>) -> BucketKey {
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((cid, tok, key)) = slot.as_ref()
            && key.bucket == spec.name
            && cid.expose() == client_id.unwrap_or_default()
            && tok.as_ref().map(|t| t.expose()) == token
        {
            return key.clone();
        }
        let key = BucketKey::new(spec, client_id, token);
        *slot = Some((crate::Secret::new(client_id.unwrap_or_default()), token.map(crate::Secret::new), key.clone()));
        key
    }
}

fn fingerprint(salt: &str, token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"streamkit-bucket-key\0");
    h.update(salt.as_bytes());
    h.update([0]);
    h.update(token.as_bytes());
    let digest = h.finalize();
    // Hex by table: this runs on every call, and a `format!` per byte costs more than the hash.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(32);
    for b in digest.iter().take(16) {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    static PER_USER: BucketSpec = BucketSpec {
        name: "b",
        points: 1,
        per_seconds: 1,
        per_user: true,
        limit_header: None,
        remaining_header: None,
        reset_header: None,
        reset_unit: crate::policy::ResetUnit::EpochSeconds,
    };

    #[test]
    fn the_cache_gives_the_key_its_inputs_make_and_follows_a_change_of_any_of_them() {
        let cache = KeyCache::default();
        for (cid, tok) in [
            (Some("cid"), Some("Bearer a")),
            (Some("cid"), Some("Bearer a")),
            (Some("cid"), Some("Bearer b")),
            (Some("other"), Some("Bearer b")),
            (Some("other"), None),
            (None, None),
            (Some("cid"), Some("Bearer a")),
        ] {
            assert_eq!(cache.key(&PER_USER, cid, tok), BucketKey::new(&PER_USER, cid, tok), "{cid:?} {tok:?}");
        }
        assert!(!format!("{cache:?}").contains("Bearer a"), "the cached token is a Secret");
    }

    #[test]
    fn the_principal_is_the_hex_of_the_first_16_bytes_of_the_keyed_hash() {
        // sha256(b"streamkit-bucket-key\0" + b"cid" + b"\0" + b"Bearer secret-token")[..16], by Python's hashlib:
        // the same in every process and build, so a shared store keeps its keys across versions.
        assert_eq!(fingerprint("cid", "Bearer secret-token"), "5cf6be07cf263ee9409c770ee5ea279e");
    }
}
