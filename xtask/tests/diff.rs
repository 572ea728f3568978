//! `cargo xtask diff --old DIR --new DIR` on pairs of small specs (`tests/diff/<case>/`):
//! classification, the Rust-API verdict, exit codes, and the JSON and Markdown reports.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn case_dir(case: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/diff").join(case)
}

/// Runs `xtask diff --old old --new new <extra>` inside the case directory.
fn run(case: &str, extra: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .current_dir(case_dir(case))
        .args(["diff", "--old", "old", "--new", "new"])
        .args(extra)
        .output()
        .expect("run xtask");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The JSON report and the exit code.
fn json(case: &str) -> (i32, Value) {
    let (code, stdout, stderr) = run(case, &["--json"]);
    let v: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{case}: --json is not JSON ({e}):\n{stdout}\n{stderr}"));
    (code, v)
}

/// Every change of the report, flattened.
fn changes(v: &Value) -> Vec<Value> {
    v["files"].as_array().unwrap().iter().flat_map(|f| f["changes"].as_array().unwrap().clone()).collect()
}

/// `(wire, kind, operationId)` of every change.
fn classes(v: &Value) -> Vec<(String, String, String)> {
    changes(v)
        .iter()
        .map(|c| {
            (
                c["wire"].as_str().unwrap().to_string(),
                c["kind"].as_str().unwrap().to_string(),
                c["operation"]["operation_id"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn one(wire: &str, kind: &str, op: &str) -> (String, String, String) {
    (wire.into(), kind.into(), op.into())
}

/// Asserts the case yields exactly `want` (in report order) and exits with `code`.
fn expect(case: &str, code: i32, want: &[(&str, &str, &str)]) -> Vec<Value> {
    let (got_code, v) = json(case);
    let want: Vec<_> = want.iter().map(|(w, k, o)| one(w, k, o)).collect();
    assert_eq!(classes(&v), want, "{case}: {}", serde_json::to_string_pretty(&v).unwrap());
    assert_eq!(got_code, code, "{case}: exit code");
    changes(&v)
}

fn rust(c: &Value) -> (String, String) {
    (c["rust"]["level"].as_str().unwrap_or("none").to_string(), c["rust"]["message"].as_str().unwrap_or("").to_string())
}

const B: &str = "breaking";
const N: &str = "non-breaking";

#[test]
fn no_changes() {
    expect("no_changes", 0, &[]);
    let (code, md, _) = run("no_changes", &[]);
    assert_eq!(code, 0);
    assert!(md.contains("No API changes in 1 spec file(s)."), "{md}");
}

#[test]
fn removed_endpoint_is_breaking_and_removes_the_method() {
    let c = expect("endpoint_removed", 1, &[(B, "endpoint-removed", "updateUser")]);
    assert_eq!(c[0]["ref"], "svc.yaml#/paths/~1users~1{id}/patch");
    assert_eq!(c[0]["side"], "base");
    let (level, msg) = rust(&c[0]);
    assert_eq!(level, "breaking");
    assert!(msg.contains("`client.update_user()` is gone"), "{msg}");
}

#[test]
fn removed_spec_file_removes_its_endpoints() {
    let (code, v) = json("file_removed");
    assert_eq!(code, 1);
    assert_eq!(classes(&v), vec![one(B, "endpoint-removed", "ping")]);
    let extra = v["files"].as_array().unwrap().iter().find(|f| f["file"] == "extra.yaml").unwrap();
    assert_eq!(extra["status"], "removed");
}

#[test]
fn new_endpoint_is_not_breaking() {
    let c = expect("endpoint_added", 0, &[(N, "endpoint-added", "getFollows")]);
    assert_eq!(rust(&c[0]).0, "compatible");
}

#[test]
fn removed_and_renamed_response_fields_are_breaking() {
    let c = expect("response_field_removed", 1, &[(B, "field-removed", "getUsers"), (B, "field-removed", "getUser")]);
    assert_eq!(c[0]["location"], "response 200 body `data[].view_count`");
    assert_eq!(c[0]["pointer"], "/components/schemas/User/properties/view_count");
    assert!(rust(&c[0]).1.contains("`types::User::view_count` is gone"));

    let c = expect("response_field_renamed", 1, &[(B, "field-renamed", "getUsers"), (B, "field-renamed", "getUser")]);
    assert!(c[0]["message"].as_str().unwrap().contains("`login` renamed `login_name`"));
    assert!(rust(&c[0]).1.contains("`types::User::login` becomes `login_name`"));
}

#[test]
fn removed_request_field_is_breaking() {
    let c = expect("request_field_removed", 1, &[(B, "field-removed", "updateUser")]);
    assert_eq!(c[0]["location"], "request body `description`");
}

#[test]
fn changed_type_is_breaking_on_the_wire_and_in_rust() {
    let c = expect("type_changed", 1, &[(B, "type-changed", "getUsers"), (B, "type-changed", "getUser")]);
    let (level, msg) = rust(&c[0]);
    assert_eq!(level, "breaking");
    assert!(msg.contains("`types::User::view_count` changes type from `Option<i64>` to `Option<String>`"), "{msg}");
}

#[test]
fn a_change_in_a_shared_schema_is_reported_at_every_operation_using_it() {
    let c = expect("shared_schema_changed", 1, &[(B, "type-changed", "getUsers"), (B, "type-changed", "getUser")]);
    // Same definition, two places it reaches the wire.
    assert_eq!(c[0]["pointer"], c[1]["pointer"]);
    assert_eq!(c[0]["location"], "response 200 body `data[].id`");
    assert_eq!(c[1]["location"], "response 200 body `id`");
}

#[test]
fn a_renamed_ref_with_the_same_structure_changes_nothing_on_the_wire() {
    let c = expect("ref_renamed", 0, &[(N, "schema-renamed", "getUsers"), (N, "schema-renamed", "getUser")]);
    assert!(c[0]["message"].as_str().unwrap().contains("nothing changes on the wire"));
    let (level, msg) = rust(&c[0]);
    assert_eq!(level, "breaking");
    assert!(msg.contains("`types::User` becomes `types::Account`"), "{msg}");
    let (_, v) = json("ref_renamed");
    assert_eq!(v["breaking"], false);
    assert_eq!(v["summary"]["breaking"], 0);
    assert_eq!(v["summary"]["rust_breaking"], 2);
    // Opting in makes Rust-only breaks fail, and --allow-breaking accepts them.
    assert_eq!(run("ref_renamed", &["--fail-on-rust"]).0, 1);
    assert_eq!(run("ref_renamed", &["--fail-on-rust", "--allow-breaking"]).0, 0);
    let (_, md, _) = run("ref_renamed", &[]);
    assert!(md.contains("**Breaking for the Rust API only** (the wire is unchanged)"), "{md}");
}

#[test]
fn renamed_operation_renames_the_method_only() {
    let c = expect("operation_renamed", 0, &[(N, "operation-renamed", "getUserById")]);
    assert!(rust(&c[0]).1.contains("`client.get_user()` becomes `client.get_user_by_id()`"));
}

#[test]
fn new_required_parameter_is_breaking_and_needs_a_builder_call() {
    let c = expect("required_param_added", 1, &[(B, "parameter-added-required", "getUsers")]);
    let (level, msg) = rust(&c[0]);
    assert_eq!(level, "breaking");
    assert!(msg.contains("now needs `.broadcaster_id(…)`"), "{msg}");
}

#[test]
fn new_optional_parameter_is_not_breaking() {
    let c = expect("optional_param_added", 0, &[(N, "parameter-added", "getUsers")]);
    assert!(c[0]["rust"].is_null());
}

#[test]
fn optional_parameter_becoming_required_is_breaking() {
    let c = expect("param_became_required", 1, &[(B, "parameter-became-required", "getUsers")]);
    assert_eq!(c[0]["pointer"], "/paths/~1users/get/parameters/0/required");
}

#[test]
fn new_required_request_field_is_breaking_for_builders() {
    let c = expect("required_request_field_added", 1, &[(B, "field-added-required", "updateUser")]);
    let (level, msg) = rust(&c[0]);
    assert_eq!(level, "breaking");
    assert!(msg.contains("fails to convert") && msg.contains("builder()"), "{msg}");
}

#[test]
fn request_enums_break_when_narrowed_only() {
    let c = expect("request_enum_value_removed", 1, &[(B, "enum-value-removed", "getUsers")]);
    assert!(rust(&c[0]).1.contains("`types::GetUsersSort::Desc` is gone"));
    expect("request_enum_value_added", 0, &[(N, "enum-value-added", "getUsers")]);
}

#[test]
fn new_response_enum_value_is_compatible_on_the_wire_and_in_rust() {
    let c = expect(
        "response_enum_value_added",
        0,
        &[(N, "enum-value-added", "getUsers"), (N, "enum-value-added", "getUser")],
    );
    let (level, msg) = rust(&c[0]);
    assert_eq!(level, "compatible");
    assert!(msg.contains("`types::UserKind::Admin`") && msg.contains("non_exhaustive"), "{msg}");
}

#[test]
fn new_response_field_is_compatible_on_the_wire_and_in_rust() {
    let c = expect("response_field_added", 0, &[(N, "field-added", "getUsers"), (N, "field-added", "getUser")]);
    assert_eq!(rust(&c[0]).0, "compatible");
}

#[test]
fn response_field_becoming_optional_is_breaking() {
    let c = expect(
        "response_field_became_optional",
        1,
        &[(B, "field-became-optional", "getUsers"), (B, "field-became-optional", "getUser")],
    );
    assert!(rust(&c[0]).1.contains("from `types::UserKind` to `Option<types::UserKind>`"));
}

#[test]
fn changed_success_status_is_breaking() {
    expect("success_status_changed", 1, &[(B, "success-status-changed", "updateUser")]);
}

#[test]
fn added_scope_is_breaking() {
    let c = expect("auth_scope_added", 1, &[(B, "auth-changed", "updateUser")]);
    assert!(c[0]["message"].as_str().unwrap().contains("bearer → bearer [user:edit]"));
    assert_eq!(c[0]["pointer"], "/paths/~1users~1{id}/patch/security");
}

#[test]
fn docs_changes_are_not_breaking() {
    let c = expect("docs_changed", 0, &[(N, "docs-changed", "getUsers"), (N, "docs-changed", "getUser")]);
    assert!(c[0]["message"].as_str().unwrap().contains("#/paths/~1users/get/description"));
}

#[test]
fn allow_breaking_exits_zero_but_still_reports() {
    let (code, md, stderr) = run("endpoint_removed", &["--allow-breaking"]);
    assert_eq!(code, 0);
    assert!(md.contains("**Breaking on the wire**"));
    assert!(stderr.contains("accepted (--allow-breaking)"));
}

#[test]
fn unreadable_specs_are_clear_errors_with_exit_2() {
    let (code, _, stderr) = run("malformed", &[]);
    assert_eq!(code, 2);
    assert!(stderr.starts_with("error: in new: svc.yaml: document: not valid YAML"), "{stderr}");
    assert!(!stderr.contains("panicked"));

    let (code, _, stderr) = run("broken_ref", &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("`$ref: #/components/schemas/Nope`") && stderr.contains("points at nothing"), "{stderr}");

    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["diff", "--old", "/nonexistent/old", "--new", "/nonexistent/new"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a directory"));
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["diff", "--old", "x"][..],
        &["diff", "--bogus"],
        &["diff", "HEAD", "--old", "a", "--new", "b"],
        &["diff", "a", "b"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("usage: cargo xtask diff"), "{args:?}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_xtask")).args(["diff", "no-such-revision-xyz"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`no-such-revision-xyz` is not a git revision"));
}

#[test]
fn markdown_report() {
    let (code, md, _) = run("mixed", &[]);
    assert_eq!(code, 1);
    // Breaking first, then Rust-only, then the rest.
    let (b, r, n) = (
        md.find("**Breaking on the wire**"),
        md.find("**Breaking for the Rust API only**"),
        md.find("**Non-breaking**"),
    );
    assert!(b < r && r < n, "{md}");
    insta::assert_snapshot!(md);
}

#[test]
fn json_report_has_the_same_content() {
    let (code, v) = json("mixed");
    assert_eq!(code, 1);
    assert_eq!(v["summary"]["breaking"], 3);
    assert_eq!(v["summary"]["rust_breaking"], 2);
    let c = changes(&v);
    assert!(c.iter().all(|c| c["ref"].as_str().unwrap().starts_with("svc.yaml#/")));
    assert_eq!(c[0]["wire"], "breaking");
}

#[test]
fn git_mode_compares_head_with_the_work_tree() {
    // Whatever the work tree holds, comparing a revision with itself must run cleanly;
    // HEAD's own specs against the work tree must at least parse.
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["diff", "HEAD", "--json", "--allow-breaking"])
        .output()
        .unwrap();
    if String::from_utf8_lossy(&out.stderr).contains("is not a git revision") {
        return; // not a git checkout (a source tarball)
    }
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["base"].as_str().unwrap().starts_with("HEAD ("));
    assert_eq!(v["new"], "work tree");
    assert!(v["files"].as_array().unwrap().iter().any(|f| f["file"] == "specs/twitch/helix.yaml"));
}
