//! Mixer chat (reference B) over the session runtime: [`ChatClient`] and the
//! [`ChatProtocol`] it plugs into [`session`](crate::session) with.
//!
//! ```no_run
//! use futures::StreamExt;
//! use streamkit_mixer::chat::{ChatClient, ChatOptions};
//! use streamkit_mixer::chat_messages::ChatEvent;
//! use streamkit_mixer::session::SessionEvent;
//! use streamkit_mixer::{rest, Error};
//!
//! # async fn demo() -> Result<(), Error> {
//! let rest = rest::Client::builder().client_id("my-client-id").build()?.with_access_token("user-token");
//! let chat = ChatClient::connect(rest, 160788, ChatOptions::new("my-client-id").as_user(1234)).await?;
//! let mut events = chat.events().expect("taken once");
//! chat.opt_out_events(["UserJoin", "UserLeave"]).await?;
//! chat.msg("Hello, chat!").await?;
//! while let Some(item) = events.next().await {
//!     if let SessionEvent::Event(ChatEvent::ChatMessage(m)) = item {
//!         println!("{}: {:?}", m.user_name, m.message);
//!     }
//! }
//! # Ok(()) }
//! ```

mod client;
mod protocol;
mod text;

pub use client::{ChatClient, ChatOptions};
pub use protocol::{ChatIdentity, ChatProtocol, default_keep_alive};
