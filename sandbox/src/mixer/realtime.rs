//! Test hooks on the sandbox's Mixer chat servers and Constellation:
//! [`Mixer::realtime`](super::Mixer::realtime) hands out a [`MixerRealtime`].
//!
//! * where they are: [`chat_endpoints`](MixerRealtime::chat_endpoints),
//!   [`constellation_url`](MixerRealtime::constellation_url);
//! * refusing: [`refuse_chat_endpoint`](MixerRealtime::refuse_chat_endpoint),
//!   [`refuse_constellation`](MixerRealtime::refuse_constellation) (the handshake gets `503`);
//! * ending connections: [`drop_chat`](MixerRealtime::drop_chat) /
//!   [`drop_constellation`](MixerRealtime::drop_constellation) (no close frame, as a network
//!   failure), [`close_chat`](MixerRealtime::close_chat) /
//!   [`close_constellation`](MixerRealtime::close_constellation) (a close code and reason);
//! * odd frames: [`send_raw_chat`](MixerRealtime::send_raw_chat) /
//!   [`send_raw_constellation`](MixerRealtime::send_raw_constellation) (anything, e.g. a
//!   malformed frame), [`send_chat_event`](MixerRealtime::send_chat_event) (any event name
//!   and data), [`emit_live`](MixerRealtime::emit_live) (any live event, any payload), and
//!   the frame faults of `core::frames` ([`inject_chat_fault`](MixerRealtime::inject_chat_fault),
//!   [`inject_constellation_fault`](MixerRealtime::inject_constellation_fault));
//! * what the server saw: the connections ([`chat_connections`](MixerRealtime::chat_connections),
//!   [`constellation_connections`](MixerRealtime::constellation_connections)), each one's
//!   ordered frame log ([`chat_frames`](MixerRealtime::chat_frames),
//!   [`constellation_frames`](MixerRealtime::constellation_frames); an authkey is logged as
//!   `<authkey #n>`, the n-th key issued, `<authkey #n, used>` when it was already used, or
//!   `<authkey unknown>`, never the key itself) and
//!   subscription set ([`subscriptions`](MixerRealtime::subscriptions)).
//!
//! Connection ids ([`ConnId`]) count up from 1 per server (chat and Constellation each),
//! in the order connections opened.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
//! use streamkit_sandbox::{Mixer, Sandbox};
//! let sandbox = Sandbox::builder().service(Mixer::new()).start().await?;
//! let realtime = sandbox.service::<Mixer>().expect("serves Mixer").realtime();
//! let endpoints = realtime.chat_endpoints();
//! assert_eq!(endpoints.len(), 3);
//! assert!(endpoints[0].starts_with("ws://127.0.0.1:") && endpoints[0].ends_with("/mixer/chat/1"));
//! // The first endpoint refuses: a client must fall back to the second.
//! realtime.refuse_chat_endpoint(1, true);
//! // Nobody subscribed yet, so a live event reaches no one.
//! assert_eq!(realtime.emit_live("channel:5000:followed", &serde_json::json!({"following": true})), 0);
//! assert!(realtime.constellation_connections().is_empty());
//! # Ok(()) }
//! ```

use super::chat::{self, ENDPOINTS, wire::ErrorForm};
use super::constellation;
use super::seed;
use super::state::MixerState;
use crate::core::FrameFault;
use crate::core::lock;
use crate::core::ws::{ConnId, ConnectionInfo, LoggedFrame, Outbound};
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::Arc;

pub use chat::wire::ErrorForm as ChatErrorForm;

/// The realtime test hooks of a [`Mixer`](super::Mixer) service (see the module docs).
/// Clones share the service.
#[derive(Clone, Debug)]
pub struct MixerRealtime {
    pub(crate) state: Arc<MixerState>,
}

fn ws_base(state: &MixerState) -> String {
    state.base_url.get().map(|u| u.replacen("http://", "ws://", 1)).unwrap_or_default()
}

/// The `ws://` URLs of the chat endpoints, as `GET /v1/chats/{channelId}` lists them.
pub(crate) fn chat_endpoints(state: &MixerState) -> Vec<String> {
    (1..=ENDPOINTS).map(|n| format!("{}{}", ws_base(state), chat::endpoint_path(n))).collect()
}

impl MixerRealtime {
    /// The chat endpoints' `ws://` URLs (endpoint `n` is element `n - 1`).
    pub fn chat_endpoints(&self) -> Vec<String> {
        chat_endpoints(&self.state)
    }

    /// Constellation's `ws://` URL.
    pub fn constellation_url(&self) -> String {
        format!("{}{}", ws_base(&self.state), constellation::PATH)
    }

    /// Makes chat endpoint `n` (from 1) refuse new connections (`503`), or accept them again.
    pub fn refuse_chat_endpoint(&self, n: usize, refuse: bool) {
        self.state.chat.hub.refuse(&chat::endpoint_path(n), refuse);
    }

    /// Makes Constellation refuse new connections (`503`), or accept them again.
    pub fn refuse_constellation(&self, refuse: bool) {
        self.state.live.hub.refuse(constellation::PATH, refuse);
    }

    /// Ends the open chat connections of endpoint `n` (`None`: of every endpoint) without a
    /// close frame, after what is already queued for them; how many.
    pub fn drop_chat(&self, endpoint: Option<usize>) -> usize {
        let path = endpoint.map(chat::endpoint_path);
        self.state.chat.hub.drop_connections(path.as_deref())
    }

