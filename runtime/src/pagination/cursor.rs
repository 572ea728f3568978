//! What identifies a page: a cursor or a page number, and the guard against cursors that
//! repeat.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PageToken {
    /// Forward from a cursor (`after`).
    After(String),
    /// Backward from a cursor (`before`).
    Before(String),
    /// A page number as the API numbers its pages (from 0 or 1, as its spec declares), for
    /// `page` + `limit` APIs: the value sent as the page parameter.
    Number(u64),
}

/// Remembers every cursor of a walk (as 64-bit hashes: 8 bytes each, however long the
/// cursor) and says when one comes back, so a cycle of any length is caught. Memory is
/// bounded by the walk's page limit ([`super::Paginator::max_pages`]), which stops the walk
/// before the set grows past it.
#[derive(Debug, Default)]
pub struct RepeatGuard {
    seen: HashSet<u64>,
    /// Keys chosen per walk, so a server cannot craft cursors that collide on purpose.
    keys: RandomState,
}

impl RepeatGuard {
    /// Records `cursor`; `false` when it was seen before in this walk (the server is looping).
    ///
    /// ```
    /// use streamkit_runtime::pagination::RepeatGuard;
    /// let mut g = RepeatGuard::default();
    /// for i in 0..1000 {
    ///     assert!(g.check(&format!("c{i}")));
    /// }
    /// assert!(!g.check("c0"), "a cycle of 1000 cursors is caught");
    /// ```
    pub fn check(&mut self, cursor: &str) -> bool {
        self.seen.insert(self.keys.hash_one(cursor))
    }

    /// How many cursors are remembered.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether no cursor was recorded yet.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

/// The cursor query parameters (`after`, `before`) for fetching the page at `at`, as the
/// generated cursor paginators set them. A backward token for an operation that cannot page
/// backward, or a page number for a cursor operation, is refused with a clear error.
///
/// ```
/// use streamkit_runtime::pagination::{cursor_params, PageToken};
/// assert_eq!(cursor_params("op", None, true).unwrap(), (None, None));
/// let after = cursor_params("op", Some(PageToken::After("c".into())), false).unwrap();
/// assert_eq!(after, (Some("c".to_string()), None));
/// assert!(cursor_params("op", Some(PageToken::Before("c".into())), false).is_err());
/// ```
pub fn cursor_params(
    operation: &'static str,
    at: Option<PageToken>,
    backward_supported: bool,
) -> Result<(Option<String>, Option<String>), crate::Error> {
    let refuse = |message: &str| crate::Error::InvalidRequest { operation: Some(operation), message: message.into() };
    match at {
        None => Ok((None, None)),
        Some(PageToken::After(c)) => Ok((Some(c), None)),
        Some(PageToken::Before(c)) if backward_supported => Ok((None, Some(c))),
        Some(PageToken::Before(_)) => Err(refuse("this operation cannot page backward")),
        Some(PageToken::Number(_)) => Err(refuse("this operation pages by cursor, not by page number")),
    }
}

/// Turns a cursor page's body into a [`super::Page`]: the next token keeps the direction
/// of the request (a backward walk goes on with `before`).
pub fn cursor_page<B: super::PageBody>(body: B, requested: Option<PageToken>) -> super::Page<B::Item> {
    let (items, next) = body.into_parts();
    let backward = matches!(requested, Some(PageToken::Before(_)));
    let next = next.map(|c| if backward { PageToken::Before(c) } else { PageToken::After(c) });
    super::Page { items, requested, next }
}
