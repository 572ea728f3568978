//! `decode`: what keeping unknown fields costs when a Get Streams page is decoded.
//!
//! One realistic page (the documented Get Streams item, varied per item, keys in Twitch's
//! order, no undocumented field) of 20 and of 100 items is decoded from bytes with
//! `serde_json::from_slice` into:
//!
//! * **generated**: `helix::types::GetStreamsResponse`, with the codegen's one-pass
//!   `Deserialize` (unknown keys into `extra`);
//! * **raw**: hand-written serde structs with the same fields and field types, no `extra`
//!   (the floor);
//! * **flatten**: the same hand-written structs with `#[serde(flatten)] extra`, as the
//!   generated types were derived before (the buffering `Deserialize`).
//!
//! Instructions per decode come from callgrind (the bench binary re-run under
//! `valgrind --tool=callgrind` with the hidden subcommand `__decode VARIANT ITEMS ITERS`,
//! at two iteration counts: the difference divided by the extra iterations, so start-up
//! cancels). Allocations and bytes per decode come from the counting global allocator
//! below, switched on around the decodes only. Time per decode is informational.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use serde::Deserialize;
use serde_json::{Map, Value};
use streamkit_twitch::helix::types::{GetStreamsResponse, StreamType};

use crate::common::{BenchResult, Figure, thousands};

const SCENARIO: &str = "decode";

/// The system allocator, counting allocations and bytes while [`COUNTING`] is on (one
/// relaxed load per allocation otherwise: the other scenarios do not notice it).
pub struct CountingAlloc;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is forwarded to `System` unchanged; the counters have no effect on it.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
            BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        }
        // SAFETY: the caller's contract for `alloc` is passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
            BYTES.fetch_add(new_size as u64, Ordering::Relaxed);
        }
        // SAFETY: the caller's contract for `realloc` is passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAlloc = CountingAlloc;

/// The hand-written baseline: Get Streams' fields with the generated field types, no `extra`.
#[derive(Deserialize)]
#[allow(dead_code)]
struct RawStream {
    game_id: String,
    game_name: String,
    id: String,
    is_mature: Option<bool>,
    language: String,
    started_at: chrono::DateTime<chrono::Utc>,
    tag_ids: Option<Vec<String>>,
    #[serde(deserialize_with = "Option::deserialize")]
    tags: Option<Vec<String>>,
    thumbnail_url: String,
    title: String,
    #[serde(rename = "type")]
    type_: StreamType,
    user_id: String,
    user_login: String,
    user_name: String,
    viewer_count: i64,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct RawPagination {
    cursor: Option<String>,
}

#[derive(Deserialize)]
struct RawPage {
    data: Vec<RawStream>,
    #[allow(dead_code)]
    pagination: Option<RawPagination>,
}

/// The derived form with `#[serde(flatten)] extra`, as the generated types were before.
#[derive(Deserialize)]
#[allow(dead_code)]
struct FlatStream {
    game_id: String,
    game_name: String,
    id: String,
    is_mature: Option<bool>,
    language: String,
    started_at: chrono::DateTime<chrono::Utc>,
    tag_ids: Option<Vec<String>>,
    #[serde(deserialize_with = "Option::deserialize")]
    tags: Option<Vec<String>>,
    thumbnail_url: String,
    title: String,
    #[serde(rename = "type")]
    type_: StreamType,
    user_id: String,
    user_login: String,
    user_name: String,
    viewer_count: i64,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct FlatPagination {
    cursor: Option<String>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct FlatPage {
    data: Vec<FlatStream>,
    pagination: Option<FlatPagination>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

#[derive(Clone, Copy, Debug)]
enum Variant {
    Generated,
    Raw,
    Flatten,
}

const VARIANTS: [Variant; 3] = [Variant::Generated, Variant::Raw, Variant::Flatten];

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::Generated => "generated",
            Variant::Raw => "raw",
            Variant::Flatten => "flatten",
        }
    }

    fn parse(s: &str) -> Option<Variant> {
        VARIANTS.into_iter().find(|v| v.name() == s)
    }

