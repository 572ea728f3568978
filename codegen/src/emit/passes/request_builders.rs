//! typify writes a struct builder (`types::builder::X`, its `Default`, setters, `TryFrom`
//! and `From` impls, and `X::builder()`) for every struct: it has only a global switch. A
//! caller builds a value only to send it, so only the types a request body reaches need
//! one; the builders of response-only types were about 40% of a generated file's lines and
//! a large share of its compile time.
//!
//! This pass keeps the builders of the types reachable from a request (every type an
//! operation's builder struct holds, and every type their fields, or their variants'
//! fields, name, transitively) and drops the others.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::{File, ImplItem, Item};

use crate::emit::pass::{Context, Expect, Pass};
use crate::emit::tree;

/// Drops the typify builders of types no request body reaches.
pub struct RequestBuilders;

/// The type names each type of `types` mentions in its fields (or its variants' fields).
fn mentions(types: &[Item]) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for item in types {
        let (name, tokens) = match item {
            Item::Struct(s) => (s.ident.to_string(), s.fields.to_token_stream()),
            Item::Enum(e) => {
                let mut t = TokenStream::new();
                for v in &e.variants {
                    v.fields.to_tokens(&mut t);
                }
                (e.ident.to_string(), t)
            }
            Item::Type(t) => (t.ident.to_string(), t.ty.to_token_stream()),
            _ => continue,
        };
        tree::idents(tokens, out.entry(name).or_default());
    }
    out
}

/// The builder structs in `types::builder` that no request body reaches.
fn unreachable_builders(file: &File) -> BTreeSet<String> {
    let Some(types) = tree::module(file, "types") else { return BTreeSet::new() };
    let Some(builders) = tree::module_in(types, "builder") else { return BTreeSet::new() };
    let have: BTreeSet<String> = builders
        .iter()
        .filter_map(|i| match i {
            Item::Struct(s) => Some(s.ident.to_string()),
            _ => None,
        })
        .collect();
    // What the operations' builders hold: their parameters and bodies (a body as its
    // builder, `types::builder::X`, or as the type itself when typify has no builder for
    // it, e.g. an enum of arrays of structs).
    let mut roots = BTreeSet::new();
    for item in tree::module(file, "builder").into_iter().flatten() {
        if let Item::Struct(s) = item {
            tree::idents(s.fields.to_token_stream(), &mut roots);
        }
    }
    let graph = mentions(types);
    let mut reached: BTreeSet<String> = BTreeSet::new();
    let mut todo: Vec<String> = roots.into_iter().collect();
    while let Some(name) = todo.pop() {
        if !reached.insert(name.clone()) {
            continue;
        }
        todo.extend(graph.get(&name).into_iter().flatten().filter(|n| !reached.contains(*n)).cloned());
    }
    have.into_iter().filter(|n| !reached.contains(n)).collect()
}

