//! EventSub subscriptions — `GET`, `POST` and `DELETE /helix/eventsub/subscriptions`.
//!
//! Subscriptions belong to the client id that created them. Webhook and conduit transports need
//! an app token, websocket a user token. An app token sees (lists, deletes) the client's webhook
//! and conduit subscriptions; a user token sees the websocket subscriptions that user created.
//! A subscription costs 0 when a user named in its condition has authorized the client, 1
//! otherwise. `max_total_cost` is 10000 for app tokens and 10 for websocket (user) tokens.
//! A websocket subscription needs a `session_id` the EventSub websocket issued whose session
//! is still connected; a session takes at most 300 enabled subscriptions, and a user's
//! subscriptions (per client id) live on at most 3 sessions.

use super::HelixResult;
use super::params::Params;
use crate::core::lock;
use crate::twitch::auth::Auth;
use crate::twitch::errors::HelixError;
use crate::twitch::eventsub::{WebhookTarget, delivery, loopback};
use crate::twitch::pagination;
use crate::twitch::rng;
use crate::twitch::seed::fmt_time_nanos;
use crate::twitch::state::TwitchState;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// `max_total_cost` for webhook and conduit subscriptions (app tokens).
pub(crate) const MAX_TOTAL_COST: u64 = 10_000;
/// `max_total_cost` for a user's websocket subscriptions.
pub(crate) const MAX_TOTAL_COST_WEBSOCKET: u64 = 10;

fn max_total_cost(auth: &Auth) -> u64 {
    if auth.user_id.is_some() { MAX_TOTAL_COST_WEBSOCKET } else { MAX_TOTAL_COST }
}
/// Enabled subscriptions one websocket session may have.
pub(crate) const MAX_PER_WEBSOCKET_SESSION: usize = 300;
/// Websocket sessions one user may have subscriptions on, per client id; a fourth one's first
/// subscription is Twitch's 429 "number of websocket transports limit exceeded".
pub(crate) const MAX_WEBSOCKET_SESSIONS_PER_USER: usize = 3;
/// Twitch's answer (400) to a websocket `session_id` it did not issue or whose session has
/// ended. The reference lists the 400 without its text; this is the message Twitch sends, as
/// its users report it.
pub(crate) const UNKNOWN_SESSION: &str = "websocket transport session does not exist or has already disconnected";
/// The 400 for a missing or malformed `transport.secret`.
const BAD_SECRET: &str = "The transport.secret must be 10 to 100 ASCII characters";
/// Page size of Get EventSub Subscriptions (it has no `first`).
const PAGE_SIZE: usize = 100;

/// Every status Twitch documents for a subscription.
pub(crate) const STATUSES: &[&str] = &[
    "enabled",
    "webhook_callback_verification_pending",
    "webhook_callback_verification_failed",
    "notification_failures_exceeded",
    "authorization_revoked",
    "moderator_removed",
    "user_removed",
    "chat_user_banned",
    "version_removed",
    "beta_maintenance",
    "websocket_disconnected",
    "websocket_failed_ping_pong",
    "websocket_received_inbound_traffic",
    "websocket_connection_unused",
    "websocket_internal_error",
    "websocket_network_timeout",
    "websocket_network_error",
    "websocket_failed_to_reconnect",
];

/// One subscription.
#[derive(Clone, Debug)]
pub(crate) struct Subscription {
    pub(crate) id: String,
    pub(crate) status: &'static str,
    pub(crate) kind: String,
    pub(crate) version: String,
    pub(crate) condition: Map<String, Value>,
    created_at: String,
    /// The transport as returned (no secret).
    transport: Value,
    /// Where and how webhook messages go, when the sandbox delivers them (loopback callbacks).
    pub(crate) webhook: Option<WebhookTarget>,
    cost: u64,
    /// type + version + condition + transport target, for duplicate detection.
    identity: String,
    /// The user who created a websocket subscription; `None` for app-token subscriptions.
    owner: Option<String>,
}

