//! The paginator: fetches pages (ahead of the consumer, up to a depth) and yields them as
//! a stream of pages or of items.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use futures::Stream;
use futures::stream::{self, StreamExt};

use super::cursor::{PageToken, RepeatGuard};
use crate::error::{Error, Refusal};

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
    bounds: WalkBounds,
}

/// Default of [`Paginator::max_empty_pages`].
pub const DEFAULT_MAX_EMPTY_PAGES: u32 = 16;

/// Default of [`Paginator::max_pages`]: a million pages (the cursor memory is then at most
/// a few tens of MiB; a real list that long is walked in several resumed runs).
pub const DEFAULT_MAX_PAGES: u64 = 1_000_000;

/// How far a walk goes against a server whose cursors never end.
#[derive(Debug, Clone, Copy)]
struct WalkBounds {
    max_empty_pages: u32,
    max_pages: u64,
}

impl<T> std::fmt::Debug for Paginator<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paginator")
            .field("start", &self.start)
            .field("prefetch", &self.prefetch)
            .field("limit", &self.limit)
            .finish()
    }
}

impl<T: Send + 'static> Paginator<T> {
    /// A paginator starting at the first page, prefetching one page ahead.
    pub fn new(fetch: FetchPage<T>) -> Self {
        Paginator {
            fetch,
            start: None,
            prefetch: 1,
            limit: None,
            backward_supported: true,
            bounds: WalkBounds { max_empty_pages: DEFAULT_MAX_EMPTY_PAGES, max_pages: DEFAULT_MAX_PAGES },
        }
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

    /// How many empty pages in a row (each with a next cursor) end the walk with
    /// [`crate::Refusal::EmptyPages`] (default [`DEFAULT_MAX_EMPTY_PAGES`]). A server may
    /// return an empty page now and then; one that returns them forever would keep the
    /// stream pending forever.
    pub fn max_empty_pages(mut self, n: u32) -> Self {
        self.bounds.max_empty_pages = n.max(1);
        self
    }

    /// How many pages one walk fetches at most before ending with
    /// [`crate::Refusal::TooManyPages`] (default [`DEFAULT_MAX_PAGES`]). Every cursor of the
    /// walk is remembered to catch cycles of any length; this bounds that memory.
    pub fn max_pages(mut self, n: u64) -> Self {
        self.bounds.max_pages = n.max(1);
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
                Err(Error::invalid_request(
                    "this operation cannot page backward (its spec declares no backward cursor)",
                ))
            }));
        }
        let walk = Walk::new(self.fetch, self.start, self.limit, self.bounds);
        if self.prefetch == 0 { Box::pin(sequential(walk)) } else { Box::pin(prefetched(walk, self.prefetch)) }
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
    pages: u64,
    empty_in_a_row: u32,
    limit: Option<usize>,
    bounds: WalkBounds,
}

impl<T: Send + 'static> Walk<T> {
    fn new(fetch: FetchPage<T>, start: Option<PageToken>, limit: Option<usize>, bounds: WalkBounds) -> Self {
        Walk {
            fetch,
            next: Some(start),
            guard: RepeatGuard::default(),
            fetched_items: 0,
            pages: 0,
            empty_in_a_row: 0,
            limit,
            bounds,
        }
    }

    /// The next request to make, or `None` when done (end of list, or limit covered).
    fn next_request(&mut self) -> Option<PageFuture<T>> {
        if self.limit.is_some_and(|n| self.fetched_items >= n) {
            return None;
        }
        let token = self.next.take()?;
        Some((self.fetch)(token))
    }

    /// Records a fetched page; an error when the walk must stop although the server gave a
    /// next cursor: the cursor was seen before (a cycle, of any length), too many empty
    /// pages in a row, or too many pages.
    fn record(&mut self, page: &Page<T>) -> Result<(), Error> {
        self.fetched_items = self.fetched_items.saturating_add(page.items.len());
        self.pages = self.pages.saturating_add(1);
        let Some(next) = &page.next else { return Ok(()) };
        let key = match next {
            PageToken::After(c) | PageToken::Before(c) => c.clone(),
            PageToken::Number(n) => format!("#{n}"),
        };
        if !self.guard.check(&key) {
            let cursor: String = key.chars().take(64).collect();
            return Err(Error::refused(Refusal::CursorCycle { cursor, pages: self.pages }));
        }
        self.empty_in_a_row = if page.items.is_empty() { self.empty_in_a_row.saturating_add(1) } else { 0 };
        if self.empty_in_a_row >= self.bounds.max_empty_pages {
            return Err(Error::refused(Refusal::EmptyPages { limit: self.bounds.max_empty_pages }));
        }
        if self.pages >= self.bounds.max_pages {
            return Err(Error::refused(Refusal::TooManyPages { limit: self.bounds.max_pages }));
        }
        self.next = Some(Some(next.clone()));
        Ok(())
    }
}

fn sequential<T: Send + 'static>(walk: Walk<T>) -> impl Stream<Item = Result<Page<T>, Error>> + Send {
    // State: the walk, or the error to yield after the page that caused it.
    enum State<T> {
        Walking(Walk<T>),
        Failed(Error),
        Done,
    }
    stream::unfold(State::Walking(walk), |state| async move {
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

fn prefetched<T: Send + 'static>(walk: Walk<T>, depth: usize) -> impl Stream<Item = Result<Page<T>, Error>> + Send {
    // The producer task is spawned on the first poll, not here: building the stream needs no
    // runtime (`.pages()` may be called anywhere), polling it does anyway.
    enum State<T> {
        Idle(Walk<T>),
        Running(PageReceiver<T>, AbortOnDrop),
        Done,
    }
    stream::unfold(State::Idle(walk), move |state| async move {
        let (mut rx, mut producer) = match state {
            State::Idle(walk) => start_producer(walk, depth),
            State::Running(rx, producer) => (rx, producer),
            State::Done => return None,
        };
        match rx.recv().await {
            Some(item) => Some((item, State::Running(rx, producer))),
            // The channel closed: the producer ended. Normally that is the end of the list;
            // a panic is reported, never passed off as the end (a truncated list).
            None => match producer.finish().await {
                Ok(()) => None,
                Err(message) => Some((Err(Error::refused(Refusal::PageProducerFailed { message })), State::Done)),
            },
        }
    })
}

type PageReceiver<T> = tokio::sync::mpsc::Receiver<Result<Page<T>, Error>>;

fn start_producer<T: Send + 'static>(mut walk: Walk<T>, depth: usize) -> (PageReceiver<T>, AbortOnDrop) {
    // A producer task fetches pages into a channel of `depth` slots: it runs ahead of the
    // consumer by at most `depth` pages plus the one in flight, so memory stays bounded.
    let (tx, rx) = tokio::sync::mpsc::channel(depth);
    let task = tokio::spawn(async move {
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
    (rx, AbortOnDrop(Some(task)))
}

/// Stops the producer when the consumer drops the stream.
struct AbortOnDrop(Option<tokio::task::JoinHandle<()>>);

impl AbortOnDrop {
    /// How the producer ended: `Err` with the panic's message when it panicked.
    async fn finish(&mut self) -> Result<(), String> {
        let Some(task) = self.0.take() else { return Ok(()) };
        match task.await {
            Ok(()) => Ok(()),
            Err(e) if e.is_panic() => {
                let payload = e.into_panic();
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic without a message".into());
                Err(crate::redact::bound(&message, 512))
            }
            Err(_) => Err("the task was cancelled".into()),
        }
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(task) = &self.0 {
            task.abort();
        }
    }
}
