//! [`ChatProtocol`]: how Mixer's chat socket plugs into the session runtime (reference B).

use crate::chat_messages::{Auth, ChatEvent, OptOutEvents};
use crate::message::Strictness;
use crate::rest;
use crate::session::{Incoming, JsonFrames, KeepAlive, KeepAlivePing, Link, Protocol};
use futures::future::BoxFuture;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use streamkit_runtime::{Error, ProtocolErrorKind, Secret};

/// The frames of B.2, as `x-streamkit-frames` declares them in the spec.
const FRAMES: JsonFrames = JsonFrames { protocol: "chat", params: "arguments", result: "data", ..JsonFrames::TAGGED };

/// Who the chat session joins as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatIdentity {
    /// Read-only: `auth` with the channel id alone, endpoints from `GET /chats` without a token.
    Anonymous,
    /// As this user id: the REST client carries the user's token (`chat:connect`), each
    /// connection `auth`s with a fresh single-use authkey from `GET /v1/chats/{channelId}`.
    User(u64),
}

/// The chat protocol: frame shapes (B.2), keep-alive (B.7) and the re-establishment after
/// every connect (WelcomeEvent, `optOutEvents` again, `auth` with a fresh authkey).
pub struct ChatProtocol {
    rest: rest::Client,
    channel_id: u64,
    identity: ChatIdentity,
    strictness: Strictness,
    keep_alive: KeepAlive,
    /// The authkey fetched with the endpoints, for the first connection only: a key is single use.
    first_authkey: Mutex<Option<Secret>>,
    /// The events opted out of, re-sent after every reconnect.
    opt_out: Mutex<Option<Vec<String>>>,
}

impl std::fmt::Debug for ChatProtocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatProtocol")
            .field("channel_id", &self.channel_id)
            .field("identity", &self.identity)
            .field("strictness", &self.strictness)
            .finish_non_exhaustive()
    }
}

/// B.7's keep-alive: the `ping` method after 15 s without inbound traffic, dead when no
/// reply comes within 5 s (any inbound frame resets the timer).
pub fn default_keep_alive() -> KeepAlive {
    KeepAlive {
        idle: Duration::from_secs(15),
        timeout: Duration::from_secs(5),
        ping: KeepAlivePing::Call { method: "ping".into(), params: json!([]) },
    }
}

impl ChatProtocol {
    /// The protocol for a session on `channel_id` (what [`ChatClient::connect`](super::ChatClient::connect)
    /// builds; build one yourself to run a session over another connector, e.g. the runtime's
    /// `MemoryNetwork`). `rest` fetches the authkeys after the first connection;
    /// `first_authkey` is the one fetched with the endpoints.
    pub fn new(
        rest: rest::Client,
        channel_id: u64,
        identity: ChatIdentity,
        strictness: Strictness,
        keep_alive: KeepAlive,
        first_authkey: Option<Secret>,
    ) -> Self {
        ChatProtocol {
            rest,
            channel_id,
            identity,
            strictness,
            keep_alive,
            first_authkey: Mutex::new(first_authkey),
            opt_out: Mutex::new(None),
        }
    }

    /// Remembers the events opted out of, so a reconnect opts out again.
    pub(crate) fn set_opt_out(&self, events: Vec<String>) {
        *self.opt_out.lock().unwrap_or_else(PoisonError::into_inner) = Some(events);
    }

    /// The events opted out of (`None`: `optOutEvents` never called).
    pub fn opted_out(&self) -> Option<Vec<String>> {
        self.opt_out.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The `auth` call for this connection: anonymous, or with a single-use authkey (the one
    /// fetched with the endpoints on the first connection, a fresh one from REST after that).
    async fn auth_call(&self) -> Result<Auth, Error> {
        let ChatIdentity::User(user_id) = self.identity else {
            return Ok(Auth::new(self.channel_id));
        };
        let stored = self.first_authkey.lock().unwrap_or_else(PoisonError::into_inner).take();
        let key = match stored {
            Some(key) => key,
            None => fetch_authkey(&self.rest, self.channel_id).await?,
        };
        Ok(Auth::new(self.channel_id).user_id(user_id).authkey(key))
    }
}

/// A fresh single-use authkey from `GET /v1/chats/{channelId}` (needs `chat:connect`).
pub(crate) async fn fetch_authkey(rest: &rest::Client, channel_id: u64) -> Result<Secret, Error> {
    let chat = rest.get_chat_authenticated().channel_id(channel_id).send().await?;
    chat.authkey.clone().ok_or_else(|| Error::Protocol {
        operation: Some("auth"),
        kind: ProtocolErrorKind::Violation,
        message: "GET /v1/chats/{channelId} returned no authkey (does the token have `chat:connect`?)".into(),
    })
}

impl Protocol for ChatProtocol {
    const NAME: &'static str = "mixer-chat";
    type Event = ChatEvent;

    fn encode_call(&self, id: u64, method: &str, params: &Value) -> Result<String, Error> {
        Ok(FRAMES.encode_call(id, method, params))
    }

    fn classify(&self, frame: &str) -> Incoming<ChatEvent> {
        FRAMES.classify(frame, |name, data| ChatEvent::from_wire(name, data, self.strictness))
    }

    fn keep_alive(&self) -> KeepAlive {
        self.keep_alive.clone()
    }

    fn reestablish(self: Arc<Self>, link: Link<Self>) -> BoxFuture<'static, Result<(), Error>> {
        Box::pin(async move {
            // B.1/B.7: nothing goes out before the WelcomeEvent.
            link.wait_for(|e| matches!(e, ChatEvent::WelcomeEvent(_)).then_some(())).await?;
            if let Some(events) = self.opted_out() {
                link.call(&OptOutEvents::new(events)).await?;
            }
            let auth = self.auth_call().await?;
            let result = link.call(&auth).await?;
            if matches!(self.identity, ChatIdentity::User(_)) && !result.authenticated {
                return Err(Error::Protocol {
                    operation: Some("auth"),
                    kind: ProtocolErrorKind::Violation,
                    message: "the chat server answered auth with authenticated: false".into(),
                });
            }
            Ok(())
        })
    }
}