impl Subscription {
    /// The subscription as Helix and EventSub messages show it.
    pub(crate) fn json(&self) -> Value {
        json!({
            "id": self.id,
            "status": self.status,
            "type": self.kind,
            "version": self.version,
            "condition": self.condition,
            "created_at": self.created_at,
            "transport": self.transport,
            "cost": self.cost,
        })
    }

    /// The session id of a websocket subscription.
    pub(crate) fn websocket_session(&self) -> Option<&str> {
        if self.transport.get("method").and_then(Value::as_str) != Some("websocket") {
            return None;
        }
        self.transport.get("session_id").and_then(Value::as_str)
    }

    /// Whether `auth` may see this subscription.
    fn visible_to(&self, auth: &Auth) -> bool {
        self.owner == auth.user_id
    }

    fn mentions_user(&self, user_id: &str) -> bool {
        self.condition.iter().any(|(k, v)| k.ends_with("user_id") && v.as_str() == Some(user_id))
    }
}

/// Subscriptions per client id, in creation order.
#[derive(Debug, Default)]
pub(crate) struct EventSubStore {
    by_client: HashMap<String, Vec<Subscription>>,
}

impl EventSubStore {
    /// Every subscription of every client: by client id, then in creation order (so that
    /// deliveries have a stable order).
    pub(crate) fn all(&self) -> impl Iterator<Item = &Subscription> {
        let mut clients: Vec<(&String, &Vec<Subscription>)> = self.by_client.iter().collect();
        clients.sort_by(|a, b| a.0.cmp(b.0));
        clients.into_iter().flat_map(|(_, subs)| subs.iter())
    }

    /// The subscription `id`, of any client.
    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut Subscription> {
        self.by_client.values_mut().flatten().find(|s| s.id == id)
    }

    /// Deletes the subscriptions of websocket session `session` (they die with it).
    pub(crate) fn remove_websocket_session(&mut self, session: &str) {
        for subs in self.by_client.values_mut() {
            subs.retain(|s| s.websocket_session() != Some(session));
        }
    }

    /// Whether websocket session `session` has a subscription.
    pub(crate) fn has_websocket_session(&self, session: &str) -> bool {
        self.by_client.values().flatten().any(|s| s.websocket_session() == Some(session))
    }

    /// Adds an enabled `stream.online` subscription on websocket session `session`.
    #[cfg(test)]
    pub(crate) fn insert_websocket_for_tests(&mut self, session: &str) {
        let sub = Subscription {
            id: format!("test-{session}"),
            status: "enabled",
            kind: "stream.online".into(),
            version: "1".into(),
            condition: Map::new(),
            created_at: String::new(),
            transport: json!({"method": "websocket", "session_id": session}),
            webhook: None,
            cost: 0,
            identity: format!("test:{session}"),
            owner: None,
        };
        self.by_client.entry("test".into()).or_default().push(sub);
    }

    /// How many enabled subscriptions websocket session `session` has (revoked ones do not
    /// count against the limit).
    fn enabled_on_websocket_session(&self, session: &str) -> usize {
        self.by_client
            .values()
            .flatten()
            .filter(|s| s.status == "enabled" && s.websocket_session() == Some(session))
            .count()
    }

    /// The subscriptions `auth` can see.
    fn visible<'a>(&'a self, auth: &'a Auth) -> impl Iterator<Item = &'a Subscription> + 'a {
        let subs = self.by_client.get(&auth.client_id).map(Vec::as_slice).unwrap_or(&[]);
        subs.iter().filter(move |s| s.visible_to(auth))
    }

    /// `(total, total_cost)` over what `auth` can see.
    fn totals(&self, auth: &Auth) -> (usize, u64) {
        self.visible(auth).fold((0, 0), |(n, c), s| (n + 1, c + s.cost))
    }
}

