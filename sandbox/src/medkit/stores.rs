//! The JSON object stores: state (extension, channel, viewer, extension-viewer, hidden) and
//! config (extension, channel). POST replaces; PATCH applies an RFC 6902 JSON Patch array
//! (all or nothing) or an RFC 7396 merge object (`null` deletes).

use super::auth::{ADMIN, ANY, CHANNEL_OWNER, Caller, Role, authorize};
use super::errors::{Reject, bad_request, error};
use super::state::MedkitState;
use crate::core::lock;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::Arc;

type St = State<Arc<MedkitState>>;

/// One store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Extension,
    Channel,
    Viewer,
    ExtensionViewer,
    Hidden,
    ExtensionConfig,
    ChannelConfig,
}

impl Kind {
    fn read_roles(self) -> &'static [Role] {
        match self {
            Kind::Hidden => ADMIN,
            _ => ANY,
        }
    }

    fn write_roles(self) -> &'static [Role] {
        match self {
            Kind::Extension | Kind::Hidden | Kind::ExtensionConfig => ADMIN,
            Kind::Channel | Kind::ChannelConfig => CHANNEL_OWNER,
            Kind::Viewer | Kind::ExtensionViewer => ANY,
        }
    }

    /// The key of this store for `caller`.
    fn key(self, caller: &Caller) -> Result<String, Reject> {
        let ext = &caller.extension;
        Ok(match self {
            Kind::Extension => format!("ext|{ext}"),
            Kind::Hidden => format!("hidden|{ext}"),
            Kind::ExtensionConfig => format!("cfgext|{ext}"),
            Kind::Channel => format!("chan|{ext}|{}", caller.channel()?),
            Kind::ChannelConfig => format!("cfgchan|{ext}|{}", caller.channel()?),
            Kind::Viewer => format!("viewer|{ext}|{}|{}", caller.channel()?, caller.viewer()),
            Kind::ExtensionViewer => extension_viewer_key(ext, &caller.viewer()),
        })
    }
}

fn extension_viewer_key(ext: &str, viewer: &str) -> String {
    format!("extviewer|{ext}|{viewer}")
}

/// A JSON body, or a 400 naming the problem.
pub fn json_body(body: &Bytes) -> Result<Value, Reject> {
    serde_json::from_slice(body).map_err(|e| bad_request(&format!("the body is not JSON: {e}")))
}

/// A JSON object body.
pub fn object_body(body: &Bytes) -> Result<Map<String, Value>, Reject> {
    match json_body(body)? {
        Value::Object(m) => Ok(m),
        _ => Err(bad_request("the body must be a JSON object")),
    }
}

fn read(state: &MedkitState, key: &str) -> Value {
    lock(&state.data).stores.get(key).cloned().unwrap_or_else(|| json!({}))
}

/// `patch` applied to `doc`: a JSON Patch array or a merge object. `doc` is unchanged on
/// failure: a malformed patch is a 400, one whose operations do not apply to the stored
/// document (a missing path, a failed `test`) a 409.
pub fn apply_patch(doc: &mut Value, patch: &Value) -> Result<(), Reject> {
    match patch {
        Value::Array(_) => {
            let ops: json_patch::Patch =
                serde_json::from_value(patch.clone()).map_err(|e| bad_request(&format!("not a JSON Patch: {e}")))?;
            let mut copy = doc.clone();
            json_patch::patch(&mut copy, &ops)
                .map_err(|e| error(StatusCode::CONFLICT, &format!("the JSON Patch does not apply: {e}")))?;
            if !copy.is_object() {
                return Err(error(
                    StatusCode::CONFLICT,
                    "the JSON Patch would make the store something other than an object",
                ));
            }
            *doc = copy;
            Ok(())
        }
        Value::Object(_) => {
            json_patch::merge(doc, patch);
            Ok(())
        }
        _ => Err(bad_request("a patch is a JSON Patch array or a merge object")),
    }
}

fn record_user(state: &MedkitState, caller: &Caller) {
    if let Some(u) = &caller.claims.user_id {
        lock(&state.data).users.entry(caller.extension.clone()).or_default().insert(u.clone());
    }
}

async fn get_store(state: Arc<MedkitState>, headers: HeaderMap, kind: Kind) -> Response {
    let caller = match authorize(&state, &headers, kind.read_roles()) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    record_user(&state, &caller);
    match kind.key(&caller) {
        Ok(key) => axum::Json(read(&state, &key)).into_response(),
        Err(r) => r.into_response(),
    }
}

