//! Per-message gzip: inflating with a cap (a small frame must not grow into an unbounded
//! allocation) and deflating outgoing frames.

use std::io::{Read, Write};

use crate::{Error, ProtocolErrorKind};

/// Whether a binary frame is gzip (its magic bytes).
pub(crate) fn is_gzip(frame: &[u8]) -> bool {
    frame.starts_with(&[0x1f, 0x8b])
}

/// Gunzips `frame`, refusing once the output passes `max` bytes (nothing past `max + 1` bytes
/// is ever allocated).
pub(crate) fn inflate(frame: &[u8], max: usize) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    let cap = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    flate2::read::GzDecoder::new(frame)
        .take(cap)
        .read_to_end(&mut out)
        .map_err(|e| Error::protocol(ProtocolErrorKind::Violation, format!("gzip frame does not decompress: {e}")))?;
    if out.len() > max {
        return Err(Error::protocol(
            ProtocolErrorKind::TooLarge { limit: u64::try_from(max).unwrap_or(u64::MAX) },
            "gzip frame decompresses past the limit",
        ));
    }
    Ok(out)
}

/// Gzips an outgoing frame.
pub(crate) fn deflate(frame: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(frame);
    enc.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_cap() {
        let text = "x".repeat(10_000);
        let z = deflate(text.as_bytes());
        assert!(is_gzip(&z) && z.len() < 200);
        assert_eq!(inflate(&z, 10_000).unwrap(), text.as_bytes());
        let e = inflate(&z, 9_999).unwrap_err();
        assert_eq!(e.protocol_kind(), Some(&ProtocolErrorKind::TooLarge { limit: 9_999 }));
        assert!(inflate(&[0x1f, 0x8b, 1, 2, 3], 100).is_err());
    }
}
