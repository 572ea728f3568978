//! Decoding payloads written from the documented facts (shared/reference/api-facts.md
//! section A): the token and shortcode examples, the chat endpoint answer, a channel with
//! the fields that are `null` in real payloads, and values the spec does not know.

// The channel payload is one large `json!` literal.
#![recursion_limit = "256"]

use serde_json::json;
use streamkit_mixer::rest::types;

#[test]
fn token_response_with_the_documented_lifetime() {
    let t: types::TokenResponse = serde_json::from_value(json!({
        "access_token": "pCpS2vkx", "token_type": "Bearer", "expires_in": 21599, "refresh_token": "4O5xr3hb"
    }))
    .unwrap();
    assert_eq!((t.token_type.as_str(), t.expires_in), ("Bearer", 21599));
    assert_eq!(t.access_token.expose(), "pCpS2vkx");
    // Secrets stay out of logs.
    assert!(!format!("{t:?}").contains("pCpS2vkx"));
}

#[test]
fn shortcode_and_its_approval() {
    let s: types::Shortcode =
        serde_json::from_value(json!({"code": "8WPVHT", "expires_in": 120, "handle": "a1b2c3"})).unwrap();
    assert_eq!((s.code.as_str(), s.expires_in, s.handle.as_str()), ("8WPVHT", 120, "a1b2c3"));
    let a: types::ShortcodeApproval = serde_json::from_value(json!({"code": "abc123"})).unwrap();
    assert_eq!(a.code.expose(), "abc123");
}

#[test]
fn chat_answer_with_and_without_authkey() {
    let authed: types::ChannelChat = serde_json::from_value(json!({
        "authkey": "k", "endpoints": ["wss://chat.mixer.com:443", "wss://chat1-dal.mixer.com:443"],
        "permissions": ["chat", "connect"], "roles": ["User", "Owner"], "isLoadShed": false
    }))
    .unwrap();
    // B.1's examples: the current endpoint and an older regional one.
    assert_eq!(authed.endpoints, ["wss://chat.mixer.com:443", "wss://chat1-dal.mixer.com:443"]);
    assert_eq!(authed.roles, vec![types::Role::User, types::Role::Owner]);
    let anon: types::ChannelChat =
        serde_json::from_value(json!({"endpoints": ["wss://chat.mixer.com:443"], "permissions": []})).unwrap();
    assert!(anon.authkey.is_none() && anon.roles.is_empty());
}

#[test]
fn chat_user_and_broadcast() {
    let u: types::ChatUser =
        serde_json::from_value(json!({"userId": 314, "username": "mixer", "userRoles": ["Mod", "User"]})).unwrap();
    assert_eq!((u.user_id, u.user_roles.len()), (314, 2));
    let b: types::Broadcast = serde_json::from_value(json!({
        "id": "8d5b8f5c-0b0b-4b2a-9a77-3c2f5b0b1e5a", "channelId": 160788, "online": true,
        "isTestStream": false, "startedAt": "2016-06-28T04:25:45.110Z"
    }))
    .unwrap();
    assert_eq!(b.started_at.unwrap().timestamp_subsec_millis(), 110);
}

#[test]
fn channel_with_nulls_negative_feature_level_and_18_plus() {
    let c: types::ExpandedChannel = serde_json::from_value(json!({
        "id": 160788, "userId": 229630, "token": "mixer", "online": false, "featured": false,
        "featureLevel": -1, "partnered": true, "transcodingProfileId": null, "suspended": false,
        "name": "Title", "audience": "18+", "viewersTotal": 5, "viewersCurrent": 0, "numFollowers": 9,
        "description": null, "typeId": null, "interactive": false, "interactiveGameId": null,
        "ftl": 0, "hasVod": false, "languageId": null, "coverId": null, "thumbnailId": null,
        "badgeId": null, "bannerUrl": null, "hosteeId": null, "hasTranscodes": true,
        "vodsEnabled": true, "costreamId": null, "createdAt": "2016-06-28T04:25:45.110Z",
        "updatedAt": "2020-01-15T10:00:00.000Z", "deletedAt": null,
        "type": null, "thumbnail": null, "cover": null, "badge": null, "cache": [],
        "preferences": {"channel:slowchat": 500, "hosting:allow": true, "channel:new:thing": 1},
        "user": {"id": 229630, "username": "mixer", "groups": [{"id": 1, "name": "User"}]}
    }))
    .unwrap();
    assert_eq!((c.feature_level, c.audience.clone()), (Some(-1), Some(types::Audience::Adult)));
    assert!(c.type_.is_none() && c.type_id.is_none() && c.hostee_id.is_none());
    assert_eq!(c.preferences.as_ref().and_then(|p| p.channel_slowchat), Some(500.0));
}

#[test]
fn a_role_the_spec_does_not_know_is_kept() {
    let u: types::ChatUser =
        serde_json::from_value(json!({"userId": 1, "username": "x", "userRoles": ["Ambassador"]})).unwrap();
    assert_eq!(u.user_roles, vec![types::Role::Unknown("Ambassador".into())]);
    // A field it does not know is kept too.
    let t: types::Team =
        serde_json::from_value(json!({"id": 1, "token": "t", "name": "T", "owner": {"id": 2}})).unwrap();
    assert_eq!(t.extra.get("owner"), Some(&json!({"id": 2})));
}

#[test]
fn a_validation_error_body() {
    let e: types::MixerErrorBody = serde_json::from_value(json!({
        "name": "ValidationError", "isJoi": true,
        "details": [{"path": ["query"], "type": "string.min", "context": {"limit": 3}, "message": "\"query\" length must be at least 3"}]
    }))
    .unwrap();
    assert_eq!(e.name.as_deref(), Some("ValidationError"));
    assert_eq!(e.details[0].type_.as_deref(), Some("string.min"));
}
