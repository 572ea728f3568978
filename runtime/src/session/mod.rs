//! Message-driven sessions over websockets: the transport-neutral contract a protocol's
//! generated types implement, and (to come) the session that carries them.
//!
//! Nothing here knows a service: a protocol (Mixer chat, Constellation, Twitch EventSub)
//! plugs in by implementing these traits beside its generated types.

mod method;

pub use method::Method;
