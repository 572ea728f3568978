//! [`ConstellationClient`]: live event subscriptions with typed names and payloads.

use super::errors::explain;
use super::protocol::ConstellationProtocol;
use crate::constellation_messages::{ConstellationEvent, LiveEvent, Livesubscribe, Liveunsubscribe, Ping};
use crate::message::Strictness;
use crate::session::{Closed, EventStream, Method, Session, SessionBuilder, SessionConfig};
use std::collections::BTreeSet;
use std::sync::Arc;
use streamkit_runtime::{Error, Secret};

/// Constellation's production URL.
pub const CONSTELLATION_URL: &str = "wss://constellation.mixer.com";

/// How a [`ConstellationClient`] identifies itself (C.1: one of the two is mandatory).
#[derive(Debug, Clone)]
enum Identity {
    Bearer(Secret),
    ClientId { client_id: String, is_bot: bool },
}

/// How a [`ConstellationClient`] connects.
#[derive(Debug, Clone)]
pub struct ConstellationOptions {
    url: String,
    identity: Identity,
    gzip: bool,
    strictness: Strictness,
    config: SessionConfig,
}

impl ConstellationOptions {
    /// As the token's user: `authorization: Bearer <token>` (marks the session as a bot).
    pub fn bearer(token: impl Into<Secret>) -> Self {
        Self::with(Identity::Bearer(token.into()))
    }

    /// Without a token: `client-id`, and `x-is-bot: true` when `is_bot` (automated clients must).
    pub fn client_id(client_id: impl Into<String>, is_bot: bool) -> Self {
        Self::with(Identity::ClientId { client_id: client_id.into(), is_bot })
    }

    fn with(identity: Identity) -> Self {
        ConstellationOptions {
            url: CONSTELLATION_URL.into(),
            identity,
            gzip: false,
            strictness: Strictness::Lenient,
            config: SessionConfig::default(),
        }
    }

    /// Another URL (the sandbox's).
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = url.into();
        self
    }

    /// Asks for `cnstl-gzip`: the server may gzip frames; ours over 1 KiB are gzipped too.
    pub fn gzip(mut self, gzip: bool) -> Self {
        self.gzip = gzip;
        self
    }

    /// How payloads are decoded (default lenient).
    pub fn strictness(mut self, strictness: Strictness) -> Self {
        self.strictness = strictness;
        self
    }

    /// Replaces the session's timeouts and bounds.
    pub fn config(mut self, config: SessionConfig) -> Self {
        self.config = config;
        self
    }
}

/// A Constellation session (reference C). Cheap to clone. After a lost connection (any close
/// but "session expired") it reconnects, waits for `hello` and subscribes exactly the set it
/// had, before queued calls go out.
#[derive(Clone, Debug)]
pub struct ConstellationClient {
    session: Session<ConstellationProtocol>,
}

impl ConstellationClient {
    /// Connects and waits for `hello`.
    pub async fn connect(options: ConstellationOptions) -> Result<Self, Error> {
        Self::connect_with(options, |builder| builder).await
    }

    /// [`connect`](Self::connect), with a last say over the session builder: another
    /// [`Connector`](crate::session::Connector) (e.g. the runtime's `MemoryNetwork` in tests),
    /// a `Jitter`, more headers.
    pub async fn connect_with(
        options: ConstellationOptions,
        customize: impl FnOnce(SessionBuilder<ConstellationProtocol>) -> SessionBuilder<ConstellationProtocol>,
    ) -> Result<Self, Error> {
        let protocol = Arc::new(ConstellationProtocol::new(options.strictness, options.gzip));
        let mut builder = SessionBuilder::from_arc(protocol).endpoint(options.url).config(options.config);
        builder = match options.identity {
            Identity::Bearer(token) => {
                builder.secret_header("authorization", Secret::new(format!("Bearer {}", token.expose())))
            }
            Identity::ClientId { client_id, is_bot } => {
                let builder = builder.header("client-id", &client_id);
                if is_bot { builder.header("x-is-bot", "true") } else { builder }
            }
        };
        if options.gzip {
            builder = builder.subprotocol("cnstl-gzip");
        }
        Ok(ConstellationClient { session: customize(builder).connect().await.map_err(explain)? })
    }

    /// `livesubscribe`: all or nothing; on success the events join the set restored after a
    /// reconnect. An error names the code's meaning (both numberings).
    pub async fn subscribe(&self, events: &[LiveEvent]) -> Result<(), Error> {
        let names = events.iter().map(ToString::to_string).collect();
        self.session.call(&Livesubscribe::new(names)).await.map_err(explain)?;
        self.session.protocol().add(events);
        Ok(())
    }

    /// `liveunsubscribe`: the events leave the set.
    pub async fn unsubscribe(&self, events: &[LiveEvent]) -> Result<(), Error> {
        let names = events.iter().map(ToString::to_string).collect();
        self.session.call(&Liveunsubscribe::new(names)).await.map_err(explain)?;
        self.session.protocol().remove(events);
        Ok(())
    }

    /// `ping`: a round trip.
    pub async fn ping(&self) -> Result<<Ping as Method>::Reply, Error> {
        self.session.call(&Ping).await.map_err(explain)
    }

    /// The live events subscribed to now.
    pub fn subscriptions(&self) -> BTreeSet<LiveEvent> {
        self.session.protocol().subscriptions()
    }

    /// The events (taken once): `hello`, `live` with typed payloads
    /// ([`LivePayload`](crate::constellation_messages::LivePayload), its event kind and id
    /// parsed back from `data.channel`), `Unknown`, and the session's own items.
    pub fn events(&self) -> Option<EventStream<ConstellationEvent>> {
        self.session.events()
    }

    /// The session underneath.
    pub fn session(&self) -> &Session<ConstellationProtocol> {
        &self.session
    }

    /// Closes the connection (1000).
    pub async fn close(&self) -> Closed {
        self.session.close().await
    }
}
