//! The chat servers: the authkey flow, broadcasts, every method, errors, hooks.

use crate::support::*;
use futures::SinkExt;
use serde_json::{Value, json};
use streamkit_sandbox::CLIENT_ID;
use streamkit_sandbox::core::{FrameAction, FrameDirection, FrameFault};
use streamkit_sandbox::mixer::realtime::ChatErrorForm;
use tokio_tungstenite::tungstenite::{self, Message};

#[tokio::test]
async fn the_rest_route_lists_the_sandbox_endpoints_and_a_single_use_authkey() {
    let e = env().await;
    let body = e.chats(1, &["chat:connect"]).await;
    let endpoints: Vec<String> = serde_json::from_value(body["endpoints"].clone()).unwrap();
    assert_eq!(endpoints, e.rt.chat_endpoints());
    assert_eq!(endpoints.len(), 3);
    assert!(endpoints.iter().all(|u| u.starts_with("ws://127.0.0.1:")), "{endpoints:?}");
    let key = body["authkey"].as_str().unwrap();
    assert_ne!(e.authkey(1).await, key, "a new key every time");
    // Without chat:connect there is no authkey.
    assert!(e.chats(1, &["chat:chat"]).await.get("authkey").is_none());
}

#[tokio::test]
async fn welcome_auth_with_an_authkey_and_a_message_seen_by_another_client() {
    let e = env().await;
    let key = e.authkey(1).await;
    let mut alice = e.chat(1).await;
    let alice_id = e.newest_chat();
    let reply = call(&mut alice, 1, "auth", json!([CHANNEL, 1001, key])).await;
    assert_eq!(reply["error"], Value::Null);
    assert_eq!(reply["data"], json!({"authenticated": true, "roles": ["Mod", "User"]}));

    let mut bob = e.chat_as(2).await;
    let join = next(&mut alice).await;
    assert_eq!(join["event"], "UserJoin");
    assert_eq!(
        join["data"],
        json!({"originatingChannel": CHANNEL, "username": "user2", "roles": ["User"], "id": 1002})
    );

    let reply = call(&mut alice, 2, "msg", json!(["hi @user2 :) https://mixer.com"])).await;
    let data = &reply["data"];
    assert_eq!((data["channel"].as_i64(), data["user_name"].as_str()), (Some(CHANNEL), Some("user1")));
    let kinds: Vec<&str> =
        data["message"]["message"].as_array().unwrap().iter().map(|p| p["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["text", "tag", "text", "emoticon", "text", "link"]);
    let seen = next(&mut bob).await;
    assert_eq!((&seen["type"], &seen["event"]), (&json!("event"), &json!("ChatMessage")));
    assert_eq!(&seen["data"], data, "the other client sees the same message");

    // The server's log of alice's connection: in order, authkey redacted.
    assert_eq!(e.rt.chat_methods_and_events(alice_id), ["WelcomeEvent", "auth", "UserJoin", "msg"]);
    let frames = e.rt.chat_frames(alice_id);
    assert!(frames.iter().all(|f| !f.payload.contains(&key)), "the authkey is never logged");
    assert!(frames[1].payload.contains("<authkey #1>"), "which key, not the key: {:?}", frames[1]);
    assert_eq!(e.rt.chat_connections()[0].handshake.client_id.as_deref(), Some(CLIENT_ID));

    // Bob leaves: alice is told.
    drop(bob);
    let leave = next(&mut alice).await;
    assert_eq!(leave["event"], "UserLeave");
    assert_eq!(leave["data"], json!({"originatingChannel": CHANNEL, "username": "user2", "id": 1002}));
}

#[tokio::test]
async fn a_reused_or_wrong_authkey_is_unotfound_in_either_documented_form() {
    let e = env().await;
    let key = e.authkey(3).await;
    let mut first = e.chat(1).await;
    assert_eq!(call(&mut first, 1, "auth", json!([CHANNEL, 1003, key])).await["error"], Value::Null);

    let mut second = e.chat(2).await;
    let second_id = e.newest_chat();
    let reused = call(&mut second, 1, "auth", json!([CHANNEL, 1003, key])).await;
    assert_eq!(reused["error"], "UNOTFOUND");
    let logged = &e.rt.chat_frames(second_id)[1];
    assert!(logged.name == "auth" && logged.payload.contains("<authkey #1, used>"), "{logged:?}");
    let other_user = e.authkey(4).await;
    assert_eq!(call(&mut second, 2, "auth", json!([CHANNEL, 1003, other_user])).await["error"], "UNOTFOUND");
    assert_eq!(call(&mut second, 3, "auth", json!([CHANNEL, 1003, "not-a-key"])).await["error"], "UNOTFOUND");

    e.rt.set_chat_error_form(ChatErrorForm::Object);
    let reply = call(&mut second, 4, "auth", json!([CHANNEL, 1003, key])).await;
    assert_eq!(reply["error"], json!({"code": 1, "message": "UNOTFOUND", "stacktrace": "", "data": {}}));
    // The mismatched key is still good for its own user.
    assert_eq!(call(&mut second, 5, "auth", json!([CHANNEL, 1004, other_user])).await["error"], Value::Null);
}

#[tokio::test]
async fn anonymous_sessions_read_but_cannot_write_and_bad_frames_get_errors() {
    let e = env().await;
    let mut viewer = e.chat(1).await;
    let reply = call(&mut viewer, 1, "auth", json!([CHANNEL])).await;
    assert_eq!(reply["data"], json!({"authenticated": false, "roles": []}));
    assert_eq!(call(&mut viewer, 2, "msg", json!(["hello"])).await["error"], "UACCESS");

    let mut speaker = e.chat_as(5).await;
    assert_eq!(next(&mut viewer).await["event"], "UserJoin", "anonymous sessions see who joins");
    let sent = call(&mut speaker, 2, "msg", json!(["for everyone"])).await;
    let seen = next(&mut viewer).await;
    assert_eq!(seen["data"]["id"], sent["data"]["id"], "anonymous sessions read chat");

    viewer.send(Message::Text("{not json".into())).await.unwrap();
    let reply = next(&mut viewer).await;
    assert_eq!((&reply["type"], &reply["error"]), (&json!("reply"), &json!("UNOTJSON")));
    let unknown = call(&mut viewer, 3, "dance", json!([])).await;
    assert_eq!(unknown["error"]["code"], 4004);
    let wrong_args = call(&mut viewer, 4, "history", json!(["ten"])).await;
    assert_eq!(wrong_args["error"]["code"], 4004);
}

#[tokio::test]
async fn a_banned_user_cannot_join() {
    let e = env().await;
    let owner = e.mixer.mint_token(0, &["chat:change_role"]);
    let status =
        e.rest(reqwest::Method::PATCH, "/v1/channels/5000/users/1006", &owner, json!({"add": ["Banned"]})).await;
    assert_eq!(status, 204);
    let key = e.authkey(6).await;
    let mut ws = e.chat(1).await;
    assert_eq!(call(&mut ws, 1, "auth", json!([CHANNEL, 1006, key])).await["error"], "UACCESS");
    // Not authenticated: still read-only.
    assert_eq!(call(&mut ws, 2, "msg", json!(["hi"])).await["error"], "UACCESS");
}

#[tokio::test]
async fn a_refusing_endpoint_fails_the_handshake_and_the_next_one_serves() {
    let e = env().await;
    e.rt.refuse_chat_endpoint(1, true);
    match connect(&e.rt.chat_endpoints()[0], &[]).await {
        Err(tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 503),
        Err(other) => panic!("expected a 503, got {other}"),
        Ok(_) => panic!("endpoint 1 refuses"),
    }
    let _second = e.chat(2).await;
    assert_eq!(e.rt.chat_connections().len(), 1);
    assert_eq!(e.rt.chat_connections()[0].path, "/mixer/chat/2");
    e.rt.refuse_chat_endpoint(1, false);
    let _first = e.chat(1).await;
}

#[tokio::test]
async fn every_method_answers_with_its_documented_shape() {
    let e = env().await;
    // user0 owns channel 5000; user2 is a plain user.
    let mut owner = e.chat_as(0).await;
    let mut user = e.chat_as(2).await;
    assert_eq!(next(&mut owner).await["event"], "UserJoin");

    let ping = call(&mut owner, 10, "ping", json!([])).await;
    assert!(ping.get("data").is_none(), "ping's reply has no data: {ping}");

    // whisper: only the target gets it.
    let w = call(&mut owner, 11, "whisper", json!(["user2", "psst"])).await;
    assert_eq!((&w["data"]["message"]["meta"]["whisper"], &w["data"]["target"]), (&json!(true), &json!("user2")));
    let got = next(&mut user).await;
    assert_eq!(got["data"]["id"], w["data"]["id"]);

    // A poll: PollStart, a vote (PollStart again with the count), PollEnd.
    assert_eq!(call(&mut owner, 12, "vote:start", json!(["Tea?", ["yes", "no"], 60])).await["data"], "Poll started.");
    for ws in [&mut owner, &mut user] {
        let start = next(ws).await;
        assert_eq!(start["event"], "PollStart");
        assert_eq!((&start["data"]["q"], &start["data"]["duration"]), (&json!("Tea?"), &json!(60_000)));
    }
    assert_eq!(call(&mut user, 13, "vote:choose", json!([1])).await["data"], true);
    let update = next(&mut owner).await;
    assert_eq!((&update["event"], &update["data"]["responses"]), (&json!("PollStart"), &json!({"yes": 0, "no": 1})));
    assert_eq!(next(&mut user).await["event"], "PollStart");
    assert!(e.rt.end_poll(CHANNEL));
    let end = next(&mut owner).await;
    assert_eq!((&end["event"], &end["data"]["voters"]), (&json!("PollEnd"), &json!(1)));
    assert_eq!(next(&mut user).await["event"], "PollEnd");
    // A plain user may vote but not start a poll.
    assert_eq!(call(&mut user, 14, "vote:start", json!(["q", ["a", "b"], 5])).await["error"], "UACCESS");

    // history, deleteMessage.
    let m1 = call(&mut user, 15, "msg", json!(["first"])).await["data"].clone();
    assert_eq!(next(&mut owner).await["data"]["id"], m1["id"]);
    let history = call(&mut owner, 16, "history", json!([100])).await;
    assert_eq!(history["data"], json!([m1.clone()]));
    assert_eq!(call(&mut owner, 17, "deleteMessage", json!([m1["id"]])).await["data"], "Message deleted.");
    for ws in [&mut owner, &mut user] {
        let del = next(ws).await;
        assert_eq!((&del["event"], &del["data"]["id"]), (&json!("DeleteMessage"), &m1["id"]));
        assert_eq!(del["data"]["moderator"]["user_name"], "user0");
    }
    let missing = call(&mut owner, 18, "deleteMessage", json!([m1["id"]])).await;
    assert_eq!(missing["error"]["code"], 4003);

    // timeout: the reply text, UserTimeout to the user only, PurgeMessage to the channel.
    assert_eq!(
        call(&mut owner, 19, "timeout", json!(["user2", "1m15s"])).await["data"],
        "user2 has been timed out for 1m15s."
    );
    let t = next(&mut user).await;
    assert_eq!((&t["event"], &t["data"]["duration"]), (&json!("UserTimeout"), &json!(75_000)));
    for ws in [&mut owner, &mut user] {
        let p = next(ws).await;
        assert_eq!((&p["event"], &p["data"]["cause"]["type"]), (&json!("PurgeMessage"), &json!("timeout")));
    }
    assert_eq!(call(&mut user, 20, "msg", json!(["let me speak"])).await["error"], "UACCESS");
    assert_eq!(call(&mut owner, 21, "timeout", json!(["user2", "clear"])).await["error"], Value::Null);

    // purge (no data), its numeric errors; clearMessages; giveaway; cancelSkill.
    let purged = call(&mut owner, 22, "purge", json!(["user2"])).await;
    assert!(purged.get("data").is_none() && purged["error"].is_null(), "{purged}");
    for ws in [&mut owner, &mut user] {
        assert_eq!(next(ws).await["event"], "PurgeMessage");
    }
    assert_eq!(call(&mut owner, 23, "purge", json!(["nobody"])).await["error"]["code"], 4001);
    assert_eq!(call(&mut user, 24, "purge", json!(["user0"])).await["error"]["code"], 4002);
    assert_eq!(call(&mut owner, 25, "clearMessages", json!([])).await["data"], "Messages cleared.");
    for ws in [&mut owner, &mut user] {
        let c = next(ws).await;
        assert_eq!((&c["event"], &c["data"]["clearer"]["user_id"]), (&json!("ClearMessages"), &json!(1000)));
    }
    assert_eq!(call(&mut owner, 26, "giveaway:start", json!([])).await["data"], "Starting a giveaway");
    let skill = call(&mut owner, 27, "cancelSkill", json!(["0b3a6b49-1b8d-4cc1-8a4c-3a3d0b8b9e11"])).await;
    assert_eq!(skill["data"], "Skill execution cancelled.");

    // attachEmotes: emoticon images in meta; optOutEvents: ChatMessage no longer sent.
    assert!(call(&mut user, 28, "attachEmotes", json!([])).await.get("data").is_none());
    call(&mut owner, 29, "msg", json!([":)"])).await;
    let with = next(&mut user).await;
    assert!(with["data"]["message"]["meta"]["emoticons"][":)"].is_string(), "{with}");
    assert_eq!(call(&mut user, 30, "optOutEvents", json!(["ChatMessage"])).await["data"], json!({}));
    call(&mut owner, 31, "msg", json!(["unseen"])).await;
    // The next frame user gets is the reply to its own call: the message was suppressed.
    assert_eq!(call(&mut user, 32, "ping", json!([])).await["id"], 32);
}

#[tokio::test]
async fn chat_hooks_drop_close_and_send_odd_frames() {
    let e = env().await;
    let mut a = e.chat(1).await;
    let a_id = e.newest_chat();
    let mut b = e.chat(2).await;
    let b_id = e.newest_chat();

    assert!(e.rt.send_chat_event(a_id, "SomethingNew", &json!({"x": 1})));
    assert_eq!(next(&mut a).await, json!({"type": "event", "event": "SomethingNew", "data": {"x": 1}}));
    assert!(e.rt.send_raw_chat(a_id, "{\"type\":\"ev"));
    assert_eq!(next(&mut a).await, json!("{\"type\":\"ev"));
    // The session is still up: the next call gets its reply.
    assert_eq!(call(&mut a, 1, "ping", json!([])).await["error"], Value::Null);

    // A fault corrupts the next reply.
    e.rt.inject_chat_fault(FrameFault::new("/mixer/chat/1", FrameDirection::ToClient, FrameAction::Corrupt).times(1));
    send(&mut a, json!({"type": "method", "method": "ping", "arguments": [], "id": 2})).await;
    assert!(next(&mut a).await.is_string(), "cut in half, no longer JSON");
    assert_eq!(call(&mut a, 3, "ping", json!([])).await["error"], Value::Null);

    // Faults on frames the server receives: one dropped (never answered), one closing.
    e.rt.inject_chat_fault(
        FrameFault::new("/mixer/chat/2", FrameDirection::ToServer, FrameAction::Drop).containing("\"id\":7").times(1),
    );
    send(&mut b, json!({"type": "method", "method": "ping", "arguments": [], "id": 7})).await;
    assert_eq!(call(&mut b, 8, "ping", json!([])).await["id"], 8, "7 was dropped on the way in");
    let names: Vec<String> = e.rt.chat_frames(b_id).into_iter().map(|f| f.name).collect();
    assert_eq!(names, ["WelcomeEvent", "ping", "reply"], "the server never saw the dropped frame");
    let close = FrameAction::Close { code: 1011, reason: "fault".into() };
    e.rt.inject_chat_fault(
        FrameFault::new("/mixer/chat/2", FrameDirection::ToServer, close).containing("boom").times(1),
    );
    let mut c = e.chat(2).await;
    send(&mut c, json!({"type": "method", "method": "msg", "arguments": ["boom"], "id": 1})).await;
    assert_eq!(closed_with(&mut c).await, (1011, "fault".to_owned()));

    assert!(e.rt.close_chat(b_id, 4000, "bye"));
    assert_eq!(closed_with(&mut b).await, (4000, "bye".to_owned()));
    assert_eq!(e.rt.drop_chat(Some(1)), 1);
    assert!(dropped(&mut a).await);
    let logged: Vec<String> = e.rt.chat_frames(a_id).into_iter().map(|f| f.name).collect();
    assert_eq!(logged.last().map(String::as_str), Some("drop"));
}

#[tokio::test]
async fn hostile_arguments_get_error_replies_and_the_session_stays_up() {
    let e = env().await;
    let mut ws = e.chat_as(0).await;
    let methods = [
        "auth",
        "msg",
        "whisper",
        "vote:choose",
        "vote:start",
        "timeout",
        "purge",
        "deleteMessage",
        "clearMessages",
        "history",
        "giveaway:start",
        "ping",
        "attachEmotes",
        "optOutEvents",
        "cancelSkill",
    ];
    let odd_arguments = [
        json!([]),
        json!([null, null, null, null, null]),
        json!([{"x": 1}, [1, [2]]]),
        json!([-1, -2, -3]),
        json!([1e300, u64::MAX, i64::MIN]),
        json!(["é".repeat(2000), "", "0"]),
    ];
    let mut id = 100;
    for method in methods {
        for args in &odd_arguments {
            id += 1;
            send(&mut ws, json!({"type": "method", "method": method, "arguments": args, "id": id})).await;
            // Replies, and any events a call that happened to be valid caused, until the reply.
            loop {
                let frame = next(&mut ws).await;
                if frame["type"] == "reply" {
                    assert_eq!(frame["id"], id, "{method} {args}: {frame}");
                    break;
                }
            }
        }
    }
    for frame in [
        json!(null),
        json!([1, 2]),
        json!({"type": "method"}),
        json!({"type": "method", "method": "ping", "arguments": [], "id": -1}),
    ] {
        send(&mut ws, frame).await;
        assert_eq!(next(&mut ws).await["error"]["code"], 4004);
    }
    assert_eq!(call(&mut ws, 1, "ping", json!([])).await["error"], Value::Null, "still up");
    // Every reply and event of all that was valid against specs/mixer/chat.yaml (the frame
    // contract check closes the socket with 1011 otherwise, and records it).
    assert_eq!(e.sb.contract_violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_rest_role_change_reaches_chat_and_a_ban_silences() {
    let e = env().await;
    let mut owner = e.chat_as(0).await;
    let mut user = e.chat_as(2).await;
    assert_eq!(next(&mut owner).await["event"], "UserJoin");
    assert_eq!(call(&mut user, 2, "timeout", json!(["user0", "30s"])).await["error"], "UACCESS", "not a moderator");

    let token = e.mixer.mint_token(0, &["chat:change_role"]);
    let path = "/v1/channels/5000/users/1002";
    assert_eq!(e.rest(reqwest::Method::PATCH, path, &token, json!({"add": ["Mod"]})).await, 204);
    let update = json!({"type": "event", "event": "UserUpdate", "data": {"user": 1002, "roles": ["Mod", "User"], "username": "user2"}});
    assert_eq!(next(&mut owner).await, update);
    assert_eq!(next(&mut user).await, update);
    // The new role applies to the open session at once.
    assert_eq!(call(&mut user, 3, "clearMessages", json!([])).await["data"], "Messages cleared.");
    assert_eq!(next(&mut user).await["event"], "ClearMessages");
    assert_eq!(next(&mut owner).await["event"], "ClearMessages");

    assert_eq!(e.rest(reqwest::Method::PATCH, path, &token, json!({"add": ["Banned"], "remove": ["Mod"]})).await, 204);
    for ws in [&mut owner, &mut user] {
        assert_eq!(next(ws).await["data"]["roles"], json!(["Banned", "User"]));
        let purge = next(ws).await;
        assert_eq!(purge["data"], json!({"user_id": 1002, "cause": {"type": "ban"}}), "no moderator for a ban");
    }
    assert_eq!(call(&mut user, 4, "msg", json!(["still here?"])).await["error"], "UACCESS");
}
