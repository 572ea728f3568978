//! The sandbox's contract checks, on the real Twitch spec and on a `oneOf` store.

use std::path::Path;

use serde_json::{Value, json};

use super::*;
use crate::document::parse;

fn helix() -> Contract {
    Contract::new(
        parse(include_str!("../../../specs/twitch/helix.yaml"), Path::new("specs/twitch/helix.yaml")).unwrap(),
    )
}

fn get(c: &Contract, path: &str, status: u16, body: Value) -> Vec<String> {
    let template = c.find_path(path).unwrap_or_else(|| panic!("no template for {path}"));
    c.check_response("GET", template, Response::json(status, body.to_string().as_bytes()))
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn user() -> Value {
    json!({
        "id": "1", "login": "a", "display_name": "A", "type": "", "broadcaster_type": "partner",
        "description": "", "profile_image_url": "u", "offline_image_url": "",
        "view_count": 3, "created_at": "2016-12-14T20:32:28Z"
    })
}

#[test]
fn a_valid_body_passes() {
    assert_eq!(get(&helix(), "/users", 200, json!({ "data": [user()] })), Vec::<String>::new());
}

#[test]
fn finds_violations_with_json_paths() {
    let mut u = user();
    u["sandbox_extra"] = json!(1);
    u["broadcaster_type"] = json!("sandbox_unknown_value");
    u["created_at"] = json!("yesterday");
    u["view_count"] = json!(1.5);
    u.as_object_mut().unwrap().remove("login");
    let errs = get(&helix(), "/users", 200, json!({ "data": [u] }));
    let all = errs.join("\n");
    for want in [
        "$.data[0].sandbox_extra: undocumented property",
        "$.data[0].broadcaster_type: \"sandbox_unknown_value\" is not one of",
        "$.data[0].created_at: \"yesterday\" is not an RFC 3339 date-time",
        "$.data[0].view_count: expected integer, found number",
        "$.data[0]: required property `login` is missing",
    ] {
        assert!(all.contains(want), "missing {want:?} in\n{all}");
    }
    assert_eq!(errs.len(), 5, "{all}");
}

#[test]
fn statuses_nulls_and_additional_properties() {
    let c = helix();
    let err = get(&c, "/users", 418, json!({}));
    assert!(err[0].starts_with("status 418 is not documented (documented: "), "{err:?}");
    // 429 comes from a shared $ref'd response.
    assert!(get(&c, "/users", 429, json!({ "error": "Too Many Requests", "status": 429, "message": "" })).is_empty());
    // `tags` is nullable, `title` is not.
    let mut s = json!({
        "id": "1", "user_id": "1", "user_login": "a", "user_name": "A", "game_id": "",
        "game_name": "", "type": "live", "title": "t", "tags": null, "viewer_count": 1,
        "started_at": "2021-03-10T15:04:21.5Z", "language": "en", "thumbnail_url": "u"
    });
    assert!(get(&c, "/streams", 200, json!({ "data": [s.clone()], "pagination": {} })).is_empty());
    s["title"] = Value::Null;
    assert_eq!(
        get(&c, "/streams", 200, json!({ "data": [s] })),
        ["$.data[0].title: null is not allowed here (the schema is not `nullable: true`)"]
    );
    // EventSubCondition allows extra string properties, not extra numbers.
    let sub = |cond: Value| {
        json!({ "data": [{
            "id": "x", "status": "enabled", "type": "t", "version": "1", "condition": cond,
            "created_at": "2024-01-01T00:00:00.123456789Z", "transport": { "method": "conduit", "conduit_id": "c" },
            "cost": 0 }], "total": 1, "total_cost": 0, "max_total_cost": 10 })
    };
    assert!(get(&c, "/eventsub/subscriptions", 200, sub(json!({ "new_key": "1" }))).is_empty());
    assert_eq!(
        get(&c, "/eventsub/subscriptions", 200, sub(json!({ "new_key": 1 }))),
        ["$.data[0].condition.new_key: expected string, found integer"]
    );
}

#[test]
fn bodies_methods_and_content_types() {
    let c = helix();
    let check = |method: &str, template: &str, status: u16, content_type: Option<&str>, body: &[u8]| {
        c.check_response(method, template, Response { status, content_type, body })
    };
    // 204 documents no body.
    assert_eq!(check("PATCH", "/channels", 204, None, b""), []);
    assert_eq!(
        check("PATCH", "/channels", 204, Some("application/json"), b"{}"),
        [ContractViolation::UnexpectedBody { status: 204 }]
    );
    assert!(matches!(
        check("GET", "/users", 200, Some("application/json"), b"{\"data\": [").as_slice(),
        [ContractViolation::NotJson { .. }]
    ));
    assert!(matches!(
        check("GET", "/users", 200, Some("text/plain"), b"{\"data\": []}").as_slice(),
        [ContractViolation::ContentType { .. }]
    ));
    // HEAD checks the status only.
    assert_eq!(check("HEAD", "/users", 200, None, b""), []);
    assert!(matches!(
        check("PUT", "/users", 200, None, b"").as_slice(),
        [ContractViolation::UndocumentedMethod { .. }]
    ));
    assert!(matches!(check("GET", "/nope", 200, None, b"").as_slice(), [ContractViolation::UnknownPath { .. }]));
    assert_eq!(c.find_path("/nope"), None);
}

/// A `oneOf` body, as MEDKit's free-form stores have: the old sandbox validator skipped
/// `oneOf` entirely, so nothing inside one was checked.
#[test]
fn a_violation_inside_a_one_of_branch_is_caught() {
    let doc = Document::from_value(
        json!({
            "openapi": "3.0.3",
            "paths": {"/store": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/Store"}}}}}}}},
            "components": {"schemas": {
                "Store": {"oneOf": [{"$ref": "#/components/schemas/Counter"}, {"$ref": "#/components/schemas/Note"}]},
                "Counter": {"type": "object", "required": ["count"], "properties": {"count": {"type": "integer", "minimum": 0}}},
                "Note": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}, "at": {"type": "string", "format": "date-time"}}},
            }},
        }),
        "medkit.yaml",
    )
    .unwrap();
    let c = Contract::new(doc);
    let check = |body: Value| -> Vec<String> {
        c.check_response("GET", "/store", Response::json(200, body.to_string().as_bytes()))
            .iter()
            .map(ToString::to_string)
            .collect()
    };
    assert!(check(json!({"count": 2})).is_empty());
    assert!(check(json!({"text": "hi", "at": "2024-01-01T00:00:00Z"})).is_empty());
    let found = check(json!({"text": "hi", "at": "tomorrow"}));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("$: matches none of the `oneOf` alternatives"), "{found:?}");
    assert!(found[0].contains("/at: \"tomorrow\" is not an RFC 3339 date-time"), "{found:?}");
    // Undocumented properties are caught inside the branch too.
    let found = check(json!({"count": 2, "extra": true}));
    assert!(found.len() == 1 && found[0].contains("/extra: undocumented property"), "{found:?}");
}

#[test]
fn validators_are_compiled_once() {
    let c = helix();
    let template = c.find_path("/users").unwrap();
    let body = json!({ "data": [user()] }).to_string();
    for _ in 0..3 {
        assert_eq!(c.check_response("GET", template, Response::json(200, body.as_bytes())), []);
    }
    assert_eq!(c.cache.compiled_count(), 1);
}

#[test]
fn a_contract_can_be_shared_between_server_tasks() {
    fn shared<T: Send + Sync + 'static>() {}
    shared::<Contract>();
    shared::<crate::schema::ValidatorCache>();
    shared::<crate::Validator>();
}
