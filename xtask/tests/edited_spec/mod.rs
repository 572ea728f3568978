//! What the diff tests on real specs share: a spec of `specs/` as it is, and `xtask diff`
//! between it and an edited copy, both written to a fresh temporary directory (so the tests
//! follow the spec as it changes).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The text of `specs/<rel>`.
pub fn spec(rel: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../specs").join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask is in the workspace")
}

/// `old/<rel>` (the real spec) and `new/<rel>` (`edited`) under a fresh temporary directory;
/// runs `xtask diff --old DIR/old --new DIR/new --json`: its exit status and report.
pub fn diff(case: &str, rel: &str, edited: &str) -> (i32, Value) {
    let tag = rel.replace(['/', '.'], "-");
    let dir = std::env::temp_dir().join(format!("streamkit-diff-{tag}-{case}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (side, text) in [("old", spec(rel)), ("new", edited.to_owned())] {
        let path = dir.join(side).join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
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

/// Runs `xtask <args>` in the workspace.
#[allow(dead_code)] // not every test binary uses it
pub fn xtask(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).current_dir(workspace()).args(args).output().expect("run xtask")
}
