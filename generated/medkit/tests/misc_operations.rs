//! The remaining operations: user info, user ids (paginated, `"0"` = done), JSON store,
//! codes, curated polls, teams, bits, and the broadcast family (recorded by the sandbox).

mod common;

use common::*;
use futures::TryStreamExt;
use serde_json::json;
use streamkit_medkit::medkit::types;
use streamkit_sandbox::{MEDKIT_EXTENSION_ID, MedkitConfig};

#[tokio::test]
async fn user_info_and_json_store() {
    let sb = sandbox().await;
    let v = viewer(&sb);
    let info = v.get_user_info().send().await.unwrap().into_inner();
    assert!(info.registered);
    assert!(info.server_time > 0);
    sb.medkit().set_json_store(MEDKIT_EXTENSION_ID, CHANNEL, "schedule", json!({"title": "Tonight"}));
    assert_eq!(v.get_json_store().id("schedule").send().await.unwrap().into_inner(), json!({"title": "Tonight"}));
    assert_eq!(v.get_json_store().id("other").send().await.unwrap().into_inner(), json!({}));
    assert!(sb.contract_violations().is_empty(), "{:?}", sb.contract_violations());
}

#[tokio::test]
async fn user_ids_pages_until_the_zero_cursor() {
    let sb = sandbox_with(MedkitConfig { user_ids_page_size: 2, ..MedkitConfig::default() }).await;
    let ids: Vec<String> = (1..=5).map(|i| format!("{}", 100 + i)).collect();
    sb.medkit().add_users(MEDKIT_EXTENSION_ID, ids.iter().map(String::as_str));
    let a = admin(&sb);
    let all: Vec<String> = a.get_user_ids().stream().map_ok(|u| u.twitch_id).try_collect().await.unwrap();
    assert_eq!(all, ids);
    let pages = sb.requests().iter().filter(|r| r.path.ends_with("/user_ids")).count();
    assert_eq!(pages, 3, "three pages of 2, 2 and 1; the `0` cursor ends the walk");
    let first = a.get_user_ids().cursor("0").send().await.unwrap().into_inner();
    assert_eq!(first.next, "2");
    assert_eq!(status(viewer(&sb).get_user_ids().send().await), 403);
    assert!(sb.contract_violations().is_empty(), "{:?}", sb.contract_violations());
}

#[tokio::test]
async fn codes_are_uploaded_awarded_and_redeemed() {
    let sb = sandbox().await;
    let a = backend(&sb);
    let v = viewer(&sb);
    // Codes are under 64 characters: the generated type checks it before sending.
    let code = |c: &str| types::CodesSetCodesItemItem::try_from(c).unwrap();
    assert!(types::CodesSetCodesItemItem::try_from("x".repeat(64).as_str()).is_err());
    let set = types::CodesSet::builder()
        .codes(vec![vec![code("AAAA-1"), code("AAAA-2")]])
        .names(vec!["Skin".to_string()])
        .indices(vec![0]);
    a.set_codes().body(set).send().await.unwrap();
    assert_eq!(v.get_codes().send().await.unwrap().into_inner().names, vec!["Skin"]);
    assert_eq!(
        status(
            v.set_codes()
                .body(
                    types::CodesSet::builder()
                        .codes(Vec::<Vec<types::CodesSetCodesItemItem>>::new())
                        .names(Vec::<String>::new())
                )
                .send()
                .await
        ),
        403
    );
    a.mark_codes_from_poll()
        .body(
            types::MarkFromPoll::builder()
                .prize_limits(vec![1])
                .prizes(vec![0])
                .correct(1)
                .cutoff_timestamp(1_530_290_223),
        )
        .send()
        .await
        .unwrap();
    a.mark_codes_from_list()
        .body(types::MarkFromList::builder().prize_limits(vec![1]).prizes(vec![0]).users(vec![VIEWER.to_string()]))
        .send()
        .await
        .unwrap();
    assert_eq!(v.get_codes_eligibility().send().await.unwrap().into_inner().eligible, vec![0]);
    let r = v.redeem_code().body(types::RedeemRequest::builder().all_prizes(0)).send().await.unwrap().into_inner();
    assert_eq!(r.code.as_deref(), Some("AAAA-2"));
    assert_eq!(r.all_prizes, vec!["AAAA-2"]);
    assert_eq!(status(v.redeem_code().body(types::RedeemRequest::builder().all_prizes(0)).send().await), 409, "once");
    assert_eq!(v.get_codes_redeemed().send().await.unwrap().into_inner().redeemed, vec![vec!["AAAA-2".to_string()]]);
    assert_eq!(a.delete_codes().send().await.unwrap().into_inner().distributed, vec![1]);
    assert!(sb.contract_violations().is_empty(), "{:?}", sb.contract_violations());
}

