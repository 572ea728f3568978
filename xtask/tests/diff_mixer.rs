//! `cargo xtask diff` on the real `specs/mixer/core.yaml`: an unchanged copy reports nothing,
//! and breaking edits of it (an operation removed, an optional parameter made required) are
//! reported as breaking, with exit status 1. The edits are made on copies in a temporary
//! directory, so the test follows the spec as it changes.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn core_yaml() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../specs/mixer/core.yaml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask is in the workspace")
}

/// `old/mixer/core.yaml` (the real spec) and `new/mixer/core.yaml` (`edited`) under a fresh
/// temporary directory; runs `xtask diff --old DIR/old --new DIR/new --json`.
fn diff(case: &str, edited: &str) -> (i32, Value) {
    let dir = std::env::temp_dir().join(format!("streamkit-diff-mixer-{case}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (side, text) in [("old", core_yaml()), ("new", edited.to_owned())] {
        let spec = dir.join(side).join("mixer/core.yaml");
        std::fs::create_dir_all(spec.parent().unwrap()).unwrap();
        std::fs::write(&spec, text).unwrap();
    }
    // xtask runs inside the workspace; the two directories are given as absolute paths.
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .current_dir(workspace())
        .arg("diff")
        .arg("--old")
        .arg(dir.join("old"))
        .arg("--new")
        .arg(dir.join("new"))
        .arg("--json")
        .output()
        .expect("run xtask");
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("{case}: --json is not JSON ({e}):\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr))
    });
    (out.status.code().unwrap_or(-1), report)
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
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .current_dir(workspace())
        .args(["diff", "HEAD", "--json", "--allow-breaking"])
        .output()
        .expect("run xtask");
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    let files: Vec<&str> = report["files"].as_array().unwrap().iter().filter_map(|f| f["file"].as_str()).collect();
    assert!(files.contains(&"specs/mixer/core.yaml"), "{files:?}");
}
