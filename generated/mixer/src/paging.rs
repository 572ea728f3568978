//! Paging Mixer's lists with the runtime's [`Paginator`] (streams, pages, prefetch, resume).
//!
//! Mixer says where the next page is in headers, not in the body — v1 lists in `Link`
//! (`rel="next"`) and `x-total-count`, v2 lists in the `link` header's `continuationToken`
//! — which codegen's `x-streamkit-pagination` does not read yet, so these two functions
//! adapt any generated call instead. The closure sends one page; the paginator walks.
//!
//! ```no_run
//! use streamkit_mixer::filters::{Order, Where};
//! use streamkit_mixer::pagination::TryStreamExt;
//! use streamkit_mixer::{paging, rest, Error};
//!
//! # async fn demo(client: rest::Client) -> Result<(), Error> {
//! let live: Vec<rest::types::ExpandedChannel> = paging::by_page(50, move |page, limit| {
//!     let client = client.clone();
//!     async move {
//!         client
//!             .list_channels()
//!             .where_(Where::field("online").eq(true))
//!             .order(Order::desc("viewersCurrent"))
//!             .page(page)
//!             .limit(limit)
//!             .send()
//!             .await
//!     }
//! })
//! .items()
//! .try_collect()
//! .await?;
//! # let _ = live; Ok(()) }
//! ```

use std::future::Future;
use std::sync::Arc;

use progenitor_client::ResponseValue;
use streamkit_runtime::Error;
use streamkit_runtime::pagination::{FetchPage, Page, PageFuture, PageToken, Paginator, next_page_number};

/// Walks a v1 list (`page` from 0 and `limit`): `fetch(page, limit)` sends one page.
///
/// The next page comes from the `Link` header's `rel="next"`, else `x-total-count`, else
/// from whether the page came back full. Page tokens are [`PageToken::Number`] holding
/// Mixer's page index plus one (the runtime's page numbers start at 1), so
/// `.resume(PageToken::Number(3))` starts at Mixer's `page=2`.
pub fn by_page<T, F, Fut>(limit: u64, fetch: F) -> Paginator<T>
where
    T: Send + 'static,
    F: Fn(u64, u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<ResponseValue<Vec<T>>, Error>> + Send + 'static,
{
    let fetch = Arc::new(fetch);
    let page: FetchPage<T> = Arc::new(move |at: Option<PageToken>| {
        let fetch = fetch.clone();
        let fut: PageFuture<T> = Box::pin(async move {
            let index = match &at {
                None => 0,
                Some(PageToken::Number(n)) => n.saturating_sub(1),
                Some(_) => {
                    return Err(Error::InvalidRequest {
                        operation: None,
                        message: "Mixer's v1 lists page by number, not by cursor".into(),
                    });
                }
            };
            let response = fetch(index, limit).await?;
            let next =
                next_page_number(index, limit, response.len(), response.headers()).map(|n| PageToken::Number(n + 1));
            Ok(Page { items: response.into_inner(), requested: at, next })
        });
        fut
    });
    Paginator::new(page).forward_only()
}

/// Walks a v2 list (`limit` and `continuationToken`): `fetch(token)` sends one page, with
/// `continuationToken` set when `token` is `Some`. The next token is read from the `link`
/// header's `rel="next"` URL; the walk ends when there is none.
pub fn by_continuation<T, F, Fut>(fetch: F) -> Paginator<T>
where
    T: Send + 'static,
    F: Fn(Option<String>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<ResponseValue<Vec<T>>, Error>> + Send + 'static,
{
    let fetch = Arc::new(fetch);
    let page: FetchPage<T> = Arc::new(move |at: Option<PageToken>| {
        let fetch = fetch.clone();
        let fut: PageFuture<T> = Box::pin(async move {
            let token = match &at {
                None => None,
                Some(PageToken::After(t)) => Some(t.clone()),
                Some(_) => {
                    return Err(Error::InvalidRequest {
                        operation: None,
                        message: "Mixer's v2 lists page forward by continuation token only".into(),
                    });
                }
            };
            let response = fetch(token).await?;
            let next = response
                .headers()
                .get(reqwest::header::LINK)
                .and_then(|v| v.to_str().ok())
                .and_then(continuation_token)
                .map(PageToken::After);
            Ok(Page { items: response.into_inner(), requested: at, next })
        });
        fut
    });
    Paginator::new(page).forward_only()
}

/// The `continuationToken` of a `Link` header's `rel="next"` URL, percent-decoded.
///
/// ```
/// use streamkit_mixer::paging::continuation_token;
/// let link = r#"<https://mixer.com/api/v2/chats/1/users?limit=50&continuationToken=ab%3Dc>; rel="next""#;
/// assert_eq!(continuation_token(link).as_deref(), Some("ab=c"));
/// assert_eq!(continuation_token(r#"<https://x/?page=2>; rel="last""#), None);
/// ```
pub fn continuation_token(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let next = params.split(';').any(|p| matches!(p.trim(), "rel=\"next\"" | "rel=next"));
        if !next {
            return None;
        }
        let url = url.trim().trim_start_matches('<').trim_end_matches('>');
        let query = url.split_once('?')?.1;
        let raw = query.split('&').find_map(|kv| kv.strip_prefix("continuationToken="))?;
        Some(percent_decode(raw)).filter(|t| !t.is_empty())
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
