//! `PageBody` impls: for each response type a paginated operation returns, how to split a
//! page into items and the next cursor. Operations that share a response type share its
//! impl (one impl per type), which the plan allows only when they page it by the same paths.
//! Header-paged operations (`page`, `link-cursor`) need none: their next page is not in the body.

use quote::{format_ident, quote};
use syn::File;

use crate::emit::pagination::page_shape;
use crate::emit::pass::{Context, Expect, Pass};
use crate::emit::tree;

/// Adds one `PageBody` impl per paginated response type.
pub struct PageBodies;

/// The distinct response types of the paginated operations, with the operation that
/// declares them first (in send-site order) and its `items / cursor` paths.
fn paged_responses<'c>(cx: &'c Context<'_>) -> Result<Vec<(String, &'c crate::emit::sites::SendSite, String)>, String> {
    let mut out: Vec<(String, &crate::emit::sites::SendSite, String)> = Vec::new();
    for site in &cx.sites {
        let Some(op) = cx.operation(site) else { continue };
        let Some(pg) = op.pagination.as_ref().filter(|p| !p.style.in_headers()) else { continue };
        let response = tree::type_name(&site.success)
            .ok_or_else(|| format!("operation {}: pagination needs a typed response", op.id))?;
        let paths = format!(
            "{} / {} / {:?}",
            pg.response.items,
            pg.response.cursor.as_deref().unwrap_or_default(),
            pg.response.end
        );
        match out.iter().find(|(r, _, _)| r == &response) {
            Some((_, _, seen)) if seen != &paths => {
                return Err(format!(
                    "operation {}: pages `{response}` with other paths than another operation that returns it ({paths})",
                    op.id
                ));
            }
            Some(_) => {}
            None => out.push((response, site, paths)),
        }
    }
    Ok(out)
}

impl Pass for PageBodies {
    fn name(&self) -> &'static str {
        "page_bodies"
    }

    fn expect(&self, cx: &Context<'_>, _: &File) -> Expect {
        // An error in `paged_responses` is reported by `run`; expect nothing then.
        let n = paged_responses(cx).map(|r| r.len()).unwrap_or(0);
        Expect::exactly(n, "one per response type of the paginated operations in the plan")
    }

    fn run(&self, cx: &mut Context<'_>, file: &mut File) -> Result<usize, String> {
        let types = tree::module(file, "types").ok_or("progenitor output has no `types` module")?;
        let mut added: Vec<syn::Item> = Vec::new();
        for (response, site, _) in paged_responses(cx)? {
            let op = cx.operation(site).ok_or("send site without operation")?;
            let pg = op.pagination.as_ref().ok_or("paged response without pagination")?;
            let cursor = pg.response.cursor.as_deref().unwrap_or_default();
            let shape = page_shape(types, &site.success, pg).map_err(|m| format!("operation {}: {m}", op.id))?;
            let response_ident = format_ident!("{}", response);
            let (item, items_expr, cursor_expr) = (&shape.item, &shape.items_expr, &shape.cursor_expr);
            let doc = format!(
                " A page of `{response}`: the items at `{}`, the next cursor at `{}`.",
                pg.response.items, cursor
            );
            // An empty cursor ends the list; so does the spec's `end` value, if it declares one.
            let next = match &pg.response.end {
                Some(end) => quote!(cursor.filter(|c| !c.is_empty() && c != #end)),
                None => quote!(cursor.filter(|c| !c.is_empty())),
            };
            added.push(
                syn::parse2(quote! {
                    #[doc = #doc]
                    impl ::streamkit_runtime::pagination::PageBody for types::#response_ident {
                        type Item = #item;
                        fn into_parts(self) -> (::std::vec::Vec<Self::Item>, ::std::option::Option<::std::string::String>) {
                            let cursor: ::std::option::Option<::std::string::String> = #cursor_expr;
                            let items = #items_expr.unwrap_or_default();
                            (items, #next)
                        }
                    }
                })
                .map_err(|e| format!("operation {}: PageBody code: {e}", op.id))?,
            );
        }
        let n = added.len();
        file.items.extend(added);
        Ok(n)
    }
}
