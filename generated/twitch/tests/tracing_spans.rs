//! The tracing of calls, captured with a `tracing-subscriber` layer: one `streamkit.call`
//! span per call with the operation, method, path template, attempts, status and latency;
//! the limiter's waits and the refresh inside it; no secret or parameter value in any field.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use common::*;
use streamkit_runtime::Secret;
use streamkit_runtime::clock::TokioClock;
use streamkit_sandbox::{CLIENT_ID, CLIENT_SECRET, SandboxConfig};
use streamkit_twitch::{auth, helix};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::Registry;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

type Fields = BTreeMap<String, String>;

#[derive(Default, Clone)]
struct FieldsOf(Fields);

impl Visit for FieldsOf {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_string(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
}

/// What was seen: closed call spans with their fields, and events with the fields of the
/// innermost call span around them.
#[derive(Default)]
struct Seen {
    calls: Vec<Fields>,
    events: Vec<(Fields, Option<Fields>)>,
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Seen>>);

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut f = FieldsOf::default();
        attrs.record(&mut f);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(f);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(f) = span.extensions_mut().get_mut::<FieldsOf>()
        {
            values.record(f);
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut f = FieldsOf::default();
        event.record(&mut f);
        f.0.insert("target".into(), event.metadata().target().into());
        let call = ctx
            .event_scope(event)
            .and_then(|mut scope| scope.find(|s| s.name() == "streamkit.call"))
            .and_then(|s| s.extensions().get::<FieldsOf>().map(|x| x.0.clone()));
        self.0.lock().unwrap().events.push((f.0, call));
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(&id)
            && span.name() == "streamkit.call"
            && let Some(f) = span.extensions().get::<FieldsOf>()
        {
            self.0.lock().unwrap().calls.push(f.0.clone());
        }
    }
}

fn message(f: &Fields) -> &str {
    f.get("message").map_or("", String::as_str)
}

#[tokio::test(start_paused = true)]
async fn one_span_per_call_with_its_waits_and_refresh_inside_and_no_secrets() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(Registry::default().with(capture.clone()));
    let wall = UNIX_EPOCH + Duration::from_millis(1_800_000_000_000);
    let sb = sandbox_with(SandboxConfig {
        ratelimit_points: 2,
        ratelimit_period: Duration::from_secs(2),
        clock: Arc::new(streamkit_sandbox::TokioClock::starting_at(wall)),
        ..Default::default()
    })
    .await;
    let seed = sb.seed();
    let app = auth::AppCredentials { client_id: CLIENT_ID.into(), client_secret: Secret::new(CLIENT_SECRET) };
    let cache = auth::app_token_cache(oauth_client(&sb), app);
    let c = helix::Client::builder()
        .base_url(sb.helix_url())
        .token_cache(cache.clone())
        .clock(Arc::new(TokioClock::starting_at(wall)))
        .build()
        .unwrap();
    let user = seed.user_ids[3].clone();
    // Five calls on a bucket of two: the limiter makes some wait.
    for _ in 0..5 {
        c.get_users().id(vec![user.clone()]).send().await.unwrap();
    }
    // A refused token: refreshed inside the call's span.
    let first = cache.current().unwrap();
    sb.expire_token(first.expose());
    tokio::time::advance(Duration::from_secs(3)).await;
    c.get_users().id(vec![user.clone()]).send().await.unwrap();
    let second = cache.current().unwrap();

    let seen = capture.0.lock().unwrap();
    let users: Vec<&Fields> = seen.calls.iter().filter(|f| f["operation"] == "get_users").collect();
    assert_eq!(users.len(), 6, "one span per call: {:#?}", seen.calls);
    for f in &users {
        assert_eq!(f["method"], "GET");
        assert_eq!(f["path"], "/users");
        assert_eq!(f["status"], "200");
        assert!(f.contains_key("latency_ms"), "{f:?}");
    }
    assert_eq!(users.iter().map(|f| f["attempt"].as_str()).collect::<Vec<_>>(), ["1", "1", "1", "1", "1", "2"]);
    // The token fetches are calls of their own, nested in the Helix call that needed them.
    assert!(
        seen.calls.iter().any(|f| f["operation"] == "request_token" && f["path"] == "/token" && f["method"] == "POST")
    );
    let waits: Vec<_> = seen.events.iter().filter(|(e, _)| message(e).contains("waiting for points")).collect();
    assert!(!waits.is_empty(), "the limiter waited");
    for (_, call) in &waits {
        assert_eq!(call.as_ref().expect("inside a call span")["operation"], "get_users");
    }
    let refreshed =
        seen.events.iter().find(|(e, _)| message(e).contains("refreshed it, retrying")).expect("a refresh event");
    assert_eq!(refreshed.1.as_ref().unwrap()["operation"], "get_users");
    assert_eq!(refreshed.0["status"], "401 Unauthorized");
    // No secret and no parameter value anywhere.
    let everything: Vec<&String> = seen
        .calls
        .iter()
        .chain(seen.events.iter().flat_map(|(e, c)| std::iter::once(e).chain(c)))
        .flat_map(|f| f.values())
        .collect();
    assert!(everything.len() > 20);
    for value in everything {
        for secret in [first.expose(), second.expose(), CLIENT_SECRET] {
            assert!(!value.contains(secret), "a secret in a field: {value}");
        }
        assert!(!value.contains(&user), "a parameter value in a field: {value}");
    }
}
