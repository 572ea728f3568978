//! The generated paginators through the sandbox (strict mode): v1 lists by page number
//! (`Link` / `x-total-count`), v2 chat users by continuation token; filtered and ordered
//! walks across several pages, resume from a saved token, the end of the list, and the
//! number of requests each walk makes (the sandbox's request log).

mod common;

use common::{anonymous, sandbox};
use streamkit_mixer::Error;
use streamkit_mixer::filters::{Order, Where};
use streamkit_mixer::pagination::{PageToken, StreamExt, TryStreamExt};
use streamkit_sandbox::Sandbox;
use streamkit_sandbox::mixer::seed::{self, FIRST_CHANNEL_ID, FIRST_USER_ID, USERS};

/// The query values of `key` in the requests to paths ending with `suffix`, in order.
fn sent(sb: &Sandbox, suffix: &str, key: &str) -> Vec<Option<String>> {
    sb.requests().iter().filter(|r| r.path.ends_with(suffix)).map(|r| r.query_param(key)).collect()
}

/// The seeded live channels that are not partners, most watched first, then by id: what
/// `where=online:eq:true,partnered:eq:false&order=viewersCurrent:DESC,id:ASC` selects.
fn live_non_partners() -> Vec<i64> {
    let mut ch: Vec<(i64, i64)> = (0..USERS)
        .filter(|&i| seed::online(i) && !i.is_multiple_of(5))
        .map(|i| (seed::channel(i)["viewersCurrent"].as_i64().unwrap(), FIRST_CHANNEL_ID + i as i64))
        .collect();
    ch.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    ch.into_iter().map(|(_, id)| id).collect()
}

#[tokio::test]
async fn v1_streams_a_filtered_ordered_channel_list_across_pages() {
    let sb = sandbox().await;
    let client = anonymous(&sb);
    let list = || {
        client
            .list_channels()
            .where_(Where::field("online").eq(true).and(Where::field("partnered").eq(false)))
            .order(Order::desc("viewersCurrent").then_asc("id"))
            .limit(7)
    };
    let walked: Vec<i64> = list().stream().map_ok(|ch| ch.id).try_collect().await.unwrap();
    let want = live_non_partners();
    assert_eq!(want.len(), 32, "the seed: 40 live channels, 8 of them partners");
    assert_eq!(walked, want);
    // 5 pages of 7 (the last holds 4), numbered from 0; every request keeps the filter and
    // the order; the last page's `Link` names no next page, so nothing more is asked.
    assert_eq!(sent(&sb, "/v1/channels", "page"), (0..5).map(|p| Some(p.to_string())).collect::<Vec<_>>());
    assert!(
        sent(&sb, "/v1/channels", "where").iter().all(|w| w.as_deref() == Some("online:eq:true,partnered:eq:false"))
    );
    assert!(sent(&sb, "/v1/channels", "order").iter().all(|o| o.as_deref() == Some("viewersCurrent:DESC,id:ASC")));
    // One page at a time gives the same list with the same requests.
    sb.clear_requests();
    let seq: Vec<i64> = list().paginate().prefetch(0).items().map_ok(|ch| ch.id).try_collect().await.unwrap();
    assert_eq!(seq, want);
    assert_eq!(sent(&sb, "/v1/channels", "page").len(), 5);
}

#[tokio::test]
async fn v1_pages_name_their_successor_and_the_walk_resumes_from_a_saved_page() {
    let sb = sandbox().await;
    let client = anonymous(&sb);
    let by_id = || client.list_channels().order(Order::asc("id")).limit(25);
    let mut pages = by_id().paginate().prefetch(0).pages();
    let first = pages.next().await.unwrap().unwrap();
    drop(pages);
    assert!(first.requested.is_none());
    assert_eq!(
        first.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        (0..25).map(|i| FIRST_CHANNEL_ID + i).collect::<Vec<_>>()
    );
    assert_eq!(first.next, Some(PageToken::Number(1)), "Mixer's `page=1`");
    // Later: resume at a saved page; the walk ends with the list (120 channels, pages 0-4).
    sb.clear_requests();
    let rest: Vec<_> = by_id().paginate().resume(PageToken::Number(3)).pages().try_collect().await.unwrap();
    assert_eq!(rest.len(), 2);
    assert_eq!(rest[0].requested, Some(PageToken::Number(3)));
    assert_eq!(rest[0].next, Some(PageToken::Number(4)));
    assert_eq!(rest[1].next, None, "the last page");
    let ids: Vec<i64> = rest.iter().flat_map(|p| p.items.iter().map(|c| c.id)).collect();
    assert_eq!(ids, (75..120).map(|i| FIRST_CHANNEL_ID + i).collect::<Vec<_>>());
    assert_eq!(sent(&sb, "/v1/channels", "page"), vec![Some("3".into()), Some("4".into())]);
    // A page the request already names is where the walk starts.
    sb.clear_requests();
    let from_4: Vec<i64> = by_id().page(4).stream().map_ok(|c| c.id).try_collect().await.unwrap();
    assert_eq!(from_4, (100..120).map(|i| FIRST_CHANNEL_ID + i).collect::<Vec<_>>());
    assert_eq!(sent(&sb, "/v1/channels", "page"), vec![Some("4".into())]);
}

