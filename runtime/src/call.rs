//! What one call learns on its way through the hooks, handed back to the `send` wrapper.
//!
//! progenitor's `exec` hook can only fail with a `reqwest::Error` and `pre` only with a
//! string, so the hooks leave typed facts (a typed error, the attempt count) in a task-local
//! slot that the generated `send` reads afterwards.

use std::sync::{Arc, Mutex};

use crate::error::Error;

#[derive(Default)]
pub(crate) struct CallState {
    pub(crate) error: Option<Error>,
    pub(crate) attempts: u32,
    /// The credentials the last attempt sent: a refresh after a 401 replaces exactly these.
    pub(crate) sent: Vec<crate::auth::ResolvedCredential>,
}

pub(crate) type CallSlot = Arc<Mutex<CallState>>;

tokio::task_local! {
    static CALL: CallSlot;
}

/// Runs `fut` with a fresh call slot and returns the slot with its result.
pub(crate) async fn scoped<F: std::future::Future>(fut: F) -> (F::Output, CallState) {
    let slot: CallSlot = Arc::default();
    let out = CALL.scope(slot.clone(), fut).await;
    let state = std::mem::take(&mut *slot.lock().unwrap_or_else(|p| p.into_inner()));
    (out, state)
}

/// Updates the current call's slot, if the call runs inside [`scoped`].
pub(crate) fn with_call(f: impl FnOnce(&mut CallState)) {
    let _ = CALL.try_with(|slot| f(&mut slot.lock().unwrap_or_else(|p| p.into_inner())));
}

/// Leaves `error` for the `send` wrapper and returns a placeholder `reqwest::Error` for
/// progenitor's `exec` signature (the wrapper reports the typed error instead of it).
pub(crate) fn fail_with(http: &reqwest::Client, error: Error) -> reqwest::Error {
    tracing::warn!(error = %error, "call refused");
    with_call(|c| c.error = Some(error));
    // A URL without a host fails `build()` without any I/O: a cheap reqwest::Error. The URL
    // is a constant, so this cannot depend on anything a server or caller sent.
    http.get("streamkit-refused:").build().expect_err("reqwest refuses a URL without a host")
}
