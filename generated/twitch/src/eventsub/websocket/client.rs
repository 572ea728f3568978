//! [`EventSubClient`]: connect, subscribe, and read events.

use std::sync::Arc;

use futures::StreamExt;
use streamkit_runtime::Error;
use streamkit_runtime::message::Strictness;
use streamkit_runtime::session::{Connector, EventStream, Session, SessionBuilder, SessionConfig, SessionEvent};

use super::TWITCH_URL;
use super::close::close_error;
use super::message::{EventSubEvent, Frame};
use super::protocol::{Cost, EventSubProtocol, MAX_SUBSCRIPTIONS};
use crate::eventsub::Subscription;
use crate::helix;

/// Builds an [`EventSubClient`] ([`EventSubClient::builder`]).
pub struct EventSubClientBuilder {
    helix: helix::Client,
    url: String,
    keepalive: Option<u64>,
    strictness: Strictness,
    subscriptions: Vec<Subscription>,
    config: SessionConfig,
    connector: Option<WithConnector>,
}

/// Puts the chosen connector on the session builder (the connector's type is the caller's).
type WithConnector = Box<dyn FnOnce(SessionBuilder<EventSubProtocol>) -> SessionBuilder<EventSubProtocol> + Send>;

impl std::fmt::Debug for EventSubClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventSubClientBuilder")
            .field("url", &self.url)
            .field("keepalive", &self.keepalive)
            .field("strictness", &self.strictness)
            .field("subscriptions", &self.subscriptions)
            .finish_non_exhaustive()
    }
}

impl EventSubClientBuilder {
    /// The websocket URL (default [`TWITCH_URL`]).
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = url.into();
        self
    }

    /// Asks for this `keepalive_timeout_seconds` (Twitch clamps it to 10–600).
    pub fn keepalive_timeout_seconds(mut self, seconds: u64) -> Self {
        self.keepalive = Some(seconds);
        self
    }

    /// How frames decode (default [`Strictness::Lenient`]: undocumented fields and values are
    /// kept; [`Strictness::Strict`] makes a frame carrying them [`EventSubEvent::Invalid`]).
    pub fn strictness(mut self, strictness: Strictness) -> Self {
        self.strictness = strictness;
        self
    }

    /// A subscription to create for every new session.
    pub fn subscribe(mut self, subscription: Subscription) -> Self {
        self.subscriptions.push(subscription);
        self
    }

    /// The session's timeouts, bounds and backoff.
    pub fn config(mut self, config: SessionConfig) -> Self {
        self.config = config;
        self
    }

    /// How connections are made (default: TCP, TLS for `wss://`); e.g. a
    /// [`MemoryNetwork`](streamkit_runtime::session::MemoryNetwork)'s connector in tests.
    pub fn connector(mut self, connector: impl Connector) -> Self {
        self.connector = Some(Box::new(move |b| b.connector(connector)));
        self
    }

    /// Connects, reads the welcome and creates the subscriptions.
    ///
    /// Fails with [`Error::InvalidRequest`] for more than [`MAX_SUBSCRIPTIONS`] subscriptions,
    /// and with the session's error when no connection or no subscription could be made.
    pub async fn connect(self) -> Result<EventSubClient, Error> {
        if self.subscriptions.len() > MAX_SUBSCRIPTIONS {
            return Err(Error::InvalidRequest {
                operation: None,
                message: format!(
                    "{} subscriptions asked for; an EventSub websocket session takes at most {MAX_SUBSCRIPTIONS}",
                    self.subscriptions.len()
                ),
            });
        }
        let protocol = Arc::new(EventSubProtocol::new(self.helix, self.subscriptions).with_strictness(self.strictness));
        let mut builder = SessionBuilder::from_arc(protocol).endpoint(self.url).config(self.config);
        if let Some(with_connector) = self.connector {
            builder = with_connector(builder);
        }
        if let Some(seconds) = self.keepalive {
            builder = builder.query("keepalive_timeout_seconds", &seconds.to_string());
        }
        let session = builder.connect().await?;
        let events = session.events();
        Ok(EventSubClient { session, events, ended: false })
    }
}

