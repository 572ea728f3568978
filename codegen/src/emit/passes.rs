//! Passes over progenitor's syntax tree.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{File, Item, ItemMod};

/// The inline module named `name` at the top of the file.
pub fn module_mut<'a>(file: &'a mut File, name: &str) -> Option<&'a mut Vec<Item>> {
    file.items.iter_mut().find_map(|item| match item {
        Item::Mod(ItemMod { ident, content: Some((_, items)), .. }) if ident == name => Some(items),
        _ => None,
    })
}

/// Removes the `api-version` header progenitor adds to every request (a dropshot
/// convention our APIs do not speak).
pub fn strip_api_version(file: &mut File) {
    struct Strip;
    impl VisitMut for Strip {
        fn visit_block_mut(&mut self, block: &mut syn::Block) {
            block.stmts.retain(|s| !s.to_token_stream().to_string().contains("\"api-version\""));
            syn::visit_mut::visit_block_mut(self, block);
        }
    }
    Strip.visit_file_mut(file);
}

/// One `send` found in the builder module.
#[derive(Debug, Clone)]
pub struct SendSite {
    /// progenitor's operation id (snake case).
    pub operation: String,
    /// The builder type.
    pub builder: String,
    /// The success type `T` of `ResponseValue<T>`.
    pub success: syn::Type,
}

/// Finds the `operation_id: "..."` literal in a function body.
fn operation_literal(f: &syn::ImplItemFn) -> Option<String> {
    struct Find(Option<String>);
    impl<'ast> Visit<'ast> for Find {
        fn visit_field_value(&mut self, fv: &'ast syn::FieldValue) {
            if let (syn::Member::Named(n), syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. })) = (&fv.member, &fv.expr)
                && n == "operation_id" {
                    self.0 = Some(s.value());
                }
            syn::visit::visit_field_value(self, fv);
        }
    }
    let mut find = Find(None);
    find.visit_block(&f.block);
    find.0
}

/// `Result<ResponseValue<T>, Error<..>>` → `T`.
fn success_type(f: &syn::ImplItemFn) -> Option<syn::Type> {
    let syn::ReturnType::Type(_, ty) = &f.sig.output else { return None };
    let first_arg = |ty: &syn::Type| -> Option<syn::Type> {
        let syn::Type::Path(p) = ty else { return None };
        let seg = p.path.segments.last()?;
        let syn::PathArguments::AngleBracketed(args) = &seg.arguments else { return None };
        args.args.iter().find_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        })
    };
    first_arg(&first_arg(ty)?)
}

/// Renames every builder's `send` to a private `send_raw` and returns where they were; the
/// public `send` wrappers are added by [`add_send_wrappers`].
pub fn take_send_sites(file: &mut File) -> Result<Vec<SendSite>, String> {
    let builder = module_mut(file, "builder").ok_or("progenitor output has no `builder` module")?;
    let mut sites = Vec::new();
    for item in builder.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        let syn::Type::Path(self_ty) = &*imp.self_ty else { continue };
        let Some(name) = self_ty.path.segments.last().map(|s| s.ident.to_string()) else { continue };
        for it in imp.items.iter_mut() {
            let syn::ImplItem::Fn(f) = it else { continue };
            if f.sig.ident != "send" {
                continue;
            }
            let operation = operation_literal(f).ok_or_else(|| format!("builder {name}: no operation id in send()"))?;
            let success = success_type(f).ok_or_else(|| format!("builder {name}: unexpected send() return type"))?;
            f.sig.ident = format_ident!("send_raw");
            f.vis = syn::Visibility::Inherited;
            f.attrs.retain(|a| !a.path().is_ident("doc"));
            sites.push(SendSite { operation, builder: name.clone(), success });
        }
    }
    Ok(sites)
}

