//! Bounded, seeded property tests (fuzz-style, run as ordinary tests): the rate-limit header
//! parser, the token bucket against a simulated server under arbitrary response orders, the
//! paginator's cursor state machine and `Link` header parsing. Deterministic: a fixed seed
//! per case, no clock.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use streamkit_runtime::Refusal;
use streamkit_runtime::pagination::{FetchPage, Page, PageToken, Paginator};
use streamkit_runtime::policy::{BucketSpec, ResetUnit};
use streamkit_runtime::ratelimit::{Observation, RateLimitInfo, TokenBucket};

/// SplitMix64: small, seeded, good enough to explore.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

// ---- Header parser ------------------------------------------------------------------

static SPEC: BucketSpec = BucketSpec {
    name: "p",
    points: 10,
    per_seconds: 1,
    per_user: false,
    limit_header: Some("l"),
    remaining_header: Some("r"),
    reset_header: Some("s"),
    reset_unit: ResetUnit::DeltaSeconds,
};

fn hostile_value(rng: &mut Rng) -> String {
    const PIECES: &[&str] = &[
        "0",
        "-1",
        "18446744073709551615",
        "9223372036854775807",
        "-9223372036854775808",
        "1e9",
        " 7 ",
        "+3",
        "",
        "x",
        "4294967296",
        "12.5",
        "0x10",
    ];
    match rng.below(3) {
        0 => PIECES[rng.below(PIECES.len() as u64) as usize].to_string(),
        1 => rng.next().to_string(),
        _ => format!("{}", rng.next() as i64),
    }
}

#[test]
fn the_header_parser_never_panics_and_reads_only_what_parses() {
    let mut rng = Rng(0x5eed_0001);
    for _ in 0..20_000 {
        let mut h = HeaderMap::new();
        let mut raw = BTreeMap::new();
        for name in ["l", "r", "s"] {
            if rng.below(4) > 0 {
                let v = hostile_value(&mut rng);
                if let Ok(hv) = HeaderValue::from_str(&v) {
                    h.insert(HeaderName::from_static(name), hv);
                    raw.insert(name, v);
                }
            }
        }
        let received = rng.unit() * 4e9 - 1e9;
        let unit = if rng.below(2) == 0 { ResetUnit::DeltaSeconds } else { ResetUnit::EpochSeconds };
        let spec = BucketSpec { reset_unit: unit, ..SPEC };
        let info = RateLimitInfo::from_headers(&h, Some(&spec), received);
        let parsed = |n: &str| raw.get(n).and_then(|v| v.trim().parse::<u32>().ok());
        match info {
            None => assert!(
                parsed("l").is_none()
                    && parsed("r").is_none()
                    && raw.get("s").and_then(|v| v.trim().parse::<i64>().ok()).is_none()
            ),
            Some(i) => {
                assert_eq!(i.limit, parsed("l"));
                assert_eq!(i.remaining, parsed("r"));
                if let (ResetUnit::DeltaSeconds, Some(reset)) = (unit, i.reset) {
                    assert!(
                        reset as f64 >= received.floor() - 1.0 || reset == i64::MIN,
                        "a delta never points before the response"
                    );
                }
            }
        }
    }
}

// ---- Bucket against a simulated server ------------------------------------------------

/// Twitch's model: a bucket that refills continuously; `remaining` floored, `reset` the
/// epoch second (rounded up) at which it is full.
struct Server {
    capacity: f64,
    rate: f64,
    tokens: f64,
    at: f64,
}

impl Server {
    fn refill(&mut self, t: f64) {
        self.tokens = (self.tokens + (t - self.at).max(0.0) * self.rate).min(self.capacity);
        self.at = self.at.max(t);
    }
    /// Charges one request at `t`: `false` is a 429.
    fn charge(&mut self, t: f64) -> (bool, RateLimitInfo) {
        self.refill(t);
        let ok = self.tokens + 1e-9 >= 1.0;
        if ok {
            self.tokens -= 1.0;
        }
        let full_in = (self.capacity - self.tokens) / self.rate;
        let info = RateLimitInfo {
            limit: Some(self.capacity as u32),
            remaining: Some(self.tokens.floor().max(0.0) as u32),
            reset: Some((t + full_in).ceil() as i64),
        };
        (ok, info)
    }
}

enum Event {
    /// The client tries to send.
    Send,
    /// The server processes request `seq`, sent at `sent`.
    Arrive { seq: u64, sent: f64 },
    /// The client receives the figures for `seq`.
    Answer { seq: u64, sent: f64, info: RateLimitInfo },
}

