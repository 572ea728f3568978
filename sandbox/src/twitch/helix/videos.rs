//! Get Videos — `GET /helix/videos`.

use super::HelixResult;
use super::params::{Params, exactly_one};
use crate::twitch::errors::HelixError;
use crate::twitch::pagination;
use crate::twitch::seed::{Video, fmt_time, seed_now};
use crate::twitch::state::TwitchState;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::response::IntoResponse;
use chrono::Duration;
use serde_json::{Value, json};
use std::sync::Arc;

/// At most this many videos are listed for a `game_id`.
const GAME_CAP: usize = 500;

/// Videos by exactly one of `id` (repeatable, ≤ 100), `user_id` or `game_id`. The list forms
/// filter by `language`, `period`, `type`, sort by `sort`, and page with `first`/`after`/`before`.
pub(crate) async fn get_videos(State(st): State<Arc<TwitchState>>, RawQuery(query): RawQuery) -> HelixResult {
    let p = Params::parse(query.as_deref())?;
    let seed = &st.seed;
    let key = exactly_one(&p, &["id", "user_id", "game_id"])?;
    if key == "id" {
        let ids = p.list("id", 100)?;
        let mut found: Vec<usize> = ids.iter().filter_map(|id| seed.video_by_id.get(*id).copied()).collect();
        let mut seen = std::collections::HashSet::new();
        found.retain(|k| seen.insert(*k));
        if found.is_empty() {
            return Err(HelixError::not_found("None of the IDs in the id parameter were found"));
        }
        let data: Vec<Value> = found.iter().map(|&k| video_json(&st, &seed.videos[k])).collect();
        return Ok(Json(json!({ "data": data, "pagination": {} })).into_response());
    }

    let language = p.one("language");
    let period = p.choice("period", &["all", "day", "week", "month"])?.unwrap_or("all");
    let sort = p.choice("sort", &["time", "trending", "views"])?.unwrap_or("time");
    let kind = p.choice("type", &["all", "archive", "highlight", "upload"])?.unwrap_or("all");
    let page = p.page(20, 100, true)?;

    let mut candidates: Vec<usize> = if key == "user_id" {
        let user = p.required("user_id")?;
        st.user_index(user).and_then(|u| seed.videos_of_user.get(&u).cloned()).unwrap_or_default()
    } else {
        let game_id = p.required("game_id")?;
        let Some(game) = seed.game_by_id.get(game_id).copied() else {
            return Err(HelixError::not_found("The ID in the game_id parameter was not found"));
        };
        let mut list: Vec<usize> = (0..seed.videos.len()).filter(|&k| seed.videos[k].game == Some(game)).collect();
        list.sort_by(|a, b| seed.videos[*b].created_at.cmp(&seed.videos[*a].created_at));
        list
    };
    let since = match period {
        "day" => Some(seed_now() - Duration::days(1)),
        "week" => Some(seed_now() - Duration::weeks(1)),
        "month" => Some(seed_now() - Duration::days(30)),
        _ => None,
    };
    candidates.retain(|&k| {
        let v = &seed.videos[k];
        language.is_none_or(|l| v.language == l)
            && since.is_none_or(|s| v.created_at >= s)
            && (kind == "all" || v.kind.as_str() == kind)
    });
    match sort {
        "views" => {
            candidates.sort_by(|a, b| seed.videos[*b].view_count.cmp(&seed.videos[*a].view_count).then(a.cmp(b)))
        }
        "trending" => candidates.sort_by(|a, b| seed.videos[*b].trending.cmp(&seed.videos[*a].trending).then(a.cmp(b))),
        _ => candidates.sort_by(|a, b| seed.videos[*b].created_at.cmp(&seed.videos[*a].created_at).then(a.cmp(b))),
    }
    if key == "game_id" {
        candidates.truncate(GAME_CAP);
    }
    let slice = pagination::slice(candidates.len(), &page);
    let data: Vec<Value> = candidates[slice.range.clone()].iter().map(|&k| video_json(&st, &seed.videos[k])).collect();
    Ok(Json(json!({ "data": data, "pagination": slice.object() })).into_response())
}

/// Twitch-style duration: `1h2m3s`, `2m3s`, `3s`.
pub(crate) fn twitch_duration(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}h{m}m{s}s")
    } else if m > 0 {
        format!("{m}m{s}s")
    } else {
        format!("{s}s")
    }
}

fn video_json(st: &TwitchState, v: &Video) -> Value {
    let u = &st.seed.users[v.user];
    let thumbnail_url = match &v.stream_id {
        Some(stream) => format!(
            "https://static-cdn.jtvnw.net/cf_vods/sandbox/{}_{stream}/thumb/thumb0-%{{width}}x%{{height}}.jpg",
            u.login
        ),
        None => format!(
            "https://static-cdn.jtvnw.net/cf_vods/sandbox/{}/{}/thumb/thumb0-%{{width}}x%{{height}}.jpg",
            u.login, v.id
        ),
    };
    let muted: Value = match &v.muted_segments {
        Some(segs) => segs.iter().map(|(d, o)| json!({ "duration": d, "offset": o })).collect(),
        None => Value::Null,
    };
    json!({
        "id": v.id,
        "stream_id": v.stream_id,
        "user_id": u.id,
        "user_login": u.login,
        "user_name": u.display_name,
        "title": v.title,
        "description": v.description,
        "created_at": fmt_time(v.created_at),
        "published_at": fmt_time(v.published_at),
        "url": format!("https://www.twitch.tv/videos/{}", v.id),
        "thumbnail_url": thumbnail_url,
        "viewable": "public",
        "view_count": v.view_count,
        "language": v.language,
        "type": v.kind.as_str(),
        "duration": twitch_duration(v.duration_secs),
        "muted_segments": muted,
    })
}

#[cfg(test)]
mod tests {
    use super::twitch_duration;

    #[test]
    fn durations() {
        assert_eq!(twitch_duration(201), "3m21s");
        assert_eq!(twitch_duration(3723), "1h2m3s");
        assert_eq!(twitch_duration(5), "5s");
        assert_eq!(twitch_duration(3600), "1h0m0s");
    }
}
