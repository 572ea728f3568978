//! A paginated operation's request as a value the paginator repeats: what codegen
//! implements once per paginated operation, so the walk itself (the boxed page fetch, the
//! direction of cursors, the forward-only check) is written once, here.

use std::sync::Arc;

use super::cursor::PageToken;
use super::paginator::{PageFuture, Paginator};

/// One request of a paginated list, owning its client and parameters, that can fetch the
/// page at any position. Codegen implements it for each paginated operation (a copy of
/// the operation's builder without the client borrow); [`Paginator::of`] walks it.
///
/// ```
/// use futures::StreamExt;
/// use streamkit_runtime::pagination::{Page, PageFuture, PageToken, PagedRequest, Paginator};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// /// 0..25, ten per page, by page number.
/// #[derive(Clone)]
/// struct Numbers;
/// impl PagedRequest for Numbers {
///     type Item = u64;
///     const BACKWARD: bool = false;
///     fn fetch(self, at: Option<PageToken>) -> PageFuture<u64> {
///         let n = match at { Some(PageToken::Number(n)) => n, _ => 1 };
///         Box::pin(async move {
///             let items: Vec<u64> = ((n - 1) * 10..(n * 10).min(25)).collect();
///             let next = (n * 10 < 25).then_some(PageToken::Number(n + 1));
///             Ok(Page { items, requested: Some(PageToken::Number(n)), next })
///         })
///     }
/// }
/// let all: Vec<u64> = Paginator::of(Numbers).items().map(|r| r.unwrap()).collect().await;
/// assert_eq!(all, (0..25).collect::<Vec<_>>());
/// # }
/// ```
pub trait PagedRequest: Clone + Send + Sync + 'static {
    /// One list item.
    type Item: Send + 'static;
    /// Whether the list can be walked backward (the spec declares a backward cursor).
    const BACKWARD: bool;
    /// Fetches the page at `at` (`None`: the first page).
    fn fetch(self, at: Option<PageToken>) -> PageFuture<Self::Item>;
}

impl<T: Send + 'static> Paginator<T> {
    /// A paginator over a [`PagedRequest`], each page fetched by a copy of it.
    pub fn of<R: PagedRequest<Item = T>>(request: R) -> Self {
        let paginator = Paginator::new(Arc::new(move |at| request.clone().fetch(at)));
        if R::BACKWARD { paginator } else { paginator.forward_only() }
    }
}
