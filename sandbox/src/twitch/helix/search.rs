//! Search Channels — `GET /helix/search/channels`.

use super::HelixResult;
use super::params::Params;
use crate::core::lock;
use crate::twitch::pagination;
use crate::twitch::seed::fmt_time;
use crate::twitch::state::TwitchState;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::response::IntoResponse;
use serde_json::{Value, json};
use std::sync::Arc;

/// Channels whose login or display name contains `query` (case-insensitive): live channels
/// first (most viewers first), then offline ones. `live_only=true` drops offline channels.
/// Offline channels have `started_at: ""`.
pub(crate) async fn search_channels(State(st): State<Arc<TwitchState>>, RawQuery(query): RawQuery) -> HelixResult {
    let p = Params::parse(query.as_deref())?;
    let needle = p.required("query")?.to_lowercase();
    let live_only = p.boolean("live_only")?.unwrap_or(false);
    let page = p.page(20, 100, false)?;
    let seed = &st.seed;
    let matches = |i: usize| {
        let u = &seed.users[i];
        u.login.contains(&needle) || u.display_name.to_lowercase().contains(&needle)
    };
    let mut found: Vec<usize> = seed.streams.iter().map(|s| s.user).filter(|&i| matches(i)).collect();
    if !live_only {
        found.extend((0..seed.users.len()).filter(|i| !seed.stream_of_user.contains_key(i) && matches(*i)));
    }
    let slice = pagination::slice(found.len(), &page);
    let channels = lock(&st.channels);
    let data: Vec<Value> = found[slice.range.clone()]
        .iter()
        .map(|&i| {
            let u = &seed.users[i];
            let ch = &channels[i];
            let stream = seed.stream_of_user.get(&i).map(|&k| &seed.streams[k]);
            let (game_id, game_name) = match ch.game {
                Some(g) => (seed.games[g].id.as_str(), seed.games[g].name.as_str()),
                None => ("", ""),
            };
            json!({
                "broadcaster_language": ch.language,
                "broadcaster_login": u.login,
                "display_name": u.display_name,
                "game_id": game_id,
                "game_name": game_name,
                "id": u.id,
                "is_live": stream.is_some(),
                "tag_ids": [],
                "tags": ch.tags,
                "thumbnail_url": u.profile_image_url,
                "title": ch.title,
                "started_at": stream.map(|s| fmt_time(s.started_at)).unwrap_or_default(),
            })
        })
        .collect();
    Ok(Json(json!({ "data": data, "pagination": slice.object() })).into_response())
}
