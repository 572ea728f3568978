//! The OpenAPI 3.0 semantics the translation promises, each on a small document.

use serde_json::{Value, json};

use super::*;

fn doc(schemas: Value) -> Document {
    Document::from_value(json!({"openapi": "3.0.3", "components": {"schemas": schemas}}), "t.yaml").unwrap()
}

fn check(d: &Document, name: &str, options: impl Into<Options>, instance: Value) -> Vec<String> {
    let v = Validator::new(d, &format!("/components/schemas/{name}"), options).unwrap_or_else(|e| panic!("{e}"));
    v.validate(&instance).iter().map(ToString::to_string).collect()
}

fn err(d: &Document, name: &str) -> SpecError {
    Validator::new(d, &format!("/components/schemas/{name}"), Direction::Either).unwrap_err()
}

#[test]
fn nullable_adds_null_to_the_type_the_enum_and_compositions() {
    let d = doc(json!({
        "S": {"type": "string", "nullable": true},
        "N": {"type": "string"},
        "E": {"type": "string", "enum": ["a"], "nullable": true},
        "C": {"allOf": [{"$ref": "#/components/schemas/N"}], "nullable": true},
        "Any": {"description": "anything"},
    }));
    assert!(check(&d, "S", Direction::Either, json!(null)).is_empty());
    assert_eq!(
        check(&d, "N", Direction::Either, json!(null)),
        ["(root): null is not allowed here (the schema is not `nullable: true`)"]
    );
    assert!(check(&d, "E", Direction::Either, json!(null)).is_empty());
    assert_eq!(check(&d, "E", Direction::Either, json!("b")), ["(root): \"b\" is not one of \"a\", null"]);
    assert!(check(&d, "C", Direction::Either, json!(null)).is_empty());
    // The wrapper reports the composed schema's own error, not "matches no anyOf".
    assert_eq!(check(&d, "C", Direction::Either, json!(1)), ["(root): expected string, found integer"]);
    assert!(check(&d, "Any", Direction::Either, json!(null)).is_empty());
}

#[test]
fn read_only_and_write_only_follow_the_direction() {
    let d = doc(json!({"U": {
        "type": "object",
        "required": ["id", "password"],
        "properties": {"id": {"type": "string", "readOnly": true}, "password": {"type": "string", "writeOnly": true}}
    }}));
    // A request needs the password, must not send the id.
    assert!(check(&d, "U", Direction::Request, json!({"password": "p"})).is_empty());
    assert_eq!(
        check(&d, "U", Direction::Request, json!({"id": "1", "password": "p"})),
        ["/id: the property is `readOnly`: it must not be sent in a request"]
    );
    // A response needs the id, must not leak the password.
    assert!(check(&d, "U", Direction::Response, json!({"id": "1"})).is_empty());
    assert_eq!(
        check(&d, "U", Direction::Response, json!({"id": "1", "password": "p"})),
        ["/password: the property is `writeOnly`: it must not appear in a response"]
    );
    assert_eq!(
        check(&d, "U", Direction::Either, json!({"id": "1"})),
        ["(root): required property `password` is missing"]
    );
}

#[test]
fn formats_are_checked() {
    let d = doc(json!({"T": {"type": "string", "format": "date-time"}, "I": {"type": "integer", "format": "int64"}}));
    for ok in ["2016-12-14T20:32:28Z", "2020-11-10T14:32:18.730260295Z", "2021-03-10T15:04:21+01:00"] {
        assert!(check(&d, "T", Direction::Either, json!(ok)).is_empty(), "{ok}");
    }
    assert_eq!(
        check(&d, "T", Direction::Either, json!("yesterday")),
        ["(root): \"yesterday\" is not an RFC 3339 date-time"]
    );
    assert_eq!(check(&d, "T", Direction::Either, json!("2016-13-14T20:32:28Z")).len(), 1);
    // OpenAPI-only formats (int64, password, …) are annotations.
    assert!(check(&d, "I", Direction::Either, json!(5)).is_empty());
}

