//! `Drift` impls for every generated type, so strict mode can find values the spec does not
//! know: undocumented fields (the flattened `extra` map) and unknown enum values (the
//! `Unknown` variant added by `open_enums`).
//!
//! Only what can drift is walked: a field (or variant) whose type names no generated type
//! that can drift (a `String`, an integer, a list of strings, a closed enum, a struct
//! without `extra` whose fields cannot drift either) is skipped, and a type with nothing
//! to walk gets an empty `drift`. The impl stays on every type, so any value can be
//! asked; strict mode reports exactly what it did before, with less code to compile and
//! no `field_path` string built per leaf field.

use std::collections::BTreeSet;

use quote::{ToTokens, format_ident, quote};
use syn::{File, Item};

use crate::emit::pass::{Context, Expect, Pass};
use crate::emit::tree;

/// Implements `streamkit_runtime::drift::Drift` for every struct and enum in `types`.
pub struct DriftImpls;

fn is_type(item: &Item) -> bool {
    matches!(item, Item::Struct(_) | Item::Enum(_))
}

impl Pass for DriftImpls {
    fn name(&self) -> &'static str {
        "drift_impls"
    }

    fn expect(&self, cx: &Context<'_>, file: &File) -> Expect {
        let found = tree::module(file, "types").map_or(0, |t| t.iter().filter(|i| is_type(i)).count());
        let shape = &cx.plan.shape;
        Expect::exactly_with_floor(
            found,
            (shape.object_schemas + shape.string_enums).min(1),
            "one per struct and enum in `types`",
        )
    }

    fn run(&self, _: &mut Context<'_>, file: &mut File) -> Result<usize, String> {
        let types = tree::require_module_mut(file, "types")?;
        let drifting = drifting_types(types);
        let mut impls: Vec<Item> = Vec::new();
        for item in types.iter() {
            let (name, body) = match item {
                Item::Struct(s) => (&s.ident, struct_body(&s.fields, &drifting)),
                Item::Enum(e) => (&e.ident, enum_body(e, &drifting)),
                _ => continue,
            };
            let d = quote!(::streamkit_runtime::drift);
            impls.push(
                syn::parse2(quote! {
                    impl #d::Drift for #name {
                        #[allow(unused_variables)]
                        fn drift(&self, at: &str, out: &mut ::std::vec::Vec<::std::string::String>) {
                            #body
                        }
                    }
                })
                .map_err(|e| format!("Drift for {name}: {e}"))?,
            );
        }
        let n = impls.len();
        types.extend(impls);
        Ok(n)
    }
}

/// Whether a field or variant type names one of the `drifting` types.
fn may_drift(ty: &impl ToTokens, drifting: &BTreeSet<String>) -> bool {
    let mut names = BTreeSet::new();
    tree::idents(ty.to_token_stream(), &mut names);
    names.iter().any(|n| drifting.contains(n))
}

/// Whether a variant is an open one: `Unknown` added by `open_enums` or `open_tagged_enums`.
fn is_open_variant(v: &syn::Variant) -> bool {
    v.ident == "Unknown" && (tree::has_serde_flag(&v.attrs, "other") || tree::has_serde_flag(&v.attrs, "untagged"))
}

/// The types of `types` whose values can carry drift: structs with an `extra` map, open
/// enums, and whatever holds one of them (to a fixed point).
fn drifting_types(types: &[Item]) -> BTreeSet<String> {
    let mut drifting = BTreeSet::new();
    loop {
        let before = drifting.len();
        for item in types {
            let (name, drifts) = match item {
                Item::Struct(s) => (
                    s.ident.to_string(),
                    s.fields.iter().any(|f| tree::is_flattened_map(f) || may_drift(&f.ty, &drifting)),
                ),
                Item::Enum(e) => (
                    e.ident.to_string(),
                    e.variants.iter().any(|v| is_open_variant(v) || may_drift(&v.fields, &drifting)),
                ),
                _ => continue,
            };
            if drifts {
                drifting.insert(name);
            }
        }
        if drifting.len() == before {
            return drifting;
        }
    }
}