impl Pass for RequestBuilders {
    fn name(&self) -> &'static str {
        "request_builders"
    }

    fn expect(&self, _: &Context<'_>, file: &File) -> Expect {
        let n = unreachable_builders(file).len();
        Expect::exactly(n, "one per typify builder of a type no request body reaches")
    }

    fn run(&self, _: &mut Context<'_>, file: &mut File) -> Result<usize, String> {
        let drop = unreachable_builders(file);
        if drop.is_empty() {
            return Ok(0);
        }
        let types = tree::require_module_mut(file, "types")?;
        let builders = tree::module_in_mut(types, "builder").ok_or("typify output has no `types::builder` module")?;
        let before = builders.len();
        // The struct, its `Default`, its setters, `TryFrom<X> for super::X` and
        // `From<super::X> for X`: every item whose (self) type is the builder.
        builders.retain(|i| match i {
            Item::Struct(s) => !drop.contains(&s.ident.to_string()),
            Item::Impl(imp) => tree::self_type_name(imp).is_none_or(|n| !drop.contains(&n)),
            _ => true,
        });
        let removed_structs = drop.len();
        if before - builders.len() < removed_structs {
            return Err("a builder struct without its impls: typify's builder layout changed".into());
        }
        // `impl X { pub fn builder() -> builder::X { .. } }` in `types`.
        let mut n = 0;
        types.retain_mut(|i| {
            let Item::Impl(imp) = i else { return true };
            if imp.trait_.is_some() || tree::self_type_name(imp).is_none_or(|name| !drop.contains(&name)) {
                return true;
            }
            let len = imp.items.len();
            imp.items.retain(|it| !matches!(it, ImplItem::Fn(f) if f.sig.ident == "builder"));
            n += len - imp.items.len();
            !imp.items.is_empty()
        });
        if n != removed_structs {
            return Err(format!("dropped {removed_structs} builder structs but {n} `builder()` functions"));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::ServicePlan;

    fn file() -> File {
        syn::parse_quote! {
            pub mod types {
                pub struct Body { pub inner: Option<Inner>, pub tags: Vec<String> }
                pub struct Inner { pub kind: Kind }
                pub enum Kind { A(Leaf), B }
                pub struct Leaf { pub x: i64 }
                pub struct Response { pub data: Vec<Leaf> }
                pub enum Patch { Ops(Vec<Op>) }
                pub struct Op { pub path: String }
                impl Op { pub fn builder() -> builder::Op { Default::default() } }
                impl Body { pub fn builder() -> builder::Body { Default::default() } }
                impl Inner { pub fn builder() -> builder::Inner { Default::default() } }
                impl Leaf { pub fn builder() -> builder::Leaf { Default::default() } }
                impl Response { pub fn builder() -> builder::Response { Default::default() } }
                pub mod builder {
                    pub struct Body { inner: Result<Option<super::Inner>, String> }
                    impl Default for Body { fn default() -> Self { todo!() } }
                    pub struct Inner { kind: Result<super::Kind, String> }
                    impl Default for Inner { fn default() -> Self { todo!() } }
                    pub struct Leaf { x: Result<i64, String> }
                    impl Default for Leaf { fn default() -> Self { todo!() } }
                    pub struct Response { data: Result<Vec<super::Leaf>, String> }
                    impl Default for Response { fn default() -> Self { todo!() } }
                    impl Response { pub fn data(self) -> Self { self } }
                    pub struct Op { path: Result<String, String> }
                    impl ::std::convert::TryFrom<Response> for super::Response { type Error = (); }
                    impl ::std::convert::From<super::Response> for Response { fn from(_: super::Response) -> Self { todo!() } }
                }
            }
            pub mod builder {
                pub struct PostThing<'a> { body: Result<types::builder::Body, String> }
                pub struct PatchThing<'a> { body: Result<types::Patch, String> }
            }
        }
    }

    #[test]
    fn keeps_the_builders_a_request_reaches_through_fields_and_variants() {
        let mut f = file();
        assert_eq!(unreachable_builders(&f), BTreeSet::from(["Response".to_string()]));
        let doc = serde_json::json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "x-streamkit-service": {"crate": "t", "module": "t", "base-url": "http://127.0.0.1:1"},
            "paths": {"/things": {"get": {"operationId": "getThings", "responses": {"204": {"description": "ok"}}}}}});
        let adapted = crate::adapt::adapt(&doc).unwrap();
        let plan: ServicePlan = crate::plan::plan(std::path::Path::new("specs/t.yaml"), &doc, &adapted).unwrap();
        let count = crate::emit::pass::run_pass(&RequestBuilders, &mut Context::new(&plan), &mut f).unwrap();
        assert_eq!(count.changed, 1);
        let text = f.to_token_stream().to_string();
        assert!(!text.contains("builder :: Response"), "{text}");
        assert!(!text.contains("for Response"), "{text}");
        for kept in ["builder :: Body", "builder :: Inner", "builder :: Leaf", "struct Leaf { x", "builder :: Op"] {
            assert!(text.contains(kept), "{kept} missing: {text}");
        }
    }
}