#[test]
fn all_of_composes_even_with_undocumented_properties_forbidden() {
    let d = doc(json!({
        "Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
        "Named": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object", "properties": {"name": {"type": "string"}}}]},
    }));
    let strict = Options::response().forbid_undocumented();
    assert!(check(&d, "Named", strict, json!({"id": "1", "name": "n"})).is_empty());
    assert_eq!(check(&d, "Named", strict, json!({"id": "1", "name": "n", "x": 1})), ["/x: undocumented property"]);
    // A failed part still documents its properties: only `x` is undocumented.
    assert_eq!(
        check(&d, "Named", strict, json!({"id": "1", "name": 2, "x": 1})),
        ["/name: expected string, found integer", "/x: undocumented property"]
    );
    assert_eq!(check(&d, "Named", strict, json!({"name": "n"})), ["(root): required property `id` is missing"]);
    // Base alone is closed too.
    assert_eq!(check(&d, "Base", strict, json!({"id": "1", "name": "n"})), ["/name: undocumented property"]);
    // The OpenAPI default allows them.
    assert!(check(&d, "Named", Direction::Response, json!({"id": "1", "x": 1})).is_empty());
}

#[test]
fn additional_properties() {
    let d = doc(json!({
        "Closed": {"type": "object", "additionalProperties": false, "properties": {"a": {"type": "string"}}},
        "Strings": {"type": "object", "additionalProperties": {"type": "string"}},
        "Open": {"type": "object", "additionalProperties": true},
    }));
    assert_eq!(
        check(&d, "Closed", Direction::Either, json!({"b": 1})),
        ["(root): property `b` is not allowed (`additionalProperties: false`)"]
    );
    assert_eq!(check(&d, "Strings", Direction::Either, json!({"b": 1})), ["/b: expected string, found integer"]);
    let strict = Options::response().forbid_undocumented();
    assert!(check(&d, "Strings", strict, json!({"b": "x"})).is_empty());
    assert!(check(&d, "Open", strict, json!({"b": 1})).is_empty());
}

#[test]
fn a_violation_inside_a_one_of_branch_is_reported_in_the_branch() {
    let d = doc(json!({
        "Store": {"oneOf": [
            {"type": "object", "required": ["kind", "value"], "properties": {"kind": {"type": "string", "enum": ["int"]}, "value": {"type": "integer"}}},
            {"type": "string"},
        ]},
    }));
    let strict = Options::response().forbid_undocumented();
    assert!(check(&d, "Store", strict, json!({"kind": "int", "value": 3})).is_empty());
    assert!(check(&d, "Store", strict, json!("free")).is_empty());
    assert_eq!(
        check(&d, "Store", strict, json!({"kind": "int", "value": "3"})),
        ["/value: expected integer, found string (in `oneOf` alternative 0)"]
    );
    assert_eq!(
        check(&d, "Store", strict, json!({"kind": "int", "value": 3, "x": 1})),
        ["/x: undocumented property (in `oneOf` alternative 0)"]
    );
    let none = check(&d, "Store", strict, json!(3));
    assert_eq!(none.len(), 1);
    assert!(none[0].starts_with("(root): matches none of the `oneOf` alternatives"), "{none:?}");
}

#[test]
fn ref_cycles_that_descend_validate_and_those_that_do_not_are_errors() {
    let d = doc(json!({
        "Tree": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}, "n": {"type": "integer"}}},
        "Loop": {"allOf": [{"$ref": "#/components/schemas/Loop"}]},
        "A": {"$ref": "#/components/schemas/B"},
        "B": {"$ref": "#/components/schemas/A"},
        "P": {"anyOf": [{"$ref": "#/components/schemas/Q"}]},
        "Q": {"oneOf": [{"type": "string"}, {"$ref": "#/components/schemas/P"}]},
    }));
    let deep = json!({"children": [{"children": [{"n": "x"}]}]});
    assert_eq!(
        check(&d, "Tree", Options::response().forbid_undocumented(), deep),
        ["/children/0/children/0/n: expected integer, found string"]
    );
    for (name, chain) in [
        ("Loop", "#/components/schemas/Loop → #/components/schemas/Loop"),
        ("A", "#/components/schemas/B → #/components/schemas/A → #/components/schemas/B"),
        ("P", "#/components/schemas/Q → #/components/schemas/P → #/components/schemas/Q"),
    ] {
        let e = err(&d, name);
        assert!(e.message.contains("never descends into the instance") && e.message.contains(chain), "{name}: {e}");
    }
}

