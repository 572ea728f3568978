//! progenitor adds an `api-version` header to every request (a dropshot convention our
//! APIs do not speak). The statement is
//! `header_map.append(HeaderName::from_static(..), HeaderValue::from_static(Client::api_version()))`;
//! it is recognised by its call to the `ClientInfo::api_version` function, not by text.

use syn::File;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;

use crate::emit::pass::{Context, Expect, Pass};
use crate::emit::tree;

/// Removes progenitor's `api-version` header from every request.
pub struct StripApiVersion;

/// Whether a statement calls a function or method named `api_version` anywhere inside it.
fn calls_api_version(stmt: &syn::Stmt) -> bool {
    struct Find(bool);
    impl<'ast> Visit<'ast> for Find {
        fn visit_expr(&mut self, e: &'ast syn::Expr) {
            if tree::called_name(e).as_deref() == Some("api_version") {
                self.0 = true;
            }
            syn::visit::visit_expr(self, e);
        }
    }
    let mut find = Find(false);
    find.visit_stmt(stmt);
    find.0
}

/// Whether a statement is `<receiver>.append(..)` with an `api_version()` call in it.
fn is_api_version_append(stmt: &syn::Stmt) -> bool {
    let syn::Stmt::Expr(syn::Expr::MethodCall(call), Some(_)) = stmt else { return false };
    call.method == "append" && calls_api_version(stmt)
}

impl Pass for StripApiVersion {
    fn name(&self) -> &'static str {
        "strip_api_version"
    }

    fn expect(&self, cx: &Context<'_>, _: &File) -> Expect {
        Expect::exactly(cx.plan.operations.len(), "one per operation in the plan")
    }

    fn run(&self, _: &mut Context<'_>, file: &mut File) -> Result<usize, String> {
        struct Strip(usize);
        impl VisitMut for Strip {
            fn visit_block_mut(&mut self, block: &mut syn::Block) {
                let before = block.stmts.len();
                block.stmts.retain(|s| !is_api_version_append(s));
                self.0 += before - block.stmts.len();
                syn::visit_mut::visit_block_mut(self, block);
            }
        }
        let mut strip = Strip(0);
        for item in tree::require_module_mut(file, "builder")? {
            strip.visit_item_mut(item);
        }
        Ok(strip.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_append_with_api_version_is_recognised_and_others_are_not() {
        let api: syn::Stmt = syn::parse_quote! {
            header_map.append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(Client::api_version()),
            );
        };
        let other: syn::Stmt = syn::parse_quote! { header_map.append("api-version", value.to_string().try_into()?); };
        assert!(is_api_version_append(&api));
        assert!(!is_api_version_append(&other), "a string that looks like the header is not the statement");
    }
}
