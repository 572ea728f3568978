//! [`EventSubProtocol`]: the session runtime's view of EventSub, and the subscription set its
//! re-establishment hook restores.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::Value;
use streamkit_runtime::message::Strictness;
use streamkit_runtime::session::{Cause, CloseAction, Incoming, KeepAlive, KeepAlivePing, Link, Protocol, RecentIds};
use streamkit_runtime::{Error, ProtocolErrorKind};

use super::close::close_action;
use super::message::{Frame, parse};
use crate::eventsub::{Subscription, Transport};
use crate::helix;

/// Enabled subscriptions one websocket session may have.
pub const MAX_SUBSCRIPTIONS: usize = 300;
/// Message ids remembered for deduplication.
const RECENT_IDS: usize = 4096;
/// Silence past `keepalive_timeout_seconds` tolerated before the connection counts as dead
/// (the server sends its keepalive at the interval; this covers the trip).
const KEEPALIVE_MARGIN: Duration = Duration::from_secs(2);
/// `keepalive_timeout_seconds` before a welcome said otherwise (Twitch's default).
const DEFAULT_KEEPALIVE: u64 = 10;

/// What Helix reported after the last Create EventSub Subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cost {
    /// `total`: subscriptions of this client and user.
    pub total: i64,
    /// `total_cost`.
    pub total_cost: i64,
    /// `max_total_cost` (10 for websocket subscriptions).
    pub max_total_cost: i64,
}

#[derive(Debug)]
struct State {
    session_id: Option<String>,
    keepalive: u64,
    /// The requested subscriptions; a revoked one becomes `None` (never created again).
    wanted: Vec<Option<Subscription>>,
    /// Subscription id → index in `wanted`, for the current session.
    active: BTreeMap<String, usize>,
    cost: Option<Cost>,
    /// Create EventSub Subscription calls made so far.
    creates: u64,
}

/// EventSub as a [`Protocol`]: frames are `{metadata, payload}`, the client sends nothing,
/// `session_reconnect` is a move, keepalive silence means death, repeats are dropped; the hook
/// creates the subscriptions over Helix after a first connect or a reconnect, not after a move.
pub struct EventSubProtocol {
    helix: helix::Client,
    strictness: Strictness,
    state: Mutex<State>,
    seen: Mutex<RecentIds>,
}

impl std::fmt::Debug for EventSubProtocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventSubProtocol").field("state", &*lock(&self.state)).finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl EventSubProtocol {
    /// A protocol that creates `subscriptions` through `helix` (a client with a user token).
    pub fn new(helix: helix::Client, subscriptions: Vec<Subscription>) -> EventSubProtocol {
        EventSubProtocol {
            helix,
            strictness: Strictness::Lenient,
            state: Mutex::new(State {
                session_id: None,
                keepalive: DEFAULT_KEEPALIVE,
                wanted: subscriptions.into_iter().map(Some).collect(),
                active: BTreeMap::new(),
                cost: None,
                creates: 0,
            }),
            seen: Mutex::new(RecentIds::new(RECENT_IDS)),
        }
    }

    /// How frames decode: [`Strictness::Lenient`] (the default) keeps undocumented fields and
    /// values, [`Strictness::Strict`] makes them an invalid frame (for tests against the spec).
    pub fn with_strictness(mut self, strictness: Strictness) -> EventSubProtocol {
        self.strictness = strictness;
        self
    }

    /// The current session id (from the last welcome).
    pub fn session_id(&self) -> Option<String> {
        lock(&self.state).session_id.clone()
    }

    /// The active subscriptions of the current session: `(subscription id, subscription)`.
    pub fn active(&self) -> Vec<(String, Subscription)> {
        let st = lock(&self.state);
        st.active.iter().filter_map(|(id, i)| Some((id.clone(), st.wanted.get(*i)?.clone()?))).collect()
    }

    /// What Helix reported after the last subscription it created.
    pub fn cost(&self) -> Option<Cost> {
        lock(&self.state).cost
    }

    /// How many Create EventSub Subscription calls were made in all.
    pub fn creates(&self) -> u64 {
        lock(&self.state).creates
    }

    /// Creates every wanted subscription for `session`.
    async fn subscribe_all(&self, session: &str) -> Result<(), Error> {
        let wanted: Vec<(usize, Subscription)> =
            lock(&self.state).wanted.iter().enumerate().filter_map(|(i, s)| Some((i, s.clone()?))).collect();
        for (i, sub) in wanted {
            let body = sub.body(Transport::websocket(session))?;
            let created = self.helix.create_eventsub_subscription().body(body).send().await?;
            let mut st = lock(&self.state);
            st.creates += 1;
            st.cost = Some(Cost {
                total: created.total,
                total_cost: created.total_cost,
                max_total_cost: created.max_total_cost,
            });
            if let Some(made) = created.data.first() {
                st.active.insert(made.id.clone(), i);
            }
        }
        Ok(())
    }

    async fn establish(self: Arc<Self>, link: Link<Self>) -> Result<(), Error> {
        let welcome = link
            .wait_for(|f| match f {
                Frame::Welcome(w) => Some(w.clone()),
                _ => None,
            })
            .await?;
        {
            let mut st = lock(&self.state);
            st.session_id = Some(welcome.session_id.clone());
            st.keepalive = welcome.keepalive_timeout_seconds.max(1);
            if link.cause() == Cause::Moved {
                // The subscriptions carried over with the session.
                return Ok(());
            }
            // They died with the previous session, if there was one.
            st.active.clear();
        }
        self.subscribe_all(&welcome.session_id).await
    }

    fn revoked(&self, subscription_id: &str) {
        let mut st = lock(&self.state);
        if let Some(i) = st.active.remove(subscription_id)
            && let Some(slot) = st.wanted.get_mut(i)
        {
            *slot = None;
        }
    }
}

impl Protocol for EventSubProtocol {
    const NAME: &'static str = "eventsub";
    type Event = Frame;

    fn encode_call(&self, _id: u64, method: &str, _params: &Value) -> Result<String, Error> {
        Err(Error::Protocol {
            operation: None,
            kind: ProtocolErrorKind::Violation,
            message: format!("EventSub's websocket takes no client messages (asked to send `{method}`)"),
        })
    }

    fn classify(&self, frame: &str) -> Incoming<Frame> {
        let (id, frame) = match parse(frame, self.strictness) {
            Ok(parsed) => parsed,
            Err(e) => return Incoming::Invalid(e),
        };
        match frame {
            Frame::Keepalive => Incoming::KeepAlive,
            Frame::Reconnect { url } => Incoming::MoveTo { url },
            Frame::Welcome(_) => Incoming::Event(frame),
            Frame::Notification(_) | Frame::Revocation(_) => {
                if !lock(&self.seen).first_time(&id) {
                    return Incoming::Ignore;
                }
                if let Frame::Revocation(r) = &frame {
                    self.revoked(r.subscription_id());
                }
                Incoming::Event(frame)
            }
        }
    }

    fn keep_alive(&self) -> KeepAlive {
        let idle = Duration::from_secs(lock(&self.state).keepalive);
        KeepAlive { idle, timeout: KEEPALIVE_MARGIN, ping: KeepAlivePing::None }
    }

    fn on_close(&self, code: Option<u16>) -> CloseAction {
        close_action(code)
    }

    fn reestablish(self: Arc<Self>, link: Link<Self>) -> BoxFuture<'static, Result<(), Error>> {
        Box::pin(self.establish(link))
    }
}
