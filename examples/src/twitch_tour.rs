//! A tour of the Twitch client against the embedded sandbox: app token from client
//! credentials, a few Helix reads, a write that shows up in a later read, an EventSub
//! subscription's life, and the rate-limit figures the server reported.
//!
//! Run: `cargo run -p streamkit-examples --bin twitch-tour`

use streamkit_sandbox::{CLIENT_ID, CLIENT_SECRET, Sandbox, SandboxConfig};
use streamkit_twitch::Secret;
use streamkit_twitch::helix::types;
use streamkit_twitch::{auth, helix, oauth};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start(SandboxConfig::default()).await?;
    println!("sandbox listening on {}", sandbox.url());
    let seed = sandbox.seed();

    // An app token from the client-credentials grant, fetched on first use and refreshed
    // before it expires.
    let oauth = oauth::Client::builder().base_url(sandbox.oauth_url()).build()?;
    let app = auth::AppCredentials { client_id: CLIENT_ID.into(), client_secret: Secret::new(CLIENT_SECRET) };
    let tokens = auth::app_token_cache(oauth.clone(), app);
    let helix = helix::Client::builder()
        .base_url(sandbox.helix_url())
        .client_id(CLIENT_ID)
        .token_cache(tokens.clone())
        .build()?;
    let validation = auth::validate(&oauth, &tokens.token().await?).await?;
    println!("app token valid for {} s (client {})", validation.expires_in, validation.client_id);

    let top = helix.get_top_games().first(5).send().await?;
    println!("\ntop games:");
    for g in &top.data {
        println!("  {:<10} {}", g.id, g.name);
    }

    let streams = helix.get_streams().first(5).send().await?;
    println!("\nmost watched live streams:");
    for s in &streams.data {
        println!("  {:>7} viewers  {:<20} {}", s.viewer_count, s.user_name, s.title);
    }

    // A paginated walk: every live stream, 100 per page, the next page fetched while this
    // one is consumed.
    use streamkit_twitch::pagination::TryStreamExt;
    let mut pages = 0;
    let mut viewers: i64 = 0;
    let mut walk = helix.get_streams().first(100).pages();
    while let Some(page) = walk.try_next().await? {
        pages += 1;
        viewers += page.items.iter().map(|s| s.viewer_count).sum::<i64>();
    }
    println!("\nwalked {pages} pages of live streams: {viewers} viewers in all");

    let users = helix.get_users().login([&seed.broadcaster_login]).send().await?;
    let me = &users.data[0];
    println!(
        "\nuser {} ({}), broadcaster type {:?}, since {}",
        me.display_name,
        me.id,
        me.broadcaster_type.to_string(),
        me.created_at.date_naive()
    );

    // A write as the broadcaster, visible in the next read.
    let owner = helix.with_access_token(sandbox.mint_user_token(&me.id, &["channel:manage:broadcast"]));
    owner
        .modify_channel_information()
        .broadcaster_id(&me.id)
        .body(types::ModifyChannelInformationBody::builder().title("Tour of streamkit"))
        .send()
        .await?;
    let channel = helix.get_channel_information().broadcaster_id([&me.id]).send().await?;
    println!("channel title is now {:?}", channel.data[0].title);

    // EventSub: create, list with totals, delete.
    let condition: types::EventSubCondition =
        serde_json::from_value(serde_json::json!({ "broadcaster_user_id": me.id }))?;
    let body = types::CreateEventsubSubscriptionBody::builder()
        .type_("stream.online")
        .version("1")
        .condition(condition)
        .transport(
            types::EventSubTransportRequest::builder()
                .method(types::EventSubTransportMethod::Webhook)
                .callback("https://example.com/eventsub")
                .secret(Secret::new("a-webhook-secret-of-20")),
        );
    let created = helix.create_eventsub_subscription().body(body.clone()).send().await?;
    let sub = &created.data[0];
    println!("\nsubscribed to {} ({}), status {}", sub.type_, sub.id, sub.status);
    match helix.create_eventsub_subscription().body(body).send().await {
        Err(e) => println!("subscribing twice: {e}"),
        Ok(_) => println!("subscribing twice unexpectedly worked"),
    }
    let list = helix.get_eventsub_subscriptions().send().await?;
    println!("subscriptions: {} (cost {} of {})", list.total, list.total_cost, list.max_total_cost);
    helix.delete_eventsub_subscription().id(&sub.id).send().await?;

    if let Some(rl) = helix.runtime().last_rate_limit() {
        println!(
            "\nrate limit observed: {} of {} points left, full again at epoch {}",
            rl.remaining.unwrap_or_default(),
            rl.limit.unwrap_or_default(),
            rl.reset.unwrap_or_default()
        );
    }
    let stats = helix.runtime().stats();
    println!("requests sent: {}, retries: {}, 429s received: {}", stats.attempts, stats.retries, stats.rate_limited);
    Ok(())
}
