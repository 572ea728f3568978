//! Reading `Ratelimit-Limit`, `Ratelimit-Remaining` and `Ratelimit-Reset`.

use reqwest::header::HeaderMap;

use crate::policy::BucketSpec;

/// What the server said about its rate-limit bucket in one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitInfo {
    /// Bucket size in points.
    pub limit: Option<u32>,
    /// Points left.
    pub remaining: Option<u32>,
    /// Unix epoch second when the bucket is full again.
    pub reset: Option<i64>,
}

impl RateLimitInfo {
    /// Reads the headers named by `bucket`; without one, the common `RateLimit-Limit`,
    /// `RateLimit-Remaining` and `RateLimit-Reset` names (the IETF draft's, which Twitch uses).
    /// `None` when none of them is present.
    ///
    /// ```
    /// use reqwest::header::HeaderMap;
    /// use streamkit_runtime::ratelimit::RateLimitInfo;
    /// let mut h = HeaderMap::new();
    /// h.insert("ratelimit-limit", "800".parse().unwrap());
    /// h.insert("ratelimit-remaining", "799".parse().unwrap());
    /// h.insert("ratelimit-reset", "1700000000".parse().unwrap());
    /// let info = RateLimitInfo::from_headers(&h, None).unwrap();
    /// assert_eq!((info.limit, info.remaining, info.reset), (Some(800), Some(799), Some(1_700_000_000)));
    /// ```
    pub fn from_headers(headers: &HeaderMap, bucket: Option<&BucketSpec>) -> Option<Self> {
        let (l, r, s) = match bucket {
            Some(b) => (b.limit_header, b.remaining_header, b.reset_header),
            None => (Some("ratelimit-limit"), Some("ratelimit-remaining"), Some("ratelimit-reset")),
        };
        fn num<T: std::str::FromStr>(h: &HeaderMap, name: Option<&str>) -> Option<T> {
            h.get(name?)?.to_str().ok()?.trim().parse().ok()
        }
        let info = RateLimitInfo { limit: num(headers, l), remaining: num(headers, r), reset: num(headers, s) };
        (info.limit.is_some() || info.remaining.is_some() || info.reset.is_some()).then_some(info)
    }
}
