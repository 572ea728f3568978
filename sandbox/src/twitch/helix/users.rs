//! Get Users — `GET /helix/users`.

use super::HelixResult;
use super::params::Params;
use crate::twitch::auth::Auth;
use crate::twitch::errors::HelixError;
use crate::twitch::seed::fmt_time;
use crate::twitch::state::TwitchState;
use axum::extract::{RawQuery, State};
use axum::response::IntoResponse;
use axum::{Extension, Json};
use serde_json::{Value, json};
use std::sync::Arc;

/// Users by `id` / `login` (repeatable, ≤ 100 combined); no parameters with a user token means
/// the token's own user. With a `user:read:email` token every user has `email`: the address
/// for the token's own user, `""` for the others.
pub(crate) async fn get_users(
    State(st): State<Arc<TwitchState>>,
    Extension(auth): Extension<Auth>,
    RawQuery(query): RawQuery,
) -> HelixResult {
    let p = Params::parse(query.as_deref())?;
    let ids = p.all("id");
    let logins = p.all("login");
    if p.count("id") + p.count("login") > 100 {
        return Err(HelixError::bad_request(
            "The combined number of \"id\" and \"login\" parameters must not exceed 100",
        ));
    }
    let mut found: Vec<usize> = Vec::new();
    if ids.is_empty() && logins.is_empty() {
        let Some(own) = auth.user_id.as_deref() else {
            return Err(HelixError::bad_request(
                "The \"id\" or \"login\" parameter is required when using an app access token",
            ));
        };
        found.extend(st.user_index(own));
    }
    for id in ids {
        found.extend(st.user_index(id));
    }
    for login in logins {
        found.extend(st.seed.user_by_login.get(&login.to_lowercase()).copied());
    }
    let mut seen = std::collections::HashSet::new();
    found.retain(|i| seen.insert(*i));
    let data: Vec<Value> = found.into_iter().map(|i| user_json(&st, &auth, i)).collect();
    Ok(Json(json!({ "data": data })).into_response())
}

fn user_json(st: &TwitchState, auth: &Auth, i: usize) -> Value {
    let u = &st.seed.users[i];
    let mut v = json!({
        "id": u.id,
        "login": u.login,
        "display_name": u.display_name,
        "type": u.user_type,
        "broadcaster_type": u.broadcaster_type,
        "description": u.description,
        "profile_image_url": u.profile_image_url,
        "offline_image_url": u.offline_image_url,
        "view_count": u.view_count,
        "created_at": fmt_time(u.created_at),
    });
    if auth.user_id.is_some() && auth.has_scope("user:read:email") {
        let own = auth.user_id.as_deref() == Some(u.id.as_str());
        v["email"] = json!(if own { format!("{}@example.com", u.login) } else { String::new() });
    }
    v
}
