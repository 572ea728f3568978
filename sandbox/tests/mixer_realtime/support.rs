//! The raw websocket client and the sandbox the tests share.

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use streamkit_sandbox::mixer::MixerRealtime;
use streamkit_sandbox::mixer::constellation::gzip;
use streamkit_sandbox::{CLIENT_ID, Mixer, Sandbox};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderName, HeaderValue};
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub(crate) type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Only a hang guard: every frame awaited is expected, and comes at once.
pub(crate) const GUARD: Duration = Duration::from_secs(20);
pub(crate) const CHANNEL: i64 = 5000;

pub(crate) struct Env {
    /// The sandbox (its contract violations: every frame it sent is checked against the specs).
    pub(crate) sb: Sandbox,
    pub(crate) mixer: Mixer,
    pub(crate) rt: MixerRealtime,
    http: reqwest::Client,
}

pub(crate) async fn env() -> Env {
    let sb = Sandbox::builder().service(Mixer::new()).start().await.expect("sandbox starts");
    streamkit_runtime::tls::install_default_provider();
    let mixer = sb.service::<Mixer>().expect("serves Mixer").clone();
    let rt = mixer.realtime();
    Env { sb, mixer, rt, http: reqwest::Client::new() }
}

impl Env {
    /// `GET /v1/chats/{channel}` as user index `user` with `scopes`.
    pub(crate) async fn chats(&self, user: usize, scopes: &[&str]) -> Value {
        let token = self.mixer.mint_token(user, scopes);
        let resp = self
            .http
            .get(format!("{}/v1/chats/{CHANNEL}", self.mixer.api_url()))
            .bearer_auth(token)
            .header("Client-ID", CLIENT_ID)
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status(), 200);
        resp.json().await.expect("json")
    }

    /// A fresh authkey for user index `user` (with every chat scope).
    pub(crate) async fn authkey(&self, user: usize) -> String {
        self.chats(user, ALL_CHAT_SCOPES).await["authkey"].as_str().expect("an authkey").to_owned()
    }

    /// A chat client on endpoint `n` (from 1), past its WelcomeEvent.
    pub(crate) async fn chat(&self, n: usize) -> Ws {
        let mut ws = connect(&self.rt.chat_endpoints()[n - 1], &[("Client-ID", CLIENT_ID)]).await.expect("connects");
        let welcome = next(&mut ws).await;
        assert_eq!(welcome["event"], "WelcomeEvent", "{welcome}");
        ws
    }

    /// A chat client authenticated as user index `user` on endpoint 1.
    pub(crate) async fn chat_as(&self, user: usize) -> Ws {
        let key = self.authkey(user).await;
        let mut ws = self.chat(1).await;
        let reply = call(&mut ws, 1, "auth", json!([CHANNEL, 1000 + user, key])).await;
        assert_eq!(reply["data"]["authenticated"], true, "{reply}");
        ws
    }

    /// The newest open chat connection's id (the one a test just opened).
    pub(crate) fn newest_chat(&self) -> u64 {
        self.rt.chat_connections().iter().rfind(|c| c.open).expect("an open connection").id
    }

    pub(crate) fn newest_live(&self) -> u64 {
        self.rt.constellation_connections().iter().rfind(|c| c.open).expect("an open connection").id
    }

    pub(crate) async fn rest(&self, method: reqwest::Method, path: &str, token: &str, body: Value) -> u16 {
        let resp = self
            .http
            .request(method, format!("{}{path}", self.mixer.api_url()))
            .bearer_auth(token)
            .header("Client-ID", CLIENT_ID)
            .json(&body)
            .send()
            .await
            .expect("request");
        resp.status().as_u16()
    }
}

pub(crate) const ALL_CHAT_SCOPES: &[&str] = &[
    "chat:connect",
    "chat:chat",
    "chat:whisper",
    "chat:poll_vote",
    "chat:poll_start",
    "chat:timeout",
    "chat:purge",
    "chat:remove_message",
    "chat:clear_messages",
    "chat:giveaway_start",
    "chat:cancel_skill",
];

pub(crate) async fn connect(url: &str, headers: &[(&str, &str)]) -> Result<Ws, tungstenite::Error> {
    let mut request = url.into_client_request()?;
    for (k, v) in headers {
        let name = HeaderName::from_bytes(k.as_bytes()).expect("header name");
        request.headers_mut().insert(name, HeaderValue::from_str(v).expect("header value"));
    }
    let (ws, _) = tokio::time::timeout(GUARD, tokio_tungstenite::connect_async(request)).await.expect("hang guard")?;
    Ok(ws)
}

/// The next frame: text or gzipped binary, parsed (a frame that does not parse is returned
/// as a JSON string of its text).
pub(crate) async fn next(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(GUARD, ws.next()).await.expect("hang guard").expect("open").expect("a frame");
        return match msg {
            Message::Text(t) => serde_json::from_str(t.as_str()).unwrap_or_else(|_| json!(t.as_str())),
            Message::Binary(b) => {
                assert!(gzip::is_gzip(&b), "binary frames are gzipped");
                serde_json::from_slice(&gzip::decompress(&b).expect("inflates")).expect("gzipped JSON")
            }
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("expected a frame, got {other:?}"),
        };
    }
}

/// The close frame (code, reason) the server ends with.
pub(crate) async fn closed_with(ws: &mut Ws) -> (u16, String) {
    loop {
        let msg = tokio::time::timeout(GUARD, ws.next()).await.expect("hang guard");
        match msg {
            Some(Ok(Message::Close(Some(f)))) => return (u16::from(f.code), f.reason.as_str().to_owned()),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

/// Whether the connection ends without a close frame (dropped), after no other frame.
pub(crate) async fn dropped(ws: &mut Ws) -> bool {
    match tokio::time::timeout(GUARD, ws.next()).await.expect("hang guard") {
        None | Some(Err(_)) => true,
        Some(Ok(other)) => panic!("expected the connection to drop, got {other:?}"),
    }
}

pub(crate) async fn send(ws: &mut Ws, frame: Value) {
    ws.send(Message::Text(frame.to_string().into())).await.expect("sends");
}

/// Calls a chat method and returns the next frame (its reply: nothing else is due first).
pub(crate) async fn call(ws: &mut Ws, id: u64, method: &str, arguments: Value) -> Value {
    send(ws, json!({"type": "method", "method": method, "arguments": arguments, "id": id})).await;
    let reply = next(ws).await;
    assert_eq!((&reply["type"], &reply["id"]), (&json!("reply"), &json!(id)), "{reply}");
    reply
}

/// Calls a Constellation method and returns the next frame.
pub(crate) async fn live_call(ws: &mut Ws, id: u64, method: &str, params: Value) -> Value {
    send(ws, json!({"type": "method", "method": method, "params": params, "id": id})).await;
    let reply = next(ws).await;
    assert_eq!((&reply["type"], &reply["id"]), (&json!("reply"), &json!(id)), "{reply}");
    reply
}
