//! `cargo xtask` works on the checkout it runs in (found from the current directory), not
//! on the one its binary was built from.

use std::path::{Path, PathBuf};
use std::process::Command;

fn temp_tree(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("streamkit-xtask-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("specs/twitch")).unwrap();
    std::fs::write(dir.join("Cargo.toml"), "[workspace]\nmembers = []\n").unwrap();
    dir
}

fn xtask(cwd: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).current_dir(cwd).output().expect("run xtask");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!text.contains("panicked at"), "{text}");
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn lint_and_regen_read_the_tree_of_the_current_directory() {
    let root = temp_tree("cwd");
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/twitch/oauth.yaml");
    std::fs::copy(&real, root.join("specs/twitch/oauth.yaml")).unwrap();
    // A spec only this copy has, with a problem only it has.
    let bad = std::fs::read_to_string(&real).unwrap().replacen(
        "x-streamkit-service:",
        "x-streamkit-servise: {}\nx-streamkit-service:",
        1,
    );
    std::fs::write(root.join("specs/twitch/copy_only.yaml"), bad).unwrap();
    // From a subdirectory too: the root is found upwards.
    let (code, out) = xtask(&root.join("specs"), &["lint", "--no-external"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("specs/twitch/copy_only.yaml#/x-streamkit-servise"), "{out}");
    assert!(out.contains("lint: 2 spec file(s)"), "{out}");

    std::fs::remove_file(root.join("specs/twitch/copy_only.yaml")).unwrap();
    // Nothing is generated in the copy: check names its file as stale, regen writes it there.
    let (code, out) = xtask(&root, &["regen", "--check"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("generated/twitch/src/generated_oauth.rs") && out.contains("stale"), "{out}");
    let (code, out) = xtask(&root, &["regen"]);
    assert_eq!(code, 0, "{out}");
    assert!(root.join("generated/twitch/src/generated_oauth.rs").is_file());
    assert_eq!(xtask(&root, &["regen", "--check"]).0, 0);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn outside_any_workspace_it_says_so() {
    let dir = std::env::temp_dir().join(format!("streamkit-xtask-none-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // The temporary directory may itself sit inside a workspace; only assert when it does not.
    let inside =
        dir.ancestors().any(|d| std::fs::read_to_string(d.join("Cargo.toml")).is_ok_and(|t| t.contains("[workspace]")));
    if !inside {
        let (code, out) = xtask(&dir, &["lint"]);
        assert_eq!(code, 2, "{out}");
        assert!(out.contains("no Cargo.toml with a `[workspace]` table"), "{out}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
