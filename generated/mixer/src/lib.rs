//! # streamkit-mixer
//!
//! A typed client for Mixer's core REST API: [`rest`], generated from
//! `specs/mixer/core.yaml` by `cargo xtask regen`, plus hand-written typed list filters in
//! [`filters`]; and the typed messages of the chat and Constellation sockets,
//! [`chat_messages`] and [`constellation_messages`], generated from the AsyncAPI specs.
//! Everything an app needs is re-exported here.
//!
//! ```no_run
//! use streamkit_mixer::filters::{Order, Where};
//! use streamkit_mixer::{rest, Error};
//!
//! # async fn demo() -> Result<(), Error> {
//! let client = rest::Client::builder().client_id("your-client-id").build()?;
//! let live = client
//!     .list_channels()
//!     .where_(Where::field("online").eq(true).and(Where::field("viewersCurrent").gt(10)))
//!     .order(Order::desc("viewersCurrent"))
//!     .send()
//!     .await?;
//! for channel in live.iter() {
//!     println!("{} ({})", channel.token.as_deref().unwrap_or("?"), channel.id);
//! }
//! # Ok(()) }
//! ```
//!
//! Every list pages through the runtime's paginator (`.stream()`, `.pages()`,
//! `.paginate()`), as the spec's `x-streamkit-pagination` declares: v1 lists by page number
//! (`page` from 0; the next page from the `Link` header, else `x-total-count`, else a full
//! page), v2 lists by the continuation token of the `link` header's `rel="next"` URL.
//!
//! ```no_run
//! use streamkit_mixer::filters::{Order, Where};
//! use streamkit_mixer::pagination::{PageToken, StreamExt, TryStreamExt};
//! use streamkit_mixer::{rest, Error};
//!
//! # async fn demo(client: rest::Client) -> Result<(), Error> {
//! // Every live channel, most watched first, 50 per request.
//! let live: Vec<rest::types::ExpandedChannel> = client
//!     .list_channels()
//!     .where_(Where::field("online").eq(true))
//!     .order(Order::desc("viewersCurrent"))
//!     .limit(50)
//!     .stream()
//!     .try_collect()
//!     .await?;
//! // A page with its successor, to resume from later (`PageToken::Number(n)` is Mixer's `page=n`).
//! let first = client.list_channels().limit(50).pages().next().await.transpose()?;
//! if let Some(PageToken::Number(n)) = first.and_then(|p| p.next) {
//!     let _rest = client.list_channels().limit(50).paginate().resume(PageToken::Number(n)).items();
//! }
//! // v2: a channel's chat users, by continuation token.
//! let chatters: Vec<_> = client.get_chat_users().channel_id(160788).limit(100).stream().try_collect().await?;
//! # let _ = (live, chatters); Ok(()) }
//! ```
//!
//! A client built without an access token sends no `Authorization` header at all (Mixer
//! answers a malformed one with a CSRF error); operations that need a token fail before
//! sending, naming the missing credential.
//!
//! The sockets: [`chat::ChatClient`] (`GET /chats/{channelId}`, endpoint fallback, `auth`
//! with a single-use authkey, typed methods and events, reconnect with a fresh authkey) and
//! [`constellation::ConstellationClient`] (typed live subscriptions restored after a
//! reconnect, typed payloads, partial updates as patches), both on
//! [`session`].
#![warn(missing_docs)]

/// Mixer's core REST API (`https://mixer.com/api`), generated from `specs/mixer/core.yaml`.
#[rustfmt::skip] // formatted by codegen (prettyplease)
#[path = "generated_rest.rs"]
pub mod rest;

/// The messages of Mixer's chat socket, generated from `specs/mixer/chat.yaml` (AsyncAPI):
/// one params type per method (each a `streamkit_runtime::session::Method`, serializing as
/// the positional `arguments`), [`ChatEvent`](chat_messages::ChatEvent) with `from_wire`,
/// and the data types in `types`.
///
/// ```
/// use streamkit_mixer::chat_messages::{ChatEvent, Msg};
/// use streamkit_mixer::message::Strictness;
/// use streamkit_mixer::session::Method;
///
/// assert_eq!(Msg::NAME, "msg");
/// assert_eq!(serde_json::to_value(Msg::new("hi".into())).unwrap(), serde_json::json!(["hi"]));
/// let welcome = ChatEvent::from_wire("WelcomeEvent", serde_json::json!({"server": "0ea0f1d4"}), Strictness::Strict).unwrap();
/// assert!(matches!(welcome, ChatEvent::WelcomeEvent(_)));
/// ```
#[rustfmt::skip] // formatted by codegen (prettyplease)
#[path = "generated_chat.rs"]
pub mod chat_messages;

/// The messages of Mixer's Constellation socket, generated from
/// `specs/mixer/constellation.yaml` (AsyncAPI): `Livesubscribe`, `Liveunsubscribe` and
/// `Ping` (named `params`), [`ConstellationEvent`](constellation_messages::ConstellationEvent)
/// (`hello`, `live`), the live event names ([`LiveEvent`](constellation_messages::LiveEvent),
/// built with `LiveEvent::channel_followed(id)` and the like) and their typed payloads
/// ([`LivePayload`](constellation_messages::LivePayload)).
///
/// ```
/// use streamkit_mixer::constellation_messages::{LiveEvent, LivePayload};
/// use streamkit_mixer::message::Strictness;
///
/// let name = LiveEvent::channel_followed(42);
/// assert_eq!(name.to_string(), "channel:42:followed");
/// assert_eq!(LiveEvent::parse("channel:42:followed"), name);
/// let live = LivePayload::from_wire("channel:42:update", serde_json::json!({"online": true}), Strictness::Strict).unwrap();
/// assert!(matches!(live, LivePayload::ChannelUpdate { id: 42, .. }));
/// ```
#[rustfmt::skip] // formatted by codegen (prettyplease)
#[path = "generated_constellation.rs"]
pub mod constellation_messages;

pub mod auth;
pub mod chat;
pub mod constellation;
pub mod filters;

/// What the generated `.stream()` / `.pages()` / `.paginate()` return, and the stream
/// extension traits to consume them.
pub mod pagination {
    pub use streamkit_runtime::pagination::{
        ItemStream, Page, PageStream, PageToken, Paginator, StreamExt, TryStreamExt,
    };
}

pub use streamkit_runtime::clock::{Clock, SystemClock};
pub use streamkit_runtime::ratelimit::{InProcessLimiter, RateLimitInfo, RateLimiter};
pub use streamkit_runtime::retry::RetryPolicy;
pub use streamkit_runtime::tls::install_default_provider as install_tls_provider;
pub use streamkit_runtime::{ApiError, ClientBuilder, Error, ErrorBody, ProtocolErrorKind, Secret};
pub use streamkit_runtime::{message, session};
