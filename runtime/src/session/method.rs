//! [`Method`]: one call of a message-driven protocol, named and typed.

/// One call a client can make over a session: its name on the wire, its parameters (the
/// implementing value itself, serialized the way the protocol carries them — an array of
/// positional arguments for some protocols, an object of named ones for others) and the type
/// of what a successful reply holds.
///
/// Generated message types implement it, so a session can offer one typed `call` for every
/// method of every protocol.
///
/// ```
/// use serde::Serialize;
/// use streamkit_runtime::session::Method;
///
/// /// `ping`, which takes nothing and answers nothing.
/// #[derive(Serialize)]
/// struct Ping;
///
/// impl Method for Ping {
///     const NAME: &'static str = "ping";
///     type Reply = ();
/// }
/// assert_eq!(Ping::NAME, "ping");
/// assert_eq!(serde_json::to_value(Ping).unwrap(), serde_json::Value::Null);
/// ```
pub trait Method: serde::Serialize + Send + Sync {
    /// The method's name on the wire (`msg`, `livesubscribe`).
    const NAME: &'static str;
    /// What a successful reply holds; `()` for a reply without data (it decodes from `null`).
    type Reply: serde::de::DeserializeOwned + Send + 'static;
}
