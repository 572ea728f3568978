//! The sandbox settings the benchmarks rely on, checked for correctness (never for speed):
//! synthetic live streams page like seeded ones and pass the contract check, and a response
//! delay changes nothing but timing.

use std::collections::HashSet;
use std::time::Duration;

use streamkit_runtime::pagination::TryStreamExt;
use streamkit_sandbox::{CLIENT_ID, Sandbox, SandboxConfig};
use streamkit_twitch::helix;

fn strict_client(sb: &Sandbox) -> helix::Client {
    helix::Client::builder()
        .base_url(sb.helix_url())
        .client_id(CLIENT_ID)
        .access_token(sb.mint_app_token())
        .strict(true)
        .build()
        .expect("client builds")
}

#[tokio::test]
async fn extra_live_streams_follow_the_seeded_ones_and_the_contract() {
    let extra = 250;
    let plain = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let seeded = plain.seed().live_stream_count;
    drop(plain);
    let sb = Sandbox::start(SandboxConfig { extra_live_streams: extra, ..Default::default() }).await.unwrap();
    assert_eq!(sb.seed().live_stream_count, seeded + extra);
    let c = strict_client(&sb);
    let all: Vec<_> = c.get_streams().first(100u64).stream().try_collect().await.unwrap();
    assert_eq!(all.len(), seeded + extra);
    assert_eq!(all.iter().map(|s| &s.id).collect::<HashSet<_>>().len(), all.len(), "no stream twice");
    assert!(all.windows(2).all(|w| w[0].viewer_count >= w[1].viewer_count));
    assert!(all[seeded..].iter().all(|s| s.user_login.starts_with("synthetic")));
    // Filters see them too.
    let one = c.get_streams().user_login(vec!["synthetic7".to_string()]).send().await.unwrap();
    assert_eq!(one.data.len(), 1);
    let by_id = c.get_streams().user_id(vec![one.data[0].user_id.clone()]).send().await.unwrap();
    assert_eq!(by_id.data[0].id, one.data[0].id);
    let game = one.data[0].game_id.clone();
    let in_game: Vec<_> =
        c.get_streams().game_id(vec![game.clone()]).first(100u64).stream().try_collect().await.unwrap();
    assert!(in_game.iter().any(|s| s.id == one.data[0].id));
    assert!(in_game.iter().all(|s| s.game_id == game));
    // Backward from the end reaches synthetic and seeded pages alike.
    let last = c
        .get_streams()
        .first(100u64)
        .paginate()
        .take_items(seeded + 100)
        .pages()
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    assert!(last.last().unwrap().items.iter().any(|s| s.user_login.starts_with("synthetic")));
    assert!(sb.contract_violations().is_empty(), "{:?}", sb.contract_violations());
}

#[tokio::test]
async fn a_response_delay_changes_no_answer() {
    let sb =
        Sandbox::start(SandboxConfig { helix_latency: Duration::from_millis(5), ..Default::default() }).await.unwrap();
    let seed = sb.seed();
    let c = strict_client(&sb);
    let users = c.get_users().id(vec![seed.broadcaster_id.clone()]).send().await.unwrap();
    assert_eq!(users.data[0].login, seed.broadcaster_login);
    assert_eq!(SandboxConfig::default().helix_latency, Duration::ZERO);
    assert_eq!(SandboxConfig::default().extra_live_streams, 0);
}
