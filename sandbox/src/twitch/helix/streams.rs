//! Get Streams — `GET /helix/streams`.

use super::HelixResult;
use super::params::Params;
use crate::pagination;
use crate::seed::fmt_time;
use crate::state::{AppState, lock};
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::response::IntoResponse;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;

/// Live streams, most viewers first, filtered by `user_id`, `user_login`, `game_id`,
/// `language` (all repeatable, ≤ 100 each) and `type`; pages with `first`/`after`/`before`.
pub(crate) async fn get_streams(
    State(st): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> HelixResult {
    let p = Params::parse(query.as_deref())?;
    let user_ids = p.list("user_id", 100)?;
    let user_logins = p.list("user_login", 100)?;
    let game_ids: HashSet<&str> = p.list("game_id", 100)?.into_iter().collect();
    let languages: HashSet<&str> = p.list("language", 100)?.into_iter().collect();
    // Every seeded stream is live, so `all` and `live` return the same list.
    p.choice("type", &["all", "live"])?;
    let page = p.page(20, 100, true)?;

    let users: Option<HashSet<usize>> =
        (!user_ids.is_empty() || !user_logins.is_empty()).then(|| {
            let by_id = user_ids.iter().filter_map(|id| st.user_index(id));
            let by_login = user_logins
                .iter()
                .filter_map(|l| st.seed.user_by_login.get(&l.to_lowercase()).copied());
            by_id.chain(by_login).collect()
        });

    let channels = lock(&st.channels);
    let seed = &st.seed;
    let matching: Vec<usize> = seed
        .streams
        .iter()
        .enumerate()
        .filter(|(_, s)| users.as_ref().is_none_or(|u| u.contains(&s.user)))
        .filter(|(_, s)| {
            let ch = &channels[s.user];
            let game_ok = game_ids.is_empty()
                || ch
                    .game
                    .is_some_and(|g| game_ids.contains(seed.games[g].id.as_str()));
            let lang_ok = languages.is_empty() || languages.contains(ch.language.as_str());
            game_ok && lang_ok
        })
        .map(|(k, _)| k)
        .collect();
    let slice = pagination::slice(matching.len(), &page);
    let data: Vec<Value> = matching[slice.range.clone()]
        .iter()
        .map(|&k| {
            let s = &seed.streams[k];
            let u = &seed.users[s.user];
            let ch = &channels[s.user];
            let (game_id, game_name) = match ch.game {
                Some(g) => (seed.games[g].id.as_str(), seed.games[g].name.as_str()),
                None => ("", ""),
            };
            json!({
                "id": s.id,
                "user_id": u.id,
                "user_login": u.login,
                "user_name": u.display_name,
                "game_id": game_id,
                "game_name": game_name,
                "type": "live",
                "title": ch.title,
                "viewer_count": s.viewer_count,
                "started_at": fmt_time(s.started_at),
                "language": ch.language,
                "thumbnail_url": format!(
                    "https://static-cdn.jtvnw.net/previews-ttv/live_user_{}-{{width}}x{{height}}.jpg",
                    u.login
                ),
                "tag_ids": [],
                "tags": ch.tags,
                "is_mature": s.is_mature,
            })
        })
        .collect();
    Ok(Json(json!({ "data": data, "pagination": slice.object() })).into_response())
}
