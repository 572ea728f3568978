//! Reading progenitor's syntax tree by structure: modules by name, attributes by path,
//! types by their path segments. Nothing here looks at rendered text.

use syn::ext::IdentExt;
use syn::{Attribute, File, Item, ItemMod};

/// The inline module named `name` among `items`.
pub fn module_in<'a>(items: &'a [Item], name: &str) -> Option<&'a Vec<Item>> {
    items.iter().find_map(|item| match item {
        Item::Mod(ItemMod { ident, content: Some((_, items)), .. }) if ident == name => Some(items),
        _ => None,
    })
}

/// The inline module named `name` among `items`, mutably.
pub fn module_in_mut<'a>(items: &'a mut [Item], name: &str) -> Option<&'a mut Vec<Item>> {
    items.iter_mut().find_map(|item| match item {
        Item::Mod(ItemMod { ident, content: Some((_, items)), .. }) if ident == name => Some(items),
        _ => None,
    })
}

/// The inline module named `name` at the top of the file.
pub fn module<'a>(file: &'a File, name: &str) -> Option<&'a Vec<Item>> {
    module_in(&file.items, name)
}

/// The inline module named `name` at the top of the file, mutably.
pub fn module_mut<'a>(file: &'a mut File, name: &str) -> Option<&'a mut Vec<Item>> {
    module_in_mut(&mut file.items, name)
}

/// Like [`module_mut`], with the error a pass reports when progenitor's layout changed.
pub fn require_module_mut<'a>(file: &'a mut File, name: &str) -> Result<&'a mut Vec<Item>, String> {
    module_mut(file, name).ok_or_else(|| format!("progenitor output has no `{name}` module"))
}

/// The last segment's identifier of a path type (`::std::string::String` → `String`).
pub fn type_name(ty: &syn::Type) -> Option<String> {
    let syn::Type::Path(p) = ty else { return None };
    Some(p.path.segments.last()?.ident.to_string())
}

/// The last segment's identifier of an impl's self type.
pub fn self_type_name(imp: &syn::ItemImpl) -> Option<String> {
    type_name(&imp.self_ty)
}

/// The last segment's identifier of the trait an impl implements, if any.
pub fn trait_name(imp: &syn::ItemImpl) -> Option<String> {
    let (path, _) = imp.trait_.as_ref()?;
    Some(path.segments.last()?.ident.to_string())
}

/// `Wrapper<T>` → `T`, when the last path segment is named `wrapper` (`Option`, `Vec`, ...).
pub fn generic_of<'t>(ty: &'t syn::Type, wrapper: &str) -> Option<&'t syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    if seg.ident != wrapper {
        return None;
    }
    first_type_argument(seg)
}

/// The first type argument of a path segment (`Result<T, E>` → `T`).
pub fn first_type_argument(seg: &syn::PathSegment) -> Option<&syn::Type> {
    let syn::PathArguments::AngleBracketed(a) = &seg.arguments else { return None };
    a.args.iter().find_map(|g| match g {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}

/// Whether a `#[serde(...)]` attribute carries the bare flag `flag` (`flatten`, `untagged`).
pub fn has_serde_flag(attrs: &[Attribute], flag: &str) -> bool {
    let mut found = false;
    for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = a.parse_nested_meta(|m| {
            if m.path.is_ident(flag) && !m.input.peek(syn::Token![=]) {
                found = true;
            }
            skip_value(&m)
        });
    }
    found
}

/// The `#[serde(rename = "...")]` of a field or variant.
pub fn serde_rename(attrs: &[Attribute]) -> Option<String> {
    let mut out = None;
    for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = a.parse_nested_meta(|m| {
            if m.path.is_ident("rename") {
                let s: syn::LitStr = m.value()?.parse()?;
                out = Some(s.value());
                Ok(())
            } else {
                skip_value(&m)
            }
        });
    }
    out
}

/// Consumes `= value` or `(...)` after a nested meta name we do not read.
fn skip_value(m: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<()> {
    if m.input.peek(syn::Token![=]) {
        let _: syn::Expr = m.value()?.parse()?;
    } else if m.input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in m.input);
        let _: proc_macro2::TokenStream = content.parse()?;
    }
    Ok(())
}

/// The name a field has on the wire: its serde rename, else its identifier without `r#`.
pub fn wire_name(field: &syn::Field) -> Option<String> {
    let ident = field.ident.as_ref()?;
    Some(serde_rename(&field.attrs).unwrap_or_else(|| ident.unraw().to_string()))
}

/// Whether a field is a `#[serde(flatten)]` map: where typify keeps undocumented fields.
pub fn is_flattened_map(field: &syn::Field) -> bool {
    has_serde_flag(&field.attrs, "flatten")
        && matches!(type_name(&field.ty).as_deref(), Some("Map" | "BTreeMap" | "HashMap"))
}

/// Whether a path expression is exactly the single identifier `name` (`Err`, `Ok`).
pub fn is_path_to(expr: &syn::Expr, name: &str) -> bool {
    matches!(expr, syn::Expr::Path(p) if p.qself.is_none() && p.path.is_ident(name))
}

/// The last segment's identifier of a called function or method path (`a::b::c(..)` → `c`).
pub fn called_name(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Call(c) => match &*c.func {
            syn::Expr::Path(p) => Some(p.path.segments.last()?.ident.to_string()),
            _ => None,
        },
        syn::Expr::MethodCall(m) => Some(m.method.to_string()),
        _ => None,
    }
}

/// Adds every identifier in `tokens` to `out`, groups included (the type names a field or
/// variant mentions, say).
pub fn idents(tokens: proc_macro2::TokenStream, out: &mut std::collections::BTreeSet<String>) {
    for t in tokens {
        match t {
            proc_macro2::TokenTree::Ident(i) => {
                out.insert(i.to_string());
            }
            proc_macro2::TokenTree::Group(g) => idents(g.stream(), out),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_attributes_are_read_by_structure() {
        let f: syn::Field = syn::parse_quote!(#[serde(default, rename = "type", skip_serializing_if = "Option::is_none")] pub type_: Option<String>);
        assert_eq!(serde_rename(&f.attrs).as_deref(), Some("type"));
        assert_eq!(wire_name(&f).as_deref(), Some("type"));
        assert!(!has_serde_flag(&f.attrs, "flatten"));
        let f: syn::Field = syn::parse_quote!(#[serde(flatten)] pub extra: ::serde_json::Map<String, Value>);
        assert!(is_flattened_map(&f));
        // A doc comment that mentions flatten is not a serde flag.
        let f: syn::Field = syn::parse_quote!(#[doc = "flatten"] #[serde(rename = "flatten")] pub r#flatten: String);
        assert!(!has_serde_flag(&f.attrs, "flatten"));
        let f: syn::Field = syn::parse_quote!(pub r#type: String);
        assert_eq!(wire_name(&f).as_deref(), Some("type"));
    }
}
