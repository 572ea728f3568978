//! The `x-streamkit-*` vocabulary: which keys exist, where each belongs, and the check of
//! one occurrence (well formed, and naming things that exist). Lint reports every problem;
//! codegen reads the same types through [`crate::extensions`].

use serde_json::Value;

use crate::extensions::{
    self, AuthHeader, Buckets, Classification, ClassifyWhen, InvalidCredential, Pagination, RateLimit, Retry,
    RetryDefaults, Scopes, Service,
};
use crate::openapi::METHODS;
use crate::pointer::segments;

/// Where in a document an extension sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The top level.
    Document,
    /// An operation (`/paths/{path}/{method}`).
    Operation,
    /// A security scheme (`/components/securitySchemes/{name}`).
    SecurityScheme,
    /// Anywhere else.
    Other,
}

impl Place {
    /// The place of the object at `ptr`.
    ///
    /// ```
    /// use streamkit_spec::vocabulary::Place;
    /// assert_eq!(Place::of("/paths/~1users/get"), Place::Operation);
    /// assert_eq!(Place::of(""), Place::Document);
    /// ```
    pub fn of(ptr: &str) -> Place {
        let segs = segments(ptr);
        match segs.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            [] => Place::Document,
            ["paths", _, m] if METHODS.contains(m) => Place::Operation,
            ["components", "securitySchemes", _] => Place::SecurityScheme,
            _ => Place::Other,
        }
    }

    /// How a message names it.
    pub fn name(self) -> &'static str {
        match self {
            Place::Document => "the document",
            Place::Operation => "an operation",
            Place::SecurityScheme => "a security scheme",
            Place::Other => "here",
        }
    }
}

/// Every known key and the places it may appear.
pub const KNOWN: &[(&str, &[Place])] = &[
    ("x-streamkit-service", &[Place::Document]),
    ("x-streamkit-ratelimit-buckets", &[Place::Document]),
    ("x-streamkit-ratelimit", &[Place::Document, Place::Operation]),
    ("x-streamkit-pagination", &[Place::Operation]),
    ("x-streamkit-retry", &[Place::Operation]),
    ("x-streamkit-retry-defaults", &[Place::Document]),
    ("x-streamkit-classify", &[Place::Operation]),
    ("x-streamkit-header", &[Place::SecurityScheme]),
    ("x-streamkit-invalid-credential", &[Place::SecurityScheme]),
    ("x-streamkit-scopes", &[Place::Document]),
    ("x-streamkit-frames", &[Place::Document]),
];

/// What is wrong with one occurrence of an extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// No such key in the vocabulary.
    Unknown(String),
    /// A known key in the wrong place.
    Misplaced(String),
    /// In the right place but malformed, or naming something that does not exist.
    Malformed(String),
}

impl Problem {
    /// The message.
    pub fn message(&self) -> &str {
        match self {
            Problem::Unknown(m) | Problem::Misplaced(m) | Problem::Malformed(m) => m,
        }
    }
}

