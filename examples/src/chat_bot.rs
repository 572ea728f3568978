//! A Mixer chat bot: it answers `!uptime` in chat with a `msg`, and logs the channel's new
//! followers from Constellation. Against the embedded sandbox: a viewer asks `!uptime` in
//! chat, a fan follows the channel over REST, and the bot handles both.
//!
//! Run: `cargo run -p streamkit-examples --bin chat-bot`

use std::time::Instant;

use futures::StreamExt;
use streamkit_mixer::chat::{ChatClient, ChatOptions};
use streamkit_mixer::chat_messages::ChatEvent;
use streamkit_mixer::constellation::{ConstellationClient, ConstellationOptions};
use streamkit_mixer::constellation_messages::{ConstellationEvent, LiveEvent, LivePayload};
use streamkit_mixer::rest;
use streamkit_mixer::session::SessionEvent;
use streamkit_sandbox::mixer::seed::{FIRST_CHANNEL_ID, FIRST_USER_ID};
use streamkit_sandbox::{CLIENT_ID, Mixer, Sandbox};

/// The sandbox's channel of user index 0, whose bot account this is.
const CHANNEL: u64 = FIRST_CHANNEL_ID as u64;
const CHAT_SCOPES: &[&str] = &["chat:connect", "chat:chat"];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::builder().service(Mixer::new()).start().await?;
    let mixer = sandbox.mixer();
    let api = rest::Client::builder().base_url(mixer.api_url()).client_id(CLIENT_ID).build()?;
    let started = Instant::now();

    // The bot: chat as the channel's owner, Constellation with the same token.
    let bot_token = mixer.mint_token(0, CHAT_SCOPES);
    let options = ChatOptions::new(CLIENT_ID).as_user(FIRST_USER_ID as u64);
    let bot = ChatClient::connect(api.with_access_token(bot_token.clone()), CHANNEL, options).await?;
    bot.opt_out_events(["UserJoin", "UserLeave"]).await?;
    let mut chat_events = bot.events().expect("taken once");
    let live_options = ConstellationOptions::bearer(bot_token).url(mixer.realtime().constellation_url());
    let live = ConstellationClient::connect(live_options).await?;
    let mut live_events = live.events().expect("taken once");
    live.subscribe(&[LiveEvent::channel_followed(CHANNEL)]).await?;
    println!("bot: in chat and subscribed to {}", LiveEvent::channel_followed(CHANNEL));

    // The world: a viewer asks in chat, a fan follows over REST.
    let viewer_options = ChatOptions::new(CLIENT_ID).as_user(FIRST_USER_ID as u64 + 2);
    let viewer =
        ChatClient::connect(api.with_access_token(mixer.mint_token(2, CHAT_SCOPES)), CHANNEL, viewer_options).await?;
    let mut viewer_events = viewer.events().expect("taken once");
    viewer.msg("!uptime").await?;
    let fan = api.with_access_token(mixer.mint_token(3, &["channel:follow:self"]));
    let follow = rest::types::FollowRequest::builder().user(FIRST_USER_ID + 3);
    fan.follow_channel().channel_id(FIRST_CHANNEL_ID).body(follow).send().await?;

    // The bot's loop: one command answered and one follow logged, then the demo ends.
    let (mut answered, mut followers) = (0, 0);
    while answered == 0 || followers == 0 {
        tokio::select! {
            Some(item) = chat_events.next() => {
                if let SessionEvent::Event(ChatEvent::ChatMessage(m)) = item
                    && m.message.text().trim() == "!uptime"
                {
                    let reply = format!("@{} up for {} s", m.user_name, started.elapsed().as_secs());
                    bot.msg(reply).await?;
                    println!("bot: answered !uptime from {}", m.user_name);
                    answered += 1;
                }
            }
            Some(item) = live_events.next() => {
                if let SessionEvent::Event(ConstellationEvent::Live(LivePayload::ChannelFollowed { id, payload })) = item {
                    let verb = if payload.following { "followed" } else { "unfollowed" };
                    let who = payload.user.username.as_deref().unwrap_or("someone");
                    println!("bot: {who} {verb} channel {id}");
                    followers += 1;
                }
            }
            else => return Err("the bot's event streams ended".into()),
        }
    }

    // What the viewer saw.
    while let Some(item) = viewer_events.next().await {
        if let SessionEvent::Event(ChatEvent::ChatMessage(m)) = item
            && m.user_name == "user0"
        {
            println!("viewer: the bot said {:?}", m.message.text());
            break;
        }
    }
    viewer.close().await;
    live.close().await;
    bot.close().await;
    Ok(())
}
