//! Constellation: the handshake, subscriptions and their codes, REST-caused events, close
//! codes, gzip, hooks.

use crate::support::*;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use streamkit_sandbox::CLIENT_ID;
use streamkit_sandbox::mixer::constellation::gzip;
use tokio_tungstenite::tungstenite::{self, Message};

#[tokio::test]
async fn constellation_needs_a_token_or_a_client_id_and_says_hello() {
    let e = env().await;
    let url = e.rt.constellation_url();
    match connect(&url, &[]).await {
        Err(tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 401),
        other => panic!("expected a 401 refusal, got {:?}", other.map(|_| ())),
    }
    let mut anon = connect(&url, &[("client-id", CLIENT_ID), ("x-is-bot", "true")]).await.unwrap();
    assert_eq!(next(&mut anon).await, json!({"type": "event", "event": "hello", "data": {"authenticated": false}}));
    let seen = &e.rt.constellation_connections()[0].handshake;
    assert_eq!((seen.client_id.as_deref(), seen.has_authorization), (Some(CLIENT_ID), false));
    assert_eq!(seen.details.get("x-is-bot").map(String::as_str), Some("true"));
    // Websocket pings are answered.
    anon.send(Message::Ping(b"beat".to_vec().into())).await.unwrap();
    let pong = tokio::time::timeout(GUARD, anon.next()).await.unwrap().unwrap().unwrap();
    assert_eq!(pong, Message::Pong(b"beat".to_vec().into()));
    let token = e.mixer.mint_token(1, &["user:details:self"]);
    let mut bot = connect(&url, &[("authorization", &format!("Bearer {token}"))]).await.unwrap();
    assert_eq!(next(&mut bot).await["data"], json!({"authenticated": true}));
    let mut expired = connect(&url, &[("authorization", "Bearer not-a-token")]).await.unwrap();
    assert_eq!(closed_with(&mut expired).await.0, 4011);
    // Query parameters work as headers do.
    let mut by_query = connect(&format!("{url}?client-id={CLIENT_ID}"), &[]).await.unwrap();
    assert_eq!(next(&mut by_query).await["event"], "hello");
    assert_eq!(
        live_call(&mut by_query, 1, "ping", Value::Null).await,
        json!({"type": "reply", "id": 1, "result": {}, "error": null})
    );
}

#[tokio::test]
async fn a_rest_follow_and_a_channel_update_reach_subscribers() {
    let e = env().await;
    let mut ws = connect(&e.rt.constellation_url(), &[("client-id", CLIENT_ID)]).await.unwrap();
    next(&mut ws).await;
    let id = e.newest_live();
    let events = ["channel:5000:followed", "user:1003:followed", "channel:5000:update"];
    let reply = live_call(&mut ws, 7, "livesubscribe", json!({"events": events})).await;
    assert_eq!(reply, json!({"type": "reply", "id": 7, "result": null, "error": null}));
    assert_eq!(e.rt.subscriptions(id), events.iter().map(|s| (*s).to_owned()).collect());

    let follower = e.mixer.mint_token(3, &["channel:follow:self"]);
    assert_eq!(e.rest(reqwest::Method::PUT, "/v1/channels/5000/follow", &follower, json!({"user": 1003})).await, 204);
    let followed = next(&mut ws).await;
    assert_eq!(followed["data"]["channel"], "channel:5000:followed");
    let payload = &followed["data"]["payload"];
    assert_eq!(
        (&payload["following"], &payload["user"]["id"], &payload["user"]["channel"]["id"]),
        (&json!(true), &json!(1003), &json!(5003))
    );
    let user_side = next(&mut ws).await;
    assert_eq!(user_side["data"]["channel"], "user:1003:followed");
    assert_eq!(user_side["data"]["payload"]["channel"]["id"], 5000);
    let count = next(&mut ws).await;
    assert_eq!(count["data"]["channel"], "channel:5000:update");
    assert!(count["data"]["payload"]["numFollowers"].is_u64());

    let owner = e.mixer.mint_token(0, &["channel:update:self"]);
    assert_eq!(e.rest(reqwest::Method::PATCH, "/v1/channels/5000", &owner, json!({"name": "New title"})).await, 200);
    let update = next(&mut ws).await;
    assert_eq!(
        update["data"],
        json!({"channel": "channel:5000:update", "payload": {"name": "New title"}}),
        "a partial channel"
    );

    let unfollow = e.rest(reqwest::Method::DELETE, "/v1/channels/5000/follow", &follower, json!({"user": 1003})).await;
    assert_eq!(unfollow, 204);
    let after: Vec<(Value, Value)> = [next(&mut ws).await, next(&mut ws).await, next(&mut ws).await]
        .iter()
        .map(|f| (f["data"]["channel"].clone(), f["data"]["payload"]["following"].clone()))
        .collect();
    assert_eq!(
        after,
        [
            (json!("channel:5000:followed"), json!(false)),
            (json!("user:1003:followed"), json!(false)),
            (json!("channel:5000:update"), Value::Null),
        ]
    );

    // Hosting: channel 5000 hosts 5001, then stops.
    let host_events = ["channel:5001:hosted", "channel:5001:unhosted"];
    assert!(live_call(&mut ws, 8, "livesubscribe", json!({"events": host_events})).await["error"].is_null());
    let body = json!({"id": 5001, "auto": true});
    assert_eq!(e.rest(reqwest::Method::PUT, "/v1/channels/5000/hostee", &owner, body).await, 200);
    let hosted = next(&mut ws).await;
    assert_eq!(hosted["data"]["channel"], "channel:5001:hosted", "{hosted}");
    let p = &hosted["data"]["payload"];
    assert_eq!((&p["hosterId"], &p["hoster"]["id"], &p["auto"]), (&json!(5000), &json!(5000), &json!(true)));
    assert_eq!(e.rest(reqwest::Method::DELETE, "/v1/channels/5000/hostee", &owner, json!({})).await, 204);
    let unhosted = next(&mut ws).await;
    assert_eq!(unhosted["data"]["channel"], "channel:5001:unhosted");
    assert_eq!(unhosted["data"]["payload"]["hosterId"], 5000);
}

