//! Per-message gzip of the `cnstl-gzip` subprotocol (reference C.1): frames are gzipped
//! JSON in binary frames, recognised by their first two bytes `0x1f 0x8b`.

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use std::io::{Read, Write};

/// The largest payload a gzipped client frame may inflate to (a small frame must not
/// inflate into gigabytes).
pub const MAX_INFLATED: usize = 1024 * 1024;

/// Whether `bytes` start with gzip's magic bytes.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// `text` gzipped.
pub fn compress(text: &str) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(text.as_bytes());
    encoder.finish().unwrap_or_default()
}

/// `bytes` inflated; `None` when they are not gzip or inflate past [`MAX_INFLATED`].
pub fn decompress(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let read = GzDecoder::new(bytes).take(MAX_INFLATED as u64 + 1).read_to_end(&mut out).ok()?;
    (read <= MAX_INFLATED).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_bombs_and_garbage() {
        let packed = compress(r#"{"type":"method"}"#);
        assert!(is_gzip(&packed));
        assert_eq!(decompress(&packed).as_deref(), Some(br#"{"type":"method"}"#.as_slice()));
        assert_eq!(decompress(&[0x1f, 0x8b, 1, 2, 3]), None);
        let bomb = compress(&" ".repeat(MAX_INFLATED + 1));
        assert!(bomb.len() < 10_000);
        assert_eq!(decompress(&bomb), None);
    }
}
