//! What the generated `ClientHooks` impl delegates to: auth headers before a request,
//! the send-and-retry loop around it.

use std::time::Duration;

use progenitor_client::OperationInfo;
use reqwest::{Request, Response, StatusCode};

use crate::auth::{TokenSlot, render_auth_headers};
use crate::call::with_call;
use crate::config::Runtime;
use crate::error::Error;
use crate::policy::OperationPolicy;
use crate::ratelimit::{BucketKey, RateLimitInfo};
use crate::stats::CallStats;
use crate::Secret;

/// Looks up the operation's policy; an operation missing from the table is a codegen bug,
/// reported as a configuration error rather than a panic.
fn policy(rt: &Runtime, info: &OperationInfo) -> Result<&'static OperationPolicy, Error> {
    rt.policy().operation(info.operation_id).ok_or_else(|| {
        Error::config(format!("operation {} is missing from the policy table", info.operation_id))
    })
}

/// `ClientHooks::pre`: adds the auth headers the spec declares for the operation.
///
/// On failure the typed error is left for the `send` wrapper and a short string is returned
/// for progenitor's `Error::Custom`.
pub async fn pre(rt: &Runtime, request: &mut Request, info: &OperationInfo) -> Result<(), String> {
    match add_auth_headers(rt, request, info).await {
        Ok(()) => Ok(()),
        Err(e) => {
            let short = e.to_string();
            with_call(|c| c.error = Some(e.with_operation(info.operation_id)));
            Err(short)
        }
    }
}

async fn add_auth_headers(rt: &Runtime, request: &mut Request, info: &OperationInfo) -> Result<(), Error> {
    let op = policy(rt, info)?;
    if op.auth.is_empty() {
        return Ok(());
    }
    let needs_token = op.auth.iter().any(|h| h.template.contains("{access_token}"));
    let token = if needs_token { current_token(rt).await? } else { None };
    set_auth_headers(rt, op, request, token.as_ref())
}

async fn current_token(rt: &Runtime) -> Result<Option<Secret>, Error> {
    Ok(match &rt.credentials.access_token {
        TokenSlot::None => None,
        TokenSlot::Static(s) => Some(s.clone()),
        TokenSlot::Managed(cache) => Some(cache.token().await?),
    })
}

fn set_auth_headers(
    rt: &Runtime,
    op: &OperationPolicy,
    request: &mut Request,
    token: Option<&Secret>,
) -> Result<(), Error> {
    let headers = render_auth_headers(
        op.operation_id,
        op.auth,
        rt.credentials.client_id.as_deref(),
        token,
        rt.credentials.jwt.as_ref(),
    )?;
    for (name, value) in headers {
        request.headers_mut().insert(name, value);
    }
    Ok(())
}

