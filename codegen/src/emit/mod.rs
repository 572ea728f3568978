//! Stage 6: emit Rust: progenitor's output, then our passes over its syntax tree.

pub mod constraints;
pub mod doc_examples;
pub mod generate;
pub mod glue;
pub mod inspect;
pub mod names;
pub mod pagination;
pub mod pass;
pub mod passes;
pub mod sites;
pub mod tree;

use std::path::Path;

use proc_macro2::TokenStream;

use crate::error::SpecError;
use crate::plan::ServicePlan;
use pass::{Context, PassCount, PassError};

/// The final syntax tree and what each pass changed.
#[derive(Debug)]
pub struct Emitted {
    /// The file to format.
    pub file: syn::File,
    /// One count per pass, in the order they ran.
    pub passes: Vec<PassCount>,
}

/// progenitor's tokens → our final syntax tree, through every pass of [`passes::pipeline`].
/// `doc` is the adapted document progenitor was given.
pub fn emit(plan: &ServicePlan, doc: &serde_json::Value, tokens: TokenStream) -> Result<Emitted, PassError> {
    let mut file: syn::File = syn::parse2(tokens).map_err(|e| PassError::Failed {
        pass: "parse",
        message: format!("progenitor produced unparsable code: {e}"),
    })?;
    let mut cx = Context::with_doc(plan, doc);
    let passes = pass::run_all(&passes::pipeline(), &mut cx, &mut file)?;
    Ok(Emitted { file, passes })
}

/// A failed pass as the spec's error: `file: codegen pass `name`: expected ..., changed ...`.
pub fn spec_error(file: &Path, e: &PassError) -> SpecError {
    SpecError::new(file, format!("codegen pass `{}`", e.pass()), "", e.message())
}

#[cfg(test)]
mod tests {
    use super::pass::{Expect, Pass, run_pass};
    use super::*;

    /// A one-operation spec with a string enum in an object response.
    fn spec() -> serde_json::Value {
        serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "x-streamkit-service": {"crate": "t", "module": "t", "base-url": "http://127.0.0.1:1"},
            "paths": {"/things": {"get": {"operationId": "getThings", "responses": {"200": {"description": "ok",
                "content": {"application/json": {"schema": {"type": "object", "properties": {
                    "kind": {"type": "string", "enum": ["a", "b"]}}}}}}}}}}
        })
    }

    /// The plan of [`spec`].
    fn plan() -> ServicePlan {
        let doc = spec();
        let adapted = crate::adapt::adapt(&doc).unwrap();
        crate::plan::plan(std::path::Path::new("specs/t.yaml"), &doc, &adapted).unwrap()
    }

    #[test]
    fn a_pass_that_matches_nothing_fails_naming_itself_and_the_expectation() {
        let plan = plan();
        // A builder whose send() has no `api-version` header: what a progenitor upgrade
        // that renamed or dropped it would look like.
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder {
                impl<'a> GetThings<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::Things>, Error<()>> {
                        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                        header_map.append("x-other", value);
                        let info = OperationInfo { operation_id: "get_things" };
                        todo!()
                    }
                }
            }
        };
        let mut cx = Context::new(&plan);
        let err = run_pass(&passes::strip_api_version::StripApiVersion, &mut cx, &mut file).unwrap_err();
        assert_eq!(err.pass(), "strip_api_version");
        let shown = err.to_string();
        assert!(shown.starts_with("codegen pass `strip_api_version`: expected to change exactly 1 (one per operation in the plan), changed 0"), "{shown}");
        assert!(shown.contains("pinned in the workspace Cargo.toml"), "{shown}");
        // As regen shows it: the spec file first.
        let shown = spec_error(&plan.file, &err).to_string();
        assert!(
            shown.starts_with("specs/t.yaml: codegen pass `strip_api_version`: expected to change exactly 1"),
            "{shown}"
        );
    }

    #[test]
    fn a_spec_with_enums_needs_opened_enums_whatever_the_tree_holds() {
        let plan = plan();
        assert_eq!(plan.shape.string_enums, 1);
        // typify's output without the enum (e.g. a version that inlines it as a String).
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Things { pub kind: Option<String> }
            }
        };
        let mut cx = Context::new(&plan);
        let err = run_pass(&passes::open_enums::OpenEnums, &mut cx, &mut file).unwrap_err();
        assert!(
            err.to_string().contains("expected to change at least 1 (the spec declares 1 string enum(s)), changed 0"),
            "{err}"
        );
    }

    #[test]
    fn a_spec_that_keeps_extra_fields_needs_flattened_maps() {
        let plan = plan();
        assert_eq!(plan.shape.open_objects, 1);
        // typify's output without the `#[serde(flatten)] extra` map.
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Things { pub kind: Option<String> }
                pub mod builder {}
            }
        };
        let err = run_pass(&passes::default_extra::DefaultExtra, &mut Context::new(&plan), &mut file).unwrap_err();
        let shown = err.to_string();
        assert!(
            shown.contains("`default_extra`: expected to change at least 1 (but found only 0 candidates)"),
            "{shown}"
        );
        assert!(shown.contains("keeps extra fields on 1 object schema(s)"), "{shown}");
    }

    #[test]
    fn the_pipeline_stops_at_the_first_pass_that_cannot_find_its_module() {
        let plan = plan();
        let err = emit(
            &plan,
            &serde_json::Value::Null,
            quote::quote!(
                pub mod types {}
            ),
        )
        .unwrap_err();
        assert_eq!(err.pass(), "strip_api_version");
        assert!(err.message().contains("no `builder` module"), "{err}");
    }

    #[test]
    fn a_pass_that_changes_more_than_expected_fails_too() {
        struct TooMany;
        impl Pass for TooMany {
            fn name(&self) -> &'static str {
                "too_many"
            }
            fn expect(&self, _: &Context<'_>, _: &syn::File) -> Expect {
                Expect::exactly(1, "one per spec")
            }
            fn run(&self, _: &mut Context<'_>, _: &mut syn::File) -> Result<usize, String> {
                Ok(2)
            }
        }
        let plan = plan();
        let mut file: syn::File = syn::parse_quote!();
        let err = run_pass(&TooMany, &mut Context::new(&plan), &mut file).unwrap_err();
        assert!(err.to_string().contains("exactly 1 (one per spec), changed 2"), "{err}");
    }

    #[test]
    fn the_real_pipeline_counts_every_pass() {
        let plan = plan();
        let adapted = crate::adapt::adapt(&spec()).unwrap();
        let tokens = generate::generate(&serde_json::from_value(adapted.doc.clone()).unwrap()).unwrap();
        let emitted = emit(&plan, &adapted.doc, tokens).unwrap();
        let counts: Vec<(&str, usize)> = emitted.passes.iter().map(|c| (c.pass, c.changed)).collect();
        assert_eq!(
            counts,
            [
                ("strip_api_version", 1),
                ("private_send", 1),
                ("parsed_base_url", 4),
                ("send_wrappers", 1),
                ("param_setters", 0),
                ("page_bodies", 0),
                ("paginate_methods", 0),
                ("open_enums", 1),
                ("default_extra", 1),
                ("field_setters", 2),
                ("unset_messages", 0),
                ("request_builders", 1),
                ("string_newtypes", 0),
                ("non_exhaustive", 2),
                ("drift_impls", 2),
                ("visit_once_deserialize", 1),
                ("enum_varnames", 0),
                ("policy_table", 1),
                ("client_glue", 3),
                ("scope_enum", 0),
                ("one_error", 6),
                ("api_docs", 2),
            ]
        );
    }
}
