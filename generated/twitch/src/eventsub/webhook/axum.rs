//! A ready EventSub webhook callback for axum apps (cargo feature `axum`).
//!
//! ```no_run
//! use std::sync::Arc;
//! use streamkit_twitch::eventsub::webhook::{axum::callback, Outcome, WebhookVerifier};
//!
//! # async fn demo() -> std::io::Result<()> {
//! let verifier = Arc::new(WebhookVerifier::new("a-secret-of-20-chars"));
//! let (tx, mut rx) = tokio::sync::mpsc::channel::<Outcome>(64);
//! let app = axum::Router::new().route(
//!     "/eventsub",
//!     callback(verifier, move |outcome| {
//!         let tx = tx.clone();
//!         async move {
//!             let _ = tx.send(outcome).await;
//!         }
//!     }),
//! );
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! tokio::spawn(async move { axum::serve(listener, app).await });
//! while let Some(Outcome::Notification(n)) = rx.recv().await {
//!     println!("{} {}", n.subscription_type, n.event);
//! }
//! # Ok(()) }
//! ```

use std::future::Future;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, post};

use super::{Outcome, WebhookError, WebhookVerifier};

/// A `POST` route that verifies each request and hands every verified [`Outcome`] (the
/// challenge and revocations too) to `on_message`, then answers as Twitch expects: the raw
/// challenge as `text/plain`, 204 for notifications and revocations, 200 without calling
/// `on_message` for a replayed message id, 403 for a bad signature, 400 for anything else
/// wrong (the body says why). Keep `on_message` short: Twitch wants an answer within a few
/// seconds (hand the outcome to a channel).
pub fn callback<F, Fut>(verifier: Arc<WebhookVerifier>, on_message: F) -> MethodRouter
where
    F: Fn(Outcome) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    post(move |headers: HeaderMap, body: Bytes| {
        let verifier = verifier.clone();
        let on_message = on_message.clone();
        async move {
            match verifier.verify(&headers, &body) {
                Ok(outcome) => {
                    let reply = outcome.reply();
                    on_message(outcome).await;
                    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::NO_CONTENT);
                    match reply.content_type {
                        Some(ct) => (status, [(header::CONTENT_TYPE, ct)], reply.body).into_response(),
                        None => status.into_response(),
                    }
                }
                Err(e) => refusal(&e),
            }
        }
    })
}

fn refusal(e: &WebhookError) -> Response {
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    tracing::debug!(target: "streamkit.eventsub", reason = %e, "webhook request refused");
    (status, [(header::CONTENT_TYPE, "text/plain")], e.to_string()).into_response()
}
