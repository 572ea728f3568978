//! Property-based contract run: schemathesis generates requests from `specs/twitch/helix.yaml`
//! and `specs/twitch/oauth.yaml`, sends them to an in-process sandbox and checks every answer
//! against the specs. All of schemathesis' checks are on. The sandbox also checks every response
//! it sends (see `contract.rs`).
//!
//! * Needs schemathesis 4.x (tested with 4.32.5, the version `.ci/run` installs). Without it the
//!   test is skipped, or fails when the `CI` environment variable is set.
//! * `tests/schemathesis/hooks.py` adds the spec's prose rules to schemathesis' schema-valid
//!   cases, e.g. "exactly one of `id`, `user_id` and `game_id`", and draws ids from the seeded
//!   world. `tests/schemathesis/schemathesis.toml` holds the one per-operation setting. Both
//!   files explain each rule and exception.
//! * The test prints each command line and the environment it adds (`SCHEMATHESIS_HOOKS`,
//!   `STREAMKIT_SANDBOX_SEED`). Generation is deterministic, so the same code sends the same
//!   requests every time.

mod common;

use common::eventsub_ws::eventsub_session;
use common::schemathesis as st;
use common::{assert_helix_error, assert_oauth_error, start};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Instant;
use streamkit_sandbox::{CLIENT_ID, CLIENT_SECRET, Sandbox, SandboxConfig};

/// The share of 2xx answers a run must reach over all requests. Without it, fuzzing that
/// only ever bounced off validation would pass.
const MIN_2XX_SHARE: f64 = 0.5;