async fn set_store(state: Arc<MedkitState>, headers: HeaderMap, body: Bytes, kind: Kind) -> Response {
    let result = (|| {
        let caller = authorize(&state, &headers, kind.write_roles())?;
        let key = kind.key(&caller)?;
        let value = object_body(&body)?;
        lock(&state.data).stores.insert(key, Value::Object(value));
        Ok::<_, Reject>(StatusCode::OK.into_response())
    })();
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn patch_store(state: Arc<MedkitState>, headers: HeaderMap, body: Bytes, kind: Kind) -> Response {
    let result = (|| {
        let caller = authorize(&state, &headers, kind.write_roles())?;
        let key = kind.key(&caller)?;
        let patch = json_body(&body)?;
        let mut data = lock(&state.data);
        let doc = data.stores.entry(key).or_insert_with(|| json!({}));
        apply_patch(doc, &patch)?;
        Ok::<_, Reject>(StatusCode::OK.into_response())
    })();
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn get_extension_viewer(
    State(state): St,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(ids) = q.get("user_ids") else {
        return get_store(state, headers, Kind::ExtensionViewer).await;
    };
    let caller = match authorize(&state, &headers, ADMIN) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    let data = lock(&state.data);
    let mut out = Map::new();
    for id in ids.split(',').filter(|s| !s.is_empty()) {
        if let Some(v) = data.stores.get(&extension_viewer_key(&caller.extension, id)) {
            out.insert(id.to_owned(), v.clone());
        }
    }
    axum::Json(Value::Object(out)).into_response()
}

async fn patch_extension_viewers(State(state): St, headers: HeaderMap, body: Bytes) -> Response {
    let result = (|| {
        let caller = authorize(&state, &headers, ADMIN)?;
        let patches = object_body(&body)?;
        if patches.len() > 1000 {
            return Err(bad_request("at most 1000 viewers per call"));
        }
        let mut data = lock(&state.data);
        // All or nothing: patch copies, then store them.
        let mut done = Vec::new();
        for (viewer, patch) in &patches {
            let key = extension_viewer_key(&caller.extension, viewer);
            let mut doc = data.stores.get(&key).cloned().unwrap_or_else(|| json!({}));
            apply_patch(&mut doc, patch)?;
            done.push((key, doc));
        }
        data.stores.extend(done);
        Ok::<_, Reject>(StatusCode::OK.into_response())
    })();
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn all_state(State(state): St, headers: HeaderMap) -> Response {
    let result = (|| {
        let caller = authorize(&state, &headers, ANY)?;
        record_user(&state, &caller);
        let mut out = Map::new();
        for (name, kind) in [
            ("extension", Kind::Extension),
            ("channel", Kind::Channel),
            ("viewer", Kind::Viewer),
            ("extension_viewer", Kind::ExtensionViewer),
        ] {
            out.insert(name.into(), read(&state, &kind.key(&caller)?));
        }
        Ok::<_, Reject>(axum::Json(Value::Object(out)).into_response())
    })();
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn all_config(State(state): St, headers: HeaderMap) -> Response {
    let result = (|| {
        let caller = authorize(&state, &headers, ANY)?;
        let extension = read(&state, &Kind::ExtensionConfig.key(&caller)?);
        let channel = read(&state, &Kind::ChannelConfig.key(&caller)?);
        Ok::<_, Reject>(axum::Json(json!({"extension": extension, "channel": channel})).into_response())
    })();
    result.unwrap_or_else(IntoResponse::into_response)
}

fn store_route(router: Router<Arc<MedkitState>>, path: &str, kind: Kind, patch: bool) -> Router<Arc<MedkitState>> {
    let mut m = get(move |State(s): St, h: HeaderMap| get_store(s, h, kind))
        .post(move |State(s): St, h: HeaderMap, b: Bytes| set_store(s, h, b, kind));
    if patch {
        m = m.patch(move |State(s): St, h: HeaderMap, b: Bytes| patch_store(s, h, b, kind));
    }
    router.route(path, m)
}

/// The store routes.
pub fn routes(router: Router<Arc<MedkitState>>) -> Router<Arc<MedkitState>> {
    let mut r = router;
    for (path, kind) in [
        ("/v1/e/extension_state", Kind::Extension),
        ("/v1/e/channel_state", Kind::Channel),
        ("/v1/e/viewer_state", Kind::Viewer),
        ("/v1/e/extension_hidden_state", Kind::Hidden),
        ("/v1/e/config/extension", Kind::ExtensionConfig),
        ("/v1/e/config/channel", Kind::ChannelConfig),
    ] {
        r = store_route(r, path, kind, true);
    }
    r.route(
        "/v1/e/extension_viewer_state",
        get(get_extension_viewer)
            .post(|State(s): St, h: HeaderMap, b: Bytes| set_store(s, h, b, Kind::ExtensionViewer))
            .patch(patch_extension_viewers),
    )
    .route("/v1/e/all_state", get(all_state))
    .route("/v1/e/config", get(all_config))
}
