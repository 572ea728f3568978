//! `cargo xtask lint` on small bad specs (`tests/lint/*.yaml`, each breaking one rule) and
//! on the real specs.

use std::process::Command;

fn lint(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask")).arg("lint").args(args).output().expect("run xtask");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn case(name: &str) -> String {
    format!("{}/tests/lint/{name}.yaml", env!("CARGO_MANIFEST_DIR"))
}

/// Lints one case without the external validator; asserts it fails with exactly the given
/// `(pointer, rule)` findings, each naming the file.
fn expect(name: &str, want: &[(&str, &str)]) -> String {
    let (code, out, err) = lint(&[&case(name), "--no-external"]);
    assert_eq!(code, 1, "{name}: {out}{err}");
    let file = format!("xtask/tests/lint/{name}.yaml");
    let findings: Vec<&str> = out.lines().filter(|l| l.starts_with(&file)).collect();
    for (pointer, rule) in want {
        let head = format!("{file}#{pointer}: [{rule}] ");
        assert!(findings.iter().any(|l| l.starts_with(&head)), "{name}: no `{head}` in\n{out}");
    }
    assert_eq!(findings.len(), want.len(), "{name}: unexpected findings in\n{out}");
    assert!(out.contains(&format!("lint: 1 spec file(s), {} problem(s)", want.len())), "{out}");
    out
}

