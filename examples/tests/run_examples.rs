//! Every example runs to completion against its embedded sandbox, in the test command.
//! Each binary gets a generous deadline so that a hang fails the test instead of the run.

use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Runs an example binary; its output, or a failure naming it.
fn run(name: &str, path: &str) -> Output {
    let child = Command::new(path)
        .env("RUST_LOG", "streamkit_runtime=debug")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{name}: cannot start: {e}"));
    let id = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(Duration::from_secs(120)) {
        Ok(out) => {
            let out = out.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                out.status.success(),
                "{name} failed ({}):\n{}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            out
        }
        Err(_) => {
            // Ends only the process this test started.
            let _ = Command::new("kill").arg(id.to_string()).status();
            panic!("{name} did not finish within 120 s");
        }
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn twitch_tour_runs() {
    let out = stdout(&run("twitch-tour", env!("CARGO_BIN_EXE_twitch-tour")));
    assert!(out.contains("channel title is now \"Tour of streamkit\""), "{out}");
}

#[test]
fn eventsub_bot_logs_follows_and_chat_across_a_move() {
    let out = stdout(&run("eventsub-bot", env!("CARGO_BIN_EXE_eventsub-bot")));
    assert!(out.contains("connected: session ") && out.contains("2 subscriptions"), "{out}");
    assert!(out.contains("follow: Viewer1 followed") && out.contains("follow: Viewer2 followed"), "{out}");
    assert!(out.contains(": hello chat\n") && out.contains(": still here after the move\n"), "{out}");
    assert!(out.contains("4 distinct events; Create EventSub Subscription called 2 times"), "{out}");
}

#[test]
fn error_handling_runs_and_explains_each_kind() {
    let out = stdout(&run("error-handling", env!("CARGO_BIN_EXE_error-handling")));
    assert!(
        out.contains("first(101):         fix the request: parameter `first` is 101, above the maximum of 100"),
        "{out}"
    );
    assert!(out.contains("no broadcaster_id:  fix the request: required parameter `broadcaster_id` not set"), "{out}");
    assert!(out.contains("app token:          401") || out.contains("app token:          403"), "{out}");
    assert!(out.contains("empty title:        fix the request"), "{out}");
    assert!(out.contains("503:                503 Service Unavailable") && out.contains("(retry later"), "{out}");
    assert!(out.contains("bad base URL:       configuration"), "{out}");
    assert!(out.contains("renamed the channel"), "{out}");
}

#[test]
fn device_flow_chat_runs() {
    let out = stdout(&run("device-flow-chat", env!("CARGO_BIN_EXE_device-flow-chat")));
    assert!(out.contains("approved: scopes"), "{out}");
    assert!(out.contains("sent: true"), "{out}");
}

#[test]
fn shared_client_runs_sixteen_tasks_on_one_client() {
    let out = stdout(&run("shared-client", env!("CARGO_BIN_EXE_shared-client")));
    assert_eq!(out.lines().filter(|l| l.starts_with("task ")).count(), 16, "{out}");
    assert!(out.contains("16 users found; 16 requests sent"), "{out}");
}

#[test]
fn tracing_shows_the_runtime_events() {
    let o = run("tracing", env!("CARGO_BIN_EXE_tracing"));
    let (out, log) =
        (stdout(&o), String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr));
    assert!(out.contains("3 streams after one retry"), "{out}");
    assert!(out.contains("retries: 1"), "{out}");
    assert!(log.contains("streamkit_runtime"), "events carry their target: {log}");
    assert!(log.contains("retrying") && log.contains("status=503") && log.contains("get_streams"), "{log}");
    assert!(log.contains("fetching a new access token"), "{log}");
}

#[test]
fn chat_bot_answers_a_command_and_logs_a_follow() {
    let out = stdout(&run("chat-bot", env!("CARGO_BIN_EXE_chat-bot")));
    assert!(out.contains("bot: answered !uptime from user2"), "{out}");
    assert!(out.contains("bot: user3 followed channel 5000"), "{out}");
    assert!(out.contains("viewer: the bot said \"@user2 up for "), "{out}");
}
