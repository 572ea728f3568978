//! `Drift` impls for every generated type, so strict mode can find values the spec does not
//! know: undocumented fields (the flattened `extra` map) and unknown enum values (the
//! `Unknown` variant added by `open_enums`).

use quote::{format_ident, quote};
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
        let mut impls: Vec<Item> = Vec::new();
        for item in types.iter() {
            let (name, body) = match item {
                Item::Struct(s) => (&s.ident, struct_body(&s.fields)),
                Item::Enum(e) => (&e.ident, enum_body(e)),
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

fn struct_body(fields: &syn::Fields) -> proc_macro2::TokenStream {
    let d = quote!(::streamkit_runtime::drift);
    match fields {
        syn::Fields::Named(named) => {
            let lines = named.named.iter().filter_map(|f| Some((f, f.ident.as_ref()?))).map(|(f, ident)| {
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
            let idx = (0..u.unnamed.len()).map(syn::Index::from);
            quote!(#(#d::Drift::drift(&self.#idx, at, out);)*)
        }
        syn::Fields::Unit => quote!(),
    }
}

fn enum_body(e: &syn::ItemEnum) -> proc_macro2::TokenStream {
    let d = quote!(::streamkit_runtime::drift);
    let arms = e.variants.iter().map(|v| {
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
                let names: Vec<_> = (0..u.unnamed.len()).map(|i| format_ident!("f{i}")).collect();
                quote!(Self::#vi(#(#names),*) => { #(#d::Drift::drift(#names, at, out);)* })
            }
            syn::Fields::Named(n) => {
                let names: Vec<_> = n.named.iter().filter_map(|f| f.ident.clone()).collect();
                let wires: Vec<String> = n.named.iter().filter_map(tree::wire_name).collect();
                quote!(Self::#vi { #(#names),* } => { #(#d::Drift::drift(#names, &#d::field_path(at, #wires), out);)* })
            }
        }
    });
    quote!(match self { #(#arms)* })
}