#[tokio::test]
async fn v1_take_items_stops_requesting_and_other_lists_page_too() {
    let sb = sandbox().await;
    let client = anonymous(&sb);
    let some: Vec<_> = client.list_channels().limit(10).paginate().take_items(25).items().try_collect().await.unwrap();
    assert_eq!(some.len(), 25);
    assert_eq!(sent(&sb, "/v1/channels", "page").len(), 3, "3 pages cover 25 items");
    // Channel 0's followers (every user j with j % 7 == 0, j > 0), ordered by id descending.
    let followers: Vec<i64> = client
        .get_channel_followers()
        .channel_id(FIRST_CHANNEL_ID)
        .order(Order::desc("id"))
        .limit(4)
        .stream()
        .map_ok(|u| u.id)
        .try_collect()
        .await
        .unwrap();
    let want: Vec<i64> = seed::followers_of(0).into_iter().rev().map(|j| FIRST_USER_ID + j as i64).collect();
    assert_eq!(followers, want);
    assert_eq!(sent(&sb, "/follow", "page").len(), want.len().div_ceil(4));
}

#[tokio::test]
async fn v2_walks_chat_users_by_continuation_token() {
    let sb = sandbox().await;
    let client = anonymous(&sb);
    // Channel 0's chat: its owner and its 17 followers, in user-id order.
    let all: Vec<i64> = client
        .get_chat_users()
        .channel_id(FIRST_CHANNEL_ID)
        .limit(5)
        .stream()
        .map_ok(|u| u.user_id)
        .try_collect()
        .await
        .unwrap();
    let want: Vec<i64> = (0..USERS).filter(|j| j % 7 == 0).map(|j| FIRST_USER_ID + j as i64).collect();
    assert_eq!(all, want);
    // 4 pages of 5 (the last holds 3): the first without a token, each next one with the
    // token the previous `link` header handed out.
    let tokens = sent(&sb, "/users", "continuationToken");
    assert_eq!(tokens.len(), 4);
    assert!(tokens[0].is_none() && tokens[1..].iter().all(Option::is_some), "{tokens:?}");
    // Filtered: only names starting with `user1` (user14, user105, user112, user119), one per page.
    sb.clear_requests();
    let filtered: Vec<String> = client
        .get_chat_users()
        .channel_id(FIRST_CHANNEL_ID)
        .username("user1")
        .limit(1)
        .stream()
        .map_ok(|u| u.username)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(filtered, ["user14", "user105", "user112", "user119"]);
    assert_eq!(sent(&sb, "/users", "username"), vec![Some("user1".to_string()); 4]);
}

#[tokio::test]
async fn v2_resumes_from_a_saved_continuation_token_to_the_end() {
    let sb = sandbox().await;
    let client = anonymous(&sb);
    let chat = || client.get_chat_users().channel_id(FIRST_CHANNEL_ID).limit(10);
    let mut pages = chat().paginate().prefetch(0).pages();
    let first = pages.next().await.unwrap().unwrap();
    drop(pages);
    assert_eq!(first.items.len(), 10);
    let Some(PageToken::After(token)) = first.next.clone() else {
        panic!("a continuation token, got {:?}", first.next)
    };
    sb.clear_requests();
    let rest: Vec<_> = chat().paginate().resume_after(token.clone()).pages().try_collect().await.unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].items.len(), 8);
    assert_eq!(rest[0].next, None, "no next link: the end");
    assert_eq!(sent(&sb, "/users", "continuationToken"), vec![Some(token)]);
}

#[tokio::test]
async fn a_token_of_the_wrong_kind_fails_before_sending() {
    let sb = sandbox().await;
    let client = anonymous(&sb);
    let e = client.list_channels().paginate().resume_after("abc").items().try_next().await.unwrap_err();
    assert!(matches!(e, Error::InvalidRequest { .. }) && e.to_string().contains("page number"), "{e}");
    let e = client
        .get_chat_users()
        .channel_id(FIRST_CHANNEL_ID)
        .paginate()
        .resume(PageToken::Number(2))
        .items()
        .try_next()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidRequest { .. }) && e.to_string().contains("cursor"), "{e}");
    let e = client
        .get_chat_users()
        .channel_id(FIRST_CHANNEL_ID)
        .paginate()
        .backward_from("x")
        .items()
        .try_next()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("backward"), "{e}");
    assert!(sb.requests().is_empty(), "nothing was sent");
}
