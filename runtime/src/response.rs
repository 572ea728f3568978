//! The generated `send()` wrappers: turn progenitor's result into ours.

use std::future::Future;

use progenitor_client::ResponseValue;

use crate::body_limit::BodyTooLarge;
use crate::call::{CallState, scoped};
use crate::config::Runtime;
use crate::drift::{Drift, drift_paths};
use crate::error::{ApiError, Error, ErrorBody};
use crate::ratelimit::RateLimitInfo;
use crate::redact::{MAX_BODY, redact_json, redact_text};

/// progenitor's result type for our adapted specs (no declared error bodies).
pub type RawResult<T> = Result<ResponseValue<T>, progenitor_client::Error<()>>;

/// Runs a generated `send_raw()` and converts its result. In strict mode a response with
/// unknown values fails with [`Error::Drift`].
pub async fn send<T: Drift>(
    operation: &'static str,
    rt: &Runtime,
    raw: impl Future<Output = RawResult<T>>,
) -> Result<ResponseValue<T>, Error> {
    let (result, state) = scoped(raw).await;
    match result {
        Ok(v) => check_drift(operation, rt, v),
        Err(e) => Err(convert(operation, rt, e, state).await),
    }
}

/// Like [`send`], for an operation whose spec answers 200 with a body or 204 without one:
/// codegen keeps only the 200 for progenitor and this restores the 204 as `None`.
pub async fn send_optional<T: Drift>(
    operation: &'static str,
    rt: &Runtime,
    raw: impl Future<Output = RawResult<T>>,
) -> Result<Option<ResponseValue<T>>, Error> {
    let (result, state) = scoped(raw).await;
    match result {
        Ok(v) => check_drift(operation, rt, v).map(Some),
        Err(progenitor_client::Error::UnexpectedResponse(r)) if r.status() == reqwest::StatusCode::NO_CONTENT => {
            Ok(None)
        }
        Err(e) => Err(convert(operation, rt, e, state).await),
    }
}

fn check_drift<T: Drift>(
    operation: &'static str,
    rt: &Runtime,
    v: ResponseValue<T>,
) -> Result<ResponseValue<T>, Error> {
    if rt.strict() {
        let paths = drift_paths(&*v);
        if !paths.is_empty() {
            return Err(Error::Drift { operation, paths });
        }
    }
    Ok(v)
}

async fn convert(
    operation: &'static str,
    rt: &Runtime,
    err: progenitor_client::Error<()>,
    mut state: CallState,
) -> Error {
    use progenitor_client::Error as P;
    // A typed error the hooks left (a refused wait or redirect, a credential failure) wins
    // over the placeholder progenitor carries.
    if let Some(e) = state.error.take() {
        return e.with_operation(operation);
    }
    let known = rt.identities().known_secrets();
    // The operation's own bucket names its rate-limit headers (the same lookup `exec` does).
    let bucket =
        rt.policy().operation(operation).and_then(|o| o.ratelimit.as_ref()).and_then(|c| rt.policy().bucket(c.bucket));
    let e = match err {
        P::InvalidRequest(message) => Error::InvalidRequest { operation: None, message },
        P::CommunicationError(source) | P::InvalidUpgrade(source) | P::ResponseBodyError(source) => {
            match BodyTooLarge::find(&source) {
                Some(cap) => Error::refused(cap.refusal()),
                None => Error::Communication { operation: None, source: source.without_url() },
            }
        }
        P::InvalidResponsePayload(bytes, source) => {
            Error::Decode { operation: None, body: redact_text(&redact_body(&bytes, &known), &known), source }
        }
        P::ErrorResponse(rv) => Error::Api(Box::new(ApiError {
            operation: None,
            status: rv.status(),
            rate_limit: RateLimitInfo::from_headers(rv.headers(), bucket, rt.shared.clock.epoch_secs()),
            headers: rv.headers().clone(),
            body: ErrorBody::Empty,
            attempts: state.attempts,
        })),
        P::UnexpectedResponse(resp) => {
            api_error(resp, &known, state.attempts, bucket, rt.shared.clock.epoch_secs()).await
        }
        P::Custom(message) => state.error.take().unwrap_or(Error::InvalidRequest { operation: None, message }),
    };
    e.with_operation(operation)
}

