//! Header-paged lists: page numbers (`page` + a page size, the next page named by a `Link`
//! header, a total-count header or a full page) and cursors handed out in a `Link` header's
//! `rel="next"` URL (continuation tokens). What each operation uses comes from its spec's
//! `x-streamkit-pagination`; codegen builds a [`PageNumbering`] or a [`LinkCursor`] from it.

use progenitor_client::ResponseValue;
use reqwest::header::HeaderMap;

use super::cursor::PageToken;
use super::link::{link_target, query_param};
use super::paginator::Page;
use crate::Error;

/// How an operation numbers its pages (`style: page`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageNumbering {
    /// The operation (for error messages).
    pub operation: &'static str,
    /// The query parameter taking the page number (also read from `Link` URLs).
    pub page_param: &'static str,
    /// The number of the first page (0 or 1).
    pub first_page: u64,
    /// The `Link` response header, if the spec declares one.
    pub link_header: Option<&'static str>,
    /// The total-count response header, if the spec declares one.
    pub total_header: Option<&'static str>,
}

impl PageNumbering {
    /// The page number to send for `at`: the token's number, else the page the request
    /// already names (`preset`), else the first page. A cursor token is refused.
    pub fn page_to_request(&self, at: Option<&PageToken>, preset: Option<u64>) -> Result<u64, Error> {
        let refuse = |m: String| Error::InvalidRequest { operation: Some(self.operation), message: m };
        match at {
            None => Ok(preset.unwrap_or(self.first_page)),
            Some(PageToken::Number(n)) if *n >= self.first_page => Ok(*n),
            Some(PageToken::Number(n)) => {
                Err(refuse(format!("page {n} is before the first page, {}", self.first_page)))
            }
            Some(_) => Err(refuse("this operation pages by page number, not by cursor".into())),
        }
    }

    /// The page after `page` (which held `items`, asked `page_size` at a time when known),
    /// or `None` at the end. In order:
    /// * the `Link` header's `rel="next"` (its URL's page number, else `page + 1`), else its
    ///   `rel="last"` (more pages while `page` is before the last one);
    /// * the total-count header, when the page size is known;
    /// * the page itself: a full one may have a successor, a short one is the last (without
    ///   a known page size, only an empty page is the last).
    ///
    /// ```
    /// use reqwest::header::HeaderMap;
    /// use streamkit_runtime::pagination::PageNumbering;
    /// let p = PageNumbering { operation: "op", page_param: "page", first_page: 0,
    ///     link_header: Some("Link"), total_header: Some("x-total-count") };
    /// let mut h = HeaderMap::new();
    /// assert_eq!(p.next(0, Some(50), 50, &h), Some(1));
    /// assert_eq!(p.next(3, Some(50), 10, &h), None);
    /// h.insert("x-total-count", "100".parse().unwrap());
    /// assert_eq!(p.next(1, Some(50), 50, &h), None, "pages 0 and 1 hold all 100");
    /// h.insert("link", r#"<https://x/api?page=2&limit=50>; rel="last""#.parse().unwrap());
    /// assert_eq!(p.next(1, Some(50), 50, &h), Some(2), "Link wins");
    /// h.insert("link", r#"<https://x/api?page=7&limit=50>; rel="next""#.parse().unwrap());
    /// assert_eq!(p.next(1, Some(50), 50, &h), Some(7));
    /// ```
    pub fn next(&self, page: u64, page_size: Option<u64>, items: usize, headers: &HeaderMap) -> Option<u64> {
        if let Some(link) = self.link_header {
            if let Some(next) = link_target(headers, link, "next") {
                let n = query_param(&next, self.page_param).and_then(|v| v.trim().parse::<u64>().ok());
                return Some(n.unwrap_or(page.saturating_add(1)));
            }
            if let Some(last) = link_target(headers, link, "last")
                .and_then(|l| query_param(&l, self.page_param))
                .and_then(|v| v.trim().parse::<u64>().ok())
            {
                return (page < last).then_some(page.saturating_add(1));
            }
        }
        if let (Some(name), Some(size)) = (self.total_header, page_size) {
            let total = headers.get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
            if let Some(total) = total {
                let seen = page.saturating_sub(self.first_page).saturating_add(1).saturating_mul(size);
                return (seen < total).then_some(page.saturating_add(1));
            }
        }
        let full = match page_size {
            Some(size) => items as u64 >= size && items > 0,
            None => items > 0,
        };
        full.then_some(page.saturating_add(1))
    }

