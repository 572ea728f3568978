//! typify's struct builders take `T: TryInto<FieldType>`, so an optional field refuses a
//! `&str` (`.title("New title")` needs `Some(ModifyChannelInformationBodyTitle::try_from(..)?)`),
//! a list refuses an array of `&str`, and an integer refuses a `u32` for an `i64`.
//!
//! Each setter is replaced by one that takes what callers have, through
//! `streamkit_runtime::input`, with the schema's bounds checked when the value is set:
//! * an optional field takes the value itself (`.title("New title")`); it stays unset
//!   unless the setter is called;
//! * a list takes any `IntoIterator` of items that convert, counted against
//!   `minItems`/`maxItems`;
//! * an integer takes any integer type, against `minimum`/`maximum`;
//! * a string is measured against `minLength`/`maxLength` (constrained string types check
//!   themselves).

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;
use syn::{File, ImplItem, Item};

use super::param_setters::is_integer;
use crate::emit::constraints::{self, Range};
use crate::emit::pass::{Context, Expect, Pass};
use crate::emit::{names, tree};

/// Rewrites every field setter of every typify builder.
pub struct FieldSetters;

/// `(struct, field ident, field type)` of every builder struct field in `types::builder`.
fn builder_fields(types: &[Item]) -> Vec<(String, syn::Ident, syn::Type)> {
    let Some(builders) = tree::module_in(types, "builder") else { return Vec::new() };
    builders
        .iter()
        .filter_map(|i| match i {
            Item::Struct(s) => Some(s),
            _ => None,
        })
        .flat_map(|s| s.fields.iter().filter_map(move |f| Some((s.ident.to_string(), f.ident.clone()?, f.ty.clone()))))
        .filter(|(_, _, ty)| tree::generic_of(ty, "Result").is_some())
        .collect()
}

/// The schema of the property behind `types::<strukt>.<field>`, if it is a component's.
fn property_schema<'d>(doc: &'d Value, types: &[Item], strukt: &str, field: &syn::Ident) -> Option<&'d Value> {
    let wire = types.iter().find_map(|i| match i {
        Item::Struct(s) if s.ident == strukt => {
            s.fields.iter().find(|f| f.ident.as_ref() == Some(field)).and_then(tree::wire_name)
        }
        _ => None,
    })?;
    let schemas = doc.pointer("/components/schemas")?.as_object()?;
    let (_, schema) = schemas.iter().find(|(k, _)| names::type_name(k) == strukt)?;
    let schema = constraints::resolve(doc, schema)?;
    constraints::resolve(doc, schema.get("properties")?.get(&wire)?)
}

/// The setter for one field.
fn setter(field: &syn::Ident, ty: &syn::Type, schema: Option<&Value>) -> Result<ImplItem, String> {
    let (inner, optional) = match tree::generic_of(ty, "Option") {
        Some(t) => (t, true),
        None => (ty, false),
    };
    let what = format!("field `{}`", syn::ext::IdentExt::unraw(field));
    let wrap = if optional { quote!(.map(::std::option::Option::Some)) } else { quote!() };
    let bounds = |f: fn(&Value) -> Range| schema.map(f).unwrap_or_default();
    let tokens: TokenStream = if let Some(item) = tree::generic_of(inner, "Vec") {
        let count = bounds(constraints::count_range).tokens();
        quote! {
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
    } else if is_integer(inner) {
        let range = bounds(constraints::value_range).tokens();
        quote! {
            pub fn #field<V: ::streamkit_runtime::input::IntegerInput>(mut self, value: V) -> Self {
                self.#field = ::streamkit_runtime::input::integer(#what, value, #range) #wrap;
                self
            }
        }
    } else {
        let length = bounds(constraints::length_range);
        let check = if length.is_bounded() && tree::type_name(inner).as_deref() == Some("String") {
            let length = length.tokens();
            quote!(.and_then(|s| ::streamkit_runtime::input::string(#what, s, #length)))
        } else {
            quote!()
        };
        quote! {
            pub fn #field<T>(mut self, value: T) -> Self
            where
                T: ::std::convert::TryInto<#inner>,
                T::Error: ::std::fmt::Display,
            {
                self.#field = ::streamkit_runtime::input::convert(#what, value) #check #wrap;
                self
            }
        }
    };
    syn::parse2(tokens).map_err(|e| format!("setter for `{field}`: {e}"))
}

impl Pass for FieldSetters {
    fn name(&self) -> &'static str {
        "field_setters"
    }

    fn expect(&self, cx: &Context<'_>, file: &File) -> Expect {
        let found = tree::module(file, "types").map_or(0, |t| builder_fields(t).len());
        Expect::exactly_with_floor(
            found,
            cx.plan.shape.object_schemas.min(1),
            format!(
                "one setter per field of each typify builder; {found} field(s), {} object schema(s) in the spec",
                cx.plan.shape.object_schemas
            ),
        )
    }

    fn run(&self, cx: &mut Context<'_>, file: &mut File) -> Result<usize, String> {
        let types = tree::require_module_mut(file, "types")?;
        let fields = builder_fields(types);
        if fields.is_empty() {
            return Ok(0);
        }
        let setters: Vec<(String, syn::Ident, ImplItem)> = fields
            .iter()
            .map(|(s, f, ty)| {
                let inner = tree::generic_of(ty, "Result").ok_or("not a Result")?;
                Ok((s.clone(), f.clone(), setter(f, inner, property_schema(cx.doc, types, s, f))?))
            })
            .collect::<Result<_, String>>()?;
        let builders = tree::module_in_mut(types, "builder").ok_or("typify output has no `types::builder` module")?;
        let mut n = 0;
        for item in builders.iter_mut() {
            let Item::Impl(imp) = item else { continue };
            if imp.trait_.is_some() {
                continue;
            }
            let Some(name) = tree::self_type_name(imp) else { continue };
            for slot in imp.items.iter_mut() {
                let ImplItem::Fn(f) = slot else { continue };
                if let Some((_, _, ours)) = setters.iter().find(|(s, field, _)| *s == name && f.sig.ident == *field) {
                    *slot = ours.clone();
                    n += 1;
                }
            }
        }
        Ok(n)
    }
}
