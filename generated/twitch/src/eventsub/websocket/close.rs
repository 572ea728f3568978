//! What each EventSub close code means for the client (facts: twitch-cli `close_messages.go`).

use streamkit_runtime::session::{CloseAction, default_close_action};
use streamkit_runtime::{Error, ProtocolErrorKind};

/// Whether the client reconnects (a new session, subscriptions created again) after the
/// server closed with `code`:
///
/// | Code | Meaning | Action |
/// |---|---|---|
/// | 4000 | internal server error | reconnect |
/// | 4001 | the client sent inbound traffic | fatal (a client bug) |
/// | 4002 | the client failed ping-pong | reconnect |
/// | 4003 | connection unused: no subscription in time | fatal ([`close_error`]: subscribe step too slow) |
/// | 4004 | reconnect grace time expired | reconnect |
/// | 4005 / 4006 | network timeout / error | reconnect |
/// | 4007 | invalid reconnect | reconnect (a fresh session) |
///
/// ```
/// use streamkit_runtime::session::CloseAction;
/// use streamkit_twitch::eventsub::websocket::close_action;
/// assert_eq!(close_action(Some(4003)), CloseAction::Fatal);
/// assert_eq!(close_action(Some(4004)), CloseAction::Reconnect);
/// ```
pub fn close_action(code: Option<u16>) -> CloseAction {
    match code {
        Some(4000 | 4002 | 4004 | 4005 | 4006 | 4007) => CloseAction::Reconnect,
        Some(4001 | 4003) => CloseAction::Fatal,
        other => default_close_action(other),
    }
}

/// The error a client ends with after the server closed with `code` and `reason`.
pub fn close_error(code: u16, reason: &str) -> Error {
    let what = match code {
        4001 => "the client sent a message (only pongs are allowed)",
        4003 => "subscribe step too slow: no subscription was created within the keepalive window after the welcome",
        4004 => "reconnect grace time expired",
        4007 => "invalid reconnect",
        4000 => "internal server error",
        _ => "the server closed the session",
    };
    let reason: String = reason.chars().take(128).collect();
    Error::Protocol {
        operation: None,
        kind: ProtocolErrorKind::Closed { code },
        message: format!("EventSub closed with {code}: {what} ({reason})"),
    }
}