    /// One fetched page: the items `items` takes out of the body, the next page from the
    /// headers. `page` is the number that was sent.
    pub fn page<B, T>(
        &self,
        response: ResponseValue<B>,
        page: u64,
        page_size: Option<u64>,
        requested: Option<PageToken>,
        items: impl FnOnce(B) -> Vec<T>,
    ) -> Page<T> {
        let headers = response.headers().clone();
        let items = items(response.into_inner());
        let next = self.next(page, page_size, items.len(), &headers).map(PageToken::Number);
        Page { items, requested, next }
    }
}

/// How an operation hands out its next cursor in a `Link` header (`style: link-cursor`):
/// the query parameter `cursor_param` of the `rel="next"` URL, sent back as that parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkCursor {
    /// The operation (for error messages).
    pub operation: &'static str,
    /// The query parameter taking the cursor, read from the next link.
    pub cursor_param: &'static str,
    /// The `Link` response header.
    pub link_header: &'static str,
}

impl LinkCursor {
    /// The cursor to send for `at` (`None`: whatever the request already says). Only
    /// forward cursors exist.
    pub fn cursor_to_request(&self, at: Option<PageToken>) -> Result<Option<String>, Error> {
        let refuse = |m: &str| Error::InvalidRequest { operation: Some(self.operation), message: m.into() };
        match at {
            None => Ok(None),
            Some(PageToken::After(c)) => Ok(Some(c)),
            Some(PageToken::Before(_)) => Err(refuse("this operation cannot page backward")),
            Some(PageToken::Number(_)) => Err(refuse("this operation pages by cursor, not by page number")),
        }
    }

    /// The next cursor: `cursor_param` of the `rel="next"` link; `None` (the end) without one.
    ///
    /// ```
    /// use reqwest::header::HeaderMap;
    /// use streamkit_runtime::pagination::LinkCursor;
    /// let c = LinkCursor { operation: "op", cursor_param: "continuationToken", link_header: "link" };
    /// let mut h = HeaderMap::new();
    /// assert_eq!(c.next(&h), None);
    /// h.insert("link", r#"<https://x/users?limit=50&continuationToken=ab%3Dc>; rel="next""#.parse().unwrap());
    /// assert_eq!(c.next(&h).as_deref(), Some("ab=c"));
    /// ```
    pub fn next(&self, headers: &HeaderMap) -> Option<String> {
        link_target(headers, self.link_header, "next").and_then(|url| query_param(&url, self.cursor_param))
    }

    /// One fetched page: the items `items` takes out of the body, the next cursor from the
    /// `Link` header.
    pub fn page<B, T>(
        &self,
        response: ResponseValue<B>,
        requested: Option<PageToken>,
        items: impl FnOnce(B) -> Vec<T>,
    ) -> Page<T> {
        let next = self.next(response.headers()).map(PageToken::After);
        Page { items: items(response.into_inner()), requested, next }
    }
}

/// An integer a request builder holds (plain, `NonZero*`, inside `Option` or the builder's
/// `Result`), as a page number or page size: `None` when unset, invalid or negative.
pub trait IntegerValue {
    /// The value, when it is a non-negative integer.
    fn as_u64(&self) -> Option<u64>;
}

macro_rules! integer_value {
    ($($t:ty),*) => {$(
        impl IntegerValue for $t {
            fn as_u64(&self) -> Option<u64> {
                u64::try_from(*self).ok()
            }
        }
    )*};
}
integer_value!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

macro_rules! non_zero_value {
    ($($t:ty),*) => {$(
        impl IntegerValue for $t {
            fn as_u64(&self) -> Option<u64> {
                self.get().as_u64()
            }
        }
    )*};
}
non_zero_value!(
    std::num::NonZeroU8,
    std::num::NonZeroU16,
    std::num::NonZeroU32,
    std::num::NonZeroU64,
    std::num::NonZeroI8,
    std::num::NonZeroI16,
    std::num::NonZeroI32,
    std::num::NonZeroI64
);

