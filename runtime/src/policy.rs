//! Per-operation policy, generated from the `x-streamkit-*` spec extensions.
//!
//! progenitor's hooks only see an operation id, so codegen emits one [`ServicePolicy`] per
//! spec with an [`OperationPolicy`] per operation, and the runtime looks it up by id.

/// Everything the runtime needs to know about one service (one spec).
#[derive(Debug)]
pub struct ServicePolicy {
    /// The spec's module name, e.g. `helix`.
    pub service: &'static str,
    /// Production base URL from `x-streamkit-service.base-url`.
    pub default_base_url: &'static str,
    /// Rate-limit buckets declared by `x-streamkit-ratelimit-buckets`.
    pub buckets: &'static [BucketSpec],
    /// One entry per operation, sorted by operation id.
    pub operations: &'static [OperationPolicy],
    /// The service's retry rules from `x-streamkit-retry-defaults`; what it leaves out keeps
    /// [`crate::retry::RetryPolicy::default`]'s neutral value.
    pub retry: RetryDefaults,
}

impl ServicePolicy {
    /// The policy of an operation, by its operation id.
    ///
    /// ```
    /// # use streamkit_runtime::policy::*;
    /// static OPS: &[OperationPolicy] = &[OperationPolicy {
    ///     operation_id: "getUsers", method: "GET", path: "/users", auth: &[], ratelimit: None,
    ///     idempotent: true, pagination: None, classify: &[], invalid_credential: &[],
    /// }];
    /// static SVC: ServicePolicy = ServicePolicy {
    ///     service: "demo", default_base_url: "http://x", buckets: &[], operations: OPS,
    ///     retry: RetryDefaults::NONE,
    /// };
    /// assert!(SVC.operation("getUsers").is_some());
    /// assert!(SVC.operation("nope").is_none());
    /// ```
    pub fn operation(&self, operation_id: &str) -> Option<&'static OperationPolicy> {
        self.operations.binary_search_by(|op| op.operation_id.cmp(operation_id)).ok().map(|i| &self.operations[i])
    }

    /// A bucket by name.
    pub fn bucket(&self, name: &str) -> Option<&'static BucketSpec> {
        self.buckets.iter().find(|b| b.name == name)
    }
}

/// What one operation needs from the runtime.
#[derive(Debug)]
pub struct OperationPolicy {
    /// The spec's `operationId`.
    pub operation_id: &'static str,
    /// HTTP method, upper case.
    pub method: &'static str,
    /// The path template, e.g. `/users/{id}` (traces show it, never the parameter values).
    pub path: &'static str,
    /// Headers to add, from the operation's security requirement.
    pub auth: &'static [AuthHeader],
    /// Rate-limit bucket and cost in points.
    pub ratelimit: Option<RateCost>,
    /// Whether the request may be sent again after its body may have reached the server.
    pub idempotent: bool,
    /// How the operation pages, if it does.
    pub pagination: Option<PaginationSpec>,
    /// What some of its responses mean, from `x-streamkit-classify` (e.g. a 429 with points
    /// left is the operation's own answer, not the rate limit).
    pub classify: &'static [Classification],
    /// Which answers mean a credential the operation sends is itself invalid (from its
    /// schemes' `x-streamkit-invalid-credential`). Empty: any 401 counts as such.
    pub invalid_credential: &'static [InvalidCredential],
}

/// One `x-streamkit-invalid-credential` rule: an answer with `status` whose JSON body has
/// one of `equals` at `body_field` means the credential is invalid (refresh it); any other
/// answer with that status is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidCredential {
    /// HTTP status.
    pub status: u16,
    /// Dotted path of the body field, e.g. `message`.
    pub body_field: &'static str,
    /// The values meaning "invalid", compared ignoring ASCII case and surrounding whitespace.
    pub equals: &'static [&'static str],
}

impl InvalidCredential {
    /// Whether `body` (a JSON error body) says the credential is invalid.
    ///
    /// ```
    /// use streamkit_runtime::policy::InvalidCredential;
    /// let r = InvalidCredential { status: 401, body_field: "message", equals: &["Invalid OAuth token"] };
    /// assert!(r.matches(br#"{"error":"Unauthorized","status":401,"message":"Invalid OAuth token"}"#));
    /// assert!(!r.matches(br#"{"status":401,"message":"Missing scope: user:write:chat"}"#));
    /// assert!(!r.matches(b"not json"));
    /// ```
    pub fn matches(&self, body: &[u8]) -> bool {
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else { return false };
        let found = self.body_field.split('.').try_fold(&v, |v, k| v.get(k)).and_then(|v| v.as_str());
        found.is_some_and(|f| self.equals.iter().any(|e| e.trim().eq_ignore_ascii_case(f.trim())))
    }
}

