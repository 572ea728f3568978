//! The device-code flow, then chat as that user: the app shows a code, the user approves it
//! on another device (here the sandbox approves it for a seeded user), and the tokens go into
//! a cache that refreshes them. Then the app sends a chat message as the user.
//!
//! Run: `cargo run -p streamkit-examples --bin device-flow-chat`

use std::time::Duration;

use streamkit_sandbox::{CLIENT_ID, CLIENT_SECRET, Sandbox, SandboxConfig};
use streamkit_twitch::{Secret, auth, helix, oauth};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start(SandboxConfig::default()).await?;
    let seed = sandbox.seed();
    let oauth = oauth::Client::builder().base_url(sandbox.oauth_url()).build()?;

    // 1. Ask for a device code with the scopes the app needs.
    let flow = auth::DeviceFlow::start(oauth.clone(), CLIENT_ID, &["user:write:chat", "user:read:chat"]).await?;
    println!("go to {} and enter {}", flow.verification_uri(), flow.user_code());

    // 2. The user approves (in real life: in a browser, while the app polls).
    let viewer = &seed.user_ids[3];
    sandbox.approve_device(flow.user_code(), viewer);
    // The server's interval is seconds; the sandbox answers at once, so poll fast here.
    let token = flow.wait_every(Duration::from_millis(50)).await?;
    println!("approved: scopes {:?}, expires in {} s", token.scopes, token.expires_in);

    // 3. A client acting as the user, its token refreshed before it expires.
    let app = auth::AppCredentials { client_id: CLIENT_ID.into(), client_secret: Secret::new(CLIENT_SECRET) };
    let tokens = auth::user_token_cache(oauth.clone(), app, token)?;
    let helix =
        helix::Client::builder().base_url(sandbox.helix_url()).client_id(CLIENT_ID).token_cache(tokens).build()?;

    // 4. Chat as the user in the featured broadcaster's channel.
    let body = helix::types::SendChatMessageBody::builder()
        .broadcaster_id(seed.broadcaster_id.as_str())
        .sender_id(viewer.as_str())
        .message("hello from streamkit");
    let sent = helix.send_chat_message().body(body).send().await?;
    let outcome = &sent.data[0];
    println!("message {} sent: {}", outcome.message_id, outcome.is_sent);
    Ok(())
}
