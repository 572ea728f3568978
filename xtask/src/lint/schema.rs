//! A small validator for the JSON-schema subset our specs use, to check examples against
//! their schemas: `type`, `properties`, `required`, `additionalProperties`, `enum`,
//! `nullable`, `items`, `$ref`, `allOf`/`anyOf`/`oneOf`, `format: date-time`, and the
//! length, size and range keywords. `pattern` is not checked (no regex engine here;
//! openapi-spec-validator does not check examples either).

use serde_json::Value;

/// Problems found validating `value` against `schema` (of the document `doc`), each as
/// `<instance pointer>: <message>`. Empty when it validates.
pub fn validate(doc: &Value, schema: &Value, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    check(doc, schema, value, "", &mut out, 0);
    out
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_matches(ty: &str, v: &Value) -> bool {
    match ty {
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|f| f.fract() == 0.0),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => true,
    }
}

fn at(path: &str) -> String {
    if path.is_empty() { "(root)".into() } else { path.to_string() }
}

fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn check(doc: &Value, schema: &Value, v: &Value, path: &str, out: &mut Vec<String>, depth: usize) {
    if depth > 64 {
        return;
    }
    let mut schema = schema;
    for _ in 0..32 {
        let Some(r) = schema.get("$ref").and_then(Value::as_str) else { break };
        match r.strip_prefix('#').and_then(|p| doc.pointer(p)) {
            Some(target) => schema = target,
            None => {
                out.push(format!("{}: `$ref: {r}` cannot be resolved", at(path)));
                return;
            }
        }
    }
    let Some(s) = schema.as_object() else { return };
    if v.is_null() {
        let nullable = s.get("nullable") == Some(&Value::Bool(true));
        let in_enum = s.get("enum").and_then(Value::as_array).is_some_and(|e| e.contains(&Value::Null));
        let constrained = s.contains_key("type") || s.contains_key("properties") || s.contains_key("items") || s.contains_key("enum");
        if !nullable && !in_enum && constrained {
            out.push(format!("{}: null is not allowed here (the schema is not `nullable: true`)", at(path)));
        }
        return;
    }
    if let Some(ty) = s.get("type").and_then(Value::as_str)
        && !type_matches(ty, v)
    {
        out.push(format!("{}: expected {ty}, found {}", at(path), kind(v)));
        return;
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array)
        && !e.iter().any(|x| same(x, v))
    {
        let list = e.iter().map(Value::to_string).collect::<Vec<_>>().join(", ");
        out.push(format!("{}: {v} is not one of {list}", at(path)));
    }
    let num = |k: &str| s.get(k).and_then(Value::as_f64);
    let excl = |k: &str| s.get(k) == Some(&Value::Bool(true));
    match v {
        Value::String(text) => {
            if s.get("format").and_then(Value::as_str) == Some("date-time") && !is_date_time(text) {
                out.push(format!("{}: {text:?} is not an RFC 3339 date-time", at(path)));
            }
            let len = text.chars().count() as f64;
            if num("minLength").is_some_and(|m| len < m) {
                out.push(format!("{}: shorter than minLength {}", at(path), s["minLength"]));
            }
            if num("maxLength").is_some_and(|m| len > m) {
                out.push(format!("{}: longer than maxLength {}", at(path), s["maxLength"]));
            }
        }
        Value::Number(_) => {
            let x = v.as_f64().unwrap_or_default();
            if let Some(m) = num("minimum")
                && (x < m || (excl("exclusiveMinimum") && x == m))
            {
                out.push(format!("{}: {v} is below the minimum {}", at(path), s["minimum"]));
            }
            if let Some(m) = num("maximum")
                && (x > m || (excl("exclusiveMaximum") && x == m))
            {
                out.push(format!("{}: {v} is above the maximum {}", at(path), s["maximum"]));
            }
        }
        Value::Array(items) => {
            let len = items.len() as f64;
            if num("minItems").is_some_and(|m| len < m) {
                out.push(format!("{}: fewer than minItems {}", at(path), s["minItems"]));
            }
            if num("maxItems").is_some_and(|m| len > m) {
                out.push(format!("{}: more than maxItems {}", at(path), s["maxItems"]));
            }
            if let Some(item_schema) = s.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check(doc, item_schema, item, &format!("{path}/{i}"), out, depth + 1);
                }
            }
        }
        Value::Object(fields) => {
            for r in s.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
                if !fields.contains_key(r) {
                    out.push(format!("{}: required property `{r}` is missing", at(path)));
                }
            }
            let props = s.get("properties").and_then(Value::as_object);
            for (k, fv) in fields {
                let child = format!("{path}/{}", k.replace('~', "~0").replace('/', "~1"));
                match props.and_then(|p| p.get(k)) {
                    Some(ps) => check(doc, ps, fv, &child, out, depth + 1),
                    None => match s.get("additionalProperties") {
                        Some(Value::Bool(false)) => {
                            out.push(format!("{}: property `{k}` is not allowed (`additionalProperties: false`)", at(path)));
                        }
                        Some(extra @ Value::Object(_)) => check(doc, extra, fv, &child, out, depth + 1),
                        _ => {}
                    },
                }
            }
        }
        _ => {}
    }
    if let Some(all) = s.get("allOf").and_then(Value::as_array) {
        for sub in all {
            check(doc, sub, v, path, out, depth + 1);
        }
    }
    let passing = |list: &Vec<Value>| {
        list.iter()
            .filter(|sub| {
                let mut o = Vec::new();
                check(doc, sub, v, path, &mut o, depth + 1);
                o.is_empty()
            })
            .count()
    };
    if let Some(any) = s.get("anyOf").and_then(Value::as_array)
        && passing(any) == 0
    {
        out.push(format!("{}: matches none of the `anyOf` alternatives", at(path)));
    }
    if let Some(one) = s.get("oneOf").and_then(Value::as_array) {
        let n = passing(one);
        if n != 1 {
            out.push(format!("{}: matches {n} of the `oneOf` alternatives, not exactly one", at(path)));
        }
    }
}

