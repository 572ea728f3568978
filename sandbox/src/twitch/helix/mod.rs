//! The Helix API (`/helix/...`): routes, and the middleware that authenticates, rate-limits and
//! stamps `Ratelimit-*` headers on every response.

pub(crate) mod channels;
pub(crate) mod chat;
pub(crate) mod clips;
pub(crate) mod eventsub;
pub(crate) mod extensions;
pub(crate) mod follows;
pub(crate) mod games;
pub(crate) mod params;
pub(crate) mod search;
pub(crate) mod streams;
pub(crate) mod users;
pub(crate) mod videos;

use crate::core::lock;
use crate::twitch::auth::{authenticate, client_id_header};
use crate::twitch::errors::HelixError;
use crate::twitch::state::TwitchState;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::sync::Arc;

/// What every Helix handler returns.
pub(crate) type HelixResult = Result<Response, HelixError>;

/// The Helix routes (full paths, so the middleware can tell them apart by prefix).
pub(crate) fn router() -> Router<Arc<TwitchState>> {
    Router::new()
        .route("/helix/users", get(users::get_users))
        .route("/helix/streams", get(streams::get_streams))
        .route("/helix/videos", get(videos::get_videos))
        .route("/helix/channels", get(channels::get_channels).patch(channels::modify_channel))
        .route("/helix/channels/followers", get(follows::channel_followers))
        .route("/helix/channels/followed", get(follows::followed_channels))
        .route("/helix/search/channels", get(search::search_channels))
        .route("/helix/eventsub/subscriptions", get(eventsub::list).post(eventsub::create).delete(eventsub::delete))
        .route("/helix/extensions/live", get(extensions::live_channels))
        .route("/helix/clips", get(clips::get_clips))
        .route("/helix/games", get(games::get_games))
        .route("/helix/games/top", get(games::top_games))
        .route("/helix/chat/messages", post(chat::send_message))
        .route("/helix/chat/chatters", get(chat::chatters))
}

/// Endpoints Twitch has removed: any method answers `410 Gone`.
const GONE: &[&str] = &[
    "/helix/users/follows",
    "/helix/tags/streams",
    "/helix/streams/tags",
    "/helix/soundtrack/current_track",
    "/helix/soundtrack/playlist",
    "/helix/soundtrack/playlists",
];

/// Whether `path` (a trailing `/` ignored) is a removed endpoint.
pub(crate) fn is_gone(path: &str) -> bool {
    GONE.contains(&path.trim_end_matches('/'))
}

/// Whether a path belongs to Helix.
pub(crate) fn is_helix_path(path: &str) -> bool {
    path == "/helix" || path.starts_with("/helix/")
}

/// Authenticates, charges the rate-limit bucket, answers 401/410/429 itself, and adds the
/// `Ratelimit-*` headers to every Helix response. Non-Helix requests pass through untouched.
pub(crate) async fn middleware(State(state): State<Arc<TwitchState>>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().trim_end_matches('/').to_owned();
    if !is_helix_path(req.uri().path()) {
        return next.run(req).await;
    }
    let auth = authenticate(&lock(&state.tokens), req.headers());
    let bucket = match &auth {
        Ok(a) => a.bucket(),
        Err(_) => format!("anonymous:{}", client_id_header(req.headers()).unwrap_or("")),
    };
    let (rate, rate_headers) = {
        let mut buckets = lock(&state.ratelimit);
        (buckets.charge_now(&bucket, 1, state.clock()), buckets.spec().headers.clone())
    };
    let mut response = if is_gone(&path) {
        HelixError::new(
            StatusCode::GONE,
            "This API endpoint has been removed; use Get Followed Channels or Get Channel Followers",
        )
        .into_response()
    } else {
        match auth {
            Err(e) => e.into_response(),
            Ok(_) if !rate.allowed => {
                HelixError::new(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded; see the Ratelimit-Reset header")
                    .into_response()
            }
            Ok(a) => {
                req.extensions_mut().insert(a);
                let response = next.run(req).await;
                if response.status() == StatusCode::METHOD_NOT_ALLOWED {
                    let allow = response.headers().get("allow").cloned();
                    let mut r = HelixError::new(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed").into_response();
                    if let Some(allow) = allow {
                        r.headers_mut().insert("allow", allow);
                    }
                    r
                } else {
                    response
                }
            }
        }
    };
    rate.write(&rate_headers, response.headers_mut());
    if !state.config.helix_latency.is_zero() {
        tokio::time::sleep(state.config.helix_latency).await;
    }
    response
}

/// `404` for unknown Helix paths.
pub(crate) fn not_found() -> Response {
    HelixError::not_found("No such Helix endpoint").into_response()
}
