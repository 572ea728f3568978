//! Our own rules, beyond what makes a valid OpenAPI document. Each finding names the rule,
//! the file and the JSON pointer.
//!
//! | rule | what it wants |
//! |---|---|
//! | `operation-id`, `summary`, `description` | every operation has them (non-empty) |
//! | `error-responses` | every operation documents at least one 4xx response |
//! | `success-example` | every 2xx response body has an `example` or `examples` |
//! | `request-example` | every request body has an `example` or `examples` |
//! | `example-valid` | every example validates against its schema |
//! | `string-ids` | a property or parameter named `id`, `*_id` or `*_ids` is a string or an array of strings (not for Mixer, whose ids are integers) |
//! | `pagination-missing` | an operation with `first`/`after`/`cursor` parameters or a `pagination` response field declares `x-streamkit-pagination` |
//! | `pagination-params`, `pagination-response` | the names in `x-streamkit-pagination` exist: its query parameters, its body paths (`''`: the body is an array), the response headers it reads |
//! | `extension-unknown`, `extension-misplaced`, `extension-malformed` | every `x-streamkit-*` key is known, where it belongs, and well formed |

use std::fmt;

use serde_json::Value;
use streamkit_spec::extensions::{self, Pagination};
use streamkit_spec::openapi::{METHODS, parameters};
use streamkit_spec::pointer::{escape, segments};
use streamkit_spec::refs::resolve;
use streamkit_spec::schema::{Direction, ValidatorCache};
use streamkit_spec::vocabulary::{self, Problem};
use streamkit_spec::{Document, SpecKind};

/// One problem.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// The spec file, as shown.
    pub file: String,
    /// JSON pointer into it.
    pub pointer: String,
    /// The rule.
    pub rule: &'static str,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}: [{}] {}", self.file, self.pointer, self.rule, self.message)
    }
}

struct Out<'a> {
    file: &'a str,
    doc: &'a Value,
    /// Compiled example validators, by schema pointer and direction.
    schemas: ValidatorCache,
    findings: Vec<Finding>,
}

impl Out<'_> {
    fn add(&mut self, pointer: impl Into<String>, rule: &'static str, message: impl Into<String>) {
        self.findings.push(Finding {
            file: self.file.to_string(),
            pointer: pointer.into(),
            rule,
            message: message.into(),
        });
    }
}

/// Follows `$ref`s (chains included).
fn deref<'a>(doc: &'a Value, mut v: &'a Value) -> &'a Value {
    for _ in 0..32 {
        match resolve(doc, v) {
            Some(t) => v = t,
            None => break,
        }
    }
    v
}

/// Runs every rule on a parsed document.
pub fn check(file: &str, doc: &Value) -> Vec<Finding> {
    let shown = Document { file: file.into(), kind: SpecKind::OpenApi, doc: doc.clone() };
    let mut out = Out { file, doc, schemas: ValidatorCache::new(shown), findings: Vec::new() };
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        let item_ptr = format!("/paths/{}", escape(path));
        for method in METHODS {
            let Some(op) = item.get(*method).filter(|o| o.is_object()) else { continue };
            operation(&mut out, &format!("{item_ptr}/{method}"), item, op);
        }
    }
    ids_and_examples(&mut out, doc, "");
    extensions_in(&mut out, doc, "");
    out.findings
}

fn non_empty(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_str).is_some_and(|s| !s.trim().is_empty())
}

fn has_example(media: &Value) -> bool {
    media.get("example").is_some() || media.get("examples").and_then(Value::as_object).is_some_and(|e| !e.is_empty())
}

