//! Stage 4: an in-memory copy of the spec that progenitor can take. `specs/` stays true to
//! the wire; what is changed here is restored by the emitted wrappers.
//!
//! * Error responses are removed: every non-2xx answer then reaches our `send()` wrapper
//!   unread, which keeps status, headers and the raw body (progenitor allows one error
//!   schema per operation and prints whole bodies in its errors).
//! * 200 with a body plus 204 without: only the 200 is kept; `send()` returns `Option`.
//! * Several request media types: the JSON one (else the first) is kept.
//! * Response objects get `additionalProperties: {}` so undocumented fields are kept in
//!   `extra` instead of dropped.
//! * `format: password` strings become `$ref` to a schema replaced by `streamkit_runtime::Secret`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::validate::{METHODS, resolve};

/// Name of the component schema standing for secrets in the adapted copy.
pub const SECRET_SCHEMA: &str = "StreamkitSecret";

/// What was changed for one operation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OperationAdaptation {
    /// 200 + 204: `send()` returns `Option`.
    pub optional_success: bool,
    /// Request media types dropped (the first kept one is sent).
    pub dropped_request_media: Vec<String>,
    /// Error statuses removed (read by the runtime instead).
    pub error_statuses: Vec<String>,
}

/// The adapted document and what changed, by operation id.
#[derive(Debug, Clone)]
pub struct Adapted {
    /// The copy handed to progenitor.
    pub doc: Value,
    /// Per operation id.
    pub operations: BTreeMap<String, OperationAdaptation>,
}

/// Adapts a validated document. Returns an error message with a pointer when the document
/// has a shape we cannot adapt.
pub fn adapt(original: &Value) -> Result<Adapted, (String, String)> {
    let mut doc = original.clone();
    let response_schemas = schemas_reachable_from_responses(original);
    let mut operations = BTreeMap::new();

    let paths: Vec<String> =
        doc.get("paths").and_then(Value::as_object).map(|m| m.keys().cloned().collect()).unwrap_or_default();
    for path in paths {
        for method in METHODS {
            let ptr = format!("/paths/{}/{method}", path.replace('~', "~0").replace('/', "~1"));
            let Some(op) = doc.pointer(&ptr).cloned() else { continue };
            let id = op.get("operationId").and_then(Value::as_str).unwrap_or_default().to_string();
            let mut a = OperationAdaptation::default();
            let mut op = op;
            adapt_responses(original, &mut op, &mut a, &ptr)?;
            adapt_request_body(original, &mut op, &mut a);
            if let Some(slot) = doc.pointer_mut(&ptr) {
                *slot = op;
            }
            operations.insert(id, a);
        }
    }

    // Inline schemas under responses keep extra fields; request-only schemas do not need to.
    let paths_ptrs: Vec<String> = collect_response_schema_ptrs(&doc);
    for p in paths_ptrs {
        if let Some(s) = doc.pointer_mut(&p) {
            open_objects(s);
        }
    }
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for (name, s) in schemas.iter_mut() {
            if response_schemas.contains(name) {
                open_objects(s);
            }
        }
    }
    // Request bodies: an optional array must be able to go out empty (`tags: []` clears the
    // tags on Twitch), so it becomes `Option<Vec<_>>` rather than a Vec skipped when empty.
    for p in collect_request_schema_ptrs(&doc) {
        if let Some(s) = doc.pointer_mut(&p) {
            optional_arrays_nullable(s);
        }
    }
    let request_only: Vec<String> =
        schemas_reachable_from_requests(original).into_iter().filter(|n| !response_schemas.contains(n)).collect();
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for name in request_only {
            if let Some(s) = schemas.get_mut(&name) {
                optional_arrays_nullable(s);
            }
        }
    }
    replace_secrets(&mut doc);
    let has_secret = contains_secret_ref(&doc);
    if has_secret {
        let comps = doc.as_object_mut().and_then(|d| {
            d.entry("components")
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .map(|c| c.entry("schemas").or_insert_with(|| json!({})))
        });
        if let Some(Value::Object(schemas)) = comps {
            schemas.insert(
                SECRET_SCHEMA.into(),
                json!({"type": "string", "description": "A secret (replaced by streamkit_runtime::Secret)."}),
            );
        }
    }
    Ok(Adapted { doc, operations })
}

