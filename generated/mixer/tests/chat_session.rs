//! The chat client end to end through the sandbox's chat servers: REST for the endpoints and
//! authkeys, auth, messages both ways, a dropped connection and what the server saw after
//! it, fallback, odd frames, both reply-error forms. No sleeps: every wait is for an event or
//! a reply, with a hang guard only.

mod common;
mod realtime_support;

use realtime_support::next_matching;
use streamkit_mixer::chat::{ChatClient, ChatOptions};
use streamkit_mixer::chat_messages::ChatEvent;
use streamkit_mixer::session::SessionEvent;
use streamkit_mixer::{Error, ProtocolErrorKind};
use streamkit_sandbox::mixer::realtime::ChatErrorForm;
use streamkit_sandbox::mixer::seed::{FIRST_CHANNEL_ID, FIRST_USER_ID};
use streamkit_sandbox::{CLIENT_ID, Sandbox};

const CHANNEL: u64 = FIRST_CHANNEL_ID as u64;
const CHAT_SCOPES: &[&str] = &["chat:connect", "chat:chat", "chat:whisper", "chat:purge", "chat:timeout"];

fn user_id(index: usize) -> u64 {
    FIRST_USER_ID as u64 + index as u64
}

async fn chat_as(sb: &Sandbox, index: usize) -> ChatClient {
    let rest = common::user(sb, index, CHAT_SCOPES);
    ChatClient::connect(rest, CHANNEL, ChatOptions::new(CLIENT_ID).as_user(user_id(index))).await.expect("connects")
}

/// The chat connection whose `auth` carried user `id`, newest first.
fn connections_of(sb: &Sandbox, id: u64) -> Vec<u64> {
    let rt = sb.mixer().realtime();
    let needle = format!(",{id},");
    rt.chat_connections()
        .iter()
        .filter(|c| {
            rt.chat_frames(c.id).iter().any(|f| f.name == "auth" && f.payload.replace(' ', "").contains(&needle))
        })
        .map(|c| c.id)
        .collect()
}

fn auth_frame(sb: &Sandbox, conn: u64) -> String {
    let frames = sb.mixer().realtime().chat_frames(conn);
    frames.into_iter().find(|f| f.name == "auth").map(|f| f.payload).expect("an auth frame")
}

fn is_message_from(name: &str, text: &str) -> impl Fn(&SessionEvent<ChatEvent>) -> Option<()> {
    let (name, text) = (name.to_owned(), text.to_owned());
    move |item| match item {
        SessionEvent::Event(ChatEvent::ChatMessage(m)) if m.user_name == name && m.message.text().contains(&text) => {
            Some(())
        }
        _ => None,
    }
}

#[tokio::test]
async fn a_chat_session_authenticates_talks_survives_a_drop_and_re_auths_with_a_fresh_key() {
    let sb = common::sandbox().await;
    let alice = chat_as(&sb, 1).await;
    let mut alice_events = alice.events().expect("events");
    alice.opt_out_events(["UserJoin", "UserLeave"]).await.expect("opted out");
    let bob = chat_as(&sb, 2).await;
    let mut bob_events = bob.events().expect("events");

    let sent = alice.msg("hello from alice").await.expect("msg replies");
    assert_eq!((sent.user_name.as_str(), sent.channel), ("user1", CHANNEL as _));
    next_matching(&mut bob_events, is_message_from("user1", "hello from alice")).await;
    bob.msg("hi alice").await.expect("msg replies");
    next_matching(&mut alice_events, is_message_from("user2", "hi alice")).await;

    let first = connections_of(&sb, user_id(1));
    assert_eq!(first.len(), 1);
    let first_auth = auth_frame(&sb, first[0]);
    assert!(first_auth.contains("<authkey #") && !first_auth.contains("used"), "{first_auth}");

    // The network fails under every chat connection.
    assert_eq!(sb.mixer().realtime().drop_chat(None), 2);
    for events in [&mut alice_events, &mut bob_events] {
        next_matching(events, |e| matches!(e, SessionEvent::Disconnected { .. }).then_some(())).await;
        next_matching(events, |e| matches!(e, SessionEvent::Reconnected { .. }).then_some(())).await;
    }

    // After the reconnect the server saw WelcomeEvent, optOutEvents, then auth with a key
    // it had not seen used (a fresh one from REST), before anything else.
    let all = connections_of(&sb, user_id(1));
    assert_eq!(all.len(), 2, "one new connection: {all:?}");
    let again = *all.iter().max().expect("two");
    let seen = sb.mixer().realtime().chat_methods_and_events(again);
    assert_eq!(seen[..3], ["WelcomeEvent", "optOutEvents", "auth"], "{seen:?}");
    let second_auth = auth_frame(&sb, again);
    assert!(second_auth.contains("<authkey #") && !second_auth.contains("used"), "a fresh key: {second_auth}");
    assert_ne!(first_auth, second_auth, "another key than the first connection's");
    assert!(alice.session().protocol().opted_out().is_some());

    // And it keeps going, both ways.
    alice.msg("back again").await.expect("msg after the reconnect");
    next_matching(&mut bob_events, is_message_from("user1", "back again")).await;
    bob.whisper("user1", "psst").await.expect("whisper");
    next_matching(&mut alice_events, is_message_from("user2", "psst")).await;
    let history = alice.history(10).await.expect("history");
    assert!(history.len() >= 3, "{history:?}");
}