#[test]
fn the_clients_count_never_lets_through_a_request_the_server_refuses() {
    for case in 0..300u64 {
        let mut rng = Rng(0xb0c4_e700 + case);
        let capacity = 2 + rng.below(40) as u32;
        let period = 1 + rng.below(8);
        let rate = f64::from(capacity) / period as f64;
        // The spec declares the server's size and a period at least as long (a slower rate).
        let declared = Duration::from_secs(period + rng.below(3));
        let t0 = Instant::now();
        let epoch0 = 1_800_000_000.0 + rng.unit();
        let mut client = TokenBucket::new(capacity, declared, t0);
        let mut server = Server { capacity: f64::from(capacity), rate, tokens: f64::from(capacity), at: epoch0 };
        // (time, tie-breaker) -> event: a deterministic event queue.
        let mut queue: BTreeMap<(u64, u64), Event> = BTreeMap::new();
        let key = |t: f64, n: &mut u64| {
            *n += 1;
            (((t - epoch0) * 1e6) as u64, *n)
        };
        let mut n = 0;
        let mut t = epoch0;
        for _ in 0..400 {
            t += rng.unit() * 0.2;
            queue.insert(key(t, &mut n), Event::Send);
        }
        let (mut sent, mut refused) = (0, 0);
        while let Some(((micros, _), event)) = queue.pop_first() {
            let now = epoch0 + micros as f64 / 1e6;
            let instant = t0 + Duration::from_micros(micros);
            match event {
                Event::Send => {
                    if let Ok(seq) = client.try_take(1, instant) {
                        sent += 1;
                        // Uplink latency: arbitrary, so requests reach the server out of order.
                        let at = now + rng.unit() * 0.5;
                        queue.insert(key(at, &mut n), Event::Arrive { seq, sent: now });
                    }
                }
                Event::Arrive { seq, sent } => {
                    let (ok, info) = server.charge(now);
                    if !ok {
                        refused += 1;
                    }
                    let at = now + rng.unit() * 0.5;
                    queue.insert(key(at, &mut n), Event::Answer { seq, sent, info });
                }
                Event::Answer { seq, sent, info } => {
                    let obs = Observation { info, sent_epoch: sent, received_epoch: now };
                    client.complete(seq, Some(&obs), instant);
                }
            }
        }
        assert_eq!(
            refused, 0,
            "case {case}: {refused} of {sent} requests refused (capacity {capacity}, period {period} s)"
        );
        assert!(sent > 0);
    }
}

// ---- Paginator state machine ------------------------------------------------------------

/// A random list: page `i` has `items[i]` items and cursor `cursors[i]` (`None`: last).
struct Script {
    items: Vec<usize>,
    cursors: Vec<Option<String>>,
}

/// What the walk must end with, computed independently of the paginator.
#[derive(Debug, PartialEq)]
enum Expected {
    Complete(usize),
    Cycle(usize),
    Empty(usize),
}

fn expected(s: &Script, max_empty: u32) -> Expected {
    let mut seen = std::collections::HashSet::new();
    let mut empty = 0;
    for (i, c) in s.cursors.iter().enumerate() {
        let Some(c) = c else { return Expected::Complete(i + 1) };
        if !seen.insert(c.clone()) {
            return Expected::Cycle(i + 1);
        }
        empty = if s.items[i] == 0 { empty + 1 } else { 0 };
        if empty >= max_empty {
            return Expected::Empty(i + 1);
        }
    }
    Expected::Complete(s.cursors.len())
}

