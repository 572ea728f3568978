//! The harness behind the fuzz targets, shared with the regression tests
//! (`tests/regressions.rs` replays `corpus/` and `regressions/` through it on any toolchain).
//!
//! The property under test: whatever the spec, load → validate → generate ends, without a
//! panic outside the generator's own guarded call, either with code for a plain output
//! path or with an error that names the file.

mod realtime;

use std::path::Path;
use std::sync::OnceLock;

use arbitrary::{Result as AResult, Unstructured};
use serde_json::Value;
use streamkit_spec::pointer::escape;

pub use realtime::realtime_frames;

/// The name every fuzzed spec goes by; errors must name it.
pub const FILE: &str = "fuzz.yaml";

/// Specs the structured target starts from: small ones that generate, so that edits reach
/// the generator and its passes (Helix is left out: one generation takes a few hundred ms).
pub const SEEDS: &[(&str, &str)] = &[
    ("oauth", include_str!("../../specs/twitch/oauth.yaml")),
    ("good", include_str!("../../xtask/tests/lint/good.yaml")),
    ("adapted_200_and_204", include_str!("../../codegen/tests/specs/adapted_200_and_204.yaml")),
    ("adapted_error_schemas", include_str!("../../codegen/tests/specs/adapted_error_schemas.yaml")),
    ("adapted_shared_page_type", include_str!("../../codegen/tests/specs/adapted_shared_page_type.yaml")),
    ("adapted_two_media_types", include_str!("../../codegen/tests/specs/adapted_two_media_types.yaml")),
    ("compiled_recursive", include_str!("../../codegen/tests/specs/compiled_recursive.yaml")),
];

/// Strings that have broken generators: path escapes, keywords, names that collide, header
/// injection, odd Unicode, and the extension keys.
const HOSTILE: &[&str] = &[
    "",
    "..",
    "../x",
    "a/b",
    "/abs",
    "\\",
    "type",
    "self",
    "Self",
    "super",
    "crate",
    "fn",
    "new",
    "send",
    "body",
    "client",
    "extra",
    "Extra",
    "display_name",
    "displayName",
    "Login",
    "login",
    "_",
    "1st",
    "+1",
    "-1",
    "é",
    "日本",
    "a\u{0}b",
    "\r\n",
    "X-Evil: 1",
    "{access_token}",
    "{",
    "}",
    "{nope}",
    "Bearer {access_token}",
    "#/components/schemas",
    "#/",
    "#",
    "x-streamkit-service",
    "x-streamkit-retry",
    "x-streamkit-retyr",
    "x-streamkit-pagination",
    "x-streamkit-ratelimit",
    "x-streamkit-ratelimit-buckets",
    "x-streamkit-header",
    "$ref",
    "allOf",
    "oneOf",
    "anyOf",
    "not",
    "items",
    "properties",
    "additionalProperties",
    "required",
    "enum",
    "nullable",
    "format",
    "password",
    "date-time",
    "object",
    "array",
    "string",
    "integer",
    "number",
    "boolean",
    "null",
    "application/json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "200",
    "204",
    "default",
    "4XX",
    "query",
    "path",
    "header",
    "cookie",
    "get",
    "post",
    "operationId",
    "parameters",
    "requestBody",
    "responses",
    "content",
    "schema",
];

/// When `STREAMKIT_FUZZ_LAST_INPUT` names a file, every input is written there before it
/// runs: a stack overflow kills the process before libFuzzer can save the input (it has no
/// alternate signal stack), and this file then holds it (`run.sh` keeps it).
pub fn record(data: &[u8]) {
    static PATH: OnceLock<Option<std::path::PathBuf>> = OnceLock::new();
    if let Some(path) = PATH.get_or_init(|| std::env::var_os("STREAMKIT_FUZZ_LAST_INPUT").map(Into::into)) {
        let _ = std::fs::write(path, data);
    }
}

/// Bytes as a spec file.
pub fn spec_text(data: &[u8]) {
    record(data);
    let text = String::from_utf8_lossy(data);
    match streamkit_codegen::load::parse(&text, Path::new(FILE)) {
        Ok(doc) => check_document(doc),
        Err(e) => check_error(&e),
    }
}

