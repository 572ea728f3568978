//! State and config stores through the generated client and the typed wrapper, against the
//! sandbox in strict mode: POST replaces, PATCH in both forms, a failing patch changes
//! nothing, role checks.

mod common;

use common::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use streamkit_medkit::medkit::types;
use streamkit_medkit::{Patch, Store, Stores};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Round {
    round: u32,
    title: String,
}

#[tokio::test]
async fn channel_state_replaces_merges_patches_and_refuses_a_failing_patch() {
    let sb = sandbox().await;
    let b = broadcaster(&sb);
    assert_eq!(b.get_channel_state().send().await.unwrap().into_inner().0, serde_json::Map::new());
    b.set_channel_state().body(obj(json!({"round": 1, "title": "warmup", "old": true}))).send().await.unwrap();
    // POST replaces the whole object.
    b.set_channel_state().body(obj(json!({"round": 1, "title": "warmup"}))).send().await.unwrap();
    assert_eq!(b.get_store::<Round>(Store::Channel).await.unwrap(), Round { round: 1, title: "warmup".into() });

    // Merge: null deletes, objects merge.
    b.patch_store(Store::Channel, Patch::merge(json!({"title": null, "extra": {"a": 1}}))).await.unwrap();
    let v: serde_json::Value = b.get_store(Store::Channel).await.unwrap();
    assert_eq!(v, json!({"round": 1, "extra": {"a": 1}}));

    // RFC 6902 through the generated body type.
    let ops = types::StatePatch::Array(vec![
        types::JsonPatchOperation::builder()
            .op(types::JsonPatchOperationOp::Replace)
            .path("/round")
            .value(Some(json!(2)))
            .try_into()
            .unwrap(),
        types::JsonPatchOperation::builder().op(types::JsonPatchOperationOp::Remove).path("/extra").try_into().unwrap(),
    ]);
    b.patch_channel_state().body(ops).send().await.unwrap();
    let v: serde_json::Value = b.get_store(Store::Channel).await.unwrap();
    assert_eq!(v, json!({"round": 2}));

    // An operation that does not apply (a failed `test`) is a 409; the earlier ones are not kept.
    let failing: json_patch::Patch = serde_json::from_value(json!([
        {"op": "replace", "path": "/round", "value": 99},
        {"op": "test", "path": "/round", "value": 3}
    ]))
    .unwrap();
    assert_eq!(status(b.patch_store(Store::Channel, Patch::Json(failing)).await), 409);
    let v: serde_json::Value = b.get_store(Store::Channel).await.unwrap();
    assert_eq!(v, json!({"round": 2}), "a failing patch changes nothing");

    // A viewer reads the channel state but may not write it.
    let v = viewer(&sb);
    assert_eq!(v.get_store::<serde_json::Value>(Store::Channel).await.unwrap(), json!({"round": 2}));
    assert_eq!(status(v.set_channel_state().body(obj(json!({"x": 1}))).send().await), 403);
    assert_eq!(status(v.patch_store(Store::Channel, Patch::merge(json!({"x": 1}))).await), 403);
    assert!(sb.contract_violations().is_empty(), "{:?}", sb.contract_violations());
}

