//! The rustdoc examples the doc passes write: a `no_run` doctest per operation that calls
//! its builder with every required parameter (and the required fields of a component body),
//! with values from the spec (`example`, the first `enum` value, the lower bound) or a
//! placeholder, written as what the setters take (`"…"`, `["…"]`, `20`).

use serde_json::Value;

use super::constraints::{self, Parameter};
use super::names;
use crate::plan::{OperationPlan, ServicePlan};

/// The crate path users write: `streamkit_<crate>`.
pub fn crate_path(plan: &ServicePlan) -> String {
    format!("streamkit_{}", plan.service.krate.replace('-', "_"))
}

/// A literal of `schema` that its setter takes, or `None` for shapes it does not write.
fn literal(doc: &Value, raw: &Value, name: &str, types: &str, depth: usize) -> Option<String> {
    let schema = constraints::resolve(doc, raw)?;
    if schema.get("properties").is_some() {
        let component = raw.get("$ref")?.as_str()?.strip_prefix("#/components/schemas/")?;
        return object(doc, component, types, depth, "");
    }
    let example =
        schema.get("example").or_else(|| schema.get("default")).or_else(|| schema.get("enum").and_then(|e| e.get(0)));
    match schema.get("type").and_then(Value::as_str) {
        // chrono types do not convert from a `&str`.
        Some("string") if matches!(schema.get("format").and_then(Value::as_str), Some("date-time" | "date")) => None,
        Some("string") => Some(format!("{:?}", example.and_then(Value::as_str).unwrap_or(name))),
        Some("integer") => {
            let n = example
                .and_then(Value::as_i64)
                .or_else(|| constraints::value_range(schema).min.map(|m| m as i64))
                .unwrap_or(1);
            Some(n.to_string())
        }
        Some("boolean") => Some(example.and_then(Value::as_bool).unwrap_or(true).to_string()),
        // Setters take any iterable of what the item converts from; an array of arrays does
        // not convert element-wise, so the example leaves such a field unset.
        Some("array") => {
            let items = schema.get("items")?;
            if constraints::resolve(doc, items)?.get("type").and_then(Value::as_str) == Some("array") {
                return None;
            }
            Some(format!("[{}]", literal(doc, items, name, types, depth)?))
        }
        _ => None,
    }
}

/// `types::Name::builder()` with its required fields set, for a component object schema.
/// `sep` goes before each setter (a line break and indent at the top level).
fn object(doc: &Value, component: &str, types: &str, depth: usize, sep: &str) -> Option<String> {
    if depth > 3 {
        return None;
    }
    let schema = doc.pointer(&format!("/components/schemas/{component}"))?;
    // Only an object with named properties becomes a struct with a builder; a free-form map,
    // an enum or a `oneOf`/`anyOf` does not (the example then leaves the body to the reader).
    let is_struct = schema.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty())
        && ["oneOf", "anyOf", "enum"].iter().all(|k| schema.get(*k).is_none());
    if !is_struct {
        return None;
    }
    let mut out = format!("{types}::{}::builder()", names::type_name(component));
    let required = schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str);
    for field in required {
        let prop = schema.get("properties")?.get(field)?;
        // A field whose shape the example cannot write stays unset: the example still compiles.
        let Some(value) = literal(doc, prop, field, types, depth + 1) else { continue };
        out.push_str(&format!("{sep}.{}({value})", names::field(field)));
    }
    Some(out)
}

/// The component schema of an operation's request body, when it is a `$ref` to one.
fn body_component<'d>(doc: &'d Value, op: &OperationPlan) -> Option<&'d str> {
    let body = doc.get("paths")?.get(&op.path)?.get(op.method.to_ascii_lowercase())?.get("requestBody")?;
    let body = constraints::resolve(doc, body)?;
    let content = body.get("content")?.as_object()?;
    content.values().find_map(|m| m.get("schema")?.get("$ref")?.as_str()?.strip_prefix("#/components/schemas/"))
}

/// The example for one operation: a fenced `no_run` doctest, as rustdoc text.
pub fn operation_example(plan: &ServicePlan, doc: &Value, op: &OperationPlan) -> String {
    let krate = crate_path(plan);
    let module = &plan.service.module;
    let types = "types";
    let params: Vec<Parameter<'_>> = constraints::parameters(doc, &op.path, &op.method.to_ascii_lowercase());
    let mut calls = Vec::new();
    for p in params.iter().filter(|p| p.required) {
        if let Some(v) = literal(doc, p.schema, p.name, types, 0) {
            calls.push(format!(".{}({v})", names::parameter_setter(p.name)));
        }
    }
    let mut uses = String::new();
    if let Some(c) = body_component(doc, op)
        && let Some(b) = object(doc, c, types, 0, "\n            ")
    {
        calls.push(format!(".body(\n        {b},\n    )"));
        uses = format!("use {krate}::{module}::types;\n\n");
    }
    let method = names::operation_method(&op.id);
    let result = if op.adaptation.optional_success {
        "// `None`: the server answered 204 No Content.\nlet response"
    } else {
        "let response"
    };
    let mut out = format!(
        "```no_run\n{uses}# async fn example(client: &{krate}::{module}::Client) -> Result<(), {krate}::Error> {{\n{result} = client\n    .{method}()\n"
    );
    for c in calls {
        out.push_str(&format!("    {c}\n"));
    }
    out.push_str("    .send()\n    .await?;\n# let _ = response;\n# Ok(()) }\n```");
    out
}

/// The example at the top of a client's rustdoc: how to build it.
pub fn client_example(plan: &ServicePlan) -> String {
    let krate = crate_path(plan);
    let module = &plan.service.module;
    let needs_token = plan.operations.iter().any(|o| !o.auth.is_empty());
    let (imports, token) = if needs_token {
        (
            format!("{{{module}, Secret}}"),
            "\n    .client_id(\"my-client-id\")\n    .access_token(Secret::new(\"my-access-token\"))",
        )
    } else {
        (module.to_string(), "")
    };
    format!(
        "```no_run\n# fn main() -> Result<(), {krate}::Error> {{\nuse {krate}::{imports};\nlet client = {module}::Client::builder(){token}\n    .build()?;\n# let _ = client;\n# Ok(()) }}\n```"
    )
}
