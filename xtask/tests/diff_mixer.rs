//! `cargo xtask diff` on the real `specs/mixer/core.yaml`: an unchanged copy reports nothing,
//! and breaking edits of it (an operation removed, an optional parameter made required) are
//! reported as breaking, with exit status 1. The edits are made on copies in a temporary
//! directory, so the test follows the spec as it changes.

mod edited_spec;

use serde_json::Value;

fn core_yaml() -> String {
    edited_spec::spec("mixer/core.yaml")
}

/// `xtask diff` between the real `mixer/core.yaml` and `edited`.
fn diff(case: &str, edited: &str) -> (i32, Value) {
    edited_spec::diff(case, "mixer/core.yaml", edited)
}

/// `(wire, kind, operationId)` of every change.
fn changes(report: &Value) -> Vec<(String, String, String)> {
    let files = report["files"].as_array().expect("files");
    files
        .iter()
        .flat_map(|f| f["changes"].as_array().cloned().unwrap_or_default())
        .map(|c| {
            let s = |v: &Value| v.as_str().unwrap_or("").to_owned();
            (s(&c["wire"]), s(&c["kind"]), s(&c["operation"]["operation_id"]))
        })
        .collect()
}

/// The text with the path item `path` (up to the next path) cut out.
fn without_path(text: &str, path: &str) -> String {
    let start = text.find(&format!("\n  {path}:\n")).unwrap_or_else(|| panic!("core.yaml has {path}"));
    let end = text[start + 1..].find("\n  /").map(|i| start + 1 + i).expect("a path follows");
    format!("{}{}", &text[..start], &text[end..])
}

#[test]
fn an_unchanged_core_yaml_reports_nothing() {
    let (code, report) = diff("unchanged", &core_yaml());
    assert_eq!(changes(&report), Vec::<(String, String, String)>::new());
    assert_eq!(code, 0);
    assert_eq!(report["files"][0]["file"], "mixer/core.yaml");
}

#[test]
fn removing_a_mixer_operation_is_breaking() {
    let (code, report) = diff("removed", &without_path(&core_yaml(), "/v1/teams/{teamId}"));
    let found = changes(&report);
    assert_eq!(found, [("breaking".into(), "endpoint-removed".into(), "getTeam".into())], "{report:#}");
    assert_eq!(code, 1, "a breaking change fails the diff");
    let rust = &report["files"][0]["changes"][0]["rust"]["message"];
    assert!(rust.as_str().is_some_and(|m| m.contains("`client.get_team()` is gone")), "{rust}");
}

#[test]
fn making_a_mixer_parameter_required_is_breaking() {
    // `q` of `listChannels` (optional, declared inline).
    let text = core_yaml();
    let q = "        - name: q\n          in: query\n";
    assert!(text.contains(q), "listChannels declares `q` inline");
    let edited = text.replacen(q, &format!("{q}          required: true\n"), 1);
    let (code, report) = diff("required", &edited);
    let found = changes(&report);
    assert_eq!(found, [("breaking".into(), "parameter-became-required".into(), "listChannels".into())], "{report:#}");
    assert_eq!(code, 1);
}

#[test]
fn the_mixer_spec_is_among_the_specs_diff_reads_from_git() {
    // `cargo xtask diff BASE` reads every spec under specs/ at BASE and in the work tree:
    // HEAD against the work tree lists core.yaml (changed or not).
    let out = edited_spec::xtask(&["diff", "HEAD", "--json", "--allow-breaking"]);
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    let files: Vec<&str> = report["files"].as_array().unwrap().iter().filter_map(|f| f["file"].as_str()).collect();
    assert!(files.contains(&"specs/mixer/core.yaml"), "{files:?}");
}
