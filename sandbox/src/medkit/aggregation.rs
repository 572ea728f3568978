//! Accumulate, vote (one vote per viewer per poll, a re-vote replaces), vote logs and rank.

use super::auth::{ADMIN, ANY, CHANNEL_OWNER, Caller, authorize};
use super::errors::{Reject, bad_request};
use super::state::{Accumulated, MedkitState, Vote};
use super::stores::{json_body, object_body};
use crate::core::lock;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

type St = State<Arc<MedkitState>>;
type Q = Query<HashMap<String, String>>;

/// Values 0..SPECIFIC are counted one by one in `specific` (the REST page's 64).
const SPECIFIC: usize = 64;

fn id(q: &HashMap<String, String>) -> String {
    q.get("id").cloned().unwrap_or_else(|| "default".into())
}

/// Polls named `global-…` are extension-wide; others are per channel.
fn poll_key(caller: &Caller, id: &str) -> Result<String, Reject> {
    if id.starts_with("global-") {
        Ok(format!("{}|global|{id}", caller.extension))
    } else {
        Ok(format!("{}|{}|{id}", caller.extension, caller.channel()?))
    }
}

/// The flat results (the form Muxy's JavaScript types and voting guide describe).
fn results(votes: Option<&BTreeMap<String, Vote>>, own: Option<&Vote>) -> Value {
    let votes: Vec<&Vote> = votes.map(|v| v.values().collect()).unwrap_or_default();
    // Any integers may arrive: count with saturation, sum in floating point.
    let count: i64 = votes.iter().fold(0i64, |n, v| n.saturating_add(v.count));
    let sum: f64 = votes.iter().map(|v| v.value as f64 * v.count as f64).sum();
    let mean = if count > 0 { sum / count as f64 } else { 0.0 };
    let var = if count > 0 {
        votes.iter().map(|v| v.count as f64 * (v.value as f64 - mean).powi(2)).sum::<f64>() / count as f64
    } else {
        0.0
    };
    let mut specific = vec![0i64; SPECIFIC];
    for v in &votes {
        if let Ok(i) = usize::try_from(v.value)
            && i < SPECIFIC
        {
            specific[i] = specific[i].saturating_add(v.count);
        }
    }
    let mut out = json!({"count": count, "sum": sum, "mean": mean, "stddev": var.sqrt(), "specific": specific});
    if let Some(o) = own {
        out["vote"] = json!(o.value);
    }
    out
}

