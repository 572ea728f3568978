//! What the pagination passes share: where a declared items/cursor path leads in the
//! generated response types (`x-streamkit-pagination`'s `response.items` and
//! `response.cursor`), found by struct name and each field's wire name.

use proc_macro2::TokenStream;
use quote::quote;
use syn::Item;

use super::tree::{generic_of, type_name, wire_name};

/// A field's Rust identifier and type, by struct name and wire name.
fn field_type(types: &[Item], strukt: &str, wire: &str) -> Option<(syn::Ident, syn::Type)> {
    types.iter().find_map(|i| match i {
        Item::Struct(s) if s.ident == strukt => s
            .fields
            .iter()
            .find(|f| wire_name(f).as_deref() == Some(wire))
            .and_then(|f| Some((f.ident.clone()?, f.ty.clone()))),
        _ => None,
    })
}

/// An expression walking the dotted `path` from `self` (an owned value of type `root`),
/// giving `Option<leaf>`; and the leaf type.
pub fn walk(types: &[Item], root: &str, path: &str) -> Result<(TokenStream, syn::Type), String> {
    walk_from(types, root, path, quote!(self))
}

/// [`walk`] from the expression `start` instead of `self`.
fn walk_from(types: &[Item], root: &str, path: &str, start: TokenStream) -> Result<(TokenStream, syn::Type), String> {
    let mut expr = start;
    let mut optional = false;
    let mut current = root.to_string();
    let mut leaf: Option<syn::Type> = None;
    for seg in path.split('.') {
        let (ident, ty) = field_type(types, &current, seg)
            .ok_or_else(|| format!("type {current} has no field `{seg}` (pagination path `{path}`)"))?;
        let (inner, field_optional) = match generic_of(&ty, "Option") {
            Some(t) => (t.clone(), true),
            None => (ty.clone(), false),
        };
        expr = match (optional, field_optional) {
            (false, _) => quote!(#expr.#ident),
            (true, true) => quote!(#expr.and_then(|v| v.#ident)),
            (true, false) => quote!(#expr.map(|v| v.#ident)),
        };
        optional |= field_optional;
        current = type_name(&inner).unwrap_or_default();
        leaf = Some(inner);
    }
    if !optional {
        expr = quote!(::std::option::Option::Some(#expr));
    }
    Ok((expr, leaf.ok_or("empty pagination path")?))
}

/// A bare type name from the `types` module, as seen from the crate root (`types::T`).
pub fn qualify(ty: &syn::Type) -> syn::Type {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() && p.path.leading_colon.is_none() && p.path.segments.len() == 1 => {
            syn::parse_quote!(types::#p)
        }
        other => other.clone(),
    }
}

/// What one paginated operation's pages hold: the response type and the item type.
#[derive(Debug, Clone)]
pub struct PageShape {
    /// The response type's name in `types`.
    pub response: String,
    /// The item type, qualified from the crate root.
    pub item: syn::Type,
    /// `Option<Vec<Item>>` from `self`.
    pub items_expr: TokenStream,
    /// `Option<String>` from `self`.
    pub cursor_expr: TokenStream,
}

/// Resolves the declared paths of `pg` in the response type `success`.
pub fn page_shape(
    types: &[Item],
    success: &syn::Type,
    pg: &crate::extensions::Pagination,
) -> Result<PageShape, String> {
    let response = type_name(success).ok_or("pagination needs a typed response")?;
    let (items_expr, items_ty) = walk(types, &response, &pg.response.items)?;
    let item = generic_of(&items_ty, "Vec").ok_or_else(|| format!("`{}` is not a list", pg.response.items))?;
    let item = qualify(item);
    let cursor = pg.response.cursor.as_deref().ok_or("pagination in the body needs `response.cursor`")?;
    let (cursor_expr, cursor_ty) = walk(types, &response, cursor)?;
    if type_name(&cursor_ty).as_deref() != Some("String") {
        return Err(format!("cursor `{cursor}` is not a string"));
    }
    Ok(PageShape { response, item, items_expr, cursor_expr })
}

/// What one header-paged operation's pages hold: the item type and a closure taking the
/// items out of the body (the body itself for `items: ''`).
#[derive(Debug, Clone)]
pub struct HeaderPageShape {
    /// The item type, as the builder module sees it.
    pub item: syn::Type,
    /// `|body: Success| -> Vec<Item>`.
    pub items_fn: TokenStream,
}

/// Resolves `pg.response.items` in the success type of a header-paged operation.
pub fn header_page_shape(
    types: &[Item],
    success: &syn::Type,
    pg: &crate::extensions::Pagination,
) -> Result<HeaderPageShape, String> {
    let path = &pg.response.items;
    if path.is_empty() {
        let item = generic_of(success, "Vec")
            .ok_or("`response.items: ''` says the whole body is the list, but the success body is not an array")?;
        return Ok(HeaderPageShape { item: qualify(item), items_fn: quote!(|body| body) });
    }
    let response = type_name(success).ok_or("pagination needs a typed response")?;
    let (items_expr, items_ty) = walk_from(types, &response, path, quote!(body))?;
    let item = qualify(generic_of(&items_ty, "Vec").ok_or_else(|| format!("`{path}` is not a list"))?);
    let success = qualify(success);
    Ok(HeaderPageShape { item, items_fn: quote!(|body: #success| #items_expr.unwrap_or_default()) })
}
