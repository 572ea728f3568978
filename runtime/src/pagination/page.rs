//! Page-number paging (`page` + `limit`), as Mixer's v1 API does it: which page comes next,
//! read from an RFC 5988 `Link` header, else an `x-total-count` header, else from whether
//! the page came back full.

use reqwest::header::HeaderMap;

/// The next page number after `page` (which held `items` of at most `limit`), or `None` at
/// the end.
///
/// ```
/// use reqwest::header::HeaderMap;
/// use streamkit_runtime::pagination::next_page_number;
/// let mut h = HeaderMap::new();
/// // No headers: a full page means there may be more, a short one is the last.
/// assert_eq!(next_page_number(0, 50, 50, &h), Some(1));
/// assert_eq!(next_page_number(3, 50, 10, &h), None);
/// // x-total-count: exact.
/// h.insert("x-total-count", "100".parse().unwrap());
/// assert_eq!(next_page_number(1, 50, 50, &h), None);
/// // Link rel="next" wins.
/// h.insert("link", r#"<https://x/api?page=7&limit=50>; rel="next""#.parse().unwrap());
/// assert_eq!(next_page_number(1, 50, 50, &h), Some(7));
/// ```
pub fn next_page_number(page: u64, limit: u64, items: usize, headers: &HeaderMap) -> Option<u64> {
    if let Some(link) = headers.get(reqwest::header::LINK).and_then(|v| v.to_str().ok()) {
        return link_next_page(link).map(|n| n.unwrap_or(page + 1));
    }
    if let Some(total) =
        headers.get("x-total-count").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok())
    {
        return ((page + 1).saturating_mul(limit) < total).then_some(page + 1);
    }
    (items as u64 >= limit && items > 0).then_some(page + 1)
}

/// `Some(Some(n))`: a `rel="next"` link whose URL says `page=n`; `Some(None)`: a next link
/// without a page number; `None`: no next link.
fn link_next_page(header: &str) -> Option<Option<u64>> {
    header.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim();
            p.eq_ignore_ascii_case("rel=\"next\"") || p.eq_ignore_ascii_case("rel=next")
        });
        if !is_next {
            return None;
        }
        let url = url.trim().trim_start_matches('<').trim_end_matches('>');
        let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
        let page = query.split('&').find_map(|kv| kv.strip_prefix("page=")).and_then(|v| v.parse().ok());
        Some(page)
    })
}
