//! Game codes, curated polls (trivia), teams, bits transactions, the JSON store and the
//! broadcast family (recorded for tests to read).

use super::auth::{ADMIN, ANY, CHANNEL_OWNER, Caller, authorize};
use super::errors::{Reject, bad_request, error};
use super::state::{MedkitState, RecordedBroadcast};
use super::stores::object_body;
use crate::core::lock;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::Arc;

type St = State<Arc<MedkitState>>;
type Q = Query<HashMap<String, String>>;
type Handled = Result<Response, Reject>;

fn done(r: Handled) -> Response {
    r.unwrap_or_else(IntoResponse::into_response)
}

fn str_field<'a>(b: &'a Map<String, Value>, k: &str) -> Result<&'a str, Reject> {
    b.get(k).and_then(Value::as_str).ok_or_else(|| bad_request(&format!("`{k}` must be a string")))
}

/// An integer, also when written with a zero fraction (`2.0`), as JSON Schema counts it.
pub fn as_int(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e18).map(|f| f as i64))
}

/// An `int32` (prize slots, limits): larger integers are refused, as the spec's format says.
fn as_int32(v: &Value) -> Option<i64> {
    as_int(v).filter(|n| i32::try_from(*n).is_ok())
}

fn ints(b: &Map<String, Value>, k: &str) -> Result<Vec<i64>, Reject> {
    b.get(k)
        .and_then(Value::as_array)
        .and_then(|a| a.iter().map(as_int32).collect::<Option<Vec<i64>>>())
        .ok_or_else(|| bad_request(&format!("`{k}` must be a list of integers")))
}

fn record(
    state: &MedkitState,
    caller: &Caller,
    endpoint: &str,
    target: String,
    event: String,
    channel: Option<String>,
    data: Value,
) {
    lock(&state.data).broadcasts.push(RecordedBroadcast {
        endpoint: endpoint.into(),
        extension: caller.extension.clone(),
        target,
        event,
        channel_id: channel,
        data,
    });
}

async fn broadcast(State(state): St, headers: HeaderMap, body: Bytes) -> Response {
    done((|| {
        let caller = authorize(&state, &headers, ADMIN)?;
        let b = object_body(&body)?;
        let (target, event, channel) = (str_field(&b, "target")?, str_field(&b, "event")?, str_field(&b, "user_id")?);
        record(
            &state,
            &caller,
            "broadcast",
            target.into(),
            event.into(),
            Some(channel.into()),
            b.get("data").cloned().unwrap_or(json!({})),
        );
        Ok(axum::Json(json!({})).into_response())
    })())
}

async fn extension_broadcast(State(state): St, headers: HeaderMap, body: Bytes) -> Response {
    done((|| {
        let caller = authorize(&state, &headers, ADMIN)?;
        let b = object_body(&body)?;
        let (target, event) = (str_field(&b, "target")?, str_field(&b, "event")?);
        record(
            &state,
            &caller,
            "extension_broadcast",
            target.into(),
            event.into(),
            None,
            b.get("data").cloned().unwrap_or(json!({})),
        );
        Ok(axum::Json(json!({})).into_response())
    })())
}

async fn whisper_self(State(state): St, headers: HeaderMap, body: Bytes) -> Response {
    done((|| {
        let caller = authorize(&state, &headers, ANY)?;
        let b = object_body(&body)?;
        let event = str_field(&b, "event")?;
        let target = format!("whisper-{}", caller.viewer());
        record(
            &state,
            &caller,
            "whisper_self",
            target,
            event.into(),
            caller.claims.channel_id.clone(),
            b.get("data").cloned().unwrap_or(json!({})),
        );
        Ok(axum::Json(json!({})).into_response())
    })())
}

async fn pusher_broadcast(State(state): St, headers: HeaderMap, body: Bytes) -> Response {
    done((|| {
        let caller = authorize(&state, &headers, ANY)?;
        let b = object_body(&body)?;
        let (target, event) = (str_field(&b, "target")?, str_field(&b, "event")?);
        let channel = b.get("user_id").and_then(Value::as_str).map(str::to_owned);
        record(
            &state,
            &caller,
            "pusher_broadcast",
            target.into(),
            event.into(),
            channel,
            b.get("data").cloned().unwrap_or(json!({})),
        );
        Ok(StatusCode::OK.into_response())
    })())
}

