//! The list conventions: `where` filters, `order` sorts, `fields` trimming, v1
//! `page`/`limit` paging with `Link` and `x-total-count`, and v2 continuation tokens.

use axum::http::{HeaderMap, HeaderValue};
use serde_json::{Map, Value};
use std::cmp::Ordering;
use std::collections::HashMap;

/// The largest page Mixer serves.
const MAX_LIMIT: usize = 100;
/// The page size without `limit`.
const DEFAULT_LIMIT: usize = 50;

/// The query string as a map (the last value of a repeated key wins).
pub type Query = HashMap<String, String>;

/// Keeps the items that match every clause of `where` (`field:op:value`, joined by `,`;
/// `in`/`notin` values joined by `;`, separators in values percent-encoded).
pub fn filter(items: Vec<Value>, q: &Query) -> Result<Vec<Value>, String> {
    let Some(w) = q.get("where").filter(|w| !w.is_empty()) else { return Ok(items) };
    let mut clauses = Vec::new();
    for clause in w.split(',') {
        let mut parts = clause.splitn(3, ':');
        let (Some(field), Some(op), Some(value)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("where clause `{clause}` is not `field:op:value`"));
        };
        if !["eq", "ne", "lt", "lte", "gt", "gte", "in", "notin"].contains(&op) {
            return Err(format!("where clause `{clause}`: unknown operator `{op}`"));
        }
        let values: Vec<String> =
            if op == "in" || op == "notin" { value.split(';').map(unescape).collect() } else { vec![unescape(value)] };
        clauses.push((field.to_owned(), op.to_owned(), values));
    }
    if let Some(first) = items.first() {
        for (field, _, _) in &clauses {
            if first.get(field).is_none() {
                return Err(format!("where: unknown field `{field}`"));
            }
        }
    }
    Ok(items
        .into_iter()
        .filter(|item| {
            clauses.iter().all(|(field, op, values)| {
                let have = item.get(field).unwrap_or(&Value::Null);
                let cmp = |v: &String| compare(have, v);
                match op.as_str() {
                    "eq" => cmp(&values[0]) == Some(Ordering::Equal),
                    "ne" => cmp(&values[0]) != Some(Ordering::Equal),
                    "lt" => cmp(&values[0]) == Some(Ordering::Less),
                    "lte" => matches!(cmp(&values[0]), Some(Ordering::Less | Ordering::Equal)),
                    "gt" => cmp(&values[0]) == Some(Ordering::Greater),
                    "gte" => matches!(cmp(&values[0]), Some(Ordering::Greater | Ordering::Equal)),
                    "in" => values.iter().any(|v| cmp(v) == Some(Ordering::Equal)),
                    _ => values.iter().all(|v| cmp(v) != Some(Ordering::Equal)),
                }
            })
        })
        .collect())
}

fn unescape(s: &str) -> String {
    s.replace("%2C", ",").replace("%2c", ",").replace("%3B", ";").replace("%3b", ";").replace("%25", "%")
}

/// How a JSON value compares with a filter's text, typed by the JSON value.
fn compare(have: &Value, want: &str) -> Option<Ordering> {
    match have {
        Value::Bool(b) => want.parse::<bool>().ok().map(|w| b.cmp(&w)),
        Value::Number(n) => {
            let (h, w) = (n.as_f64()?, want.parse::<f64>().ok()?);
            h.partial_cmp(&w)
        }
        Value::String(s) => Some(s.as_str().cmp(want)),
        _ => None,
    }
}

/// Sorts by `order` (`field:ASC|DESC`, case-insensitive, joined by `,`); ties keep id order.
pub fn sort(items: &mut [Value], q: &Query) -> Result<(), String> {
    let Some(order) = q.get("order").filter(|o| !o.is_empty()) else { return Ok(()) };
    let mut keys = Vec::new();
    for part in order.split(',') {
        let (field, dir) = part.split_once(':').unwrap_or((part, "ASC"));
        let desc = match dir.to_ascii_uppercase().as_str() {
            "ASC" => false,
            "DESC" => true,
            _ => return Err(format!("order `{part}`: the direction is ASC or DESC")),
        };
        keys.push((field.to_owned(), desc));
    }
    items.sort_by(|a, b| {
        for (field, desc) in &keys {
            let o = json_cmp(a.get(field), b.get(field));
            let o = if *desc { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    });
    Ok(())
}

fn json_cmp(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => {
            x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(Ordering::Equal)
        }
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        (Some(Value::Null) | None, Some(Value::Null) | None) => Ordering::Equal,
        (Some(Value::Null) | None, _) => Ordering::Less,
        (_, Some(Value::Null) | None) => Ordering::Greater,
        _ => Ordering::Equal,
    }
}

/// Refuses a `fields` that names a property the items do not have (like `where`'s unknown
/// field): trimming to nothing would answer objects without their required properties.
pub fn check_fields(items: &[Value], q: &Query) -> Result<(), String> {
    let (Some(fields), Some(first)) = (q.get("fields").filter(|f| !f.is_empty()), items.first()) else {
        return Ok(());
    };
    match fields.split(',').find(|f| first.get(*f).is_none()) {
        Some(f) => Err(format!("fields: unknown field `{f}`")),
        None => Ok(()),
    }
}

/// Keeps only the properties `fields` names (comma-separated).
pub fn trim(item: Value, q: &Query) -> Value {
    let Some(fields) = q.get("fields").filter(|f| !f.is_empty()) else { return item };
    let keep: Vec<&str> = fields.split(',').collect();
    match item {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(k, _)| keep.contains(&k.as_str())).collect::<Map<_, _>>())
        }
        other => other,
    }
}