fn adapt_responses(
    doc: &Value,
    op: &mut Value,
    a: &mut OperationAdaptation,
    ptr: &str,
) -> Result<(), (String, String)> {
    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else { return Ok(()) };
    let codes: Vec<String> = responses.keys().cloned().collect();
    let mut json_kinds: Vec<(String, Value)> = Vec::new();
    let mut empty_2xx: Vec<String> = Vec::new();
    for code in &codes {
        let success = code.starts_with('2');
        if !success {
            a.error_statuses.push(code.clone());
            responses.remove(code);
            continue;
        }
        let resp = responses.get(code).cloned().unwrap_or(Value::Null);
        let resp = resolve(doc, &resp).cloned().unwrap_or(resp);
        match resp.get("content").and_then(Value::as_object) {
            Some(c) if !c.is_empty() => {
                let schema = c.values().next().and_then(|m| m.get("schema")).cloned().unwrap_or(Value::Null);
                json_kinds.push((code.clone(), schema));
            }
            _ => empty_2xx.push(code.clone()),
        }
    }
    if let Some((first_code, first)) = json_kinds.first() {
        if let Some((code, _)) = json_kinds.iter().find(|(_, s)| s != first) {
            return Err((
                format!("{ptr}/responses/{code}"),
                format!(
                    "success responses {first_code} and {code} have different bodies; one operation can return one success type"
                ),
            ));
        }
        if !empty_2xx.is_empty() {
            a.optional_success = true;
            for code in &empty_2xx {
                responses.remove(code);
            }
        }
    }
    Ok(())
}

fn adapt_request_body(doc: &Value, op: &mut Value, a: &mut OperationAdaptation) {
    let Some(body) = op.get_mut("requestBody") else { return };
    if let Some(resolved) = resolve(doc, body).cloned() {
        *body = resolved;
    }
    let Some(content) = body.get_mut("content").and_then(Value::as_object_mut) else { return };
    if content.len() <= 1 {
        return;
    }
    let keep = if content.contains_key("application/json") {
        "application/json".to_string()
    } else {
        content.keys().next().cloned().unwrap_or_default()
    };
    let mut kept = Map::new();
    for (media, m) in std::mem::take(content) {
        if media == keep {
            kept.insert(media, m);
        } else {
            a.dropped_request_media.push(media);
        }
    }
    *content = kept;
}

fn collect_response_schema_ptrs(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(*method) else { continue };
            for (code, resp) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
                for (media, _) in resp.get("content").and_then(Value::as_object).into_iter().flatten() {
                    out.push(format!(
                        "/paths/{}/{method}/responses/{code}/content/{}/schema",
                        path.replace('~', "~0").replace('/', "~1"),
                        media.replace('~', "~0").replace('/', "~1")
                    ));
                }
            }
        }
    }
    for (name, _) in doc.pointer("/components/responses").and_then(Value::as_object).into_iter().flatten() {
        for (media, _) in doc
            .pointer(&format!("/components/responses/{name}/content"))
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            out.push(format!("/components/responses/{name}/content/{}/schema", media.replace('/', "~1")));
        }
    }
    out
}

/// Names of component schemas a response can contain (transitively).
fn schemas_reachable_from_responses(doc: &Value) -> BTreeSet<String> {
    reachable_from(doc, "responses")
}

/// Names of component schemas a request body can contain (transitively).
fn schemas_reachable_from_requests(doc: &Value) -> BTreeSet<String> {
    reachable_from(doc, "requestBody")
}

fn collect_request_schema_ptrs(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        for method in METHODS {
            let Some(body) = item.get(*method).and_then(|o| o.get("requestBody")) else { continue };
            for (media, _) in body.get("content").and_then(Value::as_object).into_iter().flatten() {
                out.push(format!(
                    "/paths/{}/{method}/requestBody/content/{}/schema",
                    path.replace('~', "~0").replace('/', "~1"),
                    media.replace('~', "~0").replace('/', "~1")
                ));
            }
        }
    }
    out
}

