//! Twitch's webhook signature: `sha256=` + hex HMAC-SHA256(secret, id + timestamp + body).

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub(crate) fn signature(secret: &str, id: &str, timestamp: &str, body: &[u8]) -> String {
    let mut out = String::from("sha256=");
    // HMAC accepts keys of any length.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return out };
    mac.update(id.as_bytes());
    mac.update(timestamp.as_bytes());
    mac.update(body);
    for b in mac.finalize().into_bytes() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_vector() {
        // `printf idtsbody | openssl dgst -sha256 -hmac 0123456789`
        assert_eq!(
            super::signature("0123456789", "id", "ts", b"body"),
            "sha256=9b46551a91f87036ebc5f10ca865c57f27cb0f063ad5daf98db79c19e0d47946"
        );
    }
}
