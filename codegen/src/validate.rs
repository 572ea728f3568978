//! Stage 2: refuse what would make progenitor panic or lie, with a pointer to the cause.
//!
//! Shapes progenitor cannot take but that are true to the wire (200 + 204, several error
//! schemas, two request media types) are not errors: `adapt` handles them.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::error::{SpecError, escape, pointer};
use crate::extensions;

pub mod collisions;
pub mod headers;
pub mod limits;
pub mod recursion;
pub mod service;
pub mod vocabulary;

pub use streamkit_spec::openapi::{METHODS, parameters};
pub use streamkit_spec::refs::resolve;
pub use streamkit_spec::subject::subject_of;

/// Validates an OpenAPI document.
pub fn validate(file: &Path, doc: &Value) -> Result<(), SpecError> {
    let err = |subject: &str, ptr: String, msg: String| SpecError::new(file, subject, ptr, msg);
    let version = doc.get("openapi").and_then(Value::as_str).unwrap_or("");
    if !version.starts_with("3.0.") {
        return Err(err(
            "document",
            "/openapi".into(),
            format!(
                "OpenAPI {version} is not supported: the generator (progenitor) reads OpenAPI 3.0 only; write `openapi: 3.0.3`"
            ),
        ));
    }
    limits::check(file, doc)?;
    streamkit_spec::refs::check_refs_of(file, doc)?;
    match extensions::read::<extensions::Service>(doc, "x-streamkit-service") {
        Ok(Some(s)) => service::check(file, &s)?,
        Ok(None) => {
            return Err(err(
                "document",
                String::new(),
                "missing `x-streamkit-service: {crate, module, base-url}` (see specs/README.md)".into(),
            ));
        }
        Err(m) => return Err(err("document", "/x-streamkit-service".into(), m)),
    }
    let buckets = match extensions::read::<extensions::Buckets>(doc, "x-streamkit-ratelimit-buckets") {
        Ok(b) => b.unwrap_or_default(),
        Err(m) => return Err(err("document", "/x-streamkit-ratelimit-buckets".into(), m)),
    };
    check_ratelimit(file, "document", doc, "", &buckets)?;
    for (name, bucket) in &buckets {
        let h = &bucket.headers;
        for (key, header) in [("limit", &h.limit), ("remaining", &h.remaining), ("reset", &h.reset)] {
            if let Some(problem) = header.as_deref().and_then(headers::name_problem) {
                return Err(err(
                    "document",
                    pointer(["x-streamkit-ratelimit-buckets", name.as_str(), "headers", key]),
                    problem,
                ));
            }
        }
    }
    if let Some(schemes) = doc.pointer("/components/securitySchemes").and_then(Value::as_object) {
        for (name, scheme) in schemes {
            let ptr = pointer(["components", "securitySchemes", name]);
            match extensions::read::<extensions::AuthHeader>(scheme, "x-streamkit-header") {
                Ok(Some(h)) => {
                    let subject = format!("security scheme {name}");
                    if let Some(problem) = headers::name_problem(&h.name) {
                        return Err(err(&subject, format!("{ptr}/x-streamkit-header/name"), problem));
                    }
                    if let Some(problem) = headers::value_problem(&h.value) {
                        return Err(err(&subject, format!("{ptr}/x-streamkit-header/value"), problem));
                    }
                    extensions::check_template(&h.value)
                        .map_err(|m| err(&subject, format!("{ptr}/x-streamkit-header"), m))?
                }
                Ok(None) => {
                    return Err(err(
                        &format!("security scheme {name}"),
                        ptr,
                        "missing `x-streamkit-header: {name, value}`: the runtime needs to know which header to send"
                            .into(),
                    ));
                }
                Err(m) => return Err(err(&format!("security scheme {name}"), format!("{ptr}/x-streamkit-header"), m)),
            }
        }
    }

    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let paths = doc.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        let path_ptr = pointer(["paths", path.as_str()]);
        if item.get("$ref").is_some() {
            return Err(err(
                &format!("path {path}"),
                path_ptr,
                "`$ref` path items are not supported; write the operations inline".into(),
            ));
        }
        for method in METHODS {
            let Some(op) = item.get(*method) else { continue };
            let ptr = format!("{path_ptr}/{method}");
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                return Err(err(
                    &format!("{} {path}", method.to_uppercase()),
                    ptr,
                    "operation has no `operationId`".into(),
                ));
            };
            let subject = format!("operation {id}");
            if let Some(prev) = seen.insert(id.to_string(), ptr.clone()) {
                return Err(err(&subject, ptr, format!("operationId `{id}` is already used at #{prev}")));
            }
            check_operation(file, &subject, &ptr, path, item, op, doc)?;
            check_ratelimit(file, &subject, op, &ptr, &buckets)?;
            for key in ["x-streamkit-pagination", "x-streamkit-retry"] {
                let r = match key {
                    "x-streamkit-pagination" => extensions::read::<extensions::Pagination>(op, key)
                        .and_then(|p| p.map_or(Ok(()), |p| p.check())),
                    _ => extensions::read::<extensions::Retry>(op, key).map(|_| ()),
                };
                r.map_err(|m| err(&subject, format!("{ptr}/{key}"), m))?;
            }
            check_pagination_params(file, &subject, &ptr, item, op, doc)?;
        }
    }
    recursion::check(file, doc)?;
    collisions::check(file, doc)?;
    vocabulary::check(file, doc)?;
    Ok(())
}