#[tokio::test]
async fn a_refusing_first_endpoint_falls_back_to_the_second() {
    let sb = common::sandbox().await;
    let rt = sb.mixer().realtime();
    rt.refuse_chat_endpoint(1, true);
    let viewer =
        ChatClient::connect(common::anonymous(&sb), CHANNEL, ChatOptions::new(CLIENT_ID)).await.expect("connects");
    let connections = rt.chat_connections();
    assert_eq!(connections.len(), 1, "the refused handshake opened no connection");
    assert!(connections[0].path.ends_with("/mixer/chat/2"), "{:?}", connections[0].path);
    assert_eq!(connections[0].handshake.client_id.as_deref(), Some(CLIENT_ID));
    assert_eq!(rt.chat_methods_and_events(connections[0].id)[..2], ["WelcomeEvent", "auth"]);
    viewer.ping().await.expect("a round trip on the second endpoint");
    // Anonymous sessions read only: the string form of a reply error.
    let refused = viewer.msg("hello").await.expect_err("anonymous");
    assert_reply_error(&refused, None, "UACCESS");
}

#[tokio::test]
async fn after_an_unknown_event_and_a_malformed_frame_the_session_stays_up() {
    let sb = common::sandbox().await;
    let rt = sb.mixer().realtime();
    let alice = chat_as(&sb, 1).await;
    let mut events = alice.events().expect("events");
    let conn = connections_of(&sb, user_id(1))[0];

    assert!(rt.send_chat_event(conn, "BrandNewEvent", &serde_json::json!({"shiny": true})));
    let (name, data) = next_matching(&mut events, |e| match e {
        SessionEvent::Event(ChatEvent::Unknown { name, data }) => Some((name.clone(), data.clone())),
        _ => None,
    })
    .await;
    assert_eq!((name.as_str(), data), ("BrandNewEvent", serde_json::json!({"shiny": true})));

    assert!(rt.send_raw_chat(conn, "{not json"));
    let invalid = next_matching(&mut events, |e| match e {
        SessionEvent::Invalid(err) => Some(err.to_string()),
        _ => None,
    })
    .await;
    assert!(invalid.contains("not a JSON object"), "{invalid}");

    let reply = alice.msg("still here").await.expect("the next call gets its reply");
    assert_eq!(reply.user_name, "user1");
    assert_eq!(rt.chat_connections().len(), 1, "no reconnect happened");
}

#[tokio::test]
async fn both_reply_error_forms_surface_as_protocol_reply_errors() {
    let sb = common::sandbox().await;
    let rt = sb.mixer().realtime();
    let owner = chat_as(&sb, 0).await;
    // The object form with a numeric code: purging a user who is not there.
    let err = owner.purge("nobody").await.expect_err("no such user");
    assert_reply_error(&err, Some(4001), "");
    // The string form, then the same error in the object form (`{code: 1, message}`).
    let stranger = ChatClient::connect(common::anonymous(&sb), CHANNEL, ChatOptions::new(CLIENT_ID)).await.unwrap();
    assert_reply_error(&stranger.msg("hi").await.unwrap_err(), None, "UACCESS");
    rt.set_chat_error_form(ChatErrorForm::Object);
    assert_reply_error(&stranger.msg("hi").await.unwrap_err(), Some(1), "UACCESS");
}

fn assert_reply_error(err: &Error, code: Option<i64>, message: &str) {
    match err {
        Error::Protocol { kind: ProtocolErrorKind::Reply { code: got }, message: said, .. } => {
            assert_eq!(*got, code, "{err}");
            assert!(said.contains(message), "{err}");
        }
        other => panic!("expected a reply error, got {other:?}"),
    }
}

#[tokio::test]
async fn neither_the_token_nor_an_authkey_shows_in_debug_or_the_servers_log() {
    let sb = common::sandbox().await;
    let token = sb.mixer().mint_token(1, CHAT_SCOPES);
    let rest = common::anonymous(&sb).with_access_token(token.clone());
    let options = ChatOptions::new(CLIENT_ID).as_user(user_id(1));
    let chat = ChatClient::connect(rest, CHANNEL, options).await.expect("connects");
    let shown = format!("{chat:?} {:?}", chat.session().protocol());
    assert!(!shown.contains(&token), "{shown}");
    let conn = connections_of(&sb, user_id(1))[0];
    // The sandbox logs which key was used, never the key; and the key came from REST, so the
    // frame carried a real one (the server accepted it).
    assert!(auth_frame(&sb, conn).contains("<authkey #1>"));
    chat.ping().await.expect("authenticated and up");
}