#[tokio::test]
async fn curated_polls_are_edited_voted_and_moved_through_states() {
    let sb = sandbox().await;
    let b = broadcaster(&sb);
    let v = viewer(&sb);
    let q = types::TriviaQuestion::builder().id("q1").name("Best map?".to_string());
    b.edit_curated_poll().body(q).send().await.unwrap();
    let opt = types::TriviaOption::builder().id("o1").name("Dust".to_string());
    let q = b
        .add_curated_poll_option()
        .body(types::OptionAdd::builder().id("q1").option(opt))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(q.options.len(), 1);
    let s = b
        .set_curated_poll_state()
        .id("q1")
        .body(types::PollTransition::builder().transition(types::PollTransitionTransition::StateUnlocked))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(s.state, "state-unlocked");
    assert_eq!(status(v.edit_curated_poll().body(types::TriviaQuestion::builder().id("q2")).send().await), 403);
    v.vote_curated_poll().body(types::CuratedPollVote::builder().question_id("q1").vote("o1")).send().await.unwrap();
    let all = v.get_curated_polls().send().await.unwrap().into_inner();
    assert_eq!(all.questions[0].state.as_deref(), Some("state-unlocked"));
    let one = v.get_curated_polls().id("q1").send().await.unwrap().into_inner();
    assert_eq!(one.id.as_deref(), Some("q1"));
    let q = b
        .remove_curated_poll_option()
        .body(types::OptionRemove::builder().question("q1").option("o1"))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(q.options.is_empty());
    assert!(v.get_curated_poll_leaderboard().send().await.unwrap().into_inner().leaderboard.is_empty());
    b.delete_curated_poll().body(types::QuestionRef::builder().id("q1")).send().await.unwrap();
    assert!(v.get_curated_polls().send().await.unwrap().into_inner().questions.is_empty());
    assert!(sb.contract_violations().is_empty(), "{:?}", sb.contract_violations());
}

#[tokio::test]
async fn teams_and_bits() {
    let sb = sandbox().await;
    let v = viewer(&sb);
    v.join_team().send().await.unwrap();
    assert!(v.get_team_membership().send().await.unwrap().into_inner().id.is_some_and(|t| t.starts_with("team-")));
    let tx = types::BitsTransaction::builder()
        .transaction_receipt(streamkit_medkit::Secret::new("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.sig"))
        .user_id(VIEWER.to_string())
        .transaction_id("tx-1".to_string());
    v.record_bits_transaction().body(tx).send().await.unwrap();
    assert!(sb.contract_violations().is_empty(), "{:?}", sb.contract_violations());
}

#[tokio::test]
async fn broadcasts_are_recorded_and_need_admin_or_backend() {
    let sb = sandbox().await;
    let be = backend(&sb);
    let data = obj(json!({"score": 3}));
    be.broadcast()
        .body(types::Broadcast::builder().target("broadcast").event("score").user_id(CHANNEL).data(data.clone()))
        .send()
        .await
        .unwrap();
    be.extension_broadcast()
        .body(types::ExtensionBroadcast::builder().target("broadcast").event("announce").data(data.clone()))
        .send()
        .await
        .unwrap();
    let v = viewer(&sb);
    v.whisper_self().body(types::WhisperSelf::builder().event("ping").data(data.clone())).send().await.unwrap();
    v.pusher_broadcast()
        .body(
            types::PusherBroadcast::builder()
                .target("broadcast")
                .event("sandbox:x:score")
                .user_id(CHANNEL.to_string())
                .data(data.clone()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        status(
            v.broadcast()
                .body(types::Broadcast::builder().target("broadcast").event("x").user_id(CHANNEL).data(data.clone()))
                .send()
                .await
        ),
        403
    );
    let got = sb.medkit().broadcasts();
    let summary: Vec<(&str, &str, &str)> =
        got.iter().map(|b| (b.endpoint.as_str(), b.target.as_str(), b.event.as_str())).collect();
    let whisper = format!("whisper-{VIEWER}");
    assert_eq!(
        summary,
        vec![
            ("broadcast", "broadcast", "score"),
            ("extension_broadcast", "broadcast", "announce"),
            ("whisper_self", whisper.as_str(), "ping"),
            ("pusher_broadcast", "broadcast", "sandbox:x:score")
        ]
    );
    assert_eq!(got[0].channel_id.as_deref(), Some(CHANNEL));
    assert_eq!(got[0].data, json!({"score": 3}));
    assert!(sb.contract_violations().is_empty(), "{:?}", sb.contract_violations());
}
