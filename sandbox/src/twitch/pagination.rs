//! Opaque cursors and page slicing.
//!
//! A cursor is the hex encoding of `sk:<start>:<end>`: the bounds of the page it came from.
//! `after=<cursor>` continues at `end`; `before=<cursor>` returns the page ending at `start`.
//! Forward pages carry a cursor while more items follow; backward pages while items precede.

use serde_json::{Value, json};
use std::ops::Range;

/// The bounds of the page a cursor was issued for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// Which way a request pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// First page, or `after`.
    Forward(Option<Cursor>),
    /// `before`.
    Backward(Cursor),
}

/// A validated paging request: page size and direction.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageRequest {
    pub(crate) first: usize,
    pub(crate) direction: Direction,
}

/// Encodes a cursor for the page `start..end`.
pub(crate) fn encode(start: usize, end: usize) -> String {
    let raw = format!("sk:{start}:{end}");
    raw.bytes().map(|b| format!("{b:02x}")).collect()
}

/// Decodes a cursor produced by [`encode`]; `None` when it is not one.
pub(crate) fn decode(cursor: &str) -> Option<Cursor> {
    if cursor.is_empty() || !cursor.len().is_multiple_of(2) || cursor.len() > 128 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..cursor.len())
        .step_by(2)
        .map(|i| cursor.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect();
    let text = String::from_utf8(bytes?).ok()?;
    let rest = text.strip_prefix("sk:")?;
    let (start, end) = rest.split_once(':')?;
    let start: usize = start.parse().ok()?;
    let end: usize = end.parse().ok()?;
    (start <= end).then_some(Cursor { start, end })
}

/// The result of slicing a list: which items, and the cursor to hand out (if any).
#[derive(Debug, Clone)]
pub(crate) struct Page {
    pub(crate) range: Range<usize>,
    pub(crate) cursor: Option<String>,
}

impl Page {
    /// The `pagination` object: `{"cursor": ...}` or `{}`.
    pub(crate) fn object(&self) -> Value {
        match &self.cursor {
            Some(c) => json!({ "cursor": c }),
            None => json!({}),
        }
    }

    /// The bare-string form used by Get Extension Live Channels (`""` at the end).
    pub(crate) fn string(&self) -> Value {
        Value::String(self.cursor.clone().unwrap_or_default())
    }
}

/// Slices a list of `total` items according to `req`.
pub(crate) fn slice(total: usize, req: &PageRequest) -> Page {
    let first = req.first.max(1);
    match req.direction {
        Direction::Forward(after) => {
            let start = after.map_or(0, |c| c.end).min(total);
            let end = start.saturating_add(first).min(total);
            let cursor = (end < total).then(|| encode(start, end));
            Page { range: start..end, cursor }
        }
        Direction::Backward(before) => {
            let end = before.start.min(total);
            let start = end.saturating_sub(first);
            let cursor = (start > 0).then(|| encode(start, end));
            Page { range: start..end, cursor }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let c = encode(20, 40);
        assert_eq!(decode(&c), Some(Cursor { start: 20, end: 40 }));
        assert_eq!(decode("zz"), None);
        assert_eq!(decode("abc"), None);
        assert_eq!(decode(""), None);
    }

    #[test]
    fn walks_forward_and_back() {
        let fwd = |c: Option<Cursor>| PageRequest { first: 20, direction: Direction::Forward(c) };
        let p1 = slice(45, &fwd(None));
        assert_eq!(p1.range, 0..20);
        let c1 = decode(p1.cursor.as_deref().unwrap_or("")).unwrap();
        let p2 = slice(45, &fwd(Some(c1)));
        assert_eq!(p2.range, 20..40);
        let c2 = decode(p2.cursor.as_deref().unwrap_or("")).unwrap();
        let p3 = slice(45, &fwd(Some(c2)));
        assert_eq!(p3.range, 40..45);
        assert!(p3.cursor.is_none());
        let back = slice(45, &PageRequest { first: 20, direction: Direction::Backward(c2) });
        assert_eq!(back.range, 0..20);
        assert!(back.cursor.is_none());
    }
}
