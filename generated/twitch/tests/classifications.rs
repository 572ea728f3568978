//! Response classifications declared in the spec (`x-streamkit-classify`), end to end.

mod common;

use common::*;
use streamkit_twitch::eventsub::websocket::EventSubClient;
use streamkit_twitch::helix::{self, types};

fn websocket_subscription(
    kind: &str,
    version: &str,
    broadcaster: &str,
    session: &str,
) -> types::builder::CreateEventsubSubscriptionBody {
    types::CreateEventsubSubscriptionBody::builder()
        .type_(kind.to_string())
        .version(version.to_string())
        .condition(
            serde_json::from_value::<types::EventSubCondition>(serde_json::json!({"broadcaster_user_id": broadcaster}))
                .unwrap(),
        )
        .transport(
            types::EventSubTransportRequest::builder()
                .method(types::EventSubTransportMethod::Websocket)
                .session_id(session.to_string()),
        )
}

/// Create EventSub answers 429 when the subscriptions' total cost is used up, with points left
/// in the rate-limit bucket. helix.yaml declares that answer `final` for this operation only,
/// so the client hands it back after one attempt instead of waiting for a reset that would
/// not help.
#[tokio::test]
async fn a_429_with_points_left_on_create_eventsub_is_the_answer_not_the_rate_limit() {
    let sb = sandbox().await;
    let seed = sb.seed();
    // A user token subscribing to another user's channel: each subscription costs 1, and a
    // websocket user may spend 10.
    let c = user_client(&sb, &seed.user_ids[1], &[]);
    // A real session of the sandbox's EventSub websocket (a client with no subscriptions of
    // its own) to create them on; distinct type + condition pairs, so none is a duplicate.
    let socket = EventSubClient::builder(c.clone())
        .url(sb.twitch().eventsub().websocket_url())
        .connect()
        .await
        .expect("connects");
    let session = socket.session_id().expect("welcomed");
    let kinds = [("channel.update", "2"), ("stream.online", "1"), ("stream.offline", "1"), ("channel.cheer", "1")];
    let channels = [&seed.user_ids[0], &seed.user_ids[2], &seed.user_ids[3]];
    let session = session.as_str();
    let mut bodies =
        kinds.iter().flat_map(|(k, v)| channels.iter().map(move |b| websocket_subscription(k, v, b, session)));
    let mut created = 0;
    let e = loop {
        let body = bodies.next().expect("the total cost ran out before the subscriptions did");
        match c.create_eventsub_subscription().body(body).send().await {
            Ok(_) => created += 1,
            Err(e) => break e,
        }
    };
    assert_eq!(created, 10, "a websocket user may spend 10");
    assert_eq!(status(&e), 429, "{e}");
    let api = e.api().unwrap();
    assert!(api.rate_limit.unwrap().remaining.unwrap() > 0, "points are left in the bucket");
    assert_eq!(api.attempts, 1, "not retried");
    let posts =
        sb.requests().iter().filter(|r| r.method == "POST" && r.path == "/helix/eventsub/subscriptions").count();
    assert_eq!(posts, created + 1);
    // The declaration is in the policy table, on this operation only.
    let op = helix::POLICY.operation("create_eventsub_subscription").unwrap();
    assert_eq!(op.classify.len(), 1);
    assert!(helix::POLICY.operations.iter().filter(|o| !o.classify.is_empty()).count() == 1);
    socket.close().await;
}