/// The request's `transport`.
#[derive(Debug)]
struct Transport {
    method: Option<String>,
    callback: Option<String>,
    secret: Option<String>,
    session_id: Option<String>,
    conduit_id: Option<String>,
}

impl Transport {
    /// Reads `transport`: an object whose fields are strings when present. `null` is not
    /// absent but malformed (the spec's strings are not nullable), also in a field the
    /// method does not use.
    fn parse(value: Value) -> Result<Transport, HelixError> {
        let Value::Object(map) = value else {
            return Err(HelixError::bad_request("The transport field must be an object"));
        };
        let field = |key: &str| match map.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(HelixError::bad_request(format!("The transport.{key} field must be a string"))),
        };
        Ok(Transport {
            method: field("method")?,
            callback: field("callback")?,
            secret: field("secret")?,
            session_id: field("session_id")?,
            conduit_id: field("conduit_id")?,
        })
    }
}

#[derive(Debug, Deserialize)]
struct CreateBody {
    #[serde(rename = "type")]
    kind: Option<String>,
    version: Option<String>,
    condition: Option<Value>,
    transport: Option<Value>,
}

/// Checks a webhook callback: an `https://` URL on port 443 (the default), or a loopback
/// callback the sandbox delivers to (`http://127.0.0.1:PORT/...`).
fn valid_callback(url: &str) -> bool {
    loopback::parse(url).is_some() || valid_https_callback(url)
}

/// An `https://` URL on port 443 (the default).
fn valid_https_callback(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') || authority.contains(char::is_whitespace) {
        return false;
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((host, "")) => (host, None),
            Some((host, tail)) => match tail.strip_prefix(':') {
                Some(port) => (host, Some(port)),
                None => return false,
            },
            None => return false,
        },
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    !host.is_empty() && port.is_none_or(|p| p == "443")
}

