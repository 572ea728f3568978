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

    #[test]
    fn the_principal_is_the_hex_of_the_first_16_bytes_of_the_keyed_hash() {
        // sha256(b"streamkit-bucket-key\0" + b"cid" + b"\0" + b"Bearer secret-token")[..16], by Python's hashlib:
        // the same in every process and build, so a shared store keeps its keys across versions.
        assert_eq!(fingerprint("cid", "Bearer secret-token"), "5cf6be07cf263ee9409c770ee5ea279e");
    }
}
