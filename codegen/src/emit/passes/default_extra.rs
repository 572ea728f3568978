//! typify's struct builders demand every field, including the flattened map of kept
//! undocumented fields (`extra`), whose builder default is `Err("no value supplied ...")`;
//! an empty map is the right default.

use syn::visit_mut::VisitMut;
use syn::{File, Item};

use crate::emit::pass::{Context, Expect, Pass};
use crate::emit::tree;

/// Gives the flattened map field of every typify builder an empty default.
pub struct DefaultExtra;

/// `(struct name, field name)` of every flattened map field in `types`.
fn flattened_maps(types: &[Item]) -> Vec<(String, String)> {
    types
        .iter()
        .filter_map(|i| match i {
            Item::Struct(s) => Some(s),
            _ => None,
        })
        .flat_map(|s| {
            s.fields
                .iter()
                .filter(|f| tree::is_flattened_map(f))
                .filter_map(move |f| Some((s.ident.to_string(), f.ident.as_ref()?.to_string())))
        })
        .collect()
}

impl Pass for DefaultExtra {
    fn name(&self) -> &'static str {
        "default_extra"
    }

    fn expect(&self, cx: &Context<'_>, file: &File) -> Expect {
        let found = tree::module(file, "types").map_or(0, |t| flattened_maps(t).len());
        let open = cx.plan.shape.open_objects;
        Expect::exactly_with_floor(
            found,
            open.min(1),
            format!(
                "one per struct with a `#[serde(flatten)]` map; {found} such struct(s) generated, and the adapted spec keeps extra fields on {open} object schema(s)"
            ),
        )
    }

    fn run(&self, _: &mut Context<'_>, file: &mut File) -> Result<usize, String> {
        let types = tree::require_module_mut(file, "types")?;
        let maps = flattened_maps(types);
        if maps.is_empty() {
            return Ok(0);
        }
        let builders = tree::module_in_mut(types, "builder").ok_or("typify output has no `types::builder` module")?;
        let mut n = 0;
        for item in builders.iter_mut() {
            let Item::Impl(imp) = item else { continue };
            if tree::trait_name(imp).as_deref() != Some("Default") {
                continue;
            }
            let Some(name) = tree::self_type_name(imp) else { continue };
            let fields: Vec<&str> = maps.iter().filter(|(s, _)| s == &name).map(|(_, f)| f.as_str()).collect();
            if fields.is_empty() {
                continue;
            }
            let mut fix = Fix { fields, changed: 0 };
            fix.visit_item_impl_mut(imp);
            n += fix.changed;
        }
        Ok(n)
    }
}

/// In a builder's `Default`, `field: Err(..)` → `field: Ok(Default::default())`.
struct Fix<'a> {
    fields: Vec<&'a str>,
    changed: usize,
}

impl VisitMut for Fix<'_> {
    fn visit_field_value_mut(&mut self, fv: &mut syn::FieldValue) {
        let syn::Member::Named(n) = &fv.member else { return };
        let is_err_call = matches!(&fv.expr, syn::Expr::Call(c) if tree::is_path_to(&c.func, "Err"));
        if is_err_call && self.fields.iter().any(|f| n == f) {
            fv.expr = syn::parse_quote!(Ok(Default::default()));
            self.changed += 1;
        }
    }
}
