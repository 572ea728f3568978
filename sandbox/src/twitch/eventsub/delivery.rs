//! The delivery of webhook messages: one task sends them in order, and a log records every
//! attempt for tests to read and await.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};

use super::sign::signature;
use crate::core::lock;
use crate::twitch::helix::eventsub::Subscription;
use crate::twitch::rng;
use crate::twitch::seed::fmt_time_nanos;
use crate::twitch::state::TwitchState;

/// Messages waiting to be sent; more are refused (and logged as refused).
const QUEUE: usize = 1024;
/// Messages kept for [`EventSubHooks::resend`](super::EventSubHooks::resend).
const KEPT_MESSAGES: usize = 1024;
/// Log entries kept (the count of deliveries keeps growing past it).
const KEPT_LOG: usize = 10_000;
/// How much of a callback's answer is read (a challenge is short).
const MAX_ANSWER: usize = 4096;
/// How long a callback may take to answer. Twitch allows "a few seconds".
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// One delivery attempt, as the sandbox made it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookDelivery {
    /// `Twitch-Eventsub-Message-Id`.
    pub message_id: String,
    /// `notification`, `webhook_callback_verification` or `revocation`.
    pub message_type: String,
    /// The subscription.
    pub subscription_id: String,
    /// Its type, e.g. `channel.update`.
    pub subscription_type: String,
    /// `Twitch-Eventsub-Message-Retry` (0 for a first attempt, counted up by resends).
    pub retry: u32,
    /// The JSON body sent.
    pub body: String,
    /// The status the callback answered, `None` when it could not be reached.
    pub status: Option<u16>,
    /// Why the attempt failed, if it did (unreachable, wrong challenge, queue full).
    pub error: Option<String>,
}

/// A message as sent, kept so that it can be sent again with the same id.
#[derive(Debug, Clone)]
struct Outgoing {
    message_id: String,
    message_type: &'static str,
    subscription_id: String,
    subscription_type: String,
    subscription_version: String,
    callback: String,
    timestamp: String,
    signature: String,
    body: String,
    retry: u32,
    /// For a verification: the challenge the answer must echo.
    challenge: Option<String>,
}

#[derive(Debug, Default)]
struct Log {
    entries: VecDeque<WebhookDelivery>,
    sent: VecDeque<Outgoing>,
}

/// The delivery side of the Twitch state.
#[derive(Debug)]
pub(crate) struct Webhooks {
    queue: OnceLock<mpsc::Sender<Outgoing>>,
    log: Mutex<Log>,
    /// How many deliveries were logged in all.
    count: watch::Sender<usize>,
}

impl Default for Webhooks {
    fn default() -> Self {
        Webhooks { queue: OnceLock::new(), log: Mutex::new(Log::default()), count: watch::channel(0).0 }
    }
}

/// Starts the delivery task (once, on the server's runtime). It holds the state weakly, so it
/// ends when the sandbox is gone.
pub(crate) fn start(state: &Arc<TwitchState>) {
    if state.webhooks.queue.get().is_some() || tokio::runtime::Handle::try_current().is_err() {
        return;
    }
    let (tx, rx) = mpsc::channel(QUEUE);
    if state.webhooks.queue.set(tx).is_ok() {
        tokio::spawn(run(Arc::downgrade(state), rx));
    }
}

async fn run(state: Weak<TwitchState>, mut rx: mpsc::Receiver<Outgoing>) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(ANSWER_TIMEOUT)
        .no_proxy()
        .build()
        .ok();
    while let Some(msg) = rx.recv().await {
        let (status, answer, error) = match &client {
            Some(client) => post(client, &msg).await,
            None => (None, String::new(), Some("the sandbox could not build an HTTP client".to_owned())),
        };
        let Some(st) = state.upgrade() else { return };
        let mut error = error;
        if let Some(challenge) = &msg.challenge {
            let echoed = status.is_some_and(|s| (200..300).contains(&s)) && answer == *challenge;
            if !echoed && error.is_none() {
                error = Some(format!("the callback answered {status:?} without echoing the challenge"));
            }
            let mut store = lock(&st.eventsub);
            if let Some(sub) = store.get_mut(&msg.subscription_id)
                && sub.status == "webhook_callback_verification_pending"
            {
                sub.status = if echoed { "enabled" } else { "webhook_callback_verification_failed" };
            }
        }
        record(&st.webhooks, &msg, status, error);
    }
}