fn operation(out: &mut Out, ptr: &str, item: &Value, op: &Value) {
    let doc = out.doc;
    let name = op
        .get("operationId")
        .and_then(Value::as_str)
        .map_or_else(|| "operation".to_string(), |id| format!("operation `{id}`"));
    if !non_empty(op, "operationId") {
        out.add(ptr, "operation-id", "operation has no `operationId` (it names the generated method)");
    }
    if !non_empty(op, "summary") {
        out.add(ptr, "summary", format!("{name} has no `summary`"));
    }
    if !non_empty(op, "description") {
        out.add(ptr, "description", format!("{name} has no `description`"));
    }
    let responses = op.get("responses").and_then(Value::as_object);
    if !responses.into_iter().flatten().any(|(code, _)| code.starts_with('4')) {
        out.add(
            format!("{ptr}/responses"),
            "error-responses",
            format!("{name} documents no 4xx response; document the errors clients must handle"),
        );
    }
    for (code, resp) in responses.into_iter().flatten().filter(|(c, _)| c.starts_with('2')) {
        let resp = deref(doc, resp);
        for (media, m) in resp.get("content").and_then(Value::as_object).into_iter().flatten() {
            if !has_example(m) {
                let at = format!("{ptr}/responses/{}/content/{}", escape(code), escape(media));
                out.add(
                    at,
                    "success-example",
                    format!("{name}: the {code} `{media}` body has no `example` or `examples`"),
                );
            }
        }
    }
    if let Some(body) = op.get("requestBody") {
        let body = deref(doc, body);
        for (media, m) in body.get("content").and_then(Value::as_object).into_iter().flatten() {
            if !has_example(m) {
                let at = format!("{ptr}/requestBody/content/{}", escape(media));
                out.add(
                    at,
                    "request-example",
                    format!("{name}: the `{media}` request body has no `example` or `examples`"),
                );
            }
        }
    }
    pagination(out, ptr, &name, item, op);
}

/// The schema of the first JSON 2xx response.
fn success_schema<'a>(doc: &'a Value, op: &'a Value) -> Option<&'a Value> {
    let responses = op.get("responses")?.as_object()?;
    responses.iter().filter(|(c, _)| c.starts_with('2')).find_map(|(_, r)| {
        let r = deref(doc, r);
        let content = r.get("content")?.as_object()?;
        let m = content.get("application/json").or_else(|| content.values().next())?;
        m.get("schema").map(|s| deref(doc, s))
    })
}

/// Follows a dotted path (`pagination.cursor`) through `properties`.
fn schema_at<'a>(doc: &'a Value, schema: &'a Value, dotted: &str) -> Option<&'a Value> {
    let mut s = deref(doc, schema);
    for seg in dotted.split('.') {
        s = deref(doc, s.get("properties")?.get(seg)?);
    }
    Some(s)
}

fn pagination(out: &mut Out, ptr: &str, name: &str, item: &Value, op: &Value) {
    let doc = out.doc;
    let params = parameters(item, op, doc);
    let query: Vec<&str> = params
        .iter()
        .filter(|(p, _)| p.get("in").and_then(Value::as_str) == Some("query"))
        .filter_map(|(p, _)| p.get("name").and_then(Value::as_str))
        .collect();
    let body = success_schema(doc, op);
    let has_field = body.and_then(|b| schema_at(doc, b, "pagination")).is_some();
    let paging_params: Vec<&str> = query.iter().copied().filter(|n| ["first", "after", "cursor"].contains(n)).collect();
    let declared = op.get("x-streamkit-pagination");
    if declared.is_none() {
        if !paging_params.is_empty() || has_field {
            let why = if paging_params.is_empty() {
                "its response has a `pagination` field".to_string()
            } else {
                format!("it takes {}", paging_params.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", "))
            };
            out.add(
                ptr,
                "pagination-missing",
                format!("{name} pages ({why}) but declares no `x-streamkit-pagination` (see specs/README.md)"),
            );
        }
        return;
    }
    let Ok(Some(p)) = extensions::read::<Pagination>(op, "x-streamkit-pagination") else { return };
    let at = format!("{ptr}/x-streamkit-pagination");
    for (role, n) in p.parameters() {
        if !query.contains(&n) {
            out.add(
                format!("{at}/request/{role}"),
                "pagination-params",
                format!("{name}: pagination names the query parameter `{n}`, which the operation does not declare"),
            );
            continue;
        }
        // The paginator counts pages and compares page sizes: those parameters are integers.
        let ty = params
            .iter()
            .find(|(q, _)| {
                q.get("in").and_then(Value::as_str) == Some("query") && q.get("name").and_then(Value::as_str) == Some(n)
            })
            .and_then(|(q, _)| q.get("schema"))
            .map(|s| deref(doc, s))
            .and_then(|s| s.get("type"))
            .and_then(Value::as_str);
        if matches!(role, "page" | "page-size") && ty != Some("integer") {
            out.add(
                format!("{at}/request/{role}"),
                "pagination-params",
                format!("{name}: pagination's `request.{role}` parameter `{n}` must be an integer"),
            );
        }
    }
    let Some(body) = body else {
        out.add(
            format!("{at}/response"),
            "pagination-response",
            format!("{name}: pagination needs a JSON success body to find the items in"),
        );
        return;
    };
    let mut paths = vec![("items", p.response.items.as_str(), "array")];
    paths.extend(p.response.cursor.as_deref().map(|c| ("cursor", c, "string")));
    for (role, path, want) in paths {
        let found = if path.is_empty() { Some(body) } else { schema_at(doc, body, path) };
        let what =
            if path.is_empty() { "the success body".to_string() } else { format!("`{path}` in the success body") };
        match found {
            None => out.add(
                format!("{at}/response/{role}"),
                "pagination-response",
                format!("{name}: the success body has no `{path}`"),
            ),
            Some(s) if s.get("type").and_then(Value::as_str).is_some_and(|t| t != want) => out.add(
                format!("{at}/response/{role}"),
                "pagination-response",
                format!("{name}: {what} is not {}", if want == "array" { "an array" } else { "a string" }),
            ),
            Some(_) => {}
        }
    }
    // The headers a header-paged list reads are declared on its success response.
    let declared = success_headers(doc, op);
    for (role, header) in [("link", &p.response.link), ("total", &p.response.total)] {
        if let Some(h) = header
            && !declared.iter().any(|d| d.eq_ignore_ascii_case(h))
        {
            out.add(
                format!("{at}/response/{role}"),
                "pagination-response",
                format!(
                    "{name}: pagination reads the response header `{h}`, which the success response does not declare"
                ),
            );
        }
    }
}

