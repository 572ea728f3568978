//! The message types: typify on the document's component schemas and on the inline
//! schemas the protocol uses (event data, reply results, parameters), configured as for
//! REST (builders, `BTreeMap`s, `Secret` for `format: password`).
//!
//! Before typify sees them the schemas are adapted like REST response schemas:
//! * objects keep undocumented fields (`additionalProperties: {}` where the spec says
//!   nothing), so `extra` holds them and strict mode can report them;
//! * `format: password` strings become `streamkit_runtime::Secret`;
//! * `format: uuid` strings stay `String` (the crates do not depend on `uuid`; the spec's
//!   validator still checks the format);
//! * an integer with known values (`anyOf` of titled `const`s plus `{type: integer}`)
//!   becomes a plain integer newtype; [`KnownValues`] gives it named constants.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use serde_json::{Map, Value, json};
use typify::{TypeSpace, TypeSpaceImpl, TypeSpaceSettings};

use crate::adapt::SECRET_SCHEMA;

/// One known value of an integer schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownValue {
    /// The value.
    pub value: i64,
    /// Its `title` (UpperCamelCase), for the constant's name.
    pub title: String,
    /// Its description.
    pub doc: String,
}

/// Component schema name → its known values.
pub type KnownValues = BTreeMap<String, Vec<KnownValue>>;

/// The adapted component schemas and what adapting found.
#[derive(Debug, Clone)]
pub struct Adapted {
    /// `{"components": {"schemas": ...}}`: what the type passes read.
    pub doc: Value,
    /// Integer schemas with known values.
    pub known: KnownValues,
}

/// Adapts the component schemas of `doc` (see the module docs).
pub fn adapt(doc: &Value) -> Adapted {
    let mut schemas = doc.pointer("/components/schemas").and_then(Value::as_object).cloned().unwrap_or_default();
    let mut known = KnownValues::new();
    for (name, s) in schemas.iter_mut() {
        if let Some(values) = known_values(s) {
            let description = s.get("description").cloned().unwrap_or(Value::Null);
            *s = json!({"type": "integer", "format": "int64"});
            if !description.is_null() {
                s["description"] = description;
            }
            known.insert(name.clone(), values);
        }
        adapt_schema(s);
    }
    // Always there: inline schemas (method arguments) may refer to it too. typify emits no
    // type for it (it is replaced by `Secret`).
    schemas.insert(
        SECRET_SCHEMA.into(),
        json!({"type": "string", "description": "A secret (replaced by streamkit_runtime::Secret)."}),
    );
    Adapted { doc: json!({"components": {"schemas": Value::Object(schemas)}}), known }
}

/// `anyOf: [{const: 4006, title: InvalidPayload}, ..., {type: integer}]` → the consts.
fn known_values(s: &Value) -> Option<Vec<KnownValue>> {
    let branches = s.get("anyOf")?.as_array()?;
    let mut out = Vec::new();
    let mut open = false;
    for b in branches {
        match (b.get("const").and_then(Value::as_i64), b.get("title").and_then(Value::as_str)) {
            (Some(value), Some(title)) => out.push(KnownValue {
                value,
                title: title.to_string(),
                doc: b.get("description").and_then(Value::as_str).unwrap_or_default().to_string(),
            }),
            _ if b.get("type").and_then(Value::as_str) == Some("integer") && b.as_object()?.len() == 1 => open = true,
            _ => return None,
        }
    }
    (open && !out.is_empty()).then_some(out)
}

/// Adapts one schema in place (an inline schema of a message, or a component's).
pub fn adapt_schema(v: &mut Value) {
    adapt_inner(v, true);
}

/// `open`: whether an object here keeps undocumented fields. Inline branches of a `oneOf`
/// do not: typify makes a tagged enum of them only without `additionalProperties`.
fn adapt_inner(v: &mut Value, open: bool) {
    let Value::Object(m) = v else { return };
    if m.get("type").and_then(Value::as_str) == Some("string") {
        match m.get("format").and_then(Value::as_str) {
            Some("password") => {
                let mut r = Map::new();
                r.insert("$ref".into(), json!(format!("#/components/schemas/{SECRET_SCHEMA}")));
                *m = r;
                return;
            }
            Some("uuid") => {
                m.remove("format");
            }
            _ => {}
        }
    }
    let is_object = m.get("properties").is_some() || m.get("type").and_then(Value::as_str) == Some("object");
    if open && is_object && !m.contains_key("additionalProperties") {
        m.insert("additionalProperties".into(), json!({}));
    }
    for (k, c) in m.iter_mut() {
        if matches!(k.as_str(), "example" | "examples" | "const" | "enum" | "default") {
            continue;
        }
        match c {
            Value::Array(items) if k == "oneOf" => items.iter_mut().for_each(|b| adapt_inner(b, false)),
            Value::Array(items) => items.iter_mut().for_each(adapt_schema),
            Value::Object(_) if k == "properties" => {
                if let Value::Object(props) = c {
                    props.values_mut().for_each(adapt_schema);
                }
            }
            Value::Object(_) => adapt_schema(c),
            _ => {}
        }
    }
}

/// typify, set up as progenitor sets it up for REST.
pub struct Types {
    space: TypeSpace,
}

impl Types {
    /// A type space holding the adapted component schemas.
    pub fn new(adapted: &Adapted) -> Result<Types, String> {
        let mut settings = TypeSpaceSettings::default();
        settings
            .with_type_mod("types")
            .with_struct_builder(true)
            .with_map_type("::std::collections::BTreeMap")
            .with_replacement(
                SECRET_SCHEMA,
                "::streamkit_runtime::Secret",
                [TypeSpaceImpl::Display, TypeSpaceImpl::FromStr].into_iter(),
            );
        let mut space = TypeSpace::new(&settings);
        let schemas =
            adapted.doc.pointer("/components/schemas").and_then(Value::as_object).cloned().unwrap_or_default();
        let mut defs = Vec::new();
        for (name, s) in schemas {
            let schema: schemars::schema::Schema = serde_json::from_value(s)
                .map_err(|e| format!("#/components/schemas/{name}: not a JSON schema: {e}"))?;
            defs.push((name, schema));
        }
        crate::emit::generate::silently(|| space.add_ref_types(defs).map_err(|e| e.to_string()))?;
        Ok(Types { space })
    }

    /// The Rust type of a schema (a `$ref` gives the component's type; an inline schema a
    /// new type named `name` when it needs one).
    pub fn type_of(&mut self, schema: &Value, name: &str) -> Result<TokenStream, String> {
        let mut schema = schema.clone();
        adapt_schema(&mut schema);
        let schema: schemars::schema::Schema =
            serde_json::from_value(schema).map_err(|e| format!("not a JSON schema: {e}"))?;
        let space = &mut self.space;
        crate::emit::generate::silently(|| {
            let id = space.add_type_with_name(&schema, Some(name.to_string())).map_err(|e| e.to_string())?;
            Ok(space.get_type(&id).map_err(|e| e.to_string())?.ident())
        })
    }

    /// Every type, as typify writes them (to go inside `pub mod types`).
    pub fn tokens(&self) -> TokenStream {
        self.space.to_stream()
    }
}
