//! Error handling: every call returns `streamkit_twitch::Error`, one type whatever went
//! wrong, and `?` works in any function that returns it. This example meets each kind the
//! sandbox can produce and shows what to read from it.
//!
//! Run: `cargo run -p streamkit-examples --bin error-handling`

use streamkit_sandbox::{CLIENT_ID, Fault, FaultKind, Sandbox, SandboxConfig};
use streamkit_twitch::{Error, RetryPolicy, helix};

/// What an app typically does with an error: tell the user, retry later, or give up.
fn explain(e: &Error) -> String {
    match e {
        // Refused before anything was sent: a bug in the caller's values.
        Error::InvalidRequest { message, .. } => format!("fix the request: {message}"),
        // The server answered with an error status: read its status, message and body.
        Error::Api(api) => {
            let body: Option<helix::types::HelixErrorBody> = api.body_as();
            let reason = body.map(|b| b.error).unwrap_or_default();
            let retry = if e.is_retryable() { "retry later" } else { "do not retry" };
            format!(
                "{} {reason}: {} ({retry}, after {} attempt(s))",
                api.status.as_u16(),
                api.message().unwrap_or("-"),
                api.attempts
            )
        }
        Error::Auth { message, .. } => format!("credentials: {message}"),
        Error::Config(message) => format!("configuration: {message}"),
        Error::Communication { .. } => format!("network: {e} (retryable: {})", e.is_retryable()),
        Error::Decode { .. } | Error::Drift { .. } => format!("the response did not match the spec: {e}"),
        // `Error` is `#[non_exhaustive]`: new kinds may come.
        _ => e.to_string(),
    }
}

/// `?` converts every call's error, and a constrained type's conversion error, into `Error`.
async fn rename_channel(helix: &helix::Client, broadcaster_id: &str, title: &str) -> Result<(), Error> {
    let title = helix::types::ModifyChannelInformationBodyTitle::try_from(title)?;
    helix
        .modify_channel_information()
        .broadcaster_id(broadcaster_id)
        .body(helix::types::ModifyChannelInformationBody::builder().title(title))
        .send()
        .await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start(SandboxConfig::default()).await?;
    let seed = sandbox.seed();
    let app = helix::Client::builder()
        .base_url(sandbox.helix_url())
        .client_id(CLIENT_ID)
        .access_token(sandbox.mint_app_token())
        // One attempt: show the 503 as the caller would see it once retries are spent.
        .retry_policy(RetryPolicy::none())
        .build()?;

    // 1. Bounds from the spec, checked before sending (`first` is 1 to 100).
    let e = app.get_streams().first(101).send().await.unwrap_err();
    println!("first(101):         {}", explain(&e));
    // 2. A required parameter left unset.
    let e = app
        .modify_channel_information()
        .body(helix::types::ModifyChannelInformationBody::builder().title("x"))
        .send()
        .await
        .unwrap_err();
    println!("no broadcaster_id:  {}", explain(&e));
    // 3. A server error: an app token cannot change a channel.
    let e = rename_channel(&app, &seed.broadcaster_id, "New title").await.unwrap_err();
    println!("app token:          {}", explain(&e));
    // 4. A conversion error through `?`: the title must not be empty.
    let e = rename_channel(&app, &seed.broadcaster_id, "").await.unwrap_err();
    println!("empty title:        {}", explain(&e));
    // 5. A retryable server error.
    sandbox.inject(Fault::any(FaultKind::ServiceUnavailable).times(1));
    let e = app.get_users().id([seed.broadcaster_id.as_str()]).send().await.unwrap_err();
    println!("503:                {}", explain(&e));
    // 6. A configuration error, before any request.
    let e = helix::Client::builder().base_url("not a url").build().unwrap_err();
    println!("bad base URL:       {}", explain(&e));
    // And the success path with the broadcaster's own token.
    let owner = app.with_access_token(sandbox.mint_user_token(&seed.broadcaster_id, &["channel:manage:broadcast"]));
    rename_channel(&owner, &seed.broadcaster_id, "Renamed by the example").await?;
    println!("renamed the channel with the broadcaster's token");
    Ok(())
}
