//! The normalized model `diff` compares: operations keyed by method and path, and schemas
//! with every `$ref` resolved (a shared schema appears, whole, under each operation that
//! uses it). Every node keeps the JSON pointer of its definition, so a change can point
//! at the spec line that made it.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToUpperCamelCase;
use serde_json::Value;
use streamkit_codegen::error::escape;
use streamkit_codegen::validate::METHODS;

/// One spec file, normalized.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Operations by key (`GET /users/{}`: path parameters anonymised, since their names
    /// are not on the wire).
    pub operations: BTreeMap<String, Operation>,
    /// Component schema names.
    pub components: BTreeSet<String>,
    /// Component schemas reachable from some operation.
    pub used_components: BTreeSet<String>,
    /// `info` (title, version, description) for the docs check.
    pub info: Value,
}

/// One operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Upper-case method.
    pub method: String,
    /// Path template as written.
    pub path: String,
    /// `operationId`.
    pub id: Option<String>,
    /// `/paths/<path>/<method>`.
    pub pointer: String,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `deprecated`.
    pub deprecated: bool,
    /// Path-level and operation-level parameters (the latter win).
    pub params: Vec<Param>,
    /// `requestBody`.
    pub body: Option<Body>,
    /// Responses by status code.
    pub responses: BTreeMap<String, Response>,
    /// Effective security: alternatives, each scheme → scopes. One empty alternative means
    /// anonymous calls are accepted.
    pub security: Vec<BTreeMap<String, BTreeSet<String>>>,
    /// Where that security comes from.
    pub security_pointer: String,
}

/// A parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// `name`.
    pub name: String,
    /// `in`.
    pub location: String,
    /// `required`.
    pub required: bool,
    /// `deprecated`.
    pub deprecated: bool,
    /// `description`.
    pub description: Option<String>,
    /// `schema`.
    pub schema: Option<Schema>,
    /// Where it is defined.
    pub pointer: String,
    /// For path parameters: position in the template (the identity on the wire).
    pub position: Option<usize>,
}

impl Param {
    /// Identity on the wire: path parameters by position, others by location and name.
    pub fn key(&self) -> (String, String) {
        match self.position {
            Some(i) => ("path".into(), format!("#{i}")),
            None => (self.location.clone(), self.name.clone()),
        }
    }
}

/// A request body.
#[derive(Debug, Clone)]
pub struct Body {
    /// `required`.
    pub required: bool,
    /// `description`.
    pub description: Option<String>,
    /// Where it is defined.
    pub pointer: String,
    /// Media types.
    pub media: BTreeMap<String, Media>,
}

/// One media type of a body.
#[derive(Debug, Clone)]
pub struct Media {
    /// Its schema.
    pub schema: Option<Schema>,
    /// Where it is defined.
    pub pointer: String,
}

/// A response.
#[derive(Debug, Clone)]
pub struct Response {
    /// `description`.
    pub description: Option<String>,
    /// Where it is defined (after `$ref`).
    pub pointer: String,
    /// Media types.
    pub media: BTreeMap<String, Media>,
    /// Header names → pointer.
    pub headers: BTreeMap<String, String>,
}

/// A schema with `$ref`s resolved.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    /// Component name when reached through `$ref: #/components/schemas/<name>`.
    pub name: Option<String>,
    /// Where it is defined.
    pub pointer: String,
    /// `type` (inferred `object` / `array` from `properties` / `items`).
    pub ty: Option<String>,
    /// `format`.
    pub format: Option<String>,
    /// `nullable`.
    pub nullable: bool,
    /// `deprecated`.
    pub deprecated: bool,
    /// `description`.
    pub description: Option<String>,
    /// `enum`.
    pub enum_values: Option<Vec<Value>>,
    /// `properties`.
    pub properties: BTreeMap<String, Schema>,
    /// `required`.
    pub required: BTreeSet<String>,
    /// `items`.
    pub items: Option<Box<Schema>>,
    /// `additionalProperties` as a schema.
    pub additional: Option<Box<Schema>>,
    /// `additionalProperties: false`.
    pub closed: bool,
    /// `allOf`, `oneOf`, `anyOf`.
    pub composition: BTreeMap<String, Vec<Schema>>,
    /// Validation keywords (`minimum`, `maxLength`, `pattern`, …).
    pub constraints: BTreeMap<String, Value>,
    /// A `$ref` back to a schema being expanded: not expanded again.
    pub recursive: bool,
}