/// Every OAuth scope helix.yaml mentions: the `bearer` scopes of every security requirement,
/// plus the scopes named in prose (`user:read:email`, `channel:bot`, ...).
fn spec_scopes(text: &str) -> Vec<String> {
    fn walk(v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(map) => {
                for (key, value) in map {
                    if key == "security" {
                        for requirement in value.as_array().into_iter().flatten() {
                            let bearer = requirement.get("bearer").and_then(Value::as_array);
                            for scope in bearer.into_iter().flatten() {
                                out.extend(scope.as_str().map(str::to_owned));
                            }
                        }
                    }
                    walk(value, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|item| walk(item, out)),
            _ => {}
        }
    }
    let doc: Value = serde_norway::from_str(text).expect("helix.yaml parses");
    let mut scopes = BTreeSet::new();
    walk(&doc, &mut scopes);
    let looks_like_scope = |s: &str| {
        s.contains(':')
            && !s.starts_with(':')
            && !s.ends_with(':')
            && !s.contains("::")
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b':')
    };
    // The text between the 1st and 2nd backtick, the 3rd and 4th, and so on.
    for quoted in text.split('`').skip(1).step_by(2) {
        if looks_like_scope(quoted) {
            scopes.insert(quoted.to_owned());
        }
    }
    scopes.into_iter().collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn schemathesis_finds_no_contract_violation() {
    let Some(cli) = st::cli_or_skip() else { return };
    let sandbox = Sandbox::start(SandboxConfig {
        // The run sends a few thousand requests within seconds. Under Twitch's 800 points per
        // minute, most of them would get a (documented, correct) 429 and test nothing else.
        // Rate limiting has its own tests.
        ratelimit_points: 1_000_000,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts");
    let seed = sandbox.seed();
    let websocket_sessions = anchored_websocket_sessions(&sandbox, 3).await;
    let (helix_spec, oauth_spec) = (st::spec_path("twitch/helix.yaml"), st::spec_path("twitch/oauth.yaml"));
    let helix_text = std::fs::read_to_string(&helix_spec).expect("read helix.yaml");
    let oauth_text = std::fs::read_to_string(&oauth_spec).expect("read oauth.yaml");
    let scopes = spec_scopes(&helix_text);
    println!("token scopes: {}", scopes.join(" "));
    let scope_refs: Vec<&str> = scopes.iter().map(String::as_str).collect();
    let helix_token = sandbox.mint_user_token(&seed.broadcaster_id, &scope_refs);
    // A token of its own for `/oauth2/validate`, so that nothing in the OAuth run can touch
    // the Helix token.
    let validate_token = sandbox.mint_user_token(&seed.broadcaster_id, &scope_refs);

    let seed_json = json!({
        "broadcaster_id": seed.broadcaster_id,
        "user_ids": seed.user_ids,
        "user_logins": seed.user_logins,
        "moderator_id": seed.moderator_id,
        "follower_id": seed.follower_id,
        "offline_user_id": seed.offline_user_id,
        "offline_user_login": seed.offline_user_login,
        "game_id": seed.game_id,
        "game_name": seed.game_name,
        "game_without_igdb_id": seed.game_without_igdb_id,
        "live_extension_id": seed.live_extension_id,
        "idle_extension_id": seed.idle_extension_id,
        "clip_id": seed.clip_id,
        "video_id": seed.video_id,
        "highlight_video_id": seed.highlight_video_id,
        "search_query": seed.search_query,
        "websocket_sessions": websocket_sessions,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "oauth_url": sandbox.oauth_url(),
        // Tokens for the OAuth run's `POST /revoke` to revoke successfully.
        "revocable_tokens": (0..100).map(|_| sandbox.mint_app_token()).collect::<Vec<_>>(),
    });
    let envs = hooks_env(&seed_json);
    let work = st::work_dir("twitch");
    let helix_args = st::args(
        &helix_spec,
        &sandbox.helix_url(),
        &[format!("Authorization: Bearer {helix_token}"), format!("Client-Id: {CLIENT_ID}")],
    );
    let oauth_args = st::args(&oauth_spec, &sandbox.oauth_url(), &[format!("Authorization: OAuth {validate_token}")]);
    let secrets = vec![helix_token.clone(), validate_token.clone()];

    let started = Instant::now();
    let (helix, oauth, work) = tokio::task::spawn_blocking(move || {
        let helix = st::run("helix", &cli, &helix_args, &envs, &work, &secrets);
        let oauth = st::run("oauth", &cli, &oauth_args, &envs, &work, &secrets);
        (helix, oauth, work)
    })
    .await
    .expect("the schemathesis runs finish");
    println!("schemathesis took {:.0?}", started.elapsed());
    let _ = std::fs::remove_dir_all(&work);

    let log = sandbox.requests();
    let helix_ops = st::spec_operations(&helix_text);
    let oauth_ops = st::spec_operations(&oauth_text);
    let helix_table = st::tally(&log, "/helix", &helix_ops);
    let oauth_table = st::tally(&log, "/oauth2", &oauth_ops);
    let [h_all, h_ok, ..] = st::print_table("Helix requests, as the sandbox logged them", &helix_table);
    let [o_all, o_ok, ..] = st::print_table("OAuth requests, as the sandbox logged them", &oauth_table);
    let (all, ok) = (h_all + o_all, h_ok + o_ok);
    let share = ok as f64 / all.max(1) as f64;
    println!("\n2xx share over all {all} requests: {:.1}% (required: {:.0}%)", 100.0 * share, 100.0 * MIN_2XX_SHARE);

    st::assert_clean("helix.yaml", &helix, &sandbox, &helix_table, &helix_ops);
    st::assert_clean("oauth.yaml", &oauth, &sandbox, &oauth_table, &oauth_ops);
    st::assert_each_reached_2xx(&helix_table, &helix_ops);
    st::assert_each_reached_2xx(&oauth_table, &oauth_ops);
    assert_share(share);
}

/// Opens `n` EventSub websocket sessions for the run's websocket subscriptions (Create EventSub
/// Subscription takes only session ids the server issued and that are still connected). Each
/// gets one subscription at once, so the subscribe rule (4003 ten seconds after an unused
/// welcome) never closes it. That subscription belongs to another user than the run's token, so
/// the run can neither see nor delete it, and its socket is read in the background (keepalives)
/// until the sandbox stops.
async fn anchored_websocket_sessions(sandbox: &Sandbox, n: usize) -> Vec<String> {
    streamkit_runtime::tls::install_default_provider();
    let http = reqwest::Client::new();
    let owner = sandbox.seed().follower_id;
    let token = sandbox.mint_user_token(&owner, &[]);
    let mut ids = Vec::new();
    for _ in 0..n {
        let socket = eventsub_session(sandbox).await;
        let created = http
            .post(format!("{}/eventsub/subscriptions", sandbox.helix_url()))
            .bearer_auth(&token)
            .header("Client-Id", CLIENT_ID)
            .json(&json!({
                "type": "channel.update",
                "version": "2",
                "condition": {"broadcaster_user_id": owner},
                "transport": {"method": "websocket", "session_id": socket.id},
            }))
            .send()
            .await
            .expect("create the anchoring subscription");
        assert_eq!(created.status(), 202, "the anchoring subscription");
        ids.push(socket.id.clone());
        socket.drain();
    }
    ids
}

/// The environment a run adds for `hooks.py`, printed so that a run can be repeated by hand.
fn hooks_env(seed: &Value) -> Vec<(&'static str, String)> {
    let envs = vec![
        ("SCHEMATHESIS_HOOKS", st::here().join("hooks.py").display().to_string()),
        ("STREAMKIT_SANDBOX_SEED", seed.to_string()),
    ];
    let shown: Vec<String> = envs.iter().map(|(k, v)| format!("{k}='{v}'")).collect();
    println!("\nschemathesis runs with this environment added: {}", shown.join(" "));
    envs
}

fn assert_share(share: f64) {
    assert!(
        share >= MIN_2XX_SHARE,
        "only {:.1}% of the answers were 2xx (required: {:.0}%): the generated requests mostly bounce off validation",
        100.0 * share,
        100.0 * MIN_2XX_SHARE
    );
}

/// The sandbox bugs the contract run found, pinned down without schemathesis.
#[tokio::test]
async fn sandbox_fixes_from_the_contract_run() {
    let ctx = start().await;
    let seed = ctx.sb.seed();
    let me = seed.broadcaster_id.as_str();
    let app = ctx.sb.mint_app_token();

    // `maxItems: 100` counts every value, empty ones included.
    let logins: Vec<(&str, &str)> = vec![("login", ""); 101];
    assert_helix_error(&ctx.get("/users", &app, &logins).await, 400);
    let ids: Vec<(&str, &str)> = vec![("id", ""); 101];
    assert_helix_error(&ctx.get("/games", &app, &ids).await, 400);
    // An empty enum, boolean or integer value is malformed, not absent.
    assert_helix_error(&ctx.get("/streams", &app, &[("type", "")]).await, 400);
    assert_helix_error(&ctx.get("/streams", &app, &[("first", "")]).await, 400);
    let search = [("query", seed.search_query.as_str()), ("live_only", "")];
    assert_helix_error(&ctx.get("/search/channels", &app, &search).await, 400);
    // Get Clips: the 101 empty `id` values count beside another filter too, and an empty
    // `started_at` is a malformed timestamp, not a missing one.
    let mut clips = vec![("game_id", seed.game_id.as_str())];
    clips.extend(vec![("id", ""); 101]);
    assert_helix_error(&ctx.get("/clips", &app, &clips).await, 400);
    assert_helix_error(&ctx.get("/clips", &app, &[("game_id", seed.game_id.as_str()), ("started_at", "")]).await, 400);
    // Empty string ids are still treated as absent.
    let r = ctx.get("/streams", &app, &[("user_id", "")]).await;
    assert_eq!(r.status, 200, "{}", r.text);

    // Modify Channel Information: an unknown game id or an unsupported language leaves the
    // field unchanged (as the spec and Twitch say) instead of failing; a blank title is a title.
    let token = ctx.sb.mint_user_token(me, &["channel:manage:broadcast"]);
    let before = ctx.get("/channels", &app, &[("broadcaster_id", me)]).await;
    let before = &before.body["data"][0];
    let r = ctx
        .send(ctx.helix(Method::PATCH, "/channels", &token).query(&[("broadcaster_id", me)]).json(&json!({
            "game_id": "no-such-game",
            "broadcaster_language": "not a language",
            "title": "   ",
        })))
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let after = ctx.get("/channels", &app, &[("broadcaster_id", me)]).await;
    let after = &after.body["data"][0];
    assert_eq!(after["game_id"], before["game_id"]);
    assert_eq!(after["broadcaster_language"], before["broadcaster_language"]);
    assert_eq!(after["title"], "   ");

    // `POST /oauth2/device` requires `scopes` (it may be empty).
    assert_oauth_error(&ctx.oauth_post("/device", &[("client_id", CLIENT_ID)]).await, 400, "missing scopes");
    let r = ctx.oauth_post("/device", &[("client_id", CLIENT_ID), ("scopes", "")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

/// The same run over `specs/medkit/medkit.yaml`, against the MEDKit service, acting as an
/// admin of the sandbox extension in one channel (admin may call every operation).
#[tokio::test(flavor = "multi_thread")]
async fn schemathesis_finds_no_medkit_contract_violation() {
    let Some(cli) = st::cli_or_skip() else { return };
    let sandbox = Sandbox::start_with_medkit(SandboxConfig::default(), streamkit_sandbox::MedkitConfig::default())
        .await
        .expect("sandbox starts");
    let jwt = sandbox.medkit().mint(streamkit_sandbox::MedkitRole::Admin, Some("12345"), Some("23456"));
    let spec = st::spec_path("medkit/medkit.yaml");
    let text = std::fs::read_to_string(&spec).expect("read medkit.yaml");
    let work = st::work_dir("medkit");
    let args = st::args(
        &spec,
        &sandbox.medkit_url(),
        &[format!("Authorization: {} {jwt}", streamkit_sandbox::MEDKIT_EXTENSION_ID)],
    );
    let secrets = vec![jwt.clone()];
    let (run, work) = tokio::task::spawn_blocking(move || (st::run("medkit", &cli, &args, &[], &work, &secrets), work))
        .await
        .expect("the schemathesis run finishes");
    let _ = std::fs::remove_dir_all(&work);
    let ops = st::spec_operations(&text);
    let table = st::tally(&sandbox.requests(), "/v1/e", &ops);
    st::print_table("MEDKit requests, as the sandbox logged them", &table);
    st::assert_clean("medkit.yaml", &run, &sandbox, &table, &ops);
}

/// Fuzzing cases per Mixer operation: its 37 operations are more than Helix's 17, and the
/// coverage and stateful phases already send thousands of cases; half of [`st::MAX_EXAMPLES`]
/// keeps the run near a minute on two cores.
const MIXER_MAX_EXAMPLES: u32 = 50;

/// The same run over `specs/mixer/core.yaml`, against the Mixer service, acting as user 0
/// (owner of channel `FIRST_CHANNEL_ID`) with every scope the spec names. Mixer's buckets are
/// off here (up to 20 requests per 5 s would leave most cases a documented 429); the limits
/// have their own tests (`generated/mixer/tests/rate_limiting.rs`).
#[tokio::test(flavor = "multi_thread")]
async fn schemathesis_finds_no_mixer_contract_violation() {
    use streamkit_sandbox::Mixer;
    use streamkit_sandbox::mixer::seed;
    let Some(cli) = st::cli_or_skip() else { return };
    let sandbox = Sandbox::builder().service(Mixer::without_rate_limits()).start().await.expect("sandbox starts");
    let mixer = sandbox.mixer();
    let spec = st::spec_path("mixer/core.yaml");
    let text = std::fs::read_to_string(&spec).expect("read core.yaml");
    let scopes = spec_scopes(&text);
    println!("token scopes: {}", scopes.join(" "));
    let scope_refs: Vec<&str> = scopes.iter().map(String::as_str).collect();
    let token = mixer.mint_token(0, &scope_refs);
    // Shortcodes the user approved or denied before the run, so that polling them answers 200
    // and 403 (the sandbox's approval is a hook, not an HTTP route).
    let (approved, denied) = decided_shortcodes(&sandbox).await;
    let seed_json = json!({
        "mixer": {
            "token_user": seed::FIRST_USER_ID,
            "token_channel": seed::FIRST_CHANNEL_ID,
            "user_ids": (0..seed::USERS as i64).map(|i| seed::FIRST_USER_ID + i).collect::<Vec<_>>(),
            "channel_ids": (0..seed::USERS as i64).map(|i| seed::FIRST_CHANNEL_ID + i).collect::<Vec<_>>(),
            "usernames": (0..seed::USERS).map(seed::username).collect::<Vec<_>>(),
            "live_channel_ids": (0..seed::USERS)
                .filter(|&i| seed::online(i))
                .map(|i| seed::FIRST_CHANNEL_ID + i as i64)
                .collect::<Vec<_>>(),
            "type_ids": (0..seed::TYPES as i64).map(|i| seed::FIRST_TYPE_ID + i).collect::<Vec<_>>(),
            "team_ids": (1..=seed::TEAMS).collect::<Vec<_>>(),
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "approved_handles": approved,
            "denied_handles": denied,
        }
    });
    let mut envs = hooks_env(&seed_json);
    // Credentials stay out of the printed environment: the token (the hooks put it on
    // positive cases only; passed with `-H`, it would also overwrite the missing or malformed
    // `Authorization` of negative cases) and authorization codes for `requestToken`.
    let codes: Vec<String> = (0..50).map(|i| mixer.mint_code(i % seed::USERS, &["user:details:self"])).collect();
    envs.push(("STREAMKIT_MIXER_CREDENTIALS", json!({"token": token, "codes": codes}).to_string()));
    let work = st::work_dir("mixer");
    let args = st::args_with(&spec, &mixer.api_url(), &[], MIXER_MAX_EXAMPLES);
    let secrets = vec![token.clone()];
    let (run, work) =
        tokio::task::spawn_blocking(move || (st::run("mixer", &cli, &args, &envs, &work, &secrets), work))
            .await
            .expect("the schemathesis run finishes");
    let _ = std::fs::remove_dir_all(&work);
    println!("Mixer test cases: {:?}", run.cases());
    let ops = st::spec_operations(&text);
    let table = st::tally(&sandbox.requests(), streamkit_sandbox::mixer::PREFIX, &ops);
    let [all, ok, ..] = st::print_table("Mixer requests, as the sandbox logged them", &table);
    let share = ok as f64 / all.max(1) as f64;
    println!("\n2xx share over all {all} requests: {:.1}% (required: {:.0}%)", 100.0 * share, 100.0 * MIN_2XX_SHARE);
    st::assert_clean("core.yaml", &run, &sandbox, &table, &ops);
    st::assert_each_reached_2xx(&table, &ops);
    assert_share(share);
}

/// Creates six shortcodes over HTTP; the user approves three and denies three. Returns their
/// handles.
async fn decided_shortcodes(sandbox: &Sandbox) -> (Vec<String>, Vec<String>) {
    streamkit_runtime::tls::install_default_provider();
    let http = reqwest::Client::new();
    let (mut approved, mut denied) = (Vec::new(), Vec::new());
    for i in 0..6 {
        let created: Value = http
            .post(format!("{}/v1/oauth/shortcode", sandbox.mixer().api_url()))
            .json(&json!({"client_id": CLIENT_ID, "scope": "chat:connect"}))
            .send()
            .await
            .expect("create a shortcode")
            .json()
            .await
            .expect("a shortcode");
        let (code, handle) = (created["code"].as_str().expect("code"), created["handle"].as_str().expect("handle"));
        if i % 2 == 0 {
            assert!(sandbox.mixer().approve_shortcode(code, 1));
            approved.push(handle.to_owned());
        } else {
            assert!(sandbox.mixer().deny_shortcode(code));
            denied.push(handle.to_owned());
        }
    }
    (approved, denied)
}
