//! Get Clips — `GET /helix/clips`.

use super::HelixResult;
use super::params::{Params, exactly_one};
use crate::twitch::errors::HelixError;
use crate::twitch::pagination;
use crate::twitch::seed::{Clip, fmt_time};
use crate::twitch::state::TwitchState;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::response::IntoResponse;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use std::sync::Arc;

/// An optional RFC 3339 `key`; an empty value is a malformed timestamp, not a missing one.
fn parse_time(p: &Params, key: &str) -> Result<Option<DateTime<Utc>>, HelixError> {
    p.typed(key)
        .map(|raw| {
            DateTime::parse_from_rfc3339(raw)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| HelixError::bad_request(format!("The parameter \"{key}\" must be an RFC 3339 timestamp")))
        })
        .transpose()
}

/// Clips by exactly one of `broadcaster_id`, `game_id` or `id` (repeatable, ≤ 100), most viewed
/// first; `started_at`/`ended_at` (end defaults to start + 1 week) and `is_featured` filter.
pub(crate) async fn get_clips(State(st): State<Arc<TwitchState>>, RawQuery(query): RawQuery) -> HelixResult {
    let p = Params::parse(query.as_deref())?;
    let seed = &st.seed;
    let key = exactly_one(&p, &["broadcaster_id", "game_id", "id"])?;
    let started_at = parse_time(&p, "started_at")?;
    let ended_at = parse_time(&p, "ended_at")?;
    let is_featured = p.boolean("is_featured")?;
    // At most 100 `id` values, empty ones counted, whichever filter the request uses.
    let ids = p.list("id", 100)?;
    if key == "id" {
        let mut found: Vec<usize> = ids.iter().filter_map(|id| seed.clip_by_id.get(*id).copied()).collect();
        let mut seen = std::collections::HashSet::new();
        found.retain(|k| seen.insert(*k));
        let data: Vec<Value> = found.iter().map(|&k| clip_json(&st, &seed.clips[k])).collect();
        return Ok(Json(json!({ "data": data, "pagination": {} })).into_response());
    }
    let range = match (started_at, ended_at) {
        (None, Some(_)) => {
            return Err(HelixError::bad_request("ended_at requires started_at"));
        }
        (Some(s), e) => {
            let e = e.unwrap_or(s + Duration::weeks(1));
            if e < s {
                return Err(HelixError::bad_request("ended_at must not be before started_at"));
            }
            Some((s, e))
        }
        (None, None) => None,
    };
    let page = p.page(20, 100, true)?;
    let matching: Vec<usize> = if key == "broadcaster_id" {
        let b = st.user_index(p.required("broadcaster_id")?);
        (0..seed.clips.len()).filter(|&k| Some(seed.clips[k].broadcaster) == b).collect()
    } else {
        let g = seed.game_by_id.get(p.required("game_id")?).copied();
        (0..seed.clips.len()).filter(|&k| g.is_some() && seed.clips[k].game == g).collect()
    };
    let matching: Vec<usize> = matching
        .into_iter()
        .filter(|&k| {
            let c = &seed.clips[k];
            range.is_none_or(|(s, e)| c.created_at >= s && c.created_at <= e)
                && is_featured.is_none_or(|f| c.is_featured == f)
        })
        .collect();
    let slice = pagination::slice(matching.len(), &page);
    let data: Vec<Value> = matching[slice.range.clone()].iter().map(|&k| clip_json(&st, &seed.clips[k])).collect();
    Ok(Json(json!({ "data": data, "pagination": slice.object() })).into_response())
}

fn clip_json(st: &TwitchState, c: &Clip) -> Value {
    let b = &st.seed.users[c.broadcaster];
    let creator = &st.seed.users[c.creator];
    let game_id = c.game.map(|g| st.seed.games[g].id.as_str()).unwrap_or("");
    json!({
        "id": c.id,
        "url": format!("https://clips.twitch.tv/{}", c.id),
        "embed_url": format!("https://clips.twitch.tv/embed?clip={}", c.id),
        "broadcaster_id": b.id,
        "broadcaster_name": b.display_name,
        "creator_id": creator.id,
        "creator_name": creator.display_name,
        "video_id": c.video_id,
        "game_id": game_id,
        "language": c.language,
        "title": c.title,
        "view_count": c.view_count,
        "created_at": fmt_time(c.created_at),
        "thumbnail_url": format!("https://clips-media-assets2.twitch.tv/{}-preview-480x272.jpg", c.id),
        "duration": c.duration_tenths as f64 / 10.0,
        "vod_offset": c.vod_offset,
        "is_featured": c.is_featured,
    })
}
