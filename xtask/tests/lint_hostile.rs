//! `cargo xtask lint` reports what regen refuses (codegen's hostile specs,
//! `codegen/tests/specs/hostile_*.yaml`): each finding names the file, the pointer and the
//! rule, and lint never panics.

use std::process::Command;

fn lint(path: &str) -> (i32, String) {
    let out =
        Command::new(env!("CARGO_BIN_EXE_xtask")).args(["lint", path, "--no-external"]).output().expect("run xtask");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!text.contains("panicked at"), "{text}");
    (out.status.code().unwrap_or(-1), text)
}

/// Lints a hostile spec; asserts a finding `file#pointer: [rule] …` mentioning `mentions`.
fn finds(name: &str, pointer: &str, rule: &str, mentions: &[&str]) {
    let path = format!("{}/../codegen/tests/specs/{name}.yaml", env!("CARGO_MANIFEST_DIR"));
    let (code, out) = lint(&path);
    assert_eq!(code, 1, "{name}: {out}");
    let head = format!("codegen/tests/specs/{name}.yaml#{pointer}: [{rule}] ");
    let line = out.lines().find(|l| l.contains(&head)).unwrap_or_else(|| panic!("{name}: no `{head}` in\n{out}"));
    for m in mentions {
        assert!(line.contains(m), "{name}: {line:?} should mention {m:?}");
    }
}

#[test]
fn service_names_must_be_plain() {
    finds("hostile_crate_escape", "/x-streamkit-service/crate", "service-names", &["`../runtime`"]);
    finds("hostile_module_escape", "/x-streamkit-service/module", "service-names", &["`../../../runtime/src/lib`"]);
}

#[test]
fn rust_name_collisions_are_findings() {
    finds("hostile_parameter_collision", "/paths/~1users/get/parameters/1", "rust-names", &["`Login`", "`login`"]);
    finds(
        "hostile_property_collision",
        "/components/schemas/User/properties/display_name",
        "rust-names",
        &["`displayName`", "`display_name`"],
    );
    finds("hostile_property_self", "/components/schemas/User/properties/self", "rust-names", &["`Self`", "`self`"]);
    finds("hostile_property_extra", "/components/schemas/User/properties/extra", "rust-names", &["`extra`"]);
    finds("hostile_type_collision", "/components/schemas/user", "rust-names", &["`User`", "`user`"]);
    finds(
        "hostile_operation_collision",
        "/paths/~1users2/get/operationId",
        "rust-names",
        &["`getUsers`", "`get_users`"],
    );
    finds("hostile_reserved_method", "/paths/~1users/get/operationId", "rust-names", &["`new`"]);
    finds("hostile_reserved_setter", "/paths/~1users/post/parameters/0", "rust-names", &["`send`"]);
}

#[test]
fn composition_cycles_are_findings() {
    finds(
        "hostile_composition_cycle",
        "/components/schemas/B/oneOf/1/$ref",
        "schema-cycle",
        &["#/components/schemas/A → #/components/schemas/B"],
    );
}

#[test]
fn header_syntax_is_checked() {
    finds(
        "hostile_header_crlf",
        "/components/securitySchemes/app/x-streamkit-header/value",
        "header-syntax",
        &["'\\r'"],
    );
    finds(
        "hostile_header_name",
        "/components/securitySchemes/app/x-streamkit-header/name",
        "header-syntax",
        &["`Bad Header:`"],
    );
}

#[test]
fn misspelled_keys_are_findings() {
    finds(
        "hostile_misspelled_key",
        "/paths/~1users/get/x-streamkit-retyr",
        "extension-unknown",
        &["x-streamkit-retyr"],
    );
}

#[test]
fn limits_are_findings_and_skip_the_costly_rules() {
    let dir = std::env::temp_dir().join(format!("streamkit-lint-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let values: Vec<String> = (0..200_000).map(|i| format!("v{i}")).collect();
    let spec = format!(
        "openapi: 3.0.3\ninfo: {{title: t, version: \"1.0\"}}\nx-streamkit-service: {{crate: t, module: t, base-url: \"http://127.0.0.1:1\"}}\npaths: {{}}\ncomponents:\n  schemas:\n    Big: {{type: string, enum: [{}]}}\n",
        values.join(", ")
    );
    let path = dir.join("big.yaml");
    std::fs::write(&path, spec).unwrap();
    let (code, out) = lint(path.to_str().unwrap());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("big.yaml#/components/schemas/Big/enum: [limits] an enum of 200000 values; at most 1000"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn keyword_operation_ids_pass_lint() {
    let dir = std::env::temp_dir().join(format!("streamkit-lint-keyword-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = std::fs::read_to_string(format!("{}/tests/lint/good.yaml", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let id = good
        .lines()
        .find_map(|l| l.trim().strip_prefix("operationId: "))
        .expect("good.yaml has an operationId")
        .to_string();
    let path = dir.join("keyword.yaml");
    std::fs::write(&path, good.replacen(&format!("operationId: {id}"), "operationId: type", 1)).unwrap();
    let (code, out) = lint(path.to_str().unwrap());
    assert_eq!(code, 0, "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