/// The header names the 2xx responses declare.
fn success_headers<'a>(doc: &'a Value, op: &'a Value) -> Vec<&'a str> {
    let Some(responses) = op.get("responses").and_then(Value::as_object) else { return Vec::new() };
    responses
        .iter()
        .filter(|(c, _)| c.starts_with('2'))
        .filter_map(|(_, r)| deref(doc, r).get("headers").and_then(Value::as_object))
        .flat_map(|h| h.keys().map(String::as_str))
        .collect()
}

fn id_like(name: &str) -> bool {
    name == "id" || name.ends_with("_id") || name.ends_with("_ids")
}

/// Whether the `string-ids` rule applies: to services whose ids are opaque strings, i.e. all
/// but those declaring `x-streamkit-service.ids: integer` (Mixer).
fn string_ids_apply(doc: &Value) -> bool {
    doc.pointer("/x-streamkit-service/ids").and_then(Value::as_str) != Some("integer")
}

fn string_or_strings(doc: &Value, s: &Value) -> bool {
    let s = deref(doc, s);
    match s.get("type").and_then(Value::as_str) {
        Some("string") => true,
        Some("array") => {
            s.get("items").is_some_and(|i| deref(doc, i).get("type").and_then(Value::as_str) == Some("string"))
        }
        _ => false,
    }
}

const ID_HINT: &str = "Twitch ids are opaque strings: make it `type: string` (or an array of strings)";

/// Walks the document for parameters, media types, headers and schemas: checks ids and
/// examples. Never descends into example values.
fn ids_and_examples(out: &mut Out, v: &Value, ptr: &str) {
    let doc = out.doc;
    let Some(map) = v.as_object() else {
        if let Some(items) = v.as_array() {
            for (i, c) in items.iter().enumerate() {
                ids_and_examples(out, c, &format!("{ptr}/{i}"));
            }
        }
        return;
    };
    if ptr == "/components/schemas" {
        for (k, s) in map {
            walk_schema(out, s, &format!("{ptr}/{}", escape(k)));
        }
        return;
    }
    // A parameter: its name says whether it is an id.
    if let (Some(name), Some(Value::String(location)), Some(s)) =
        (map.get("name").and_then(Value::as_str), map.get("in"), map.get("schema"))
        && id_like(name)
        && string_ids_apply(doc)
        && !string_or_strings(doc, s)
    {
        out.add(format!("{ptr}/schema"), "string-ids", format!("{location} parameter `{name}` is an id: {ID_HINT}"));
    }
    // Anything with a schema and examples: a parameter, a media type, a header.
    if map.contains_key("schema") {
        let s_ptr = format!("{ptr}/schema");
        if let Some(e) = map.get("example") {
            example(out, &s_ptr, e, &format!("{ptr}/example"));
        }
        for (k, e) in map.get("examples").and_then(Value::as_object).into_iter().flatten() {
            let e_ptr = format!("{ptr}/examples/{}", escape(k));
            let e = deref(doc, e);
            match e.get("value") {
                Some(value) => example(out, &s_ptr, value, &format!("{e_ptr}/value")),
                None if e.get("externalValue").is_some() => {}
                None => out.add(e_ptr, "example-valid", "example object has no `value`"),
            }
        }
        walk_schema(out, &map["schema"], &s_ptr);
    }
    for (k, c) in map {
        if !matches!(k.as_str(), "schema" | "example" | "examples") {
            ids_and_examples(out, c, &format!("{ptr}/{}", escape(k)));
        }
    }
}

