//! A client's base URL, parsed once when the client is made, and the request URLs built
//! from it without parsing a whole URL per call.
//!
//! progenitor writes `format!("{}/streams", baseurl)` and hands the string to reqwest, which
//! parses scheme, host and port again on every call. The generated code asks [`BaseUrl`]
//! instead: it clones the parsed base and sets the path (the base's path plus the
//! operation's, path parameters already percent-encoded by `encode_path`). `Url::set_path`
//! runs the same path parser the whole-URL parse ran on that part, so the URL sent is the
//! same as before, byte for byte.

use std::sync::Arc;

use reqwest::Url;

use crate::call::with_call;
use crate::error::Error;

/// A base URL parsed once: the start of every request URL of one client.
///
/// Built infallibly (progenitor's `new(baseurl, …)` cannot fail); a base URL that does not
/// parse is reported by each call as [`Error::Config`] naming it, never a panic.
///
/// ```
/// use streamkit_runtime::base_url::BaseUrl;
///
/// let base = BaseUrl::new("http://127.0.0.1:8080/helix");
/// let url = base.join("/channels/a%2Fb").unwrap();
/// assert_eq!(url.as_str(), "http://127.0.0.1:8080/helix/channels/a%2Fb");
///
/// let bad = BaseUrl::new("not a url");
/// assert!(bad.join("/streams").unwrap_err().to_string().contains("`not a url`"));
/// ```
#[derive(Clone, Debug)]
pub struct BaseUrl(Result<Parsed, Arc<str>>);

#[derive(Clone, Debug)]
struct Parsed {
    url: Url,
    /// The base's path without a trailing `/`, as the URL parser normalised it; `""` when
    /// the base has no path (`Url::path` says `/` then, the string said nothing).
    path: Arc<str>,
}

impl BaseUrl {
    /// Parses `base` (a trailing `/` is dropped, as the client builder does). A base that is
    /// not an absolute URL with a host, or that has a query or fragment, is kept as the
    /// error every [`join`](Self::join) reports.
    pub fn new(base: &str) -> BaseUrl {
        BaseUrl(parse(base).map_err(Arc::from))
    }

    /// The request URL for `path`: the operation's path with its parameters already
    /// percent-encoded, starting with `/` (`"/channels"`, `"/users/141981764/follows"`).
    ///
    /// Two things the URL parser would do to a path parameter are refused or prevented,
    /// since either would send the call to another resource: a parameter that is a dot
    /// segment (`.`, `..`, `%2e`, …, which the parser resolves away) fails with
    /// [`Error::InvalidRequest`], and a `\\` (a path separator to the parser in `http(s)`
    /// URLs; `encode_path` leaves it) is sent as `%5C`.
    pub fn join(&self, path: &str) -> Result<Url, Error> {
        let parsed = self.0.as_ref().map_err(|e| Error::config(e.to_string()))?;
        if let Some(seg) = path.split('/').skip(1).find(|s| is_dot_segment(s)) {
            return Err(Error::InvalidRequest {
                operation: None,
                message: format!("a path parameter is `{seg}`, which URL normalisation would remove from the path"),
            });
        }
        let mut url = parsed.url.clone();
        let mut full = String::with_capacity(parsed.path.len() + path.len());
        full.push_str(&parsed.path);
        if path.contains('\\') {
            full.push_str(&path.replace('\\', "%5C"));
        } else {
            full.push_str(path);
        }
        url.set_path(&full);
        Ok(url)
    }
}

/// `.` or `..`, also percent-encoded (`%2e`, `.%2E`, …): what the URL parser treats as one.
fn is_dot_segment(seg: &str) -> bool {
    let lower = seg.to_ascii_lowercase();
    matches!(lower.as_str(), "." | "%2e" | ".." | ".%2e" | "%2e." | "%2e%2e")
}

fn parse(base: &str) -> Result<Parsed, String> {
    let base = base.trim_end_matches('/');
    let url = Url::parse(base).map_err(|e| format!("base URL `{base}` is not a valid URL: {e}"))?;
    if !url.has_host() || url.cannot_be_a_base() {
        return Err(format!("base URL `{base}` has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("base URL `{base}` has a query or fragment: it must end with its path"));
    }
    let path = url.path().trim_end_matches('/');
    Ok(Parsed { path: Arc::from(path), url })
}

/// The request URL of one generated call: [`BaseUrl::join`], its error left for the `send`
/// wrapper (as the hooks do) with a short copy for progenitor's error.
// progenitor's error is what the generated `send_raw`'s `?` takes; its size is progenitor's.
#[allow(clippy::result_large_err)]
pub fn request_url<E>(base: &BaseUrl, path: &str) -> Result<Url, progenitor_client::Error<E>> {
    base.join(path).map_err(|e| {
        let short = e.to_string();
        with_call(|c| c.error = Some(e));
        progenitor_client::Error::Custom(short)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What progenitor did: format the string and let the URL parser read all of it.
    fn formatted(base: &str, path: &str) -> String {
        Url::parse(&format!("{}{path}", base.trim_end_matches('/'))).unwrap().to_string()
    }

    #[test]
    fn joins_like_a_whole_url_parse() {
        let encoded = |s: &str| progenitor_client::encode_path(s);
        let params = ["a/b", "a?b", "a#b", "100%", "a b", "ünï çødé", "a.b", "...", "%2e", "a\tb", "", "x\ny"];
        for base in
            ["http://127.0.0.1:8080/helix", "http://127.0.0.1:8080", "https://api.example.com/v1/", "http://h/a b"]
        {
            let b = BaseUrl::new(base);
            for p in params {
                let path = format!("/v1/channels/{}/follow", encoded(p));
                assert_eq!(b.join(&path).unwrap().as_str(), formatted(base, &path), "base {base}, param {p:?}");
            }
            assert_eq!(b.join("/streams").unwrap().as_str(), formatted(base, "/streams"));
        }
    }

    #[test]
    fn a_dot_segment_parameter_is_refused_and_a_backslash_is_encoded() {
        let b = BaseUrl::new("http://h/api");
        let encoded = |s: &str| progenitor_client::encode_path(s);
        for p in [".", "..", "%2e", "%2E%2e", ".%2E"] {
            // encode_path turns `%` into `%25`, so only the plain dots reach the URL as dots.
            let path = format!("/channels/{}/follow", encoded(p));
            let r = b.join(&path);
            if p.contains('%') {
                assert!(r.is_ok(), "{p}: {r:?}");
            } else {
                let e = r.unwrap_err();
                assert!(matches!(e, Error::InvalidRequest { .. }) && e.to_string().contains(&format!("`{p}`")), "{e}");
            }
        }
        assert!(b.join("/channels/%2e%2E/follow").is_err(), "an already-encoded dot segment is one too");
        assert_eq!(b.join(&format!("/channels/{}", encoded("a\\b"))).unwrap().as_str(), "http://h/api/channels/a%5Cb");
    }

    #[test]
    fn a_bad_base_is_an_error_naming_it_at_each_call() {
        for (base, says) in [
            ("not a url", "is not a valid URL"),
            ("http://[::1/api", "is not a valid URL"),
            ("mailto:someone@example.com", "has no host"),
            ("http://h/api?key=1", "has a query or fragment"),
            ("http://h/api#top", "has a query or fragment"),
        ] {
            let err = BaseUrl::new(base).join("/streams").unwrap_err();
            assert!(matches!(err, Error::Config(_)), "{base}: {err:?}");
            let text = err.to_string();
            assert!(text.contains(says) && text.contains(base.split(['?', '#']).next().unwrap()), "{base}: {text}");
        }
    }
}