#[tokio::test]
async fn every_store_keeps_its_own_scope() {
    let sb = sandbox().await;
    let (a, v, b) = (admin(&sb), viewer(&sb), broadcaster(&sb));
    a.set_extension_state().body(obj(json!({"season": 3}))).send().await.unwrap();
    a.patch_extension_state()
        .body(types::StatePatch::Object(json!({"live": true}).as_object().cloned().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        v.get_extension_state().send().await.unwrap().into_inner().0,
        json!({"season": 3, "live": true}).as_object().cloned().unwrap()
    );
    assert_eq!(status(v.set_extension_state().body(obj(json!({}))).send().await), 403);

    a.set_extension_hidden_state().body(obj(json!({"answer": 42}))).send().await.unwrap();
    a.patch_extension_hidden_state()
        .body(types::StatePatch::Object(json!({"answer": 43}).as_object().cloned().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(a.get_extension_hidden_state().send().await.unwrap().into_inner().0["answer"], 43);
    assert_eq!(status(v.get_extension_hidden_state().send().await), 403);
    assert_eq!(status(b.get_extension_hidden_state().send().await), 403);

    v.set_viewer_state().body(obj(json!({"team": "red"}))).send().await.unwrap();
    v.patch_viewer_state()
        .body(types::StatePatch::Object(json!({"level": 2}).as_object().cloned().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        v.get_viewer_state().send().await.unwrap().into_inner().0,
        json!({"team": "red", "level": 2}).as_object().cloned().unwrap()
    );
    let other = client(&sb, streamkit_sandbox::MedkitRole::Viewer, Some(OTHER_VIEWER));
    assert!(other.get_viewer_state().send().await.unwrap().into_inner().0.is_empty(), "per viewer");

    v.set_extension_viewer_state().body(obj(json!({"xp": 10}))).send().await.unwrap();
    other.set_store(Store::ExtensionViewer, &json!({"xp": 5})).await.unwrap();
    assert_eq!(v.get_extension_viewer_state().send().await.unwrap().into_inner().0["xp"], 10);
    // The admin's multi-viewer forms.
    let patches = json!({VIEWER: [{"op": "replace", "path": "/xp", "value": 11}], OTHER_VIEWER: {"badge": "gold"}});
    let patches: std::collections::BTreeMap<String, types::StatePatch> = serde_json::from_value(patches).unwrap();
    a.patch_extension_viewer_states().body(patches).send().await.unwrap();
    let many = a
        .get_extension_viewer_state()
        .user_ids(format!("{VIEWER},{OTHER_VIEWER},99999"))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        serde_json::Value::Object(many.0),
        json!({VIEWER: {"xp": 11}, OTHER_VIEWER: {"xp": 5, "badge": "gold"}})
    );
    assert_eq!(status(v.get_extension_viewer_state().user_ids(VIEWER.to_string()).send().await), 403);
    let e = v.patch_store(Store::ExtensionViewer, Patch::merge(json!({}))).await.unwrap_err().to_string();
    assert!(e.contains("patch_extension_viewer_states"), "{e}");

    let all = v.get_all_state().send().await.unwrap().into_inner();
    assert_eq!(all.extension.unwrap().0["season"], 3);
    assert_eq!(all.viewer.unwrap().0["team"], "red");
    assert_eq!(all.extension_viewer.unwrap().0["xp"], 11);
    assert!(all.channel.unwrap().0.is_empty());
    assert!(sb.contract_violations().is_empty(), "{:?}", sb.contract_violations());
}

#[tokio::test]
async fn config_stores_and_all_config() {
    let sb = sandbox().await;
    let (a, b, v) = (admin(&sb), broadcaster(&sb), viewer(&sb));
    a.set_extension_config().body(obj(json!({"theme": "dark"}))).send().await.unwrap();
    a.patch_extension_config()
        .body(types::StatePatch::Object(json!({"font": "mono"}).as_object().cloned().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(v.get_extension_config().send().await.unwrap().into_inner().0["font"], "mono");
    b.set_channel_config().body(obj(json!({"slots": [1, 2]}))).send().await.unwrap();
    b.patch_store(Store::ChannelConfig, Patch::merge(json!({"slots": [3]}))).await.unwrap();
    assert_eq!(
        v.get_channel_config().send().await.unwrap().into_inner().0["slots"],
        json!([3]),
        "arrays are replaced whole"
    );
    let patch: json_patch::Patch =
        serde_json::from_value(json!([{"op": "add", "path": "/slots/-", "value": 4}])).unwrap();
    b.patch_store(Store::ChannelConfig, patch.into()).await.unwrap();
    b.patch_channel_config().body(types::StatePatch::Object(serde_json::Map::new())).send().await.unwrap();
    let all = v.get_all_config().send().await.unwrap().into_inner();
    assert_eq!(all.channel.unwrap().0["slots"], json!([3, 4]));
    assert_eq!(all.extension.unwrap().0["theme"], "dark");
    assert_eq!(status(v.set_extension_config().body(obj(json!({}))).send().await), 403);
    assert_eq!(status(v.set_channel_config().body(obj(json!({}))).send().await), 403);
    assert!(sb.contract_violations().is_empty(), "{:?}", sb.contract_violations());
}

#[tokio::test]
async fn the_typed_wrapper_refuses_non_objects_locally() {
    let sb = sandbox().await;
    let b = broadcaster(&sb);
    let e = b.set_store(Store::Channel, &json!([1, 2])).await.unwrap_err().to_string();
    assert!(e.contains("JSON object"), "{e}");
    let e = b.patch_store(Store::Channel, Patch::merge(json!(3))).await.unwrap_err().to_string();
    assert!(e.contains("JSON object"), "{e}");
    assert!(sb.requests().is_empty(), "nothing was sent");
}
