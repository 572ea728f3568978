//! Pagination: for each operation whose spec declares `x-streamkit-pagination`, a
//! `PageBody` impl on its response type and `.paginate()`, `.stream()`, `.pages()` on its
//! builder, all leaning on `streamkit_runtime::pagination`.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};
use syn::{File, Item};

use super::passes::{SendSite, module_mut};
use crate::extensions::PageStyle;
use crate::plan::OperationPlan;

/// `Option<T>` → `Some(T)`, `Vec<T>` → ..., by the last path segment's name.
fn generic_of<'t>(ty: &'t syn::Type, wrapper: &str) -> Option<&'t syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    if seg.ident != wrapper {
        return None;
    }
    let syn::PathArguments::AngleBracketed(a) = &seg.arguments else { return None };
    a.args.iter().find_map(|g| match g {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}

fn type_name(ty: &syn::Type) -> Option<String> {
    let syn::Type::Path(p) = ty else { return None };
    Some(p.path.segments.last()?.ident.to_string())
}

/// A field's Rust type, by struct name and wire name.
fn field_type(types: &[Item], strukt: &str, wire: &str) -> Option<(syn::Ident, syn::Type)> {
    types.iter().find_map(|i| match i {
        Item::Struct(s) if s.ident == strukt => s.fields.iter().find_map(|f| {
            let ident = f.ident.clone()?;
            let name = ident.to_string();
            (name.trim_start_matches("r#") == wire || name.trim_end_matches('_') == wire).then(|| (ident, f.ty.clone()))
        }),
        _ => None,
    })
}

/// An expression walking `path` from `self` (an owned value of type `root`), giving
/// `Option<leaf>`; and the leaf type.
fn walk(types: &[Item], root: &str, path: &str) -> Result<(TokenStream, syn::Type), String> {
    let mut expr = quote!(self);
    let mut optional = false;
    let mut current = root.to_string();
    let mut leaf: Option<syn::Type> = None;
    for seg in path.split('.') {
        let (ident, ty) = field_type(types, &current, seg).ok_or_else(|| format!("type {current} has no field `{seg}` (pagination path `{path}`)"))?;
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

fn qualify(ty: &syn::Type) -> syn::Type {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() && p.path.leading_colon.is_none() && p.path.segments.len() == 1 => {
            syn::parse_quote!(types::#p)
        }
        other => other.clone(),
    }
}

/// Emits the pagination code for one operation.
pub fn emit(file: &mut File, site: &SendSite, op: &OperationPlan) -> Result<(), String> {
    let Some(pg) = &op.pagination else { return Ok(()) };
    let err = |m: String| format!("operation {}: {m}", op.id);
    let response = type_name(&site.success).ok_or_else(|| err("pagination needs a typed response".into()))?;
    let types = module_mut(file, "types").ok_or("no types module")?.clone();
    let (items_expr, items_ty) = walk(&types, &response, &pg.response.items).map_err(err)?;
    let item = generic_of(&items_ty, "Vec").ok_or_else(|| err(format!("`{}` is not a list", pg.response.items)))?.clone();
    let item = qualify(&item);
    let (cursor_expr, cursor_ty) = walk(&types, &response, &pg.response.cursor).map_err(err)?;
    if type_name(&cursor_ty).as_deref() != Some("String") {
        return Err(err(format!("cursor `{}` is not a string", pg.response.cursor)));
    }
    let style_note = match pg.style {
        PageStyle::Cursor => "the cursor object's field",
        PageStyle::CursorString => "a bare string",
    };
    let response_ident = format_ident!("{}", response);
    // Operations that share a response type share its `PageBody` impl (one impl per type).
    let paths = format!("{} / {}", pg.response.items, pg.response.cursor);
    let marker = format!("streamkit-page-body: {response} {paths}");
    let existing = file.items.iter().find_map(|i| match i {
        Item::Impl(imp) if imp.attrs.iter().any(|a| a.to_token_stream().to_string().contains(&format!("streamkit-page-body: {response} "))) => {
            Some(imp.attrs.iter().any(|a| a.to_token_stream().to_string().contains(&marker)))
        }
        _ => None,
    });
    match existing {
        Some(true) => {}
        Some(false) => {
            return Err(err(format!("pages `{response}` with other paths than another operation that returns it ({paths})")));
        }
        None => emit_page_body(file, &response_ident, &item, &items_expr, &cursor_expr, &marker)?,
    }
    emit_builder_methods(file, site, op, pg, &item, style_note)
}

fn emit_page_body(
    file: &mut File,
    response_ident: &syn::Ident,
    item: &syn::Type,
    items_expr: &TokenStream,
    cursor_expr: &TokenStream,
    marker: &str,
) -> Result<(), String> {
    let page_body: syn::File = syn::parse2(quote! {
        #[doc = #marker]
        impl ::streamkit_runtime::pagination::PageBody for types::#response_ident {
            type Item = #item;
            fn into_parts(self) -> (::std::vec::Vec<Self::Item>, ::std::option::Option<::std::string::String>) {
                let cursor: ::std::option::Option<::std::string::String> = #cursor_expr;
                let items = #items_expr.unwrap_or_default();
                (items, cursor.filter(|c| !c.is_empty()))
            }
        }
    })
    .map_err(|e| e.to_string())?;
    file.items.extend(page_body.items);
    Ok(())
}

fn emit_builder_methods(
    file: &mut File,
    site: &SendSite,
    op: &OperationPlan,
    pg: &crate::extensions::Pagination,
    item: &syn::Type,
    style_note: &str,
) -> Result<(), String> {
    let err = |m: String| format!("operation {}: {m}", op.id);
    let builder = module_mut(file, "builder").ok_or("no builder module")?;
    let builder_ident = format_ident!("{}", site.builder);
    let fields: Vec<(syn::Ident, syn::Type)> = builder
        .iter()
        .find_map(|i| match i {
            Item::Struct(s) if s.ident == builder_ident => Some(s.fields.iter().filter_map(|f| Some((f.ident.clone()?, f.ty.clone()))).collect()),
            _ => None,
        })
        .ok_or_else(|| err(format!("no builder struct {}", site.builder)))?;
    let kept: Vec<&(syn::Ident, syn::Type)> = fields.iter().filter(|(i, _)| i != "client").collect();
    let names: Vec<&syn::Ident> = kept.iter().map(|(i, _)| i).collect();
    let tys: Vec<&syn::Type> = kept.iter().map(|(_, t)| t).collect();
    let detached = format_ident!("{}Detached", site.builder);
    let after = format_ident!("{}", crate::emit::glue::rust_param_name(&pg.request.cursor));
    let op_name = crate::emit::glue::rust_operation_name(&op.id);
    let backward_supported = pg.request.backward.is_some();
    let set_before = match &pg.request.backward {
        Some(b) => {
            let b = format_ident!("{}", crate::emit::glue::rust_param_name(b));
            quote!(if let Some(c) = before { request = request.#b(c); })
        }
        // Never set: `cursor_params` refuses backward tokens for this operation.
        None => quote!(),
    };
    let before_binding = if backward_supported { quote!(before) } else { quote!(_) };
    let forward_only = if backward_supported { quote!() } else { quote!(let paginator = paginator.forward_only();) };
    let doc = format!(
        " Walks every page of this list (`x-streamkit-pagination`, cursor in {style_note} `{}`),\n fetching the next page while the current one is consumed. Configure the walk\n (prefetch depth, item limit, resume, backward) on the returned paginator.",
        pg.response.cursor
    );
    let tokens = quote! {
        #[derive(Clone)]
        struct #detached { #(#names: #tys),* }

        impl<'a> #builder_ident<'a> {
            #[doc = #doc]
            pub fn paginate(self) -> ::streamkit_runtime::pagination::Paginator<#item> {
                let client = self.client.clone();
                let template = #detached { #(#names: self.#names),* };
                let fetch: ::streamkit_runtime::pagination::FetchPage<#item> = ::std::sync::Arc::new(move |at: ::std::option::Option<::streamkit_runtime::pagination::PageToken>| {
                    let client = client.clone();
                    let template = template.clone();
                    let fut: ::streamkit_runtime::pagination::PageFuture<#item> = ::std::boxed::Box::pin(async move {
                        let mut request = #builder_ident { client: &client, #(#names: template.#names),* };
                        let requested = at.clone();
                        let (after, #before_binding) = ::streamkit_runtime::pagination::cursor_params(#op_name, at, #backward_supported)?;
                        if let Some(c) = after { request = request.#after(c); }
                        #set_before
                        let body = request.send().await?.into_inner();
                        Ok(::streamkit_runtime::pagination::cursor_page(body, requested))
                    });
                    fut
                });
                let paginator = ::streamkit_runtime::pagination::Paginator::new(fetch);
                #forward_only
                paginator
            }

            /// Every item of every page, in order (see [`Self::paginate`]).
            pub fn stream(self) -> ::streamkit_runtime::pagination::ItemStream<#item> {
                self.paginate().items()
            }

            /// Every page with its cursor, in order (see [`Self::paginate`]).
            pub fn pages(self) -> ::streamkit_runtime::pagination::PageStream<#item> {
                self.paginate().pages()
            }
        }
    };
    let parsed: syn::File = syn::parse2(tokens).map_err(|e| err(format!("pagination code: {e}")))?;
    builder.extend(parsed.items);
    Ok(())
}