/// Validation keywords compared as constraints.
pub const CONSTRAINTS: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
];

impl Schema {
    /// What goes on the wire, without names, pointers or descriptions: two schemas with the
    /// same shape accept and produce the same JSON.
    pub fn shape(&self) -> Value {
        let mut m = serde_json::Map::new();
        if self.recursive {
            m.insert("recursive".into(), Value::String(self.name.clone().unwrap_or_default()));
            return Value::Object(m);
        }
        let put = |m: &mut serde_json::Map<String, Value>, k: &str, v: Value| {
            if !v.is_null() {
                m.insert(k.into(), v);
            }
        };
        put(&mut m, "type", self.ty.clone().map(Value::String).unwrap_or(Value::Null));
        put(&mut m, "format", self.format.clone().map(Value::String).unwrap_or(Value::Null));
        if self.nullable {
            m.insert("nullable".into(), Value::Bool(true));
        }
        if let Some(e) = &self.enum_values {
            m.insert("enum".into(), Value::Array(e.clone()));
        }
        if !self.properties.is_empty() {
            let props = self.properties.iter().map(|(k, v)| (k.clone(), v.shape())).collect();
            m.insert("properties".into(), Value::Object(props));
        }
        if !self.required.is_empty() {
            m.insert("required".into(), self.required.iter().cloned().map(Value::String).collect());
        }
        if let Some(i) = &self.items {
            m.insert("items".into(), i.shape());
        }
        if let Some(a) = &self.additional {
            m.insert("additionalProperties".into(), a.shape());
        }
        if self.closed {
            m.insert("additionalProperties".into(), Value::Bool(false));
        }
        for (k, list) in &self.composition {
            m.insert(k.clone(), list.iter().map(Schema::shape).collect());
        }
        for (k, v) in &self.constraints {
            m.insert(k.clone(), v.clone());
        }
        Value::Object(m)
    }

    /// Whether typify gives this schema a named Rust type of its own (a struct or an enum)
    /// when it is written inline.
    pub fn is_named_kind(&self) -> bool {
        self.enum_values.is_some() || !self.properties.is_empty() || !self.composition.is_empty()
    }

    /// The Rust type the generated code uses for this schema, as typify maps it (an
    /// approximation good enough to tell whether a change changes the type). `inline` is
    /// the name typify would give an inline struct or enum.
    pub fn rust_type(&self, inline: &str) -> String {
        let inner = self.rust_type_inner(inline);
        if self.nullable { format!("Option<{inner}>") } else { inner }
    }

    fn rust_type_inner(&self, inline: &str) -> String {
        if let Some(n) = &self.name {
            return format!("types::{}", rust_type_name(n));
        }
        if self.is_named_kind() {
            return format!("types::{inline}");
        }
        let c = |k: &str| self.constraints.get(k);
        match self.ty.as_deref() {
            Some("string") => match self.format.as_deref() {
                Some("date-time") => "DateTime<Utc>".into(),
                Some("password") => "Secret".into(),
                Some("date") => "NaiveDate".into(),
                Some("uuid") => "Uuid".into(),
                _ if c("minLength").is_some() || c("maxLength").is_some() || c("pattern").is_some() => {
                    format!("types::{inline} (a checked String newtype)")
                }
                _ => "String".into(),
            },
            Some("integer") => {
                let min = c("minimum").and_then(Value::as_f64);
                let bits = if self.format.as_deref() == Some("int32") { 32 } else { 64 };
                match min {
                    Some(m) if m >= 1.0 => format!("NonZeroU{bits}"),
                    Some(m) if m >= 0.0 => format!("u{bits}"),
                    _ => format!("i{bits}"),
                }
            }
            Some("number") => if self.format.as_deref() == Some("float") { "f32" } else { "f64" }.into(),
            Some("boolean") => "bool".into(),
            Some("array") => {
                let item = self
                    .items
                    .as_ref()
                    .map(|i| i.rust_type(&format!("{inline}Item")))
                    .unwrap_or_else(|| "Value".into());
                format!("Vec<{item}>")
            }
            Some("object") => match &self.additional {
                Some(a) => format!("Map<String, {}>", a.rust_type(&format!("{inline}Value"))),
                None => "Map<String, Value>".into(),
            },
            _ => "Value".into(),
        }
    }

