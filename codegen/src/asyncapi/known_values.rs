//! Integers with known values (`anyOf` of titled `const`s plus `{type: integer}`, e.g.
//! Constellation's error codes, where two numberings of the same errors are both in use):
//! typify makes the integer a newtype; this adds one associated constant per known value
//! (`ErrorCode::UNKNOWN_EVENT`), `name()` giving a known value's title, and `is_known()`.
//! Any other integer still decodes.

use heck::ToShoutySnakeCase;
use quote::{format_ident, quote};
use syn::{File, Item};

use super::types::KnownValues;
use crate::emit::{names, tree};

/// Adds the constants to each newtype of `known` in `types`.
pub fn apply(file: &mut File, known: &KnownValues) -> Result<(), String> {
    if known.is_empty() {
        return Ok(());
    }
    let types = tree::require_module_mut(file, "types")?;
    for (schema, values) in known {
        let name = names::type_name(schema);
        let found = types
            .iter()
            .any(|i| matches!(i, Item::Struct(s) if s.ident == name && matches!(s.fields, syn::Fields::Unnamed(_))));
        if !found {
            return Err(format!("{schema}: expected typify to make the integer a newtype `{name}`"));
        }
        let ident = format_ident!("{name}");
        let consts = values.iter().map(|v| {
            let c = format_ident!("{}", v.title.to_shouty_snake_case());
            let value = v.value;
            let d = format!(" `{}`: {}", v.value, v.doc);
            quote!(#[doc = #d] pub const #c: Self = Self(#value);)
        });
        let arms = values.iter().map(|v| {
            let value = v.value;
            let title = &v.title;
            quote!(#value => Some(#title))
        });
        let item: Item = syn::parse2(quote! {
            impl #ident {
                #(#consts)*

                /// The name of a known value (its title in the spec); `None` for another.
                pub fn name(&self) -> ::std::option::Option<&'static str> {
                    match self.0 {
                        #(#arms,)*
                        _ => None,
                    }
                }

                /// Whether the spec knows this value.
                pub fn is_known(&self) -> bool {
                    self.name().is_some()
                }
            }
        })
        .map_err(|e| format!("{schema}: {e}"))?;
        types.push(item);
    }
    Ok(())
}
