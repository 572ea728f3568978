//! Putting an operation's auth headers on an HTTP request.

use reqwest::Request;

use super::{render_auth_headers, resolve_auth_headers};
use crate::Secret;
use crate::call::with_call;
use crate::config::Runtime;
use crate::error::Error;
use crate::policy::OperationPolicy;

/// Resolves the credentials `op`'s templates name and sets its auth headers on `request`,
/// replacing earlier values (a retry after a refresh sets them again).
pub(crate) async fn authorize(rt: &Runtime, op: &OperationPolicy, request: &mut Request) -> Result<(), Error> {
    if op.auth.is_empty() {
        return Ok(());
    }
    let credentials = resolve_auth_headers(op.operation_id, op.auth, rt.identities()).await?;
    for (name, value) in render_auth_headers(op.operation_id, op.auth, &credentials)? {
        request.headers_mut().insert(name, value);
    }
    // Remembered for a refresh after a 401: it must replace what was sent, not whatever the
    // provider holds by then (another task may have refreshed it already).
    with_call(|c| c.sent = credentials);
    Ok(())
}

/// Whether a credential `op` sends can be refreshed after a 401.
pub(crate) fn can_refresh(rt: &Runtime, op: &OperationPolicy) -> bool {
    refreshable_credentials(rt, op).next().is_some()
}

/// The values of the refreshable credentials the request about to be sent carries: the
/// ones `authorize` recorded for this call, else (outside a generated call) the providers'
/// current ones, read before sending.
pub(crate) fn sent_credentials(rt: &Runtime, op: &OperationPolicy) -> Vec<(String, Option<Secret>)> {
    refreshable_credentials(rt, op)
        .map(|(name, provider)| {
            let mut sent = None;
            with_call(|c| sent = c.sent.iter().find(|r| r.name == name).map(|r| r.value.clone()));
            (name.to_string(), sent.or_else(|| provider.current()))
        })
        .collect()
}

/// Refreshes every refreshable credential `op` sends, replacing the value the refused
/// request carried (`sent`, from [`sent_credentials`]): when another task replaced it
/// already, its provider hands out the newer value without fetching.
pub(crate) async fn refresh(
    rt: &Runtime,
    op: &OperationPolicy,
    sent: &[(String, Option<Secret>)],
) -> Result<(), Error> {
    for (name, provider) in refreshable_credentials(rt, op) {
        let rejected = sent.iter().find(|(n, _)| n == name).and_then(|(_, v)| v.clone());
        provider.refresh_after_rejection(rejected.as_ref()).await?;
    }
    Ok(())
}

fn refreshable_credentials<'a>(
    rt: &'a Runtime,
    op: &'a OperationPolicy,
) -> impl Iterator<Item = (&'a str, &'a std::sync::Arc<dyn crate::identity::IdentityProvider>)> + 'a {
    let mut seen: Vec<&str> = Vec::new();
    op.auth
        .iter()
        .flat_map(|t| super::template_credentials(t.template))
        .filter(move |n| {
            let new = !seen.contains(n);
            seen.push(*n);
            new
        })
        .filter_map(|n| rt.identities().get(n).map(|p| (n, p)))
        .filter(|(_, p)| p.refreshable())
}
