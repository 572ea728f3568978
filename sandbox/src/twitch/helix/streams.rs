//! Get Streams — `GET /helix/streams`.

use super::HelixResult;
use super::params::Params;
use crate::core::lock;
use crate::twitch::pagination;
use crate::twitch::seed::{Seed, SyntheticStream, fmt_time};
use crate::twitch::state::TwitchState;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::response::IntoResponse;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;

/// Live streams, most viewers first, filtered by `user_id`, `user_login`, `game_id`,
/// `language` (all repeatable, ≤ 100 each) and `type`; pages with `first`/`after`/`before`.
pub(crate) async fn get_streams(State(st): State<Arc<TwitchState>>, RawQuery(query): RawQuery) -> HelixResult {
    let p = Params::parse(query.as_deref())?;
    let user_ids = p.list("user_id", 100)?;
    let user_logins = p.list("user_login", 100)?;
    let game_ids: HashSet<&str> = p.list("game_id", 100)?.into_iter().collect();
    let languages: HashSet<&str> = p.list("language", 100)?.into_iter().collect();
    // Every seeded stream is live, so `all` and `live` return the same list.
    p.choice("type", &["all", "live"])?;
    let page = p.page(20, 100, true)?;

    let users: Option<HashSet<usize>> = (!user_ids.is_empty() || !user_logins.is_empty()).then(|| {
        let by_id = user_ids.iter().filter_map(|id| st.user_index(id));
        let by_login = user_logins.iter().filter_map(|l| st.seed.user_by_login.get(&l.to_lowercase()).copied());
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
            let game_ok = game_ids.is_empty() || ch.game.is_some_and(|g| game_ids.contains(seed.games[g].id.as_str()));
            let lang_ok = languages.is_empty() || languages.contains(ch.language.as_str());
            game_ok && lang_ok
        })
        .map(|(k, _)| k)
        .collect();
    let extras = synthetic_matching(&st, &user_ids, &user_logins, &game_ids, &languages);
    let slice = pagination::slice(matching.len() + extras.len(), &page);
    let seeded_end = slice.range.end.min(matching.len());
    let seeded_range = slice.range.start.min(seeded_end)..seeded_end;
    let extra_range =
        slice.range.start.max(matching.len()) - matching.len()..slice.range.end.max(matching.len()) - matching.len();
    let synthetic = extra_range.map(|pos| synthetic_json(seed, extras.get(pos)));
    let data: Vec<Value> = matching[seeded_range]
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
        .chain(synthetic)
        .collect();
    Ok(Json(json!({ "data": data, "pagination": slice.object() })).into_response())
}

/// Which synthetic streams ([`crate::SandboxConfig::extra_live_streams`]) match the filters.
enum Synthetic {
    /// The first `n`, unfiltered: nothing is materialised.
    All(usize),
    /// These indices, in order.
    Some(Vec<usize>),
}

impl Synthetic {
    fn len(&self) -> usize {
        match self {
            Synthetic::All(n) => *n,
            Synthetic::Some(v) => v.len(),
        }
    }

    /// The index of the `pos`-th matching synthetic stream.
    fn get(&self, pos: usize) -> usize {
        match self {
            Synthetic::All(_) => pos,
            Synthetic::Some(v) => v[pos],
        }
    }
}

fn synthetic_matching(
    st: &TwitchState,
    user_ids: &[&str],
    user_logins: &[&str],
    game_ids: &HashSet<&str>,
    languages: &HashSet<&str>,
) -> Synthetic {
    let total = st.config.extra_live_streams;
    let games = &st.seed.games;
    let keep = |j: &usize| {
        let game_ok = game_ids.is_empty() || game_ids.contains(games[*j % games.len().max(1)].id.as_str());
        let lang_ok = languages.is_empty() || languages.contains(SyntheticStream::language_of(*j));
        *j < total && game_ok && lang_ok
    };
    if !user_ids.is_empty() || !user_logins.is_empty() {
        let mut js: Vec<usize> =
            user_ids.iter().chain(user_logins).filter_map(|u| SyntheticStream::index_of_user(u)).filter(keep).collect();
        js.sort_unstable();
        js.dedup();
        Synthetic::Some(js)
    } else if game_ids.is_empty() && languages.is_empty() {
        Synthetic::All(total)
    } else {
        Synthetic::Some((0..total).filter(keep).collect())
    }
}

fn synthetic_json(seed: &Seed, j: usize) -> Value {
    let s = SyntheticStream::new(j, seed.games.len());
    let game = seed.games.get(s.game);
    json!({
        "id": s.id,
        "user_id": s.user_id,
        "user_login": s.user_login,
        "user_name": s.user_name,
        "game_id": game.map_or("", |g| g.id.as_str()),
        "game_name": game.map_or("", |g| g.name.as_str()),
        "type": "live",
        "title": s.title,
        "viewer_count": 0,
        "started_at": fmt_time(s.started_at),
        "language": s.language,
        "thumbnail_url": format!(
            "https://static-cdn.jtvnw.net/previews-ttv/live_user_{}-{{width}}x{{height}}.jpg",
            s.user_login
        ),
        "tag_ids": [],
        "tags": [],
        "is_mature": false,
    })
}
