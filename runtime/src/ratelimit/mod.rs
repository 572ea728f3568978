//! Rate-limit figures the server reports.

mod headers;

pub use headers::RateLimitInfo;