/// POSTs one message; `(status, the start of the answer, error)`.
async fn post(client: &reqwest::Client, msg: &Outgoing) -> (Option<u16>, String, Option<String>) {
    let request = client
        .post(&msg.callback)
        .header("Content-Type", "application/json")
        .header("Twitch-Eventsub-Message-Id", &msg.message_id)
        .header("Twitch-Eventsub-Message-Retry", msg.retry.to_string())
        .header("Twitch-Eventsub-Message-Type", msg.message_type)
        .header("Twitch-Eventsub-Message-Signature", &msg.signature)
        .header("Twitch-Eventsub-Message-Timestamp", &msg.timestamp)
        .header("Twitch-Eventsub-Subscription-Type", &msg.subscription_type)
        .header("Twitch-Eventsub-Subscription-Version", &msg.subscription_version)
        .body(msg.body.clone());
    let mut response = match request.send().await {
        Ok(r) => r,
        Err(e) => return (None, String::new(), Some(format!("the callback could not be reached: {e}"))),
    };
    let status = response.status().as_u16();
    let mut answer = Vec::new();
    while answer.len() < MAX_ANSWER {
        match response.chunk().await {
            Ok(Some(chunk)) => answer.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(e) => return (Some(status), String::new(), Some(format!("reading the answer failed: {e}"))),
        }
    }
    answer.truncate(MAX_ANSWER);
    (Some(status), String::from_utf8_lossy(&answer).into_owned(), None)
}

fn record(webhooks: &Webhooks, msg: &Outgoing, status: Option<u16>, error: Option<String>) {
    let mut log = lock(&webhooks.log);
    if log.entries.len() >= KEPT_LOG {
        log.entries.pop_front();
    }
    log.entries.push_back(WebhookDelivery {
        message_id: msg.message_id.clone(),
        message_type: msg.message_type.to_owned(),
        subscription_id: msg.subscription_id.clone(),
        subscription_type: msg.subscription_type.clone(),
        retry: msg.retry,
        body: msg.body.clone(),
        status,
        error,
    });
    drop(log);
    webhooks.count.send_modify(|n| *n += 1);
}

/// Queues `msg` (and keeps it for resending); a full or missing queue is logged at once.
fn enqueue(st: &TwitchState, msg: Outgoing) {
    {
        let mut log = lock(&st.webhooks.log);
        log.sent.retain(|m| m.message_id != msg.message_id);
        if log.sent.len() >= KEPT_MESSAGES {
            log.sent.pop_front();
        }
        log.sent.push_back(msg.clone());
    }
    let refused = match st.webhooks.queue.get() {
        Some(tx) => tx.try_send(msg).err().map(|e| match e {
            mpsc::error::TrySendError::Full(m) => (m, "the sandbox's delivery queue is full"),
            mpsc::error::TrySendError::Closed(m) => (m, "the sandbox's delivery task has stopped"),
        }),
        None => Some((msg, "the sandbox's delivery task is not running (no server started)")),
    };
    if let Some((msg, why)) = refused {
        record(&st.webhooks, &msg, None, Some(why.to_owned()));
    }
}

fn message(st: &TwitchState, sub: &Subscription, message_type: &'static str, body: Value) -> Option<Outgoing> {
    let target = sub.webhook.as_ref()?;
    let message_id = rng::uuid(st.next_id(), 0xE5E6);
    let timestamp = fmt_time_nanos(st.clock().wall().into());
    let body = body.to_string();
    Some(Outgoing {
        signature: signature(target.secret(), &message_id, &timestamp, body.as_bytes()),
        message_id,
        message_type,
        subscription_id: sub.id.clone(),
        subscription_type: sub.kind.clone(),
        subscription_version: sub.version.clone(),
        callback: target.callback.clone(),
        timestamp,
        body,
        retry: 0,
        challenge: None,
    })
}

