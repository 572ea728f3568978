//! Hostile specs (`tests/specs/hostile_*.yaml`), one per class of issue 10's "Codegen and
//! xtask" list. Each once made the generator write outside the tree, emit code that does
//! not compile, or drop policy silently; each now ends with one clear error line naming the
//! file, the JSON pointer and what collides or is wrong, and never a panic.

use std::path::Path;
use std::process::Command;

/// Runs the `streamkit-codegen` binary on a test spec; asserts it fails with one line.
fn refused(name: &str) -> String {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/specs").join(format!("{name}.yaml"));
    let out = Command::new(env!("CARGO_BIN_EXE_streamkit-codegen")).arg(&spec).output().expect("run streamkit-codegen");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked at"), "{name}: a panic reached stderr:\n{stderr}");
    assert!(!out.status.success(), "{name} should be refused");
    assert!(out.stdout.is_empty(), "{name}: code was printed");
    assert_eq!(stderr.lines().count(), 1, "{name}: one line of error, got:\n{stderr}");
    assert!(stderr.starts_with(&format!("error: {name}.yaml: ")), "{name}: the error names the file:\n{stderr}");
    stderr
}

fn expect(name: &str, pointer: &str, mentions: &[&str]) {
    let e = refused(name);
    assert!(e.contains(&format!("(at #{pointer})")), "{name}: the error should point at #{pointer}:\n{e}");
    for m in mentions {
        assert!(e.contains(m), "{name}: the error should mention {m:?}:\n{e}");
    }
}

#[test]
fn crate_and_module_names_cannot_leave_the_tree() {
    expect("hostile_crate_escape", "/x-streamkit-service/crate", &["`../runtime`", "not a plain name"]);
    expect(
        "hostile_module_escape",
        "/x-streamkit-service/module",
        &["`../../../runtime/src/lib`", "not a plain Rust identifier"],
    );
}

#[test]
fn names_that_collide_in_rust_are_refused_naming_both() {
    expect(
        "hostile_parameter_collision",
        "/paths/~1users/get/parameters/1",
        &["`Login`", "`login`", "#/paths/~1users/get/parameters/0", "builder method `login`"],
    );
    expect(
        "hostile_property_collision",
        "/components/schemas/User/properties/display_name",
        &["`displayName`", "`display_name`", "field `display_name`"],
    );
    expect("hostile_property_self", "/components/schemas/User/properties/self", &["`Self`", "`self`", "field `self_`"]);
    expect(
        "hostile_property_extra",
        "/components/schemas/User/properties/extra",
        &["`extra`", "unknown", "additionalProperties: false"],
    );
    expect(
        "hostile_type_collision",
        "/components/schemas/user",
        &["`User`", "`user`", "#/components/schemas/User", "type `User`"],
    );
    expect(
        "hostile_operation_collision",
        "/paths/~1users2/get/operationId",
        &["`getUsers`", "`get_users`", "#/paths/~1users/get", "client method `get_users`"],
    );
}

#[test]
fn names_the_generated_code_already_uses_are_refused() {
    expect("hostile_reserved_method", "/paths/~1users/get/operationId", &["`new`", "already has"]);
    expect("hostile_reserved_setter", "/paths/~1users/post/parameters/0", &["`send`", "already has"]);
}

#[test]
fn schemas_recursing_through_compositions_only_are_refused_naming_the_cycle() {
    // `struct A(Box<B>)` / an untagged `B` trying `A`: decoding calls itself without reading
    // input. Recursion through properties and arrays is fine (tests/compiled.rs).
    expect(
        "hostile_composition_cycle",
        "/components/schemas/B/oneOf/1/$ref",
        &["#/components/schemas/A → #/components/schemas/B → #/components/schemas/A", "property or an array"],
    );
}

#[test]
fn misspelled_extension_keys_are_refused() {
    expect(
        "hostile_misspelled_key",
        "/paths/~1users/get/x-streamkit-retyr",
        &["unknown extension `x-streamkit-retyr`", "x-streamkit-retry"],
    );
}

#[test]
fn header_templates_are_valid_http() {
    expect(
        "hostile_header_crlf",
        "/components/securitySchemes/app/x-streamkit-header/value",
        &["'\\r'", "control characters"],
    );
    expect("hostile_header_name", "/components/securitySchemes/app/x-streamkit-header/name", &["`Bad Header:`", "' '"]);
}

const HEAD: &str = r##"openapi: 3.0.3
info: {title: t, version: "1.0"}
x-streamkit-service: {crate: t, module: t, base-url: "http://127.0.0.1:1"}
"##;

fn generate(text: &str) -> Result<streamkit_codegen::Output, String> {
    streamkit_codegen::generate_text(text, Path::new("t.yaml")).map_err(|e| e.to_string())
}

fn users_returning(schema: &str) -> String {
    format!(
        "{HEAD}paths:\n  /users:\n    get:\n      operationId: getUsers\n      responses:\n        \"200\":\n          description: ok\n          content:\n            application/json:\n              schema: {schema}\n"
    )
}