#[test]
fn keywords_of_openapi_3_0() {
    let d = doc(json!({
        "Num": {"type": "number", "minimum": 1, "exclusiveMinimum": true, "maximum": 5},
        "Code": {"type": "string", "pattern": "^[a-z]+$", "minLength": 2, "example": 7, "x-anything": 1},
        "Pet": {"type": "object", "discriminator": {"propertyName": "kind"}, "properties": {"kind": {"type": "string"}}},
        "NotEmpty": {"not": {"type": "string", "maxLength": 0}},
        "Inferred": {"properties": {"a": {"type": "string"}}},
    }));
    assert_eq!(check(&d, "Num", Direction::Either, json!(1)), ["(root): 1 is not above the exclusive minimum 1"]);
    assert_eq!(check(&d, "Num", Direction::Either, json!(6)), ["(root): 6 is above the maximum 5"]);
    assert!(check(&d, "Num", Direction::Either, json!(1.5)).is_empty());
    assert_eq!(
        check(&d, "Code", Direction::Either, json!("A")),
        ["(root): shorter than minLength 2", "(root): \"A\" does not match the pattern `^[a-z]+$`"]
    );
    assert!(check(&d, "Pet", Direction::Either, json!({"kind": "cat"})).is_empty());
    assert_eq!(check(&d, "NotEmpty", Direction::Either, json!("")), ["(root): matches the schema under `not`"]);
    assert_eq!(check(&d, "Inferred", Direction::Either, json!([1])), ["(root): expected object, found array"]);
}

#[test]
fn broken_schemas_are_spec_errors_at_their_pointer() {
    let mut deep = json!({"type": "string"});
    for _ in 0..(MAX_SCHEMA_DEPTH + 1) {
        deep = json!({"type": "array", "items": deep});
    }
    let d = doc(json!({
        "BadPattern": {"type": "object", "properties": {"p": {"type": "string", "pattern": "(("}}},
        "Dangling": {"$ref": "#/components/schemas/Nope"},
        "External": {"$ref": "other.yaml#/X"},
        "Deep": deep,
        "NotASchema": {"properties": {"a": 3}},
    }));
    let e = err(&d, "BadPattern");
    assert_eq!(e.pointer, "/components/schemas/BadPattern/properties/p/pattern", "{e}");
    assert!(
        e.to_string().starts_with(
            "t.yaml: schema BadPattern (at #/components/schemas/BadPattern/properties/p/pattern): invalid schema"
        ),
        "{e}"
    );
    assert!(err(&d, "Dangling").message.contains("points at nothing"));
    assert!(err(&d, "External").message.contains("not a local reference"));
    assert!(err(&d, "Deep").message.contains("nested deeper"));
    assert_eq!(err(&d, "NotASchema").pointer, "/components/schemas/NotASchema/properties/a");
    assert!(Validator::new(&d, "/nowhere", Direction::Either).unwrap_err().message.contains("no schema here"));
}

#[test]
fn violations_point_into_the_spec_through_refs() {
    let d = doc(json!({
        "Page": {"type": "object", "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/User"}}}},
        "User": {"type": "object", "properties": {"id": {"type": "string"}}},
    }));
    let v = Validator::new(&d, "/components/schemas/Page", Direction::Response).unwrap();
    let found = v.validate(&json!({"data": [{"id": 1}]}));
    assert_eq!(found[0].schema, "/components/schemas/User/properties/id/type");
    assert_eq!(found[0].path.json_path(), "$.data[0].id");
    assert_eq!(v.validate_at_most(&json!({"data": [{"id": 1}, {"id": 2}]}), 1).len(), 1);
}

