//! [`ChatClient`]: a chat session on one channel, with typed methods and events.

use super::protocol::{ChatIdentity, ChatProtocol, default_keep_alive};
use crate::chat_messages::{
    AttachEmotes, CancelSkill, ChatEvent, ClearMessages, DeleteMessage, GiveawayStart, History, Msg, OptOutEvents,
    Ping, Purge, Timeout, VoteChoose, VoteStart, Whisper,
};
use crate::message::Strictness;
use crate::rest;
use crate::session::{Closed, EventStream, KeepAlive, Method, Session, SessionBuilder, SessionConfig};
use std::sync::Arc;
use std::time::Duration;
use streamkit_runtime::{Error, ProtocolErrorKind};

/// How a [`ChatClient`] connects. `ChatOptions::new(client_id)` gives B.7's figures: the
/// `ping` method after 15 s of silence, 5 s for its reply, 20 s per call.
#[derive(Debug, Clone)]
pub struct ChatOptions {
    client_id: String,
    identity: ChatIdentity,
    strictness: Strictness,
    keep_alive: KeepAlive,
    config: SessionConfig,
}

impl ChatOptions {
    /// Anonymous (read-only) options for the app `client_id` (sent as the `Client-ID` header).
    pub fn new(client_id: impl Into<String>) -> Self {
        let mut config = SessionConfig::default();
        config.call_timeout = Duration::from_secs(20);
        ChatOptions {
            client_id: client_id.into(),
            identity: ChatIdentity::Anonymous,
            strictness: Strictness::Lenient,
            keep_alive: default_keep_alive(),
            config,
        }
    }

    /// Joins as user `user_id`; the REST client must carry that user's token with `chat:connect`.
    pub fn as_user(mut self, user_id: u64) -> Self {
        self.identity = ChatIdentity::User(user_id);
        self
    }

    /// How events are decoded (default lenient: undocumented fields are kept, not errors).
    pub fn strictness(mut self, strictness: Strictness) -> Self {
        self.strictness = strictness;
        self
    }

    /// Replaces the keep-alive figures.
    pub fn keep_alive(mut self, keep_alive: KeepAlive) -> Self {
        self.keep_alive = keep_alive;
        self
    }

    /// Replaces the session's timeouts and bounds (the default has a 20 s call timeout).
    pub fn config(mut self, config: SessionConfig) -> Self {
        self.config = config;
        self
    }
}

/// A chat session on one channel (reference B). Cheap to clone; the last clone dropped
/// closes the connection. After a lost connection it reconnects by itself: it waits for the
/// WelcomeEvent, opts out of the same events again, and `auth`s with a fresh authkey before
/// any queued call goes out.
#[derive(Clone, Debug)]
pub struct ChatClient {
    session: Session<ChatProtocol>,
}

impl ChatClient {
    /// `GET /chats/{channelId}` (v1 with the user's token for an authkey, anonymous without),
    /// then connects to the first endpoint that answers, waits for the WelcomeEvent and `auth`s.
    pub async fn connect(rest: rest::Client, channel_id: u64, options: ChatOptions) -> Result<Self, Error> {
        Self::connect_with(rest, channel_id, options, |builder| builder).await
    }

    /// [`connect`](Self::connect), with a last say over the session builder: another
    /// [`Connector`](crate::session::Connector), a `Jitter`, more headers.
    pub async fn connect_with(
        rest: rest::Client,
        channel_id: u64,
        options: ChatOptions,
        customize: impl FnOnce(SessionBuilder<ChatProtocol>) -> SessionBuilder<ChatProtocol>,
    ) -> Result<Self, Error> {
        let (endpoints, authkey) = match options.identity {
            ChatIdentity::User(_) => {
                let chat = rest.get_chat_authenticated().channel_id(channel_id).send().await?;
                let chat = chat.into_inner();
                (chat.endpoints, chat.authkey)
            }
            ChatIdentity::Anonymous => {
                (rest.get_chat().channel_id(channel_id).send().await?.into_inner().endpoints, None)
            }
        };
        if endpoints.is_empty() {
            return Err(Error::Protocol {
                operation: Some("connect"),
                kind: ProtocolErrorKind::Connect,
                message: format!("GET /chats/{channel_id} listed no chat endpoint"),
            });
        }
        let protocol =
            ChatProtocol::new(rest, channel_id, options.identity, options.strictness, options.keep_alive, authkey);
        let builder = SessionBuilder::from_arc(Arc::new(protocol))
            .endpoints(endpoints)
            .header("Client-ID", &options.client_id)
            .query("version", "1.0")
            .config(options.config);
        let session = customize(builder).connect().await?;
        Ok(ChatClient { session })
    }

