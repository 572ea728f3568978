//! Decoding the documented example payloads (written from the public reference, not from our
//! sandbox) into the generated types, strictly: no unknown enum value, no undocumented field.

use std::path::Path;

use streamkit_runtime::drift::{Drift, drift_paths};
use streamkit_twitch::{helix, oauth};

fn decode<T: serde::de::DeserializeOwned + Drift>(dir: &str, file: &str) -> T {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(dir).join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let value: T = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file} does not decode: {e}"));
    let drift = drift_paths(&value);
    assert!(drift.is_empty(), "{file}: values the spec does not know: {drift:?}");
    value
}

macro_rules! fixtures {
    ($dir:literal, $($file:literal => $ty:ty),* $(,)?) => {{
        let mut n = 0;
        $( let _: $ty = decode($dir, $file); n += 1; )*
        n
    }};
}

#[test]
fn every_documented_helix_example_decodes_strictly() {
    use helix::types::*;
    let n = fixtures!("helix",
        "getUsers.json" => GetUsersResponse,
        "getStreams.json" => GetStreamsResponse,
        "getStreams.2.json" => GetStreamsResponse,
        "getVideos.json" => GetVideosResponse,
        "getChannelInformation.json" => GetChannelInformationResponse,
        "getChannelFollowers.json" => GetChannelFollowersResponse,
        "getChannelFollowers.2.json" => GetChannelFollowersResponse,
        "getFollowedChannels.json" => GetFollowedChannelsResponse,
        "getFollowedChannels.2.json" => GetFollowedChannelsResponse,
        "searchChannels.json" => SearchChannelsResponse,
        "searchChannels.2.json" => SearchChannelsResponse,
        "getEventsubSubscriptions.json" => GetEventsubSubscriptionsResponse,
        "createEventsubSubscription.json" => CreateEventsubSubscriptionResponse,
        "createEventsubSubscription.2.json" => CreateEventsubSubscriptionResponse,
        "createEventsubSubscription.3.json" => CreateEventsubSubscriptionResponse,
        "getExtensionLiveChannels.json" => GetExtensionLiveChannelsResponse,
        "getClips.json" => GetClipsResponse,
        "getClips.2.json" => GetClipsResponse,
        "getGames.json" => GetGamesResponse,
        "getTopGames.json" => GetTopGamesResponse,
        "sendChatMessage.json" => SendChatMessageResponse,
        "getChatters.json" => GetChattersResponse,
    );
    let on_disk =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/helix")).unwrap().count();
    assert_eq!(n, on_disk, "every fixture file is listed here");
}

#[test]
fn every_documented_oauth_example_decodes_strictly() {
    use oauth::types::*;
    fixtures!("oauth",
        "requestToken.json" => TokenResponse,
        "requestToken.2.json" => TokenResponse,
        "requestToken.3.json" => TokenResponse,
        "requestToken.4.json" => TokenResponse,
        "startDeviceAuthorization.json" => DeviceAuthorization,
        "validateToken.json" => TokenValidation,
        "validateToken.2.json" => TokenValidation,
    );
}

#[test]
fn quirks_decode_as_documented() {
    use helix::types::*;
    // Offline channels carry `started_at: ""`.
    let s: SearchChannelsResponse = decode("helix", "searchChannels.json");
    assert!(s.data.iter().any(|c| !c.is_live && c.started_at.is_empty()));
    // 8 and 9 fractional digits.
    let e: GetEventsubSubscriptionsResponse = decode("helix", "getEventsubSubscriptions.json");
    assert!(e.data.iter().any(|s| s.created_at.timestamp_subsec_nanos() % 1000 != 0));
    // Extension live channels: a bare-string cursor.
    let x: GetExtensionLiveChannelsResponse = decode("helix", "getExtensionLiveChannels.json");
    let _: Option<&String> = x.pagination.as_ref();
}

#[test]
fn unknown_enum_values_and_extra_fields_are_kept_and_reported() {
    use helix::types::*;
    let mut v: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/helix/getUsers.json"))
            .unwrap(),
    )
    .unwrap();
    v["data"][0]["broadcaster_type"] = "superstar".into();
    v["data"][0]["brand_new_field"] = serde_json::json!({"x": 1});
    let users: GetUsersResponse = serde_json::from_value(v.clone()).expect("forward compatible decode");
    let user = &users.data[0];
    assert_eq!(user.extra.get("brand_new_field"), Some(&serde_json::json!({"x": 1})));
    assert_eq!(user.broadcaster_type.to_string(), "superstar");
    // Nothing is lost: encoding gives back what came in.
    assert_eq!(serde_json::to_value(&users).unwrap()["data"][0], v["data"][0]);
    let drift = drift_paths(&users);
    assert_eq!(drift.len(), 2, "{drift:?}");
    assert!(drift.iter().any(|d| d.contains("data[0].broadcaster_type") && d.contains("superstar")), "{drift:?}");
    assert!(drift.iter().any(|d| d.contains("data[0].brand_new_field")), "{drift:?}");
}
