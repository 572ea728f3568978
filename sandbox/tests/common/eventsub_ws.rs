//! A raw client of the sandbox's EventSub websocket: a real session (its id comes from the
//! server's welcome), for tests that create websocket subscriptions through Helix.

use std::time::Duration;

use futures::StreamExt;
use serde_json::Value;
use streamkit_sandbox::Sandbox;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Turns a hang into a failure; no step takes anywhere near this long.
const GUARD: Duration = Duration::from_secs(20);

/// One connection to `/eventsub/ws` and the session its welcome named.
pub struct EventSubSocket {
    /// `payload.session.id` of the welcome.
    pub id: String,
    /// `payload.session.connected_at` of the welcome.
    pub connected_at: String,
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// Connects to the sandbox's EventSub websocket and reads the welcome.
pub async fn eventsub_session(sb: &Sandbox) -> EventSubSocket {
    let url = sb.twitch().eventsub().websocket_url();
    let (ws, _) = tokio::time::timeout(GUARD, tokio_tungstenite::connect_async(url))
        .await
        .expect("hang guard")
        .expect("connects");
    let mut socket = EventSubSocket { id: String::new(), connected_at: String::new(), ws };
    let welcome = socket.next().await.expect("a welcome");
    assert_eq!(welcome["metadata"]["message_type"], "session_welcome", "{welcome}");
    let session = &welcome["payload"]["session"];
    socket.id = session["id"].as_str().expect("a session id").to_owned();
    socket.connected_at = session["connected_at"].as_str().expect("connected_at").to_owned();
    socket
}

impl EventSubSocket {
    /// The next text frame, parsed; `None` once the server closed.
    pub async fn next(&mut self) -> Option<Value> {
        loop {
            match tokio::time::timeout(GUARD, self.ws.next()).await.expect("hang guard")? {
                Ok(Message::Text(t)) => return Some(serde_json::from_str(t.as_str()).expect("JSON frames")),
                Ok(Message::Ping(_) | Message::Pong(_)) => continue,
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(other) => panic!("expected a text frame, got {other:?}"),
            }
        }
    }

    /// Reads to the server's close. The server ends the session before it sends the close
    /// frame, so after this the session is gone from the sandbox's state.
    pub async fn until_closed(&mut self) {
        while self.next().await.is_some() {}
    }

    /// Keeps reading (and dropping) frames in the background, so that keepalives never
    /// back up; the task ends with the connection.
    pub fn drain(mut self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move { while self.ws.next().await.is_some() {} })
    }
}