    /// Decodes `page`; the item count, so the work cannot be optimised away.
    fn decode(self, page: &[u8]) -> Result<usize, String> {
        let n = match self {
            Variant::Generated => serde_json::from_slice::<GetStreamsResponse>(page).map(|p| p.data.len()),
            Variant::Raw => serde_json::from_slice::<RawPage>(page).map(|p| p.data.len()),
            Variant::Flatten => serde_json::from_slice::<FlatPage>(page).map(|p| p.data.len()),
        };
        n.map_err(|e| format!("{} does not decode the page: {e}", self.name()))
    }
}

/// A Get Streams page of `items` live streams, as Twitch sends it (its key order, the
/// documented example's values varied per item).
pub fn page(items: usize) -> Vec<u8> {
    let data: Vec<String> = (0..items)
        .map(|i| {
            format!(
                r#"{{"id":"4{i:08}","user_id":"{uid}","user_login":"streamer{i}","user_name":"Streamer{i}","game_id":"494131","game_name":"Little Nightmares","type":"live","title":"hablamos y le damos a Little Nightmares {i}","tags":["Español","English"],"viewer_count":{v},"started_at":"2021-03-10T15:{m:02}:21Z","language":"es","thumbnail_url":"https://static-cdn.jtvnw.net/previews-ttv/live_user_streamer{i}-{{width}}x{{height}}.jpg","tag_ids":[],"is_mature":false}}"#,
                uid = 98765 + i,
                v = 78365 - i,
                m = i % 60
            )
        })
        .collect();
    format!(
        r#"{{"data":[{}],"pagination":{{"cursor":"eyJiIjp7IkN1cnNvciI6ImV5SnpJam8zT0RNMk5TNDBORFF4TlRjMU1UY3hOU3dpWkNJNlptRnNjMlVzSW5RaU9uUnlkV1Y5In0sImEiOnsiQ3Vyc29yIjoiZXlKeklqb3hOVGs0TkM0MU56RXhNekExTVRZNU1ESXNJbVFpT21aaGJITmxMQ0owSWpwMGNuVmxmUT09In19"}}}}"#,
        data.join(",")
    )
    .into_bytes()
}

/// Allocations and bytes allocated by one decode.
fn allocations(variant: Variant, page: &[u8]) -> BenchResult<(u64, u64)> {
    ALLOCS.store(0, Ordering::Relaxed);
    BYTES.store(0, Ordering::Relaxed);
    COUNTING.store(true, Ordering::Relaxed);
    let n = variant.decode(page);
    COUNTING.store(false, Ordering::Relaxed);
    n?;
    Ok((ALLOCS.load(Ordering::Relaxed), BYTES.load(Ordering::Relaxed)))
}

/// Nanoseconds per decode, over `iters` decodes after a warm-up.
fn nanos(variant: Variant, page: &[u8], iters: usize) -> BenchResult<f64> {
    for _ in 0..iters / 10 + 1 {
        variant.decode(page)?;
    }
    let t0 = Instant::now();
    let mut items = 0;
    for _ in 0..iters {
        items += variant.decode(std::hint::black_box(page))?;
    }
    std::hint::black_box(items);
    Ok(t0.elapsed().as_nanos() as f64 / iters as f64)
}

/// The hidden child process run under callgrind: `iters` decodes of a page of `items`.
pub fn child(variant: &str, items: usize, iters: usize) -> BenchResult<()> {
    let variant = Variant::parse(variant).ok_or_else(|| format!("__decode: unknown variant {variant}"))?;
    let page = page(items);
    let mut n = 0;
    for _ in 0..iters {
        n += variant.decode(std::hint::black_box(&page))?;
    }
    if n != items * iters {
        return Err(format!("__decode: decoded {n} items, expected {}", items * iters));
    }
    Ok(())
}

/// Instructions of a run of the bench binary under callgrind (`None` without valgrind).
fn callgrind_total(variant: Variant, items: usize, iters: usize) -> BenchResult<Option<u64>> {
    let exe = std::env::current_exe().map_err(|e| format!("bench binary: {e}"))?;
    let out = std::process::Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(&exe)
        .args(["__decode", variant.name(), &items.to_string(), &iters.to_string()])
        .output();
    let Ok(out) = out else { return Ok(None) };
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("callgrind run failed: {stderr}"));
    }
    // "==123== Collected : 123456789"
    let total = stderr
        .lines()
        .find_map(|l| l.split_once("Collected :").map(|(_, n)| n.trim().replace(',', "")))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("no `Collected` line in callgrind's output: {stderr}"))?;
    Ok(Some(total))
}

