//! Regen writes only `generated/<crate>/src/generated_<module>.rs` files it can prove are
//! inside the tree: a spec naming another path is refused by validation, and even a valid
//! name is not written through a symbolic link or over a file that is not a generated one.

use std::path::{Path, PathBuf};

use streamkit_codegen::write::output_target;

const SPEC: &str = r##"openapi: 3.0.3
info: {title: t, version: "1.0"}
x-streamkit-service: {crate: victim, module: lib, base-url: "http://127.0.0.1:1"}
paths:
  /users:
    get:
      operationId: getUsers
      responses:
        "204": {description: none}
"##;

fn temp_root(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("streamkit-safety-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("specs")).unwrap();
    std::fs::write(dir.join("specs/t.yaml"), SPEC).unwrap();
    dir
}

#[test]
fn only_plain_generated_paths_are_accepted() {
    let root = temp_root("plain");
    for bad in [
        "generated/../x/src/generated_a.rs",
        "generated/a/src/lib.rs",
        "/etc/passwd",
        "generated/a/b/src/generated_a.rs",
        "generated/A/src/generated_a.rs",
        "generated/a/src/generated_../x.rs",
    ] {
        let e = output_target(&root, Path::new(bad)).unwrap_err();
        assert!(e.contains("plain names"), "{bad}: {e}");
    }
    assert_eq!(
        output_target(&root, Path::new("generated/a/src/generated_b.rs")).unwrap(),
        root.join("generated/a/src/generated_b.rs")
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_hand_written_file_is_never_overwritten() {
    let root = temp_root("overwrite");
    std::fs::create_dir_all(root.join("generated/victim/src")).unwrap();
    let mine = root.join("generated/victim/src/generated_lib.rs");
    std::fs::write(&mine, "// hand-written, precious\n").unwrap();
    let e = streamkit_codegen::regen(&root, false).unwrap_err().to_string();
    assert!(
        e.contains("refusing to overwrite generated/victim/src/generated_lib.rs") && e.contains("not a generated file"),
        "{e}"
    );
    assert!(e.starts_with("specs/t.yaml: "), "{e}");
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "// hand-written, precious\n");
    // A generated file is rewritten as usual.
    std::fs::remove_file(&mine).unwrap();
    assert_eq!(streamkit_codegen::regen(&root, false).unwrap().changed.len(), 1);
    std::fs::write(&mine, std::fs::read_to_string(&mine).unwrap() + "// stale\n").unwrap();
    assert_eq!(streamkit_codegen::regen(&root, false).unwrap().changed.len(), 1);
    let _ = std::fs::remove_dir_all(&root);
}

#[cfg(unix)]
#[test]
fn symbolic_links_out_of_the_tree_are_not_followed() {
    let root = temp_root("symlink");
    let outside = std::env::temp_dir().join(format!("streamkit-safety-outside-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&outside);
    std::fs::create_dir_all(outside.join("src")).unwrap();
    std::fs::create_dir_all(root.join("generated")).unwrap();
    std::os::unix::fs::symlink(&outside, root.join("generated/victim")).unwrap();
    let e = streamkit_codegen::regen(&root, false).unwrap_err().to_string();
    assert!(e.contains("is a symbolic link"), "{e}");
    assert!(!outside.join("src/generated_lib.rs").exists(), "nothing written outside");
    // A link in place of the file itself is refused the same way.
    std::fs::remove_file(root.join("generated/victim")).unwrap();
    std::fs::create_dir_all(root.join("generated/victim/src")).unwrap();
    std::os::unix::fs::symlink(outside.join("src/target.rs"), root.join("generated/victim/src/generated_lib.rs"))
        .unwrap();
    let e = streamkit_codegen::regen(&root, false).unwrap_err().to_string();
    assert!(e.contains("is a symbolic link"), "{e}");
    assert!(!outside.join("src/target.rs").exists());
    let _ = std::fs::remove_dir_all(&root);
    let _ = std::fs::remove_dir_all(&outside);
}
