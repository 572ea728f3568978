//! Waiting on session event streams, with a hang guard only (every item awaited is expected).
#![allow(dead_code)]

use futures::StreamExt;
use std::time::Duration;
use streamkit_mixer::session::{EventStream, SessionEvent};

/// Only a hang guard: nothing a test awaits takes long.
pub const GUARD: Duration = Duration::from_secs(20);

/// The first stream item `pick` accepts (earlier items are skipped); panics on the guard or
/// the stream's end.
pub async fn next_matching<E: std::fmt::Debug, T>(
    events: &mut EventStream<E>,
    mut pick: impl FnMut(&SessionEvent<E>) -> Option<T>,
) -> T {
    let wait = async {
        while let Some(item) = events.next().await {
            if let Some(found) = pick(&item) {
                return found;
            }
        }
        panic!("the event stream ended");
    };
    tokio::time::timeout(GUARD, wait).await.expect("hang guard")
}

/// Waits (hang guard only) until `condition` holds, re-checking each time the runtime yields.
pub async fn until(mut condition: impl FnMut() -> bool) {
    let wait = async {
        while !condition() {
            tokio::task::yield_now().await;
        }
    };
    tokio::time::timeout(GUARD, wait).await.expect("hang guard")
}
