//! Variant names from the spec's `x-enum-varnames` (the convention of openapi-generator and
//! others): a list beside `enum`, one Rust variant name per value. typify names the value
//! `""` `X`, so `BroadcasterType::X` becomes `BroadcasterType::Normal` when the spec says
//! `x-enum-varnames: [Affiliate, Partner, Normal]`. Read on component schemas (whose
//! Rust names are known); the serde name of each variant stays the wire value.

use std::collections::BTreeMap;

use serde_json::Value;
use syn::visit_mut::VisitMut;
use syn::{File, Item};

use crate::emit::pass::{Context, Expect, Pass};
use crate::emit::{names, tree};

/// Renames enum variants as the spec's `x-enum-varnames` says.
pub struct EnumVarnames;

/// Rust enum name → (wire value → variant name), for every component schema with
/// `x-enum-varnames`; only the values whose generated name differs.
fn wanted(doc: &Value) -> Result<BTreeMap<String, BTreeMap<String, String>>, String> {
    let mut out = BTreeMap::new();
    let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object) else { return Ok(out) };
    for (key, schema) in schemas {
        let Some(varnames) = schema.get("x-enum-varnames") else { continue };
        let at = format!("#/components/schemas/{key}/x-enum-varnames");
        let values = schema
            .get("enum")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("{at}: the schema has no `enum` to name"))?;
        let varnames = varnames.as_array().ok_or_else(|| format!("{at}: must be a list of names"))?;
        if varnames.len() != values.len() {
            return Err(format!("{at}: {} names for {} enum values", varnames.len(), values.len()));
        }
        let mut renames = BTreeMap::new();
        for (value, name) in values.iter().zip(varnames) {
            let (Some(value), Some(name)) = (value.as_str(), name.as_str()) else {
                return Err(format!("{at}: names and values must be strings"));
            };
            if syn::parse_str::<syn::Ident>(name).is_err() || !name.starts_with(|c: char| c.is_ascii_uppercase()) {
                return Err(format!("{at}: `{name}` is not a Rust variant name (UpperCamelCase identifier)"));
            }
            if name == "Unknown" {
                return Err(format!("{at}: `Unknown` is the variant that keeps values the spec does not know"));
            }
            if names::variant(value) != name {
                renames.insert(value.to_string(), name.to_string());
            }
        }
        if !renames.is_empty() {
            out.insert(names::type_name(key), renames);
        }
    }
    Ok(out)
}

/// `Self::Old` (inside the enum's own impls) and `Enum::Old` (anywhere) → `..::New`.
struct Paths<'r> {
    ty: &'r str,
    renames: &'r [(syn::Ident, syn::Ident)],
    own_impl: bool,
}

impl VisitMut for Paths<'_> {
    fn visit_path_mut(&mut self, p: &mut syn::Path) {
        let n = p.segments.len();
        if n >= 2 {
            let owner = &p.segments[n - 2].ident;
            if owner == self.ty || (self.own_impl && owner == "Self") {
                let last = &mut p.segments[n - 1].ident;
                if let Some((_, new)) = self.renames.iter().find(|(old, _)| old == last) {
                    *last = new.clone();
                }
            }
        }
        syn::visit_mut::visit_path_mut(self, p);
    }
}

impl Pass for EnumVarnames {
    fn name(&self) -> &'static str {
        "enum_varnames"
    }

    fn expect(&self, cx: &Context<'_>, _: &File) -> Expect {
        let n = wanted(cx.doc).map(|w| w.values().map(BTreeMap::len).sum()).unwrap_or(0);
        Expect::exactly(n, "one variant per `x-enum-varnames` entry that differs from the generated name")
    }

    fn run(&self, cx: &mut Context<'_>, file: &mut File) -> Result<usize, String> {
        let wanted = wanted(cx.doc)?;
        let mut n = 0;
        for (ty, renames) in &wanted {
            let types = tree::require_module_mut(file, "types")?;
            let e = types
                .iter_mut()
                .find_map(|i| match i {
                    Item::Enum(e) if e.ident == ty => Some(e),
                    _ => None,
                })
                .ok_or_else(|| {
                    format!("`x-enum-varnames` names the variants of `{ty}`, which is not a generated enum")
                })?;
            let mut pairs = Vec::new();
            for v in e.variants.iter_mut() {
                if let Some(new) = tree::serde_rename(&v.attrs).and_then(|wire| renames.get(&wire)) {
                    let new = quote::format_ident!("{new}");
                    pairs.push((v.ident.clone(), new.clone()));
                    v.ident = new;
                }
            }
            n += pairs.len();
            for item in file.items.iter_mut() {
                let mut visit = |item: &mut Item| {
                    let own_impl =
                        matches!(item, Item::Impl(imp) if tree::self_type_name(imp).as_deref() == Some(ty.as_str()));
                    Paths { ty, renames: &pairs, own_impl }.visit_item_mut(item);
                };
                match item {
                    Item::Mod(m) => m.content.iter_mut().flat_map(|(_, items)| items.iter_mut()).for_each(&mut visit),
                    other => visit(other),
                }
            }
        }
        unnamed_empty_values(file)?;
        Ok(n)
    }
}

/// Fails when an enum still names the value `""` `X`: the spec must name it.
fn unnamed_empty_values(file: &File) -> Result<(), String> {
    let Some(types) = tree::module(file, "types") else { return Ok(()) };
    for item in types {
        let Item::Enum(e) = item else { continue };
        if e.variants.iter().any(|v| v.ident == "X" && tree::serde_rename(&v.attrs).as_deref() == Some("")) {
            return Err(format!(
                "enum `{}` has the value \"\" and no name for it (it would be `{}::X`): give its component schema `x-enum-varnames`",
                e.ident, e.ident
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(names: Value) -> Value {
        serde_json::json!({"components": {"schemas": {"Kind": {"type": "string", "enum": ["big", ""], "x-enum-varnames": names}}}})
    }

    #[test]
    fn names_differing_from_the_generated_ones_are_renamed() {
        let w = wanted(&doc(serde_json::json!(["Big", "Normal"]))).unwrap();
        assert_eq!(w["Kind"].len(), 1, "`big` is `Big` already");
        assert_eq!(w["Kind"][""], "Normal");
    }

    #[test]
    fn bad_names_fail_naming_the_schema() {
        let e = wanted(&doc(serde_json::json!(["Big"]))).unwrap_err();
        assert_eq!(e, "#/components/schemas/Kind/x-enum-varnames: 1 names for 2 enum values");
        let e = wanted(&doc(serde_json::json!(["Big", "not-an-ident"]))).unwrap_err();
        assert!(e.contains("`not-an-ident` is not a Rust variant name"), "{e}");
        let e = wanted(&doc(serde_json::json!(["Big", "Unknown"]))).unwrap_err();
        assert!(e.contains("`Unknown` is the variant"), "{e}");
    }
}
