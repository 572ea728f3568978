//! The shortcode flow and refresh through the token cache, against the sandbox.

mod common;

use std::time::Duration;

use common::{anonymous, sandbox};
use streamkit_mixer::auth::{self, AppCredentials, ShortcodeFlow};
use streamkit_mixer::{Error, rest};
use streamkit_sandbox::mixer::seed::FIRST_USER_ID;
use streamkit_sandbox::{CLIENT_ID, CLIENT_SECRET};

fn app() -> AppCredentials {
    AppCredentials { client_id: CLIENT_ID.into(), client_secret: Some(CLIENT_SECRET.into()) }
}

#[tokio::test(start_paused = true)]
async fn shortcode_approved_while_polling_gives_tokens_the_cache_refreshes() {
    let sb = sandbox().await;
    let api = anonymous(&sb);
    let flow = ShortcodeFlow::start(api.clone(), &app(), &["chat:connect"]).await.unwrap();
    assert_eq!(flow.code().len(), 6);
    assert!(flow.poll().await.unwrap().is_none(), "pending");
    let code = flow.code().to_owned();
    let m = sb.mixer().clone();
    // The user approves while the app waits.
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert!(m.approve_shortcode(&code, 40));
    });
    let token = flow.wait_every(Duration::from_secs(2)).await.unwrap();

    let cache = auth::user_token_cache(api.clone(), app(), token.clone()).unwrap();
    let me = rest::Client::builder()
        .base_url(sb.mixer().api_url())
        .client_id(CLIENT_ID)
        .token_cache(cache.clone())
        .strict(true)
        .build()
        .unwrap();
    assert_eq!(me.get_current_user().send().await.unwrap().id, FIRST_USER_ID + 40);

    // A refresh (as after a 401) swaps in a new token that works as well.
    let fresh = cache.refresh_after_rejection(&token.access_token).await.unwrap();
    assert_ne!(fresh.expose(), token.access_token.expose());
    assert_eq!(me.get_current_user().send().await.unwrap().id, FIRST_USER_ID + 40);
}

#[tokio::test]
async fn a_denied_or_expired_shortcode_is_an_auth_error() {
    let sb = sandbox().await;
    let api = anonymous(&sb);
    let flow = ShortcodeFlow::start(api.clone(), &app(), &["chat:connect"]).await.unwrap();
    assert!(sb.mixer().deny_shortcode(flow.code()));
    let e = flow.poll().await.unwrap_err();
    assert!(matches!(&e, Error::Auth { message, .. } if message.contains("denied")), "{e}");
}

#[tokio::test(start_paused = true)]
async fn an_unanswered_shortcode_expires() {
    let sandbox = streamkit_sandbox::Sandbox::builder()
        .clock(std::sync::Arc::new(streamkit_sandbox::TokioClock::starting_at(
            std::time::UNIX_EPOCH + Duration::from_secs(1_800_000_000),
        )))
        .service(streamkit_sandbox::Mixer::new())
        .start()
        .await
        .unwrap();
    let api = anonymous(&sandbox);
    let flow = ShortcodeFlow::start(api, &app(), &["chat:connect"]).await.unwrap();
    let e = flow.wait_every(Duration::from_secs(10)).await.unwrap_err();
    assert!(matches!(&e, Error::Auth { message, .. } if message.contains("expired")), "{e}");
}

#[tokio::test]
async fn a_browser_code_is_exchanged_for_tokens() {
    let sb = sandbox().await;
    let api = anonymous(&sb);
    let code = sb.mixer().mint_code(3, &[]);
    let token = auth::exchange_code(&api, &app(), code.into(), Some("http://localhost/cb")).await.unwrap();
    assert!(token.refresh_token.is_some());
    assert_eq!(
        api.with_access_token(token.access_token).get_current_user().send().await.unwrap().id,
        FIRST_USER_ID + 3
    );
}
