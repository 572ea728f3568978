//! One task per connection: keepalives after silence, the subscribe rule, the reconnect grace.
//! On tokio's clock, so paused time drives them; it holds the state weakly and ends with the
//! connection.

use std::sync::{Arc, Weak};

use tokio::time::Instant;

use super::server::Due;
use crate::core::ws::ConnId;
use crate::twitch::state::TwitchState;

/// Starts connection `conn`'s timers.
pub(crate) fn start(state: &Arc<TwitchState>, conn: ConnId) {
    tokio::spawn(run(Arc::downgrade(state), conn));
}

async fn run(state: Weak<TwitchState>, conn: ConnId) {
    loop {
        let Some(st) = state.upgrade() else { return };
        match st.eventsub_ws.due(&st, conn, Instant::now()) {
            Due::Stop => return,
            Due::Close(code, reason) => {
                st.eventsub_ws.hub.close(conn, code, reason);
                return;
            }
            Due::Keepalive(session) => {
                st.eventsub_ws.keepalive(&st, &session);
            }
            Due::Wait(at) => {
                drop(st);
                tokio::time::sleep_until(at).await;
            }
        }
    }
}
