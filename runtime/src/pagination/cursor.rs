//! What identifies a page: a cursor or a page number, and the guard against cursors that
//! repeat.

use std::collections::VecDeque;
use std::hash::{DefaultHasher, Hash, Hasher};

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PageToken {
    /// Forward from a cursor (`after`).
    After(String),
    /// Backward from a cursor (`before`).
    Before(String),
    /// A page number (1-based), for `page` + `limit` APIs.
    Number(u64),
}

/// Remembers the last cursors seen (hashes only, a bounded number, so memory does not grow
/// with the list) and says when one comes back.
#[derive(Debug, Default)]
pub struct RepeatGuard {
    recent: VecDeque<u64>,
}

impl RepeatGuard {
    const KEEP: usize = 64;

    /// Records `cursor`; `false` when it was seen recently (the server is looping).
    ///
    /// ```
    /// use streamkit_runtime::pagination::RepeatGuard;
    /// let mut g = RepeatGuard::default();
    /// assert!(g.check("a"));
    /// assert!(g.check("b"));
    /// assert!(!g.check("a"));
    /// ```
    pub fn check(&mut self, cursor: &str) -> bool {
        let mut h = DefaultHasher::new();
        cursor.hash(&mut h);
        let h = h.finish();
        if self.recent.contains(&h) {
            return false;
        }
        if self.recent.len() == Self::KEEP {
            self.recent.pop_front();
        }
        self.recent.push_back(h);
        true
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
