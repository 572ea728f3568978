//! Votes (twice, re-vote replaces), vote logs, rank, accumulate, through the generated
//! client against the sandbox in strict mode.

mod common;

use common::*;
use serde_json::json;
use streamkit_medkit::medkit::types;
use streamkit_sandbox::MedkitRole;

fn ballot(value: i64) -> types::VoteRequest {
    types::VoteRequest::builder().value(value).count(1).try_into().unwrap()
}

#[tokio::test]
async fn one_vote_per_viewer_a_revote_replaces_and_results_add_up() {
    let sb = sandbox().await;
    let v1 = viewer(&sb);
    let v2 = client(&sb, MedkitRole::Viewer, Some(OTHER_VIEWER));
    let r = v1.vote().id("poll").body(ballot(1)).send().await.unwrap().into_inner();
    assert_eq!(r.summary().count, 1);
    assert_eq!(r.vote, Some(json!(1)));
    v2.vote().id("poll").body(ballot(3)).send().await.unwrap();
    // Voting again replaces the first vote.
    let r = v1.vote().id("poll").body(ballot(2)).send().await.unwrap().into_inner();
    let s = r.summary();
    assert_eq!((s.count, s.sum, s.mean), (2, 5.0, 2.5));
    assert_eq!(s.stddev, 0.5);
    assert_eq!(&s.specific[..4], &[0.0, 0.0, 1.0, 1.0]);
    assert_eq!(s.specific.len(), 64);

    let read = v2.get_votes().id("poll").send().await.unwrap().into_inner();
    assert_eq!(read.summary(), s);
    assert_eq!(read.vote, Some(json!(3)), "the caller's own vote");

    let logs = admin(&sb).get_vote_logs().id("poll").send().await.unwrap().into_inner();
    let mut got: Vec<(String, i64)> = logs.result.iter().map(|l| (l.identifier.clone(), l.value)).collect();
    got.sort();
    assert_eq!(got, vec![(VIEWER.to_string(), 2), (OTHER_VIEWER.to_string(), 3)]);
    assert_eq!(status(v1.get_vote_logs().id("poll").send().await), 403);

    assert_eq!(status(v1.delete_votes().id("poll").send().await), 403);
    broadcaster(&sb).delete_votes().id("poll").send().await.unwrap();
    assert_eq!(v1.get_votes().id("poll").send().await.unwrap().into_inner().summary().count, 0);
    assert!(sb.contract_violations().is_empty(), "{:?}", sb.contract_violations());
}

#[tokio::test]
async fn rank_counts_one_answer_per_viewer() {
    let sb = sandbox().await;
    let key = |k: &str| types::RankRequest::builder().key(k.to_string());
    let v1 = viewer(&sb);
    let v2 = client(&sb, MedkitRole::Viewer, Some(OTHER_VIEWER));
    let r = v1.rank().id("color").body(key("red")).send().await.unwrap().into_inner();
    assert!(r.accepted && r.original.is_none());
    let r = v1.rank().id("color").body(key("blue")).send().await.unwrap().into_inner();
    assert_eq!(r.original.as_deref(), Some("red"));
    v2.rank().id("color").body(key("blue")).send().await.unwrap();
    let b = broadcaster(&sb);
    let ranked = b.get_rank().id("color").send().await.unwrap().into_inner();
    let rows: Vec<(String, i64)> = ranked.data.iter().map(|d| (d.key.clone(), d.score)).collect();
    assert_eq!(rows, vec![("blue".to_string(), 2)]);
    assert_eq!(status(v1.get_rank().id("color").send().await), 403);
    b.delete_rank().id("color").send().await.unwrap();
    assert!(b.get_rank().id("color").send().await.unwrap().into_inner().data.is_empty());
    assert!(sb.contract_violations().is_empty(), "{:?}", sb.contract_violations());
}

#[tokio::test]
async fn accumulate_keeps_entries_newest_first_and_refuses_large_ones() {
    let sb = sandbox().await;
    let v = viewer(&sb);
    v.accumulate().id("emoji").body(obj(json!({"e": "heart"}))).send().await.unwrap();
    v.accumulate().id("emoji").body(obj(json!({"e": "fire"}))).send().await.unwrap();
    let big = "x".repeat(300);
    assert_eq!(status(v.accumulate().id("emoji").body(obj(json!({"e": big}))).send().await), 400);
    let got = broadcaster(&sb).get_accumulation().id("emoji").start(0).send().await.unwrap().into_inner();
    assert_eq!(got.data.len(), 2);
    assert!(got.data[0].observed >= got.data[1].observed);
    assert_eq!(got.latest, got.data[0].observed);
    assert_eq!(got.data[0].user_id.as_deref(), Some(VIEWER));
    assert_eq!(got.data[0].channel_id.as_deref(), Some(CHANNEL));
    assert_eq!(backend(&sb).get_accumulation().id("emoji").start(0).send().await.unwrap().into_inner().data.len(), 2);
    assert_eq!(status(v.get_accumulation().id("emoji").start(0).send().await), 403);
    assert!(sb.contract_violations().is_empty(), "{:?}", sb.contract_violations());
}
