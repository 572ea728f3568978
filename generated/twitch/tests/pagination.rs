//! Pagination streams through the sandbox: every item once, in order, across pages;
//! resume from a saved cursor; walk backward; stop at an item limit; cursor-string paging.

mod common;

use std::collections::HashSet;

use common::*;
use streamkit_runtime::pagination::{PageToken, StreamExt, TryStreamExt};

#[tokio::test]
async fn stream_walks_every_live_stream_once_in_order() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let c = app_client(&sb);
    let all: Vec<_> = c.get_streams().first(100u64).stream().try_collect().await.unwrap();
    assert_eq!(all.len(), seed.live_stream_count);
    let ids: HashSet<_> = all.iter().map(|s| s.id.clone()).collect();
    assert_eq!(ids.len(), all.len(), "no stream twice");
    assert!(all.windows(2).all(|w| w[0].viewer_count >= w[1].viewer_count));
    // The same walk one page at a time gives the same list.
    let seq: Vec<_> = c.get_streams().first(100u64).paginate().prefetch(0).items().try_collect().await.unwrap();
    assert_eq!(seq.iter().map(|s| &s.id).collect::<Vec<_>>(), all.iter().map(|s| &s.id).collect::<Vec<_>>());
}

#[tokio::test]
async fn pages_carry_their_cursor_and_the_walk_resumes_from_a_saved_one() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let c = app_client(&sb);
    let mut pages = c.get_streams().first(100u64).pages();
    let first = pages.next().await.unwrap().unwrap();
    assert!(first.requested.is_none());
    assert_eq!(first.items.len(), 100);
    let saved = match first.next.clone() {
        Some(PageToken::After(c)) => c,
        other => panic!("expected an after-cursor, got {other:?}"),
    };
    drop(pages);
    // Later (another process, another day): resume after the saved cursor.
    let rest: Vec<_> =
        c.get_streams().first(100u64).paginate().resume_after(saved).items().try_collect().await.unwrap();
    assert_eq!(rest.len() + 100, seed.live_stream_count);
    assert!(rest.iter().all(|s| !first.items.iter().any(|f| f.id == s.id)));
    // The last page says there is no next one.
    let all_pages: Vec<_> = c.get_streams().first(100u64).pages().try_collect().await.unwrap();
    assert!(all_pages.last().unwrap().next.is_none());
    assert!(all_pages[..all_pages.len() - 1].iter().all(|p| p.next.is_some()));
}

#[tokio::test]
async fn take_items_stops_the_walk() {
    let sb = sandbox().await;
    let c = app_client(&sb);
    let some: Vec<_> = c.get_streams().first(100u64).paginate().take_items(250).items().try_collect().await.unwrap();
    assert_eq!(some.len(), 250);
}

#[tokio::test]
async fn backward_walk_where_the_spec_allows_it() {
    let sb = sandbox().await;
    let c = app_client(&sb);
    let pages: Vec<_> = c.get_top_games().first(10u64).paginate().take_items(30).pages().try_collect().await.unwrap();
    assert_eq!(pages.len(), 3);
    let cursor_of_third = match &pages[2].next {
        Some(PageToken::After(c)) => c.clone(),
        other => panic!("{other:?}"),
    };
    // Backward from the cursor after page 3: the page before it.
    let back: Vec<_> = c
        .get_top_games()
        .first(10u64)
        .paginate()
        .backward_from(cursor_of_third)
        .pages()
        .take(1)
        .try_collect()
        .await
        .unwrap();
    assert!(matches!(back[0].requested, Some(PageToken::Before(_))));
    assert!(!back[0].items.is_empty());
    let earlier: HashSet<_> = pages.iter().flat_map(|p| p.items.iter().map(|g| g.id.clone())).collect();
    assert!(back[0].items.iter().all(|g| earlier.contains(&g.id)), "a backward page holds games already seen");
    // EventSub subscriptions declare no `before`: refused with a clear error.
    let e = c.get_eventsub_subscriptions().paginate().backward_from("x").pages().next().await.unwrap().unwrap_err();
    assert!(e.to_string().contains("backward"), "{e}");
}

#[tokio::test]
async fn cursor_string_paging_of_extension_live_channels() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let c = app_client(&sb);
    let all: Vec<_> = c
        .get_extension_live_channels()
        .extension_id(seed.live_extension_id.clone())
        .first(50u64)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), seed.live_extension_channel_count);
    assert_eq!(all.iter().map(|x| &x.broadcaster_id).collect::<HashSet<_>>().len(), all.len());
}

#[tokio::test]
async fn user_scoped_lists_page_too() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let owner = user_client(&sb, &seed.broadcaster_id, &["moderator:read:followers", "moderator:read:chatters"]);
    let followers: Vec<_> = owner
        .get_channel_followers()
        .broadcaster_id(seed.broadcaster_id.clone())
        .first(100u64)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(followers.len(), seed.broadcaster_follower_count);
    let chatters: Vec<_> = owner
        .get_chatters()
        .broadcaster_id(seed.broadcaster_id.clone())
        .moderator_id(seed.broadcaster_id.clone())
        .first(1000u64)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(chatters.len(), seed.broadcaster_chatter_count);
}

#[tokio::test]
async fn an_error_ends_the_stream_with_the_servers_answer() {
    let sb = sandbox().await;
    let c = app_client(&sb);
    // A cursor the server cannot read: 400, and the stream ends.
    let mut s = c.get_streams().paginate().resume_after("garbage-cursor").items();
    let e = s.next().await.unwrap().unwrap_err();
    assert_eq!(status(&e), 400);
    assert!(s.next().await.is_none());
}