fn parse_num(q: &Query, key: &str) -> Result<Option<usize>, String> {
    // The spec's integers are int64: a value past `i64::MAX` is as invalid as a negative one.
    let parse = |v: &str| v.parse::<i64>().ok().and_then(|n| usize::try_from(n).ok());
    q.get(key).map(|v| parse(v).ok_or_else(|| format!("`{key}` must be a non-negative integer, not `{v}`"))).transpose()
}

fn limit(q: &Query) -> Result<usize, String> {
    match parse_num(q, "limit")? {
        None => Ok(DEFAULT_LIMIT),
        Some(l) if (1..=MAX_LIMIT).contains(&l) => Ok(l),
        Some(l) => Err(format!("`limit` must be from 1 to {MAX_LIMIT}, not {l}")),
    }
}

fn link(url: &str, params: &str, rel: &str) -> String {
    format!("<{url}?{params}>; rel=\"{rel}\"")
}

/// One v1 page of `items` (`page` from 0, `limit`), with `Link` (`next` while there are
/// more, `last`) and `x-total-count` (unless `noCount=1`) in `headers`. `url` is the list's
/// absolute URL without a query.
pub fn page(items: Vec<Value>, q: &Query, url: &str, headers: &mut HeaderMap) -> Result<Vec<Value>, String> {
    let limit = limit(q)?;
    let page = parse_num(q, "page")?.unwrap_or(0);
    if parse_num(q, "noCount")?.is_some_and(|n| n > 1) {
        return Err("`noCount` is 0 or 1".to_owned());
    }
    let total = items.len();
    let last = total.saturating_sub(1) / limit;
    let mut links = Vec::new();
    if page < last {
        links.push(link(url, &format!("page={}&limit={limit}", page + 1), "next"));
    }
    links.push(link(url, &format!("page={last}&limit={limit}"), "last"));
    if let Ok(v) = HeaderValue::from_str(&links.join(", ")) {
        headers.insert("link", v);
    }
    if q.get("noCount").map(String::as_str) != Some("1") {
        headers.insert("x-total-count", HeaderValue::from(total));
    }
    Ok(items.into_iter().skip(page.saturating_mul(limit)).take(limit).collect())
}

/// One v2 page: `limit` (1-100) items from the offset the opaque `continuationToken` holds,
/// and a `link` header with the next token while there are more.
pub fn continuation(items: Vec<Value>, q: &Query, url: &str, headers: &mut HeaderMap) -> Result<Vec<Value>, String> {
    let limit = limit(q)?;
    let start = match q.get("continuationToken") {
        None => 0,
        Some(t) => {
            decode_token(t).ok_or_else(|| format!("`continuationToken` `{t}` is not one this server handed out"))?
        }
    };
    let end = (start + limit).min(items.len());
    if end < items.len() {
        let next = link(url, &format!("limit={limit}&continuationToken={}", encode_token(end)), "next");
        if let Ok(v) = HeaderValue::from_str(&next) {
            headers.insert("link", v);
        }
    }
    Ok(items.into_iter().skip(start).take(limit).collect())
}

/// Tokens look opaque (`ct` + hex of offset xor a constant) so clients cannot do arithmetic on them.
fn encode_token(offset: usize) -> String {
    format!("ct{:08x}", offset ^ 0x5a5a_5a5a)
}

fn decode_token(t: &str) -> Option<usize> {
    usize::from_str_radix(t.strip_prefix("ct")?, 16).ok().map(|n| n ^ 0x5a5a_5a5a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn q(pairs: &[(&str, &str)]) -> Query {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn where_order_and_fields_follow_mixer_syntax() {
        let items = vec![
            json!({"id": 1, "online": true, "v": 5}),
            json!({"id": 2, "online": false, "v": 50}),
            json!({"id": 3, "online": true, "v": 20}),
        ];
        let f = filter(items.clone(), &q(&[("where", "online:eq:true,v:gt:10")])).unwrap();
        assert_eq!(f, vec![json!({"id": 3, "online": true, "v": 20})]);
        let f = filter(items.clone(), &q(&[("where", "id:in:1;2")])).unwrap();
        assert_eq!(f.len(), 2);
        assert!(filter(items.clone(), &q(&[("where", "id:like:1")])).is_err());
        assert!(filter(items.clone(), &q(&[("where", "nope:eq:1")])).is_err());
        let mut sorted = items.clone();
        sort(&mut sorted, &q(&[("order", "v:desc")])).unwrap();
        assert_eq!(sorted.iter().map(|i| i["id"].as_i64().unwrap()).collect::<Vec<_>>(), [2, 3, 1]);
        assert_eq!(trim(items[0].clone(), &q(&[("fields", "id,v")])), json!({"id": 1, "v": 5}));
    }

    #[test]
    fn continuation_tokens_round_trip_and_unknown_ones_are_refused() {
        assert_eq!(decode_token(&encode_token(150)), Some(150));
        assert_eq!(decode_token("garbage"), None);
    }
}