fn check_ratelimit(
    file: &Path,
    subject: &str,
    v: &Value,
    ptr: &str,
    buckets: &extensions::Buckets,
) -> Result<(), SpecError> {
    let at = format!("{ptr}/x-streamkit-ratelimit");
    match extensions::read::<extensions::RateLimit>(v, "x-streamkit-ratelimit") {
        Ok(Some(r)) if !buckets.contains_key(&r.bucket) => Err(SpecError::new(
            file,
            subject,
            at,
            format!("rate-limit bucket `{}` is not declared in `x-streamkit-ratelimit-buckets`", r.bucket),
        )),
        Ok(_) => Ok(()),
        Err(m) => Err(SpecError::new(file, subject, at, m)),
    }
}

fn check_operation(
    file: &Path,
    subject: &str,
    ptr: &str,
    path: &str,
    item: &Value,
    op: &Value,
    doc: &Value,
) -> Result<(), SpecError> {
    let err = |p: String, m: String| SpecError::new(file, subject, p, m);
    let params = parameters(item, op, doc);
    for (p, rel) in &params {
        let name = p.get("name").and_then(Value::as_str).unwrap_or("?");
        let location = p.get("in").and_then(Value::as_str).unwrap_or("?");
        let at = match rel.strip_prefix("/..") {
            Some(item_rel) => format!("{}{item_rel}", ptr.rsplit_once('/').map_or(ptr, |(p, _)| p)),
            None => format!("{ptr}{rel}"),
        };
        match location {
            "path" => {
                if p.get("required") != Some(&Value::Bool(true)) {
                    return Err(err(
                        at,
                        format!(
                            "path parameter `{name}` must be `required: true` (OpenAPI requires it, and the generator cannot build a URL without it)"
                        ),
                    ));
                }
                if !path.contains(&format!("{{{name}}}")) {
                    return Err(err(at, format!("path parameter `{name}` does not appear in the path `{path}`")));
                }
            }
            "cookie" => return Err(err(at, format!("cookie parameter `{name}` is not supported"))),
            "header" => {
                if let Some(problem) = headers::name_problem(name) {
                    return Err(err(format!("{at}/name"), format!("header parameter: {problem}")));
                }
            }
            "query" => {
                if let Some(style) = p.get("style").and_then(Value::as_str)
                    && style != "form"
                {
                    return Err(err(
                        at,
                        format!(
                            "query parameter `{name}` uses style `{style}`; only `form` is supported (model delimited lists as a plain string)"
                        ),
                    ));
                }
            }
            _ => {}
        }
        if p.get("schema").is_none() {
            return Err(err(
                at,
                format!("parameter `{name}` has no `schema` (`content` parameters are not supported)"),
            ));
        }
    }
    for seg in path.split('/').filter(|s| s.starts_with('{')) {
        let name = seg.trim_start_matches('{').trim_end_matches('}');
        if !params.iter().any(|(p, _)| {
            p.get("in").and_then(Value::as_str) == Some("path") && p.get("name").and_then(Value::as_str) == Some(name)
        }) {
            return Err(err(
                ptr.to_string(),
                format!("path `{path}` uses `{{{name}}}` but declares no path parameter `{name}`"),
            ));
        }
    }
    let Some(responses) = op.get("responses").and_then(Value::as_object) else {
        return Err(err(format!("{ptr}/responses"), "operation has no `responses`".into()));
    };
    for (code, resp) in responses {
        let rptr = format!("{ptr}/responses/{}", escape(code));
        let resp = resolve(doc, resp).unwrap_or(resp);
        for (media, m) in resp.get("content").and_then(Value::as_object).into_iter().flatten() {
            let mptr = format!("{rptr}/content/{}", escape(media));
            let json = media == "application/json" || media.starts_with("application/json;");
            if json && m.get("schema").is_none() {
                return Err(err(
                    mptr,
                    format!(
                        "response {code} declares `{media}` without a `schema`; say what the body is (use `{{}}` for any JSON)"
                    ),
                ));
            }
            if m.get("encoding").is_some_and(|e| e.as_object().is_some_and(|o| !o.is_empty())) {
                return Err(err(mptr, "response media `encoding` is not supported".into()));
            }
        }
    }
    if let Some(body) = op.get("requestBody") {
        let body = resolve(doc, body).unwrap_or(body);
        let content = body.get("content").and_then(Value::as_object);
        if content.is_none_or(|c| c.is_empty()) {
            return Err(err(format!("{ptr}/requestBody"), "request body has no `content`".into()));
        }
        for (media, m) in content.into_iter().flatten() {
            let supported =
                ["application/json", "application/x-www-form-urlencoded", "application/octet-stream", "text/plain"];
            if !supported.contains(&media.as_str()) && content.is_some_and(|c| c.len() == 1) {
                return Err(err(
                    format!("{ptr}/requestBody/content/{}", escape(media)),
                    format!("request media type `{media}` is not supported; use one of {}", supported.join(", ")),
                ));
            }
            if m.get("schema").is_none() {
                return Err(err(
                    format!("{ptr}/requestBody/content/{}", escape(media)),
                    format!("request body `{media}` has no `schema`"),
                ));
            }
        }
    }
    Ok(())
}