#[test]
fn asyncapi_schemas_are_json_schema() {
    let d = Document::from_value(
        json!({"asyncapi": "3.0.0", "components": {"schemas": {"Reply": {
            "type": "object", "properties": {"type": {"const": "reply"}, "id": {"type": ["integer", "null"]}}, "required": ["type"]}}}}),
        "chat.yaml",
    )
    .unwrap();
    assert!(check(&d, "Reply", Direction::Either, json!({"type": "reply", "id": null})).is_empty());
    assert_eq!(check(&d, "Reply", Direction::Either, json!({"type": "event"})), ["/type: \"event\" is not \"reply\""]);
}

/// The cases lint's hand-written validator (replaced by this one) was tested with.
#[test]
fn what_lint_checked_before() {
    let d = doc(json!({"Id": {"type": "string"}, "S": {
        "type": "object",
        "required": ["id", "n"],
        "additionalProperties": false,
        "properties": {
            "id": {"$ref": "#/components/schemas/Id"},
            "n": {"type": "integer", "minimum": 1, "nullable": true},
            "kind": {"type": "string", "enum": ["a", "b"]},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 1},
            "at": {"type": "string", "format": "date-time"}
        }
    }}));
    assert!(
        check(
            &d,
            "S",
            Direction::Either,
            json!({"id": "1", "n": null, "kind": "a", "tags": ["x"], "at": "2020-01-01T00:00:00Z"})
        )
        .is_empty()
    );
    let all = check(
        &d,
        "S",
        Direction::Either,
        json!({"id": 1, "n": 0, "kind": "c", "tags": ["x", 2], "at": "now", "extra": true}),
    )
    .join("\n");
    for want in [
        "/id: expected string",
        "/n: 0 is below the minimum",
        "/kind: \"c\" is not one of",
        "/tags: more than maxItems",
        "/tags/1: expected string",
        "/at: \"now\" is not an RFC 3339",
        "property `extra` is not allowed",
    ] {
        assert!(all.contains(want), "missing {want:?} in\n{all}");
    }
    assert!(
        check(&d, "S", Direction::Either, json!({"id": "1"})).join("").contains("required property `n` is missing")
    );
    let t = doc(json!({"T": {"type": "string", "format": "date-time"}}));
    for bad in [
        "",
        "2016-12-14",
        "2016-12-14T20:32:28",
        "2016-12-14T20:32:28.Z",
        "2020-01-01T00:00:00+0é0",
        "2020-01-01T00:00:00+01:00x",
    ] {
        assert_eq!(check(&t, "T", Direction::Either, json!(bad)).len(), 1, "{bad:?}");
    }
}

#[test]
fn a_long_chain_of_refs_compiles() {
    let n = 5_000;
    let mut schemas = serde_json::Map::new();
    for i in 0..n {
        let next = if i + 1 < n {
            json!({"$ref": format!("#/components/schemas/S{}", i + 1)})
        } else {
            json!({"type": "string"})
        };
        schemas.insert(format!("S{i}"), json!({"type": "object", "properties": {"next": next}}));
    }
    let d = doc(Value::Object(schemas));
    let v = Validator::new(&d, "/components/schemas/S0", Options::response().forbid_undocumented()).unwrap();
    assert_eq!(v.validate(&json!({"next": {"next": {"x": 1}}})).len(), 1);
    // A chain of in-place refs (no descent) is walked without recursion.
    let mut schemas = serde_json::Map::new();
    for i in 0..n {
        schemas.insert(format!("S{i}"), json!({"allOf": [{"$ref": format!("#/components/schemas/S{}", (i + 1) % n)}]}));
    }
    let e = err(&doc(Value::Object(schemas)), "S0");
    assert!(e.message.contains("never descends") && e.message.contains("(4995 more)"), "{e}");
}
