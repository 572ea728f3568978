//! The paging methods of a list whose next page is named in response headers (`page`,
//! `link-cursor`): a few lines per operation over the runtime's `PageNumbering` and
//! `LinkCursor`.

use quote::{format_ident, quote};
use syn::Item;

use super::builder_fields;
use crate::emit::names::{operation_method, parameter_setter};
use crate::emit::sites::SendSite;
use crate::emit::tree;
use crate::extensions::{PageStyle, Pagination};
use crate::plan::OperationPlan;

/// Integer types a builder field may hold (progenitor's choice for an integer parameter).
const INTEGERS: &[&str] = &[
    "u8",
    "u16",
    "u32",
    "u64",
    "i8",
    "i16",
    "i32",
    "i64",
    "NonZeroU8",
    "NonZeroU16",
    "NonZeroU32",
    "NonZeroU64",
    "NonZeroI8",
    "NonZeroI16",
    "NonZeroI32",
    "NonZeroI64",
];

/// The builder field of the query parameter `param` (in the role `role` of the declaration),
/// checked to hold an integer when `integer`.
fn param_field(
    fields: &[(syn::Ident, syn::Type)],
    role: &str,
    param: &str,
    integer: bool,
) -> Result<syn::Ident, String> {
    let ident = format_ident!("{}", parameter_setter(param));
    let (_, ty) = fields
        .iter()
        .find(|(i, _)| *i == ident)
        .ok_or_else(|| format!("pagination `request.{role}`: the builder has no field for parameter `{param}`"))?;
    // `Result<Option<T>, String>` (optional) or `Result<T, String>` (required): look at T.
    let mut inner = ty;
    while let Some(t) = tree::generic_of(inner, "Result").or_else(|| tree::generic_of(inner, "Option")) {
        inner = t;
    }
    let name = tree::type_name(inner).unwrap_or_default();
    if integer && !INTEGERS.contains(&name.as_str()) {
        return Err(format!("pagination `request.{role}`: parameter `{param}` must be an integer (it is `{name}`)"));
    }
    Ok(ident)
}

/// `.paginate()`, `.stream()` and `.pages()` for a list whose next page is named in response
/// headers (`page`, `link-cursor`): the runtime's `PageNumbering` / `LinkCursor` do the work.
pub(super) fn header_builder_methods(
    builder: &[Item],
    site: &SendSite,
    op: &OperationPlan,
    pg: &Pagination,
    shape: &crate::emit::pagination::HeaderPageShape,
) -> Result<Vec<Item>, String> {
    let builder_ident = format_ident!("{}", site.builder);
    let fields = builder_fields(builder, site)?;
    let names: Vec<&syn::Ident> = fields.iter().map(|(i, _)| i).collect();
    let tys: Vec<&syn::Type> = fields.iter().map(|(_, t)| t).collect();
    let detached = format_ident!("{}Detached", site.builder);
    let op_name = operation_method(&op.id);
    let (item, items_fn) = (&shape.item, &shape.items_fn);
    let opt = |v: &Option<String>| match v {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    };
    let (fetch_page, doc) = match pg.style {
        PageStyle::Page => {
            let page_param = pg.request.page.as_deref().ok_or("style `page` needs `request.page`")?;
            let page = param_field(&fields, "page", page_param, true)?;
            let size = match pg.request.page_size.as_deref() {
                Some(p) => {
                    let f = param_field(&fields, "page-size", p, true)?;
                    quote!(::streamkit_runtime::pagination::IntegerValue::as_u64(&template.#f))
                }
                None => quote!(::std::option::Option::None),
            };
            let first = pg.request.first_page.unwrap_or_default();
            let (link, total) = (opt(&pg.response.link), opt(&pg.response.total));
            let signals: Vec<String> = [
                pg.response.link.as_ref().map(|l| format!("the `{l}` header")),
                pg.response.total.as_ref().map(|t| format!("the `{t}` header")),
                Some("a full page".into()),
            ]
            .into_iter()
            .flatten()
            .collect();
            let doc = format!(
                " Walks every page of this list (`{page_param}` from {first}; the next page from {}),\n fetching the next page while the current one is consumed. Configure the walk\n (prefetch depth, item limit, resume from a `PageToken::Number`) on the returned paginator.",
                signals.join(", else ")
            );
            let body = quote! {
                let numbering = ::streamkit_runtime::pagination::PageNumbering {
                    operation: #op_name, page_param: #page_param, first_page: #first,
                    link_header: #link, total_header: #total,
                };
                let page_size = #size;
                let page = numbering.page_to_request(at.as_ref(), ::streamkit_runtime::pagination::IntegerValue::as_u64(&template.#page))?;
                // A page number the caller set but the builder refused stays refused: `send()` reports it.
                let refused = template.#page.is_err();
                let mut request = #builder_ident { client: &client, #(#names: template.#names),* };
                if !refused { request = request.#page(page); }
                let response = request.send().await?;
                Ok(numbering.page(response, page, page_size, at, #items_fn))
            };
            (body, doc)
        }
        PageStyle::LinkCursor => {
            let cursor_param = pg.request.cursor.as_deref().ok_or("style `link-cursor` needs `request.cursor`")?;
            let cursor = param_field(&fields, "cursor", cursor_param, false)?;
            let link = pg.response.link.as_deref().ok_or("style `link-cursor` needs `response.link`")?;
            let doc = format!(
                " Walks every page of this list (the next `{cursor_param}` from the `{link}` header's `rel=\"next\"` URL),\n fetching the next page while the current one is consumed. Configure the walk\n (prefetch depth, item limit, resume from a saved cursor) on the returned paginator."
            );
            let body = quote! {
                let links = ::streamkit_runtime::pagination::LinkCursor {
                    operation: #op_name, cursor_param: #cursor_param, link_header: #link,
                };
                let mut request = #builder_ident { client: &client, #(#names: template.#names),* };
                if let Some(c) = links.cursor_to_request(at.clone())? { request = request.#cursor(c); }
                let response = request.send().await?;
                Ok(links.page(response, at, #items_fn))
            };
            (body, doc)
        }
        other => return Err(format!("style `{}` pages in the body, not in headers", other.as_str())),
    };
    super::paginate_methods(super::PaginateParts {
        detached: &detached,
        builder: &builder_ident,
        names: &names,
        tys: &tys,
        item,
        doc: &doc,
        fetch_page,
        backward: false,
        pages_doc: " Every page with its position, in order (see [`Self::paginate`]).",
    })
}
