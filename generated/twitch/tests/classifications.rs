//! Response classifications declared in the spec (`x-streamkit-classify`), end to end.

mod common;

use common::*;
use streamkit_twitch::helix::{self, types};

fn websocket_subscription(broadcaster: &str, session: usize) -> types::builder::CreateEventsubSubscriptionBody {
    types::CreateEventsubSubscriptionBody::builder()
        .type_("channel.update".to_string())
        .version("2".to_string())
        .condition(
            serde_json::from_value::<types::EventSubCondition>(serde_json::json!({"broadcaster_user_id": broadcaster}))
                .unwrap(),
        )
        .transport(
            types::EventSubTransportRequest::builder()
                .method(types::EventSubTransportMethod::Websocket)
                .session_id(format!("session-{session}")),
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
    let mut created = 0;
    let e = loop {
        match c.create_eventsub_subscription().body(websocket_subscription(&seed.broadcaster_id, created)).send().await
        {
            Ok(_) => created += 1,
            Err(e) => break e,
        }
        assert!(created <= 20, "the total cost never ran out");
    };
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
}