/// `ClientHooks::exec`: sends the request, retrying as the [`crate::retry::RetryPolicy`]
/// says. When retries give up, the last real response is returned, so the caller sees the
/// server's own status, body and headers.
pub async fn exec(
    rt: &Runtime,
    http: &reqwest::Client,
    mut request: Request,
    info: &OperationInfo,
) -> reqwest::Result<Response> {
    let op = rt.policy().operation(info.operation_id);
    let idempotent = op.is_some_and(|o| o.idempotent);
    let bucket = op.and_then(|o| o.ratelimit.as_ref()).and_then(|c| rt.policy().bucket(c.bucket));
    let retry = &rt.shared.retry;
    let cost = op.and_then(|o| o.ratelimit.as_ref()).map_or(1, |c| c.cost);
    let limiter = rt.shared.limiter.as_deref().zip(bucket);
    let key = limiter.map(|(_, spec)| {
        let auth = request.headers().get(reqwest::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        BucketKey::new(spec, rt.credentials.client_id.as_deref(), auth)
    });
    let (mut rate_limited, mut had_503, mut refreshed, mut conn_failures) = (0u32, false, false, 0u32);
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        with_call(|c| c.attempts = attempt);
        CallStats::bump(&rt.shared.stats.attempts);
        if attempt > 1 {
            CallStats::bump(&rt.shared.stats.retries);
        }
        // Every attempt, retries included, takes its points from the bucket.
        let permit = match (limiter, &key) {
            (Some((limiter, spec)), Some(key)) => Some(limiter.acquire(key, spec, cost).await),
            _ => None,
        };
        // A body that is a stream cannot be cloned, so such a request is sent once.
        let spare = request.try_clone();
        let result = http.execute(request).await;
        let Some(mut next) = spare else { return result };
        let resp = match result {
            Ok(resp) => resp,
            Err(err) => {
                // A refused connection never reached the server: safe to resend any request.
                // Anything else may have reached the server: only an idempotent request is
                // safe to send again (builder and redirect errors are not transient).
                let safe = err.is_connect() || (idempotent && !err.is_builder() && !err.is_redirect() && !err.is_status());
                if safe && conn_failures < retry.max_connection_retries {
                    conn_failures += 1;
                    let wait = retry.backoff(conn_failures);
                    tracing::warn!(operation = info.operation_id, attempt, ?wait, error = %err, "connection failed, retrying");
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
        let limits = RateLimitInfo::from_headers(resp.headers(), bucket);
        if let Some(info) = limits {
            rt.record_rate_limit(info);
        }
        // The permit's request was answered (a transport error above drops it instead).
        if let (Some((limiter, _)), Some(permit)) = (limiter, permit) {
            limiter.complete(permit, limits.as_ref());
        }
        // A 429 whose headers say points are left is not the rate limit (Create EventSub
        // answers 429 for too many subscriptions of one type): waiting will not help.
        let bucket_empty = limits.and_then(|l| l.remaining).is_none_or(|r| r == 0);
        if status == StatusCode::TOO_MANY_REQUESTS && bucket_empty && rate_limited < retry.max_rate_limited_retries {
            let wait = rate_limit_wait(resp.headers(), limits, retry.default_rate_limit_wait, rt.shared.clock.epoch_secs());
            if wait <= retry.max_rate_limit_wait {
                rate_limited += 1;
                tracing::warn!(operation = info.operation_id, attempt, ?wait, "429 Too Many Requests, waiting for the bucket to refill");
                tokio::time::sleep(wait).await;
                request = next;
                continue;
            }
            tracing::warn!(operation = info.operation_id, ?wait, "429 with a reset too far away, giving up");
        }
        if status == StatusCode::SERVICE_UNAVAILABLE && retry.retry_503_once && !had_503 {
            had_503 = true;
            tracing::warn!(operation = info.operation_id, attempt, "503 Service Unavailable, retrying once");
            request = next;
            continue;
        }
        if status == StatusCode::UNAUTHORIZED && retry.refresh_on_401 && !refreshed
            && let (TokenSlot::Managed(cache), Some(op)) = (&rt.credentials.access_token, op) {
                refreshed = true;
                let rejected = cache.current();
                let fresh = match rejected {
                    Some(r) => cache.refresh_after_rejection(&r).await,
                    None => cache.token().await,
                };
                match fresh.and_then(|t| set_auth_headers(rt, op, &mut next, Some(&t))) {
                    Ok(()) => {
                        tracing::info!(operation = info.operation_id, "401 Unauthorized, token refreshed, retrying");
                        request = next;
                        continue;
                    }
                    Err(e) => {
                        tracing::warn!(operation = info.operation_id, error = %e, "401 and the token refresh failed");
                    }
                }
            }
        return Ok(resp);
    }
}

/// How long to wait after a 429: until `Ratelimit-Reset`, else `Retry-After`, else a default.
fn rate_limit_wait(
    headers: &reqwest::header::HeaderMap,
    limits: Option<RateLimitInfo>,
    default: Duration,
    now_epoch: f64,
) -> Duration {
    if let Some(reset) = limits.and_then(|l| l.reset) {
        // The reset is whole seconds; wait a little past it so the bucket has refilled.
        let secs = (reset as f64 - now_epoch).clamp(0.0, 1e9);
        return Duration::from_secs_f64(secs) + Duration::from_millis(50);
    }
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or(default)
}