async fn vote(State(state): St, headers: HeaderMap, Query(q): Q, body: Bytes) -> Response {
    let result = (|| {
        let caller = authorize(&state, &headers, ANY)?;
        let key = poll_key(&caller, &id(&q))?;
        let b = object_body(&body)?;
        let value =
            b.get("value").and_then(super::extras::as_int).ok_or_else(|| bad_request("`value` must be an integer"))?;
        let count = match b.get("count") {
            None => 1,
            Some(c) => super::extras::as_int(c).ok_or_else(|| bad_request("`count` must be an integer"))?,
        };
        let viewer = caller.viewer();
        let mut data = lock(&state.data);
        let poll = data.votes.entry(key).or_default();
        poll.insert(viewer.clone(), Vote { value, count, timestamp: state.now_ms() });
        Ok::<_, Reject>(axum::Json(results(Some(poll), poll.get(&viewer))).into_response())
    })();
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn get_votes(State(state): St, headers: HeaderMap, Query(q): Q) -> Response {
    let result = (|| {
        let caller = authorize(&state, &headers, ANY)?;
        let key = poll_key(&caller, &id(&q))?;
        let data = lock(&state.data);
        let poll = data.votes.get(&key);
        let own = poll.and_then(|p| p.get(&caller.viewer()));
        Ok::<_, Reject>(axum::Json(results(poll, own)).into_response())
    })();
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn delete_votes(State(state): St, headers: HeaderMap, Query(q): Q) -> Response {
    let result = (|| {
        let caller = authorize(&state, &headers, CHANNEL_OWNER)?;
        let key = poll_key(&caller, &id(&q))?;
        lock(&state.data).votes.remove(&key);
        Ok::<_, Reject>(axum::Json(json!({})).into_response())
    })();
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn vote_logs(State(state): St, headers: HeaderMap, Query(q): Q) -> Response {
    let result = (|| {
        let caller = authorize(&state, &headers, ADMIN)?;
        let key = poll_key(&caller, &id(&q))?;
        let data = lock(&state.data);
        let logs: Vec<Value> = data
            .votes
            .get(&key)
            .into_iter()
            .flatten()
            .map(|(who, v)| json!({"identifier": who, "value": v.value, "timestamp": v.timestamp}))
            .collect();
        Ok::<_, Reject>(axum::Json(json!({"result": logs})).into_response())
    })();
    result.unwrap_or_else(IntoResponse::into_response)
}

fn rank_key(caller: &Caller, id: &str) -> Result<String, Reject> {
    Ok(format!("{}|{}|{id}", caller.extension, caller.channel()?))
}

async fn rank(State(state): St, headers: HeaderMap, Query(q): Q, body: Bytes) -> Response {
    let result = (|| {
        let caller = authorize(&state, &headers, ANY)?;
        let key = rank_key(&caller, &id(&q))?;
        let b = object_body(&body)?;
        let answer = b.get("key").and_then(Value::as_str).ok_or_else(|| bad_request("`key` must be a string"))?;
        let mut data = lock(&state.data);
        let original = data.ranks.entry(key).or_default().insert(caller.viewer(), answer.to_owned());
        let mut out = json!({"accepted": true});
        if let Some(o) = original {
            out["original"] = json!(o);
        }
        Ok::<_, Reject>(axum::Json(out).into_response())
    })();
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn get_rank(State(state): St, headers: HeaderMap, Query(q): Q) -> Response {
    let result = (|| {
        let caller = authorize(&state, &headers, CHANNEL_OWNER)?;
        let key = rank_key(&caller, &id(&q))?;
        let data = lock(&state.data);
        let mut scores: BTreeMap<&str, i64> = BTreeMap::new();
        for answer in data.ranks.get(&key).into_iter().flat_map(|r| r.values()) {
            *scores.entry(answer.as_str()).or_default() += 1;
        }
        let mut ranked: Vec<(&str, i64)> = scores.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let rows: Vec<Value> = ranked.into_iter().take(100).map(|(k, s)| json!({"key": k, "score": s})).collect();
        Ok::<_, Reject>(axum::Json(json!({"data": rows})).into_response())
    })();
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn delete_rank(State(state): St, headers: HeaderMap, Query(q): Q) -> Response {
    let result = (|| {
        let caller = authorize(&state, &headers, CHANNEL_OWNER)?;
        let key = rank_key(&caller, &id(&q))?;
        lock(&state.data).ranks.remove(&key);
        Ok::<_, Reject>(StatusCode::OK.into_response())
    })();
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn accumulate(State(state): St, headers: HeaderMap, Query(q): Q, body: Bytes) -> Response {
    let result = (|| {
        let caller = authorize(&state, &headers, ANY)?;
        let channel = caller.channel()?;
        let value = json_body(&body)?;
        if !value.is_object() {
            return Err(bad_request("the body must be a JSON object"));
        }
        if value.to_string().len() >= 256 {
            return Err(bad_request("an accumulation entry must be under 256 bytes"));
        }
        let entry = Accumulated {
            observed: state.now_ms(),
            channel_id: channel,
            opaque_user_id: caller.claims.opaque_user_id.clone().unwrap_or_default(),
            user_id: caller.claims.user_id.clone().unwrap_or_default(),
            data: value,
        };
        lock(&state.data).accumulated.entry(format!("{}|{}", caller.extension, id(&q))).or_default().push(entry);
        Ok::<_, Reject>(axum::Json(json!({})).into_response())
    })();
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn get_accumulation(State(state): St, headers: HeaderMap, Query(q): Q) -> Response {
    let result = (|| {
        let caller = authorize(&state, &headers, CHANNEL_OWNER)?;
        let start: i64 = q
            .get("start")
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad_request("`start` (epoch milliseconds) is required"))?;
        let start = u64::try_from(start).unwrap_or(0);
        // A broadcaster sees its own channel; admins and the backend every channel.
        let only = if caller.is(ADMIN) { None } else { Some(caller.channel()?) };
        let data = lock(&state.data);
        let mut rows: Vec<&Accumulated> = data
            .accumulated
            .get(&format!("{}|{}", caller.extension, id(&q)))
            .into_iter()
            .flatten()
            .filter(|a| a.observed > start && only.as_ref().is_none_or(|c| c == &a.channel_id))
            .collect();
        rows.sort_by_key(|a| std::cmp::Reverse(a.observed));
        let latest = rows.first().map(|a| a.observed).unwrap_or(0);
        let data: Vec<Value> = rows
            .iter()
            .map(|a| json!({"observed": a.observed, "channel_id": a.channel_id, "opaque_user_id": a.opaque_user_id, "user_id": a.user_id, "data": a.data}))
            .collect();
        Ok::<_, Reject>(axum::Json(json!({"latest": latest, "data": data})).into_response())
    })();
    result.unwrap_or_else(IntoResponse::into_response)
}

/// The aggregation routes.
pub fn routes(router: Router<Arc<MedkitState>>) -> Router<Arc<MedkitState>> {
    router
        .route("/v1/e/vote", get(get_votes).post(vote).delete(delete_votes))
        .route("/v1/e/vote_logs", get(vote_logs))
        .route("/v1/e/rank", get(get_rank).post(rank).delete(delete_rank))
        .route("/v1/e/accumulate", get(get_accumulation).post(accumulate))
}
