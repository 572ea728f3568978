//! Names that collide once turned into Rust: two operations that give the same client
//! method, two parameters of one operation that give the same builder setter, two
//! properties of one object that give the same field, two component schemas that give the
//! same type, and names that clash with what the
//! generated code itself defines (`Client::new`, the builder's `send`, the `extra` field
//! that keeps unknown properties). The generator would emit code that does not compile
//! (E0124, E0428, E0592…); the spec is refused instead, naming both names.
//!
//! The Rust names come from [`crate::emit::names`], the generators' own rules.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};
use streamkit_spec::openapi::{self, parameters};
use streamkit_spec::pointer::escape;
use streamkit_spec::refs::resolve;
use streamkit_spec::subject::subject_of;

use crate::emit::names;
use crate::error::SpecError;

/// Methods of the generated `Client` (inherent, or of the traits it implements and calls).
pub const RESERVED_METHODS: &[&str] = &[
    "new",
    "new_with_client",
    "builder",
    "with_access_token",
    "runtime",
    "api_version",
    "baseurl",
    "client",
    "inner",
    "assert_client_hooks",
    "pre",
    "exec",
    "policy",
    "from_parts",
];

/// Methods and fields of every generated request builder.
pub const RESERVED_SETTERS: &[&str] =
    &["new", "client", "send", "send_raw", "stream", "paginate", "pages", "body", "body_map"];

/// The field typify gives the properties an open object does not name.
pub const CATCH_ALL_FIELD: &str = "extra";

/// How deep `allOf` members are merged when collecting an object's properties.
const MAX_ALL_OF_DEPTH: usize = 16;

/// Checks every operation, parameter and object schema of `doc`.
pub fn check(file: &Path, doc: &Value) -> Result<(), SpecError> {
    let err = |ptr: String, m: String| SpecError::new(file, subject_of(doc, &ptr), ptr, m);
    let mut methods: BTreeMap<String, (String, String)> = BTreeMap::new();
    for op in openapi::operations(doc) {
        let ptr = op.pointer();
        let Some(id) = op.op.get("operationId").and_then(Value::as_str) else { continue };
        let method = names::operation_method(id);
        if RESERVED_METHODS.contains(&method.as_str()) {
            return Err(err(
                format!("{ptr}/operationId"),
                format!(
                    "operationId `{id}` becomes the client method `{method}`, which the generated `Client` already has; rename the operation"
                ),
            ));
        }
        if let Some((other, other_ptr)) = methods.insert(method.clone(), (id.to_string(), ptr.clone())) {
            return Err(err(
                format!("{ptr}/operationId"),
                format!(
                    "operationIds `{other}` (at #{other_ptr}) and `{id}` both become the client method `{method}`; rename one"
                ),
            ));
        }
        let mut setters: BTreeMap<String, (String, String)> = BTreeMap::new();
        let has_body = op.op.get("requestBody").is_some();
        for (p, rel) in parameters(op.item, op.op, doc) {
            let Some(name) = p.get("name").and_then(Value::as_str) else { continue };
            let at = match rel.strip_prefix("/..") {
                Some(item_rel) => format!("/paths/{}{item_rel}", escape(op.path)),
                None => format!("{ptr}{rel}"),
            };
            let setter = names::parameter_setter(name);
            let reserved = RESERVED_SETTERS.contains(&setter.as_str()) && (has_body || !setter.starts_with("body"));
            if reserved {
                return Err(err(
                    at,
                    format!(
                        "parameter `{name}` becomes the builder method `{setter}`, which every request builder already has; rename the parameter"
                    ),
                ));
            }
            if let Some((other, other_at)) = setters.insert(setter.clone(), (name.to_string(), at.clone())) {
                return Err(err(
                    at,
                    format!(
                        "parameters `{other}` (at #{other_at}) and `{name}` both become the builder method `{setter}`; rename one"
                    ),
                ));
            }
        }
    }
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    for name in doc.pointer("/components/schemas").and_then(Value::as_object).into_iter().flat_map(|m| m.keys()) {
        let ptr = format!("/components/schemas/{}", escape(name));
        if name == crate::adapt::SECRET_SCHEMA {
            return Err(err(
                ptr,
                format!(
                    "the schema name `{name}` is reserved: codegen uses it for `format: password` strings; rename the schema"
                ),
            ));
        }
        let ty = names::type_name(name);
        if let Some(other) = types.insert(ty.clone(), name.clone()) {
            return Err(err(
                ptr,
                format!(
                    "schemas `{other}` (at #/components/schemas/{}) and `{name}` both become the type `{ty}`; rename one",
                    escape(&other)
                ),
            ));
        }
    }
    let mut failure = None;
    for_each_schema(doc, &mut |schema, ptr| {
        if failure.is_none() {
            failure = check_object(doc, schema, ptr).err().map(|(at, m)| err(at, m));
        }
    });
    failure.map_or(Ok(()), Err)
}