async fn json_store(State(state): St, headers: HeaderMap, Query(q): Q) -> Response {
    done((|| {
        let caller = authorize(&state, &headers, ANY)?;
        let key =
            format!("{}|{}|{}", caller.extension, caller.channel()?, q.get("id").map_or("default", String::as_str));
        Ok(axum::Json(lock(&state.data).json_store.get(&key).cloned().unwrap_or(json!({}))).into_response())
    })())
}

async fn set_codes(State(state): St, headers: HeaderMap, body: Bytes) -> Response {
    done((|| {
        let caller = authorize(&state, &headers, ADMIN)?;
        let b = object_body(&body)?;
        let sets: Vec<Vec<String>> = b
            .get("codes")
            .cloned()
            .and_then(|c| serde_json::from_value(c).ok())
            .ok_or_else(|| bad_request("`codes` must be a list of lists of strings"))?;
        let names: Vec<String> = b
            .get("names")
            .cloned()
            .and_then(|c| serde_json::from_value(c).ok())
            .ok_or_else(|| bad_request("`names` must be a list of strings"))?;
        if b.contains_key("indices") {
            ints(&b, "indices")?;
        }
        if sets.len() > 10 || sets.iter().flatten().any(|c| c.chars().count() >= 64) {
            return Err(bad_request("at most 10 code sets, each code under 64 characters"));
        }
        let mut data = lock(&state.data);
        let codes = data.codes.entry(caller.extension.clone()).or_default();
        codes.distributed = vec![0; sets.len()];
        codes.sets = sets;
        codes.names = names;
        Ok(StatusCode::OK.into_response())
    })())
}

async fn get_codes(State(state): St, headers: HeaderMap) -> Response {
    done((|| {
        let caller = authorize(&state, &headers, ANY)?;
        let names = lock(&state.data).codes.get(&caller.extension).map(|c| c.names.clone()).unwrap_or_default();
        Ok(axum::Json(json!({"names": names})).into_response())
    })())
}

async fn delete_codes(State(state): St, headers: HeaderMap) -> Response {
    done((|| {
        let caller = authorize(&state, &headers, ADMIN)?;
        let distributed = lock(&state.data).codes.remove(&caller.extension).map(|c| c.distributed).unwrap_or_default();
        Ok(axum::Json(json!({"distributed": distributed})).into_response())
    })())
}

async fn mark_from_list(State(state): St, headers: HeaderMap, body: Bytes) -> Response {
    done((|| {
        let caller = authorize(&state, &headers, ADMIN)?;
        let b = object_body(&body)?;
        let prizes = ints(&b, "prizes")?;
        ints(&b, "prize_limits")?;
        let users: Vec<String> = b
            .get("users")
            .cloned()
            .and_then(|u| serde_json::from_value(u).ok())
            .ok_or_else(|| bad_request("`users` must be a list of strings"))?;
        let mut data = lock(&state.data);
        let codes = data.codes.entry(caller.extension.clone()).or_default();
        for u in users {
            codes.eligible.entry(u).or_default().extend(prizes.iter().copied());
        }
        Ok(StatusCode::OK.into_response())
    })())
}

async fn mark_from_poll(State(state): St, headers: HeaderMap, body: Bytes) -> Response {
    done((|| {
        authorize(&state, &headers, ADMIN)?;
        let b = object_body(&body)?;
        ints(&b, "prizes")?;
        ints(&b, "prize_limits")?;
        b.get("correct").and_then(as_int32).ok_or_else(|| bad_request("`correct` must be an int32"))?;
        b.get("cutoff_timestamp")
            .and_then(as_int)
            .ok_or_else(|| bad_request("`cutoff_timestamp` must be an integer (epoch seconds)"))?;
        // Which poll is meant is not documented: the sandbox checks the body and marks no one.
        Ok(StatusCode::OK.into_response())
    })())
}

async fn eligible(State(state): St, headers: HeaderMap) -> Response {
    done((|| {
        let caller = authorize(&state, &headers, ANY)?;
        let data = lock(&state.data);
        let e: Vec<i64> = data
            .codes
            .get(&caller.extension)
            .and_then(|c| c.eligible.get(&caller.viewer()))
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        Ok(axum::Json(json!({"eligible": e})).into_response())
    })())
}

async fn redeemed(State(state): St, headers: HeaderMap) -> Response {
    done((|| {
        let caller = authorize(&state, &headers, ANY)?;
        let data = lock(&state.data);
        let r: Vec<Vec<String>> = data
            .codes
            .get(&caller.extension)
            .and_then(|c| c.redeemed.get(&caller.viewer()))
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default();
        Ok(axum::Json(json!({"redeemed": r})).into_response())
    })())
}