    /// The Rust type of a struct field holding this schema (`required` in its parent).
    pub fn field_type(&self, required: bool, inline: &str) -> String {
        let t = self.rust_type(inline);
        if required || t.starts_with("Option<") {
            t
        } else if t.starts_with("Vec<") || t.starts_with("Map<") {
            // typify defaults optional arrays and maps to empty instead of wrapping them.
            t
        } else {
            format!("Option<{t}>")
        }
    }
}

/// The Rust type name typify gives a component.
pub fn rust_type_name(component: &str) -> String {
    component.to_upper_camel_case()
}

/// Follows local `$ref`s from `v` (found at `ptr`): the target and its pointer.
pub fn deref<'a>(doc: &'a Value, v: &'a Value, ptr: &str) -> Result<(&'a Value, String), String> {
    let mut cur = v;
    let mut at = ptr.to_string();
    for _ in 0..32 {
        let Some(r) = cur.get("$ref") else { return Ok((cur, at)) };
        let r = r.as_str().ok_or_else(|| format!("`$ref` at #{at}/$ref is not a string"))?;
        let target = r
            .strip_prefix('#')
            .ok_or_else(|| format!("`$ref: {r}` at #{at}/$ref is not a local reference (`#/...`)"))?;
        cur = doc.pointer(target).ok_or_else(|| format!("`$ref: {r}` at #{at}/$ref points at nothing"))?;
        at = target.to_string();
    }
    Err(format!("the `$ref` chain at #{ptr} does not end (a cycle of references?)"))
}

