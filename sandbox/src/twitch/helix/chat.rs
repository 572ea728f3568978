//! Send Chat Message — `POST /helix/chat/messages`, and Get Chatters — `GET /helix/chat/chatters`.

use super::HelixResult;
use super::params::Params;
use crate::twitch::auth::Auth;
use crate::twitch::errors::HelixError;
use crate::twitch::eventsub;
use crate::twitch::pagination;
use crate::twitch::rng;
use crate::twitch::state::TwitchState;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};
use std::sync::Arc;

/// The message text that makes Send Chat Message report a drop (a deterministic test hook).
pub(crate) const DROP_ME: &str = "dropme";
/// Longest accepted message; longer ones get `422 Unprocessable Entity`.
const MAX_MESSAGE_CHARS: usize = 500;

#[derive(Debug, Deserialize)]
struct SendMessage {
    broadcaster_id: Option<String>,
    sender_id: Option<String>,
    message: Option<String>,
    #[serde(default, deserialize_with = "present")]
    reply_parent_message_id: Option<Value>,
    /// Whatever the body holds, `null` included: a user token may not set the field at all.
    #[serde(default, deserialize_with = "present")]
    for_source_only: Option<Value>,
}

/// `Some` whenever the field is in the body, also for `null` (which a plain `Option` reads as
/// absent).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// Sends a chat message as the token's user (`user:write:chat`). The text `dropme` is
/// "dropped": `is_sent: false` with a `drop_reason`.
pub(crate) async fn send_message(
    State(st): State<Arc<TwitchState>>,
    Extension(auth): Extension<Auth>,
    body: Bytes,
) -> HelixResult {
    let caller = auth.user_with_scope("user:write:chat")?;
    let body: SendMessage = serde_json::from_slice(&body)
        .map_err(|e| HelixError::bad_request(format!("The request body is not valid: {e}")))?;
    let missing = |f: &str| HelixError::bad_request(format!("Missing required field \"{f}\""));
    let broadcaster_id = body.broadcaster_id.filter(|s| !s.is_empty()).ok_or_else(|| missing("broadcaster_id"))?;
    let sender_id = body.sender_id.filter(|s| !s.is_empty()).ok_or_else(|| missing("sender_id"))?;
    let message = body.message.filter(|s| !s.is_empty()).ok_or_else(|| missing("message"))?;
    if sender_id != caller {
        return Err(HelixError::unauthorized("The ID in sender_id must match the user ID in the access token"));
    }
    if body.reply_parent_message_id.as_ref().is_some_and(|v| !v.is_string()) {
        return Err(HelixError::bad_request("The reply_parent_message_id field must be a string"));
    }
    // "It cannot be specified when a User Access Token is used": not as `null` either, and a
    // value that is no boolean is malformed before that.
    match body.for_source_only {
        Some(Value::Bool(_)) => {
            return Err(HelixError::bad_request("for_source_only may only be set when using an app access token"));
        }
        Some(_) => return Err(HelixError::bad_request("The for_source_only field must be a boolean")),
        None => {}
    }
    if st.user_index(&broadcaster_id).is_none() {
        return Err(HelixError::bad_request("The ID in broadcaster_id is not valid"));
    }
    if message.chars().count() > MAX_MESSAGE_CHARS {
        return Err(HelixError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The message is too large (at most 500 characters)",
        ));
    }
    let item = if message == DROP_ME {
        json!({
            "message_id": "",
            "is_sent": false,
            "drop_reason": {
                "code": "msg_rejected",
                "message": "Your message is being checked by mods and has not been sent.",
            },
        })
    } else {
        let message_id = rng::uuid(st.next_id(), 0xC4A7);
        if let (Some(b), Some(c)) = (st.user_index(&broadcaster_id), st.user_index(&sender_id)) {
            let event = eventsub::events::channel_chat_message_v1(&st, b, c, &message_id, &message);
            eventsub::delivery::publish(&st, "channel.chat.message", Some("1"), &event);
        }
        json!({ "message_id": message_id, "is_sent": true })
    };
    Ok(Json(json!({ "data": [item] })).into_response())
}

/// Users in a broadcaster's chat. Needs `moderator:read:chatters`, `moderator_id` equal to the
/// token's user, and that user must be the broadcaster or a moderator (403 otherwise).
pub(crate) async fn chatters(
    State(st): State<Arc<TwitchState>>,
    Extension(auth): Extension<Auth>,
    RawQuery(query): RawQuery,
) -> HelixResult {
    let caller = auth.user_with_scope("moderator:read:chatters")?;
    let p = Params::parse(query.as_deref())?;
    let broadcaster_id = p.required("broadcaster_id")?;
    let moderator_id = p.required("moderator_id")?;
    let page = p.page(100, 1000, false)?;
    if moderator_id != caller {
        return Err(HelixError::unauthorized("The ID in moderator_id must match the user ID in the access token"));
    }
    let b = st
        .user_index(broadcaster_id)
        .ok_or_else(|| HelixError::bad_request("The ID in broadcaster_id is not valid"))?;
    let allowed = st.user_index(moderator_id).is_some_and(|m| st.seed.is_broadcaster_or_mod(b, m));
    if !allowed {
        return Err(HelixError::forbidden("The user in moderator_id is not one of the broadcaster's moderators"));
    }
    let list = st.seed.chatters(b);
    let slice = pagination::slice(list.len(), &page);
    let data: Vec<Value> = list[slice.range.clone()]
        .iter()
        .map(|&i| {
            let u = &st.seed.users[i];
            json!({ "user_id": u.id, "user_login": u.login, "user_name": u.display_name })
        })
        .collect();
    Ok(Json(json!({ "data": data, "pagination": slice.object(), "total": list.len() })).into_response())
}
