//! The code users write compiles first time: issue #9's snippet and its variants for the
//! other list, integer and optional body parameters, run against the embedded sandbox.
//! Only `streamkit_twitch` is imported: an app needs no direct `streamkit-runtime`.

use std::num::NonZeroU64;

use streamkit_sandbox::{CLIENT_ID, Sandbox, SandboxConfig};
use streamkit_twitch::{Error, Secret, helix};

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig::default()).await.expect("sandbox starts")
}

/// A client as the README builds one, pointed at the sandbox, acting as the featured
/// broadcaster with the scopes the snippet needs.
fn twitch(sb: &Sandbox) -> Result<helix::Client, Error> {
    let token = sb.mint_user_token(&sb.seed().broadcaster_id, &["channel:manage:broadcast", "user:write:chat"]);
    helix::Client::builder()
        .base_url(sb.helix_url())
        .client_id(CLIENT_ID)
        .access_token(Secret::new(token))
        .strict(true)
        .build()
}

/// The issue's snippet, as written there (with the sandbox's ids).
async fn snippet(sb: &Sandbox) -> Result<(), Error> {
    let twitch = twitch(sb)?;
    let seed = sb.seed();
    let ids: Vec<String> = seed.user_ids[..2].to_vec();
    twitch.get_users().login(["a", "b", "c"]).send().await?; // array of &str
    twitch.get_users().id(&ids).send().await?; // &Vec<String>
    twitch.get_users().id(&ids[..]).send().await?; // &[String]
    twitch.get_users().id(vec!["1".to_string()]).send().await?; // Vec<String> still works
    twitch.get_streams().first(20).game_id(["509658"]).send().await?; // plain integer literal
    let n: u32 = 20;
    twitch.get_streams().first(n).send().await?; // any integer type that fits
    twitch
        .modify_channel_information()
        .broadcaster_id(seed.broadcaster_id.as_str())
        .body(helix::types::ModifyChannelInformationBody::builder().title("New title"))
        .send()
        .await?; // &str into an optional field
    Ok(())
}

#[tokio::test]
async fn the_issue_snippet_compiles_and_runs() {
    let sb = sandbox().await;
    snippet(&sb).await.unwrap();
    let app = twitch(&sb).unwrap();
    let after = app.get_channel_information().broadcaster_id([sb.seed().broadcaster_id]).send().await.unwrap();
    assert_eq!(after.data[0].title, "New title");
}

#[tokio::test]
async fn list_parameters_take_any_iterable_of_string_likes() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let c = twitch(&sb).unwrap();
    let logins: [&str; 2] = [&seed.user_logins[0], &seed.user_logins[1]];
    let by_login = c.get_users().login(logins).send().await.unwrap();
    assert_eq!(by_login.data.len(), 2);
    let owned: Vec<String> = seed.user_ids[..3].to_vec();
    let by_iter = c.get_users().id(owned.iter().map(String::as_str)).send().await.unwrap();
    assert_eq!(by_iter.data.len(), 3);
    // A required list parameter, and the other optional ones of get_streams.
    let channels = c.get_channel_information().broadcaster_id(vec![seed.broadcaster_id.as_str()]).send().await.unwrap();
    assert_eq!(channels.data.len(), 1);
    let streams = c.get_streams().user_login(&seed.user_logins).language(["en", "other"]).send().await.unwrap();
    assert!(streams.data.len() <= seed.user_logins.len());
    // The query repeats the key, one value each, as the spec says.
    let logged = sb.requests();
    let q = logged.iter().rev().find(|r| r.path == "/helix/streams").and_then(|r| r.query.clone()).unwrap();
    assert!(q.contains("language=en&language=other"), "{q}");
}

#[tokio::test]
async fn integer_parameters_take_any_integer_type_that_fits() {
    let sb = sandbox().await;
    let c = twitch(&sb).unwrap();
    let small: u8 = 3;
    let wide: usize = 4;
    let signed: i64 = 5;
    assert_eq!(c.get_streams().first(small).send().await.unwrap().data.len(), 3);
    assert_eq!(c.get_streams().first(wide).send().await.unwrap().data.len(), 4);
    assert_eq!(c.get_streams().first(signed).send().await.unwrap().data.len(), 5);
    assert_eq!(c.get_streams().first(NonZeroU64::new(6).unwrap()).send().await.unwrap().data.len(), 6);
    assert_eq!(c.get_videos().user_id(sb.seed().broadcaster_id).first(2_u16).send().await.unwrap().data.len(), 2);
}

#[tokio::test]
async fn optional_body_fields_take_plain_values() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let c = twitch(&sb).unwrap();
    let body = helix::types::ModifyChannelInformationBody::builder()
        .title(String::from("Owned title"))
        .tags(["Speedrun", "English"])
        .game_id("509658");
    let done = c.modify_channel_information().broadcaster_id(&seed.broadcaster_id).body(body).send().await.unwrap();
    assert_eq!(done.status(), 204);
    let after = c.get_channel_information().broadcaster_id([&seed.broadcaster_id]).send().await.unwrap();
    assert_eq!(after.data[0].title, "Owned title");
    assert_eq!(after.data[0].tags, ["Speedrun", "English"]);
    // `.callback("https://…")` into an optional string field of a nested body.
    let transport = helix::types::EventSubTransportRequest::builder()
        .method(helix::types::EventSubTransportMethod::Webhook)
        .callback("https://example.com/webhooks/callback")
        .secret("s3cre7-long-enough");
    let app = helix::Client::builder()
        .base_url(sb.helix_url())
        .client_id(CLIENT_ID)
        .access_token(sb.mint_app_token())
        .build()
        .unwrap();
    let created = app
        .create_eventsub_subscription()
        .body(
            helix::types::CreateEventsubSubscriptionBody::builder()
                .type_("channel.update")
                .version("2")
                .condition(helix::types::EventSubCondition::builder().broadcaster_user_id(seed.broadcaster_id.as_str()))
                .transport(transport),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 202);
    assert_eq!(created.data[0].transport.callback.as_deref(), Some("https://example.com/webhooks/callback"));
}

