//! Pagination against a server whose cursors never end (issue 10): cycles of any length,
//! empty pages each with a fresh cursor, a producer that panics, and a stream built outside
//! a runtime.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures::StreamExt;
use streamkit_runtime::Refusal;
use streamkit_runtime::pagination::{FetchPage, Page, PageToken, Paginator};

/// A list whose n-th page (0-based) is `page(n)`: its items and its next cursor.
fn list(page: impl Fn(u64) -> (Vec<u64>, Option<String>) + Send + Sync + 'static) -> (FetchPage<u64>, Arc<AtomicU64>) {
    let fetched = Arc::new(AtomicU64::new(0));
    let count = fetched.clone();
    let fetch: FetchPage<u64> = Arc::new(move |at: Option<PageToken>| {
        let n = count.fetch_add(1, Ordering::SeqCst);
        let (items, next) = page(n);
        Box::pin(async move { Ok(Page { items, requested: at, next: next.map(PageToken::After) }) })
    });
    (fetch, fetched)
}

async fn last_error(p: Paginator<u64>) -> (usize, streamkit_runtime::Error) {
    let results: Vec<_> = p.pages().collect().await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    let err = results.into_iter().last().unwrap().unwrap_err();
    (ok, err)
}

#[tokio::test]
async fn a_cursor_cycle_of_a_hundred_is_caught_whatever_the_prefetch() {
    for prefetch in [0, 1, 4] {
        let (fetch, fetched) = list(|n| (vec![n], Some(format!("c{}", n % 100))));
        let (ok, err) = last_error(Paginator::new(fetch).prefetch(prefetch)).await;
        assert!(matches!(err.refusal(), Some(Refusal::CursorCycle { cursor, .. }) if cursor == "c0"), "{err}");
        assert_eq!(ok, 101, "every page up to the one repeating a cursor");
        assert_eq!(fetched.load(Ordering::SeqCst), 101, "no page past the repeat (prefetch {prefetch})");
    }
}

#[tokio::test]
async fn endless_empty_pages_with_fresh_cursors_end_with_a_typed_error() {
    let (fetch, fetched) = list(|n| (vec![], Some(format!("fresh-{n}"))));
    let (_, err) = last_error(Paginator::new(fetch)).await;
    assert_eq!(
        err.refusal(),
        Some(&Refusal::EmptyPages { limit: streamkit_runtime::pagination::DEFAULT_MAX_EMPTY_PAGES }),
        "{err}"
    );
    assert_eq!(fetched.load(Ordering::SeqCst), u64::from(streamkit_runtime::pagination::DEFAULT_MAX_EMPTY_PAGES));

    // Configurable; a few empty pages between full ones are fine.
    let (fetch, _) = list(|n| (vec![], Some(format!("fresh-{n}"))));
    let (_, err) = last_error(Paginator::new(fetch).max_empty_pages(3).prefetch(0)).await;
    assert_eq!(err.refusal(), Some(&Refusal::EmptyPages { limit: 3 }));
    let (fetch, _) = list(|n| (if n % 3 == 0 { vec![n] } else { vec![] }, (n < 30).then(|| format!("c{n}"))));
    let items: Vec<_> = Paginator::new(fetch).max_empty_pages(3).items().collect().await;
    assert!(items.iter().all(|r| r.is_ok()) && items.len() == 11);
}

#[tokio::test]
async fn the_walk_has_a_page_limit_that_bounds_cursor_memory() {
    let (fetch, fetched) = list(|n| (vec![n], Some(format!("c{n}"))));
    let (ok, err) = last_error(Paginator::new(fetch).max_pages(500)).await;
    assert_eq!(err.refusal(), Some(&Refusal::TooManyPages { limit: 500 }));
    assert_eq!((ok, fetched.load(Ordering::SeqCst)), (500, 500));
}

#[tokio::test]
async fn a_panicking_producer_is_an_error_item_not_the_end_of_the_list() {
    let (fetch, _) = list(|n| {
        assert!(n < 2, "page {n} cannot be decoded");
        (vec![n], Some(format!("c{n}")))
    });
    let results: Vec<_> = Paginator::new(fetch).prefetch(2).pages().collect().await;
    assert_eq!(results.len(), 3, "{results:?}");
    let err = results[2].as_ref().unwrap_err();
    match err.refusal() {
        Some(Refusal::PageProducerFailed { message }) => {
            assert!(message.contains("page 2 cannot be decoded"), "{message}")
        }
        other => panic!("expected a producer failure, got {other:?}"),
    }
}

#[test]
fn pages_can_be_built_outside_a_runtime_and_polled_inside_one() {
    let (fetch, _) = list(|n| (vec![n], (n < 2).then(|| format!("c{n}"))));
    // Before: `tokio::spawn` in `.pages()` panicked here ("there is no reactor running").
    let pages = Paginator::new(fetch).prefetch(2).pages();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let items: Vec<u64> = rt.block_on(pages.map(|p| p.unwrap().items).concat());
    assert_eq!(items, [0, 1, 2]);
}
