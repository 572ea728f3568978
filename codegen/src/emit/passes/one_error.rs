//! One error type for users: `streamkit_runtime::Error`.
//!
//! progenitor re-exports its own `Error` from the client module (`helix::Error`, documented
//! as "Error produced by generated client methods"), yet every public `send()` returns the
//! runtime's, so `Result<_, helix::Error>` in user code gave a `?` conversion error. This
//! pass keeps progenitor's error private to the module under the name `ProgenitorError`
//! (the builders' `send_raw` and the hooks still use it), makes `Error` in the module the
//! runtime's, and lets typify's `ConversionError` (what `TryFrom<&str>` of a constrained
//! type returns) convert into it with `?`.

use syn::visit_mut::VisitMut;
use syn::{File, Item, UseTree};

use crate::emit::pass::{Context, Expect, Pass};
use crate::emit::tree;

/// Hides progenitor's `Error` and re-exports the runtime's in its place.
pub struct OneError;

/// The name progenitor's error keeps inside the module.
const PRIVATE: &str = "ProgenitorError";

/// Removes `Error` from a `use progenitor_client::{..}` tree; whether it was there.
fn drop_error(tree: &mut UseTree) -> bool {
    match tree {
        UseTree::Path(p) => drop_error(&mut p.tree),
        UseTree::Group(g) => {
            let before = g.items.len();
            g.items = std::mem::take(&mut g.items)
                .into_iter()
                .filter(|t| !matches!(t, UseTree::Name(n) if n.ident == "Error"))
                .collect();
            before != g.items.len()
        }
        _ => false,
    }
}

/// `Error` → `ProgenitorError as Error` in a `use super::{..}` tree; whether it was there.
fn alias_error(tree: &mut UseTree) -> bool {
    match tree {
        UseTree::Path(p) => alias_error(&mut p.tree),
        UseTree::Group(g) => {
            let mut found = false;
            for t in g.items.iter_mut() {
                if matches!(t, UseTree::Name(n) if n.ident == "Error") {
                    *t = syn::parse_quote!(ProgenitorError as Error);
                    found = true;
                }
            }
            found
        }
        _ => false,
    }
}

/// `Error<..>` and `Error::X` paths → `ProgenitorError..` (in the hooks impl).
struct Rename(usize);

impl VisitMut for Rename {
    fn visit_path_mut(&mut self, p: &mut syn::Path) {
        if p.leading_colon.is_none()
            && let Some(first) = p.segments.first_mut()
            && first.ident == "Error"
        {
            first.ident = quote::format_ident!("{PRIVATE}");
            self.0 += 1;
        }
        syn::visit_mut::visit_path_mut(self, p);
    }
}

impl Pass for OneError {
    fn name(&self) -> &'static str {
        "one_error"
    }

    fn expect(&self, _: &Context<'_>, _: &File) -> Expect {
        Expect::at_least(
            5,
            "progenitor's re-export, the builders' import, at least one use in the hooks impl, and the runtime's `Error` with its `From<ConversionError>` added",
        )
    }

    fn run(&self, _: &mut Context<'_>, file: &mut File) -> Result<usize, String> {
        let mut n = 0;
        let mut hidden = false;
        for item in file.items.iter_mut() {
            match item {
                Item::Use(u) => {
                    if matches!(u.vis, syn::Visibility::Public(_)) && drop_error(&mut u.tree) {
                        hidden = true;
                        n += 1;
                    }
                }
                Item::Mod(m) if m.ident == "builder" => {
                    for inner in m.content.iter_mut().flat_map(|(_, items)| items.iter_mut()) {
                        if let Item::Use(u) = inner
                            && alias_error(&mut u.tree)
                        {
                            n += 1;
                        }
                    }
                }
                Item::Mod(_) => {}
                other => {
                    let mut r = Rename(0);
                    r.visit_item_mut(other);
                    n += r.0;
                }
            }
        }
        if !hidden {
            return Err("progenitor's output has no `pub use progenitor_client::{.., Error, ..}` to hide".into());
        }
        let private = quote::format_ident!("{PRIVATE}");
        file.items.insert(0, syn::parse_quote!(#[allow(unused_imports)] use progenitor_client::Error as #private;));
        file.items.insert(
            1,
            syn::parse_quote! {
                /// The one error type of every call: `streamkit_runtime::Error`, re-exported.
                pub use ::streamkit_runtime::Error;
            },
        );
        n += 1;
        let has_conversion_error = tree::module(file, "types").and_then(|t| tree::module_in(t, "error")).is_some();
        if has_conversion_error {
            file.items.push(syn::parse_quote! {
                /// A value that does not fit its type (`TryFrom`/`FromStr` of a constrained
                /// type) is an invalid request, so `?` works in code that returns [`Error`].
                impl ::std::convert::From<types::error::ConversionError> for ::streamkit_runtime::Error {
                    fn from(e: types::error::ConversionError) -> Self {
                        ::streamkit_runtime::Error::InvalidRequest { operation: ::std::option::Option::None, message: e.to_string() }
                    }
                }
            });
            n += 1;
        }
        Ok(n)
    }
}