#[tokio::test]
async fn subscriptions_are_all_or_nothing_with_the_documented_codes() {
    let e = env().await;
    let token = e.mixer.mint_token(1, &[]);
    let mut ws = connect(&e.rt.constellation_url(), &[("authorization", &format!("Bearer {token}"))]).await.unwrap();
    next(&mut ws).await;
    let id = e.newest_live();
    let error = |reply: &Value| {
        (reply["error"]["code"].as_u64().unwrap_or(0), reply["error"]["message"].as_str().unwrap_or("").to_owned())
    };

    let r = live_call(&mut ws, 1, "livesubscribe", json!({"events": ["channel:5000:update", "my silly event"]})).await;
    assert_eq!(error(&r), (4106, "Unknown event \"my silly event\"".to_owned()));
    assert!(e.rt.subscriptions(id).is_empty(), "nothing subscribed when one event fails");
    let r = live_call(&mut ws, 2, "livesubscribe", json!({"events": ["user:1002:notify"]})).await;
    assert_eq!(error(&r).0, 4107, "another user's notifications");
    let r =
        live_call(&mut ws, 3, "livesubscribe", json!({"events": ["user:1001:notify", "channel:5000:update"]})).await;
    assert!(r["error"].is_null(), "{r}");
    let r = live_call(&mut ws, 4, "livesubscribe", json!({"events": ["channel:5000:update"]})).await;
    assert_eq!(error(&r), (4108, "Attempt to duplicate subscription to \"channel:5000:update\"".to_owned()));
    e.rt.set_subscription_limit(3);
    let r = live_call(&mut ws, 5, "livesubscribe", json!({"events": ["channel:1:update", "channel:2:update"]})).await;
    assert_eq!(error(&r).0, 4110);

    // liveunsubscribe: no error for an event not subscribed (the method's page), 4109 when strict.
    let r =
        live_call(&mut ws, 6, "liveunsubscribe", json!({"events": ["channel:5000:update", "channel:9:update"]})).await;
    assert!(r["error"].is_null(), "{r}");
    assert_eq!(e.rt.subscriptions(id).into_iter().collect::<Vec<_>>(), ["user:1001:notify"]);
    e.rt.set_strict_unsubscribe(true);
    let r = live_call(&mut ws, 7, "liveunsubscribe", json!({"events": ["channel:9:update"]})).await;
    assert_eq!(error(&r).0, 4109);
}

