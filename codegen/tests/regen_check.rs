//! `regen` writes what is stale and `--check` names it, on a copy of the real specs.

use std::path::{Path, PathBuf};

fn copy_specs(to: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/twitch");
    let dir = to.join("specs/twitch");
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["helix.yaml", "oauth.yaml"] {
        std::fs::copy(from.join(f), dir.join(f)).unwrap();
    }
}

fn temp_root(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("streamkit-regen-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn check_names_stale_files_after_a_spec_edit() {
    let root = temp_root("check");
    copy_specs(&root);
    // Nothing generated yet: both files are stale.
    let r = streamkit_codegen::regen(&root, true).unwrap();
    assert_eq!(r.changed.len(), 2);
    // Regen writes them; a second regen changes nothing; check passes.
    let r = streamkit_codegen::regen(&root, false).unwrap();
    assert_eq!(r.changed.len(), 2);
    let helix = root.join("generated/twitch/src/generated_helix.rs");
    let first = std::fs::read(&helix).unwrap();
    assert!(String::from_utf8_lossy(&first).starts_with("// @generated"), "banner on top");
    assert!(streamkit_codegen::regen(&root, false).unwrap().changed.is_empty());
    assert_eq!(std::fs::read(&helix).unwrap(), first, "same bytes twice");
    assert!(streamkit_codegen::regen(&root, true).unwrap().changed.is_empty());
    // Edit the spec without regenerating: check names exactly the stale file.
    let spec = root.join("specs/twitch/helix.yaml");
    let text = std::fs::read_to_string(&spec).unwrap().replacen(
        "summary: Get information about one or more users.",
        "summary: Get one or more users (edited).",
        1,
    );
    std::fs::write(&spec, text).unwrap();
    let r = streamkit_codegen::regen(&root, true).unwrap();
    assert_eq!(r.changed, vec![PathBuf::from("generated/twitch/src/generated_helix.rs")]);
    assert_eq!(std::fs::read(&helix).unwrap(), first, "check never writes");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_malformed_spec_stops_regen_with_the_file_named() {
    let root = temp_root("bad");
    copy_specs(&root);
    let spec = root.join("specs/twitch/oauth.yaml");
    let text =
        std::fs::read_to_string(&spec).unwrap().replacen("operationId: validateToken", "operationId: requestToken", 1);
    std::fs::write(&spec, text).unwrap();
    let e = streamkit_codegen::regen(&root, false).unwrap_err();
    let shown = e.to_string();
    assert!(
        shown.contains("specs/twitch/oauth.yaml") && shown.contains("requestToken") && shown.contains("already used"),
        "{shown}"
    );
    assert!(!root.join("generated/twitch/src/generated_oauth.rs").exists(), "nothing written");
    let _ = std::fs::remove_dir_all(&root);
}
