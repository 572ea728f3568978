//! Page/limit paging through the sandbox's `/sandbox/paged` route (Mixer's v1 style): the
//! same `Paginator` as cursor paging, with the next page read from `Link`, `x-total-count`,
//! or a short page.

use std::sync::Arc;

use futures::TryStreamExt;
use streamkit_runtime::pagination::{Page, PageToken, Paginator, next_page_number};
use streamkit_sandbox::{Sandbox, SandboxConfig};

fn paginator(base: String, extra: &'static str, limit: u64) -> Paginator<serde_json::Value> {
    streamkit_runtime::tls::install_default_provider();
    let http = reqwest::Client::new();
    Paginator::new(Arc::new(move |at: Option<PageToken>| {
        let (http, base) = (http.clone(), base.clone());
        Box::pin(async move {
            let page = match at {
                Some(PageToken::Number(n)) => n,
                _ => 0,
            };
            let url = format!("{base}/sandbox/paged?page={page}&limit={limit}&total=230{extra}");
            let resp = http.get(url).send().await.map_err(|e| streamkit_runtime::Error::Config(e.to_string()))?;
            let headers = resp.headers().clone();
            let items: Vec<serde_json::Value> =
                resp.json().await.map_err(|e| streamkit_runtime::Error::Config(e.to_string()))?;
            let next = next_page_number(page, limit, items.len(), &headers).map(PageToken::Number);
            Ok(Page { items, requested: Some(PageToken::Number(page)), next })
        }) as _
    }))
}

async fn ids(p: Paginator<serde_json::Value>) -> Vec<u64> {
    p.items().map_ok(|v| v["id"].as_u64().unwrap()).try_collect().await.unwrap()
}

#[tokio::test]
async fn every_item_once_whatever_tells_the_end() {
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let want: Vec<u64> = (0..230).collect();
    for extra in ["", "&link=0&count_header=1", "&link=0"] {
        assert_eq!(ids(paginator(sb.url(), extra, 50)).await, want, "{extra}");
        assert_eq!(ids(paginator(sb.url(), extra, 50).prefetch(0)).await, want, "{extra} sequential");
    }
    // A list that ends on a full page: with neither header the client asks once more and
    // gets an empty page.
    let before = sb.requests().len();
    let got = ids(paginator(sb.url(), "&link=0", 46)).await;
    assert_eq!(got, want);
    assert_eq!(sb.requests().len() - before, 6, "5 full pages and 1 empty");
    // Resume at a saved page number; stop at an item limit.
    let rest = ids(paginator(sb.url(), "", 50).resume(PageToken::Number(4))).await;
    assert_eq!(rest, (200..230).collect::<Vec<_>>());
    let first = ids(paginator(sb.url(), "", 50).take_items(60)).await;
    assert_eq!(first, (0..60).collect::<Vec<_>>());
}