/// Checks `parent[key]` (an `x-streamkit-*` key of the object at `parent_ptr` in `doc`).
///
/// ```
/// use serde_json::json;
/// use streamkit_spec::vocabulary::{check, Problem};
/// let doc = json!({"x-streamkit-retry": {"idempotent": true}});
/// assert!(matches!(check(&doc, &doc, "x-streamkit-retry", ""), Err(Problem::Misplaced(_))));
/// ```
pub fn check(doc: &Value, parent: &Value, key: &str, parent_ptr: &str) -> Result<(), Problem> {
    let Some((_, places)) = KNOWN.iter().find(|(k, _)| *k == key) else {
        let known = KNOWN.iter().map(|(k, _)| format!("`{k}`")).collect::<Vec<_>>().join(", ");
        return Err(Problem::Unknown(format!("unknown extension `{key}`; known: {known} (see specs/README.md)")));
    };
    let place = Place::of(parent_ptr);
    if !places.contains(&place) {
        let want = places.iter().map(|p| p.name()).collect::<Vec<_>>().join(" or ");
        return Err(Problem::Misplaced(format!("`{key}` belongs on {want}, not {}", place.name())));
    }
    let result: Result<(), String> = match key {
        "x-streamkit-service" => extensions::read::<Service>(parent, key).map(|_| ()),
        "x-streamkit-ratelimit-buckets" => {
            extensions::read::<Buckets>(parent, key).and_then(|b| extensions::check_buckets(&b.unwrap_or_default()))
        }
        "x-streamkit-ratelimit" => extensions::read::<RateLimit>(parent, key).and_then(|r| {
            let buckets = extensions::read::<Buckets>(doc, "x-streamkit-ratelimit-buckets").ok().flatten().unwrap_or_default();
            match r {
                Some(r) if !buckets.contains_key(&r.bucket) => {
                    Err(format!("rate-limit bucket `{}` is not declared in `x-streamkit-ratelimit-buckets`", r.bucket))
                }
                _ => Ok(()),
            }
        }),
        "x-streamkit-pagination" => {
            extensions::read::<Pagination>(parent, key).and_then(|p| p.map_or(Ok(()), |p| p.check()))
        }
        "x-streamkit-retry" => extensions::read::<Retry>(parent, key).map(|_| ()),
        "x-streamkit-retry-defaults" => extensions::read::<RetryDefaults>(parent, key).map(|_| ()),
        "x-streamkit-classify" => extensions::read::<Vec<Classification>>(parent, key)
            .and_then(|rules| check_classify(doc, parent, &rules.unwrap_or_default())),
        "x-streamkit-header" => extensions::read::<AuthHeader>(parent, key).and_then(|h| match h {
            Some(h) => extensions::check_template(&h.value),
            None => Ok(()),
        }),
        "x-streamkit-invalid-credential" => extensions::read::<InvalidCredential>(parent, key).and_then(|r| match r {
            Some(_) if parent.get("x-streamkit-header").is_none() => {
                Err("`x-streamkit-invalid-credential` needs the scheme's `x-streamkit-header`: it says which credential is invalid".into())
            }
            Some(r) => r.check(),
            None => Ok(()),
        }),
        "x-streamkit-frames" => extensions::read::<extensions::Frames>(parent, key).and_then(|f| match f {
            Some(_) if doc.get("asyncapi").is_none() => {
                Err("`x-streamkit-frames` describes the frames of an AsyncAPI document; an OpenAPI one has none".into())
            }
            _ => Ok(()),
        }),
        "x-streamkit-scopes" => {
            extensions::read::<Scopes>(parent, key).and_then(|s| extensions::check_scopes(&s.unwrap_or_default()))
        }
        _ => Ok(()),
    };
    result.map_err(Problem::Malformed)
}

