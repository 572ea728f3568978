//! Deciding, per answer, what the send loop does next: hand the answer to the caller, wait
//! and retry, or refresh a credential and retry.
//!
//! The decision is transport-neutral ([`RetryClassifier`] over any reply type); the HTTP rules
//! are [`HttpClassifier`]. What a status means for one operation can be declared in its spec
//! (`x-streamkit-classify`), so a service's quirks live in its spec, not here.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use super::RetryPolicy;
use crate::policy::{Classification, ClassifyAs, ClassifyWhen, InvalidCredential};
use crate::ratelimit::RateLimitInfo;

/// What to do after one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAction {
    /// Hand the answer (or error) to the caller.
    Done,
    /// Wait, then send the same request again.
    RetryAfter(Duration, RetryReason),
    /// Refresh the refreshable credentials the request used, then send it again.
    RefreshCredentialThenRetry,
}

/// Why an attempt is retried: each reason has its own budget in the [`RetryPolicy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryReason {
    /// The rate limit (a 429, or a status declared `rate-limited`).
    RateLimited,
    /// 503 Service Unavailable.
    ServiceUnavailable,
    /// No answer: the connection failed.
    ConnectionFailed,
}

/// What one call has spent of its retry budget so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetriesSpent {
    /// Retries after a rate-limited answer.
    pub rate_limited: u32,
    /// Retries after a 503.
    pub service_unavailable: u32,
    /// Retries after a connection failure.
    pub connection_failures: u32,
    /// Whether a credential was refreshed already.
    pub refreshed: bool,
}

impl RetriesSpent {
    /// Counts the retry `action` decided.
    pub fn record(&mut self, action: RetryAction) {
        match action {
            RetryAction::Done => {}
            RetryAction::RetryAfter(_, RetryReason::RateLimited) => self.rate_limited += 1,
            RetryAction::RetryAfter(_, RetryReason::ServiceUnavailable) => self.service_unavailable += 1,
            RetryAction::RetryAfter(_, RetryReason::ConnectionFailed) => self.connection_failures += 1,
            RetryAction::RefreshCredentialThenRetry => self.refreshed = true,
        }
    }
}

/// Everything a classifier weighs besides the reply itself.
#[derive(Debug, Clone, Copy)]
pub struct AttemptContext<'a> {
    /// The client's retry rules.
    pub policy: &'a RetryPolicy,
    /// The operation's declared classifications.
    pub classify: &'a [Classification],
    /// What the call has already spent.
    pub spent: RetriesSpent,
    /// Whether a credential the request used can be refreshed (a managed token).
    pub can_refresh: bool,
    /// Which answers mean the credential is invalid (the operation's schemes declare them);
    /// empty: any 401 does.
    pub invalid_credential: &'a [InvalidCredential],
    /// Whether the request may be sent again after it may have reached the server.
    pub idempotent: bool,
    /// Now, in epoch seconds (the unit of a bucket's reset).
    pub now_epoch: f64,
}

/// Decides what an answer means for the send loop. Implemented for HTTP by
/// [`HttpClassifier`]; a websocket protocol implements it over its reply or close frames.
pub trait RetryClassifier<Reply: ?Sized>: Send + Sync {
    /// The action after `reply`.
    fn classify(&self, reply: &Reply, cx: &AttemptContext<'_>) -> RetryAction;
}

/// One HTTP answer, as the classifier sees it.
#[derive(Debug, Clone, Copy)]
pub struct HttpReply<'a> {
    /// Status.
    pub status: StatusCode,
    /// Headers (for `Retry-After`).
    pub headers: &'a HeaderMap,
    /// The bucket's figures, read with the operation's bucket declaration.
    pub rate_limit: Option<RateLimitInfo>,
    /// The body, when the send loop read it because the decision depends on it
    /// ([`HttpClassifier::needs_body`]).
    pub body: Option<&'a [u8]>,
}

/// The HTTP rules: a rate-limited answer waits for the reset and is retried, a 503 is
/// retried once when the policy says so, an answer saying the credential is invalid (any 401,
/// unless the operation's schemes declare which ones) refreshes a managed credential once,
/// and the operation's declared classifications come first.
#[derive(Debug, Clone, Copy, Default)]
pub struct HttpClassifier;