fn check_pagination_params(
    file: &Path,
    subject: &str,
    ptr: &str,
    item: &Value,
    op: &Value,
    doc: &Value,
) -> Result<(), SpecError> {
    let Ok(Some(p)) = extensions::read::<extensions::Pagination>(op, "x-streamkit-pagination") else { return Ok(()) };
    let params = parameters(item, op, doc);
    let has = |n: &str| {
        params.iter().any(|(q, _)| {
            q.get("in").and_then(Value::as_str) == Some("query") && q.get("name").and_then(Value::as_str) == Some(n)
        })
    };
    for (role, n) in p.parameters() {
        let at = format!("{ptr}/x-streamkit-pagination/request/{role}");
        if !has(n) {
            return Err(SpecError::new(
                file,
                subject,
                at,
                format!("pagination names query parameter `{n}`, which the operation does not declare"),
            ));
        }
        // The paginator counts pages and compares page sizes: those parameters are integers.
        if matches!(role, "page" | "page-size") {
            let ty = params
                .iter()
                .find(|(q, _)| q.get("name").and_then(Value::as_str) == Some(n))
                .and_then(|(q, _)| q.get("schema"))
                .map(|s| resolve(doc, s).unwrap_or(s))
                .and_then(|s| s.get("type"))
                .and_then(Value::as_str);
            if ty != Some("integer") {
                return Err(SpecError::new(
                    file,
                    subject,
                    at,
                    format!(
                        "pagination's `request.{role}` parameter `{n}` must be an integer (it is {})",
                        ty.unwrap_or("untyped")
                    ),
                ));
            }
        }
    }
    Ok(())
}