/// Adds `pub async fn send(self) -> Result<ResponseValue<T>, streamkit_runtime::Error>` to
/// each builder. `optional` lists operations whose 204 is restored as `None`.
pub fn add_send_wrappers(file: &mut File, sites: &[SendSite], spec_ids: &dyn Fn(&str) -> (String, bool)) -> Result<(), String> {
    let builder = module_mut(file, "builder").ok_or("progenitor output has no `builder` module")?;
    for site in sites {
        let ty = syn::Ident::new(&site.builder, proc_macro2::Span::call_site());
        let success = &site.success;
        let (spec_id, optional) = spec_ids(&site.operation);
        let op = &site.operation;
        let doc = format!(" Sends the request (`{spec_id}`).\n\n Errors come as [`streamkit_runtime::Error`]: the server's status, body and rate-limit\n figures for an error response; transport, decoding and auth failures otherwise.");
        let tokens: TokenStream = if optional {
            let doc = format!("{doc}\n\n The spec allows `204 No Content` here as well as a body: that answer is `Ok(None)`.");
            quote! {
                impl<'a> #ty<'a> {
                    #[doc = #doc]
                    pub async fn send(self) -> ::std::result::Result<::std::option::Option<ResponseValue<#success>>, ::streamkit_runtime::Error> {
                        let runtime = self.client.inner.clone();
                        ::streamkit_runtime::response::send_optional(#op, &runtime, self.send_raw()).await
                    }
                }
            }
        } else {
            quote! {
                impl<'a> #ty<'a> {
                    #[doc = #doc]
                    pub async fn send(self) -> ::std::result::Result<ResponseValue<#success>, ::streamkit_runtime::Error> {
                        let runtime = self.client.inner.clone();
                        ::streamkit_runtime::response::send(#op, &runtime, self.send_raw()).await
                    }
                }
            }
        };
        builder.push(syn::parse2(tokens).map_err(|e| e.to_string())?);
    }
    Ok(())
}

fn is_unit_string_enum(e: &syn::ItemEnum) -> bool {
    !e.variants.is_empty() && e.variants.iter().all(|v| matches!(v.fields, syn::Fields::Unit))
}

