//! One test per operation through the sandbox, strict clients (the contract check holds
//! every response to specs/mixer/core.yaml), asserting typed results.

mod common;

use common::{anonymous, sandbox, status, user};
use streamkit_mixer::filters::{Fields, Order, Where};
use streamkit_mixer::rest::types;
use streamkit_runtime::Secret;
use streamkit_sandbox::mixer::seed::{FIRST_CHANNEL_ID, FIRST_USER_ID};
use streamkit_sandbox::{CLIENT_ID, CLIENT_SECRET};

#[tokio::test]
async fn users_current_by_id_search_follows_and_avatar() {
    let sb = sandbox().await;
    let me = user(&sb, 4, &["user:details:self"]).get_current_user().send().await.unwrap();
    assert_eq!((me.id, me.username.as_str()), (FIRST_USER_ID + 4, "user4"));
    assert_eq!(me.email.as_deref(), Some("user4@example.com"));
    assert_eq!(me.channel.id, FIRST_CHANNEL_ID + 4);

    let c = anonymous(&sb);
    // Without a token the operation that needs one fails before sending.
    let sent = sb.server().requests().len();
    assert!(matches!(c.get_current_user().send().await, Err(streamkit_mixer::Error::Auth { .. })));
    assert_eq!(sb.server().requests().len(), sent);

    let u = c.get_user().user_id(FIRST_USER_ID + 7).send().await.unwrap();
    assert_eq!(u.username, "user7");
    assert_eq!(status(&c.get_user().user_id(1).send().await.unwrap_err()), 404);

    let found = c.search_users().query("user11").send().await.unwrap();
    let names: Vec<&str> = found.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(
        names,
        [
            "user11", "user110", "user111", "user112", "user113", "user114", "user115", "user116", "user117",
            "user118", "user119"
        ]
    );
    // Bounds from the spec are checked before sending.
    assert!(matches!(c.search_users().query("ab").send().await, Err(streamkit_mixer::Error::InvalidRequest { .. })));

    let follows = c.get_user_follows().user_id(FIRST_USER_ID + 3).send().await.unwrap();
    assert!(follows.iter().all(|ch| ch.user.as_ref().is_some()));
    assert_eq!(
        follows.iter().map(|ch| ch.id).collect::<Vec<_>>(),
        [
            FIRST_CHANNEL_ID + 4,
            FIRST_CHANNEL_ID + 11,
            FIRST_CHANNEL_ID + 18,
            FIRST_CHANNEL_ID + 25,
            FIRST_CHANNEL_ID + 32,
            FIRST_CHANNEL_ID + 39,
            FIRST_CHANNEL_ID + 46,
            FIRST_CHANNEL_ID + 53,
            FIRST_CHANNEL_ID + 60,
            FIRST_CHANNEL_ID + 67,
            FIRST_CHANNEL_ID + 74,
            FIRST_CHANNEL_ID + 81,
            FIRST_CHANNEL_ID + 88,
            FIRST_CHANNEL_ID + 95,
            FIRST_CHANNEL_ID + 102,
            FIRST_CHANNEL_ID + 109,
            FIRST_CHANNEL_ID + 116
        ]
    );

    let avatar = c.get_user_avatar().user_id(FIRST_USER_ID).send().await.unwrap();
    assert_eq!(avatar.headers()["content-type"], "image/png");
}

#[tokio::test]
async fn channel_list_filters_orders_and_trims() {
    let sb = sandbox().await;
    let c = anonymous(&sb);
    let live = c
        .list_channels()
        .where_(Where::field("online").eq(true).and(Where::field("viewersCurrent").gt(100)))
        .order(Order::desc("viewersCurrent"))
        .fields(Fields::of(["id", "online", "viewersCurrent"]))
        .limit(100u64)
        .send()
        .await
        .unwrap();
    assert!(!live.is_empty());
    let viewers: Vec<i64> = live.iter().map(|ch| ch.viewers_current.unwrap()).collect();
    assert!(viewers.iter().all(|v| *v > 100));
    assert!(viewers.windows(2).all(|w| w[0] >= w[1]), "sorted by viewers, largest first: {viewers:?}");
    // `fields` trimmed the rest away.
    assert!(live.iter().all(|ch| ch.token.is_none() && ch.online == Some(true)));
    assert!(live.headers().get("x-total-count").is_some());

    let searched = c.list_channels().q("user10").scope(types::SearchScope::Names).send().await.unwrap();
    assert_eq!(
        searched.iter().map(|ch| ch.token.clone().unwrap()).collect::<Vec<_>>(),
        [
            "user10", "user100", "user101", "user102", "user103", "user104", "user105", "user106", "user107",
            "user108", "user109"
        ]
    );
}

