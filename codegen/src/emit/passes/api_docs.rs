//! Rustdoc people can start from. progenitor documents `Client` with the spec's description
//! and `new(baseurl, inner)`, and each operation with an ```` ```ignore ```` snippet that
//! passes every parameter as an undefined variable. This pass starts the client's doc with
//! how to build it (the builder), and gives every operation a `no_run` example that compiles
//! (see [`crate::emit::doc_examples`]): cargo's doctests keep them compiling.

use syn::{File, ImplItem, Item};

use crate::emit::doc_examples;
use crate::emit::names;
use crate::emit::pass::{Context, Expect, Pass};

/// Rewrites the rustdoc of `Client` and of each operation method.
pub struct ApiDocs;

/// The text of an item's `#[doc = ".."]` attributes, joined.
fn doc_text(attrs: &[syn::Attribute]) -> String {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Replaces the doc attributes with one holding `text`.
fn set_doc(attrs: &mut Vec<syn::Attribute>, text: &str) {
    let at = attrs.iter().position(|a| a.path().is_ident("doc")).unwrap_or(0);
    attrs.retain(|a| !a.path().is_ident("doc"));
    attrs.insert(at.min(attrs.len()), syn::parse_quote!(#[doc = #text]));
}

/// Moves the `impl Client` holding `builder()` right after `struct Client`, so rustdoc shows
/// it first, and hides progenitor's `new(baseurl, inner)` constructors from the docs (the
/// builder makes the runtime they need).
fn builder_first(file: &mut File) {
    let has = |item: &Item, name: &str| {
        matches!(item, Item::Impl(imp) if imp.trait_.is_none()
            && crate::emit::tree::self_type_name(imp).as_deref() == Some("Client")
            && imp.items.iter().any(|it| matches!(it, ImplItem::Fn(f) if f.sig.ident == name)))
    };
    for item in file.items.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || crate::emit::tree::self_type_name(imp).as_deref() != Some("Client") {
            continue;
        }
        for it in imp.items.iter_mut() {
            if let ImplItem::Fn(f) = it
                && (f.sig.ident == "new" || f.sig.ident == "new_with_client")
            {
                f.attrs.push(syn::parse_quote!(#[doc(hidden)]));
            }
        }
    }
    let (Some(glue), Some(strukt)) = (
        file.items.iter().position(|i| has(i, "builder")),
        file.items.iter().position(|i| matches!(i, Item::Struct(s) if s.ident == "Client")),
    ) else {
        return;
    };
    let item = file.items.remove(glue);
    let at = if glue < strukt { strukt } else { strukt + 1 };
    file.items.insert(at, item);
}

impl Pass for ApiDocs {
    fn name(&self) -> &'static str {
        "api_docs"
    }

    fn expect(&self, cx: &Context<'_>, _: &File) -> Expect {
        Expect::exactly(cx.plan.operations.len() + 1, "the client's doc and one example per operation in the plan")
    }

    fn run(&self, cx: &mut Context<'_>, file: &mut File) -> Result<usize, String> {
        let mut n = 0;
        let title =
            cx.doc.pointer("/info/title").and_then(|t| t.as_str()).unwrap_or(&cx.plan.service.module).to_string();
        let description = cx.doc.pointer("/info/description").and_then(|t| t.as_str()).unwrap_or("").trim().to_string();
        let version = cx.doc.pointer("/info/version").and_then(|t| t.as_str()).unwrap_or("").to_string();
        for item in file.items.iter_mut() {
            match item {
                Item::Struct(s) if s.ident == "Client" => {
                    let text = format!(
                        "A client for {title}.\n\nBuild one with [`Client::builder`]; every operation is a method that returns a builder,\nsent with `.send().await`:\n\n{}\n\n{description}\n\nSpec version: {version}.",
                        doc_examples::client_example(cx.plan)
                    );
                    set_doc(&mut s.attrs, &text);
                    n += 1;
                }
                Item::Impl(imp)
                    if imp.trait_.is_none() && crate::emit::tree::self_type_name(imp).as_deref() == Some("Client") =>
                {
                    for it in imp.items.iter_mut() {
                        let ImplItem::Fn(f) = it else { continue };
                        let Some(op) =
                            cx.plan.operations.iter().find(|o| f.sig.ident == names::operation_method(&o.id))
                        else {
                            continue;
                        };
                        let text = doc_text(&f.attrs);
                        let Some(at) = text.find("```ignore") else { continue };
                        let text = format!(
                            "{}\n{}",
                            text[..at].trim_end(),
                            doc_examples::operation_example(cx.plan, cx.doc, op)
                        );
                        set_doc(&mut f.attrs, &text);
                        n += 1;
                    }
                }
                _ => {}
            }
        }
        builder_first(file);
        Ok(n)
    }
}
