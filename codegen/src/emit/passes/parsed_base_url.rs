//! The base URL parsed once per client, not once per call.
//!
//! progenitor builds each request URL as a string, `format!("{}/streams", client.baseurl)`,
//! and reqwest parses the whole of it (scheme, host, port, path) on every call. This pass
//! gives `Client` a `base_url: streamkit_runtime::base_url::BaseUrl`, parsed when the client
//! is made, and turns each operation's `let url = format!("{}<path>", client.baseurl, ..)`
//! into `let url = request_url(&client.base_url, "<path>")?` (the path's parameters keep
//! progenitor's `encode_path`), which clones the parsed base and sets only the path.
//! A base URL that does not parse fails each call with a configuration error naming it.
//!
//! It also makes progenitor's `new` install the TLS provider before building its
//! `reqwest::Client` (without one, reqwest panics).

use quote::quote;
use syn::punctuated::Punctuated;
use syn::visit_mut::VisitMut;
use syn::{Expr, File, Item, Token};

use crate::emit::pass::{Context, Expect, Pass};
use crate::emit::tree;

/// Parses the base URL once (at `Client` construction) and builds request URLs from it.
pub struct ParsedBaseUrl;

impl Pass for ParsedBaseUrl {
    fn name(&self) -> &'static str {
        "parsed_base_url"
    }

    fn expect(&self, cx: &Context<'_>, _: &File) -> Expect {
        Expect::exactly(
            cx.plan.operations.len() + 3,
            "one request URL per operation, the Client's field, new_with_client and new",
        )
    }

    fn run(&self, _: &mut Context<'_>, file: &mut File) -> Result<usize, String> {
        let mut changed = 0;
        for item in file.items.iter_mut() {
            match item {
                Item::Struct(s) if s.ident == "Client" => {
                    let syn::Fields::Named(fields) = &mut s.fields else {
                        return Err("`Client` has no named fields".into());
                    };
                    fields.named.push(syn::parse_quote! {
                        pub(crate) base_url: ::streamkit_runtime::base_url::BaseUrl
                    });
                    changed += 1;
                }
                Item::Impl(imp) if imp.trait_.is_none() && tree::self_type_name(imp).as_deref() == Some("Client") => {
                    for it in imp.items.iter_mut() {
                        let syn::ImplItem::Fn(f) = it else { continue };
                        if f.sig.ident == "new_with_client" {
                            changed += add_field_init(&mut f.block)?;
                        } else if f.sig.ident == "new" {
                            f.block
                                .stmts
                                .insert(0, syn::parse_quote! { ::streamkit_runtime::tls::install_default_provider(); });
                            changed += 1;
                        }
                    }
                }
                _ => {}
            }
        }
        let mut urls = RequestUrls { changed: 0, error: None };
        for item in tree::require_module_mut(file, "builder")? {
            urls.visit_item_mut(item);
        }
        if let Some(e) = urls.error {
            return Err(e);
        }
        Ok(changed + urls.changed)
    }
}

/// Adds `base_url: BaseUrl::new(baseurl)` to the `Self { .. }` that `new_with_client` returns.
fn add_field_init(block: &mut syn::Block) -> Result<usize, String> {
    let Some(syn::Stmt::Expr(Expr::Struct(s), None)) = block.stmts.last_mut() else {
        return Err("new_with_client does not end with `Self { .. }`".into());
    };
    s.fields.push(syn::parse_quote! { base_url: ::streamkit_runtime::base_url::BaseUrl::new(baseurl) });
    Ok(1)
}

/// Rewrites every `let url = format!("{}…", client.baseurl, ..);` in the builders.
struct RequestUrls {
    changed: usize,
    error: Option<String>,
}

impl VisitMut for RequestUrls {
    fn visit_local_mut(&mut self, local: &mut syn::Local) {
        let is_url = matches!(&local.pat, syn::Pat::Ident(p) if p.ident == "url");
        if let (true, Some(init)) = (is_url, local.init.as_mut())
            && let Expr::Macro(m) = &*init.expr
            && m.mac.path.is_ident("format")
        {
            match request_url(&m.mac) {
                Ok(e) => {
                    *init.expr = e;
                    self.changed += 1;
                }
                Err(e) => self.error = Some(e),
            }
            return;
        }
        syn::visit_mut::visit_local_mut(self, local);
    }
}

/// `format!("{}/a/{}", client.baseurl, p)` → `request_url(&client.base_url, &format!("/a/{}", p))?`
/// (a plain `"/a"` when the path has no parameters).
fn request_url(mac: &syn::Macro) -> Result<Expr, String> {
    let args = mac
        .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
        .map_err(|e| format!("request URL `format!`: {e}"))?;
    let mut args = args.into_iter();
    let (Some(Expr::Lit(lit)), Some(base)) = (args.next(), args.next()) else {
        return Err("request URL `format!` does not start with a literal and the base URL".into());
    };
    let syn::Lit::Str(template) = &lit.lit else { return Err("request URL template is not a string".into()) };
    let template = template.value();
    let Some(path) = template.strip_prefix("{}") else {
        return Err(format!("request URL template `{template}` does not start with the base URL"));
    };
    if !matches!(&base, Expr::Field(f) if matches!(&f.member, syn::Member::Named(n) if n == "baseurl")) {
        return Err(format!("request URL `{template}`: the first argument is not `client.baseurl`"));
    }
    let rest: Vec<Expr> = args.collect();
    let path_expr = if rest.is_empty() {
        if path.contains(['{', '}']) {
            return Err(format!("request URL template `{template}` has braces but no arguments"));
        }
        quote! { #path }
    } else {
        quote! { &::std::format!(#path, #(#rest),*) }
    };
    syn::parse2(quote! { ::streamkit_runtime::base_url::request_url(&client.base_url, #path_expr)? })
        .map_err(|e| format!("request URL `{template}`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(stmt: syn::Stmt) -> String {
        let syn::Stmt::Local(mut local) = stmt else { panic!("not a let") };
        let mut v = RequestUrls { changed: 0, error: None };
        v.visit_local_mut(&mut local);
        assert_eq!((v.changed, v.error), (1, None));
        let e = &local.init.as_ref().unwrap().expr;
        quote!(#e).to_string()
    }

    #[test]
    fn a_static_path_becomes_a_literal_and_a_templated_one_keeps_its_encoding() {
        let s = rewrite(syn::parse_quote! { let url = format!("{}/streams", client.baseurl,); });
        assert_eq!(s, quote!(::streamkit_runtime::base_url::request_url(&client.base_url, "/streams")?).to_string());
        let s = rewrite(syn::parse_quote! {
            let url = format!("{}/v1/channels/{}/follow", client.baseurl, encode_path(&channel_id.to_string()),);
        });
        let want = quote!(::streamkit_runtime::base_url::request_url(
            &client.base_url,
            &::std::format!("/v1/channels/{}/follow", encode_path(&channel_id.to_string()))
        )?);
        assert_eq!(s, want.to_string());
    }

    #[test]
    fn a_url_not_built_from_the_base_is_an_error() {
        let stmt: syn::Stmt = syn::parse_quote! { let url = format!("{}/x", other.thing); };
        let syn::Stmt::Local(mut local) = stmt else { unreachable!() };
        let mut v = RequestUrls { changed: 0, error: None };
        v.visit_local_mut(&mut local);
        assert!(v.error.unwrap().contains("client.baseurl"));
    }
}