/// One header an operation's security scheme sets, e.g. `Authorization: Bearer {access_token}`.
#[derive(Debug)]
pub struct AuthHeader {
    /// Header name.
    pub name: &'static str,
    /// Value template; each `{name}` is filled in from the identity registered under that
    /// credential name (see [`crate::identity`]).
    pub template: &'static str,
}

/// A rate-limit bucket as the spec declares it (the server's headers then take over).
#[derive(Debug)]
pub struct BucketSpec {
    /// Bucket name.
    pub name: &'static str,
    /// Bucket size in points.
    pub points: u32,
    /// Seconds for an empty bucket to fill.
    pub per_seconds: u32,
    /// Whether user tokens get a bucket of their own (`client-and-user`) or share the client's.
    pub per_user: bool,
    /// Response header carrying the bucket size.
    pub limit_header: Option<&'static str>,
    /// Response header carrying the points left.
    pub remaining_header: Option<&'static str>,
    /// Response header saying when the bucket is full again, in [`BucketSpec::reset_unit`].
    pub reset_header: Option<&'static str>,
    /// What the reset header counts.
    pub reset_unit: ResetUnit,
}

/// The unit of a bucket's reset header (`reset-unit` in the spec).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResetUnit {
    /// Seconds from the response (the IETF RateLimit draft; read when a spec names no bucket).
    #[default]
    DeltaSeconds,
    /// A Unix epoch second.
    EpochSeconds,
}

/// A service's retry rules, as its spec declares them; `None` keeps the runtime's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RetryDefaults {
    /// Retries of a rate-limited answer.
    pub rate_limited_retries: Option<u32>,
    /// Longest wait for a reset, seconds.
    pub max_rate_limit_wait_seconds: Option<u32>,
    /// Wait after a rate-limited answer without a reset or `Retry-After`, milliseconds.
    pub default_rate_limit_wait_ms: Option<u32>,
    /// Retry a 503 once.
    pub retry_503_once: Option<bool>,
    /// Retries of a connection failure.
    pub connection_retries: Option<u32>,
    /// First connection-retry backoff, milliseconds.
    pub base_backoff_ms: Option<u32>,
    /// Refresh a managed credential once after a 401.
    pub refresh_on_401: Option<bool>,
}

impl RetryDefaults {
    /// No declared rules: every default is the runtime's.
    pub const NONE: RetryDefaults = RetryDefaults {
        rate_limited_retries: None,
        max_rate_limit_wait_seconds: None,
        default_rate_limit_wait_ms: None,
        retry_503_once: None,
        connection_retries: None,
        base_backoff_ms: None,
        refresh_on_401: None,
    };
}

/// One `x-streamkit-classify` rule: for this operation, a response with `status` (under
/// `when`) is `outcome`, whatever the status usually means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classification {
    /// HTTP status.
    pub status: u16,
    /// When the rule applies.
    pub when: ClassifyWhen,
    /// What the response then is.
    pub outcome: ClassifyAs,
}

/// When a [`Classification`] applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassifyWhen {
    /// Always.
    Always,
    /// The bucket's `remaining` header says points are left.
    PointsLeft,
}

/// What a classified response is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassifyAs {
    /// The operation's own answer: the caller gets it, it is not retried.
    Final,
    /// The rate limit: wait for the reset, then retry.
    RateLimited,
}

/// The cost of one call.
#[derive(Debug)]
pub struct RateCost {
    /// Bucket name.
    pub bucket: &'static str,
    /// Points taken per attempt.
    pub cost: u32,
}

/// How an operation pages.
#[derive(Debug)]
pub struct PaginationSpec {
    /// `cursor` (object with a cursor field), `cursor-string` (a bare string), `page` (page
    /// numbers) or `link-cursor` (a cursor in a `Link` header's next URL).
    pub style: &'static str,
    /// Query parameter carrying the forward cursor (the page number for `page`).
    pub cursor_param: &'static str,
    /// Query parameter carrying the backward cursor, if the operation pages backward.
    pub backward_param: Option<&'static str>,
    /// Query parameter for the page size.
    pub page_size_param: Option<&'static str>,
    /// Dotted path of the item list in the body (`""`: the body is the list).
    pub items: &'static str,
    /// Dotted path of the next cursor in the body; for `page` and `link-cursor`, the `Link`
    /// header naming the next page (`""` when none is declared).
    pub cursor: &'static str,
}
