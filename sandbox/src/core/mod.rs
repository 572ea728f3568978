//! The service-neutral harness every fake service plugs into. Nothing here knows any service:
//! a service is a [`Service`] (its router, its state, its error bodies, its specs, its
//! rate-limit buckets), and the core supplies what every fake server needs around it.
//!
//! - [`server`]: binds `127.0.0.1:<port>` (port `0` picks a free one), merges the services'
//!   routers under one middleware stack, shuts down when dropped;
//! - [`requestlog`]: every request received ([`LoggedRequest`]);
//! - [`faults`]: per-route misbehaviour ([`Fault`], [`FaultKind`]) applied to
//!   `http::Response`s, error bodies rendered by the service that owns the path;
//! - [`contract`]: every response checked against the specs the services register;
//! - [`ratelimit`]: token buckets configured from bucket declarations ([`BucketSpec`]);
//! - [`clock`]: the injectable time source ([`Clock`]);
//! - [`frames`]: frame-level faults for websocket servers ([`FrameFault`]);
//! - [`ws`]: the websocket plumbing around a protocol: connections with bounded queues, a
//!   per-connection frame log, refusals, frame faults applied both ways ([`WsHub`]);
//! - [`limits`]: request limits answered with documented statuses (a body over
//!   [`MAX_REQUEST_BODY`] is a `413`).
//!
//! The middleware stack, outermost first: request log → request limits → contract check → faults → each
//! service's own [`Service::wrap`] layer → routes → fallback (the owning service's 404).

pub mod clock;
pub mod contract;
pub mod faults;
pub mod frame_contract;
pub mod frames;
pub mod limits;
pub mod ratelimit;
pub mod requestlog;
pub mod server;
pub mod service;
pub mod ws;

pub use clock::{Clock, SystemClock, TokioClock};
pub use contract::{CONTRACT_VIOLATION_HEADER, ServiceSpec};
pub use faults::{FAULT_HEADER, Fault, FaultKind, MALFORMED_JSON_BODY, UNKNOWN_ENUM_VALUE};
pub use frame_contract::{FrameContract, Violations};
pub use frames::{FrameAction, FrameDirection, FrameFault, FrameFaults};
pub use limits::MAX_REQUEST_BODY;
pub use ratelimit::{BucketSpec, RateHeaders, RateInfo, ResetUnit, TokenBuckets};
pub use requestlog::LoggedRequest;
pub use server::{Server, ServerBuilder};
pub use service::{Context, Service};
pub use ws::{ConnId, ConnectionInfo, Handshake, LoggedFrame, WsHub};

use std::sync::{Mutex, MutexGuard};

/// Locks a mutex, ignoring poisoning (handlers never panic while holding a lock, and a
/// poisoned sandbox is still more useful than a dead one).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