/// Instructions per decode: two callgrind runs, the difference over the extra iterations.
fn instructions(variant: Variant, items: usize) -> BenchResult<Option<u64>> {
    let (few, many) = (2, 22);
    let (Some(a), Some(b)) = (callgrind_total(variant, items, few)?, callgrind_total(variant, items, many)?) else {
        return Ok(None);
    };
    Ok(Some(b.saturating_sub(a) / (many - few) as u64))
}

fn ratio(a: u64, b: u64) -> f64 {
    a as f64 / b.max(1) as f64
}

pub fn run() -> BenchResult<Vec<Figure>> {
    let mut figures = Vec::new();
    for items in [20, 100] {
        let page = page(items);
        for v in VARIANTS {
            if v.decode(&page)? != items {
                return Err(format!("{} decoded the wrong number of items", v.name()));
            }
        }
        eprintln!("   callgrind, {items} items");
        let mut ir = Vec::new();
        for v in VARIANTS {
            ir.push(instructions(v, items)?);
        }
        match (ir[0], ir[1], ir[2]) {
            (Some(g), Some(r), Some(f)) => {
                figures.push(Figure::target(
                    SCENARIO,
                    format!("instructions per decode of a {items}-item Get Streams page ({} bytes), generated vs raw (callgrind)", page.len()),
                    format!("{} vs {} (×{:.3})", thousands(g), thousands(r), ratio(g, r)),
                    "≤ ×1.03",
                    ratio(g, r) <= 1.03,
                ));
                figures.push(Figure::info(
                    SCENARIO,
                    format!("same, before: derived `#[serde(flatten)] extra` vs raw ({items} items)"),
                    format!(
                        "{} (×{:.3}; generated saves {} per decode)",
                        thousands(f),
                        ratio(f, r),
                        thousands(f.saturating_sub(g))
                    ),
                ));
            }
            _ => figures.push(Figure::info(
                SCENARIO,
                format!("instructions per decode ({items} items)"),
                "valgrind not installed: not measured",
            )),
        }
        let iters = crate::env_usize("STREAMKIT_BENCH_DECODES", 20_000) * 20 / items;
        let t: Vec<f64> = VARIANTS.iter().map(|v| nanos(*v, &page, iters)).collect::<BenchResult<_>>()?;
        figures.push(Figure::info(
            SCENARIO,
            format!("time per decode, {items} items: generated / raw / flatten ({iters} decodes each)"),
            format!("{:.1} / {:.1} / {:.1} µs", t[0] / 1e3, t[1] / 1e3, t[2] / 1e3),
        ));
    }
    let page = page(100);
    let counts: Vec<(u64, u64)> = VARIANTS.iter().map(|v| allocations(*v, &page)).collect::<BenchResult<_>>()?;
    let [(ga, gb), (ra, rb), (fa, fb)] = [counts[0], counts[1], counts[2]];
    figures.push(Figure::target(
        SCENARIO,
        "allocations / bytes allocated decoding a 100-item page, generated vs raw (counting allocator)",
        format!(
            "{ga} / {} B vs {ra} / {} B (×{:.2} / ×{:.2})",
            thousands(gb),
            thousands(rb),
            ratio(ga, ra),
            ratio(gb, rb)
        ),
        "≤ raw + 20%",
        ratio(ga, ra) <= 1.2 && ratio(gb, rb) <= 1.2,
    ));
    figures.push(Figure::info(
        SCENARIO,
        "same, before: derived `#[serde(flatten)] extra`",
        format!("{fa} / {} B (×{:.2} / ×{:.2} raw)", thousands(fb), ratio(fa, ra), ratio(fb, rb)),
    ));
    Ok(figures)
}
