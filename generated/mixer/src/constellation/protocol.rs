//! [`ConstellationProtocol`]: how Constellation plugs into the session runtime (reference C).

use super::errors::is_fatal_close;
use crate::constellation_messages::{ConstellationEvent, LiveEvent, Livesubscribe};
use crate::message::Strictness;
use crate::session::{CloseAction, Compression, Incoming, KeepAlive, KeepAlivePing, Link, Protocol, ReplyError};
use futures::future::BoxFuture;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use streamkit_runtime::Error;

/// Constellation's protocol: frames (C.2), close codes (C.3), `cnstl-gzip`, and the
/// subscription set it restores after every reconnect.
#[derive(Debug)]
pub struct ConstellationProtocol {
    strictness: Strictness,
    gzip: bool,
    /// The live events the server confirmed, restored exactly after a reconnect.
    subscriptions: Mutex<BTreeSet<LiveEvent>>,
}

impl ConstellationProtocol {
    pub(crate) fn new(strictness: Strictness, gzip: bool) -> Self {
        ConstellationProtocol { strictness, gzip, subscriptions: Mutex::new(BTreeSet::new()) }
    }

    /// The live events subscribed to now (those the server confirmed).
    pub fn subscriptions(&self) -> BTreeSet<LiveEvent> {
        self.subscriptions.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    pub(crate) fn add(&self, events: &[LiveEvent]) {
        self.subscriptions.lock().unwrap_or_else(PoisonError::into_inner).extend(events.iter().cloned());
    }

    pub(crate) fn remove(&self, events: &[LiveEvent]) {
        let mut set = self.subscriptions.lock().unwrap_or_else(PoisonError::into_inner);
        for event in events {
            set.remove(event);
        }
    }
}

impl Protocol for ConstellationProtocol {
    const NAME: &'static str = "mixer-constellation";
    type Event = ConstellationEvent;

    fn encode_call(&self, id: u64, method: &str, params: &Value) -> Result<String, Error> {
        Ok(json!({"type": "method", "method": method, "params": params, "id": id}).to_string())
    }

    fn classify(&self, frame: &str) -> Incoming<ConstellationEvent> {
        classify(frame, self.strictness)
    }

    /// carina: a ping after 10 s of inbound silence, 10 s for its reply.
    fn keep_alive(&self) -> KeepAlive {
        KeepAlive {
            idle: Duration::from_secs(10),
            timeout: Duration::from_secs(10),
            ping: KeepAlivePing::Call { method: "ping".into(), params: Value::Null },
        }
    }

    fn on_close(&self, code: Option<u16>) -> CloseAction {
        match code {
            Some(code) if is_fatal_close(code) => CloseAction::Fatal,
            _ => CloseAction::Reconnect,
        }
    }

    /// Subscribing is idempotent from the set's point of view, so a call lost with its
    /// connection goes out again after the set is restored.
    fn resend_safe(&self, method: &str) -> bool {
        matches!(method, "livesubscribe" | "liveunsubscribe" | "ping")
    }

    fn compression(&self) -> Compression {
        if self.gzip {
            Compression { inflate_incoming: true, deflate_above: Some(1024), ..Compression::default() }
        } else {
            Compression::default()
        }
    }

    fn reestablish(self: Arc<Self>, link: Link<Self>) -> BoxFuture<'static, Result<(), Error>> {
        Box::pin(async move {
            link.wait_for(|e| matches!(e, ConstellationEvent::Hello(_)).then_some(())).await?;
            let events: Vec<String> = self.subscriptions().iter().map(ToString::to_string).collect();
            if !events.is_empty() {
                link.call(&Livesubscribe::new(events)).await.map_err(super::errors::explain)?;
            }
            Ok(())
        })
    }
}

/// Reads one Constellation frame (C.2).
pub(crate) fn classify(frame: &str, strictness: Strictness) -> Incoming<ConstellationEvent> {
    let Ok(Value::Object(mut frame)) = serde_json::from_str::<Value>(frame) else {
        return Incoming::malformed("a Constellation frame that is not a JSON object");
    };
    match frame.get("type").and_then(Value::as_str) {
        Some("reply") => {
            let Some(id) = frame.get("id").and_then(Value::as_u64) else {
                return Incoming::malformed("a Constellation reply without a numeric `id`");
            };
            let outcome = match frame.remove("error") {
                None | Some(Value::Null) => Ok(frame.remove("result").unwrap_or(Value::Null)),
                Some(error) => Err(ReplyError::from_value(error)),
            };
            Incoming::Reply { id, outcome }
        }
        Some("event") => {
            let Some(Value::String(name)) = frame.remove("event") else {
                return Incoming::malformed("a Constellation event without a string `event`");
            };
            let data = frame.remove("data").unwrap_or(Value::Null);
            match ConstellationEvent::from_wire(&name, data, strictness) {
                Ok(event) => Incoming::Event(event),
                Err(e) => Incoming::Invalid(e),
            }
        }
        _ => Incoming::malformed("a Constellation frame whose `type` is neither `reply` nor `event`"),
    }
}
