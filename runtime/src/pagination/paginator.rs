//! The paginator: fetches pages (ahead of the consumer, up to a depth) and yields them as
//! a stream of pages or of items.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use futures::Stream;
use futures::stream::{self, StreamExt};

use super::cursor::{PageToken, RepeatGuard};
use crate::error::Error;

/// One fetched page.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// What was asked for (`None` for the first page).
    pub requested: Option<PageToken>,
    /// Where the next page starts; save it to resume later. `None` at the end.
    pub next: Option<PageToken>,
}

/// Boxed future of one page fetch.
pub type PageFuture<T> = Pin<Box<dyn Future<Output = Result<Page<T>, Error>> + Send + 'static>>;

/// Fetches the page at a token (`None`: the first page). Codegen builds one from the
/// operation's builder; anything that can fetch a page can be paginated.
pub type FetchPage<T> = Arc<dyn Fn(Option<PageToken>) -> PageFuture<T> + Send + Sync>;

/// A configurable walk over a paginated list.
///
/// ```
/// use std::sync::Arc;
/// use futures::StreamExt;
/// use streamkit_runtime::pagination::{Page, PageToken, Paginator};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// // A list of 0..25 served 10 at a time by page number.
/// let pages = Paginator::new(Arc::new(|at: Option<PageToken>| {
///     let n = match at { Some(PageToken::Number(n)) => n, _ => 1 };
///     Box::pin(async move {
///         let items: Vec<u64> = ((n - 1) * 10..(n * 10).min(25)).collect();
///         let next = (n * 10 < 25).then_some(PageToken::Number(n + 1));
///         Ok(Page { items, requested: Some(PageToken::Number(n)), next })
///     }) as _
/// }));
/// let all: Vec<u64> = pages.items().map(|r| r.unwrap()).collect().await;
/// assert_eq!(all, (0..25).collect::<Vec<_>>());
/// # }
/// ```
pub struct Paginator<T> {
    fetch: FetchPage<T>,
    start: Option<PageToken>,
    prefetch: usize,
    limit: Option<usize>,
    backward_supported: bool,
}

impl<T> std::fmt::Debug for Paginator<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paginator").field("start", &self.start).field("prefetch", &self.prefetch).field("limit", &self.limit).finish()
    }
}

impl<T: Send + 'static> Paginator<T> {
    /// A paginator starting at the first page, prefetching one page ahead.
    pub fn new(fetch: FetchPage<T>) -> Self {
        Paginator { fetch, start: None, prefetch: 1, limit: None, backward_supported: true }
    }

    /// Marks the list as forward-only (the spec declares no backward cursor).
    pub fn forward_only(mut self) -> Self {
        self.backward_supported = false;
        self
    }

    /// How many pages to fetch ahead of the consumer (default 1; 0 = one page at a time, only
    /// when asked).
    pub fn prefetch(mut self, depth: usize) -> Self {
        self.prefetch = depth;
        self
    }

    /// Stop after `n` items; no page is requested once the items fetched cover `n`.
    pub fn take_items(mut self, n: usize) -> Self {
        self.limit = Some(n);
        self
    }

    /// Start after a saved cursor (from [`Page::next`]).
    pub fn resume_after(mut self, cursor: impl Into<String>) -> Self {
        self.start = Some(PageToken::After(cursor.into()));
        self
    }

    /// Start at a saved token, whatever its kind.
    pub fn resume(mut self, token: PageToken) -> Self {
        self.start = Some(token);
        self
    }

    /// Walk backward from a cursor (`before`). Fails on the first poll when the operation
    /// cannot page backward.
    pub fn backward_from(mut self, cursor: impl Into<String>) -> Self {
        self.start = Some(PageToken::Before(cursor.into()));
        self
    }

    /// The pages, in order. The stream ends after the last page, or with an error (after which
    /// it ends too).
    pub fn pages(self) -> super::PageStream<T> {
        if matches!(self.start, Some(PageToken::Before(_))) && !self.backward_supported {
            return Box::pin(stream::once(async {
                Err(Error::invalid_request("this operation cannot page backward (its spec declares no backward cursor)"))
            }));
        }
        if self.prefetch == 0 {
            Box::pin(sequential(self.fetch, self.start, self.limit))
        } else {
            Box::pin(prefetched(self.fetch, self.start, self.limit, self.prefetch))
        }
    }

    /// The items of every page, in order, up to [`Paginator::take_items`].
    pub fn items(self) -> super::ItemStream<T> {
        let limit = self.limit;
        let items = self.pages().flat_map(|page| match page {
            Ok(p) => stream::iter(p.items.into_iter().map(Ok).collect::<Vec<_>>()).left_stream(),
            Err(e) => stream::once(async { Err(e) }).right_stream(),
        });
        match limit {
            Some(n) => Box::pin(items.take(n)),
            None => Box::pin(items),
        }
    }
}