#[tokio::test]
async fn channel_by_id_or_token_and_details() {
    let sb = sandbox().await;
    let c = anonymous(&sb);
    let by_token = c.get_channel().channel_id_or_token("user9").send().await.unwrap();
    let by_id = c.get_channel().channel_id_or_token((FIRST_CHANNEL_ID + 9).to_string()).send().await.unwrap();
    assert_eq!(by_token.id, by_id.id);
    assert_eq!(by_token.type_.as_ref().map(|t| t.id), Some(103));
    assert_eq!(by_token.audience, Some(types::Audience::Family));

    let owner = user(&sb, 9, &["channel:details:self"]);
    let details = owner.get_channel_details().channel_id_or_token("user9").send().await.unwrap();
    assert!(details.stream_key.is_some());
    let stranger = user(&sb, 8, &["channel:details:self"]);
    assert_eq!(status(&stranger.get_channel_details().channel_id_or_token("user9").send().await.unwrap_err()), 403);
}

#[tokio::test]
async fn update_channel_changes_state() {
    let sb = sandbox().await;
    let owner = user(&sb, 2, &["channel:update:self"]);
    let updated = owner
        .update_channel()
        .channel_id_or_token(FIRST_CHANNEL_ID + 2)
        .body(types::ChannelUpdate::builder().name("New title").audience(types::Audience::Adult))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.name.as_deref(), Some("New title"));
    let read = anonymous(&sb).get_channel().channel_id_or_token("user2").send().await.unwrap();
    assert_eq!((read.name.as_deref(), read.audience.clone()), (Some("New title"), Some(types::Audience::Adult)));
    let no_scope = user(&sb, 2, &[]);
    let e = no_scope
        .update_channel()
        .channel_id_or_token(FIRST_CHANNEL_ID + 2)
        .body(types::ChannelUpdate::builder().name("x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&e), 403);
}

#[tokio::test]
async fn follow_unfollow_followers_and_relationship() {
    let sb = sandbox().await;
    let channel = FIRST_CHANNEL_ID + 1;
    let fan = user(&sb, 50, &["channel:follow:self"]);
    let c = anonymous(&sb);
    let before = c.get_channel_relationship().channel_id(channel).user(FIRST_USER_ID + 50).send().await.unwrap();
    assert!(before.status.as_ref().unwrap().follows.is_none());

    fan.follow_channel()
        .channel_id(channel)
        .body(types::FollowRequest::builder().user(FIRST_USER_ID + 50))
        .send()
        .await
        .unwrap();
    let after = c.get_channel_relationship().channel_id(channel).user(FIRST_USER_ID + 50).send().await.unwrap();
    assert!(after.status.as_ref().unwrap().follows.is_some());
    let followers = c.get_channel_followers().channel_id(channel).limit(100u64).send().await.unwrap();
    assert!(followers.iter().any(|f| f.id == FIRST_USER_ID + 50));

    fan.unfollow_channel()
        .channel_id(channel)
        .body(types::FollowRequest::builder().user(FIRST_USER_ID + 50))
        .send()
        .await
        .unwrap();
    let followers = c.get_channel_followers().channel_id(channel).limit(100u64).send().await.unwrap();
    assert!(followers.iter().all(|f| f.id != FIRST_USER_ID + 50));
    // Following as someone else is refused.
    let e = fan
        .follow_channel()
        .channel_id(channel)
        .body(types::FollowRequest::builder().user(FIRST_USER_ID))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&e), 403);
}

#[tokio::test]
async fn hosting_start_read_hosters_and_stop() {
    let sb = sandbox().await;
    let host = user(&sb, 5, &["channel:update:self"]);
    let c = anonymous(&sb);
    assert_eq!(status(&c.get_channel_hostee().channel_id(FIRST_CHANNEL_ID + 5).send().await.unwrap_err()), 404);
    let ch = host
        .set_channel_hostee()
        .channel_id(FIRST_CHANNEL_ID + 5)
        .body(types::HosteeRequest::builder().id(FIRST_CHANNEL_ID + 6))
        .send()
        .await
        .unwrap();
    assert_eq!(ch.hostee_id, Some(FIRST_CHANNEL_ID + 6));
    assert_eq!(c.get_channel_hostee().channel_id(FIRST_CHANNEL_ID + 5).send().await.unwrap().id, FIRST_CHANNEL_ID + 6);
    let hosters = c.get_channel_hosters().channel_id(FIRST_CHANNEL_ID + 6).send().await.unwrap();
    assert_eq!(hosters.iter().map(|h| h.id).collect::<Vec<_>>(), [FIRST_CHANNEL_ID + 5]);
    host.stop_channel_hosting().channel_id(FIRST_CHANNEL_ID + 5).send().await.unwrap();
    assert!(c.get_channel_hosters().channel_id(FIRST_CHANNEL_ID + 6).send().await.unwrap().is_empty());
}

