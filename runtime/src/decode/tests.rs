//! The one-pass decoder against serde's derive with `#[serde(flatten)]`, the behaviour it
//! replaces: same values, same errors.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::MapAccess;
use serde_json::{Map, Value, json};

use super::{Fields, Object, object};

/// What codegen emits for a struct like [`Derived`].
#[derive(Debug, PartialEq)]
struct OnePass {
    id: String,
    type_: Option<String>,
    count: Option<i64>,
    tags: Vec<String>,
    nullable: Option<Vec<String>>,
    extra: Map<String, Value>,
}

impl Object for OnePass {
    const NAME: &'static str = "Derived";
    fn visit<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let mut m = Fields::new(map, |k| match k {
            "id" => Some(0),
            "type" => Some(1),
            "count" => Some(2),
            "tags" => Some(3),
            "nullable" => Some(4),
            _ => None,
        });
        let mut f = (None, None, None, None, None);
        while let Some(i) = m.next_field()? {
            match i {
                0 => m.put(&mut f.0, "id")?,
                1 => m.put(&mut f.1, "type")?,
                2 => m.put(&mut f.2, "count")?,
                3 => m.put(&mut f.3, "tags")?,
                4 => m.put(&mut f.4, "nullable")?,
                _ => m.skip_value()?,
            }
        }
        Ok(OnePass {
            id: m.take(f.0, "id")?,
            type_: m.take(f.1, "type")?,
            count: m.take(f.2, "count")?,
            tags: f.3.unwrap_or_default(),
            nullable: m.require(f.4, "nullable")?,
            extra: m.extra(),
        })
    }
}

impl<'de> Deserialize<'de> for OnePass {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        object(d)
    }
}

/// The derive it replaces.
#[derive(Debug, PartialEq, Deserialize)]
struct Derived {
    id: String,
    #[serde(rename = "type")]
    type_: Option<String>,
    count: Option<i64>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(deserialize_with = "Option::deserialize")]
    nullable: Option<Vec<String>>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

impl From<Derived> for OnePass {
    fn from(d: Derived) -> Self {
        OnePass { id: d.id, type_: d.type_, count: d.count, tags: d.tags, nullable: d.nullable, extra: d.extra }
    }
}

/// Both decoders on one text: same value, or errors with the same message (before serde_json's
/// position, which the one-pass decoder reports where the error is, not at the object's end).
fn same(text: &str) -> Result<OnePass, String> {
    let strip = |e: serde_json::Error| e.to_string().split(" at line").next().unwrap_or_default().to_string();
    let one = serde_json::from_str::<OnePass>(text).map_err(strip);
    let derived = serde_json::from_str::<Derived>(text).map(OnePass::from).map_err(strip);
    assert_eq!(one, derived, "{text}");
    one
}

#[test]
fn known_fields_fill_their_slots_and_unknown_ones_go_to_extra() {
    let v =
        same(r#"{"new": {"x": [1]}, "id": "7", "type": "live", "count": 3, "tags": ["a"], "nullable": null, "z": 1}"#)
            .unwrap();
    assert_eq!((v.id.as_str(), v.type_.as_deref(), v.count), ("7", Some("live"), Some(3)));
    assert_eq!((v.tags, v.nullable), (vec!["a".to_string()], None));
    assert_eq!(Value::Object(v.extra.clone()), json!({"new": {"x": [1]}, "z": 1}));
    // From a `Value` too (owned keys), with the same answer.
    let value =
        json!({"new": {"x": [1]}, "id": "7", "type": "live", "count": 3, "tags": ["a"], "nullable": null, "z": 1});
    assert_eq!(serde_json::from_value::<OnePass>(value).unwrap().extra, v.extra);
}

#[test]
fn absent_fields_are_none_default_or_missing() {
    let v = same(r#"{"id": "7", "nullable": ["n"]}"#).unwrap();
    assert_eq!((v.type_, v.count, v.tags, v.nullable), (None, None, vec![], Some(vec!["n".to_string()])));
    assert_eq!(same(r#"{"nullable": null}"#).unwrap_err(), "missing field `id`");
    assert_eq!(same(r#"{"id": "7"}"#).unwrap_err(), "missing field `nullable`");
}

#[test]
fn a_key_twice_is_an_error_known_or_not() {
    assert_eq!(same(r#"{"id": "7", "id": "8", "nullable": null}"#).unwrap_err(), "duplicate field `id`");
    // The derive let the last undocumented value win; here it is an error like a known one.
    let e = serde_json::from_str::<OnePass>(r#"{"id": "7", "new": 1, "new": 2, "nullable": null}"#).unwrap_err();
    assert!(e.to_string().starts_with("duplicate field `new`"), "{e}");
}

#[test]
fn wrong_shapes_name_what_was_expected() {
    assert_eq!(same(r#""x""#).unwrap_err(), "invalid type: string \"x\", expected struct Derived");
    assert_eq!(same(r#"["7"]"#).unwrap_err(), "invalid type: sequence, expected struct Derived");
    assert_eq!(same(r#"{"id": 7, "nullable": null}"#).unwrap_err(), "invalid type: integer `7`, expected a string");
    assert!(same(r#"{"id": "7", "nullable": null"#).is_err());
    // The position is where the bad value is, not the end of the object.
    let e = serde_json::from_str::<OnePass>("{\"nullable\": null,\n\"count\": \"3\",\n\"id\": \"7\"}").unwrap_err();
    assert_eq!(e.line(), 2, "{e}");
}

#[test]
fn it_decodes_inside_buffering_containers_too() {
    // An untagged enum hands the object over as serde's `Content`.
    #[derive(Deserialize, Debug)]
    #[serde(untagged)]
    #[allow(dead_code)]
    enum Either {
        Thing(OnePass),
        Other(u64),
    }
    let Either::Thing(v) = serde_json::from_str::<Either>(r#"{"id": "7", "nullable": null, "new": 1}"#).unwrap() else {
        panic!("not a Thing")
    };
    assert_eq!((v.id.as_str(), v.extra.len()), ("7", 1));
}

#[test]
fn a_typed_extra_map_decodes_its_values() {
    struct Condition {
        user_id: Option<String>,
        extra: BTreeMap<String, String>,
    }
    impl Object for Condition {
        const NAME: &'static str = "Condition";
        fn visit<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
            let mut m = Fields::new(map, |k| (k == "user_id").then_some(0));
            let mut f = (None,);
            while let Some(i) = m.next_field()? {
                match i {
                    0 => m.put(&mut f.0, "user_id")?,
                    _ => m.skip_value()?,
                }
            }
            Ok(Condition { user_id: m.take(f.0, "user_id")?, extra: m.extra() })
        }
    }
    impl<'de> Deserialize<'de> for Condition {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            object(d)
        }
    }
    let c: Condition = serde_json::from_str(r#"{"broadcaster_user_id": "1", "user_id": "2"}"#).unwrap();
    assert_eq!((c.user_id.as_deref(), c.extra.get("broadcaster_user_id").map(String::as_str)), (Some("2"), Some("1")));
    let e = serde_json::from_str::<Condition>(r#"{"broadcaster_user_id": 1}"#).err().map(|e| e.to_string());
    assert!(e.is_some_and(|e| e.starts_with("invalid type: integer `1`, expected a string")));
}