/// The properties of one object schema (with those its `allOf` members bring) give
/// distinct fields, none of them the catch-all.
fn check_object(doc: &Value, schema: &Map<String, Value>, ptr: &str) -> Result<(), (String, String)> {
    let mut props: Vec<(String, String)> = Vec::new();
    collect_properties(doc, schema, ptr, 0, &mut props);
    if props.is_empty() {
        return Ok(());
    }
    let open = schema.get("additionalProperties") != Some(&Value::Bool(false));
    let mut fields: BTreeMap<String, (&str, &str)> = BTreeMap::new();
    for (name, at) in &props {
        let field = names::field(name);
        if open && field == CATCH_ALL_FIELD {
            return Err((
                at.clone(),
                format!(
                    "property `{name}` becomes the field `{CATCH_ALL_FIELD}`, which keeps the unknown properties of an open object; rename it, or close the object with `additionalProperties: false`"
                ),
            ));
        }
        if let Some((other, other_at)) = fields.insert(field.clone(), (name, at)) {
            if other == name {
                continue; // The same property repeated by an `allOf` member.
            }
            return Err((
                at.clone(),
                format!(
                    "properties `{other}` (at #{other_at}) and `{name}` both become the field `{field}`; rename one"
                ),
            ));
        }
    }
    Ok(())
}

fn collect_properties(
    doc: &Value,
    schema: &Map<String, Value>,
    ptr: &str,
    depth: usize,
    out: &mut Vec<(String, String)>,
) {
    if depth > MAX_ALL_OF_DEPTH {
        return;
    }
    for name in schema.get("properties").and_then(Value::as_object).into_iter().flat_map(|m| m.keys()) {
        out.push((name.clone(), format!("{ptr}/properties/{}", escape(name))));
    }
    for (i, member) in schema.get("allOf").and_then(Value::as_array).into_iter().flatten().enumerate() {
        let (member, at) = match member.get("$ref").and_then(Value::as_str) {
            Some(r) => (resolve(doc, member), r.trim_start_matches('#').to_string()),
            None => (Some(member), format!("{ptr}/allOf/{i}")),
        };
        if let Some(m) = member.and_then(Value::as_object) {
            collect_properties(doc, m, &at, depth + 1, out);
        }
    }
}

/// Calls `f` on every schema object of the document (component schemas, and the schemas of
/// parameters, bodies and responses, with their sub-schemas), never inside examples.
pub fn for_each_schema(doc: &Value, f: &mut dyn FnMut(&Map<String, Value>, &str)) {
    walk_document(doc, "", f);
}

fn walk_document(v: &Value, ptr: &str, f: &mut dyn FnMut(&Map<String, Value>, &str)) {
    match v {
        Value::Object(map) => {
            for (k, c) in map {
                let c_ptr = format!("{ptr}/{}", escape(k));
                match k.as_str() {
                    "example" | "examples" => {}
                    "schema" => walk_schema(c, &c_ptr, f),
                    "schemas" if ptr == "/components" => {
                        for (name, s) in c.as_object().into_iter().flatten() {
                            walk_schema(s, &format!("{c_ptr}/{}", escape(name)), f);
                        }
                    }
                    _ => walk_document(c, &c_ptr, f),
                }
            }
        }
        Value::Array(items) => items.iter().enumerate().for_each(|(i, c)| walk_document(c, &format!("{ptr}/{i}"), f)),
        _ => {}
    }
}

fn walk_schema(v: &Value, ptr: &str, f: &mut dyn FnMut(&Map<String, Value>, &str)) {
    let Some(map) = v.as_object() else { return };
    f(map, ptr);
    for (name, c) in map.get("properties").and_then(Value::as_object).into_iter().flatten() {
        walk_schema(c, &format!("{ptr}/properties/{}", escape(name)), f);
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(c) = map.get(key) {
            walk_schema(c, &format!("{ptr}/{key}"), f);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for (i, c) in map.get(key).and_then(Value::as_array).into_iter().flatten().enumerate() {
            walk_schema(c, &format!("{ptr}/{key}/{i}"), f);
        }
    }
}
