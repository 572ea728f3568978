//! A one-pass `Deserialize` for every struct that keeps undocumented fields.
//!
//! serde's derive for a struct with a `#[serde(flatten)]` map buffers the whole object into
//! its intermediate `Content` tree before building the struct (+31k instructions and many
//! allocations on a 20-item Get Streams page). This pass drops `Deserialize` from such a
//! struct's derive and emits an `impl streamkit_runtime::decode::Object`: the field table (a
//! `match` on the wire names) and one match arm per field; the loop, key lookup, errors and the `extra` map are the
//! runtime's (`runtime/src/decode/`). `Serialize` stays derived (flatten is cheap there), so
//! the `#[serde(flatten)]` attribute stays and the other passes still find `extra` by it.
//!
//! The derive's semantics are kept: `rename`, `default`, an absent `Option` is `None`,
//! `deserialize_with = "Option::deserialize"` (required and nullable) must be present, the
//! same `missing field`, `duplicate field` and `expected struct X` errors. A serde attribute
//! the pass does not know fails the generation, naming it.

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use syn::punctuated::Punctuated;
use syn::{File, Item, ItemStruct};

use crate::emit::pass::{Context, Expect, Pass};
use crate::emit::tree;

/// Replaces the derived `Deserialize` of structs with a flattened map by a one-pass one.
pub struct VisitOnceDeserialize;

/// What a known field becomes when its key is absent.
enum Absent {
    /// `None` for an `Option`, else `missing field`.
    Missing,
    /// `#[serde(default)]`.
    Default,
    /// `#[serde(default = "path")]`.
    DefaultWith(syn::ExprPath),
    /// `#[serde(deserialize_with = "Option::deserialize")]`: required though nullable.
    Required,
}

/// How one field is decoded.
enum Slot {
    Known { ident: syn::Ident, wire: String, absent: Absent },
    Extra(syn::Ident),
}

fn derives_deserialize(s: &ItemStruct) -> bool {
    derive_paths(&s.attrs).any(|p| p.segments.last().is_some_and(|seg| seg.ident == "Deserialize"))
}

fn derive_paths(attrs: &[syn::Attribute]) -> impl Iterator<Item = syn::Path> + '_ {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .filter_map(|a| a.parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated).ok())
        .flatten()
}

/// Whether the pass rewrites `s`: a derived `Deserialize` and a flattened map.
fn applies(s: &ItemStruct) -> bool {
    derives_deserialize(s) && s.fields.iter().any(tree::is_flattened_map)
}

fn structs(types: &[Item]) -> usize {
    types.iter().filter(|i| matches!(i, Item::Struct(s) if applies(s))).count()
}

impl Pass for VisitOnceDeserialize {
    fn name(&self) -> &'static str {
        "visit_once_deserialize"
    }

    fn expect(&self, cx: &Context<'_>, file: &File) -> Expect {
        let found = tree::module(file, "types").map_or(0, |t| structs(t));
        let open = cx.plan.shape.open_objects;
        Expect::exactly_with_floor(
            found,
            open.min(1),
            format!(
                "one per struct deriving `Deserialize` with a `#[serde(flatten)]` map; {found} such struct(s) generated, and the adapted spec keeps extra fields on {open} object schema(s)"
            ),
        )
    }

    fn run(&self, _: &mut Context<'_>, file: &mut File) -> Result<usize, String> {
        rewrite(tree::require_module_mut(file, "types")?)
    }
}

/// Rewrites every struct of `types` the pass applies to; returns how many.
fn rewrite(types: &mut Vec<Item>) -> Result<usize, String> {
    let mut n = 0;
    let mut i = 0;
    while i < types.len() {
        let Item::Struct(s) = &mut types[i] else {
            i += 1;
            continue;
        };
        if !applies(s) {
            i += 1;
            continue;
        }
        let impls = one_pass_impls(s)?;
        drop_derive(s, "Deserialize");
        let count = impls.len();
        types.splice(i + 1..i + 1, impls);
        i += 1 + count;
        n += 1;
    }
    Ok(n)
}