/// Creates a subscription: `202` with `{data: [sub], total, total_cost, max_total_cost}`.
pub(crate) async fn create(
    State(st): State<Arc<TwitchState>>,
    Extension(auth): Extension<Auth>,
    body: Bytes,
) -> HelixResult {
    let body: CreateBody = serde_json::from_slice(&body)
        .map_err(|e| HelixError::bad_request(format!("The request body is not valid: {e}")))?;
    let missing = |f: &str| HelixError::bad_request(format!("Missing required field \"{f}\""));
    let kind = body.kind.filter(|s| !s.is_empty()).ok_or_else(|| missing("type"))?;
    let version = body.version.filter(|s| !s.is_empty()).ok_or_else(|| missing("version"))?;
    let condition = match body.condition {
        Some(Value::Object(map)) => map,
        Some(_) => {
            return Err(HelixError::bad_request("The condition field must be an object"));
        }
        None => return Err(missing("condition")),
    };
    for (key, value) in &condition {
        let Some(text) = value.as_str() else {
            return Err(HelixError::bad_request(format!("The condition field \"{key}\" must be a string")));
        };
        if key.ends_with("user_id") && st.user_index(text).is_none() {
            return Err(HelixError::bad_request(format!("The user specified in condition.{key} does not exist")));
        }
    }
    let transport = Transport::parse(body.transport.ok_or_else(|| missing("transport"))?)?;
    let method = transport.method.as_deref().ok_or_else(|| missing("transport.method"))?;
    // "It must be ASCII, 10 to 100 characters long": a secret that is not is malformed,
    // whichever method it comes with.
    if transport.secret.as_deref().is_some_and(|s| !(10..=100).contains(&s.chars().count()) || !s.is_ascii()) {
        return Err(HelixError::bad_request(BAD_SECRET));
    }
    let now = fmt_time_nanos(chrono::Utc::now());
    let mut webhook = None;
    let mut held_session = None;
    let (status, transport_json, target) = match method {
        "webhook" => {
            if auth.user_id.is_some() {
                return Err(HelixError::unauthorized("The webhook transport requires an app access token"));
            }
            let callback = transport.callback.filter(|c| !c.is_empty()).ok_or_else(|| missing("transport.callback"))?;
            if !valid_callback(&callback) {
                return Err(HelixError::bad_request("The transport.callback must be an https URL on port 443"));
            }
            let secret = transport.secret.ok_or_else(|| HelixError::bad_request(BAD_SECRET))?;
            let t = json!({ "method": "webhook", "callback": callback });
            // Only loopback callbacks are ever contacted; others stay pending.
            webhook = loopback::parse(&callback).map(|_| WebhookTarget::new(&callback, secret));
            ("webhook_callback_verification_pending", t, format!("webhook:{callback}"))
        }
        "websocket" => {
            if auth.user_id.is_none() {
                return Err(HelixError::unauthorized("The websocket transport requires a user access token"));
            }
            let session =
                transport.session_id.filter(|s| !s.is_empty()).ok_or_else(|| missing("transport.session_id"))?;
            // Only a session the EventSub websocket issued and that is still connected takes
            // subscriptions; held until the subscription is stored, so it cannot end meanwhile.
            let open = st.eventsub_ws.open_session(&session).ok_or_else(|| HelixError::bad_request(UNKNOWN_SESSION))?;
            let t = json!({ "method": "websocket", "session_id": session, "connected_at": open.connected_at() });
            held_session = Some(open);
            ("enabled", t, format!("websocket:{session}"))
        }
        "conduit" => {
            if auth.user_id.is_some() {
                return Err(HelixError::unauthorized("The conduit transport requires an app access token"));
            }
            let conduit =
                transport.conduit_id.filter(|s| !s.is_empty()).ok_or_else(|| missing("transport.conduit_id"))?;
            let t = json!({ "method": "conduit", "conduit_id": conduit });
            ("enabled", t, format!("conduit:{conduit}"))
        }
        other => {
            return Err(HelixError::bad_request(format!(
                "The transport.method \"{other}\" is not valid; expected webhook, websocket or conduit"
            )));
        }
    };
    let authorized = {
        let tokens = lock(&st.tokens);
        condition.iter().any(|(k, v)| {
            k.ends_with("user_id") && v.as_str().is_some_and(|u| tokens.has_authorized(&auth.client_id, u))
        })
    };
    let cost = if authorized { 0 } else { 1 };
    let identity =
        format!("{kind}\u{0}{version}\u{0}{}\u{0}{target}", serde_json::to_string(&condition).unwrap_or_default());

    let mut store = lock(&st.eventsub);
    let (_, total_cost) = store.totals(&auth);
    if let Some(session) = target.strip_prefix("websocket:")
        && store.enabled_on_websocket_session(session) >= MAX_PER_WEBSOCKET_SESSION
    {
        return Err(HelixError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!("The websocket session already has {MAX_PER_WEBSOCKET_SESSION} enabled subscriptions"),
        ));
    }
    if let Some(session) = target.strip_prefix("websocket:") {
        let others: BTreeSet<&str> =
            store.visible(&auth).filter_map(Subscription::websocket_session).filter(|s| *s != session).collect();
        if others.len() >= MAX_WEBSOCKET_SESSIONS_PER_USER {
            return Err(HelixError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "number of websocket transports limit exceeded",
            ));
        }
    }
    let subs = store.by_client.entry(auth.client_id.clone()).or_default();
    if subs.iter().any(|s| s.identity == identity) {
        return Err(HelixError::conflict(
            "A subscription already exists for the specified event type and condition combination",
        ));
    }
    if total_cost + cost > max_total_cost(&auth) {
        return Err(HelixError::new(StatusCode::TOO_MANY_REQUESTS, "The subscription would exceed max_total_cost"));
    }
    let sub = Subscription {
        id: rng::uuid(st.next_id(), 0xE5E5),
        status,
        kind,
        version,
        condition,
        created_at: now,
        transport: transport_json,
        webhook,
        cost,
        identity,
        owner: auth.user_id.clone(),
    };
    let data = sub.json();
    let verify = sub.webhook.is_some().then(|| sub.clone());
    subs.push(sub);
    let (total, total_cost) = store.totals(&auth);
    let body = json!({
        "data": [data],
        "total": total,
        "total_cost": total_cost,
        "max_total_cost": max_total_cost(&auth),
    });
    drop(store);
    drop(held_session);
    if let Some(sub) = verify {
        delivery::verify_callback(&st, &sub);
    }
    Ok((StatusCode::ACCEPTED, Json(body)).into_response())
}

