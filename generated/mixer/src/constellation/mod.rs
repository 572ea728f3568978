//! Mixer Constellation (reference C) over the session runtime: [`ConstellationClient`],
//! its [`ConstellationProtocol`], the error codes of both numberings ([`describe_code`]) and
//! partial update payloads applied to a cached model ([`merge_patch`], `ChannelPatch::apply`).
//!
//! ```no_run
//! use futures::StreamExt;
//! use streamkit_mixer::constellation::{ConstellationClient, ConstellationOptions};
//! use streamkit_mixer::constellation_messages::{ConstellationEvent, LiveEvent, LivePayload};
//! use streamkit_mixer::session::SessionEvent;
//! use streamkit_mixer::Error;
//!
//! # async fn demo(mut cached_channel: serde_json::Value) -> Result<(), Error> {
//! let live = ConstellationClient::connect(ConstellationOptions::client_id("my-client-id", true).gzip(true)).await?;
//! let mut events = live.events().expect("taken once");
//! live.subscribe(&[LiveEvent::channel_followed(160788), LiveEvent::channel_update(160788)]).await?;
//! while let Some(item) = events.next().await {
//!     match item {
//!         SessionEvent::Event(ConstellationEvent::Live(LivePayload::ChannelFollowed { id, payload })) => {
//!             println!("channel {id}: following = {:?}", payload.following);
//!         }
//!         SessionEvent::Event(ConstellationEvent::Live(LivePayload::ChannelUpdate { payload, .. })) => {
//!             payload.apply(&mut cached_channel)?;
//!         }
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```

mod client;
mod errors;
mod patch;
mod protocol;

pub use client::{CONSTELLATION_URL, ConstellationClient, ConstellationOptions};
pub use errors::{describe_code, is_fatal_close};
pub use patch::{apply_patch, merge_patch};
pub use protocol::ConstellationProtocol;