async fn redeem(State(state): St, headers: HeaderMap, body: Bytes) -> Response {
    done((|| {
        let caller = authorize(&state, &headers, ANY)?;
        let b = object_body(&body)?;
        let slot =
            b.get("all_prizes").and_then(as_int32).ok_or_else(|| bad_request("`all_prizes` must be an integer"))?;
        let viewer = caller.viewer();
        let mut data = lock(&state.data);
        let codes = data.codes.entry(caller.extension.clone()).or_default();
        if !codes.eligible.get(&viewer).is_some_and(|e| e.contains(&slot)) {
            return Err(error(StatusCode::CONFLICT, "not eligible for this prize"));
        }
        let idx = usize::try_from(slot).map_err(|_| error(StatusCode::CONFLICT, "no such prize"))?;
        // Checked before anything changes: a refused redemption keeps the eligibility.
        let code = codes
            .sets
            .get_mut(idx)
            .and_then(Vec::pop)
            .ok_or_else(|| error(StatusCode::CONFLICT, "no codes left for this prize"))?;
        if let Some(e) = codes.eligible.get_mut(&viewer) {
            e.remove(&slot);
        }
        if let Some(d) = codes.distributed.get_mut(idx) {
            *d += 1;
        }
        let mine = codes.redeemed.entry(viewer).or_default();
        mine.entry(slot).or_default().push(code.clone());
        let all: Vec<String> = mine.values().flatten().cloned().collect();
        Ok(axum::Json(json!({"code": code, "all_prizes": all})).into_response())
    })())
}

fn questions_key(caller: &Caller) -> Result<String, Reject> {
    Ok(format!("{}|{}", caller.extension, caller.channel()?))
}

async fn get_polls(State(state): St, headers: HeaderMap, Query(q): Q) -> Response {
    done((|| {
        let caller = authorize(&state, &headers, ANY)?;
        let key = questions_key(&caller)?;
        let data = lock(&state.data);
        let qs = data.questions.get(&key).cloned().unwrap_or_default();
        match q.get("id") {
            Some(id) => qs
                .into_iter()
                .find(|x| x["id"] == json!(id))
                .map(|x| axum::Json(x).into_response())
                .ok_or_else(|| error(StatusCode::NOT_FOUND, "no such question")),
            None => Ok(axum::Json(json!({"questions": qs})).into_response()),
        }
    })())
}

async fn vote_poll(State(state): St, headers: HeaderMap, body: Bytes) -> Response {
    done((|| {
        authorize(&state, &headers, ANY)?;
        let b = object_body(&body)?;
        str_field(&b, "question_id")?;
        str_field(&b, "vote")?;
        Ok(axum::Json(json!({})).into_response())
    })())
}

fn with_questions<T>(
    state: &MedkitState,
    caller: &Caller,
    f: impl FnOnce(&mut Vec<Value>) -> Result<T, Reject>,
) -> Result<T, Reject> {
    let key = questions_key(caller)?;
    let mut data = lock(&state.data);
    f(data.questions.entry(key).or_default())
}

async fn edit_poll(State(state): St, headers: HeaderMap, body: Bytes) -> Response {
    done((|| {
        let caller = authorize(&state, &headers, CHANNEL_OWNER)?;
        let b = object_body(&body)?;
        let id = str_field(&b, "id")?.to_owned();
        let q = Value::Object(b);
        with_questions(&state, &caller, |qs| {
            qs.retain(|x| x["id"] != json!(id));
            qs.push(q.clone());
            Ok(())
        })?;
        Ok(axum::Json(q).into_response())
    })())
}

async fn delete_poll(State(state): St, headers: HeaderMap, body: Bytes) -> Response {
    done((|| {
        let caller = authorize(&state, &headers, CHANNEL_OWNER)?;
        let b = object_body(&body)?;
        let id = str_field(&b, "id")?.to_owned();
        with_questions(&state, &caller, |qs| {
            qs.retain(|x| x["id"] != json!(id));
            Ok(())
        })?;
        Ok(axum::Json(json!({})).into_response())
    })())
}

fn find_question<'a>(qs: &'a mut [Value], id: &str) -> Result<&'a mut Value, Reject> {
    qs.iter_mut().find(|x| x["id"] == json!(id)).ok_or_else(|| error(StatusCode::NOT_FOUND, "no such question"))
}

