//! Hostile specs end with one clear error naming the file and place, never a panic or a
//! hang: `$ref` loops, deep nesting, huge documents.

use std::path::Path;

const HEAD: &str = r##"openapi: 3.0.3
info: {title: t, version: "1.0"}
x-streamkit-service: {crate: t, module: t, base-url: "http://127.0.0.1:1"}
paths:
  /users:
    get:
      operationId: getUsers
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/A"}
"##;

fn generate(text: &str) -> Result<(), String> {
    streamkit_codegen::generate_text(text, Path::new("t.yaml")).map(|_| ()).map_err(|e| e.to_string())
}

#[test]
fn a_ref_loop_is_an_error_at_its_ref() {
    let spec = format!(
        "{HEAD}components:\n  schemas:\n    A: {{$ref: '#/components/schemas/B'}}\n    B: {{$ref: '#/components/schemas/A'}}\n"
    );
    assert_eq!(
        generate(&spec).unwrap_err(),
        "t.yaml: schema A (at #/components/schemas/A/$ref): `$ref` cycle: #/components/schemas/A → #/components/schemas/B → #/components/schemas/A"
    );
}

#[test]
fn a_recursive_schema_still_generates() {
    let spec = format!(
        "{HEAD}components:\n  schemas:\n    A: {{type: object, properties: {{kids: {{type: array, items: {{$ref: '#/components/schemas/A'}}}}}}}}\n"
    );
    assert_eq!(generate(&spec), Ok(()));
}

#[test]
fn deep_nesting_and_huge_documents_are_refused() {
    let deep = format!("{HEAD}x-deep: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let e = generate(&deep).unwrap_err();
    assert!(e.starts_with("t.yaml: document: not valid YAML"), "{e}");
    let huge = format!("{HEAD}x-pad: '{}'\n", "a".repeat(streamkit_spec::document::MAX_DOCUMENT_BYTES));
    let e = generate(&huge).unwrap_err();
    assert!(e.contains("are refused"), "{e}");
}
