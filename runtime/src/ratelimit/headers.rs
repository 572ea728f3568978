//! Reading a bucket's `Ratelimit-Limit`, `Ratelimit-Remaining` and `Ratelimit-Reset`, with the
//! reset converted to an epoch second whatever unit the spec declares.

use reqwest::header::HeaderMap;

use crate::policy::{BucketSpec, ResetUnit};

/// What the server said about its rate-limit bucket in one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitInfo {
    /// Bucket size in points.
    pub limit: Option<u32>,
    /// Points left.
    pub remaining: Option<u32>,
    /// Unix epoch second when the bucket is full again (converted from the header's unit).
    pub reset: Option<i64>,
}

impl RateLimitInfo {
    /// Reads the headers named by `bucket`, the reset in the bucket's declared unit; without
    /// a bucket, the IETF RateLimit draft's `RateLimit-Limit`, `RateLimit-Remaining` and
    /// `RateLimit-Reset`, the reset in the draft's delta-seconds. `received_epoch` is when the
    /// response arrived (epoch seconds), the origin of a delta. `None` when no header is there.
    ///
    /// ```
    /// use reqwest::header::HeaderMap;
    /// use streamkit_runtime::ratelimit::RateLimitInfo;
    /// let mut h = HeaderMap::new();
    /// h.insert("ratelimit-limit", "800".parse().unwrap());
    /// h.insert("ratelimit-remaining", "799".parse().unwrap());
    /// h.insert("ratelimit-reset", "30".parse().unwrap());
    /// let info = RateLimitInfo::from_headers(&h, None, 1_700_000_000.0).unwrap();
    /// assert_eq!((info.limit, info.remaining, info.reset), (Some(800), Some(799), Some(1_700_000_030)));
    /// ```
    pub fn from_headers(headers: &HeaderMap, bucket: Option<&BucketSpec>, received_epoch: f64) -> Option<Self> {
        let (l, r, s, unit) = match bucket {
            Some(b) => (b.limit_header, b.remaining_header, b.reset_header, b.reset_unit),
            None => {
                (Some("ratelimit-limit"), Some("ratelimit-remaining"), Some("ratelimit-reset"), ResetUnit::DeltaSeconds)
            }
        };
        fn num<T: std::str::FromStr>(h: &HeaderMap, name: Option<&str>) -> Option<T> {
            h.get(name?)?.to_str().ok()?.trim().parse().ok()
        }
        let reset = num::<i64>(headers, s).map(|raw| epoch_reset(raw, unit, received_epoch));
        let info = RateLimitInfo { limit: num(headers, l), remaining: num(headers, r), reset };
        (info.limit.is_some() || info.remaining.is_some() || info.reset.is_some()).then_some(info)
    }
}

/// The reset as an epoch second. A delta counts from when the server answered, which was at
/// or before `received_epoch`: rounding `received + delta` up gives a second at or after the
/// server's reset, the upper bound the bucket arithmetic assumes of an epoch reset (an early
/// server clock read only makes the learned rate lower, i.e. more careful).
fn epoch_reset(raw: i64, unit: ResetUnit, received_epoch: f64) -> i64 {
    match unit {
        ResetUnit::EpochSeconds => raw,
        ResetUnit::DeltaSeconds => (received_epoch + raw.max(0) as f64).ceil() as i64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(unit: ResetUnit) -> BucketSpec {
        BucketSpec {
            name: "b",
            points: 10,
            per_seconds: 1,
            per_user: false,
            limit_header: Some("l"),
            remaining_header: Some("r"),
            reset_header: Some("s"),
            reset_unit: unit,
        }
    }

    fn headers(reset: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("l", "10".parse().unwrap());
        h.insert("r", "3".parse().unwrap());
        h.insert("s", reset.parse().unwrap());
        h
    }

    #[test]
    fn an_epoch_reset_is_taken_as_is() {
        let info =
            RateLimitInfo::from_headers(&headers("1700000005"), Some(&spec(ResetUnit::EpochSeconds)), 1_700_000_000.4);
        assert_eq!(info.unwrap().reset, Some(1_700_000_005));
    }

    #[test]
    fn a_delta_reset_counts_from_the_response_and_rounds_up() {
        let info = RateLimitInfo::from_headers(&headers("5"), Some(&spec(ResetUnit::DeltaSeconds)), 1_700_000_000.4);
        assert_eq!(info.unwrap().reset, Some(1_700_000_006));
        let whole = RateLimitInfo::from_headers(&headers("5"), Some(&spec(ResetUnit::DeltaSeconds)), 1_700_000_000.0);
        assert_eq!(whole.unwrap().reset, Some(1_700_000_005));
        // A negative delta is a server bug; it means "now", never the past.
        let neg = RateLimitInfo::from_headers(&headers("-3"), Some(&spec(ResetUnit::DeltaSeconds)), 1_700_000_000.0);
        assert_eq!(neg.unwrap().reset, Some(1_700_000_000));
    }

    #[test]
    fn only_the_declared_headers_are_read() {
        let mut h = HeaderMap::new();
        h.insert("ratelimit-remaining", "3".parse().unwrap());
        assert_eq!(RateLimitInfo::from_headers(&h, Some(&spec(ResetUnit::EpochSeconds)), 0.0), None);
        assert_eq!(RateLimitInfo::from_headers(&h, None, 0.0).unwrap().remaining, Some(3));
    }
}
