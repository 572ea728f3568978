//! The attempt loop of one HTTP call: take a rate-limit permit, send, let the classifier
//! judge the answer, then wait and retry, refresh a credential and retry, or hand it back.
//!
//! Everything service-specific arrives as data: the operation's policy (bucket, cost,
//! idempotency, declared classifications) and the client's retry policy.

use reqwest::{Request, Response, StatusCode};
use tracing::Instrument;

use crate::auth;
use crate::call::with_call;
use crate::config::Runtime;
use crate::policy::OperationPolicy;
use crate::ratelimit::RateLimitInfo;
use crate::retry::{
    AttemptContext, HttpClassifier, HttpReply, RetriesSpent, RetryAction, RetryClassifier, RetryReason,
};
use crate::stats::CallStats;

/// Sends `request` for `operation_id`, retrying as the [`crate::retry::RetryPolicy`] and the
/// classifier say. When retries give up, the last real response is returned, so the caller
/// sees the server's own status, body and headers.
///
/// The call is one `tracing` span, `streamkit.call`, with `operation`, `method`, `path` (the
/// template), and once it ends `attempt`, `status` and `latency_ms`; the retry, refresh and
/// rate-limit events happen inside it.
pub async fn send_with_retries(
    rt: &Runtime,
    http: &reqwest::Client,
    request: Request,
    operation_id: &str,
) -> reqwest::Result<Response> {
    let span = crate::trace::call_span(operation_id, rt.policy().operation(operation_id));
    let started = rt.shared.clock.now();
    let mut attempts = 0;
    let result = attempt_loop(rt, http, request, operation_id, &mut attempts).instrument(span.clone()).await;
    crate::trace::finish(&span, attempts, &result, rt.shared.clock.now().saturating_duration_since(started));
    result
}

async fn attempt_loop(
    rt: &Runtime,
    http: &reqwest::Client,
    mut request: Request,
    operation_id: &str,
    attempts: &mut u32,
) -> reqwest::Result<Response> {
    let op = rt.policy().operation(operation_id);
    let bucket = op.and_then(|o| o.ratelimit.as_ref()).and_then(|c| rt.policy().bucket(c.bucket));
    let cost = op.and_then(|o| o.ratelimit.as_ref()).map_or(1, |c| c.cost);
    let limiter = rt.shared.limiter.as_deref().zip(bucket);
    let key = limiter.map(|(_, spec)| {
        let auth = request.headers().get(reqwest::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        let client_id = rt.identities().client_id();
        rt.shared.bucket_key.key(spec, client_id.as_ref().map(|s| s.expose()), auth)
    });
    let classifier = HttpClassifier;
    let mut spent = RetriesSpent::default();
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        *attempts = attempt;
        with_call(|c| c.attempts = attempt);
        CallStats::bump(&rt.shared.stats.attempts);
        if attempt > 1 {
            CallStats::bump(&rt.shared.stats.retries);
        }
        // Every attempt, retries included, takes its points from the bucket; never waiting
        // longer than the call allows (a reset announced far away fails the call at once).
        let permit = match (limiter, &key) {
            (Some((limiter, spec)), Some(key)) => match limiter.acquire_within(key, spec, cost, rt.max_wait()).await {
                Ok(permit) => Some(permit),
                Err(r) => return Err(refuse_wait(http, "rate-limit points", r.wait, r.max)),
            },
            _ => None,
        };
        // What this attempt sends: a refresh after its 401 replaces exactly that.
        let sent = op.map(|o| auth::sent_credentials(rt, o)).unwrap_or_default();
        // A body that is a stream cannot be cloned, so such a request is sent once.
        let spare = request.try_clone();
        let result = http.execute(request).await;
        let Some(mut next) = spare else { return result };
        let cx = AttemptContext {
            policy: &rt.shared.retry,
            classify: op.map_or(&[], |o| o.classify),
            spent,
            can_refresh: op.is_some_and(|o| auth::can_refresh(rt, o)),
            invalid_credential: op.map_or(&[], |o| o.invalid_credential),
            idempotent: op.is_some_and(|o| o.idempotent),
            now_epoch: rt.shared.clock.epoch_secs(),
        };
        let resp = match result {
            Ok(resp) => resp,
            Err(err) => {
                // The permit is dropped: a request without an answer gives its points back.
                let action = classifier.classify_transport_error(&err, &cx);
                if let RetryAction::RetryAfter(wait, _) = action {
                    if wait > rt.max_wait() {
                        return Err(refuse_wait(http, "connection retry backoff", wait, rt.max_wait()));
                    }
                    tracing::warn!(operation = operation_id, attempt, ?wait, error = %crate::trace::transport_error(&err), "connection failed, retrying");
                    spent.record(action);
                    tokio::time::sleep(wait).await;
                    request = next;
                    continue;
                }
                return Err(err);
            }
        };
        let status = resp.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            CallStats::bump(&rt.shared.stats.rate_limited);
        } else if status.is_server_error() {
            CallStats::bump(&rt.shared.stats.server_errors);
        }
        let limits = RateLimitInfo::from_headers(resp.headers(), bucket, cx.now_epoch);
        if let Some(info) = limits {
            rt.record_rate_limit(info);
        }
        if let (Some((limiter, _)), Some(permit)) = (limiter, permit) {
            limiter.complete(permit, limits.as_ref());
        }
        // Whether a 401 means "credential invalid" can depend on its body: read it then.
        let (resp, body) = if classifier.needs_body(status, &cx) {
            let (resp, body) = crate::buffered::read_body(resp).await;
            (resp, Some(body))
        } else {
            (resp, None)
        };
        let reply = HttpReply { status, headers: resp.headers(), rate_limit: limits, body: body.as_deref() };
        let action = classifier.classify(&reply, &cx);
        spent.record(action);
        match action {
            RetryAction::Done => return Ok(resp),
            RetryAction::RetryAfter(wait, reason) => {
                if wait > rt.max_wait() {
                    let what = if matches!(reason, RetryReason::RateLimited) {
                        "rate-limit reset before a retry"
                    } else {
                        "retry delay"
                    };
                    return Err(refuse_wait(http, what, wait, rt.max_wait()));
                }
                tracing::warn!(operation = operation_id, attempt, ?wait, ?reason, %status, "retrying");
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                }
                request = next;
            }
            RetryAction::RefreshCredentialThenRetry => {
                let Some(op) = op else { return Ok(resp) };
                match refresh_and_reauthorize(rt, op, &sent, &mut next).await {
                    Ok(()) => {
                        tracing::info!(operation = operation_id, attempt, %status, "credential invalid; refreshed it, retrying");
                        request = next;
                    }
                    Err(e) => {
                        tracing::warn!(operation = operation_id, attempt, %status, error = %e, "credential invalid and refreshing it failed");
                        return Ok(resp);
                    }
                }
            }
        }
    }
}

async fn refresh_and_reauthorize(
    rt: &Runtime,
    op: &OperationPolicy,
    sent: &[(String, Option<crate::Secret>)],
    request: &mut Request,
) -> Result<(), crate::Error> {
    auth::refresh(rt, op, sent).await?;
    auth::authorize(rt, op, request).await
}

/// The call would wait `wait` for `what`, more than the `max` it allows: fail it now.
fn refuse_wait(
    http: &reqwest::Client,
    what: &'static str,
    wait: std::time::Duration,
    max: std::time::Duration,
) -> reqwest::Error {
    crate::call::fail_with(http, crate::Error::refused(crate::Refusal::WaitTooLong { what, wait, max }))
}