/// Which way a value at `ptr` travels: the request or response part of the document it is
/// in (a component schema's own example: either).
fn direction(ptr: &str) -> Direction {
    for seg in segments(ptr) {
        match seg.as_str() {
            "requestBody" | "requestBodies" | "parameters" => return Direction::Request,
            "responses" | "headers" => return Direction::Response,
            // Inside a schema, names are property names.
            "schema" | "schemas" => break,
            _ => {}
        }
    }
    Direction::Either
}

/// Checks an example against the schema at `schema_ptr` (OpenAPI semantics: undocumented
/// properties allowed unless `additionalProperties` says otherwise).
fn example(out: &mut Out, schema_ptr: &str, value: &Value, ptr: &str) {
    let problems = match out.schemas.validator(schema_ptr, direction(ptr).into()) {
        Ok(v) => v.validate(value),
        Err(e) => {
            out.add(e.pointer, "example-valid", format!("the schema cannot check examples: {}", e.message));
            return;
        }
    };
    for p in problems.iter().take(5) {
        out.add(ptr, "example-valid", format!("example does not match its schema: {p}"));
    }
    if problems.len() > 5 {
        out.add(ptr, "example-valid", format!("… and {} more mismatches", problems.len() - 5));
    }
}

/// One schema as written (no `$ref` following: components are walked on their own).
fn walk_schema(out: &mut Out, s: &Value, ptr: &str) {
    let Some(map) = s.as_object() else { return };
    if map.contains_key("$ref") {
        return;
    }
    if let Some(e) = map.get("example") {
        example(out, ptr, e, &format!("{ptr}/example"));
    }
    for (name, p) in map.get("properties").and_then(Value::as_object).into_iter().flatten() {
        let p_ptr = format!("{ptr}/properties/{}", escape(name));
        if id_like(name) && string_ids_apply(out.doc) && !string_or_strings(out.doc, p) {
            out.add(p_ptr.clone(), "string-ids", format!("property `{name}` is an id: {ID_HINT}"));
        }
        walk_schema(out, p, &p_ptr);
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(c) = map.get(key) {
            walk_schema(out, c, &format!("{ptr}/{key}"));
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for (i, c) in map.get(key).and_then(Value::as_array).into_iter().flatten().enumerate() {
            walk_schema(out, c, &format!("{ptr}/{key}/{i}"));
        }
    }
}

fn extensions_in(out: &mut Out, v: &Value, ptr: &str) {
    match v {
        Value::Object(map) => {
            for (k, c) in map {
                let c_ptr = format!("{ptr}/{}", escape(k));
                if k.starts_with("x-streamkit-") {
                    extension(out, v, k, ptr, &c_ptr);
                } else if !matches!(k.as_str(), "example" | "examples") {
                    extensions_in(out, c, &c_ptr);
                }
            }
        }
        Value::Array(items) => {
            for (i, c) in items.iter().enumerate() {
                extensions_in(out, c, &format!("{ptr}/{i}"));
            }
        }
        _ => {}
    }
}

fn extension(out: &mut Out, parent: &Value, key: &str, parent_ptr: &str, ptr: &str) {
    match vocabulary::check(out.doc, parent, key, parent_ptr) {
        Ok(()) => {}
        Err(p @ Problem::Unknown(_)) => out.add(ptr, "extension-unknown", p.message()),
        Err(p @ Problem::Misplaced(_)) => out.add(ptr, "extension-misplaced", p.message()),
        Err(p @ Problem::Malformed(_)) => out.add(ptr, "extension-malformed", p.message()),
    }
}
