//! The typed `x-streamkit-*` extensions (documented in `specs/README.md`) and their readers.
//! Where each key may appear, and the check of one occurrence, is in [`crate::vocabulary`].

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

/// `x-streamkit-service` (document level).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Service {
    /// The crate under `generated/`.
    #[serde(rename = "crate")]
    pub krate: String,
    /// The module (and `generated_<module>.rs`).
    pub module: String,
    /// Production base URL.
    pub base_url: String,
}

/// One entry of `x-streamkit-ratelimit-buckets`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Bucket {
    /// Bucket size.
    pub points: u32,
    /// Seconds to fill.
    pub per_seconds: u32,
    /// `client` or `client-and-user`.
    pub scope: BucketScope,
    /// Header names.
    #[serde(default)]
    pub headers: BucketHeaders,
}

/// Whose bucket a call draws from.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum BucketScope {
    /// One bucket per client id.
    Client,
    /// One per client id and user (app tokens: per client id).
    ClientAndUser,
}

/// Rate-limit header names.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketHeaders {
    /// Bucket size header.
    pub limit: Option<String>,
    /// Points left header.
    pub remaining: Option<String>,
    /// Reset (epoch seconds) header.
    pub reset: Option<String>,
}

/// `x-streamkit-ratelimit` (document default or operation).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Bucket name.
    pub bucket: String,
    /// Points per call.
    #[serde(default = "one")]
    pub cost: u32,
}

fn one() -> u32 {
    1
}

/// `x-streamkit-pagination`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pagination {
    /// `cursor` or `cursor-string`.
    pub style: PageStyle,
    /// Request parameter names.
    pub request: PageRequest,
    /// Where items and cursor are in the body.
    pub response: PageResponse,
}

/// Pagination styles.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum PageStyle {
    /// `pagination: {cursor}`.
    Cursor,
    /// `pagination: "<cursor>"`.
    CursorString,
}

impl PageStyle {
    /// The name used in the spec.
    pub fn as_str(self) -> &'static str {
        match self {
            PageStyle::Cursor => "cursor",
            PageStyle::CursorString => "cursor-string",
        }
    }
}

/// Request side of pagination.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PageRequest {
    /// Forward cursor parameter.
    pub cursor: String,
    /// Backward cursor parameter.
    pub backward: Option<String>,
    /// Page size parameter.
    pub page_size: Option<String>,
}

/// Response side of pagination.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageResponse {
    /// Dotted path of the items.
    pub items: String,
    /// Dotted path of the cursor.
    pub cursor: String,
}

/// `x-streamkit-retry`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retry {
    /// Safe to resend.
    pub idempotent: bool,
}

/// `x-streamkit-header` on a security scheme.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthHeader {
    /// Header name.
    pub name: String,
    /// Value template.
    pub value: String,
}

/// Credentials a template may name.
pub const CREDENTIALS: &[&str] = &["client_id", "access_token", "jwt"];

/// Reads one extension at `value[key]`; `Ok(None)` when absent, `Err(message)` when malformed.
pub fn read<T: for<'de> Deserialize<'de>>(value: &Value, key: &str) -> Result<Option<T>, String> {
    match value.get(key) {
        None => Ok(None),
        Some(v) => serde_json::from_value(v.clone())
            .map(Some)
            .map_err(|e| format!("`{key}` is malformed: {e} (see specs/README.md)")),
    }
}

/// Buckets by name.
pub type Buckets = BTreeMap<String, Bucket>;

/// Checks a header template: only known credentials in braces.
pub fn check_template(template: &str) -> Result<(), String> {
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            return Err(format!("unclosed `{{` in header template `{template}`"));
        };
        let key = &rest[start + 1..start + len];
        if !CREDENTIALS.contains(&key) {
            return Err(format!(
                "unknown credential `{{{key}}}` in header template `{template}`; known: {}",
                CREDENTIALS.join(", ")
            ));
        }
        rest = &rest[start + len + 1..];
    }
    Ok(())
}
