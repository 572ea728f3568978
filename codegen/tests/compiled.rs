//! The generated code of test specs (`tests/specs/compiled_recursive.yaml`,
//! `tests/specs/adapted_header_paging.yaml`), checked in under `tests/compiled/` and
//! compiled here (the second: header-paged paginators compile); recursive schemas (a type that refers to
//! itself, `Folder → File → Folder`) become boxed types that decode a finite document, a
//! keyword operationId gets a suffixed method, and a document nested deeper than the JSON
//! parser's recursion limit is an error, not a stack overflow.
//!
//! `STREAMKIT_BLESS=1 cargo test -p streamkit-codegen --test compiled` rewrites the file.

use std::path::Path;

#[rustfmt::skip] // the generator's output, compared byte for byte
#[path = "compiled/generated_recursive.rs"]
mod recursive;

#[rustfmt::skip]
#[path = "compiled/generated_header_paging.rs"]
#[allow(dead_code)]
mod header_paging;

use recursive::types::{Folder, Node};

#[test]
fn the_checked_in_output_is_current() {
    current("compiled_recursive", "generated_recursive");
    // Header-paged lists (`page` with the body as the list, `link-cursor` with items at a
    // body path): their paginators compile.
    current("adapted_header_paging", "generated_header_paging");
}

fn current(spec: &str, generated: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let out = streamkit_codegen::load::load(
        &dir.join(format!("specs/{spec}.yaml")),
        Path::new(&format!("codegen/tests/specs/{spec}.yaml")),
    )
    .and_then(|s| streamkit_codegen::generate(&s))
    .unwrap_or_else(|e| panic!("{e}"));
    let file = dir.join(format!("compiled/{generated}.rs"));
    if std::env::var_os("STREAMKIT_BLESS").is_some() {
        std::fs::write(&file, &out.code).unwrap();
    }
    let on_disk = std::fs::read_to_string(&file).unwrap().replace("\r\n", "\n");
    assert!(
        on_disk == out.code,
        "{} is stale: run STREAMKIT_BLESS=1 cargo test -p streamkit-codegen --test compiled",
        file.display()
    );
}

#[test]
fn recursive_types_decode_a_finite_document() {
    let node: Node = serde_json::from_str(
        r#"{"name": "root", "children": [{"name": "a", "children": [{"name": "a1"}]}, {"name": "b", "parent": {"name": "root"}}]}"#,
    )
    .unwrap();
    assert_eq!(node.name, "root");
    assert_eq!(node.children[0].children[0].name, "a1");
    assert_eq!(node.children[1].parent.as_ref().map(|p| p.name.as_str()), Some("root"));
    let folder: Folder =
        serde_json::from_str(r#"{"name": "f", "file": {"name": "x", "folder": {"name": "g", "file": {"name": "y"}}}}"#)
            .unwrap();
    let inner = folder.file.as_ref().and_then(|f| f.folder.as_ref()).and_then(|f| f.file.as_ref());
    assert_eq!(inner.and_then(|f| f.name.as_deref()), Some("y"));
    // And back: what was decoded encodes to the same document.
    let encoded = serde_json::to_value(&folder).unwrap();
    let again: Folder = serde_json::from_value(encoded.clone()).unwrap();
    assert_eq!(serde_json::to_value(&again).unwrap(), encoded);
}

#[test]
fn deeply_nested_input_is_an_error_not_a_stack_overflow() {
    // 100 000 levels would overflow any stack; serde_json's recursion limit (128, on: the
    // `unbounded_depth` feature is not enabled) stops it with an error.
    let depth = 100_000;
    let doc = format!("{}{{\"name\": \"leaf\"}}{}", "{\"name\": \"n\", \"parent\": ".repeat(depth), "}".repeat(depth));
    let e = serde_json::from_str::<Node>(&doc).unwrap_err();
    assert!(e.to_string().contains("recursion limit exceeded"), "{e}");
    let doc = format!("{}{{}}{}", "{\"file\": {\"folder\": ".repeat(depth), "}}".repeat(depth));
    assert!(serde_json::from_str::<Folder>(&doc).unwrap_err().to_string().contains("recursion limit exceeded"));
    // Under the limit, a deep but finite document decodes.
    let doc = format!("{}{{\"name\": \"leaf\"}}{}", "{\"name\": \"n\", \"parent\": ".repeat(40), "}".repeat(40));
    assert!(serde_json::from_str::<Node>(&doc).is_ok());
}

#[test]
fn a_keyword_operation_id_gets_a_suffixed_method() {
    // Compiles: `Client::type_` exists and returns the builder.
    let _method: for<'a> fn(&'a recursive::Client) -> recursive::builder::Type<'a> = recursive::Client::type_;
}
