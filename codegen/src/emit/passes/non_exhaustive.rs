//! `#[non_exhaustive]` on every generated struct with named fields and every enum, so that
//! what is additive on the wire (a new field, a new enum value) is additive in Rust too:
//! callers build values with the builders and match enums with a `_` arm.

use syn::{File, Item};

use crate::emit::pass::{Context, Expect, Pass};
use crate::emit::tree;

/// Marks the `types` module's structs and enums `#[non_exhaustive]`.
pub struct NonExhaustive;

fn applies(item: &Item) -> bool {
    match item {
        Item::Struct(s) => matches!(s.fields, syn::Fields::Named(_)),
        Item::Enum(_) => true,
        _ => false,
    }
}

impl Pass for NonExhaustive {
    fn name(&self) -> &'static str {
        "non_exhaustive"
    }

    fn expect(&self, cx: &Context<'_>, file: &File) -> Expect {
        let found = tree::module(file, "types").map_or(0, |t| t.iter().filter(|i| applies(i)).count());
        let shape = &cx.plan.shape;
        Expect::exactly_with_floor(
            found,
            (shape.object_schemas + shape.string_enums).min(1),
            format!(
                "every struct with named fields and every enum in `types`; the spec has {} object schema(s), {} string enum(s)",
                shape.object_schemas, shape.string_enums
            ),
        )
    }

    fn run(&self, _: &mut Context<'_>, file: &mut File) -> Result<usize, String> {
        let mut n = 0;
        for item in tree::require_module_mut(file, "types")?.iter_mut() {
            let attrs = match item {
                Item::Struct(s) if matches!(s.fields, syn::Fields::Named(_)) => &mut s.attrs,
                Item::Enum(e) => &mut e.attrs,
                _ => continue,
            };
            attrs.push(syn::parse_quote!(#[non_exhaustive]));
            n += 1;
        }
        Ok(n)
    }
}
