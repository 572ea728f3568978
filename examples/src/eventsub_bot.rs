//! A bot that logs its channel's follows and chat messages through EventSub over a websocket,
//! against the embedded sandbox: it connects, subscribes (Helix Create EventSub Subscription
//! with the session id), and prints what arrives, including across a `session_reconnect`
//! the server asks for halfway (no event lost, none twice, nothing re-subscribed).
//!
//! The sandbox plays the viewers: follows come from its EventSub test hook, chat messages are
//! real Send Chat Message calls whose `channel.chat.message` events the sandbox delivers.
//!
//! Run: `cargo run -p streamkit-examples --bin eventsub-bot`

use streamkit_sandbox::{CLIENT_ID, Sandbox, SandboxConfig};
use streamkit_twitch::eventsub::Subscription;
use streamkit_twitch::eventsub::websocket::{EventSubClient, EventSubEvent, Notification};
use streamkit_twitch::eventsub_messages::EventsubEvent;
use streamkit_twitch::helix::{self, types};

/// Follows and chat messages the demo produces.
const EXPECTED: usize = 4;

/// Events arrive typed by their subscription type and version (generated from
/// `specs/twitch/eventsub.yaml`); a type the spec does not know comes as JSON.
fn log(n: &Notification) {
    match &n.event {
        EventsubEvent::ChannelFollowV2(f) => println!("follow: {} followed {}", f.user_name, f.broadcaster_user_name),
        EventsubEvent::ChannelChatMessageV1(m) => println!("chat:   {}: {}", m.chatter_user_name, m.message.text),
        EventsubEvent::Unknown { subscription_type, event, .. } => println!("{subscription_type}: {event}"),
        other => println!("{} v{}", other.subscription_type(), other.version()),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start(SandboxConfig::default()).await?;
    let seed = sandbox.seed();
    let me = seed.broadcaster_id.clone();
    let helix = helix::Client::builder()
        .base_url(sandbox.helix_url())
        .client_id(CLIENT_ID)
        .access_token(sandbox.mint_user_token(&me, &["moderator:read:followers", "user:read:chat", "user:write:chat"]))
        .build()?;
    let eventsub = sandbox.twitch().eventsub();

    let mut bot = EventSubClient::builder(helix.clone())
        .url(eventsub.websocket_url())
        .subscribe(Subscription::channel_follow_v2(&me, &me))
        .subscribe(Subscription::channel_chat_message_v1(&me, &me))
        .connect()
        .await?;
    let session = bot.session_id().unwrap_or_default();
    let cost = bot.cost().unwrap_or_default();
    println!(
        "connected: session {session}, {} subscriptions (cost {} of {})",
        bot.active_subscriptions().len(),
        cost.total_cost,
        cost.max_total_cost
    );

    // Viewers: a follow and a chat message, then Twitch moves the session, then one more of each.
    let follow = |n: u32| {
        serde_json::json!({
            "user_id": format!("{}", 80_000 + n), "user_login": format!("viewer{n}"), "user_name": format!("Viewer{n}"),
            "broadcaster_user_id": me, "broadcaster_user_login": seed.broadcaster_login, "broadcaster_user_name": seed.broadcaster_login,
            "followed_at": "2024-05-01T12:00:00.123456789Z",
        })
    };
    let chat = |text: &'static str| {
        helix
            .send_chat_message()
            .body(types::SendChatMessageBody::builder().broadcaster_id(&me).sender_id(&me).message(text))
            .send()
    };
    eventsub.trigger("channel.follow", follow(1));
    chat("hello chat").await?;
    eventsub.send_reconnect(&session).ok_or("no session to move")?;
    eventsub.trigger("channel.follow", follow(2));
    chat("still here after the move").await?;

    let mut seen = Vec::new();
    while seen.len() < EXPECTED {
        match bot.next().await.ok_or("the bot stopped")? {
            EventSubEvent::Notification(n) => {
                log(&n);
                seen.push(n.message_id);
            }
            EventSubEvent::Moved => println!("moved to the reconnect URL (subscriptions carried over)"),
            EventSubEvent::Invalid(e) => println!("unreadable message: {e}"),
            EventSubEvent::Ended(e) => return Err(e.into()),
            _ => {}
        }
    }
    seen.sort();
    seen.dedup();
    println!(
        "{} distinct events; Create EventSub Subscription called {} times",
        seen.len(),
        bot.subscriptions_created()
    );
    bot.close().await;
    Ok(())
}