#[tokio::test]
async fn bad_packets_close_with_the_documented_codes() {
    let e = env().await;
    let url = e.rt.constellation_url();
    let cases: [(Message, u16); 5] = [
        (Message::Text("{nope".into()), 4006),
        (Message::Binary(vec![0x1f, 0x8b, 0, 1, 2].into()), 4007),
        (Message::Text(r#"{"type":"reply","id":1}"#.into()), 4008),
        (Message::Text(r#"{"type":"method","method":"divide","params":{},"id":1}"#.into()), 4009),
        (Message::Text(r#"{"type":"method","method":"livesubscribe","params":{"events":"x"},"id":1}"#.into()), 4010),
    ];
    for (frame, code) in cases {
        let mut ws = connect(&url, &[("client-id", CLIENT_ID)]).await.unwrap();
        next(&mut ws).await;
        ws.send(frame).await.unwrap();
        assert_eq!(closed_with(&mut ws).await.0, code);
    }
    let closes: Vec<Option<u16>> =
        e.rt.constellation_connections().iter().map(|c| c.closed_with.as_ref().map(|(code, _)| *code)).collect();
    assert_eq!(closes, [Some(4006), Some(4007), Some(4008), Some(4009), Some(4010)]);
    // What the server saw of each: the frame (by method name, or `invalid`), then the close.
    let seen: Vec<Vec<String>> =
        e.rt.constellation_connections()
            .iter()
            .map(|c| e.rt.constellation_frames(c.id).into_iter().skip(1).map(|f| f.name).collect())
            .collect();
    assert_eq!(
        seen,
        [
            ["invalid", "close 4006"],
            ["invalid", "close 4007"],
            ["invalid", "close 4008"],
            ["divide", "close 4009"],
            ["livesubscribe", "close 4010"],
        ]
    );
}

#[tokio::test]
async fn cnstl_gzip_sends_and_takes_gzipped_frames() {
    let e = env().await;
    let mut ws =
        connect(&e.rt.constellation_url(), &[("client-id", CLIENT_ID), ("Sec-WebSocket-Protocol", "cnstl-gzip")])
            .await
            .unwrap();
    let hello = tokio::time::timeout(GUARD, ws.next()).await.unwrap().unwrap().unwrap();
    let Message::Binary(bytes) = hello else { panic!("expected a gzipped binary frame, got {hello:?}") };
    assert_eq!(&bytes[..2], [0x1f, 0x8b]);
    let frame =
        json!({"type": "method", "method": "livesubscribe", "params": {"events": ["announcement:announce"]}, "id": 1});
    ws.send(Message::Binary(gzip::compress(&frame.to_string()).into())).await.unwrap();
    assert_eq!(next(&mut ws).await["error"], Value::Null);
    assert_eq!(e.rt.emit_live("announcement:announce", &json!({"message": "hi"})), 1);
    assert_eq!(next(&mut ws).await["data"], json!({"channel": "announcement:announce", "payload": {"message": "hi"}}));
    // The log holds the JSON, not the compressed bytes.
    let id = e.newest_live();
    assert!(
        e.rt.constellation_frames(id).iter().any(|f| f.name == "livesubscribe" && f.payload.contains("announcement"))
    );
}

#[tokio::test]
async fn constellation_hooks_emit_anything_send_malformed_frames_close_and_drop() {
    let e = env().await;
    let url = e.rt.constellation_url();
    let mut ws = connect(&url, &[("client-id", CLIENT_ID)]).await.unwrap();
    next(&mut ws).await;
    let id = e.newest_live();
    live_call(&mut ws, 1, "livesubscribe", json!({"events": ["channel:5000:skill"]})).await;

    // Any payload for a subscribed event; nothing for events nobody subscribed to.
    assert_eq!(e.rt.emit_live("channel:5000:skill", &json!({"odd": [1, 2]})), 1);
    assert_eq!(next(&mut ws).await["data"]["payload"], json!({"odd": [1, 2]}));
    assert_eq!(e.rt.emit_live("channel:5001:skill", &json!({})), 0);
    // An unknown event and a malformed frame; the session still answers.
    assert!(e.rt.send_raw_constellation(id, r#"{"type":"event","event":"surprise","data":{}}"#));
    assert_eq!(next(&mut ws).await["event"], "surprise");
    assert!(e.rt.send_raw_constellation(id, "{\"type\":"));
    assert_eq!(next(&mut ws).await, json!("{\"type\":"));
    assert_eq!(live_call(&mut ws, 2, "ping", Value::Null).await["result"], json!({}));

    let names: Vec<String> = e.rt.constellation_frames(id).into_iter().map(|f| f.name).collect();
    assert_eq!(names, ["hello", "livesubscribe", "reply", "channel:5000:skill", "raw", "raw", "ping", "reply"]);

    assert!(e.rt.close_constellation(id, 1012, "restarting"));
    assert_eq!(closed_with(&mut ws).await, (1012, "restarting".to_owned()));
    assert!(e.rt.subscriptions(id).is_empty(), "a closed session has no subscriptions");

    let mut again = connect(&url, &[("client-id", CLIENT_ID)]).await.unwrap();
    next(&mut again).await;
    e.rt.refuse_constellation(true);
    assert!(
        matches!(connect(&url, &[("client-id", CLIENT_ID)]).await, Err(tungstenite::Error::Http(r)) if r.status() == 503)
    );
    assert_eq!(e.rt.drop_constellation(), 1);
    assert!(dropped(&mut again).await);
}
