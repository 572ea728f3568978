//! Authentication against the sandbox: minted backend tokens in production mode, bad
//! signatures, expired, malformed and missing JWTs, unsigned tokens in sandbox mode, the
//! `authtoken` flow, the PIN flow.

mod common;

use common::*;
use std::time::Duration;
use streamkit_medkit::auth::{self, CheckedJwt, ExtensionJwt, ExtensionSecret, REMINT_MARGIN, Role};
use streamkit_medkit::medkit::{self, types};
use streamkit_medkit::{Environment, EnvironmentExt};
use streamkit_sandbox::{AuthMode, MEDKIT_EXTENSION_ID, MEDKIT_SECRET, MedkitRole};

fn minted_client(sb: &streamkit_sandbox::Sandbox, secret: &str, role: Role) -> medkit::Client {
    medkit::Client::builder()
        .environment(Environment::Custom(sb.medkit_url()))
        .client_id(MEDKIT_EXTENSION_ID)
        .jwt_minter(
            ExtensionJwt::new(ExtensionSecret::raw(secret), role)
                .channel_id(CHANNEL)
                .lifetime(Duration::from_secs(600)),
            REMINT_MARGIN,
        )
        .strict(true)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_backend_token_minted_with_the_secret_works_in_production_mode_and_a_bad_signature_is_401() {
    let sb = sandbox().await;
    sb.medkit().set_mode(AuthMode::Production);
    let ok = minted_client(&sb, MEDKIT_SECRET, Role::Backend);
    ok.set_extension_state().body(obj(serde_json::json!({"a": 1}))).send().await.unwrap();
    // The sandbox answers 401 to anything but `<client id> <jwt>`.
    assert!(sb.requests().last().is_some_and(|r| r.has_authorization && r.status == Some(200)));
    let bad = minted_client(&sb, "wrong-secret", Role::Backend);
    assert_eq!(status(bad.get_extension_state().send().await), 401);
    // The same token passes in sandbox mode (signatures are not checked there).
    sb.medkit().set_mode(AuthMode::Sandbox);
    bad.get_extension_state().send().await.unwrap();
}

#[tokio::test]
async fn unsigned_development_tokens_pass_only_in_sandbox_mode() {
    let sb = sandbox().await;
    let jwt = sb.medkit().mint_unsigned(MedkitRole::Viewer, Some(CHANNEL), Some(VIEWER));
    let c = client_with_jwt(&sb, &jwt);
    c.get_user_info().send().await.unwrap();
    sb.medkit().set_mode(AuthMode::Production);
    assert_eq!(status(c.get_user_info().send().await), 401);
}

#[tokio::test]
async fn missing_expired_and_malformed_jwts_are_401() {
    let sb = sandbox().await;
    let expired = sb.medkit().mint_expired(MedkitRole::Viewer, Some(CHANNEL), Some(VIEWER));
    assert_eq!(status(client_with_jwt(&sb, &expired).get_user_info().send().await), 401);
    assert_eq!(status(client_with_jwt(&sb, "not-a-jwt").get_user_info().send().await), 401);
    let no_jwt = reqwest::Client::new().get(format!("{}/user_info", sb.medkit_url())).send().await.unwrap();
    assert_eq!(no_jwt.status().as_u16(), 401);
    // Locally: an expired token is refused before anything is sent.
    let e = CheckedJwt::new(expired).unwrap_err().to_string();
    assert!(e.contains("expired"), "{e}");
}

#[tokio::test]
async fn the_authtoken_flow_is_one_call_and_its_token_works() {
    let sb = sandbox().await;
    let anon = medkit::Client::builder().base_url(sb.medkit_url()).strict(true).build().unwrap();
    let jwt = auth::sandbox_token(&anon, MEDKIT_EXTENSION_ID, CHANNEL, Role::Broadcaster, BROADCASTER).await.unwrap();
    assert_eq!(jwt.claims().role, Role::Broadcaster);
    assert_eq!(jwt.claims().channel_id.as_deref(), Some(CHANNEL));
    let c = medkit::Client::builder()
        .base_url(sb.medkit_url())
        .client_id(MEDKIT_EXTENSION_ID)
        .identity(streamkit_runtime::identity::JWT, std::sync::Arc::new(jwt))
        .strict(true)
        .build()
        .unwrap();
    c.set_channel_state().body(obj(serde_json::json!({"ok": true}))).send().await.unwrap();
    // Several users at once.
    let many = anon
        .request_auth_token()
        .body(
            types::AuthTokenRequest::builder()
                .app_id(MEDKIT_EXTENSION_ID.to_string())
                .channel_id(CHANNEL)
                .role(types::Role::Viewer)
                .user_id(VIEWER)
                .user_ids(vec![VIEWER.to_string(), OTHER_VIEWER.to_string()]),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(many.tokens.len(), 2);
    assert_eq!(auth::decode_claims(many.tokens[1].expose()).unwrap().user_id.as_deref(), Some(OTHER_VIEWER));
    // Production has no authtoken.
    sb.medkit().set_mode(AuthMode::Production);
    assert_eq!(status(auth::sandbox_token(&anon, MEDKIT_EXTENSION_ID, CHANNEL, Role::Viewer, VIEWER).await), 404);
    assert!(sb.contract_violations().is_empty(), "{:?}", sb.contract_violations());
}

#[tokio::test]
async fn the_pin_flow_activates_a_token_once_validated() {
    let sb = sandbox().await;
    let anon = medkit::Client::builder().base_url(sb.medkit_url()).strict(true).build().unwrap();
    let pin = anon
        .create_pin()
        .body(types::PinRequest::builder().identifier(MEDKIT_EXTENSION_ID))
        .send()
        .await
        .unwrap()
        .into_inner();
    let pending = client_with_jwt(&sb, pin.token.expose());
    assert_eq!(status(pending.get_user_info().send().await), 401, "inactive until validated");
    let b = broadcaster(&sb);
    assert_eq!(b.get_pin_token_exists().send().await.unwrap().into_inner()["exists"], false);
    assert_eq!(
        status(b.validate_pin().body(types::ValidatePinRequest::builder().pin("nope")).send().await),
        404,
        "no such PIN"
    );
    b.validate_pin().body(types::ValidatePinRequest::builder().pin(pin.pin.clone())).send().await.unwrap();
    pending.get_user_info().send().await.unwrap();
    assert_eq!(b.get_pin_token_exists().send().await.unwrap().into_inner()["exists"], true);
    assert_eq!(status(viewer(&sb).revoke_all_pins().send().await), 403);
    b.revoke_all_pins().send().await.unwrap();
    assert_eq!(status(pending.get_user_info().send().await), 401);
    assert!(sb.contract_violations().is_empty(), "{:?}", sb.contract_violations());
}

#[test]
fn environments_pick_the_documented_base_urls() {
    assert_eq!(Environment::Production.base_url(), "https://api.muxy.io/v1/e");
    assert_eq!(Environment::Sandbox.base_url(), "https://sandbox.api.muxy.io/v1/e");
}