/// Marks optional array properties `nullable`, recursively, so they generate as `Option<Vec>`.
fn optional_arrays_nullable(schema: &mut Value) {
    let Some(m) = schema.as_object_mut() else { return };
    let required: Vec<String> = m
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(|x| x.as_str().map(String::from)).collect())
        .unwrap_or_default();
    if let Some(Value::Object(props)) = m.get_mut("properties") {
        for (name, p) in props.iter_mut() {
            if !required.contains(name)
                && p.get("type").and_then(Value::as_str) == Some("array")
                && let Some(o) = p.as_object_mut()
            {
                o.insert("nullable".into(), Value::Bool(true));
            }
            optional_arrays_nullable(p);
        }
    }
    if let Some(items) = m.get_mut("items") {
        optional_arrays_nullable(items);
    }
}

fn reachable_from(doc: &Value, key: &str) -> BTreeSet<String> {
    let mut todo: Vec<String> = Vec::new();
    for (_, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        for method in METHODS {
            if let Some(resps) = item.get(*method).and_then(|o| o.get(key)) {
                refs_in(resps, doc, &mut todo);
            }
        }
    }
    let mut seen = BTreeSet::new();
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone())
            && let Some(s) = doc.pointer(&format!("/components/schemas/{name}"))
        {
            refs_in(s, doc, &mut todo);
        }
    }
    seen
}

fn refs_in(v: &Value, doc: &Value, out: &mut Vec<String>) {
    refs_in_following(v, doc, out, &mut BTreeSet::new());
}

/// `followed`: the non-schema `$ref`s already followed, so a reference to one of its own
/// ancestors (`content: {$ref: '#/paths/~1a/get'}`) is expanded once, not until the stack
/// overflows (found by fuzz/ `spec_mutations`).
fn refs_in_following(v: &Value, doc: &Value, out: &mut Vec<String>, followed: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                if let Some(name) = r.strip_prefix("#/components/schemas/") {
                    out.push(name.to_string());
                } else if let Some(target) = r.strip_prefix('#').and_then(|p| doc.pointer(p))
                    && followed.insert(r.to_string())
                {
                    refs_in_following(target, doc, out, followed);
                }
            }
            for (k, c) in m {
                if k != "example" && k != "examples" {
                    refs_in_following(c, doc, out, followed);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|c| refs_in_following(c, doc, out, followed)),
        _ => {}
    }
}

/// Adds `additionalProperties: {}` to every object schema with properties that says nothing
/// about extra fields, recursing through the schema keywords (never into examples).
fn open_objects(schema: &mut Value) {
    let Some(m) = schema.as_object_mut() else { return };
    if m.contains_key("properties") && !m.contains_key("additionalProperties") {
        m.insert("additionalProperties".into(), json!({}));
    }
    if let Some(Value::Object(props)) = m.get_mut("properties") {
        props.values_mut().for_each(open_objects);
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child) = m.get_mut(key)
            && child.is_object()
        {
            open_objects(child);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(items)) = m.get_mut(key) {
            items.iter_mut().for_each(open_objects);
        }
    }
}

/// Replaces every `{type: string, format: password}` schema by a `$ref` to [`SECRET_SCHEMA`].
fn replace_secrets(v: &mut Value) {
    match v {
        Value::Object(m) => {
            let is_secret = m.get("type").and_then(Value::as_str) == Some("string")
                && m.get("format").and_then(Value::as_str) == Some("password");
            if is_secret {
                *v = json!({"$ref": format!("#/components/schemas/{SECRET_SCHEMA}")});
                return;
            }
            for (k, c) in m.iter_mut() {
                if k != "example" && k != "examples" {
                    replace_secrets(c);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(replace_secrets),
        _ => {}
    }
}

fn contains_secret_ref(v: &Value) -> bool {
    match v {
        Value::Object(m) => {
            m.get("$ref")
                .and_then(Value::as_str)
                .is_some_and(|r| r.strip_prefix("#/components/schemas/") == Some(SECRET_SCHEMA))
                || m.iter().any(|(k, c)| k != "example" && k != "examples" && contains_secret_ref(c))
        }
        Value::Array(a) => a.iter().any(contains_secret_ref),
        _ => false,
    }
}