impl RetryClassifier<HttpReply<'_>> for HttpClassifier {
    fn classify(&self, reply: &HttpReply<'_>, cx: &AttemptContext<'_>) -> RetryAction {
        let policy = cx.policy;
        let declared = declared_outcome(reply, cx.classify);
        let rate_limited = match declared {
            Some(ClassifyAs::Final) => return RetryAction::Done,
            Some(ClassifyAs::RateLimited) => true,
            None => reply.status == StatusCode::TOO_MANY_REQUESTS,
        };
        if rate_limited {
            if cx.spent.rate_limited >= policy.max_rate_limited_retries {
                return RetryAction::Done;
            }
            let wait = rate_limit_wait(reply, policy.default_rate_limit_wait, cx.now_epoch);
            if wait > policy.max_rate_limit_wait {
                tracing::warn!(?wait, "rate limited with a reset too far away, giving up");
                return RetryAction::Done;
            }
            return RetryAction::RetryAfter(wait, RetryReason::RateLimited);
        }
        if reply.status == StatusCode::SERVICE_UNAVAILABLE && policy.retry_503_once && cx.spent.service_unavailable == 0
        {
            return RetryAction::RetryAfter(Duration::ZERO, RetryReason::ServiceUnavailable);
        }
        if may_refresh(cx) && credential_invalid(reply, cx.invalid_credential) {
            return RetryAction::RefreshCredentialThenRetry;
        }
        RetryAction::Done
    }
}

/// Whether a refresh is still possible for this call.
fn may_refresh(cx: &AttemptContext<'_>) -> bool {
    cx.policy.refresh_on_401 && cx.can_refresh && !cx.spent.refreshed
}

/// Whether the answer says the credential itself is invalid: without declarations any 401,
/// with them only an answer with a declared status and body.
fn credential_invalid(reply: &HttpReply<'_>, rules: &[InvalidCredential]) -> bool {
    if rules.is_empty() {
        return reply.status == StatusCode::UNAUTHORIZED;
    }
    let status = reply.status.as_u16();
    reply.body.is_some_and(|body| rules.iter().any(|r| r.status == status && r.matches(body)))
}

impl HttpClassifier {
    /// Whether deciding about an answer with `status` needs its body: a refresh is possible
    /// and the operation declares which bodies with that status mean "credential invalid".
    pub fn needs_body(&self, status: StatusCode, cx: &AttemptContext<'_>) -> bool {
        may_refresh(cx) && cx.invalid_credential.iter().any(|r| r.status == status.as_u16())
    }

    /// The action after a request got no answer. A refused connection never reached the
    /// server: safe to resend any request. Anything else may have reached it: only an
    /// idempotent request is sent again (builder and redirect errors are not transient).
    pub fn classify_transport_error(&self, err: &reqwest::Error, cx: &AttemptContext<'_>) -> RetryAction {
        let safe = err.is_connect() || (cx.idempotent && !err.is_builder() && !err.is_redirect() && !err.is_status());
        if safe && cx.spent.connection_failures < cx.policy.max_connection_retries {
            RetryAction::RetryAfter(cx.policy.backoff(cx.spent.connection_failures + 1), RetryReason::ConnectionFailed)
        } else {
            RetryAction::Done
        }
    }
}

/// The first declared rule for this status whose condition holds.
fn declared_outcome(reply: &HttpReply<'_>, rules: &[Classification]) -> Option<ClassifyAs> {
    let points_left = reply.rate_limit.and_then(|l| l.remaining).is_some_and(|r| r > 0);
    rules
        .iter()
        .filter(|r| r.status == reply.status.as_u16())
        .find(|r| match r.when {
            ClassifyWhen::Always => true,
            ClassifyWhen::PointsLeft => points_left,
        })
        .map(|r| r.outcome)
}

