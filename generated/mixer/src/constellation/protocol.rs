//! [`ConstellationProtocol`]: how Constellation plugs into the session runtime (reference C).

use super::errors::is_fatal_close;
use crate::constellation_messages::{ConstellationEvent, LiveEvent, Livesubscribe};
use crate::message::Strictness;
use crate::session::{CloseAction, Compression, Incoming, JsonFrames, KeepAlive, KeepAlivePing, Link, Protocol};
use futures::future::BoxFuture;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use streamkit_runtime::Error;

/// The frames of C.2, as `x-streamkit-frames` declares them in the spec.
const FRAMES: JsonFrames =
    JsonFrames { protocol: "Constellation", params: "params", result: "result", ..JsonFrames::TAGGED };

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
        Ok(FRAMES.encode_call(id, method, params))
    }

    fn classify(&self, frame: &str) -> Incoming<ConstellationEvent> {
        FRAMES.classify(frame, |name, data| ConstellationEvent::from_wire(name, data, self.strictness))
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
