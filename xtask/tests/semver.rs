//! The semver gate fires: in a temporary clone, tag the current state, remove an operation
//! from the Twitch and the Mixer spec, regenerate, and `cargo xtask semver <tag>` must fail
//! naming both removed methods, having checked every generated crate. Needs cargo-semver-checks: skipped locally without it, required under CI.

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git").args(args).current_dir(dir).output().expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn removing_an_operation_is_caught_as_a_semver_break() {
    let installed =
        Command::new("cargo").args(["semver-checks", "--version"]).output().is_ok_and(|o| o.status.success());
    if !installed {
        assert!(std::env::var_os("CI").is_none(), "cargo-semver-checks must be installed in CI (.ci/run installs it)");
        eprintln!("skipped: cargo-semver-checks is not installed");
        return;
    }
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let tmp = std::env::temp_dir().join(format!("streamkit-semver-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    git(&repo, &["clone", "--quiet", "--no-hardlinks", repo.to_str().unwrap(), tmp.to_str().unwrap()]);
    git(&tmp, &["-c", "user.name=t", "-c", "user.email=t@t", "tag", "semver-base"]);

    // Remove Get Top Games from Helix and Get Team from Mixer, and regenerate:
    // `client.get_top_games()` and `client.get_team()` are gone.
    remove_path(&tmp.join("specs/twitch/helix.yaml"), "/games/top");
    remove_path(&tmp.join("specs/mixer/core.yaml"), "/v1/teams/{teamId}");
    streamkit_codegen::regen(&tmp, false).expect("regen");

    let target = repo.join("target/semver-test");
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["semver", "semver-base", "--root", tmp.to_str().unwrap()])
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("xtask runs");
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let _ = std::fs::remove_dir_all(&tmp);
    assert_eq!(out.status.code(), Some(1), "the check must fail:\n{all}");
    assert!(all.contains("get_top_games"), "names the removed method:\n{all}");
    assert!(all.contains("get_team"), "names the removed Mixer method:\n{all}");
    // Every generated crate is checked, not only Twitch's.
    for package in ["streamkit-twitch", "streamkit-mixer", "streamkit-medkit"] {
        assert!(all.contains(&format!("check-release -p {package} ")), "checks {package}:\n{all}");
    }
}

/// Cuts the path item `path` (up to the next path) out of the spec at `spec`.
fn remove_path(spec: &Path, path: &str) {
    let text = std::fs::read_to_string(spec).unwrap();
    let start = text.find(&format!("\n  {path}:\n")).unwrap_or_else(|| panic!("{} has {path}", spec.display()));
    let end = text[start + 1..].find("\n  /").map(|i| start + 1 + i).expect("a path follows");
    std::fs::write(spec, format!("{}{}", &text[..start], &text[end..])).unwrap();
}