/// `#[derive(A, ::serde::Deserialize, B)]` → `#[derive(A, B)]`.
fn drop_derive(s: &mut ItemStruct, name: &str) {
    for attr in s.attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        let Ok(paths) = attr.parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated) else {
            continue;
        };
        let kept = paths.into_iter().filter(|p| p.segments.last().is_none_or(|seg| seg.ident != name));
        *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
    }
}

fn slots(s: &ItemStruct) -> Result<Vec<Slot>, String> {
    let name = &s.ident;
    if s.attrs.iter().any(|a| a.path().is_ident("serde")) {
        return Err(format!(
            "{name}: a container `#[serde(...)]` attribute; the one-pass Deserialize does not support it"
        ));
    }
    let mut out = Vec::new();
    let mut extra = false;
    for f in &s.fields {
        let ident = f.ident.clone().ok_or_else(|| format!("{name}: a field without a name"))?;
        if tree::is_flattened_map(f) {
            if extra {
                return Err(format!("{name}: two `#[serde(flatten)]` maps"));
            }
            extra = true;
            out.push(Slot::Extra(ident));
            continue;
        }
        let wire = tree::wire_name(f).ok_or_else(|| format!("{name}: a field without a name"))?;
        let absent = absent(&f.attrs).map_err(|e| format!("{name}.{ident}: {e}"))?;
        out.push(Slot::Known { ident, wire, absent });
    }
    Ok(out)
}

/// Reads a field's serde attributes: what matters when its key is absent; an error for one
/// that changes decoding in a way this pass does not implement.
fn absent(attrs: &[syn::Attribute]) -> Result<Absent, String> {
    let mut absent = Absent::Missing;
    for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        a.parse_nested_meta(|m| {
            let key = m.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
            match key.as_str() {
                "rename" | "skip_serializing_if" | "serialize_with" => {
                    let _: syn::Expr = m.value()?.parse()?;
                }
                "default" if m.input.peek(syn::Token![=]) => {
                    let path: syn::LitStr = m.value()?.parse()?;
                    absent = Absent::DefaultWith(path.parse()?);
                }
                "default" => absent = Absent::Default,
                "deserialize_with" => {
                    let path: syn::LitStr = m.value()?.parse()?;
                    let path: syn::Path = path.parse()?;
                    let segs: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
                    if !segs.ends_with(&["Option".to_string(), "deserialize".to_string()]) {
                        return Err(m.error("`deserialize_with` other than `Option::deserialize` is not supported"));
                    }
                    absent = Absent::Required;
                }
                other => return Err(m.error(format!("serde attribute `{other}` is not supported"))),
            }
            Ok(())
        })
        .map_err(|e| format!("{e} (by the one-pass Deserialize of visit_once_deserialize)"))?;
    }
    Ok(absent)
}

