//! EventSub webhooks: the verifier on hand-built requests (every way a request can be wrong),
//! then end to end: an axum callback on 127.0.0.1 using the verifier, a subscription created
//! through the Helix client, the sandbox's verification handshake, and a Modify Channel
//! Information call arriving as a verified `channel.update` notification.
//!
//! Events are decoded as `serde_json::Value` for now (typed events come from the AsyncAPI
//! codegen). Nothing here sleeps: the sandbox's delivery log is awaited, and the verifier's
//! clock is set by hand.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{app_client, sandbox, user_client};
use http::{HeaderMap, HeaderValue};
use serde_json::{Value, json};
use streamkit_sandbox::{Sandbox, WebhookDelivery};
use streamkit_twitch::eventsub::webhook::{Outcome, WebhookError, WebhookVerifier, axum::callback, headers, sign};
use streamkit_twitch::eventsub::{Subscription, Transport};
use streamkit_twitch::{Clock, Secret, helix};
use tokio::sync::mpsc;

const SECRET: &str = "a-webhook-secret-of-24ch";

/// A wall clock the test sets.
#[derive(Debug)]
struct SetClock(Mutex<SystemTime>);

impl SetClock {
    fn at(t: SystemTime) -> Arc<SetClock> {
        Arc::new(SetClock(Mutex::new(t)))
    }
    fn advance(&self, by: Duration) {
        let mut t = self.0.lock().unwrap();
        *t += by;
    }
}