#[tokio::test]
async fn preferences_read_and_write() {
    let sb = sandbox().await;
    let c = anonymous(&sb);
    let prefs = c.get_channel_preferences().channel_id(FIRST_CHANNEL_ID).send().await.unwrap();
    assert_eq!(prefs.hosting_allow, Some(true));
    let owner = user(&sb, 0, &["channel:update:self"]);
    let changed = owner
        .update_channel_preferences()
        .channel_id(FIRST_CHANNEL_ID)
        .body(types::ChannelPreferences::builder().channel_slowchat(2000.0))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.channel_slowchat, Some(2000.0));
    assert_eq!(changed.hosting_allow, Some(true), "other keys are kept");
}

#[tokio::test]
async fn roles_list_by_role_and_change() {
    let sb = sandbox().await;
    let c = anonymous(&sb);
    let mods = c
        .get_channel_users_by_role()
        .channel_id(FIRST_CHANNEL_ID + 3)
        .role_or_user_id(types::Role::Mod)
        .send()
        .await
        .unwrap();
    assert_eq!(mods.iter().map(|u| u.id).collect::<Vec<_>>(), [FIRST_USER_ID + 4]);
    let owner = user(&sb, 3, &["chat:change_role"]);
    owner
        .update_channel_user_roles()
        .channel_id(FIRST_CHANNEL_ID + 3)
        .role_or_user_id(FIRST_USER_ID + 20)
        .body(types::RoleChange::builder().add(vec![types::Role::Mod]))
        .send()
        .await
        .unwrap();
    let mods = c
        .get_channel_users_by_role()
        .channel_id(FIRST_CHANNEL_ID + 3)
        .role_or_user_id(types::Role::Mod)
        .send()
        .await
        .unwrap();
    assert_eq!(mods.iter().map(|u| u.id).collect::<Vec<_>>(), [FIRST_USER_ID + 4, FIRST_USER_ID + 20]);
    let everyone = c.get_channel_users().channel_id(FIRST_CHANNEL_ID + 3).send().await.unwrap();
    assert_eq!(everyone.len(), 3);
}

#[tokio::test]
async fn broadcasts_current_by_channel_and_by_id() {
    let sb = sandbox().await;
    let c = anonymous(&sb);
    let b = c.get_channel_broadcast().channel_id(FIRST_CHANNEL_ID + 3).send().await.unwrap();
    assert!(b.online);
    assert_eq!(c.get_broadcast().broadcast_id(b.id.clone()).send().await.unwrap().channel_id, FIRST_CHANNEL_ID + 3);
    let mine = user(&sb, 3, &[]).get_current_broadcast().send().await.unwrap();
    assert_eq!(mine.id, b.id);
    // Channel 4 is offline.
    assert_eq!(status(&c.get_channel_broadcast().channel_id(FIRST_CHANNEL_ID + 4).send().await.unwrap_err()), 404);
}

#[tokio::test]
async fn chats_with_and_without_a_token() {
    let sb = sandbox().await;
    let anon = anonymous(&sb).get_chat().channel_id(FIRST_CHANNEL_ID).send().await.unwrap();
    assert!(anon.authkey.is_none());
    assert!(anon.endpoints.len() >= 2, "several endpoints, for fallback");
    assert!(anon.endpoints.iter().all(|e| e.starts_with("ws://127.0.0.1:")));
    // The anonymous call sent no Authorization header at all.
    let logged = sb.server().requests();
    assert!(logged.iter().all(|r| !r.has_authorization));

    let chatter = user(&sb, 7, &["chat:connect", "chat:chat"]);
    let first = chatter.get_chat_authenticated().channel_id(FIRST_CHANNEL_ID).send().await.unwrap();
    let second = chatter.get_chat_authenticated().channel_id(FIRST_CHANNEL_ID).send().await.unwrap();
    let (a, b) = (first.authkey.clone().unwrap(), second.authkey.clone().unwrap());
    assert_ne!(a.expose(), b.expose(), "an authkey is single use: each call gets a new one");

    let users = anonymous(&sb).get_chat_users().channel_id(FIRST_CHANNEL_ID).limit(100u64).send().await.unwrap();
    assert!(users.iter().any(|u| u.user_id == FIRST_USER_ID));
    let one = anonymous(&sb).get_chat_user().channel_id(FIRST_CHANNEL_ID).user_id(FIRST_USER_ID).send().await.unwrap();
    assert_eq!(one.username, "user0");
    assert_eq!(
        status(
            &anonymous(&sb)
                .get_chat_user()
                .channel_id(FIRST_CHANNEL_ID)
                .user_id(FIRST_USER_ID + 1)
                .send()
                .await
                .unwrap_err()
        ),
        404
    );
}