fn one_pass_impls(s: &ItemStruct) -> Result<Vec<Item>, String> {
    let name = &s.ident;
    let name_str = name.to_string();
    let slots = slots(s)?;
    let known: Vec<(&syn::Ident, &String, &Absent)> = slots
        .iter()
        .filter_map(|s| match s {
            Slot::Known { ident, wire, absent } => Some((ident, wire, absent)),
            Slot::Extra(_) => None,
        })
        .collect();
    let table = known.iter().enumerate().map(|(i, (_, wire, _))| {
        let lit = Literal::usize_unsuffixed(i);
        quote!(#wire => Some(#lit),)
    });
    let arms = known.iter().enumerate().map(|(i, (_, wire, _))| {
        let (lit, idx) = (Literal::usize_unsuffixed(i), syn::Index::from(i));
        quote!(#lit => m.put(&mut f.#idx, #wire)?,)
    });
    let mut k = 0;
    let inits = slots.iter().map(|slot| match slot {
        Slot::Extra(ident) => quote!(#ident: m.extra()),
        Slot::Known { ident, wire, absent } => {
            let idx = syn::Index::from(k);
            k += 1;
            match absent {
                Absent::Missing => quote!(#ident: m.take(f.#idx, #wire)?),
                Absent::Default => quote!(#ident: f.#idx.unwrap_or_default()),
                Absent::DefaultWith(path) => quote!(#ident: f.#idx.unwrap_or_else(#path)),
                Absent::Required => quote!(#ident: m.require(f.#idx, #wire)?),
            }
        }
    });
    let inits: Vec<TokenStream> = inits.collect();
    let slots_decl = if known.is_empty() {
        quote!()
    } else {
        let nones = known.iter().map(|_| quote!(None,));
        quote!(let mut f = (#(#nones)*);)
    };
    let de = quote!(::streamkit_runtime::decode);
    let tokens = quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                #de::object(deserializer)
            }
        }
        impl #de::Object for #name {
            const NAME: &'static str = #name_str;
            fn visit<'de, A: ::serde::de::MapAccess<'de>>(map: A) -> ::std::result::Result<Self, A::Error> {
                let mut m = #de::Fields::new(map, |k| match k { #(#table)* _ => None });
                #slots_decl
                while let Some(i) = m.next_field()? {
                    match i {
                        #(#arms)*
                        _ => m.skip_value()?,
                    }
                }
                Ok(Self { #(#inits),* })
            }
        }
    };
    let file: File = syn::parse2(tokens).map_err(|e| format!("one-pass Deserialize for {name}: {e}"))?;
    Ok(file.items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(mut types: Vec<Item>) -> Result<(usize, Vec<Item>), String> {
        let n = rewrite(&mut types)?;
        Ok((n, types))
    }

    #[test]
    fn a_struct_with_a_flattened_map_gets_the_one_pass_impl_and_keeps_serialize() {
        let (n, items) = run(vec![
            syn::parse_quote! {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct S {
                    pub id: String,
                    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
                    pub type_: Option<String>,
                    #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                    pub tags: Vec<String>,
                    #[serde(deserialize_with = "::std::option::Option::deserialize")]
                    pub nullable: Option<String>,
                    #[serde(flatten)]
                    pub extra: ::serde_json::Map<String, ::serde_json::Value>,
                }
            },
            syn::parse_quote!(
                #[derive(::serde::Deserialize)]
                pub struct Plain {
                    pub id: String,
                }
            ),
        ])
        .unwrap();
        assert_eq!(n, 1);
        let mut file: File = syn::parse_quote!();
        file.items = items;
        let text = prettyplease::unparse(&file);
        assert!(text.contains("#[derive(::serde::Serialize, Clone, Debug)]\npub struct S"), "{text}");
        assert!(text.contains("#[derive(::serde::Deserialize)]\npub struct Plain"), "{text}");
        for line in [
            r#""type" => Some(1),"#,
            "let mut f = (None, None, None, None);",
            r#"3 => m.put(&mut f.3, "nullable")?,"#,
            r#"id: m.take(f.0, "id")?,"#,
            "tags: f.2.unwrap_or_default(),",
            r#"nullable: m.require(f.3, "nullable")?,"#,
            "extra: m.extra(),",
            r#"const NAME: &'static str = "S";"#,
        ] {
            assert!(text.contains(line), "{line} not in\n{text}");
        }
    }

    #[test]
    fn an_attribute_it_does_not_implement_fails_naming_it() {
        let e = run(vec![syn::parse_quote! {
            #[derive(::serde::Deserialize)]
            pub struct S {
                #[serde(alias = "ident")]
                pub id: String,
                #[serde(flatten)]
                pub extra: ::serde_json::Map<String, ::serde_json::Value>,
            }
        }])
        .err()
        .unwrap_or_default();
        assert!(e.contains("S.id") && e.contains("`alias`"), "{e}");
    }
}