impl Clock for SetClock {
    fn now(&self) -> tokio::time::Instant {
        tokio::time::Instant::now()
    }
    fn wall(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

/// 2023-11-14T22:13:20Z.
fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

/// An RFC 3339 timestamp `offset_ms` after t0, with 9 fractional digits as Twitch sends them.
fn stamp(offset_ms: i64) -> String {
    let t = chrono::DateTime::<chrono::Utc>::from(t0())
        + chrono::Duration::milliseconds(offset_ms)
        + chrono::Duration::nanoseconds(123_456_789);
    t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

fn request(id: &str, ts: &str, kind: &str, body: &[u8]) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(headers::MESSAGE_ID, HeaderValue::from_str(id).unwrap());
    h.insert(headers::MESSAGE_TIMESTAMP, HeaderValue::from_str(ts).unwrap());
    h.insert(headers::MESSAGE_TYPE, HeaderValue::from_str(kind).unwrap());
    h.insert(headers::MESSAGE_RETRY, HeaderValue::from_static("0"));
    h.insert(headers::SUBSCRIPTION_TYPE, HeaderValue::from_static("channel.follow"));
    h.insert(headers::SUBSCRIPTION_VERSION, HeaderValue::from_static("2"));
    let sig = sign(&Secret::new(SECRET), id, ts, body);
    h.insert(headers::MESSAGE_SIGNATURE, HeaderValue::from_str(&sig).unwrap());
    h
}

fn subscription(status: &str) -> Value {
    json!({
        "id": "f1c2a387-161a-49f9-a165-0f21d7a4e1c4", "status": status, "type": "channel.follow", "version": "2",
        "cost": 0, "condition": {"broadcaster_user_id": "1337", "moderator_user_id": "1337"},
        "transport": {"method": "webhook", "callback": "https://example.com/webhooks/callback"},
        "created_at": "2019-11-16T10:11:12.634234626Z",
    })
}

fn follow_body() -> Vec<u8> {
    json!({
        "subscription": subscription("enabled"),
        "event": {
            "user_id": "1234", "user_login": "cool_user", "user_name": "Cool_User",
            "broadcaster_user_id": "1337", "broadcaster_user_login": "cooler_user", "broadcaster_user_name": "Cooler_User",
            "followed_at": "2020-07-15T18:16:11.17106713Z",
        },
    })
    .to_string()
    .into_bytes()
}

fn verifier_at(clock: &Arc<SetClock>) -> WebhookVerifier {
    WebhookVerifier::new(Secret::new(SECRET)).clock(clock.clone())
}

#[test]
fn a_valid_notification_is_accepted_with_its_nanosecond_timestamp() {
    let clock = SetClock::at(t0());
    let v = verifier_at(&clock);
    let body = follow_body();
    let ts = stamp(0);
    let Outcome::Notification(n) = v.verify(&request("m-1", &ts, "notification", &body), &body).unwrap() else {
        panic!("expected a notification");
    };
    assert_eq!((n.message_id.as_str(), n.retry), ("m-1", 0));
    assert_eq!((n.subscription_type.as_str(), n.subscription_version.as_str()), ("channel.follow", "2"));
    assert_eq!(n.event["user_login"], "cool_user");
    assert_eq!(n.timestamp.timestamp_subsec_nanos(), 123_456_789);
    assert_eq!(Outcome::Notification(n).reply().status, 204);
}

#[test]
fn a_tampered_body_or_signature_or_another_secret_is_refused() {
    let clock = SetClock::at(t0());
    let v = verifier_at(&clock);
    let body = follow_body();
    let ts = stamp(0);
    let h = request("m-1", &ts, "notification", &body);
    let mut tampered = body.clone();
    let at = tampered.iter().position(|b| *b == b'4').unwrap();
    tampered[at] = b'5';
    assert_eq!(v.verify(&h, &tampered), Err(WebhookError::SignatureMismatch));

    let mut bad_sig = h.clone();
    let sig = h[headers::MESSAGE_SIGNATURE].to_str().unwrap();
    let flipped = format!("{}{}", &sig[..sig.len() - 1], if sig.ends_with('0') { '1' } else { '0' });
    bad_sig.insert(headers::MESSAGE_SIGNATURE, HeaderValue::from_str(&flipped).unwrap());
    assert_eq!(v.verify(&bad_sig, &body), Err(WebhookError::SignatureMismatch));
    bad_sig.insert(headers::MESSAGE_SIGNATURE, HeaderValue::from_static("md5=abc"));
    assert_eq!(v.verify(&bad_sig, &body), Err(WebhookError::MalformedSignature));

    // The id and the timestamp are signed too.
    let mut other_id = h.clone();
    other_id.insert(headers::MESSAGE_ID, HeaderValue::from_static("m-2"));
    assert_eq!(v.verify(&other_id, &body), Err(WebhookError::SignatureMismatch));
    let mut other_ts = h.clone();
    other_ts.insert(headers::MESSAGE_TIMESTAMP, HeaderValue::from_str(&stamp(1)).unwrap());
    assert_eq!(v.verify(&other_ts, &body), Err(WebhookError::SignatureMismatch));

    let stranger = WebhookVerifier::new("another-secret-entirely").clock(clock.clone());
    let err = stranger.verify(&h, &body).unwrap_err();
    assert_eq!(err, WebhookError::SignatureMismatch);
    assert_eq!(err.http_status(), 403);
    // No refused request used up the id: the genuine one still passes.
    assert!(v.verify(&h, &body).is_ok());
}

#[test]
fn a_replayed_id_is_refused_even_with_a_fresh_signature() {
    let clock = SetClock::at(t0());
    let v = verifier_at(&clock);
    let body = follow_body();
    assert!(v.verify(&request("m-1", &stamp(0), "notification", &body), &body).is_ok());
    clock.advance(Duration::from_secs(30));
    // Twitch's resend: same id (and here a new timestamp, signed again).
    let again = request("m-1", &stamp(30_000), "notification", &body);
    let err = v.verify(&again, &body).unwrap_err();
    assert_eq!(err, WebhookError::Replayed { message_id: "m-1".into() });
    assert_eq!(err.http_status(), 200);
    assert!(v.verify(&request("m-2", &stamp(30_000), "notification", &body), &body).is_ok());
    assert_eq!(v.remembered_ids(), 2);
}

#[test]
fn stale_and_future_timestamps_are_refused() {
    let clock = SetClock::at(t0());
    let v = verifier_at(&clock);
    let body = follow_body();
    // Exactly 10 minutes old (plus the 0.123456789 s of the stamp, so just under): accepted.
    clock.advance(Duration::from_secs(600));
    assert!(v.verify(&request("fresh", &stamp(0), "notification", &body), &body).is_ok());
    clock.advance(Duration::from_secs(1));
    let err = v.verify(&request("old", &stamp(0), "notification", &body), &body).unwrap_err();
    assert!(matches!(err, WebhookError::Stale { age_secs: 600, max_secs: 600 }), "{err:?}");
    assert!(err.to_string().contains("600 s old"), "{err}");

    let clock = SetClock::at(t0());
    let v = verifier_at(&clock);
    assert!(v.verify(&request("near", &stamp(59_000), "notification", &body), &body).is_ok());
    let err = v.verify(&request("far", &stamp(61_000), "notification", &body), &body).unwrap_err();
    assert!(matches!(err, WebhookError::FromTheFuture { ahead_secs: 61, max_skew_secs: 60 }), "{err:?}");

    let mut garbled = request("g", "yesterday", "notification", &body);
    garbled.insert(
        headers::MESSAGE_SIGNATURE,
        HeaderValue::from_str(&sign(&Secret::new(SECRET), "g", "yesterday", &body)).unwrap(),
    );
    assert_eq!(v.verify(&garbled, &body), Err(WebhookError::BadTimestamp("yesterday".into())));
}

#[test]
fn each_missing_header_is_named() {
    let clock = SetClock::at(t0());
    let v = verifier_at(&clock);
    let body = follow_body();
    for name in [headers::MESSAGE_ID, headers::MESSAGE_TIMESTAMP, headers::MESSAGE_SIGNATURE, headers::MESSAGE_TYPE] {
        let mut h = request("m-1", &stamp(0), "notification", &body);
        h.remove(name);
        let err = v.verify(&h, &body).unwrap_err();
        assert_eq!(err, WebhookError::MissingHeader(name));
        assert!(err.to_string().contains(name), "{err}");
        assert_eq!(err.http_status(), 400);
    }
    // Retry and the subscription headers are optional.
    let mut h = request("m-1", &stamp(0), "notification", &body);
    for name in [headers::MESSAGE_RETRY, headers::SUBSCRIPTION_TYPE, headers::SUBSCRIPTION_VERSION] {
        h.remove(name);
    }
    assert!(v.verify(&h, &body).is_ok());
}

#[test]
fn the_verification_challenge_is_answered_raw_as_text() {
    let clock = SetClock::at(t0());
    let v = verifier_at(&clock);
    let body = json!({"challenge": "pogchamp-kappa-360noscope-vohiyo", "subscription": subscription("webhook_callback_verification_pending")})
        .to_string()
        .into_bytes();
    let outcome = v.verify(&request("c-1", &stamp(0), "webhook_callback_verification", &body), &body).unwrap();
    let reply = outcome.reply();
    assert_eq!(
        (reply.status, reply.content_type, reply.body.as_str()),
        (200, Some("text/plain"), "pogchamp-kappa-360noscope-vohiyo")
    );
    let no_challenge = json!({"subscription": subscription("webhook_callback_verification_pending")}).to_string();
    let err = v
        .verify(
            &request("c-2", &stamp(0), "webhook_callback_verification", no_challenge.as_bytes()),
            no_challenge.as_bytes(),
        )
        .unwrap_err();
    assert_eq!(err, WebhookError::BadBody("`body.challenge` is missing".into()));
}

#[test]
fn a_revocation_says_which_subscription_and_why() {
    let clock = SetClock::at(t0());
    let v = verifier_at(&clock);
    let body = json!({"subscription": subscription("authorization_revoked")}).to_string().into_bytes();
    let Outcome::Revoked(r) = v.verify(&request("r-1", &stamp(0), "revocation", &body), &body).unwrap() else {
        panic!("expected a revocation");
    };
    assert_eq!(r.subscription_id, "f1c2a387-161a-49f9-a165-0f21d7a4e1c4");
    assert_eq!((r.status.as_str(), r.subscription_type.as_str()), ("authorization_revoked", "channel.follow"));
    let typed = r.typed_subscription(streamkit_twitch::message::Strictness::Lenient).unwrap();
    assert_eq!((typed.id.as_str(), typed.status.as_str()), (r.subscription_id.as_str(), "authorization_revoked"));
}

#[test]
fn bodies_and_headers_that_disagree_are_refused() {
    let clock = SetClock::at(t0());
    let v = verifier_at(&clock).max_body(64);
    let body = follow_body();
    let err = v.verify(&request("m-1", &stamp(0), "notification", &body), &body).unwrap_err();
    assert_eq!(err, WebhookError::BodyTooLarge { len: body.len(), max: 64 });

    let v = verifier_at(&clock);
    let mut h = request("m-1", &stamp(0), "notification", &body);
    h.insert(headers::SUBSCRIPTION_VERSION, HeaderValue::from_static("1"));
    let err = v.verify(&h, &body).unwrap_err();
    assert!(matches!(err, WebhookError::HeaderMismatch { name: headers::SUBSCRIPTION_VERSION, .. }), "{err:?}");
    let h = request("m-2", &stamp(0), "subscription_revoked", &body);
    assert_eq!(v.verify(&h, &body), Err(WebhookError::UnknownMessageType("subscription_revoked".into())));
    let junk = b"not json";
    assert!(matches!(v.verify(&request("m-3", &stamp(0), "notification", junk), junk), Err(WebhookError::BadBody(_))));
    // The secret never shows.
    assert!(!format!("{v:?}").contains(SECRET));
}

// ---- End to end through the sandbox ----

/// A callback server on 127.0.0.1:0 using the axum handler; every outcome handed to the app
/// arrives on the receiver.
async fn callback_server(secret: &str) -> (String, mpsc::UnboundedReceiver<Outcome>) {
    let verifier = Arc::new(WebhookVerifier::new(Secret::new(secret)));
    let (tx, rx) = mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/eventsub",
        callback(verifier, move |outcome| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(outcome);
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/eventsub", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, rx)
}

/// The delivery log once it has `n` entries (a missing delivery fails after 10 s, never hangs).
async fn deliveries(sb: &Sandbox, n: usize) -> Vec<WebhookDelivery> {
    tokio::time::timeout(Duration::from_secs(10), sb.twitch().eventsub().wait_for(n))
        .await
        .unwrap_or_else(|_| panic!("expected {n} deliveries, have {:#?}", sb.twitch().eventsub().deliveries()))
}

async fn create(client: &helix::Client, sub: Subscription, transport: Transport) -> String {
    let created = client.create_eventsub_subscription().body(sub.body(transport).unwrap()).send().await.unwrap();
    assert_eq!(created.status(), 202);
    assert_eq!(created.data[0].status.to_string(), "webhook_callback_verification_pending");
    created.data[0].id.clone()
}

#[tokio::test]
async fn handshake_then_a_rest_write_arrives_as_a_verified_channel_update() {
    let sb = sandbox().await;
    let broadcaster = sb.seed().broadcaster_id;
    let (url, mut rx) = callback_server(SECRET).await;
    let app = app_client(&sb);
    let id = create(&app, Subscription::channel_update_v2(&broadcaster), Transport::webhook(url, SECRET)).await;

    let log = deliveries(&sb, 1).await;
    assert_eq!(
        (log[0].message_type.as_str(), log[0].status, log[0].error.as_deref()),
        ("webhook_callback_verification", Some(200), None)
    );
    let Some(Outcome::Challenge(c)) = rx.recv().await else { panic!("expected the challenge") };
    assert_eq!(c.subscription["id"], id.as_str());
    let listed = app.get_eventsub_subscriptions().subscription_id(&id).send().await.unwrap();
    assert_eq!(listed.data[0].status.to_string(), "enabled");

    let me = user_client(&sb, &broadcaster, &["channel:manage:broadcast"]);
    me.modify_channel_information()
        .broadcaster_id(&broadcaster)
        .body(helix::types::ModifyChannelInformationBody::builder().title("Speedrun at 9"))
        .send()
        .await
        .unwrap();
    let log = deliveries(&sb, 2).await;
    assert_eq!((log[1].message_type.as_str(), log[1].status), ("notification", Some(204)));
    let Some(Outcome::Notification(n)) = rx.recv().await else { panic!("expected a notification") };
    assert_eq!((n.subscription_type.as_str(), n.subscription_version.as_str()), ("channel.update", "2"));
    assert_eq!(n.message_id, log[1].message_id);
    assert_eq!(n.event["broadcaster_user_id"], broadcaster.as_str());
    assert_eq!(n.event["title"], "Speedrun at 9");
    assert!(n.event["category_id"].is_string() && n.event["content_classification_labels"].is_array());
    assert!(sb.contract_violations().is_empty(), "{:?}", sb.contract_violations());
}

#[tokio::test]
async fn a_rest_write_notifies_only_the_version_whose_payload_it_is() {
    let sb = sandbox().await;
    let broadcaster = sb.seed().broadcaster_id;
    let (url, mut rx) = callback_server(SECRET).await;
    let app = app_client(&sb);
    let v2 = create(&app, Subscription::channel_update_v2(&broadcaster), Transport::webhook(url.clone(), SECRET)).await;
    // The escape hatch: a type, version and condition this crate does not type.
    let v1 = Subscription::other("channel.update", "1", [("broadcaster_user_id", broadcaster.as_str())]);
    let v1 = create(&app, v1, Transport::webhook(url, SECRET)).await;
    let log = deliveries(&sb, 2).await;
    assert_eq!([log[0].subscription_id.as_str(), log[1].subscription_id.as_str()], [v2.as_str(), v1.as_str()]);

    let me = user_client(&sb, &broadcaster, &["channel:manage:broadcast"]);
    let body = helix::types::ModifyChannelInformationBody::builder().title("v2 only");
    me.modify_channel_information().broadcaster_id(&broadcaster).body(body).send().await.unwrap();
    // A hook's event goes to both versions. Deliveries keep their order, so had the write
    // notified v1 as well, its message would come before these two.
    let triggered = sb.twitch().eventsub().trigger("channel.update", json!({"broadcaster_user_id": broadcaster}));
    assert_eq!(triggered.len(), 2);
    let log = deliveries(&sb, 5).await;
    assert_eq!((log[2].subscription_id.as_str(), log[2].message_type.as_str()), (v2.as_str(), "notification"));
    assert_eq!(
        [log[3].message_id.as_str(), log[4].message_id.as_str()],
        [triggered[0].as_str(), triggered[1].as_str()]
    );
    let mut versions = Vec::new();
    while let Ok(outcome) = rx.try_recv() {
        if let Outcome::Notification(n) = outcome {
            versions.push(n.subscription_version);
        }
    }
    assert_eq!(versions.len(), 3);
    assert_eq!(versions[0], "2");
}

#[tokio::test]
async fn a_resent_message_reaches_the_app_once_and_a_revocation_ends_delivery() {
    let sb = sandbox().await;
    let broadcaster = sb.seed().broadcaster_id;
    let (url, mut rx) = callback_server(SECRET).await;
    let id =
        create(&app_client(&sb), Subscription::stream_online_v1(&broadcaster), Transport::webhook(url, SECRET)).await;
    deliveries(&sb, 1).await;
    assert!(matches!(rx.recv().await, Some(Outcome::Challenge(_))));

    let hooks = sb.twitch().eventsub();
    let event = json!({"id": "9001", "broadcaster_user_id": broadcaster, "broadcaster_user_login": "b",
        "broadcaster_user_name": "B", "type": "live", "started_at": "2020-10-11T10:11:12.123Z"});
    // An event for another broadcaster concerns nobody here.
    assert!(hooks.trigger("stream.online", json!({"broadcaster_user_id": "999999999"})).is_empty());
    let ids = hooks.trigger("stream.online", event);
    assert_eq!(ids.len(), 1);
    deliveries(&sb, 2).await;
    let Some(Outcome::Notification(n)) = rx.recv().await else { panic!("expected a notification") };
    assert_eq!((n.message_id.as_str(), n.retry), (ids[0].as_str(), 0));

    assert!(hooks.resend(&ids[0]));
    let log = deliveries(&sb, 3).await;
    assert_eq!((log[2].message_id.as_str(), log[2].retry), (ids[0].as_str(), 1));
    assert_eq!(log[2].body, log[1].body);
    // Acknowledged (200, so Twitch would stop resending) but not handed to the app again: the
    // outcome would be on the channel before the answer was logged.
    assert_eq!(log[2].status, Some(200));
    assert!(rx.try_recv().is_err());
    assert!(!hooks.resend("no-such-message"));

    let revocation = hooks.revoke(&id, "authorization_revoked").unwrap();
    let log = deliveries(&sb, 4).await;
    assert_eq!(
        (log[3].message_id.as_str(), log[3].message_type.as_str(), log[3].status),
        (revocation.as_str(), "revocation", Some(204))
    );
    let Some(Outcome::Revoked(r)) = rx.recv().await else { panic!("expected a revocation") };
    assert_eq!((r.subscription_id.as_str(), r.status.as_str()), (id.as_str(), "authorization_revoked"));
    assert_eq!(hooks.status(&id).as_deref(), Some("authorization_revoked"));
    assert!(hooks.trigger("stream.online", json!({"broadcaster_user_id": broadcaster})).is_empty());
    assert!(hooks.revoke(&id, "no_such_status").is_none());
}

#[tokio::test]
async fn a_callback_that_does_not_echo_the_challenge_fails_verification() {
    let sb = sandbox().await;
    let broadcaster = sb.seed().broadcaster_id;
    // The callback knows another secret: it answers 403 instead of the challenge.
    let (url, mut rx) = callback_server("the-wrong-secret-123").await;
    let app = app_client(&sb);
    let id = create(&app, Subscription::stream_offline_v1(&broadcaster), Transport::webhook(url, SECRET)).await;
    let log = deliveries(&sb, 1).await;
    assert_eq!(log[0].status, Some(403));
    assert!(log[0].error.as_deref().unwrap_or("").contains("without echoing the challenge"), "{log:?}");
    let listed = app.get_eventsub_subscriptions().subscription_id(&id).send().await.unwrap();
    assert_eq!(listed.data[0].status.to_string(), "webhook_callback_verification_failed");
    assert!(sb.twitch().eventsub().trigger("stream.offline", json!({"broadcaster_user_id": broadcaster})).is_empty());
    assert!(rx.try_recv().is_err());
}

#[tokio::test]
async fn only_loopback_callbacks_are_contacted() {
    let sb = sandbox().await;
    let broadcaster = sb.seed().broadcaster_id;
    let app = app_client(&sb);
    // Accepted as Twitch would, but never contacted: it stays pending.
    let remote = create(
        &app,
        Subscription::stream_online_v1(&broadcaster),
        Transport::webhook("https://example.com/eventsub", SECRET),
    )
    .await;
    let (url, _rx) = callback_server(SECRET).await;
    let local = create(&app, Subscription::stream_offline_v1(&broadcaster), Transport::webhook(url, SECRET)).await;
    // Deliveries are sent in order; the first and only one is the loopback subscription's.
    let log = deliveries(&sb, 1).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].subscription_id, local);
    assert_eq!(sb.twitch().eventsub().status(&remote).as_deref(), Some("webhook_callback_verification_pending"));
    // Plain HTTP to anything but 127.0.0.1 is refused.
    let body = Subscription::stream_online_v1(&broadcaster)
        .body(Transport::webhook("http://10.1.2.3:8080/eventsub", SECRET))
        .unwrap();
    let err = app.create_eventsub_subscription().body(body).send().await.unwrap_err();
    assert_eq!(common::status(&err), 400);
}