#[tokio::test]
async fn types_and_teams() {
    let sb = sandbox().await;
    let c = anonymous(&sb);
    let types_ = c.list_types().where_(Where::field("id").eq(101)).send().await.unwrap();
    assert_eq!(types_.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["Minecraft"]);
    let channels = c.get_type_channels().type_id(101).limit(100u64).send().await.unwrap();
    assert_eq!(channels.len(), 20);
    assert!(channels.iter().all(|ch| ch.type_id == Some(101)));

    let teams = c.list_teams().order(Order::desc("id")).send().await.unwrap();
    assert_eq!(teams.iter().map(|t| t.id).collect::<Vec<_>>(), [3, 2, 1]);
    assert_eq!(c.get_team().team_id(2).send().await.unwrap().token, "team2");
    let members = c.get_team_users().team_id(1).limit(100u64).send().await.unwrap();
    assert_eq!(members.len(), 30);
}

/// The authorization-code grant of a public client (no secret, no redirect URI: a
/// shortcode's code needs neither).
fn code_grant(code: impl Into<Secret>) -> types::builder::TokenRequest {
    types::TokenRequest::builder()
        .grant_type(types::GrantType::AuthorizationCode)
        .client_id(CLIENT_ID)
        .code(code.into())
}

/// The refresh grant.
fn refresh_grant(refresh: Secret) -> types::builder::TokenRequest {
    types::TokenRequest::builder()
        .grant_type(types::GrantType::RefreshToken)
        .client_id(CLIENT_ID)
        .refresh_token(refresh)
}

#[tokio::test]
async fn oauth_authorization_code_and_refresh_grants() {
    let sb = sandbox().await;
    let c = anonymous(&sb);
    let code = sb.mixer().mint_code(12, &["user:details:self"]);
    let confidential = code_grant(code.clone()).client_secret(CLIENT_SECRET).redirect_uri("http://localhost/cb");
    let tokens = c.request_token().body(confidential).send().await.unwrap();
    assert_eq!(tokens.token_type, "Bearer");
    let me = c.with_access_token(tokens.access_token.clone()).get_current_user().send().await.unwrap();
    assert_eq!(me.id, FIRST_USER_ID + 12);

    let refresh = tokens.refresh_token.clone().unwrap();
    let refreshed = c.request_token().body(refresh_grant(refresh.clone())).send().await.unwrap();
    assert_ne!(refreshed.refresh_token.clone().unwrap().expose(), refresh.expose());
    // Refresh tokens and codes are single use.
    let again = c.request_token().body(refresh_grant(refresh)).send().await;
    assert_eq!(status(&again.unwrap_err()), 400);
    let reused = c.request_token().body(code_grant(code)).send().await;
    assert_eq!(status(&reused.unwrap_err()), 400);
}

#[tokio::test]
async fn shortcode_create_check_and_exchange() {
    let sb = sandbox().await;
    let c = anonymous(&sb);
    let shortcode = || types::ShortcodeRequest::builder().client_id(CLIENT_ID).scope("chat:connect");
    let sc = c.create_shortcode().body(shortcode()).send().await.unwrap();
    assert_eq!(sc.code.len(), 6);
    // Pending: 204, `None`.
    assert!(c.check_shortcode().handle(sc.handle.clone()).send().await.unwrap().is_none());
    assert!(sb.mixer().approve_shortcode(&sc.code, 30));
    let approved =
        c.check_shortcode().handle(sc.handle.clone()).send().await.unwrap().expect("approved: 200 with a code");
    let tokens = c.request_token().body(code_grant(approved.code.clone())).send().await.unwrap();
    let me = c.with_access_token(tokens.access_token.clone()).get_current_user().send().await.unwrap();
    assert_eq!(me.id, FIRST_USER_ID + 30);

    let denied = c.create_shortcode().body(shortcode()).send().await.unwrap();
    assert!(sb.mixer().deny_shortcode(&denied.code));
    assert_eq!(status(&c.check_shortcode().handle(denied.handle.clone()).send().await.unwrap_err()), 403);
    assert_eq!(status(&c.check_shortcode().handle("nope").send().await.unwrap_err()), 404);
}

#[tokio::test]
async fn a_malformed_authorization_header_is_a_csrf_error() {
    streamkit_mixer::install_tls_provider();
    let sb = sandbox().await;
    let url = format!("{}/v1/users/{}", sb.mixer().api_url(), FIRST_USER_ID);
    let resp = reqwest::Client::new().get(url).header("Authorization", "OAuth abc").send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 403);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("CSRF"));
}