/// An EventSub websocket client (see the [module docs](super)).
///
/// ```no_run
/// # async fn demo(helix: streamkit_twitch::helix::Client) -> Result<(), streamkit_twitch::Error> {
/// use streamkit_twitch::eventsub::Subscription;
/// use streamkit_twitch::eventsub::websocket::{EventSubClient, EventSubEvent};
/// use streamkit_twitch::eventsub_messages::EventsubEvent;
/// let mut client = EventSubClient::builder(helix)
///     .subscribe(Subscription::channel_follow_v2("1234", "1234"))
///     .connect()
///     .await?;
/// while let Some(event) = client.next().await {
///     match event {
///         EventSubEvent::Notification(n) => match &n.event {
///             EventsubEvent::ChannelFollowV2(follow) => println!("{} followed", follow.user_name),
///             other => println!("{} v{}", other.subscription_type(), other.version()),
///         },
///         EventSubEvent::Ended(e) => return Err(e),
///         _ => {}
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct EventSubClient {
    session: Session<EventSubProtocol>,
    events: Option<EventStream<Frame>>,
    ended: bool,
}

impl EventSubClient {
    /// A builder creating subscriptions through `helix` (a client with the user's token).
    pub fn builder(helix: helix::Client) -> EventSubClientBuilder {
        EventSubClientBuilder {
            helix,
            url: TWITCH_URL.to_owned(),
            keepalive: None,
            strictness: Strictness::Lenient,
            subscriptions: Vec::new(),
            config: SessionConfig::default(),
            connector: None,
        }
    }

    /// The next event; `None` after [`EventSubEvent::Ended`].
    pub async fn next(&mut self) -> Option<EventSubEvent> {
        if self.ended {
            return None;
        }
        let events = self.events.as_mut()?;
        loop {
            let item = match events.next().await {
                Some(item) => item,
                None => {
                    self.ended = true;
                    return None;
                }
            };
            let event = match item {
                SessionEvent::Event(Frame::Notification(n)) => EventSubEvent::Notification(n),
                SessionEvent::Event(Frame::Revocation(r)) => EventSubEvent::Revocation(r),
                SessionEvent::Event(Frame::Welcome(w)) => EventSubEvent::Welcome(w),
                SessionEvent::Invalid(e) => EventSubEvent::Invalid(e),
                SessionEvent::Reconnecting { attempt, .. } => EventSubEvent::Reconnecting { attempt },
                SessionEvent::Moved { .. } => EventSubEvent::Moved,
                SessionEvent::Reconnected { .. } => EventSubEvent::Reconnected,
                SessionEvent::Closed(closed) => {
                    self.ended = true;
                    let error = match closed.code {
                        Some(code) if !closed.by_client => close_error(code, &closed.reason),
                        _ => closed.to_error(),
                    };
                    EventSubEvent::Ended(error)
                }
                _ => continue,
            };
            return Some(event);
        }
    }

    /// The current session id.
    pub fn session_id(&self) -> Option<String> {
        self.session.protocol().session_id()
    }

    /// The active subscriptions: `(subscription id, subscription)`.
    pub fn active_subscriptions(&self) -> Vec<(String, Subscription)> {
        self.session.protocol().active()
    }

    /// Helix's `total` / `total_cost` / `max_total_cost` after the last subscription created.
    pub fn cost(&self) -> Option<Cost> {
        self.session.protocol().cost()
    }

    /// How many Create EventSub Subscription calls were made in all (first connect and reconnects).
    pub fn subscriptions_created(&self) -> u64 {
        self.session.protocol().creates()
    }

    /// Closes the connection (1000).
    pub async fn close(self) {
        self.session.close().await;
    }
}