/// How long to wait when rate limited: until the bucket's reset, else `Retry-After`, else
/// `default`.
fn rate_limit_wait(reply: &HttpReply<'_>, default: Duration, now_epoch: f64) -> Duration {
    if let Some(reset) = reply.rate_limit.and_then(|l| l.reset) {
        // The reset is whole seconds; wait a little past it so the bucket has refilled.
        let secs = (reset as f64 - now_epoch).clamp(0.0, 1e9);
        return Duration::from_secs_f64(secs) + Duration::from_millis(50);
    }
    reply
        .headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: f64 = 1_700_000_000.0;
    static EVENTSUB_429: &[Classification] =
        &[Classification { status: 429, when: ClassifyWhen::PointsLeft, outcome: ClassifyAs::Final }];

    fn reply(status: u16, remaining: Option<u32>, headers: &HeaderMap) -> HttpReply<'_> {
        let rate_limit =
            remaining.map(|r| RateLimitInfo { limit: Some(800), remaining: Some(r), reset: Some(NOW as i64 + 2) });
        HttpReply { status: StatusCode::from_u16(status).unwrap(), headers, rate_limit, body: None }
    }

    fn cx<'a>(
        policy: &'a RetryPolicy,
        classify: &'a [Classification],
        spent: RetriesSpent,
        can_refresh: bool,
    ) -> AttemptContext<'a> {
        AttemptContext {
            policy,
            classify,
            spent,
            can_refresh,
            invalid_credential: &[],
            idempotent: true,
            now_epoch: NOW,
        }
    }

    fn twitch() -> RetryPolicy {
        RetryPolicy { retry_503_once: true, max_rate_limited_retries: 3, ..RetryPolicy::default() }
    }

    #[test]
    fn a_429_with_points_left_is_final_only_where_declared() {
        let (p, h) = (twitch(), HeaderMap::new());
        let wait = Duration::from_secs(2) + Duration::from_millis(50);
        let points_left = reply(429, Some(5), &h);
        assert_eq!(
            HttpClassifier.classify(&points_left, &cx(&p, EVENTSUB_429, RetriesSpent::default(), false)),
            RetryAction::Done
        );
        // The same answer on an operation without the declaration is the rate limit.
        assert_eq!(
            HttpClassifier.classify(&points_left, &cx(&p, &[], RetriesSpent::default(), false)),
            RetryAction::RetryAfter(wait, RetryReason::RateLimited)
        );
        // With the bucket empty the declaration does not apply: it is the rate limit.
        let empty = reply(429, Some(0), &h);
        assert_eq!(
            HttpClassifier.classify(&empty, &cx(&p, EVENTSUB_429, RetriesSpent::default(), false)),
            RetryAction::RetryAfter(wait, RetryReason::RateLimited)
        );
        // And its budget runs out.
        let spent = RetriesSpent { rate_limited: 3, ..RetriesSpent::default() };
        assert_eq!(HttpClassifier.classify(&empty, &cx(&p, EVENTSUB_429, spent, false)), RetryAction::Done);
    }

    #[test]
    fn a_declared_rate_limited_status_waits_like_a_429() {
        static RULES: &[Classification] =
            &[Classification { status: 420, when: ClassifyWhen::Always, outcome: ClassifyAs::RateLimited }];
        let (p, mut h) = (twitch(), HeaderMap::new());
        h.insert("retry-after", "4".parse().unwrap());
        let r = HttpReply { status: StatusCode::from_u16(420).unwrap(), headers: &h, rate_limit: None, body: None };
        assert_eq!(
            HttpClassifier.classify(&r, &cx(&p, RULES, RetriesSpent::default(), false)),
            RetryAction::RetryAfter(Duration::from_secs(4), RetryReason::RateLimited)
        );
        assert_eq!(HttpClassifier.classify(&r, &cx(&p, &[], RetriesSpent::default(), false)), RetryAction::Done);
    }

    #[test]
    fn a_reset_beyond_the_longest_wait_gives_up() {
        let p = RetryPolicy { max_rate_limit_wait: Duration::from_secs(1), ..twitch() };
        let h = HeaderMap::new();
        assert_eq!(
            HttpClassifier.classify(&reply(429, Some(0), &h), &cx(&p, &[], RetriesSpent::default(), false)),
            RetryAction::Done
        );
    }

    #[test]
    fn a_503_is_retried_once_when_the_policy_says_so() {
        let h = HeaderMap::new();
        let r = reply(503, None, &h);
        let p = twitch();
        let first = HttpClassifier.classify(&r, &cx(&p, &[], RetriesSpent::default(), false));
        assert_eq!(first, RetryAction::RetryAfter(Duration::ZERO, RetryReason::ServiceUnavailable));
        let mut spent = RetriesSpent::default();
        spent.record(first);
        assert_eq!(HttpClassifier.classify(&r, &cx(&p, &[], spent, false)), RetryAction::Done);
        let neutral = RetryPolicy::default();
        assert_eq!(HttpClassifier.classify(&r, &cx(&neutral, &[], RetriesSpent::default(), false)), RetryAction::Done);
    }

    #[test]
    fn a_401_refreshes_only_a_refreshable_credential_and_only_once() {
        let (p, h) = (twitch(), HeaderMap::new());
        let r = reply(401, None, &h);
        assert_eq!(HttpClassifier.classify(&r, &cx(&p, &[], RetriesSpent::default(), false)), RetryAction::Done);
        let first = HttpClassifier.classify(&r, &cx(&p, &[], RetriesSpent::default(), true));
        assert_eq!(first, RetryAction::RefreshCredentialThenRetry);
        let mut spent = RetriesSpent::default();
        spent.record(first);
        assert_eq!(HttpClassifier.classify(&r, &cx(&p, &[], spent, true)), RetryAction::Done);
        let off = RetryPolicy { refresh_on_401: false, ..twitch() };
        assert_eq!(HttpClassifier.classify(&r, &cx(&off, &[], RetriesSpent::default(), true)), RetryAction::Done);
    }

    #[test]
    fn with_declared_bodies_only_an_invalid_credential_401_refreshes() {
        static HELIX: &[InvalidCredential] =
            &[InvalidCredential { status: 401, body_field: "message", equals: &["Invalid OAuth token"] }];
        let (p, h) = (twitch(), HeaderMap::new());
        let cx = AttemptContext { invalid_credential: HELIX, ..cx(&p, &[], RetriesSpent::default(), true) };
        let unauthorized = StatusCode::UNAUTHORIZED;
        assert!(HttpClassifier.needs_body(unauthorized, &cx));
        assert!(!HttpClassifier.needs_body(StatusCode::FORBIDDEN, &cx));
        let with = |body: &'static str| HttpReply {
            status: unauthorized,
            headers: &h,
            rate_limit: None,
            body: Some(body.as_bytes()),
        };
        let expired = with(r#"{"error":"Unauthorized","status":401,"message":"Invalid OAuth token"}"#);
        assert_eq!(HttpClassifier.classify(&expired, &cx), RetryAction::RefreshCredentialThenRetry);
        for final_401 in [
            r#"{"error":"Unauthorized","status":401,"message":"Missing scope: user:write:chat"}"#,
            r#"{"error":"Unauthorized","status":401,"message":"This endpoint requires a user access token"}"#,
            "",
        ] {
            assert_eq!(HttpClassifier.classify(&with(final_401), &cx), RetryAction::Done, "{final_401}");
        }
        // Without the body (not read) a declared operation does not refresh either.
        assert_eq!(HttpClassifier.classify(&reply(401, None, &h), &cx), RetryAction::Done);
        // Nothing to refresh: the body is not needed.
        let fixed = AttemptContext { can_refresh: false, ..cx };
        assert!(!HttpClassifier.needs_body(unauthorized, &fixed));
    }

    #[test]
    fn success_and_other_errors_are_done() {
        let (p, h) = (twitch(), HeaderMap::new());
        for status in [200, 204, 400, 404, 409, 500] {
            assert_eq!(
                HttpClassifier
                    .classify(&reply(status, Some(3), &h), &cx(&p, EVENTSUB_429, RetriesSpent::default(), true)),
                RetryAction::Done
            );
        }
    }
}
