//! `.paginate()`, `.stream()` and `.pages()` on the builder of every operation whose spec
//! declares `x-streamkit-pagination`, all leaning on `streamkit_runtime::pagination`: body
//! cursors through `cursor_params` / `cursor_page`, header-paged lists through
//! `PageNumbering` (`page`) and `LinkCursor` (`link-cursor`).

use quote::{format_ident, quote};
use syn::{File, Item};

use crate::emit::names::{operation_method, parameter_setter};
use crate::emit::pagination::{header_page_shape, page_shape};
use crate::emit::pass::{Context, Expect, Pass};
use crate::emit::sites::SendSite;
use crate::emit::tree;
use crate::extensions::{PageStyle, Pagination};
use crate::plan::OperationPlan;

mod header_paged;
use header_paged::header_builder_methods;

/// Adds the paging methods to each paginated operation's builder.
pub struct PaginateMethods;

impl Pass for PaginateMethods {
    fn name(&self) -> &'static str {
        "paginate_methods"
    }

    fn expect(&self, cx: &Context<'_>, _: &File) -> Expect {
        let n = cx.plan.operations.iter().filter(|o| o.pagination.is_some()).count();
        Expect::exactly(n, "one per operation with `x-streamkit-pagination` in the plan")
    }

    fn run(&self, cx: &mut Context<'_>, file: &mut File) -> Result<usize, String> {
        let mut added = Vec::new();
        for site in &cx.sites {
            let Some(op) = cx.operation(site) else { continue };
            let Some(pg) = &op.pagination else { continue };
            let err = |m: String| format!("operation {}: {m}", op.id);
            let types = tree::module(file, "types").ok_or("progenitor output has no `types` module")?;
            let builder = tree::module(file, "builder").ok_or("progenitor output has no `builder` module")?;
            let methods = if pg.style.in_headers() {
                let shape = header_page_shape(types, &site.success, pg).map_err(err)?;
                header_builder_methods(builder, site, op, pg, &shape)
            } else {
                let item = page_shape(types, &site.success, pg).map_err(err)?.item;
                builder_methods(builder, site, op, pg, &item)
            };
            added.extend(methods.map_err(err)?);
        }
        let n = added.iter().filter(|i| matches!(i, Item::Impl(imp) if imp.trait_.is_none())).count();
        tree::require_module_mut(file, "builder")?.extend(added);
        Ok(n)
    }
}

