//! Get Channel Information — `GET /helix/channels`, and
//! Modify Channel Information — `PATCH /helix/channels`.

use super::HelixResult;
use super::params::Params;
use crate::core::lock;
use crate::twitch::auth::Auth;
use crate::twitch::errors::HelixError;
use crate::twitch::eventsub;
use crate::twitch::seed::{Channel, LABELS};
use crate::twitch::state::TwitchState;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// Channel information for each `broadcaster_id` (required, repeatable, ≤ 100; unknown and
/// duplicate ids are ignored). `delay` is 0 unless the broadcaster's own user token is used.
pub(crate) async fn get_channels(
    State(st): State<Arc<TwitchState>>,
    Extension(auth): Extension<Auth>,
    RawQuery(query): RawQuery,
) -> HelixResult {
    let p = Params::parse(query.as_deref())?;
    p.required("broadcaster_id")?;
    let ids = p.list("broadcaster_id", 100)?;
    let mut found: Vec<usize> = ids.iter().filter_map(|id| st.user_index(id)).collect();
    let mut seen = std::collections::HashSet::new();
    found.retain(|i| seen.insert(*i));
    let channels = lock(&st.channels);
    let data: Vec<Value> = found
        .into_iter()
        .map(|i| {
            let u = &st.seed.users[i];
            let own = auth.user_id.as_deref() == Some(u.id.as_str());
            channel_json(&st, i, &channels[i], own)
        })
        .collect();
    Ok(Json(json!({ "data": data })).into_response())
}

fn channel_json(st: &TwitchState, i: usize, ch: &Channel, own: bool) -> Value {
    let u = &st.seed.users[i];
    let (game_id, game_name) = match ch.game {
        Some(g) => (st.seed.games[g].id.as_str(), st.seed.games[g].name.as_str()),
        None => ("", ""),
    };
    json!({
        "broadcaster_id": u.id,
        "broadcaster_login": u.login,
        "broadcaster_name": u.display_name,
        "broadcaster_language": ch.language,
        "game_name": game_name,
        "game_id": game_id,
        "title": ch.title,
        "delay": if own { ch.delay } else { 0 },
        "tags": ch.tags,
        "content_classification_labels": ch.labels,
        "is_branded_content": ch.is_branded_content,
    })
}

#[derive(Debug, Deserialize)]
struct Label {
    id: String,
    is_enabled: bool,
}

#[derive(Debug, Deserialize)]
struct ModifyChannel {
    game_id: Option<String>,
    broadcaster_language: Option<String>,
    title: Option<String>,
    delay: Option<i64>,
    tags: Option<Vec<String>>,
    content_classification_labels: Option<Vec<Label>>,
    is_branded_content: Option<bool>,
}

/// Updates the token user's channel; `204 No Content` on success.
pub(crate) async fn modify_channel(
    State(st): State<Arc<TwitchState>>,
    Extension(auth): Extension<Auth>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> HelixResult {
    let user = auth.user_with_scope("channel:manage:broadcast")?;
    let p = Params::parse(query.as_deref())?;
    let broadcaster_id = p.required("broadcaster_id")?;
    if broadcaster_id != user {
        return Err(HelixError::unauthorized(
            "The ID in broadcaster_id must match the user ID found in the request's OAuth token",
        ));
    }
    let idx = st
        .user_index(broadcaster_id)
        .ok_or_else(|| HelixError::bad_request("The ID in broadcaster_id is not valid"))?;
    let body: ModifyChannel = serde_json::from_slice(&body)
        .map_err(|e| HelixError::bad_request(format!("The request body is not valid: {e}")))?;
    let nothing = body.game_id.is_none()
        && body.broadcaster_language.is_none()
        && body.title.is_none()
        && body.delay.is_none()
        && body.tags.is_none()
        && body.content_classification_labels.is_none()
        && body.is_branded_content.is_none();
    if nothing {
        return Err(HelixError::bad_request("The request body must set at least one field"));
    }

    // Validate everything before changing anything.
    // Twitch leaves the category unchanged when it does not recognise `game_id` (and the
    // language unchanged when `broadcaster_language` is not a supported code) rather than
    // failing the request; the spec documents both.
    let game = match body.game_id.as_deref() {
        None => None,
        Some("") | Some("0") => Some(None),
        Some(id) => st.seed.game_by_id.get(id).map(|g| Some(*g)),
    };
    let language = body.broadcaster_language.filter(|lang| {
        let iso = lang.len() == 2 && lang.bytes().all(|b| b.is_ascii_lowercase());
        iso || lang == "other"
    });
    if let Some(title) = &body.title
        && title.is_empty()
    {
        return Err(HelixError::bad_request("The title may not be empty"));
    }
    let delay = match body.delay {
        None => None,
        Some(d) if !(0..=900).contains(&d) => {
            return Err(HelixError::bad_request("delay must be between 0 and 900 seconds"));
        }
        Some(d) if d != 0 && st.seed.users[idx].broadcaster_type != "partner" => {
            return Err(HelixError::bad_request("Only partners may set a stream delay"));
        }
        Some(d) => Some(d as u32),
    };
    if let Some(tags) = &body.tags {
        if tags.len() > 10 {
            return Err(HelixError::bad_request("A channel may have at most 10 tags"));
        }
        for tag in tags {
            if tag.is_empty() || tag.chars().count() > 25 || !tag.chars().all(char::is_alphanumeric) {
                return Err(HelixError::bad_request(format!(
                    "The tag \"{tag}\" is not valid: tags are 1 to 25 letters or digits, \
                     without spaces or special characters"
                )));
            }
        }
    }
    if let Some(labels) = &body.content_classification_labels {
        for label in labels {
            if !LABELS.contains(&label.id.as_str()) {
                return Err(HelixError::bad_request(format!(
                    "\"{}\" is not a valid content classification label id",
                    label.id
                )));
            }
        }
    }

    let mut channels = lock(&st.channels);
    let ch = &mut channels[idx];
    if let Some(game) = game {
        ch.game = game;
    }
    if let Some(lang) = language {
        ch.language = lang;
    }
    if let Some(title) = body.title {
        ch.title = title;
    }
    if let Some(delay) = delay {
        ch.delay = delay;
    }
    if let Some(tags) = body.tags {
        let mut unique: Vec<String> = Vec::new();
        for tag in tags {
            if !unique.iter().any(|t| t.eq_ignore_ascii_case(&tag)) {
                unique.push(tag);
            }
        }
        ch.tags = unique;
    }
    if let Some(labels) = body.content_classification_labels {
        for label in labels {
            ch.labels.retain(|l| *l != label.id);
            if label.is_enabled {
                ch.labels.push(label.id);
            }
        }
    }
    if let Some(branded) = body.is_branded_content {
        ch.is_branded_content = branded;
    }
    let event = eventsub::events::channel_update_v2(&st, idx, ch);
    drop(channels);
    eventsub::delivery::publish(&st, "channel.update", Some("2"), &event);
    Ok(StatusCode::NO_CONTENT.into_response())
}