/// RFC 3339 `date-time`: `2016-12-14T20:32:28Z`, `2020-11-10T14:32:18.730260295Z`,
/// `2021-03-10T15:04:21+01:00`.
pub fn is_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r.clone()).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let n = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok()).unwrap_or(99);
    if b.len() < 20 || !digits(0..4) || b[4] != b'-' || !digits(5..7) || b[7] != b'-' || !digits(8..10) {
        return false;
    }
    if !matches!(b[10], b'T' | b't' | b' ') || !digits(11..13) || b[13] != b':' || !digits(14..16) || b[16] != b':' || !digits(17..19) {
        return false;
    }
    if !(1..=12).contains(&n(5..7)) || !(1..=31).contains(&n(8..10)) || n(11..13) > 23 || n(14..16) > 59 || n(17..19) > 60 {
        return false;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match &b[i..] {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', ..] => {
            b.len() == i + 6 && digits(i + 1..i + 3) && b[i + 3] == b':' && digits(i + 4..i + 6) && n(i + 1..i + 3) <= 23 && n(i + 4..i + 6) <= 59
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn date_times() {
        for ok in ["2016-12-14T20:32:28Z", "2020-11-10T14:32:18.730260295Z", "2021-03-10T15:04:21+01:00"] {
            assert!(is_date_time(ok), "{ok}");
        }
        for bad in ["", "2016-12-14", "2016-13-14T20:32:28Z", "2016-12-14T20:32:28", "2016-12-14T20:32:28.Z", "yesterday", "2020-01-01T00:00:00+0é0", "2020-01-01T00:00:00+01:00x"] {
            assert!(!is_date_time(bad), "{bad}");
        }
    }

    #[test]
    fn subset() {
        let doc = json!({"components": {"schemas": {"Id": {"type": "string"}}}});
        let schema = json!({
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
        });
        assert!(validate(&doc, &schema, &json!({"id": "1", "n": null, "kind": "a", "tags": ["x"], "at": "2020-01-01T00:00:00Z"})).is_empty());
        let errs = validate(&doc, &schema, &json!({"id": 1, "n": 0, "kind": "c", "tags": ["x", 2], "at": "now", "extra": true}));
        let all = errs.join("\n");
        for want in ["/id: expected string", "/n: 0 is below the minimum", "/kind: \"c\" is not one of", "/tags: more than maxItems", "/tags/1: expected string", "/at: \"now\" is not an RFC 3339", "property `extra` is not allowed"] {
            assert!(all.contains(want), "missing {want:?} in\n{all}");
        }
        assert!(validate(&doc, &schema, &json!({"id": "1"})).join("").contains("required property `n` is missing"));
    }
}
