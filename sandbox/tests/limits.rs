//! Hostile requests against the sandbox (issue 10): figures that overflowed the page/limit
//! arithmetic, and bodies over the size limit, answer documented statuses in the service's
//! error format instead of panicking or becoming a contract-violation 500.

mod common;

use common::*;
use reqwest::Method;
use streamkit_sandbox::core::MAX_REQUEST_BODY;

#[tokio::test]
async fn page_and_total_past_their_bounds_are_a_400_not_a_panic() {
    let ctx = start().await;
    let base = format!("{}/sandbox/paged", ctx.sb.url());
    let max = u64::MAX.to_string();
    let near = (u64::MAX / 100).to_string();
    for query in
        [vec![("page", max.as_str())], vec![("page", near.as_str()), ("limit", "100"), ("total", max.as_str())]]
    {
        let r = ctx.send(ctx.http.get(&base).query(&query)).await;
        assert_eq!(r.status.as_u16(), 400, "{query:?}: {}", r.text);
        assert!(r.body["message"].as_str().unwrap().contains("between 0 and"), "{}", r.text);
    }
    // In range, far past the end: an empty page, no overflow.
    let r =
        ctx.send(ctx.http.get(&base).query(&[("page", "1000000000"), ("limit", "100"), ("total", "1000000000")])).await;
    assert_eq!((r.status.as_u16(), r.body.as_array().map(Vec::len)), (200, Some(0)), "{}", r.text);
    assert!(ctx.sb.contract_violations().is_empty());
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413_in_the_services_format() {
    let ctx = start().await;
    let seed = ctx.sb.seed();
    let token = ctx.sb.mint_user_token(&seed.broadcaster_id, &["channel:manage:broadcast"]);
    let huge = format!(r#"{{"title":"{}"}}"#, "t".repeat(MAX_REQUEST_BODY + 1));
    let patch = || {
        ctx.helix(Method::PATCH, "/channels", &token)
            .query(&[("broadcaster_id", seed.broadcaster_id.as_str())])
            .header("content-type", "application/json")
    };
    // Declared in Content-Length: refused before routing.
    let r = ctx.send(patch().body(huge.clone())).await;
    assert_helix_error(&r, 413);
    // Streamed without a length: refused when the handler reads past the limit.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        huge.into_bytes().chunks(64 * 1024).map(|c| Ok(c.to_vec())).collect();
    let r = ctx.send(patch().body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))).await;
    assert_helix_error(&r, 413);
    assert!(ctx.sb.contract_violations().is_empty(), "{:?}", ctx.sb.contract_violations());
}