/// Sends the `webhook_callback_verification` request of a new loopback subscription.
pub(crate) fn verify_callback(st: &TwitchState, sub: &Subscription) {
    let challenge = format!("challenge-{}", rng::uuid(st.next_id(), 0xC4A1));
    let body = json!({ "challenge": challenge, "subscription": sub.json() });
    if let Some(mut msg) = message(st, sub, "webhook_callback_verification", body) {
        msg.challenge = Some(challenge);
        enqueue(st, msg);
    }
}

/// Whether `event` is for `sub`: every condition field the event also carries has the same value.
fn concerns(sub: &Subscription, event: &Value) -> bool {
    sub.condition.iter().all(|(k, v)| event.get(k).is_none_or(|e| e == v))
}

/// Sends `event` to every enabled loopback or websocket subscription of type `kind` (and
/// `version`, when given) it concerns; the message ids, in delivery order.
pub(crate) fn publish(st: &TwitchState, kind: &str, version: Option<&str>, event: &Value) -> Vec<String> {
    let targets: Vec<Subscription> = lock(&st.eventsub)
        .all()
        .filter(|s| s.kind == kind && version.is_none_or(|v| s.version == v))
        .filter(|s| s.status == "enabled" && (s.webhook.is_some() || s.websocket_session().is_some()))
        .filter(|s| concerns(s, event))
        .cloned()
        .collect();
    let mut ids = Vec::new();
    for sub in targets {
        if sub.websocket_session().is_some() {
            ids.extend(st.eventsub_ws.notify(st, &sub, event));
            continue;
        }
        let body = json!({ "subscription": sub.json(), "event": event });
        if let Some(msg) = message(st, &sub, "notification", body) {
            ids.push(msg.message_id.clone());
            enqueue(st, msg);
        }
    }
    ids
}

/// Sets subscription `id`'s status to `status` and sends the `revocation`; the message id
/// (`None` when there is no such subscription or it has no loopback callback).
pub(crate) fn revoke(st: &TwitchState, id: &str, status: &'static str) -> Option<String> {
    let sub = {
        let mut store = lock(&st.eventsub);
        let sub = store.get_mut(id)?;
        sub.status = status;
        sub.clone()
    };
    if sub.websocket_session().is_some() {
        return st.eventsub_ws.revocation(st, &sub);
    }
    let msg = message(st, &sub, "revocation", json!({ "subscription": sub.json() }))?;
    let id = msg.message_id.clone();
    enqueue(st, msg);
    Some(id)
}

/// Sends message `id` again, byte for byte, with its retry count one higher; false when it is
/// not kept (never sent, or too old).
pub(crate) fn resend(st: &TwitchState, id: &str) -> bool {
    let again = lock(&st.webhooks.log).sent.iter().find(|m| m.message_id == id).cloned();
    match again {
        Some(mut msg) => {
            msg.retry = msg.retry.saturating_add(1);
            // A resent verification does not decide the subscription's status again.
            msg.challenge = None;
            enqueue(st, msg);
            true
        }
        None => false,
    }
}

/// The deliveries logged so far (the latest 10 000).
pub(crate) fn deliveries(webhooks: &Webhooks) -> Vec<WebhookDelivery> {
    lock(&webhooks.log).entries.iter().cloned().collect()
}

/// Waits until `n` deliveries were logged in all; the log then.
pub(crate) async fn wait_for(webhooks: &Webhooks, n: usize) -> Vec<WebhookDelivery> {
    let mut rx = webhooks.count.subscribe();
    // The sender lives as long as `webhooks`, so this only returns once the count is reached.
    let _ = rx.wait_for(|count| *count >= n).await;
    deliveries(webhooks)
}