fn component_name(pointer: &str) -> Option<String> {
    let rest = pointer.strip_prefix("/components/schemas/")?;
    (!rest.contains('/')).then(|| rest.replace("~1", "/").replace("~0", "~"))
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// Builds the schema at `ptr` (the value `v`), expanding `$ref`s. `stack` holds the
/// pointers being expanded, to stop at recursive schemas.
pub fn schema(doc: &Value, v: &Value, ptr: &str, stack: &mut Vec<String>) -> Result<Schema, String> {
    let mut name = None;
    let (v, at) = if let Some(r) = v.get("$ref").and_then(Value::as_str) {
        let target = r.strip_prefix('#').unwrap_or(r).to_string();
        name = component_name(&target);
        if stack.contains(&target) {
            return Ok(Schema { name, pointer: target, recursive: true, ..Schema::default() });
        }
        deref(doc, v, ptr)?
    } else {
        (v, ptr.to_string())
    };
    if name.is_none() {
        name = component_name(&at);
    }
    stack.push(at.clone());
    let (ty, null_in_type) = schema_type(v);
    let mut s = Schema {
        name,
        pointer: at.clone(),
        ty,
        format: text(v, "format"),
        nullable: null_in_type || v.get("nullable") == Some(&Value::Bool(true)),
        deprecated: v.get("deprecated") == Some(&Value::Bool(true)),
        description: text(v, "description"),
        // JSON Schema's `const` (AsyncAPI payloads) is an enum of one value.
        enum_values: v
            .get("enum")
            .and_then(Value::as_array)
            .cloned()
            .or_else(|| v.get("const").map(|c| vec![c.clone()])),
        ..Schema::default()
    };
    for (k, p) in v.get("properties").and_then(Value::as_object).into_iter().flatten() {
        let child = schema(doc, p, &format!("{at}/properties/{}", escape(k)), stack)?;
        s.properties.insert(k.clone(), child);
    }
    s.required = v
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    if let Some(i) = v.get("items") {
        s.items = Some(Box::new(schema(doc, i, &format!("{at}/items"), stack)?));
    }
    match v.get("additionalProperties") {
        Some(Value::Bool(false)) => s.closed = true,
        Some(a @ Value::Object(o)) if !o.is_empty() => {
            s.additional = Some(Box::new(schema(doc, a, &format!("{at}/additionalProperties"), stack)?));
        }
        _ => {}
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(list) = v.get(key).and_then(Value::as_array) {
            let mut out = Vec::new();
            for (i, item) in list.iter().enumerate() {
                out.push(schema(doc, item, &format!("{at}/{key}/{i}"), stack)?);
            }
            s.composition.insert(key.into(), out);
        }
    }
    for key in CONSTRAINTS {
        if let Some(c) = v.get(*key) {
            s.constraints.insert((*key).into(), c.clone());
        }
    }
    if s.ty.is_none() {
        if !s.properties.is_empty() || s.additional.is_some() {
            s.ty = Some("object".into());
        } else if s.items.is_some() {
            s.ty = Some("array".into());
        }
    }
    stack.pop();
    Ok(s)
}

/// `type` as OpenAPI writes it (`string`) or as JSON Schema may (`[string, "null"]`, in
/// AsyncAPI payloads): the type, and whether `null` is among the types.
fn schema_type(v: &Value) -> (Option<String>, bool) {
    match v.get("type") {
        Some(Value::String(t)) => (Some(t.clone()), false),
        Some(Value::Array(types)) => {
            let names: Vec<&str> = types.iter().filter_map(Value::as_str).collect();
            let others: Vec<&str> = names.iter().copied().filter(|t| *t != "null").collect();
            let ty = match others.as_slice() {
                [one] => Some((*one).to_string()),
                [] => Some("null".to_string()),
                many => Some(many.join("|")),
            };
            (ty, names.contains(&"null"))
        }
        _ => (None, false),
    }
}

/// `/users/{id}` → `/users/{}`: path parameter names are not on the wire.
pub fn normalize_path(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        match rest[start..].find('}') {
            Some(len) => {
                out.push_str("{}");
                rest = &rest[start + len + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn path_position(path: &str, name: &str) -> Option<usize> {
    path.split('{').skip(1).position(|seg| seg.split('}').next() == Some(name))
}

fn media(doc: &Value, v: &Value, ptr: &str) -> Result<BTreeMap<String, Media>, String> {
    let mut out = BTreeMap::new();
    for (m, mv) in v.get("content").and_then(Value::as_object).into_iter().flatten() {
        let mptr = format!("{ptr}/content/{}", escape(m));
        let schema = match mv.get("schema") {
            Some(s) => Some(schema(doc, s, &format!("{mptr}/schema"), &mut Vec::new())?),
            None => None,
        };
        out.insert(m.clone(), Media { schema, pointer: mptr });
    }
    Ok(out)
}

fn security(v: &Value) -> Vec<BTreeMap<String, BTreeSet<String>>> {
    let list = v.as_array().cloned().unwrap_or_default();
    let mut out: Vec<BTreeMap<String, BTreeSet<String>>> = list
        .iter()
        .map(|req| {
            req.as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, scopes)| {
                            let s = scopes
                                .as_array()
                                .into_iter()
                                .flatten()
                                .filter_map(Value::as_str)
                                .map(str::to_string)
                                .collect();
                            (k.clone(), s)
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect();
    if out.is_empty() {
        out.push(BTreeMap::new());
    }
    out
}

/// Normalizes a parsed document. Errors name the JSON pointer of the problem.
pub fn spec(doc: &Value) -> Result<Spec, String> {
    if super::asyncapi::is_asyncapi(doc) {
        return super::asyncapi::spec(doc);
    }
    let mut operations = BTreeMap::new();
    let paths = match doc.get("paths") {
        None => None,
        Some(Value::Object(p)) => Some(p),
        Some(_) => return Err("`paths` (at #/paths) is not a mapping".into()),
    };
    for (path, item) in paths.into_iter().flatten() {
        let item_ptr = format!("/paths/{}", escape(path));
        let (item, item_ptr) = deref(doc, item, &item_ptr)?;
        for method in METHODS {
            let Some(op) = item.get(*method) else { continue };
            if !op.is_object() {
                return Err(format!("the operation at #{item_ptr}/{method} is not a mapping"));
            }
            let ptr = format!("{item_ptr}/{method}");
            let mut params: Vec<Param> = Vec::new();
            for (src, src_ptr) in [(item, item_ptr.clone()), (op, ptr.clone())] {
                for (i, p) in src.get("parameters").and_then(Value::as_array).into_iter().flatten().enumerate() {
                    let (p, pptr) = deref(doc, p, &format!("{src_ptr}/parameters/{i}"))?;
                    let name = text(p, "name").unwrap_or_default();
                    let location = text(p, "in").unwrap_or_default();
                    let schema = match p.get("schema") {
                        Some(s) => Some(schema(doc, s, &format!("{pptr}/schema"), &mut Vec::new())?),
                        None => None,
                    };
                    let position = if location == "path" { path_position(path, &name) } else { None };
                    params.retain(|q| !(q.name == name && q.location == location));
                    params.push(Param {
                        required: p.get("required") == Some(&Value::Bool(true)),
                        deprecated: p.get("deprecated") == Some(&Value::Bool(true)),
                        description: text(p, "description"),
                        name,
                        location,
                        schema,
                        pointer: pptr,
                        position,
                    });
                }
            }
            let body = match op.get("requestBody") {
                Some(b) => {
                    let (b, bptr) = deref(doc, b, &format!("{ptr}/requestBody"))?;
                    Some(Body {
                        required: b.get("required") == Some(&Value::Bool(true)),
                        description: text(b, "description"),
                        media: media(doc, b, &bptr)?,
                        pointer: bptr,
                    })
                }
                None => None,
            };
            let mut responses = BTreeMap::new();
            for (code, r) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
                let (r, rptr) = deref(doc, r, &format!("{ptr}/responses/{}", escape(code)))?;
                let headers = r
                    .get("headers")
                    .and_then(Value::as_object)
                    .map(|h| {
                        h.keys().map(|k| (k.to_ascii_lowercase(), format!("{rptr}/headers/{}", escape(k)))).collect()
                    })
                    .unwrap_or_default();
                responses.insert(
                    code.clone(),
                    Response {
                        description: text(r, "description"),
                        media: media(doc, r, &rptr)?,
                        headers,
                        pointer: rptr,
                    },
                );
            }
            let (sec, sec_ptr) = match op.get("security") {
                Some(s) => (security(s), format!("{ptr}/security")),
                None => (security(doc.get("security").unwrap_or(&Value::Null)), "/security".to_string()),
            };
            let o = Operation {
                method: method.to_uppercase(),
                path: path.clone(),
                id: text(op, "operationId"),
                pointer: ptr.clone(),
                summary: text(op, "summary"),
                description: text(op, "description"),
                deprecated: op.get("deprecated") == Some(&Value::Bool(true)),
                params,
                body,
                responses,
                security: sec,
                security_pointer: sec_ptr,
            };
            operations.insert(format!("{} {}", o.method, normalize_path(path)), o);
        }
    }
    let components: BTreeSet<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let mut used_components = BTreeSet::new();
    for op in operations.values() {
        let mut visit = |s: &Schema| collect_names(s, &mut used_components);
        op.params.iter().filter_map(|p| p.schema.as_ref()).for_each(&mut visit);
        op.body.iter().flat_map(|b| b.media.values()).filter_map(|m| m.schema.as_ref()).for_each(&mut visit);
        op.responses.values().flat_map(|r| r.media.values()).filter_map(|m| m.schema.as_ref()).for_each(&mut visit);
    }
    Ok(Spec { operations, components, used_components, info: doc.get("info").cloned().unwrap_or(Value::Null) })
}

/// Adds the component names `s` reaches.
pub fn collect_names(s: &Schema, out: &mut BTreeSet<String>) {
    if let Some(n) = &s.name {
        out.insert(n.clone());
    }
    s.properties.values().for_each(|p| collect_names(p, out));
    s.items.iter().for_each(|i| collect_names(i, out));
    s.additional.iter().for_each(|a| collect_names(a, out));
    s.composition.values().flatten().for_each(|c| collect_names(c, out));
}