async fn add_option(State(state): St, headers: HeaderMap, body: Bytes) -> Response {
    done((|| {
        let caller = authorize(&state, &headers, CHANNEL_OWNER)?;
        let b = object_body(&body)?;
        let id = str_field(&b, "id")?.to_owned();
        let option = b
            .get("option")
            .filter(|o| o["id"].is_string())
            .cloned()
            .ok_or_else(|| bad_request("`option` must be an object with an `id`"))?;
        let q = with_questions(&state, &caller, |qs| {
            let q = find_question(qs, &id)?;
            match q.get_mut("options").and_then(Value::as_array_mut) {
                Some(o) => o.push(option),
                None => q["options"] = json!([option]),
            }
            Ok(q.clone())
        })?;
        Ok(axum::Json(q).into_response())
    })())
}

async fn remove_option(State(state): St, headers: HeaderMap, body: Bytes) -> Response {
    done((|| {
        let caller = authorize(&state, &headers, CHANNEL_OWNER)?;
        let b = object_body(&body)?;
        let (id, option) = (str_field(&b, "question")?.to_owned(), str_field(&b, "option")?.to_owned());
        let q = with_questions(&state, &caller, |qs| {
            let q = find_question(qs, &id)?;
            if let Some(o) = q.get_mut("options").and_then(Value::as_array_mut) {
                o.retain(|x| x["id"] != json!(option));
            }
            Ok(q.clone())
        })?;
        Ok(axum::Json(q).into_response())
    })())
}

async fn poll_state(State(state): St, headers: HeaderMap, Query(query): Q, body: Bytes) -> Response {
    done((|| {
        let caller = authorize(&state, &headers, CHANNEL_OWNER)?;
        let id = query.get("id").cloned().ok_or_else(|| bad_request("`id` is required"))?;
        let b = object_body(&body)?;
        let transition = str_field(&b, "transition")?.to_owned();
        if !["state-inactive", "state-unlocked", "state-locked", "state-results"].contains(&transition.as_str()) {
            return Err(bad_request("unknown `transition`"));
        }
        with_questions(&state, &caller, |qs| {
            find_question(qs, &id)?["state"] = json!(transition);
            Ok(())
        })?;
        Ok(axum::Json(json!({"state": transition})).into_response())
    })())
}

async fn leaderboard(State(state): St, headers: HeaderMap) -> Response {
    done((|| {
        authorize(&state, &headers, ANY)?;
        Ok(axum::Json(json!({"leaderboard": []})).into_response())
    })())
}

async fn join_team(State(state): St, headers: HeaderMap) -> Response {
    done(authorize(&state, &headers, ANY).map(|_| StatusCode::OK.into_response()))
}

async fn team(State(state): St, headers: HeaderMap) -> Response {
    done(
        authorize(&state, &headers, ANY)
            .map(|c| axum::Json(json!({"id": format!("team-{}", c.viewer().len() % 2)})).into_response()),
    )
}

async fn bits(State(state): St, headers: HeaderMap, body: Bytes) -> Response {
    done((|| {
        authorize(&state, &headers, ANY)?;
        let b = object_body(&body)?;
        str_field(&b, "transactionReceipt")?;
        // The sandbox approves every transaction, as Muxy's does.
        Ok(StatusCode::OK.into_response())
    })())
}

/// The routes of this file.
pub fn routes(router: Router<Arc<MedkitState>>) -> Router<Arc<MedkitState>> {
    router
        .route("/v1/e/broadcast", post(broadcast))
        .route("/v1/e/extension_broadcast", post(extension_broadcast))
        .route("/v1/e/whisper_self", post(whisper_self))
        .route("/v1/e/pusher_broadcast", post(pusher_broadcast))
        .route("/v1/e/json_store", get(json_store))
        .route("/v1/e/codes", get(get_codes).put(set_codes).delete(delete_codes))
        .route("/v1/e/codes/mark_from_list", post(mark_from_list))
        .route("/v1/e/codes/mark_from_poll", post(mark_from_poll))
        .route("/v1/e/codes/eligible", get(eligible))
        .route("/v1/e/codes/redeemed", get(redeemed))
        .route("/v1/e/codes/redeem", post(redeem))
        .route("/v1/e/curated_poll", get(get_polls).post(vote_poll))
        .route("/v1/e/curated_poll_edit", post(edit_poll).delete(delete_poll))
        .route("/v1/e/curated_poll_edit_option", post(add_option).delete(remove_option))
        .route("/v1/e/curated_poll_state", post(poll_state))
        .route("/v1/e/curated_poll_leaderboard", get(leaderboard))
        .route("/v1/e/team_membership", get(team).post(join_team))
        .route("/v1/e/bits/transactions", post(bits))
}
