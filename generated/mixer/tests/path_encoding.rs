//! Path parameters are percent-encoded into the request URL built from the parsed base URL
//! (codegen's `parsed_base_url` pass): what reaches the sandbox, read from its request log.

mod common;

use common::{anonymous, sandbox, status};
use streamkit_sandbox::mixer::seed::FIRST_CHANNEL_ID;

/// `channel_id_or_token` values and the path segment the server must receive for each:
/// the characters that would end or split a segment, `%` itself, spaces, unicode and a
/// backslash (which `http` URLs would otherwise read as `/`).
const CASES: &[(&str, &str)] = &[
    ("a/b", "a%2Fb"),
    ("a?b=c", "a%3Fb=c"),
    ("a#b", "a%23b"),
    ("100%", "100%25"),
    ("%2F", "%252F"),
    ("a b", "a%20b"),
    ("ünï çødé", "%C3%BCn%C3%AF%20%C3%A7%C3%B8d%C3%A9"),
    ("a\\b", "a%5Cb"),
    ("...", "..."),
];

#[tokio::test]
async fn path_parameters_reach_the_server_percent_encoded() {
    let sb = sandbox().await;
    let c = anonymous(&sb);
    let prefix = reqwest::Url::parse(&sb.mixer().api_url()).unwrap().path().to_string();
    for (param, segment) in CASES {
        sb.server().clear_requests();
        let err = c.get_channel().channel_id_or_token(*param).send().await.unwrap_err();
        assert_eq!(status(&err), 404, "{param:?}: no such channel");
        let sent = sb.server().requests();
        assert_eq!(sent.len(), 1, "{param:?}");
        assert_eq!(sent[0].path, format!("{prefix}/v1/channels/{segment}"), "{param:?}");
        assert_eq!(sent[0].query, None, "{param:?}: nothing spilled into the query");
    }
    // A plain id still finds its channel through the same URL building.
    let found = c.get_channel().channel_id_or_token((FIRST_CHANNEL_ID + 3).to_string()).send().await.unwrap();
    assert_eq!(found.id, FIRST_CHANNEL_ID + 3);
}

#[tokio::test]
async fn a_dot_segment_parameter_is_refused_before_sending() {
    let sb = sandbox().await;
    let c = anonymous(&sb);
    sb.server().clear_requests();
    for param in [".", ".."] {
        let err = c.get_channel().channel_id_or_token(param).send().await.unwrap_err();
        assert!(matches!(err, streamkit_mixer::Error::InvalidRequest { .. }), "{param:?}: {err:?}");
        let text = err.to_string();
        assert!(text.contains("get_channel") && text.contains(&format!("`{param}`")), "{text}");
    }
    assert!(sb.server().requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn a_base_url_that_does_not_parse_fails_each_call_with_a_config_error() {
    // progenitor's constructor cannot fail; the call says what was wrong instead of panicking.
    let c = streamkit_mixer::rest::Client::new("not a url", anonymous(&sandbox().await).runtime().clone());
    let err = c.get_channel().channel_id_or_token("user1").send().await.unwrap_err();
    assert!(matches!(err, streamkit_mixer::Error::Config(_)), "{err:?}");
    assert!(err.to_string().contains("`not a url` is not a valid URL"), "{err}");
}
