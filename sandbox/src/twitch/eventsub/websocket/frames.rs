//! The five message types as JSON text, `{metadata, payload}` (Twitch's websocket reference).

use serde_json::{Value, json};

/// `metadata` of a message; `subscription` adds `subscription_type` / `_version`.
fn metadata(message_id: &str, message_type: &str, timestamp: &str, subscription: Option<(&str, &str)>) -> Value {
    let mut m = json!({
        "message_id": message_id,
        "message_type": message_type,
        "message_timestamp": timestamp,
    });
    if let Some((kind, version)) = subscription {
        m["subscription_type"] = json!(kind);
        m["subscription_version"] = json!(version);
    }
    m
}

/// The session object of a welcome or reconnect message.
pub(crate) struct SessionObject<'a> {
    pub(crate) id: &'a str,
    pub(crate) status: &'a str,
    pub(crate) keepalive: Option<u64>,
    pub(crate) reconnect_url: Option<&'a str>,
    pub(crate) connected_at: &'a str,
}

fn session(s: &SessionObject<'_>) -> Value {
    json!({"session": {
        "id": s.id,
        "status": s.status,
        "connected_at": s.connected_at,
        "keepalive_timeout_seconds": s.keepalive,
        "reconnect_url": s.reconnect_url,
        "recovery_url": null,
    }})
}

/// `session_welcome` or `session_reconnect`.
pub(crate) fn session_message(message_id: &str, message_type: &str, timestamp: &str, s: &SessionObject<'_>) -> String {
    json!({"metadata": metadata(message_id, message_type, timestamp, None), "payload": session(s)}).to_string()
}

/// `session_keepalive`.
pub(crate) fn keepalive(message_id: &str, timestamp: &str) -> String {
    json!({"metadata": metadata(message_id, "session_keepalive", timestamp, None), "payload": {}}).to_string()
}

/// `notification` (with `event`) or `revocation` (without).
pub(crate) fn subscription_message(
    message_id: &str,
    message_type: &str,
    timestamp: &str,
    subscription: &Value,
    event: Option<&Value>,
) -> String {
    let kind = subscription["type"].as_str().unwrap_or_default();
    let version = subscription["version"].as_str().unwrap_or_default();
    let mut payload = json!({"subscription": subscription});
    if let Some(event) = event {
        payload["event"] = event.clone();
    }
    json!({"metadata": metadata(message_id, message_type, timestamp, Some((kind, version))), "payload": payload})
        .to_string()
}
