//! Open tagged enums: each enum in `types` tagged by a field (`#[serde(tag = "type")]`,
//! typify's output for a `oneOf` of objects with a common single-valued property, such as a
//! chat message's parts) gains a unit variant `Unknown` marked `#[serde(other)]`, so a kind
//! the spec does not list decodes instead of failing the whole message. Its fields are not
//! kept (serde's limit for tagged enums); strict mode reports it (`drift_impls`).

use syn::{File, Item};

use crate::emit::pass::{Context, Expect, Pass};
use crate::emit::tree;

/// Adds `#[serde(other)] Unknown` to every internally tagged enum of the `types` module.
pub struct OpenTaggedEnums;

/// Whether an enum has `#[serde(tag = "...")]` without `content` (internally tagged).
pub fn is_internally_tagged(e: &syn::ItemEnum) -> bool {
    let mut tag = false;
    let mut content = false;
    for a in e.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = a.parse_nested_meta(|m| {
            if m.path.is_ident("tag") {
                tag = true;
            } else if m.path.is_ident("content") {
                content = true;
            }
            if m.input.peek(syn::Token![=]) {
                let _: syn::Expr = m.value()?.parse()?;
            }
            Ok(())
        });
    }
    tag && !content
}

fn candidates(types: &[Item]) -> usize {
    types.iter().filter(|i| matches!(i, Item::Enum(e) if is_internally_tagged(e))).count()
}

impl Pass for OpenTaggedEnums {
    fn name(&self) -> &'static str {
        "open_tagged_enums"
    }

    fn expect(&self, _: &Context<'_>, file: &File) -> Expect {
        let found = tree::module(file, "types").map_or(0, |t| candidates(t));
        Expect::exactly(found, "one per enum tagged by a field in `types`")
    }

    fn run(&self, _: &mut Context<'_>, file: &mut File) -> Result<usize, String> {
        let mut n = 0;
        for item in tree::require_module_mut(file, "types")?.iter_mut() {
            let Item::Enum(e) = item else { continue };
            if !is_internally_tagged(e) {
                continue;
            }
            if e.variants.iter().any(|v| v.ident == "Unknown") {
                return Err(format!(
                    "enum {}: already has a variant `Unknown`; the open variant needs the name",
                    e.ident
                ));
            }
            e.variants.push(syn::parse_quote! {
                /// A kind this version of the spec does not know (its fields are not kept).
                #[serde(other)]
                Unknown
            });
            n += 1;
        }
        Ok(n)
    }
}