/// The `InvalidRequest` message of a call that must fail before sending.
async fn refused<T: std::fmt::Debug>(
    sb: &Sandbox,
    call: impl std::future::Future<Output = Result<T, Error>>,
) -> String {
    sb.clear_requests();
    let e = call.await.unwrap_err();
    assert!(matches!(e, Error::InvalidRequest { .. }), "{e}");
    assert!(sb.requests().is_empty(), "nothing may be sent: {:?}", sb.requests());
    e.to_string()
}

#[tokio::test]
async fn constraints_are_checked_before_sending_with_clear_messages() {
    let sb = sandbox().await;
    let seed = sb.seed();
    let c = twitch(&sb).unwrap();
    assert_eq!(
        refused(&sb, c.get_streams().first(101).send()).await,
        "get_streams: invalid request: parameter `first` is 101, above the maximum of 100"
    );
    assert_eq!(
        refused(&sb, c.get_streams().first(0).send()).await,
        "get_streams: invalid request: parameter `first` is 0, below the minimum of 1"
    );
    assert_eq!(
        refused(&sb, c.get_streams().first(-1).send()).await,
        "get_streams: invalid request: parameter `first` is -1, below the minimum of 1"
    );
    let many: Vec<String> = (0..101).map(|i| i.to_string()).collect();
    assert_eq!(
        refused(&sb, c.get_users().id(&many).send()).await,
        "get_users: invalid request: parameter `id` has 101 values, more than the maximum of 100"
    );
    // A body field's bounds: `delay` is 0 to 900, `tags` at most 10.
    let body = helix::types::ModifyChannelInformationBody::builder().delay(901);
    let msg = refused(&sb, c.modify_channel_information().broadcaster_id(&seed.broadcaster_id).body(body).send()).await;
    assert_eq!(msg, "modify_channel_information: invalid request: body field `delay` is 901, above the maximum of 900");
    let body = helix::types::ModifyChannelInformationBody::builder().tags((0..11).map(|i| format!("t{i}")));
    let msg = refused(&sb, c.modify_channel_information().broadcaster_id(&seed.broadcaster_id).body(body).send()).await;
    assert_eq!(
        msg,
        "modify_channel_information: invalid request: body field `tags` has 11 values, more than the maximum of 10"
    );
    let body = helix::types::ModifyChannelInformationBody::builder().title("");
    let msg = refused(&sb, c.modify_channel_information().broadcaster_id(&seed.broadcaster_id).body(body).send()).await;
    assert_eq!(
        msg,
        "modify_channel_information: invalid request: body field `title`: \"\" is shorter than 1 characters"
    );
}

#[tokio::test]
async fn missing_values_say_what_to_set() {
    let sb = sandbox().await;
    let c = twitch(&sb).unwrap();
    let body = helix::types::ModifyChannelInformationBody::builder().title("x");
    assert_eq!(
        refused(&sb, c.modify_channel_information().body(body).send()).await,
        "modify_channel_information: invalid request: required parameter `broadcaster_id` not set"
    );
    let body = helix::types::SendChatMessageBody::builder().broadcaster_id("1").sender_id("1");
    assert_eq!(
        refused(&sb, c.send_chat_message().body(body).send()).await,
        "send_chat_message: invalid request: body field `message` not set"
    );
}

#[tokio::test]
async fn every_error_converts_with_question_mark() {
    // `helix::Error` is the crate's `Error`: a function declared either way takes `?`.
    async fn as_helix_error(c: &helix::Client) -> Result<usize, helix::Error> {
        Ok(c.get_streams().first(1).send().await?.data.len())
    }
    fn conversion() -> Result<helix::types::ModifyChannelInformationBodyTitle, Error> {
        Ok(helix::types::ModifyChannelInformationBodyTitle::try_from("")?)
    }
    let sb = sandbox().await;
    let c = twitch(&sb).unwrap();
    let n: Result<usize, Error> = as_helix_error(&c).await;
    assert_eq!(n.unwrap(), 1);
    let e = conversion().unwrap_err();
    assert!(matches!(e, Error::InvalidRequest { .. }), "{e}");
}

#[test]
fn clients_for_the_production_https_urls_build_by_default() {
    // The README's first example: the default URLs are https, and TLS is on by default.
    let oauth = streamkit_twitch::oauth::Client::builder().build();
    assert!(oauth.is_ok(), "{:?}", oauth.err());
    let helix = helix::Client::builder().client_id("my-client-id").access_token(Secret::new("token")).build();
    assert!(helix.is_ok(), "{:?}", helix.err());
    assert_eq!(helix::Client::DEFAULT_BASE_URL, "https://api.twitch.tv/helix");
}