async fn api_error(
    resp: reqwest::Response,
    known: &[crate::Secret],
    attempts: u32,
    bucket: Option<&crate::policy::BucketSpec>,
    received_epoch: f64,
) -> Error {
    let status = resp.status();
    let mut headers = resp.headers().clone();
    for (_, v) in headers.iter_mut() {
        // Set-Cookie and friends could carry session secrets.
        v.set_sensitive(true);
    }
    let rate_limit = RateLimitInfo::from_headers(&headers, bucket, received_epoch);
    let body = match read_error_body(resp).await {
        ErrorBytes::Whole(b) if b.is_empty() => ErrorBody::Empty,
        ErrorBytes::Whole(b) => match serde_json::from_slice::<serde_json::Value>(&b) {
            Ok(mut v) => {
                redact_json(&mut v, known);
                ErrorBody::Json(v)
            }
            Err(_) => ErrorBody::Text(redact_text(&String::from_utf8_lossy(&b), known)),
        },
        // Too long to keep whole: its head, as text, with a marker saying it was cut.
        ErrorBytes::Head(b) => {
            let text = redact_text(&String::from_utf8_lossy(&b[..b.len().min(MAX_BODY)]), known);
            ErrorBody::Text(format!("{text}…[body cut after {} bytes]", b.len().min(MAX_BODY)))
        }
        ErrorBytes::Failed => ErrorBody::Empty,
    };
    Error::Api(Box::new(ApiError { operation: None, status, headers, body, rate_limit, attempts }))
}

/// The most of an error body that is read: enough for any error document, and what is past
/// it is not kept anyway (see [`MAX_BODY`]).
pub const MAX_ERROR_BODY_READ: usize = 64 * 1024;

enum ErrorBytes {
    Whole(Vec<u8>),
    /// The first bytes of a body longer than [`MAX_ERROR_BODY_READ`]; the rest is not read.
    Head(Vec<u8>),
    Failed,
}

async fn read_error_body(mut resp: reqwest::Response) -> ErrorBytes {
    let mut buf = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                buf.extend_from_slice(&chunk);
                if buf.len() > MAX_ERROR_BODY_READ {
                    return ErrorBytes::Head(buf);
                }
            }
            Ok(None) => return ErrorBytes::Whole(buf),
            Err(_) if buf.is_empty() => return ErrorBytes::Failed,
            Err(_) => return ErrorBytes::Head(buf),
        }
    }
}

fn redact_body(bytes: &[u8], known: &[crate::Secret]) -> String {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(mut v) => {
            redact_json(&mut v, known);
            v.to_string()
        }
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ClientBuilder;
    use crate::policy::ServicePolicy;

    static POLICY: ServicePolicy = ServicePolicy {
        service: "t",
        default_base_url: "http://127.0.0.1:9",
        buckets: &[],
        operations: &[],
        retry: crate::policy::RetryDefaults::NONE,
    };
    struct C(Runtime);
    impl crate::FromRuntime for C {
        fn policy() -> &'static ServicePolicy {
            &POLICY
        }
        fn from_parts(_: &str, _: reqwest::Client, rt: Runtime) -> Self {
            C(rt)
        }
    }

    fn response(status: u16, body: &str) -> reqwest::Response {
        reqwest::Response::from(
            http::Response::builder().status(status).header("ratelimit-remaining", "7").body(body.to_string()).unwrap(),
        )
    }

    fn rt() -> Runtime {
        ClientBuilder::<C>::new().access_token("tok-secret-123").build().unwrap().0
    }

    #[tokio::test]
    async fn a_204_beside_a_200_body_is_none() {
        let rt = rt();
        let raw =
            async { Err::<ResponseValue<String>, _>(progenitor_client::Error::UnexpectedResponse(response(204, ""))) };
        assert!(send_optional("check", &rt, raw).await.unwrap().is_none());
        let raw = async { Ok(ResponseValue::new("x".to_string(), reqwest::StatusCode::OK, Default::default())) };
        assert_eq!(send_optional("check", &rt, raw).await.unwrap().unwrap().into_inner(), "x");
    }

    #[tokio::test]
    async fn error_responses_keep_status_body_and_headers_without_secrets() {
        let rt = rt();
        let body = r#"{"error":"Unauthorized","status":401,"message":"bad token","access_token":"leak"}"#;
        let raw = async {
            Err::<ResponseValue<String>, _>(progenitor_client::Error::UnexpectedResponse(response(401, body)))
        };
        let err = send("get_users", &rt, raw).await.unwrap_err();
        let api = err.api().unwrap();
        assert_eq!(api.status, 401);
        assert_eq!(api.message(), Some("bad token"));
        assert_eq!(err.rate_limit().unwrap().remaining, Some(7));
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("leak") && shown.contains("get_users"), "{shown}");
        // A body that is not JSON is kept as text, with known secrets removed.
        let raw = async {
            Err::<ResponseValue<String>, _>(progenitor_client::Error::UnexpectedResponse(response(
                500,
                "oops tok-secret-123",
            )))
        };
        let err = send("get_users", &rt, raw).await.unwrap_err();
        assert_eq!(err.api().unwrap().body, ErrorBody::Text("oops [redacted]".into()));
    }
}