#[test]
fn a_good_spec_passes() {
    let (code, out, err) = lint(&[&case("good"), "--no-external"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("lint: 1 spec file(s), 0 problem(s); openapi-spec-validator not run (--no-external)"),
        "{out}"
    );
}

#[test]
fn the_real_specs_pass() {
    // With the external validator if it is installed (it says so either way).
    let (code, out, err) = lint(&[]);
    assert_eq!(code, 0, "{out}{err}");
    // Every `specs/<service>/*.yaml`, however many services there are.
    let specs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let n = std::fs::read_dir(&specs)
        .unwrap()
        .filter_map(|d| std::fs::read_dir(d.ok()?.path()).ok())
        .flatten()
        .filter(|f| f.as_ref().is_ok_and(|f| f.path().extension().is_some_and(|e| e == "yaml")))
        .count();
    assert!(n >= 3, "twitch's two specs and mixer's: {n}");
    assert!(out.contains(&format!("lint: {n} spec file(s), 0 problem(s)")), "{out}");
    // openapi-spec-validator takes the OpenAPI ones; the AsyncAPI ones have their own checks.
    let asyncapi = std::fs::read_dir(&specs)
        .unwrap()
        .filter_map(|d| std::fs::read_dir(d.ok()?.path()).ok())
        .flatten()
        .filter(|f| {
            f.as_ref().is_ok_and(|f| std::fs::read_to_string(f.path()).is_ok_and(|t| t.contains("\nasyncapi: ")))
        })
        .count();
    assert!(asyncapi >= 2, "mixer's chat and constellation: {asyncapi}");
    let openapi = n - asyncapi;
    assert!(
        out.contains(&format!("openapi-spec-validator ran on {openapi} file(s)"))
            || err.contains("openapi-spec-validator skipped"),
        "{out}{err}"
    );
}

#[test]
fn operations_need_an_id_a_summary_and_a_description() {
    expect("no_operation_id", &[("/paths/~1things/get", "operation-id")]);
    expect("no_summary_description", &[("/paths/~1things/post", "summary"), ("/paths/~1things/post", "description")]);
}

#[test]
fn operations_document_4xx_responses() {
    expect("no_error_response", &[("/paths/~1things/post/responses", "error-responses")]);
}

#[test]
fn success_and_request_bodies_have_examples() {
    expect(
        "no_examples",
        &[
            ("/paths/~1things/get/responses/200/content/application~1json", "success-example"),
            ("/paths/~1things/post/requestBody/content/application~1json", "request-example"),
        ],
    );
}

#[test]
fn examples_validate_against_their_schemas() {
    let resp = "/paths/~1things/get/responses/200/content/application~1json/example";
    let req = "/paths/~1things/post/requestBody/content/application~1json/examples/small/value";
    let out = expect(
        "bad_example",
        &[
            (resp, "example-valid"),
            (resp, "example-valid"),
            (resp, "example-valid"),
            (resp, "example-valid"),
            (resp, "example-valid"),
            (req, "example-valid"),
            (req, "example-valid"),
            (req, "example-valid"),
        ],
    );
    for want in [
        "/data/0/id: expected string, found integer",
        "/data/0/created_at: \"yesterday\" is not an RFC 3339 date-time",
        "/data/0/kind: \"huge\" is not one of \"small\", \"large\"",
        "/data/0/tag_ids: null is not allowed here",
        "/data/0: required property `name` is missing",
        "(root): property `colour` is not allowed (`additionalProperties: false`)",
        "/name: shorter than minLength 1",
        "/code: \"abc\" does not match the pattern `^[A-Z]{3}$`",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
}

#[test]
fn read_only_properties_must_not_be_in_request_examples() {
    // The request example sends the `readOnly` id (and need not: required applies to
    // responses only); the schema's own example, direction unknown, may show it.
    let out = expect(
        "read_only",
        &[("/paths/~1things/post/requestBody/content/application~1json/examples/small/value", "example-valid")],
    );
    assert!(out.contains("/id: the property is `readOnly`: it must not be sent in a request"), "{out}");
}

#[test]
fn ids_are_strings() {
    expect(
        "numeric_ids",
        &[
            ("/components/schemas/Thing/properties/id", "string-ids"),
            ("/paths/~1things/get/parameters/0/schema", "string-ids"),
            ("/paths/~1things/get/parameters/3/schema", "string-ids"),
            // The example that still has a string id no longer matches.
            ("/paths/~1things/post/responses/201/content/application~1json/example", "example-valid"),
        ],
    );
}

#[test]
fn paginated_operations_declare_pagination_with_names_that_exist() {
    expect(
        "pagination_missing",
        &[("/paths/~1things/get", "pagination-missing"), ("/paths/~1things~1recent/get", "pagination-missing")],
    );
    expect(
        "pagination_bad_names",
        &[
            ("/paths/~1things/get/x-streamkit-pagination/request/backward", "pagination-params"),
            ("/paths/~1things/get/x-streamkit-pagination/response/items", "pagination-response"),
            ("/paths/~1things/get/x-streamkit-pagination/response/cursor", "pagination-response"),
        ],
    );
}

#[test]
fn extensions_are_known_placed_and_well_formed() {
    expect(
        "extensions",
        &[
            ("/paths/~1things/get/x-streamkit-cache", "extension-unknown"),
            ("/x-streamkit-retry", "extension-misplaced"),
            ("/paths/~1things/post/x-streamkit-retry", "extension-malformed"),
            ("/paths/~1things/post/x-streamkit-ratelimit", "extension-malformed"),
            ("/components/securitySchemes/bearer/x-streamkit-header", "extension-malformed"),
        ],
    );
}

#[test]
fn policy_keys_are_checked() {
    let out = expect(
        "policy_keys",
        &[
            // A reset header without its unit.
            ("/x-streamkit-ratelimit-buckets", "extension-malformed"),
            ("/x-streamkit-retry-defaults", "extension-malformed"),
            ("/x-streamkit-classify", "extension-misplaced"),
            // `points-left` on an operation whose bucket names no `remaining` header.
            ("/paths/~1things/get/x-streamkit-classify", "extension-malformed"),
            ("/paths/~1things/post/x-streamkit-classify", "extension-malformed"),
        ],
    );
    assert!(out.contains("reset-unit"), "{out}");
    assert!(out.contains("needs bucket `quiet` to declare `headers.remaining`"), "{out}");
    assert!(out.contains("ignore"), "{out}");
}

#[test]
fn documents_are_openapi_3_0_3() {
    expect("wrong_version", &[("/openapi", "openapi-version")]);
    expect("not_openapi", &[("/paths", "openapi-structure")]);
    let out = expect("bad_yaml", &[("", "parse")]);
    assert!(out.contains("not valid YAML"), "{out}");
}

#[test]
fn the_external_validator_runs_or_says_why_not() {
    let (code, out, err) = lint(&[&case("not_openapi"), "--require-external"]);
    assert_eq!(code, 1);
    if out.contains("openapi-spec-validator ran on 1 file(s)") {
        assert!(
            out.contains(
                "xtask/tests/lint/not_openapi.yaml#/paths/~1things/post/responses/201: [openapi-spec-validator]"
            ),
            "{out}"
        );
    } else {
        assert!(err.contains("openapi-spec-validator is required but cannot run"), "{out}{err}");
    }
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(lint(&["--bogus"]).0, 2);
    assert_eq!(lint(&["--no-external", "--require-external"]).0, 2);
    let (code, _, err) = lint(&["/nonexistent/spec.yaml"]);
    assert_eq!(code, 1);
    assert!(err.contains("does not exist"), "{err}");
}