/// A `points-left` rule needs the operation's bucket to name its `remaining` header: without
/// it the runtime never knows points are left, and the rule could never apply.
fn check_classify(doc: &Value, op: &Value, rules: &[Classification]) -> Result<(), String> {
    extensions::check_classifications(rules)?;
    let Some(rule) = rules.iter().find(|r| r.when == ClassifyWhen::PointsLeft) else { return Ok(()) };
    let rate = extensions::read::<RateLimit>(op, "x-streamkit-ratelimit")
        .ok()
        .flatten()
        .or_else(|| extensions::read::<RateLimit>(doc, "x-streamkit-ratelimit").ok().flatten());
    let buckets = extensions::read::<Buckets>(doc, "x-streamkit-ratelimit-buckets").ok().flatten().unwrap_or_default();
    match rate.as_ref().and_then(|r| buckets.get(&r.bucket).map(|b| (r, b))) {
        Some((_, b)) if b.headers.remaining.is_some() => Ok(()),
        Some((r, _)) => Err(format!(
            "status {} `when: points-left` needs bucket `{}` to declare `headers.remaining`",
            rule.status, r.bucket
        )),
        None => Err(format!(
            "status {} `when: points-left` needs the operation to draw from a rate-limit bucket (`x-streamkit-ratelimit`)",
            rule.status
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(reset_unit: Option<&str>, remaining: bool) -> Value {
        let mut headers = json!({"reset": "Ratelimit-Reset"});
        if let Some(u) = reset_unit {
            headers["reset-unit"] = json!(u);
        }
        if remaining {
            headers["remaining"] = json!("Ratelimit-Remaining");
        }
        json!({
            "x-streamkit-ratelimit-buckets": {"main": {"points": 1, "per-seconds": 1, "scope": "client", "headers": headers}},
            "x-streamkit-ratelimit": {"bucket": "main"},
            "paths": {"/x": {"post": {"x-streamkit-classify": [{"status": 429, "when": "points-left", "as": "final"}]}}}
        })
    }

    fn malformed(r: Result<(), Problem>) -> String {
        match r {
            Err(Problem::Malformed(m)) => m,
            other => panic!("expected malformed, got {other:?}"),
        }
    }

    #[test]
    fn a_reset_header_needs_its_unit() {
        let d = doc(None, true);
        assert!(malformed(check(&d, &d, "x-streamkit-ratelimit-buckets", "")).contains("reset-unit"));
        let d = doc(Some("epoch-seconds"), true);
        assert_eq!(check(&d, &d, "x-streamkit-ratelimit-buckets", ""), Ok(()));
        let d = doc(Some("minutes"), true);
        assert!(malformed(check(&d, &d, "x-streamkit-ratelimit-buckets", "")).contains("minutes"));
    }

    #[test]
    fn classifications_are_checked_against_the_bucket() {
        let d = doc(Some("delta-seconds"), true);
        let op = &d["paths"]["/x"]["post"];
        assert_eq!(check(&d, op, "x-streamkit-classify", "/paths/~1x/post"), Ok(()));
        let d = doc(Some("delta-seconds"), false);
        let op = &d["paths"]["/x"]["post"];
        assert!(malformed(check(&d, op, "x-streamkit-classify", "/paths/~1x/post")).contains("headers.remaining"));
        let twice =
            json!({"x-streamkit-classify": [{"status": 429, "as": "final"}, {"status": 429, "as": "rate-limited"}]});
        assert!(malformed(check(&twice, &twice, "x-streamkit-classify", "/paths/~1x/post")).contains("twice"));
        let bad = json!({"x-streamkit-classify": [{"status": 42, "as": "final"}]});
        assert!(malformed(check(&bad, &bad, "x-streamkit-classify", "/paths/~1x/post")).contains("not an HTTP status"));
    }

    #[test]
    fn invalid_credential_rules_sit_on_a_scheme_with_a_header_and_are_checked() {
        let ptr = "/components/securitySchemes/bearer";
        let good = json!({"x-streamkit-header": {"name": "Authorization", "value": "Bearer {access_token}"},
            "x-streamkit-invalid-credential": {"status": 401, "body-field": "message", "equals": ["Invalid OAuth token"]}});
        assert_eq!(check(&good, &good, "x-streamkit-invalid-credential", ptr), Ok(()));
        let headerless =
            json!({"x-streamkit-invalid-credential": {"status": 401, "body-field": "message", "equals": ["x"]}});
        assert!(
            malformed(check(&headerless, &headerless, "x-streamkit-invalid-credential", ptr))
                .contains("x-streamkit-header")
        );
        let mut empty = good.clone();
        empty["x-streamkit-invalid-credential"]["equals"] = json!([]);
        assert!(malformed(check(&empty, &empty, "x-streamkit-invalid-credential", ptr)).contains("equals"));
        let mut typo = good.clone();
        typo["x-streamkit-invalid-credential"]["message"] = json!("x");
        assert!(malformed(check(&typo, &typo, "x-streamkit-invalid-credential", ptr)).contains("message"));
        assert!(matches!(
            check(&good, &good, "x-streamkit-invalid-credential", "/paths/~1x/get"),
            Err(Problem::Misplaced(_))
        ));
    }

    #[test]
    fn scopes_need_descriptions_and_distinct_rust_names() {
        let d =
            json!({"x-streamkit-scopes": {"user:write:chat": "Send chat messages.", "user:read:chat": "Read chat."}});
        assert_eq!(check(&d, &d, "x-streamkit-scopes", ""), Ok(()));
        let d = json!({"x-streamkit-scopes": {"user:write:chat": "Send.", "user_write:chat": "Also send."}});
        assert!(malformed(check(&d, &d, "x-streamkit-scopes", "")).contains("same Rust name `UserWriteChat`"));
        let d = json!({"x-streamkit-scopes": {"user:write chat": "Send."}});
        assert!(malformed(check(&d, &d, "x-streamkit-scopes", "")).contains("whitespace"));
        let d = json!({"x-streamkit-scopes": {"user:write:chat": " "}});
        assert!(malformed(check(&d, &d, "x-streamkit-scopes", "")).contains("no description"));
    }

    #[test]
    fn pagination_may_name_an_end_cursor() {
        let ok = json!({"x-streamkit-pagination": {"style": "cursor", "request": {"cursor": "cursor"}, "response": {"items": "results", "cursor": "next", "end": "0"}}});
        assert_eq!(check(&ok, &ok, "x-streamkit-pagination", "/paths/~1x/get"), Ok(()));
        let bad = json!({"x-streamkit-pagination": {"style": "cursor", "request": {"cursor": "cursor"}, "response": {"items": "results", "cursor": "next", "end": 0}}});
        assert!(malformed(check(&bad, &bad, "x-streamkit-pagination", "/paths/~1x/get")).contains("expected a string"));
    }

    #[test]
    fn header_paged_styles_need_their_keys_and_refuse_the_others() {
        let at = "/paths/~1x/get";
        let check_pg = |pg: Value| {
            let d = json!({ "x-streamkit-pagination": pg });
            check(&d, &d, "x-streamkit-pagination", at)
        };
        let page = json!({"style": "page", "request": {"page": "page", "page-size": "limit", "first-page": 0},
            "response": {"items": "", "link": "Link", "total": "x-total-count"}});
        assert_eq!(check_pg(page.clone()), Ok(()));
        let link = json!({"style": "link-cursor", "request": {"cursor": "continuationToken", "page-size": "limit"},
            "response": {"items": "", "link": "link"}});
        assert_eq!(check_pg(link.clone()), Ok(()));
        // Each case: a change to a good declaration, and what the message must name.
        let cases: Vec<(Value, &str, &str)> = vec![
            (page.clone(), "/request/first-page", "request.first-page"),
            (page.clone(), "/request/page", "request.page"),
            (page.clone(), "/request/page-size", "request.page-size"),
            (link.clone(), "/request/cursor", "request.cursor"),
            (link.clone(), "/response/link", "response.link"),
        ];
        for (good, remove, named) in cases {
            let mut bad = good.clone();
            let (parent, key) = remove.rsplit_once('/').unwrap();
            bad.pointer_mut(parent).unwrap().as_object_mut().unwrap().remove(key);
            let m = malformed(check_pg(bad));
            assert!(m.contains(named) && m.contains("needs"), "{remove}: {m}");
        }
        let mut bad = page.clone();
        bad["request"]["first-page"] = json!(2);
        assert!(malformed(check_pg(bad)).contains("from 0 or 1"));
        let mut bad = page.clone();
        bad["request"]["cursor"] = json!("after");
        assert!(malformed(check_pg(bad)).contains("does not take `request.cursor`"));
        let mut bad = link.clone();
        bad["response"]["total"] = json!("x-total-count");
        assert!(malformed(check_pg(bad)).contains("does not take `response.total`"));
        let mut bad = link.clone();
        bad["request"]["backward"] = json!("before");
        assert!(malformed(check_pg(bad)).contains("does not take `request.backward`"));
        let mut bad = link.clone();
        bad["response"]["link"] = json!(" ");
        assert!(malformed(check_pg(bad)).contains("`response.link` is empty"));
        let mut bad = page.clone();
        bad["response"]["items"] = json!("data..items");
        assert!(malformed(check_pg(bad)).contains("dotted path"));
        // A misspelled key is refused by name, not ignored.
        let mut bad = page.clone();
        bad["request"]["first_page"] = json!(0);
        assert!(malformed(check_pg(bad)).contains("first_page"));
        // Body cursors cannot come from a body that is the list itself.
        let body =
            json!({"style": "cursor", "request": {"cursor": "after"}, "response": {"items": "", "cursor": "next"}});
        assert!(malformed(check_pg(body)).contains("whole body"));
        let headers_on_cursor = json!({"style": "cursor", "request": {"cursor": "after"},
            "response": {"items": "data", "cursor": "pagination.cursor", "link": "Link"}});
        assert!(malformed(check_pg(headers_on_cursor)).contains("does not take `response.link`"));
        let no_cursor =
            json!({"style": "cursor-string", "request": {"cursor": "after"}, "response": {"items": "data"}});
        assert!(malformed(check_pg(no_cursor)).contains("response.cursor"));
    }

    #[test]
    fn retry_defaults_belong_on_the_document_and_are_typed() {
        let d = json!({"x-streamkit-retry-defaults": {"retry-503-once": true, "rate-limited-retries": 3}});
        assert_eq!(check(&d, &d, "x-streamkit-retry-defaults", ""), Ok(()));
        let d = json!({"x-streamkit-retry-defaults": {"retry-503": true}});
        assert!(malformed(check(&d, &d, "x-streamkit-retry-defaults", "")).contains("retry-503"));
        assert!(matches!(check(&d, &d, "x-streamkit-retry-defaults", "/paths/~1x/get"), Err(Problem::Misplaced(_))));
    }
}
