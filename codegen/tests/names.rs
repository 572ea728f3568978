//! `emit::names` agrees with the code the generator wrote for the real specs: every
//! operation's method, every parameter's setter, every field, every enum variant and every
//! component type is where `names` says it is. Other tools (`cargo xtask diff`) rely on it.

use std::path::Path;

use serde_json::Value;
use streamkit_codegen::emit::{inspect, names, tree};
use syn::Item;

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

fn generated(spec: &str) -> (Value, syn::File) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/twitch").join(spec);
    let loaded = streamkit_codegen::load::load(&path, Path::new(spec)).unwrap();
    let out = streamkit_codegen::generate(&loaded).unwrap();
    (loaded.doc, inspect::parse(&out.code).unwrap())
}

/// Checks every name of one spec; returns how many operations, parameters, fields,
/// variants and component types were checked.
fn check(spec: &str) -> (usize, usize, usize, usize, usize) {
    let (doc, file) = generated(spec);
    let client_methods: Vec<String> = file
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Impl(imp) if imp.trait_.is_none() && tree::self_type_name(imp).as_deref() == Some("Client") => {
                Some(imp)
            }
            _ => None,
        })
        .flat_map(|imp| {
            imp.items.iter().filter_map(|it| match it {
                syn::ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
                _ => None,
            })
        })
        .collect();
    let mut checked = (0, 0, 0, 0, 0);
    for (_, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            let Some(op) = item.get(*method) else { continue };
            let id = op["operationId"].as_str().unwrap();
            let name = names::operation_method(id);
            assert!(
                client_methods.contains(&name),
                "{spec}: operation {id}: no `Client::{name}` in {client_methods:?}"
            );
            let Some(Item::Impl(send)) = inspect::send_wrapper(&file, &name) else {
                panic!("{spec}: no send wrapper for {name}")
            };
            let builder = tree::self_type_name(&send).unwrap();
            for p in item.get("parameters").into_iter().chain(op.get("parameters")).flat_map(|p| p.as_array().unwrap())
            {
                let setter = names::parameter_setter(p["name"].as_str().unwrap());
                assert!(
                    inspect::builder_impl_with(&file, &builder, &setter).is_some(),
                    "{spec}: operation {id}: no setter `{builder}::{setter}` for parameter {}",
                    p["name"]
                );
                checked.1 += 1;
            }
            checked.0 += 1;
        }
    }
    let types = tree::module(&file, "types").unwrap();
    for item in types {
        match item {
            Item::Struct(s) => {
                for f in s.fields.iter().filter(|f| f.ident.is_some() && !tree::has_serde_flag(&f.attrs, "flatten")) {
                    let wire = tree::wire_name(f).unwrap();
                    assert_eq!(
                        names::field(&wire),
                        f.ident.as_ref().unwrap().to_string(),
                        "{spec}: {}.{wire}",
                        s.ident
                    );
                    checked.2 += 1;
                }
            }
            Item::Enum(e) => {
                for v in e.variants.iter().filter(|v| matches!(v.fields, syn::Fields::Unit)) {
                    let wire = tree::serde_rename(&v.attrs).unwrap_or_else(|| v.ident.to_string());
                    let schema = doc["components"]["schemas"]
                        .as_object()
                        .and_then(|m| m.iter().find(|(k, _)| e.ident == names::type_name(k)).map(|(_, s)| s.clone()))
                        .unwrap_or_default();
                    assert_eq!(names::enum_variant(&schema, &wire), v.ident.to_string(), "{spec}: {}::{wire}", e.ident);
                    checked.3 += 1;
                }
            }
            _ => {}
        }
    }
    let defined: Vec<String> = types
        .iter()
        .filter_map(|i| match i {
            Item::Struct(s) => Some(s.ident.to_string()),
            Item::Enum(e) => Some(e.ident.to_string()),
            Item::Type(t) => Some(t.ident.to_string()),
            _ => None,
        })
        .collect();
    for component in doc.pointer("/components/schemas").and_then(Value::as_object).into_iter().flat_map(|m| m.keys()) {
        let ty = names::type_name(component);
        assert!(defined.contains(&ty), "{spec}: component {component}: no `types::{ty}`");
        checked.4 += 1;
    }
    checked
}

#[test]
fn names_match_the_generated_helix_client() {
    let (ops, params, fields, variants, types) = check("helix.yaml");
    assert!(
        ops > 10 && params > 10 && fields > 50 && variants > 10 && types > 10,
        "{:?}",
        (ops, params, fields, variants, types)
    );
}

#[test]
fn names_match_the_generated_oauth_client() {
    let (ops, _, fields, _, types) = check("oauth.yaml");
    assert!(ops > 1 && fields > 10 && types > 1, "{:?}", (ops, fields, types));
}