/// The detached copy of the builder's fields and the `impl` with the three methods.
fn builder_methods(
    builder: &[Item],
    site: &SendSite,
    op: &OperationPlan,
    pg: &Pagination,
    item: &syn::Type,
) -> Result<Vec<Item>, String> {
    let builder_ident = format_ident!("{}", site.builder);
    let kept = builder_fields(builder, site)?;
    let names: Vec<&syn::Ident> = kept.iter().map(|(i, _)| i).collect();
    let tys: Vec<&syn::Type> = kept.iter().map(|(_, t)| t).collect();
    let detached = format_ident!("{}Detached", site.builder);
    let after = format_ident!("{}", parameter_setter(pg.position_param()));
    let op_name = operation_method(&op.id);
    let backward_supported = pg.request.backward.is_some();
    let set_before = match &pg.request.backward {
        Some(b) => {
            let b = format_ident!("{}", parameter_setter(b));
            quote!(if let Some(c) = before { request = request.#b(c); })
        }
        // Never set: `cursor_params` refuses backward tokens for this operation.
        None => quote!(),
    };
    let before_binding = if backward_supported { quote!(before) } else { quote!(_) };
    let style_note = match pg.style {
        PageStyle::CursorString => "a bare string",
        _ => "the cursor object's field",
    };
    let doc = format!(
        " Walks every page of this list (cursor in {style_note} `{}`),\n fetching the next page while the current one is consumed. Configure the walk\n (prefetch depth, item limit, resume, backward) on the returned paginator.",
        pg.response.cursor.as_deref().unwrap_or_default()
    );
    let fetch_page = quote! {
                        let mut request = #builder_ident { client: &client, #(#names: template.#names),* };
                        let requested = at.clone();
                        let (after, #before_binding) = ::streamkit_runtime::pagination::cursor_params(#op_name, at, #backward_supported)?;
                        if let Some(c) = after { request = request.#after(c); }
                        #set_before
                        let body = request.send().await?.into_inner();
                        Ok(::streamkit_runtime::pagination::cursor_page(body, requested))
    };
    paginate_methods(PaginateParts {
        detached: &detached,
        builder: &builder_ident,
        names: &names,
        tys: &tys,
        item,
        doc: &doc,
        fetch_page,
        backward: backward_supported,
        pages_doc: " Every page with its cursor, in order (see [`Self::paginate`]).",
    })
}

/// What differs between the paginate methods of the styles; [`paginate_methods`] writes the rest.
pub(super) struct PaginateParts<'a> {
    /// The builder's fields, detached from its client borrow.
    pub detached: &'a syn::Ident,
    /// The operation's builder.
    pub builder: &'a syn::Ident,
    /// The builder's fields (without `client`) and their types.
    pub names: &'a [&'a syn::Ident],
    pub tys: &'a [&'a syn::Type],
    /// The item type.
    pub item: &'a syn::Type,
    /// `paginate`'s doc comment.
    pub doc: &'a str,
    /// The body fetching one page from `client`, `template` and `at` (a `Result<Page<item>>`).
    pub fetch_page: proc_macro2::TokenStream,
    /// Whether the list can be walked backward.
    pub backward: bool,
    /// `pages`'s doc comment.
    pub pages_doc: &'a str,
}

/// `paginate`, `stream` and `pages` on the builder, around the style's fetch of one page:
/// the builder's fields, detached from its client borrow, implement the runtime's
/// `PagedRequest`, which `Paginator::of` walks.
pub(super) fn paginate_methods(parts: PaginateParts<'_>) -> Result<Vec<Item>, String> {
    let PaginateParts { detached, builder: builder_ident, names, tys, item, doc, fetch_page, backward, pages_doc } =
        parts;
    let p = quote!(::streamkit_runtime::pagination);
    let tokens = quote! {
        #[derive(Clone)]
        struct #detached { client: super::Client, #(#names: #tys),* }

        impl #p::PagedRequest for #detached {
            type Item = #item;
            const BACKWARD: bool = #backward;
            fn fetch(self, at: ::std::option::Option<#p::PageToken>) -> #p::PageFuture<#item> {
                ::std::boxed::Box::pin(async move {
                    let template = self;
                    let client = template.client;
                    #fetch_page
                })
            }
        }

        impl<'a> #builder_ident<'a> {
            #[doc = #doc]
            pub fn paginate(self) -> #p::Paginator<#item> {
                #p::Paginator::of(#detached { client: self.client.clone(), #(#names: self.#names),* })
            }

            /// Every item of every page, in order (see [`Self::paginate`]).
            pub fn stream(self) -> #p::ItemStream<#item> {
                self.paginate().items()
            }

            #[doc = #pages_doc]
            pub fn pages(self) -> #p::PageStream<#item> {
                self.paginate().pages()
            }
        }
    };
    let parsed: syn::File = syn::parse2(tokens).map_err(|e| format!("pagination code: {e}"))?;
    Ok(parsed.items)
}

/// The builder's fields (without `client`), by identifier and type.
pub(super) fn builder_fields(builder: &[Item], site: &SendSite) -> Result<Vec<(syn::Ident, syn::Type)>, String> {
    let builder_ident = format_ident!("{}", site.builder);
    builder
        .iter()
        .find_map(|i| match i {
            Item::Struct(s) if s.ident == builder_ident => Some(
                s.fields
                    .iter()
                    .filter_map(|f| Some((f.ident.clone()?, f.ty.clone())))
                    .filter(|(i, _)| i != "client")
                    .collect(),
            ),
            _ => None,
        })
        .ok_or_else(|| format!("no builder struct {}", site.builder))
}