impl<T: IntegerValue> IntegerValue for Option<T> {
    fn as_u64(&self) -> Option<u64> {
        self.as_ref().and_then(T::as_u64)
    }
}

impl<T: IntegerValue, E> IntegerValue for Result<T, E> {
    fn as_u64(&self) -> Option<u64> {
        self.as_ref().ok().and_then(T::as_u64)
    }
}

/// The next page number of a 0-based `page` + `limit` list whose `Link` and
/// `x-total-count` headers name the next page (see [`PageNumbering::next`]), or `None` at
/// the end.
///
/// ```
/// use reqwest::header::HeaderMap;
/// use streamkit_runtime::pagination::next_page_number;
/// let mut h = HeaderMap::new();
/// assert_eq!(next_page_number(0, 50, 50, &h), Some(1));
/// h.insert("link", r#"<https://x/api?page=7&limit=50>; rel="next""#.parse().unwrap());
/// assert_eq!(next_page_number(1, 50, 50, &h), Some(7));
/// ```
pub fn next_page_number(page: u64, limit: u64, items: usize, headers: &HeaderMap) -> Option<u64> {
    const NUMBERING: PageNumbering = PageNumbering {
        operation: "",
        page_param: "page",
        first_page: 0,
        link_header: Some("link"),
        total_header: Some("x-total-count"),
    };
    NUMBERING.next(page, Some(limit), items, headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_values_of_builder_fields() {
        let set: Result<Option<std::num::NonZeroU64>, String> = Ok(std::num::NonZeroU64::new(7));
        assert_eq!(set.as_u64(), Some(7));
        let unset: Result<Option<i64>, String> = Ok(None);
        assert_eq!(unset.as_u64(), None);
        let bad: Result<Option<i64>, String> = Err("too big".into());
        assert_eq!(bad.as_u64(), None);
        assert_eq!((-3i64).as_u64(), None);
    }

    #[test]
    fn tokens_of_the_wrong_kind_are_refused() {
        let p =
            PageNumbering { operation: "op", page_param: "page", first_page: 1, link_header: None, total_header: None };
        assert_eq!(p.page_to_request(None, None).unwrap(), 1);
        assert_eq!(p.page_to_request(None, Some(4)).unwrap(), 4);
        assert_eq!(p.page_to_request(Some(&PageToken::Number(3)), Some(4)).unwrap(), 3);
        assert!(p.page_to_request(Some(&PageToken::Number(0)), None).unwrap_err().to_string().contains("first page"));
        assert!(p.page_to_request(Some(&PageToken::After("c".into())), None).is_err());
        let c = LinkCursor { operation: "op", cursor_param: "t", link_header: "link" };
        assert!(c.cursor_to_request(Some(PageToken::Before("c".into()))).is_err());
        assert!(c.cursor_to_request(Some(PageToken::Number(1))).is_err());
    }

    #[test]
    fn a_link_without_next_or_last_falls_back_to_the_other_signals() {
        let p = PageNumbering {
            operation: "op",
            page_param: "page",
            first_page: 1,
            link_header: Some("link"),
            total_header: Some("x-total-count"),
        };
        let mut h = HeaderMap::new();
        h.insert("link", r#"<https://x/?page=1>; rel="first""#.parse().unwrap());
        h.insert("x-total-count", "25".parse().unwrap());
        // Pages from 1: pages 1 and 2 of 10 hold 20 of 25.
        assert_eq!(p.next(2, Some(10), 10, &h), Some(3));
        assert_eq!(p.next(3, Some(10), 5, &h), None);
        // Without a page size the total cannot be used: only an empty page ends the list.
        assert_eq!(p.next(3, None, 5, &h), Some(4));
        assert_eq!(p.next(4, None, 0, &h), None);
        // A next link without a page number: the next page.
        h.insert("link", r#"<https://x/?cursor=z>; rel="next""#.parse().unwrap());
        assert_eq!(p.next(4, Some(10), 0, &h), Some(5));
    }
}