/// Open string enums: each all-unit enum in `types` gains `Unknown(String)`, so a value the
/// spec does not list parses instead of failing the whole response.
pub fn open_enums(file: &mut File) -> Result<Vec<String>, String> {
    let types = module_mut(file, "types").ok_or("progenitor output has no `types` module")?;
    let mut opened = Vec::new();
    for item in types.iter_mut() {
        let Item::Enum(e) = item else { continue };
        if !is_unit_string_enum(e) {
            continue;
        }
        for attr in e.attrs.iter_mut() {
            if attr.path().is_ident("derive") {
                let list: syn::punctuated::Punctuated<syn::Path, syn::Token![,]> =
                    attr.parse_args_with(syn::punctuated::Punctuated::parse_terminated).map_err(|e| e.to_string())?;
                let kept: Vec<_> = list.into_iter().filter(|p| !p.is_ident("Copy")).collect();
                *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
            }
        }
        e.variants.push(syn::parse_quote! {
            /// A value this version of the spec does not know. Kept as sent.
            #[serde(untagged)]
            Unknown(::std::string::String)
        });
        opened.push(e.ident.to_string());
    }
    for item in types.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        let syn::Type::Path(p) = &*imp.self_ty else { continue };
        let Some(name) = p.path.segments.last().map(|s| s.ident.to_string()) else { continue };
        if !opened.contains(&name) {
            continue;
        }
        let Some((trait_path, _)) = &imp.trait_ else { continue };
        let trait_name = trait_path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
        for it in imp.items.iter_mut() {
            let syn::ImplItem::Fn(f) = it else { continue };
            struct Patch<'a>(&'a str);
            impl VisitMut for Patch<'_> {
                fn visit_expr_match_mut(&mut self, m: &mut syn::ExprMatch) {
                    match self.0 {
                        "Display" => m.arms.push(syn::parse_quote!(Self::Unknown(ref value) => f.write_str(value))),
                        "FromStr" => {
                            for arm in m.arms.iter_mut() {
                                if matches!(arm.pat, syn::Pat::Wild(_)) {
                                    *arm.body = syn::parse_quote!(Ok(Self::Unknown(value.to_string())));
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            Patch(&trait_name).visit_block_mut(&mut f.block);
        }
    }
    Ok(opened)
}

/// `#[non_exhaustive]` on every generated struct with named fields and every enum, so that
/// what is additive on the wire (a new field, a new enum value) is additive in Rust too:
/// callers build values with the builders and match enums with a `_` arm.
pub fn non_exhaustive_types(file: &mut File) {
    let Some(types) = module_mut(file, "types") else { return };
    for item in types.iter_mut() {
        match item {
            Item::Struct(s) if matches!(s.fields, syn::Fields::Named(_)) => s.attrs.push(syn::parse_quote!(#[non_exhaustive])),
            Item::Enum(e) => e.attrs.push(syn::parse_quote!(#[non_exhaustive])),
            _ => {}
        }
    }
}

/// typify's struct builders demand every field, including the `extra` map of kept fields;
/// an empty map is the right default.
pub fn default_extra_in_builders(file: &mut File) {
    let Some(types) = module_mut(file, "types") else { return };
    let Some(builders) = types.iter_mut().find_map(|i| match i {
        Item::Mod(ItemMod { ident, content: Some((_, items)), .. }) if ident == "builder" => Some(items),
        _ => None,
    }) else {
        return;
    };
    struct Fix;
    impl VisitMut for Fix {
        fn visit_field_value_mut(&mut self, fv: &mut syn::FieldValue) {
            if let syn::Member::Named(n) = &fv.member
                && n == "extra" && fv.expr.to_token_stream().to_string().starts_with("Err") {
                    fv.expr = syn::parse_quote!(Ok(Default::default()));
                }
        }
    }
    for item in builders.iter_mut() {
        if let Item::Impl(imp) = item
            && imp.trait_.as_ref().is_some_and(|(p, _)| p.segments.last().is_some_and(|s| s.ident == "Default")) {
                Fix.visit_item_impl_mut(imp);
            }
    }
}

fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    let mut out = None;
    for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = a.parse_nested_meta(|m| {
            if m.path.is_ident("rename") {
                let s: syn::LitStr = m.value()?.parse()?;
                out = Some(s.value());
            } else if m.input.peek(syn::Token![=]) {
                let _: syn::Expr = m.value()?.parse()?;
            }
            Ok(())
        });
    }
    out
}

fn is_flatten(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().filter(|a| a.path().is_ident("serde")).any(|a| a.to_token_stream().to_string().contains("flatten"))
}

/// `Drift` impls for every generated type, so strict mode can find unknown values.
pub fn drift_impls(file: &mut File) -> Result<(), String> {
    let types = module_mut(file, "types").ok_or("progenitor output has no `types` module")?;
    let mut impls: Vec<Item> = Vec::new();
    let d = quote!(::streamkit_runtime::drift);
    for item in types.iter() {
        let body = match item {
            Item::Struct(s) => match &s.fields {
                syn::Fields::Named(named) => {
                    let lines = named.named.iter().filter_map(|f| Some((f, f.ident.as_ref()?))).map(|(f, ident)| {
                        let wire = serde_rename(&f.attrs).unwrap_or_else(|| ident.to_string().trim_start_matches("r#").to_string());
                        if is_flatten(&f.attrs) && ident == "extra" {
                            quote!(#d::report_extra(at, self.extra.keys(), out);)
                        } else if is_flatten(&f.attrs) {
                            quote!(#d::Drift::drift(&self.#ident, at, out);)
                        } else {
                            quote!(#d::Drift::drift(&self.#ident, &#d::field_path(at, #wire), out);)
                        }
                    });
                    quote!(#(#lines)*)
                }
                syn::Fields::Unnamed(u) => {
                    let idx = (0..u.unnamed.len()).map(syn::Index::from);
                    quote!(#(#d::Drift::drift(&self.#idx, at, out);)*)
                }
                syn::Fields::Unit => quote!(),
            },
            Item::Enum(e) => {
                let arms = e.variants.iter().map(|v| {
                    let vi = &v.ident;
                    match &v.fields {
                        syn::Fields::Unit => quote!(Self::#vi => {}),
                        syn::Fields::Unnamed(u) if vi == "Unknown" && u.unnamed.len() == 1 => {
                            quote!(Self::Unknown(value) => #d::report_unknown(at, value, out),)
                        }
                        syn::Fields::Unnamed(u) => {
                            let names: Vec<_> = (0..u.unnamed.len()).map(|i| format_ident!("f{i}")).collect();
                            quote!(Self::#vi(#(#names),*) => { #(#d::Drift::drift(#names, at, out);)* })
                        }
                        syn::Fields::Named(n) => {
                            let names: Vec<_> = n.named.iter().filter_map(|f| f.ident.clone()).collect();
                            let wires: Vec<String> = names.iter().map(|n| n.to_string()).collect();
                            quote!(Self::#vi { #(#names),* } => { #(#d::Drift::drift(#names, &#d::field_path(at, #wires), out);)* })
                        }
                    }
                });
                quote!(match self { #(#arms)* })
            }
            _ => continue,
        };
        let name = match item {
            Item::Struct(s) => &s.ident,
            Item::Enum(e) => &e.ident,
            _ => continue,
        };
        impls.push(syn::parse2(quote! {
            impl #d::Drift for #name {
                #[allow(unused_variables)]
                fn drift(&self, at: &str, out: &mut ::std::vec::Vec<::std::string::String>) {
                    #body
                }
            }
        }).map_err(|e| e.to_string())?);
    }
    types.extend(impls);
    Ok(())
}
