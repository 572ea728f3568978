//! Get Games — `GET /helix/games`, and Get Top Games — `GET /helix/games/top`.

use super::HelixResult;
use super::params::Params;
use crate::twitch::errors::HelixError;
use crate::twitch::pagination;
use crate::twitch::seed::Game;
use crate::twitch::state::TwitchState;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::response::IntoResponse;
use serde_json::{Value, json};
use std::sync::Arc;

fn game_json(g: &Game) -> Value {
    json!({ "id": g.id, "name": g.name, "box_art_url": g.box_art_url, "igdb_id": g.igdb_id })
}

/// Games by `id`, `name` (exact) and `igdb_id`, all repeatable; at least one, ≤ 100 combined.
pub(crate) async fn get_games(State(st): State<Arc<TwitchState>>, RawQuery(query): RawQuery) -> HelixResult {
    let p = Params::parse(query.as_deref())?;
    let ids = p.all("id");
    let names = p.all("name");
    let igdb_ids = p.all("igdb_id");
    if ids.len() + names.len() + igdb_ids.len() == 0 {
        return Err(HelixError::bad_request("At least one \"id\", \"name\" or \"igdb_id\" parameter is required"));
    }
    if p.count("id") + p.count("name") + p.count("igdb_id") > 100 {
        return Err(HelixError::bad_request(
            "The combined number of \"id\", \"name\" and \"igdb_id\" parameters must not exceed 100",
        ));
    }
    let games = &st.seed.games;
    let mut found: Vec<usize> = Vec::new();
    found.extend(ids.iter().filter_map(|id| st.seed.game_by_id.get(*id).copied()));
    found.extend(names.iter().filter_map(|n| games.iter().position(|g| g.name == *n)));
    found.extend(igdb_ids.iter().filter_map(|i| games.iter().position(|g| !g.igdb_id.is_empty() && g.igdb_id == *i)));
    let mut seen = std::collections::HashSet::new();
    found.retain(|k| seen.insert(*k));
    let data: Vec<Value> = found.iter().map(|&k| game_json(&games[k])).collect();
    Ok(Json(json!({ "data": data })).into_response())
}

/// Games by current viewers, most watched first; pages with `first`/`after`/`before`.
pub(crate) async fn top_games(State(st): State<Arc<TwitchState>>, RawQuery(query): RawQuery) -> HelixResult {
    let p = Params::parse(query.as_deref())?;
    let page = p.page(20, 100, true)?;
    let top = &st.seed.top_games;
    let slice = pagination::slice(top.len(), &page);
    let data: Vec<Value> = top[slice.range.clone()].iter().map(|&k| game_json(&st.seed.games[k])).collect();
    Ok(Json(json!({ "data": data, "pagination": slice.object() })).into_response())
}