    /// Ends every open Constellation connection without a close frame; how many.
    pub fn drop_constellation(&self) -> usize {
        self.state.live.hub.drop_connections(None)
    }

    /// Closes chat connection `conn` with `code` and `reason`; `false` when it is gone.
    pub fn close_chat(&self, conn: ConnId, code: u16, reason: &str) -> bool {
        self.state.chat.hub.close(conn, code, reason)
    }

    /// Closes Constellation connection `conn` with `code` and `reason` (e.g. 1012, "restart").
    pub fn close_constellation(&self, conn: ConnId, code: u16, reason: &str) -> bool {
        self.state.live.hub.close(conn, code, reason)
    }

    /// Sends `text` as it is (a malformed frame, an unknown packet …) to chat connection `conn`.
    pub fn send_raw_chat(&self, conn: ConnId, text: &str) -> bool {
        self.state.chat.hub.send_as_is(conn, "raw", Outbound::Text(text.to_owned()))
    }

    /// Sends `text` as it is to Constellation connection `conn` (never gzipped).
    pub fn send_raw_constellation(&self, conn: ConnId, text: &str) -> bool {
        self.state.live.hub.send_as_is(conn, "raw", Outbound::Text(text.to_owned()))
    }

    /// Sends the chat event `name` with `data` (documented or not) to connection `conn`.
    pub fn send_chat_event(&self, conn: ConnId, name: &str, data: &Value) -> bool {
        self.state.chat.hub.send_as_is(conn, name, Outbound::Text(chat::wire::event(name, data)))
    }

    /// Sends live event `name` (documented or not) with `payload` to every Constellation
    /// session subscribed to it; how many.
    pub fn emit_live(&self, name: &str, payload: &Value) -> usize {
        self.state.live.emit_as_is(name, payload)
    }

    /// Ends the running poll of channel id `channel_id` now (`PollEnd` goes out), instead of
    /// when its time is up; `false` when none runs.
    pub fn end_poll(&self, channel_id: i64) -> bool {
        seed::owner_index(channel_id).is_some_and(|c| chat::end_poll(&self.state, c))
    }

    /// Adds a frame fault to the chat endpoints (paths `/mixer/chat/{n}`).
    pub fn inject_chat_fault(&self, fault: FrameFault) {
        self.state.chat.hub.inject(fault);
    }

    /// Adds a frame fault to Constellation (path `/mixer/constellation`).
    pub fn inject_constellation_fault(&self, fault: FrameFault) {
        self.state.live.hub.inject(fault);
    }

    /// Removes every chat and Constellation frame fault.
    pub fn clear_faults(&self) {
        self.state.chat.hub.clear_faults();
        self.state.live.hub.clear_faults();
    }

    /// Which form the chat's string errors take (default [`ChatErrorForm::String`]).
    pub fn set_chat_error_form(&self, form: ErrorForm) {
        lock(&self.state.chat.data).error_form = form;
    }

    /// The Constellation subscription limit over every connection (default
    /// [`constellation::DEFAULT_LIMIT`]); beyond it `livesubscribe` answers 4110.
    pub fn set_subscription_limit(&self, limit: usize) {
        lock(&self.state.live.data).limit = limit;
    }

    /// Whether `liveunsubscribe` of an event not subscribed answers 4109 (default `false`:
    /// no error, as the method's page documents).
    pub fn set_strict_unsubscribe(&self, strict: bool) {
        lock(&self.state.live.data).strict_unsubscribe = strict;
    }

    /// The chat connections (open, and recently closed), oldest first.
    pub fn chat_connections(&self) -> Vec<ConnectionInfo> {
        self.state.chat.hub.connections()
    }

    /// The Constellation connections (open, and recently closed), oldest first.
    pub fn constellation_connections(&self) -> Vec<ConnectionInfo> {
        self.state.live.hub.connections()
    }

    /// Chat connection `conn`'s frames in order: methods received by name (`auth`'s key
    /// shown as `<authkey #n>`, see the module docs), events sent by name, `reply`,
    /// `close {code}`, `drop`, `raw`, `invalid`.
    pub fn chat_frames(&self, conn: ConnId) -> Vec<LoggedFrame> {
        self.state.chat.hub.frames(conn)
    }

    /// Constellation connection `conn`'s frames in order: methods received by name, `hello`,
    /// live events by their event name, `reply`, `close {code}`, `drop`, `raw`, `invalid`.
    pub fn constellation_frames(&self, conn: ConnId) -> Vec<LoggedFrame> {
        self.state.live.hub.frames(conn)
    }

    /// The names in connection `conn`'s chat log of the methods it sent and the events it
    /// was sent, in order (replies and other entries left out): e.g.
    /// `["WelcomeEvent", "optOutEvents", "auth", "UserJoin"]`.
    pub fn chat_methods_and_events(&self, conn: ConnId) -> Vec<String> {
        const NOT: [&str; 5] = ["reply", "raw", "invalid", "drop", "close"];
        self.chat_frames(conn)
            .into_iter()
            .filter(|f| !NOT.iter().any(|n| f.name.starts_with(n)))
            .map(|f| f.name)
            .collect()
    }

    /// Constellation connection `conn`'s live subscriptions now (empty once it closed).
    pub fn subscriptions(&self, conn: ConnId) -> BTreeSet<String> {
        self.state.live.subscriptions(conn)
    }
}
