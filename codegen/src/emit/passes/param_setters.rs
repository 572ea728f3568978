//! progenitor's parameter setters take `V: TryInto<T>` and drop the conversion's message:
//! `.login(["a", "b"])` does not compile (no `From<[&str; 2]>` for `Vec<String>`), neither
//! does `.first(n)` with `n: u32` (no `From<u32>` for `NonZeroU64`), and a bad value becomes
//! "conversion to `:: std :: num :: NonZeroU64` for first failed".
//!
//! Each setter is replaced by one that takes what callers have and checks the spec's bounds
//! before anything is sent, through `streamkit_runtime::input`:
//! * a list: any `IntoIterator` of items that convert (`["a", "b"]`, `&ids`, `vec![..]`),
//!   counted against `minItems`/`maxItems`;
//! * an integer: any integer type (`20`, `n_u32`, a `NonZeroU64`), against
//!   `minimum`/`maximum`, then converted to the field's type;
//! * anything else (strings, enums, constrained string types): `TryInto` as before, the
//!   conversion's complaint kept, strings measured against `minLength`/`maxLength`.
//!
//! The setter gets the parameter's description as its doc.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{File, ImplItem, Item};

use crate::emit::constraints::{self, Parameter};
use crate::emit::pass::{Context, Expect, Pass};
use crate::emit::{names, tree};

/// Rewrites every parameter setter of every operation builder.
pub struct ParamSetters;

/// The integer types a generated field can hold.
const INTEGERS: &[&str] = &[
    "u8",
    "u16",
    "u32",
    "u64",
    "usize",
    "i8",
    "i16",
    "i32",
    "i64",
    "isize",
    "NonZeroU8",
    "NonZeroU16",
    "NonZeroU32",
    "NonZeroU64",
    "NonZeroUsize",
    "NonZeroI32",
    "NonZeroI64",
];

/// Whether a type is one of the integer types codegen knows (`INTEGERS`).
pub fn is_integer(ty: &syn::Type) -> bool {
    tree::type_name(ty).is_some_and(|n| INTEGERS.contains(&n.as_str()))
}

/// The parameters of every operation in the plan, with their builder's name.
fn planned<'d>(cx: &Context<'d>) -> Vec<(String, Vec<Parameter<'d>>)> {
    cx.sites
        .iter()
        .filter_map(|site| {
            let op = cx.operation(site)?;
            Some((site.builder.clone(), constraints::parameters(cx.doc, &op.path, &op.method.to_ascii_lowercase())))
        })
        .collect()
}

/// `Result<Option<T>, String>` → `(T, true)`, `Result<T, String>` → `(T, false)`.
fn field_type(ty: &syn::Type) -> Option<(syn::Type, bool)> {
    let inner = tree::generic_of(ty, "Result")?;
    Some(match tree::generic_of(inner, "Option") {
        Some(t) => (t.clone(), true),
        None => (inner.clone(), false),
    })
}

/// The setter for one parameter.
fn setter(p: &Parameter<'_>, field: &syn::Ident, ty: &syn::Type, optional: bool) -> Result<ImplItem, String> {
    let what = format!("parameter `{}`", p.name);
    let wrap = if optional { quote!(.map(::std::option::Option::Some)) } else { quote!() };
    let doc = p.description.map(|d| quote!(#[doc = #d]));
    let tokens: TokenStream = if let Some(item) = tree::generic_of(ty, "Vec") {
        let count = constraints::count_range(p.schema).tokens();
        quote! {
            #doc
            pub fn #field<I, S>(mut self, value: I) -> Self
            where
                I: ::std::iter::IntoIterator<Item = S>,
                S: ::std::convert::TryInto<#item>,
                S::Error: ::std::fmt::Display,
            {
                self.#field = ::streamkit_runtime::input::list(#what, value, #count) #wrap;
                self
            }
        }
    } else if is_integer(ty) {
        let range = constraints::value_range(p.schema).tokens();
        quote! {
            #doc
            pub fn #field<V: ::streamkit_runtime::input::IntegerInput>(mut self, value: V) -> Self {
                self.#field = ::streamkit_runtime::input::integer(#what, value, #range) #wrap;
                self
            }
        }
    } else {
        let length = constraints::length_range(p.schema);
        let check = if length.is_bounded() && tree::type_name(ty).as_deref() == Some("String") {
            let length = length.tokens();
            quote!(.and_then(|s| ::streamkit_runtime::input::string(#what, s, #length)))
        } else {
            quote!()
        };
        quote! {
            #doc
            pub fn #field<V>(mut self, value: V) -> Self
            where
                V: ::std::convert::TryInto<#ty>,
                V::Error: ::std::fmt::Display,
            {
                self.#field = ::streamkit_runtime::input::convert(#what, value) #check #wrap;
                self
            }
        }
    };
    syn::parse2(tokens).map_err(|e| format!("setter for `{}`: {e}", p.name))
}

impl Pass for ParamSetters {
    fn name(&self) -> &'static str {
        "param_setters"
    }

    fn expect(&self, cx: &Context<'_>, _: &File) -> Expect {
        let n: usize = planned(cx).iter().map(|(_, ps)| ps.len()).sum();
        Expect::exactly(n, "one setter per parameter of each operation in the plan")
    }

    fn run(&self, cx: &mut Context<'_>, file: &mut File) -> Result<usize, String> {
        let planned = planned(cx);
        let builders = tree::require_module_mut(file, "builder")?;
        let mut n = 0;
        for (builder, params) in &planned {
            let fields: Vec<(syn::Ident, syn::Type)> = builders
                .iter()
                .find_map(|i| match i {
                    Item::Struct(s) if s.ident == builder => {
                        Some(s.fields.iter().filter_map(|f| Some((f.ident.clone()?, f.ty.clone()))).collect())
                    }
                    _ => None,
                })
                .ok_or_else(|| format!("no builder struct `{builder}`"))?;
            let imp = builders
                .iter_mut()
                .find_map(|i| match i {
                    Item::Impl(imp)
                        if tree::self_type_name(imp).as_deref() == Some(builder.as_str())
                            && imp.items.iter().any(|it| matches!(it, ImplItem::Fn(f) if f.sig.ident == "new")) =>
                    {
                        Some(imp)
                    }
                    _ => None,
                })
                .ok_or_else(|| format!("no `impl {builder}` with `new()`"))?;
            for p in params {
                let name = format_ident!("{}", names::parameter_setter(p.name));
                let (_, field_ty) = fields
                    .iter()
                    .find(|(f, _)| *f == name)
                    .ok_or_else(|| format!("`{builder}` has no field `{name}` for parameter `{}`", p.name))?;
                let (ty, optional) =
                    field_type(field_ty).ok_or_else(|| format!("`{builder}.{name}` is not a `Result<_, String>`"))?;
                let slot = imp
                    .items
                    .iter_mut()
                    .find(|it| matches!(it, ImplItem::Fn(f) if f.sig.ident == name))
                    .ok_or_else(|| format!("`{builder}` has no setter `{name}`"))?;
                *slot = setter(p, &name, &ty, optional)?;
                n += 1;
            }
        }
        Ok(n)
    }
}