fn struct_body(fields: &syn::Fields, drifting: &BTreeSet<String>) -> proc_macro2::TokenStream {
    let d = quote!(::streamkit_runtime::drift);
    match fields {
        syn::Fields::Named(named) => {
            let walked = named.named.iter().filter(|f| tree::is_flattened_map(f) || may_drift(&f.ty, drifting));
            let lines = walked.filter_map(|f| Some((f, f.ident.as_ref()?))).map(|(f, ident)| {
                if tree::is_flattened_map(f) {
                    quote!(#d::report_extra(at, self.#ident.keys(), out);)
                } else if tree::has_serde_flag(&f.attrs, "flatten") {
                    quote!(#d::Drift::drift(&self.#ident, at, out);)
                } else {
                    let wire = tree::wire_name(f).unwrap_or_default();
                    quote!(#d::Drift::drift(&self.#ident, &#d::field_path(at, #wire), out);)
                }
            });
            quote!(#(#lines)*)
        }
        syn::Fields::Unnamed(u) => {
            let idx = u
                .unnamed
                .iter()
                .enumerate()
                .filter(|(_, f)| may_drift(&f.ty, drifting))
                .map(|(i, _)| syn::Index::from(i));
            quote!(#(#d::Drift::drift(&self.#idx, at, out);)*)
        }
        syn::Fields::Unit => quote!(),
    }
}

fn enum_body(e: &syn::ItemEnum, drifting: &BTreeSet<String>) -> proc_macro2::TokenStream {
    let d = quote!(::streamkit_runtime::drift);
    let walked: Vec<&syn::Variant> =
        e.variants.iter().filter(|v| is_open_variant(v) || may_drift(&v.fields, drifting)).collect();
    if walked.is_empty() {
        return quote!();
    }
    // The variants with nothing to walk share one arm.
    let rest = if walked.len() < e.variants.len() { quote!(_ => {}) } else { quote!() };
    let arms = walked.into_iter().map(|v| {
        let vi = &v.ident;
        match &v.fields {
            // The open variant added by `open_tagged_enums`: a kind the spec does not list.
            syn::Fields::Unit if vi == "Unknown" && tree::has_serde_flag(&v.attrs, "other") => {
                quote!(Self::Unknown => #d::report_unknown(at, "(a kind the spec does not list)", out),)
            }
            syn::Fields::Unit => quote!(Self::#vi => {}),
            // The open variant added by `open_enums`: a value the spec does not list.
            syn::Fields::Unnamed(u)
                if vi == "Unknown" && u.unnamed.len() == 1 && tree::has_serde_flag(&v.attrs, "untagged") =>
            {
                quote!(Self::Unknown(value) => #d::report_unknown(at, value, out),)
            }
            syn::Fields::Unnamed(u) => {
                let walk: Vec<bool> = u.unnamed.iter().map(|f| may_drift(&f.ty, drifting)).collect();
                let pats = walk.iter().enumerate().map(|(i, w)| if *w { format_ident!("f{i}").into_token_stream() } else { quote!(_) });
                let names = walk.iter().enumerate().filter(|(_, w)| **w).map(|(i, _)| format_ident!("f{i}"));
                quote!(Self::#vi(#(#pats),*) => { #(#d::Drift::drift(#names, at, out);)* })
            }
            syn::Fields::Named(n) => {
                let walked: Vec<&syn::Field> = n.named.iter().filter(|f| may_drift(&f.ty, drifting)).collect();
                let names: Vec<_> = walked.iter().filter_map(|f| f.ident.clone()).collect();
                let wires: Vec<String> = walked.iter().filter_map(|f| tree::wire_name(f)).collect();
                quote!(Self::#vi { #(#names,)* .. } => { #(#d::Drift::drift(#names, &#d::field_path(at, #wires), out);)* })
            }
        }
    });
    quote!(match self { #(#arms)* #rest })
}
