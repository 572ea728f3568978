//! The message signature: `sha256=` + hex HMAC-SHA256, keyed with the subscription's secret,
//! over message id + timestamp header + raw body.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::Secret;

type HmacSha256 = Hmac<Sha256>;

/// The prefix of the signature header's value.
const PREFIX: &str = "sha256=";

/// `None` only if the key were refused, which HMAC never does (it takes keys of any length);
/// callers then fail closed.
fn mac(secret: &Secret, id: &str, timestamp: &str, body: &[u8]) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(secret.expose().as_bytes()).ok()?;
    mac.update(id.as_bytes());
    mac.update(timestamp.as_bytes());
    mac.update(body);
    Some(mac)
}

/// The signature header value Twitch sends for this message (`sha256=<hex>`).
///
/// ```
/// use streamkit_twitch::eventsub::webhook::sign;
/// use streamkit_twitch::Secret;
/// let s = sign(&Secret::new("0123456789"), "id", "2023-01-01T00:00:00.123456789Z", b"{}");
/// assert!(s.starts_with("sha256=") && s.len() == 7 + 64);
/// ```
pub fn sign(secret: &Secret, id: &str, timestamp: &str, body: &[u8]) -> String {
    let mut out = String::with_capacity(PREFIX.len() + 64);
    out.push_str(PREFIX);
    let Some(mac) = mac(secret, id, timestamp, body) else { return out };
    for b in mac.finalize().into_bytes() {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// What is wrong with a signature header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignatureProblem {
    /// Not `sha256=` + 64 hex digits.
    Malformed,
    /// Well formed, but not the HMAC of this message.
    Mismatch,
}

/// Checks `header` against the message, in constant time (`hmac`'s `verify_slice`).
pub(crate) fn verify(
    secret: &Secret,
    id: &str,
    timestamp: &str,
    body: &[u8],
    header: &str,
) -> Result<(), SignatureProblem> {
    let hex = header.strip_prefix(PREFIX).ok_or(SignatureProblem::Malformed)?;
    let expected = decode_hex(hex).ok_or(SignatureProblem::Malformed)?;
    let mac = mac(secret, id, timestamp, body).ok_or(SignatureProblem::Mismatch)?;
    mac.verify_slice(&expected).map_err(|_| SignatureProblem::Mismatch)
}

/// 64 hex digits (either case) to 32 bytes.
fn decode_hex(hex: &str) -> Option<[u8; 32]> {
    let digits = hex.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (i, pair) in digits.chunks_exact(2).enumerate() {
        out[i] = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_vector() {
        // HMAC-SHA256("0123456789", "id" + "ts" + "body"), computed with `openssl dgst -sha256 -hmac`.
        let s = sign(&Secret::new("0123456789"), "id", "ts", b"body");
        assert_eq!(s, format!("sha256={}", KNOWN));
        assert_eq!(verify(&Secret::new("0123456789"), "id", "ts", b"body", &s), Ok(()));
        assert_eq!(
            verify(&Secret::new("0123456789"), "id", "ts", b"body", &s.to_uppercase().replacen("SHA256", "sha256", 1)),
            Ok(())
        );
    }

    const KNOWN: &str = "9b46551a91f87036ebc5f10ca865c57f27cb0f063ad5daf98db79c19e0d47946";

    #[test]
    fn malformed_and_mismatched() {
        let secret = Secret::new("0123456789");
        let good = sign(&secret, "id", "ts", b"body");
        assert_eq!(verify(&secret, "id", "ts", b"bodY", &good), Err(SignatureProblem::Mismatch));
        assert_eq!(verify(&Secret::new("other-secret"), "id", "ts", b"body", &good), Err(SignatureProblem::Mismatch));
        assert_eq!(verify(&secret, "id", "ts", b"body", &good[7..]), Err(SignatureProblem::Malformed));
        assert_eq!(verify(&secret, "id", "ts", b"body", "sha256=zz"), Err(SignatureProblem::Malformed));
        assert_eq!(
            verify(&secret, "id", "ts", b"body", &format!("sha256={}", "g".repeat(64))),
            Err(SignatureProblem::Malformed)
        );
    }
}
