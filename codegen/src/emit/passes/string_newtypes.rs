//! typify's constrained string types (`minLength`, `maxLength`, `pattern`) convert from
//! `&str` and `String` but not `&String`, so `.broadcaster_id(&id)` with `id: String` did
//! not compile; and their complaint (`shorter than 1 characters`) does not say which value.
//! This pass adds `TryFrom<&String>` and puts the value in front of each complaint
//! (`"" is shorter than 1 characters`).

use syn::visit_mut::VisitMut;
use syn::{File, ImplItem, Item};

use crate::emit::pass::{Context, Expect, Pass};
use crate::emit::tree;

/// Adds `TryFrom<&String>` to, and names the value in the errors of, constrained strings.
pub struct StringNewtypes;

/// Whether an impl is `TryFrom<&str> for X` (its trait's type argument is `&str`).
fn try_from_str(imp: &syn::ItemImpl) -> bool {
    let Some((path, _)) = &imp.trait_ else {
        return false;
    };
    let Some(seg) = path.segments.last() else { return false };
    seg.ident == "TryFrom"
        && matches!(tree::first_type_argument(seg), Some(syn::Type::Reference(r)) if tree::type_name(&r.elem).as_deref() == Some("str"))
}

/// The newtypes: `TryFrom<&str>` impls of tuple structs around a `String`.
fn newtypes(types: &[Item]) -> Vec<String> {
    let wraps_string = |name: &str| {
        types.iter().any(|i| {
            matches!(i, Item::Struct(s) if s.ident == name
            && matches!(&s.fields, syn::Fields::Unnamed(f) if f.unnamed.len() == 1
                && tree::type_name(&f.unnamed[0].ty).as_deref() == Some("String")))
        })
    };
    types
        .iter()
        .filter_map(|i| match i {
            Item::Impl(imp) if try_from_str(imp) => tree::self_type_name(imp),
            _ => None,
        })
        .filter(|n| wraps_string(n))
        .collect()
}

/// `Err("complaint".into())` → `Err(format!("{value:?} is complaint").into())`.
struct NameValue(usize);

impl VisitMut for NameValue {
    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        if tree::is_path_to(&call.func, "Err")
            && let Some(syn::Expr::MethodCall(m)) = call.args.first_mut()
            && m.method == "into"
            && let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) = &*m.receiver
        {
            let text = format!("{{value:?}} is {}", s.value());
            *m.receiver = syn::parse_quote!(::std::format!(#text));
            self.0 += 1;
        }
        syn::visit_mut::visit_expr_call_mut(self, call);
    }
}

impl Pass for StringNewtypes {
    fn name(&self) -> &'static str {
        "string_newtypes"
    }

    fn expect(&self, _: &Context<'_>, file: &File) -> Expect {
        let n = tree::module(file, "types").map_or(0, |t| newtypes(t).len());
        Expect::at_least(
            n,
            format!("a `TryFrom<&String>` for each of the {n} constrained string type(s), and their complaints"),
        )
    }

    fn run(&self, _: &mut Context<'_>, file: &mut File) -> Result<usize, String> {
        let types = tree::require_module_mut(file, "types")?;
        let names = newtypes(types);
        let mut n = 0;
        for item in types.iter_mut() {
            let Item::Impl(imp) = item else { continue };
            let is_from_str = tree::trait_name(imp).as_deref() == Some("FromStr");
            if is_from_str && tree::self_type_name(imp).is_some_and(|t| names.contains(&t)) {
                for it in imp.items.iter_mut() {
                    if let ImplItem::Fn(f) = it {
                        let mut v = NameValue(0);
                        v.visit_impl_item_fn_mut(f);
                        n += v.0;
                    }
                }
            }
        }
        for name in &names {
            let ty = quote::format_ident!("{name}");
            types.push(syn::parse_quote! {
                impl ::std::convert::TryFrom<&::std::string::String> for #ty {
                    type Error = self::error::ConversionError;
                    fn try_from(value: &::std::string::String) -> ::std::result::Result<Self, self::error::ConversionError> {
                        value.parse()
                    }
                }
            });
            n += 1;
        }
        Ok(n)
    }
}