/// Lists the subscriptions the caller can see, optionally filtered by one of `status`, `type`, `user_id`
/// or `subscription_id`; pages of 100 with `after`.
pub(crate) async fn list(
    State(st): State<Arc<TwitchState>>,
    Extension(auth): Extension<Auth>,
    RawQuery(query): RawQuery,
) -> HelixResult {
    let p = Params::parse(query.as_deref())?;
    let filters: Vec<&str> =
        ["status", "type", "user_id", "subscription_id"].into_iter().filter(|k| p.has(k)).collect();
    if filters.len() > 1 {
        return Err(HelixError::bad_request(format!("The filters {} are mutually exclusive", filters.join(", "))));
    }
    let status = p.choice("status", STATUSES)?;
    let kind = p.one("type");
    let user_id = p.one("user_id");
    let sub_id = p.one("subscription_id");
    let page = p.page_fixed(PAGE_SIZE)?;

    let store = lock(&st.eventsub);
    let matching: Vec<&Subscription> = store
        .visible(&auth)
        .filter(|s| status.is_none_or(|x| s.status == x))
        .filter(|s| kind.is_none_or(|x| s.kind == x))
        .filter(|s| user_id.is_none_or(|u| s.mentions_user(u)))
        .filter(|s| sub_id.is_none_or(|x| s.id == x))
        .collect();
    let slice = pagination::slice(matching.len(), &page);
    let data: Vec<Value> = matching[slice.range.clone()].iter().map(|s| s.json()).collect();
    let (total, total_cost) = store.totals(&auth);
    Ok(Json(json!({
        "data": data,
        "total": total,
        "total_cost": total_cost,
        "max_total_cost": max_total_cost(&auth),
        "pagination": slice.object(),
    }))
    .into_response())
}

/// Deletes the caller's subscription `id`: `204`, or `404` when there is none.
pub(crate) async fn delete(
    State(st): State<Arc<TwitchState>>,
    Extension(auth): Extension<Auth>,
    RawQuery(query): RawQuery,
) -> HelixResult {
    let p = Params::parse(query.as_deref())?;
    let id = p.required("id")?;
    let mut store = lock(&st.eventsub);
    let subs = store.by_client.entry(auth.client_id.clone()).or_default();
    let before = subs.len();
    subs.retain(|s| !(s.id == id && s.visible_to(&auth)));
    if subs.len() == before {
        return Err(HelixError::not_found("The subscription was not found"));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::valid_callback;

    #[test]
    fn loopback_callbacks() {
        assert!(valid_callback("http://127.0.0.1:8080/hook"));
        assert!(!valid_callback("http://10.0.0.1:8080/hook"));
        assert!(!valid_callback("http://localhost:8080/hook"));
    }

    #[test]
    fn callbacks() {
        assert!(valid_callback("https://example.com/hook"));
        assert!(valid_callback("https://example.com:443/hook"));
        assert!(!valid_callback("https://example.com:8443/hook"));
        assert!(!valid_callback("http://example.com/hook"));
        assert!(!valid_callback("https:///hook"));
        assert!(valid_callback("https://[::1]/hook"));
        assert!(valid_callback("https://[::1]:443/hook"));
        assert!(!valid_callback("https://[::1]:80/hook"));
    }
}