#[tokio::test]
async fn the_paginator_ends_exactly_where_the_cursor_rules_say() {
    for case in 0..400u64 {
        let mut rng = Rng(0x9a9e_0000 + case);
        let pages = 1 + rng.below(60) as usize;
        let pool = 1 + rng.below(200);
        let items: Vec<usize> =
            (0..pages).map(|_| if rng.below(3) == 0 { 0 } else { 1 + rng.below(5) as usize }).collect();
        let mut cursors: Vec<Option<String>> = (0..pages).map(|_| Some(format!("c{}", rng.below(pool)))).collect();
        if let Some(last) = cursors.last_mut() {
            *last = None;
        }
        let script = Arc::new(Script { items, cursors });
        let max_empty = 1 + rng.below(5) as u32;
        let want = expected(&script, max_empty);
        for prefetch in [0, 1, 3] {
            let s = script.clone();
            let fetch: FetchPage<usize> = Arc::new(move |at: Option<PageToken>| {
                // The page index travels in the cursor: `c<pool>@<index>` is unique per page, so
                // the script's own repeats are what the paginator sees.
                let index = match &at {
                    None => 0,
                    Some(PageToken::After(c)) => c.rsplit('@').next().and_then(|i| i.parse().ok()).unwrap_or(0),
                    Some(_) => 0,
                };
                let items = vec![index; s.items[index]];
                let next = s.cursors[index].clone().map(|c| PageToken::After(format!("{c}@{}", index + 1)));
                Box::pin(async move { Ok(Page { items, requested: at, next }) })
            });
            // The index suffix makes every cursor unique; the repeat test needs the bare
            // cursor, so compare on it by a wrapper that strips the suffix.
            let results: Vec<_> = Paginator::new(strip_index(fetch))
                .prefetch(prefetch)
                .max_empty_pages(max_empty)
                .pages()
                .collect()
                .await;
            let ok = results.iter().filter(|r| r.is_ok()).count();
            let got = match results.last() {
                Some(Err(e)) => match e.refusal() {
                    Some(Refusal::CursorCycle { .. }) => Expected::Cycle(ok),
                    Some(Refusal::EmptyPages { .. }) => Expected::Empty(ok),
                    other => panic!("case {case}: unexpected end {other:?}"),
                },
                _ => Expected::Complete(ok),
            };
            assert_eq!(got, want, "case {case}, prefetch {prefetch}");
        }
    }
}

/// Keeps the page index outside the cursor the paginator sees: it sees `c<n>`, the fetcher
/// gets the index back from a side table keyed by the request order.
fn strip_index(inner: FetchPage<usize>) -> FetchPage<usize> {
    let table: Arc<std::sync::Mutex<BTreeMap<String, String>>> = Arc::default();
    Arc::new(move |at: Option<PageToken>| {
        let inner = inner.clone();
        let table = table.clone();
        let at = at.map(|t| match t {
            PageToken::After(c) => PageToken::After(table.lock().unwrap().get(&c).cloned().unwrap_or(c)),
            other => other,
        });
        Box::pin(async move {
            let mut page = inner(at).await?;
            page.next = page.next.map(|t| match t {
                PageToken::After(full) => {
                    let bare = full.split('@').next().unwrap_or("").to_string();
                    table.lock().unwrap().insert(bare.clone(), full);
                    PageToken::After(bare)
                }
                other => other,
            });
            page.requested = None;
            Ok(page)
        })
    })
}

/// `Link` headers (RFC 8288) as servers write them: several links in any order, relations
/// lists, quoted parameters holding `,` and `;`, URLs holding commas and percent-encoded
/// tokens. The next link's token is found whatever surrounds it; arbitrary text never
/// panics, and whatever is found is part of the header.
#[test]
fn link_headers_yield_the_next_token_whatever_surrounds_it() {
    use streamkit_runtime::pagination::{link_target, query_param};
    const RELS: [&str; 5] = ["next", "last", "prev", "first", "alternate"];
    for seed in 0..2000u64 {
        let mut rng = Rng(seed);
        let mut links = Vec::new();
        let mut want = None;
        for i in 0..rng.below(5) {
            let rel = RELS[rng.below(RELS.len() as u64) as usize];
            let rels = if rng.below(3) == 0 { format!("\"{rel} other\"") } else { format!("\"{rel}\"") };
            let token = format!("t{seed}x{i}%3D%2C");
            let url = format!("https://x/api/v2/users?where=a:eq:1,b:eq:2&limit=5&continuationToken={token}");
            let mut link = format!("<{url}>");
            if rng.below(2) == 0 {
                link.push_str("; title=\"a, b; c \\\"d\\\"\"");
            }
            link.push_str(&format!("; rel={rels}"));
            if rel == "next" && want.is_none() {
                want = Some(format!("t{seed}x{i}=,"));
            }
            links.push(link);
        }
        let mut h = HeaderMap::new();
        h.insert("link", HeaderValue::from_str(&links.join(", ")).unwrap());
        let got = link_target(&h, "Link", "next").and_then(|u| query_param(&u, "continuationToken"));
        assert_eq!(got, want, "seed {seed}: {links:?}");
    }
    const ALPHABET: &[u8] = b"<>;,=\"\\ ?&%relnxt";
    for seed in 0..2000u64 {
        let mut rng = Rng(seed);
        let text: String =
            (0..rng.below(80)).map(|_| ALPHABET[rng.below(ALPHABET.len() as u64) as usize] as char).collect();
        let Ok(value) = HeaderValue::from_str(&text) else { continue };
        let mut h = HeaderMap::new();
        h.insert("link", value);
        if let Some(target) = link_target(&h, "link", "next") {
            assert!(text.contains(&target), "seed {seed}: {target:?} is not in {text:?}");
        }
    }
}
