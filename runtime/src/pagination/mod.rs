//! Pagination as async streams: one abstraction for cursor paging (Twitch's
//! `after`/`before` + `pagination.cursor`), page-number paging (`page` + `limit`, the next
//! page named by a `Link` or total-count header) and cursors handed out in a `Link`
//! header's next URL (continuation tokens).
//!
//! Codegen gives every operation whose spec declares `x-streamkit-pagination` three builder
//! methods: `.stream()` (items), `.pages()` (whole pages with their cursor) and
//! `.paginate()` (a [`Paginator`] to configure first: prefetch depth, item limit, resume
//! from a saved cursor, walk backward).

mod cursor;
mod link;
mod page;
mod paginator;
mod request;

pub use cursor::{PageToken, RepeatGuard, cursor_page, cursor_params};
pub use link::{link_target, query_param};
pub use page::{IntegerValue, LinkCursor, PageNumbering, next_page_number};
pub use paginator::{DEFAULT_MAX_EMPTY_PAGES, DEFAULT_MAX_PAGES, FetchPage, Page, PageFuture, Paginator};
pub use request::PagedRequest;

/// Re-exported so callers can consume the streams without adding `futures` themselves.
pub use futures::{Stream, StreamExt, TryStreamExt};

/// A stream of items, as `.stream()` returns.
pub type ItemStream<T> = std::pin::Pin<Box<dyn Stream<Item = Result<T, crate::Error>> + Send>>;

/// A stream of pages, as `.pages()` returns.
pub type PageStream<T> = std::pin::Pin<Box<dyn Stream<Item = Result<Page<T>, crate::Error>> + Send>>;

/// A response body that is one page of a list. Codegen implements it for each paginated
/// operation's response type, from the spec's `x-streamkit-pagination.response` paths.
pub trait PageBody: Send + 'static {
    /// One list item.
    type Item: Send + 'static;
    /// The items and the cursor of the next page (`None` at the end; an empty cursor is the
    /// end too, as Twitch sends `pagination: {}` or `""`).
    fn into_parts(self) -> (Vec<Self::Item>, Option<String>);
}
