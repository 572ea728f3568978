//! A filtered, ordered walk across pages in both paging styles, through the sandbox.

mod common;

use common::{anonymous, sandbox};
use streamkit_mixer::filters::{Order, Where};
use streamkit_mixer::pagination::{PageToken, TryStreamExt};
use streamkit_mixer::paging;
use streamkit_sandbox::mixer::seed::{FIRST_CHANNEL_ID, USERS};

#[tokio::test]
async fn v1_walks_a_filtered_ordered_channel_list_by_page_number() {
    let sb = sandbox().await;
    let client = anonymous(&sb);
    let c = client.clone();
    let walked: Vec<_> = paging::by_page(7, move |page, limit| {
        let c = c.clone();
        async move {
            c.list_channels()
                .where_(Where::field("online").eq(true).and(Where::field("partnered").eq(false)))
                .order(Order::desc("viewersCurrent").then_asc("id"))
                .page(page)
                .limit(limit)
                .send()
                .await
        }
    })
    .items()
    .try_collect()
    .await
    .unwrap();
    // Every third channel is live, every fifth is a partner.
    let expected = (0..USERS).filter(|i| i % 3 == 0 && i % 5 != 0).count();
    assert_eq!(walked.len(), expected);
    assert!(walked.iter().all(|ch| ch.online == Some(true) && ch.partnered == Some(false)));
    let keys: Vec<(i64, i64)> = walked.iter().map(|ch| (ch.viewers_current.unwrap(), ch.id)).collect();
    assert!(keys.windows(2).all(|w| w[0].0 > w[1].0 || (w[0].0 == w[1].0 && w[0].1 < w[1].1)), "ordered: {keys:?}");
    // Several pages were asked for, 0-based, and no more than needed.
    let pages: Vec<String> = sb
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/v1/channels"))
        .filter_map(|r| r.query_param("page"))
        .collect();
    let want: Vec<String> = (0..expected.div_ceil(7)).map(|p| p.to_string()).collect();
    assert_eq!(pages, want);
}

#[tokio::test]
async fn v1_resumes_from_a_saved_page_number() {
    let sb = sandbox().await;
    let c = anonymous(&sb);
    let rest: Vec<_> = paging::by_page(10, move |page, limit| {
        let c = c.clone();
        async move { c.list_channels().order(Order::asc("id")).page(page).limit(limit).send().await }
    })
    .resume(PageToken::Number(11))
    .items()
    .try_collect()
    .await
    .unwrap();
    assert_eq!(
        rest.iter().map(|ch| ch.id).collect::<Vec<_>>(),
        (100..120).map(|i| FIRST_CHANNEL_ID + i).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn v2_walks_chat_users_by_continuation_token() {
    let sb = sandbox().await;
    let c = anonymous(&sb);
    // Channel 0's chat: its owner and its 17 followers.
    let all: Vec<_> = paging::by_continuation(move |token| {
        let c = c.clone();
        async move {
            let mut req = c.get_chat_users().channel_id(FIRST_CHANNEL_ID).limit(5u64);
            if let Some(t) = token {
                req = req.continuation_token(t);
            }
            req.send().await
        }
    })
    .items()
    .try_collect()
    .await
    .unwrap();
    assert_eq!(all.len(), 18);
    let ids: Vec<i64> = all.iter().map(|u| u.user_id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "in order, none repeated: {ids:?}");
    let tokens = sb
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/users"))
        .filter(|r| r.query_param("continuationToken").is_some())
        .count();
    assert_eq!(tokens, 3, "4 pages of 5: the first without a token");
}