/// Bytes as a seed choice and a list of edits.
pub fn spec_mutations(data: &[u8]) {
    record(data);
    let mut u = Unstructured::new(data);
    let Ok(doc) = mutate(&mut u) else { return };
    match streamkit_spec::Document::from_value(doc, FILE) {
        Ok(doc) => check_document(doc),
        Err(e) => check_error(&e),
    }
}

fn seeds() -> &'static [Value] {
    static PARSED: OnceLock<Vec<Value>> = OnceLock::new();
    PARSED.get_or_init(|| {
        SEEDS
            .iter()
            .map(|(name, text)| streamkit_codegen::load::parse(text, Path::new(name)).expect("seed specs parse").doc)
            .collect()
    })
}

/// A seed with up to 12 edits applied.
pub fn mutate(u: &mut Unstructured<'_>) -> AResult<Value> {
    let mut doc = seeds()[u.choose_index(SEEDS.len())?].clone();
    for _ in 0..u.int_in_range(0..=12u8)? {
        edit(&mut doc, u)?;
    }
    Ok(doc)
}

fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                pointers(c, format!("{at}/{}", escape(k)), out);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                pointers(c, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

fn hostile(u: &mut Unstructured<'_>) -> AResult<String> {
    Ok(match u.int_in_range(0..=3u8)? {
        0 => u.arbitrary::<String>()?,
        1 => HOSTILE[u.choose_index(HOSTILE.len())?].repeat(u.int_in_range(1..=3)?),
        _ => HOSTILE[u.choose_index(HOSTILE.len())?].to_string(),
    })
}

fn value(u: &mut Unstructured<'_>, all: &[String], doc: &Value) -> AResult<Value> {
    Ok(match u.int_in_range(0..=9u8)? {
        0 => Value::String(hostile(u)?),
        1 => serde_json::json!(u.arbitrary::<i64>()?),
        2 => serde_json::json!(u.arbitrary::<f64>()?.clamp(-1e300, 1e300)),
        3 => Value::Bool(u.arbitrary()?),
        4 => Value::Null,
        5 => serde_json::json!({}),
        6 => serde_json::json!([]),
        // A reference to anywhere: cycles, self-references, references to non-schemas.
        7 => serde_json::json!({"$ref": format!("#{}", all[u.choose_index(all.len())?])}),
        // A copy of another part: duplicated names, operations, schemas.
        _ => doc.pointer(&all[u.choose_index(all.len())?]).cloned().unwrap_or(Value::Null),
    })
}

fn edit(doc: &mut Value, u: &mut Unstructured<'_>) -> AResult<()> {
    let mut all = Vec::new();
    pointers(doc, String::new(), &mut all);
    let target = all[u.choose_index(all.len())?].clone();
    let new = value(u, &all, doc)?;
    let op = u.int_in_range(0..=5u8)?;
    let key = hostile(u)?;
    let Some(node) = doc.pointer_mut(&target) else { return Ok(()) };
    match (op, node) {
        (0, node) => *node = new,
        (1, Value::Object(m)) => {
            m.insert(key, new);
        }
        (2, Value::Object(m)) if !m.is_empty() => {
            let k = m.keys().nth(u.choose_index(m.len())?).cloned().unwrap_or_default();
            let v = m.remove(&k).unwrap_or(Value::Null);
            // Renamed (or, one time in four, deleted).
            if u.ratio(3, 4)? {
                m.insert(key, v);
            }
        }
        (3, Value::Array(a)) => a.push(new),
        (4, node) => *node = serde_json::json!({"allOf": [node.take()]}),
        (5, node) => *node = serde_json::json!({"type": "array", "items": node.take()}),
        _ => {}
    }
    Ok(())
}

fn check_document(doc: streamkit_spec::Document) {
    match streamkit_codegen::generate(&doc) {
        Ok(out) => {
            // Whatever the spec said, the output path is a plain generated path.
            let root = std::env::temp_dir();
            if let Err(e) = streamkit_codegen::write::output_target(&root, &out.path) {
                assert!(
                    e.contains("symbolic link") || e.contains("not a generated file"),
                    "generated an unsafe output path: {e}"
                );
            }
        }
        Err(e) => check_error(&e),
    }
}

fn check_error(e: &streamkit_spec::SpecError) {
    let shown = e.to_string();
    assert!(shown.starts_with(FILE), "an error that does not name the file: {shown}");
    assert!(!e.message.trim().is_empty(), "an empty error message: {shown}");
}

/// The `runtime_inputs` target. The first byte picks what the rest is: a response body for
/// the generated types, or header lines for the rate-limit parser and the bucket.
pub fn runtime_inputs(data: &[u8]) {
    let Some((&kind, rest)) = data.split_first() else { return };
    if kind % 2 == 0 {
        decode_responses(rest);
    } else {
        rate_limit_headers(rest);
    }
}

fn decode_responses(body: &[u8]) {
    use streamkit_twitch::helix::types as t;
    // Decoding may fail; it must not panic, overflow the stack or hang.
    let _ = serde_json::from_slice::<t::GetUsersResponse>(body);
    let _ = serde_json::from_slice::<t::GetStreamsResponse>(body);
    let _ = serde_json::from_slice::<t::GetVideosResponse>(body);
    let _ = serde_json::from_slice::<t::GetClipsResponse>(body);
    let _ = serde_json::from_slice::<t::GetChattersResponse>(body);
    let _ = serde_json::from_slice::<t::GetGamesResponse>(body);
    let _ = serde_json::from_slice::<t::GetTopGamesResponse>(body);
    let _ = serde_json::from_slice::<t::GetChannelInformationResponse>(body);
    let _ = serde_json::from_slice::<t::GetChannelFollowersResponse>(body);
    let _ = serde_json::from_slice::<t::GetFollowedChannelsResponse>(body);
    let _ = serde_json::from_slice::<t::GetEventsubSubscriptionsResponse>(body);
    let _ = serde_json::from_slice::<t::GetExtensionLiveChannelsResponse>(body);
    let _ = serde_json::from_slice::<t::HelixErrorBody>(body);
}

fn rate_limit_headers(text: &[u8]) {
    use std::time::{Duration, Instant};
    use streamkit_runtime::ratelimit::{Observation, RateLimitInfo, TokenBucket};
    let text = String::from_utf8_lossy(text);
    let t0 = Instant::now();
    let mut bucket = TokenBucket::new(20, Duration::from_secs(4), t0);
    let mut issued = Vec::new();
    // Each line is one response's headers ("name: value; name: value"), answered in the
    // order given, which is any order relative to the requests.
    for (i, line) in text.lines().take(64).enumerate() {
        let mut headers = reqwest::header::HeaderMap::new();
        for pair in line.split(';') {
            let Some((name, value)) = pair.split_once(':') else { continue };
            if let (Ok(n), Ok(v)) = (
                reqwest::header::HeaderName::from_bytes(name.trim().as_bytes()),
                reqwest::header::HeaderValue::from_str(value.trim()),
            ) {
                headers.append(n, v);
            }
        }
        let now = t0 + Duration::from_millis(37 * i as u64);
        let epoch = 1_800_000_000.0 + 0.037 * i as f64;
        if let Ok(seq) = bucket.try_take(1 + (i % 3) as u32, now) {
            issued.push(seq);
        }
        let info = RateLimitInfo::from_headers(&headers, None, epoch);
        let answered = if issued.is_empty() { None } else { Some(issued.swap_remove(i % issued.len())) };
        if let Some(seq) = answered {
            let obs = info.map(|info| Observation { info, sent_epoch: epoch - 0.01, received_epoch: epoch });
            bucket.complete(seq, obs.as_ref(), now);
        }
        let left = bucket.available(now);
        assert!(
            left.is_finite() && left <= bucket.capacity() + 1e-6,
            "count {left} past capacity {}",
            bucket.capacity()
        );
        assert!(bucket.rate().is_finite() && bucket.rate() >= 0.0, "rate {}", bucket.rate());
    }
}