/// Walk state shared by both strategies.
struct Walk<T> {
    fetch: FetchPage<T>,
    next: Option<Option<PageToken>>,
    guard: RepeatGuard,
    fetched_items: usize,
    limit: Option<usize>,
}

impl<T: Send + 'static> Walk<T> {
    fn new(fetch: FetchPage<T>, start: Option<PageToken>, limit: Option<usize>) -> Self {
        Walk { fetch, next: Some(start), guard: RepeatGuard::default(), fetched_items: 0, limit }
    }

    /// The next request to make, or `None` when done (end of list, or limit covered).
    fn next_request(&mut self) -> Option<PageFuture<T>> {
        if self.limit.is_some_and(|n| self.fetched_items >= n) {
            return None;
        }
        let token = self.next.take()?;
        Some((self.fetch)(token))
    }

    /// Records a fetched page; an error when its cursor repeats one already seen.
    fn record(&mut self, page: &Page<T>) -> Result<(), Error> {
        self.fetched_items += page.items.len();
        if let Some(next) = &page.next {
            let key = match next {
                PageToken::After(c) | PageToken::Before(c) => c.clone(),
                PageToken::Number(n) => format!("#{n}"),
            };
            if !self.guard.check(&key) {
                return Err(Error::invalid_request(format!(
                    "the server returned a cursor it had already returned ({key:?}); stopping instead of looping"
                )));
            }
            // A page with no items whose next token is unchanged would also loop.
            self.next = Some(Some(next.clone()));
        }
        Ok(())
    }
}

fn sequential<T: Send + 'static>(
    fetch: FetchPage<T>,
    start: Option<PageToken>,
    limit: Option<usize>,
) -> impl Stream<Item = Result<Page<T>, Error>> + Send {
    // State: the walk, or the error to yield after the page that caused it.
    enum State<T> {
        Walking(Walk<T>),
        Failed(Error),
        Done,
    }
    stream::unfold(State::Walking(Walk::new(fetch, start, limit)), |state| async move {
        let mut walk = match state {
            State::Walking(w) => w,
            State::Failed(e) => return Some((Err(e), State::Done)),
            State::Done => return None,
        };
        let fut = walk.next_request()?;
        match fut.await {
            Ok(page) => match walk.record(&page) {
                Ok(()) => Some((Ok(page), State::Walking(walk))),
                Err(e) => Some((Ok(page), State::Failed(e))),
            },
            Err(e) => Some((Err(e), State::Done)),
        }
    })
}

fn prefetched<T: Send + 'static>(
    fetch: FetchPage<T>,
    start: Option<PageToken>,
    limit: Option<usize>,
    depth: usize,
) -> impl Stream<Item = Result<Page<T>, Error>> + Send {
    // A producer task fetches pages into a channel of `depth` slots: it runs ahead of the
    // consumer by at most `depth` pages plus the one in flight, so memory stays bounded.
    let (tx, rx) = tokio::sync::mpsc::channel(depth);
    let task = tokio::spawn(async move {
        let mut walk = Walk::new(fetch, start, limit);
        while let Some(fut) = walk.next_request() {
            let result = fut.await;
            let repeat = match &result {
                Ok(page) => walk.record(page).err(),
                Err(_) => None,
            };
            let failed = result.is_err();
            if tx.send(result).await.is_err() || failed {
                return;
            }
            if let Some(e) = repeat {
                let _ = tx.send(Err(e)).await;
                return;
            }
        }
    });
    let abort = AbortOnDrop(task);
    stream::unfold((rx, abort), |(mut rx, abort)| async move {
        let item = rx.recv().await?;
        Some((item, (rx, abort)))
    })
}

/// Stops the producer when the consumer drops the stream.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
