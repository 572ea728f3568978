//! A tiny deterministic PRNG (splitmix64) and the generators built on it.
//!
//! Everything the sandbox makes up — seed data, tokens, ids — comes from here, so the same
//! start always produces the same world.

/// The splitmix64 finaliser: a bijection on `u64`, so distinct inputs give distinct outputs.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A splitmix64 stream.
#[derive(Clone, Debug)]
pub(crate) struct Rng {
    state: u64,
}

impl Rng {
    /// A stream starting from `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.state)
    }

    /// A value in `0..n` (`n` must be non-zero; returns 0 otherwise).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// A value in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// True with probability `percent`/100.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `len` characters from `alphabet`. The first characters are a fixed-width encoding of
/// `mix(unique ^ salt)` (13 for a 36-letter alphabet, 11 for 62), so two different `unique`
/// values never give the same string once `len` covers that width; the rest is padding.
pub(crate) fn unique_string(unique: u64, salt: u64, alphabet: &[u8], len: usize) -> String {
    let base = alphabet.len() as u128;
    let mut width = 0usize;
    let mut span: u128 = 1;
    while span <= u64::MAX as u128 {
        span *= base;
        width += 1;
    }
    let mut out = Vec::with_capacity(len.max(width));
    let mut v = mix(unique ^ salt) as u128;
    for _ in 0..width {
        out.push(alphabet[(v % base) as usize]);
        v /= base;
    }
    let mut rng = Rng::new(mix(unique.wrapping_add(salt).rotate_left(17)));
    while out.len() < len {
        out.push(alphabet[rng.below(base as u64) as usize]);
    }
    out.truncate(len);
    String::from_utf8(out).unwrap_or_default()
}

/// A Twitch-looking token: 30 lowercase alphanumerics, unique per `counter`.
pub(crate) fn token(counter: u64, salt: u64) -> String {
    unique_string(counter, salt, LOWER_ALNUM, 30)
}

/// A base62 string of `len` characters, unique per `counter` for `len >= 13`.
pub(crate) fn base62(counter: u64, salt: u64, len: usize) -> String {
    unique_string(counter, salt, BASE62, len)
}

/// A UUID-shaped (version 4 layout) string, unique per `counter`.
pub(crate) fn uuid(counter: u64, salt: u64) -> String {
    let a = mix(counter ^ salt);
    let b = mix(a ^ 0x5EED);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        (a >> 32) as u32,
        (a >> 16) as u16,
        ((a >> 4) & 0xFFF) as u16,
        0x8000 | (((a & 0xF) as u16) << 10) | ((b >> 48) as u16 & 0x3FF),
        b & 0xFFFF_FFFF_FFFF,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn tokens_are_unique_and_shaped() {
        let mut seen = HashSet::new();
        for i in 0..20_000 {
            let t = token(i, 7);
            assert_eq!(t.len(), 30);
            assert!(t.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
            assert!(seen.insert(t));
        }
    }

    #[test]
    fn uuids_are_unique() {
        let mut seen = HashSet::new();
        for i in 0..20_000 {
            let u = uuid(i, 3);
            assert_eq!(u.len(), 36);
            assert!(seen.insert(u));
        }
    }
}
