//! Get Extension Live Channels — `GET /helix/extensions/live`.

use super::HelixResult;
use super::params::Params;
use crate::core::lock;
use crate::twitch::errors::HelixError;
use crate::twitch::pagination;
use crate::twitch::state::TwitchState;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::response::IntoResponse;
use serde_json::{Value, json};
use std::sync::Arc;

/// The channels an extension is live on. Unlike every other list, `pagination` is a bare
/// string: the cursor, or `""` after the last page. 404 for unknown or idle extensions.
pub(crate) async fn live_channels(State(st): State<Arc<TwitchState>>, RawQuery(query): RawQuery) -> HelixResult {
    let p = Params::parse(query.as_deref())?;
    let extension_id = p.required("extension_id")?;
    let page = p.page(20, 100, false)?;
    let ext = st
        .seed
        .extensions
        .iter()
        .find(|e| e.id == extension_id)
        .ok_or_else(|| HelixError::not_found("Extension not found"))?;
    if ext.live_on.is_empty() {
        return Err(HelixError::not_found("The extension is not live on any channel"));
    }
    let slice = pagination::slice(ext.live_on.len(), &page);
    let channels = lock(&st.channels);
    let data: Vec<Value> = ext.live_on[slice.range.clone()]
        .iter()
        .map(|&i| {
            let u = &st.seed.users[i];
            let ch = &channels[i];
            let (game_id, game_name) = match ch.game {
                Some(g) => (st.seed.games[g].id.as_str(), st.seed.games[g].name.as_str()),
                None => ("", ""),
            };
            json!({
                "broadcaster_id": u.id,
                "broadcaster_name": u.display_name,
                "game_name": game_name,
                "game_id": game_id,
                "title": ch.title,
            })
        })
        .collect();
    Ok(Json(json!({ "data": data, "pagination": slice.string() })).into_response())
}
