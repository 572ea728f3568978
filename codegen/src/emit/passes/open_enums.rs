//! Open string enums: each all-unit enum in `types` gains `Unknown(String)`, so a value the
//! spec does not list parses instead of failing the whole response. `Copy` goes (a
//! `String` is not `Copy`); typify's `Display` gains an arm and its `FromStr` keeps the
//! unknown value instead of refusing it.

use syn::visit_mut::VisitMut;
use syn::{File, Item};

use crate::emit::pass::{Context, Expect, Pass};
use crate::emit::tree;

/// Opens every unit-only enum of the `types` module.
pub struct OpenEnums;

fn is_unit_enum(e: &syn::ItemEnum) -> bool {
    !e.variants.is_empty() && e.variants.iter().all(|v| matches!(v.fields, syn::Fields::Unit))
}

impl Pass for OpenEnums {
    fn name(&self) -> &'static str {
        "open_enums"
    }

    fn expect(&self, cx: &Context<'_>, _: &File) -> Expect {
        let declared = cx.plan.shape.string_enums;
        Expect::at_least(declared.min(1), format!("the spec declares {declared} string enum(s)"))
    }

    fn run(&self, _: &mut Context<'_>, file: &mut File) -> Result<usize, String> {
        let types = tree::require_module_mut(file, "types")?;
        let mut opened = Vec::new();
        for item in types.iter_mut() {
            let Item::Enum(e) = item else { continue };
            if !is_unit_enum(e) {
                continue;
            }
            if e.variants.iter().any(|v| v.ident == "Unknown") {
                return Err(format!(
                    "enum {} already has a variant `Unknown`; rename the spec value (x-enum-varnames) so the open variant can be added",
                    e.ident
                ));
            }
            for attr in e.attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
                let list: syn::punctuated::Punctuated<syn::Path, syn::Token![,]> = attr
                    .parse_args_with(syn::punctuated::Punctuated::parse_terminated)
                    .map_err(|err| format!("enum {}: derive list: {err}", e.ident))?;
                let kept: Vec<_> = list.into_iter().filter(|p| !p.is_ident("Copy")).collect();
                *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
            }
            e.variants.push(syn::parse_quote! {
                /// A value this version of the spec does not know. Kept as sent.
                #[serde(untagged)]
                Unknown(::std::string::String)
            });
            opened.push(e.ident.to_string());
        }
        let mut display = Vec::new();
        let mut from_str = Vec::new();
        for item in types.iter_mut() {
            let Item::Impl(imp) = item else { continue };
            let Some(name) = tree::self_type_name(imp) else { continue };
            if !opened.contains(&name) {
                continue;
            }
            match tree::trait_name(imp).as_deref() {
                Some("Display") if patch_display(imp) => display.push(name),
                Some("FromStr") if patch_from_str(imp) => from_str.push(name),
                _ => {}
            }
        }
        for name in &opened {
            if !display.contains(name) || !from_str.contains(name) {
                return Err(format!(
                    "enum {name}: expected typify's `Display` (one `match`) and `FromStr` (a `_` arm) to open, patched Display: {}, FromStr: {}",
                    display.contains(name),
                    from_str.contains(name)
                ));
            }
        }
        Ok(opened.len())
    }
}

/// `Display`: `Self::Unknown(ref value) => f.write_str(value)` in the `match`.
fn patch_display(imp: &mut syn::ItemImpl) -> bool {
    struct Patch(usize);
    impl VisitMut for Patch {
        fn visit_expr_match_mut(&mut self, m: &mut syn::ExprMatch) {
            m.arms.push(syn::parse_quote!(Self::Unknown(ref value) => f.write_str(value)));
            self.0 += 1;
        }
    }
    let mut patch = Patch(0);
    patch.visit_item_impl_mut(imp);
    patch.0 == 1
}

/// `FromStr`: the `_ => Err(..)` arm becomes `_ => Ok(Self::Unknown(value.to_string()))`.
fn patch_from_str(imp: &mut syn::ItemImpl) -> bool {
    struct Patch(usize);
    impl VisitMut for Patch {
        fn visit_expr_match_mut(&mut self, m: &mut syn::ExprMatch) {
            for arm in m.arms.iter_mut().filter(|a| matches!(a.pat, syn::Pat::Wild(_))) {
                *arm.body = syn::parse_quote!(Ok(Self::Unknown(value.to_string())));
                self.0 += 1;
            }
        }
    }
    let mut patch = Patch(0);
    patch.visit_item_impl_mut(imp);
    patch.0 == 1
}