#[test]
fn keyword_operation_ids_get_suffixed_methods() {
    let mut spec = format!("{HEAD}paths:\n");
    for (i, id) in ["type", "self", "async", "crate", "super", "fn", "match", "r#type_x"].iter().enumerate() {
        spec.push_str(&format!("  /k{i}:\n    get:\n      operationId: \"{id}\"\n      responses:\n        \"204\": {{description: none}}\n"));
    }
    let out = generate(&spec).unwrap_or_else(|e| panic!("keywords should generate: {e}"));
    for method in ["type_", "self_", "async_", "crate_", "super_", "fn_", "match_"] {
        assert!(out.code.contains(&format!("pub fn {method}(&self)")), "no `{method}` method");
    }
    // `Self` and `self` both become `self_`: a collision, named.
    let clash = format!(
        "{HEAD}paths:\n  /a:\n    get:\n      operationId: self\n      responses:\n        \"204\": {{description: none}}\n  /b:\n    get:\n      operationId: Self\n      responses:\n        \"204\": {{description: none}}\n"
    );
    let e = generate(&clash).unwrap_err();
    assert!(e.contains("`self`") && e.contains("`Self`") && e.contains("client method `self_`"), "{e}");
}

#[test]
fn huge_enums_and_objects_are_refused_quickly() {
    let values: Vec<String> = (0..200_000).map(|i| format!("v{i}")).collect();
    let spec = users_returning(&format!("{{type: string, enum: [{}]}}", values.join(", ")));
    let started = std::time::Instant::now();
    let e = generate(&spec).unwrap_err();
    assert!(e.starts_with("t.yaml: operation getUsers (at #/paths/~1users/get/responses/200/content/application~1json/schema/enum): an enum of 200000 values; at most 1000"), "{e}");
    // Not a timing assertion on the result: a generous bound that only catches the old 20 s.
    assert!(started.elapsed() < std::time::Duration::from_secs(15), "took {:?}", started.elapsed());
    let props: Vec<String> = (0..1_001).map(|i| format!("p{i}: {{type: string}}")).collect();
    let e = generate(&users_returning(&format!("{{type: object, properties: {{{}}}}}", props.join(", ")))).unwrap_err();
    assert!(e.contains("/schema/properties): an object of 1001 properties; at most 1000"), "{e}");
    let mut many = format!("{HEAD}paths:\n");
    for i in 0..2_001 {
        many.push_str(&format!(
            "  /p{i}:\n    get:\n      operationId: op{i}\n      responses:\n        \"204\": {{description: none}}\n"
        ));
    }
    let e = generate(&many).unwrap_err();
    assert!(e.contains("(at #/paths): 2001 operations; a spec may declare at most 2000"), "{e}");
    // At the limit, it generates.
    let values: Vec<String> = (0..1_000).map(|i| format!("v{i}")).collect();
    assert!(generate(&users_returning(&format!("{{type: string, enum: [{}]}}", values.join(", ")))).is_ok());
}

#[test]
fn rate_limit_and_parameter_header_names_are_valid_http() {
    let spec = format!(
        "{HEAD}x-streamkit-ratelimit-buckets:\n  b: {{points: 1, per-seconds: 1, scope: client, headers: {{remaining: \"Rate\\nLimit\"}}}}\npaths:\n  /users:\n    get:\n      operationId: getUsers\n      responses:\n        \"204\": {{description: none}}\n"
    );
    let e = generate(&spec).unwrap_err();
    assert!(e.contains("(at #/x-streamkit-ratelimit-buckets/b/headers/remaining)") && e.contains("'\\n'"), "{e}");
    let spec = format!(
        "{HEAD}paths:\n  /users:\n    get:\n      operationId: getUsers\n      parameters:\n        - {{name: \"X Bad\", in: header, schema: {{type: string}}}}\n      responses:\n        \"204\": {{description: none}}\n"
    );
    let e = generate(&spec).unwrap_err();
    assert!(e.contains("(at #/paths/~1users/get/parameters/0/name)") && e.contains("header parameter"), "{e}");
}

#[test]
fn properties_merged_by_all_of_collide_too() {
    let spec = format!(
        "{}components:\n  schemas:\n    Base: {{type: object, properties: {{display_name: {{type: string}}}}}}\n    User:\n      allOf:\n        - $ref: '#/components/schemas/Base'\n        - {{type: object, properties: {{displayName: {{type: string}}}}}}\n",
        users_returning("{$ref: '#/components/schemas/User'}")
    );
    let e = generate(&spec).unwrap_err();
    assert!(
        e.contains("`display_name`")
            && e.contains("`displayName`")
            && e.contains("#/components/schemas/User/allOf/1/properties/displayName"),
        "{e}"
    );
}

#[test]
fn a_ref_to_its_own_ancestor_ends() {
    // Found by fuzz/ (spec_mutations): a media type that refers to the operation holding it
    // sent the search for response schemas round the loop until the stack overflowed.
    let spec = format!(
        "{HEAD}paths:\n  /device:\n    post:\n      operationId: start\n      responses:\n        \"200\":\n          description: ok\n          content:\n            application/json: {{$ref: '#/paths/~1device/post'}}\n"
    );
    if let Err(e) = generate(&spec) {
        assert!(e.starts_with("t.yaml"), "{e}");
    }
    let spec = format!(
        "{HEAD}paths:\n  /device:\n    post:\n      operationId: start\n      responses:\n        \"200\": {{$ref: '#/components/responses/R'}}\ncomponents:\n  responses:\n    R:\n      description: ok\n      content:\n        application/json:\n          schema: {{$ref: '#/components/responses/R'}}\n"
    );
    if let Err(e) = generate(&spec) {
        assert!(e.starts_with("t.yaml"), "{e}");
    }
}
