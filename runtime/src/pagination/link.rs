//! RFC 8288 `Link` headers (`<url>; rel="next", <url>; rel="last"`): the target of a
//! relation, and a query parameter of a target URL. Generic HTTP, used by the header-paged
//! styles (`page`, `link-cursor`).

use reqwest::header::HeaderMap;

/// The most links read from one response (every value of the header together), so a
/// hostile header costs bounded work.
const MAX_LINKS: usize = 64;

/// The target of the first link with relation `rel` (compared ignoring ASCII case) in any
/// value of the header `name`.
///
/// ```
/// use reqwest::header::HeaderMap;
/// use streamkit_runtime::pagination::link_target;
/// let mut h = HeaderMap::new();
/// // A comma inside the URL is not a separator; `rel` may hold several relations.
/// h.insert("link", r#"<https://x/a?where=a:eq:1,b:eq:2&page=1>; rel="next last"; title="n""#.parse().unwrap());
/// assert_eq!(link_target(&h, "Link", "next").as_deref(), Some("https://x/a?where=a:eq:1,b:eq:2&page=1"));
/// assert_eq!(link_target(&h, "link", "prev"), None);
/// ```
pub fn link_target(headers: &HeaderMap, name: &str, rel: &str) -> Option<String> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(parse)
        .take(MAX_LINKS)
        .find(|(_, rels)| rels.iter().any(|r| r.eq_ignore_ascii_case(rel)))
        .map(|(target, _)| target)
}

/// The value of query parameter `name` in `url` (percent-decoded, `+` as a space), `None`
/// when absent or empty.
///
/// ```
/// use streamkit_runtime::pagination::query_param;
/// assert_eq!(query_param("https://x/?limit=5&continuationToken=ab%3Dc", "continuationToken").as_deref(), Some("ab=c"));
/// assert_eq!(query_param("https://x/?page=", "page"), None);
/// assert_eq!(query_param("/relative?page=3#top", "page").as_deref(), Some("3"));
/// ```
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v).filter(|v| !v.is_empty())
}

/// The links of one header value: each target with its `rel` relations. Parsing stops at
/// the first malformed link (what came before it is kept).
fn parse(value: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_ascii_whitespace());
        let Some(after_open) = rest.strip_prefix('<') else { return out };
        let Some(close) = after_open.find('>') else { return out };
        let target = after_open[..close].trim().to_owned();
        rest = &after_open[close + 1..];
        let mut rels = Vec::new();
        // Parameters: `; name=value` or `; name="quoted, value"`, up to the next `,`.
        loop {
            rest = rest.trim_start();
            let Some(param) = rest.strip_prefix(';') else { break };
            let param = param.trim_start();
            let name_end = param.find(['=', ';', ',']).unwrap_or(param.len());
            let pname = param[..name_end].trim();
            rest = &param[name_end..];
            let mut pvalue = String::new();
            if let Some(v) = rest.strip_prefix('=') {
                let v = v.trim_start();
                if let Some(q) = v.strip_prefix('"') {
                    let Some((quoted, tail)) = split_quoted(q) else { return out };
                    pvalue = quoted;
                    rest = tail;
                } else {
                    let end = v.find([';', ',']).unwrap_or(v.len());
                    pvalue = v[..end].trim().to_owned();
                    rest = &v[end..];
                }
            }
            if pname.eq_ignore_ascii_case("rel") {
                rels.extend(pvalue.split_ascii_whitespace().map(str::to_owned));
            }
        }
        out.push((target, rels));
        if out.len() >= MAX_LINKS {
            return out;
        }
        match rest.trim_start().chars().next() {
            Some(',') | None => {}
            // Something that is neither a parameter nor the next link: malformed.
            Some(_) => return out,
        }
    }
}

/// A quoted string's content (backslash escapes resolved) and what follows its closing quote.
fn split_quoted(s: &str) -> Option<(String, &str)> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &s[i + 1..])),
            '\\' => out.push(chars.next()?.1),
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_links_quoted_params_and_malformed_input() {
        let l = parse(r#"<a?page=2>; rel="next", <a?page=9>; rel=last; title="x, \"y\"", <b>"#);
        assert_eq!(l.len(), 3);
        assert_eq!(l[0], ("a?page=2".to_owned(), vec!["next".to_owned()]));
        assert_eq!(l[1].1, vec!["last".to_owned()]);
        assert!(l[2].1.is_empty());
        assert!(parse("garbage").is_empty());
        assert_eq!(parse(r#"<a>; rel="next", junk <b>; rel=next"#).len(), 1, "stops at the junk");
        assert_eq!(parse(r#"<a>; title="unclosed"#).len(), 0);
        let many = vec!["<x>; rel=other"; 500].join(", ");
        assert_eq!(parse(&many).len(), MAX_LINKS);
    }
}