    /// The events (taken once; `None` after): [`ChatEvent`]s, with `Unknown` for events the
    /// spec does not know, and the session's own items (reconnects, invalid frames, the close).
    pub fn events(&self) -> Option<EventStream<ChatEvent>> {
        self.session.events()
    }

    /// Any chat method, typed.
    pub async fn call<M: Method>(&self, method: &M) -> Result<M::Reply, Error> {
        self.session.call(method).await
    }

    /// `msg`: sends a message; the reply is the message as the channel sees it.
    pub async fn msg(&self, message: impl Into<String>) -> Result<<Msg as Method>::Reply, Error> {
        self.call(&Msg::new(message.into())).await
    }

    /// `whisper`: a message only `target_username` sees.
    pub async fn whisper(
        &self,
        target_username: impl Into<String>,
        message: impl Into<String>,
    ) -> Result<<Whisper as Method>::Reply, Error> {
        self.call(&Whisper::new(target_username.into(), message.into())).await
    }

    /// `vote:start`: starts a poll.
    pub async fn vote_start(
        &self,
        question: impl Into<String>,
        answers: Vec<String>,
        duration_seconds: u64,
    ) -> Result<<VoteStart as Method>::Reply, Error> {
        self.call(&VoteStart::new(question.into(), answers, duration_seconds)).await
    }

    /// `vote:choose`: votes for answer `option_index` of the running poll.
    pub async fn vote_choose(&self, option_index: u64) -> Result<<VoteChoose as Method>::Reply, Error> {
        self.call(&VoteChoose::new(option_index)).await
    }

    /// `timeout`: times a user out (`"30s"`, `"1m15s"`, seconds, or `"clear"`).
    pub async fn timeout(
        &self,
        username: impl Into<String>,
        duration: impl Into<String>,
    ) -> Result<<Timeout as Method>::Reply, Error> {
        self.call(&Timeout::new(username.into(), duration.into())).await
    }

    /// `purge`: deletes every message of a user.
    pub async fn purge(&self, username: impl Into<String>) -> Result<<Purge as Method>::Reply, Error> {
        self.call(&Purge::new(username.into())).await
    }

    /// `deleteMessage`: deletes one message by id.
    pub async fn delete_message(
        &self,
        message_id: impl Into<String>,
    ) -> Result<<DeleteMessage as Method>::Reply, Error> {
        self.call(&DeleteMessage::new(message_id.into())).await
    }

    /// `clearMessages`: deletes every message of the channel.
    pub async fn clear_messages(&self) -> Result<<ClearMessages as Method>::Reply, Error> {
        self.call(&ClearMessages).await
    }

    /// `history`: the last `count` (≤ 100) messages.
    pub async fn history(&self, count: i64) -> Result<<History as Method>::Reply, Error> {
        self.call(&History::new(count)).await
    }

    /// `giveaway:start`: starts a giveaway.
    pub async fn giveaway_start(&self) -> Result<<GiveawayStart as Method>::Reply, Error> {
        self.call(&GiveawayStart).await
    }

    /// `ping`: a round trip.
    pub async fn ping(&self) -> Result<<Ping as Method>::Reply, Error> {
        self.call(&Ping).await
    }

    /// `attachEmotes`: later messages carry their emoticons and images.
    pub async fn attach_emotes(&self) -> Result<<AttachEmotes as Method>::Reply, Error> {
        self.call(&AttachEmotes).await
    }

    /// `optOutEvents`: stops these events on this session, and again after every reconnect.
    pub async fn opt_out_events<S: Into<String>>(
        &self,
        events: impl IntoIterator<Item = S>,
    ) -> Result<<OptOutEvents as Method>::Reply, Error> {
        let events: Vec<String> = events.into_iter().map(Into::into).collect();
        let reply = self.call(&OptOutEvents::new(events.clone())).await?;
        self.session.protocol().set_opt_out(events);
        Ok(reply)
    }

    /// `cancelSkill`: cancels a running skill execution.
    pub async fn cancel_skill(&self, execution_id: impl Into<String>) -> Result<<CancelSkill as Method>::Reply, Error> {
        self.call(&CancelSkill::new(execution_id.into())).await
    }

    /// The session underneath (raw calls, `closed()`, the protocol state).
    pub fn session(&self) -> &Session<ChatProtocol> {
        &self.session
    }

    /// Closes the connection (1000) and waits for the server's close.
    pub async fn close(&self) -> Closed {
        self.session.close().await
    }
}
