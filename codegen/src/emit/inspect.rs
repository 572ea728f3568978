//! Finding items in generated code by structure, to show them: the golden tests snapshot
//! them, and [`crate::summary()`] describes an output with them.

use syn::visit::Visit;
use syn::{File, Item};

use super::tree;

/// Parses generated code (the banner's inner attribute is fine).
pub fn parse(code: &str) -> Result<File, String> {
    syn::parse_file(code).map_err(|e| format!("generated code does not parse: {e}"))
}

/// Formats items as source text.
pub fn render(items: impl IntoIterator<Item = Item>) -> String {
    prettyplease::unparse(&File {
        shebang: None,
        frontmatter: None,
        attrs: Vec::new(),
        items: items.into_iter().collect(),
    })
}

/// The string literal passed first to a call of the function `callee` inside `item`.
fn first_literal_argument_of(item: &syn::ImplItemFn, callee: &[&str]) -> Option<String> {
    struct Find<'c>(&'c [&'c str], Option<String>);
    impl<'ast> Visit<'ast> for Find<'_> {
        fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
            if let syn::Expr::Path(p) = &*c.func
                && p.path.segments.last().is_some_and(|s| self.0.iter().any(|n| s.ident == n))
                && let Some(syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. })) = c.args.first()
            {
                self.1 = Some(s.value());
            }
            syn::visit::visit_expr_call(self, c);
        }
    }
    let mut find = Find(callee, None);
    find.visit_impl_item_fn(item);
    find.1
}

/// The public `send()` wrappers in the `builder` module, by progenitor's operation name.
pub fn send_wrappers(file: &File) -> Vec<(String, &syn::ItemImpl, &syn::ImplItemFn)> {
    let Some(builder) = tree::module(file, "builder") else { return Vec::new() };
    builder
        .iter()
        .filter_map(|i| match i {
            Item::Impl(imp) => Some(imp),
            _ => None,
        })
        .flat_map(|imp| {
            imp.items.iter().filter_map(move |it| match it {
                syn::ImplItem::Fn(f) if f.sig.ident == "send" && matches!(f.vis, syn::Visibility::Public(_)) => {
                    Some((first_literal_argument_of(f, &["send", "send_optional"])?, imp, f))
                }
                _ => None,
            })
        })
        .collect()
}

/// The `impl` holding the public `send()` of one operation (progenitor's snake-case name).
pub fn send_wrapper(file: &File, operation: &str) -> Option<Item> {
    send_wrappers(file).into_iter().find(|(op, _, _)| op == operation).map(|(_, imp, _)| Item::Impl(imp.clone()))
}

/// A struct or enum of the `types` module, with every impl of it in that module.
pub fn type_with_impls(file: &File, name: &str) -> Vec<Item> {
    let Some(types) = tree::module(file, "types") else { return Vec::new() };
    types
        .iter()
        .filter(|i| match i {
            Item::Struct(s) => s.ident == name,
            Item::Enum(e) => e.ident == name,
            Item::Impl(imp) => tree::self_type_name(imp).as_deref() == Some(name),
            _ => false,
        })
        .cloned()
        .collect()
}

/// The `Default` impl of a typify builder (`types::builder::<name>`).
pub fn builder_default(file: &File, name: &str) -> Option<Item> {
    let builders = tree::module_in(tree::module(file, "types")?, "builder")?;
    builders
        .iter()
        .find(|i| matches!(i, Item::Impl(imp) if tree::trait_name(imp).as_deref() == Some("Default") && tree::self_type_name(imp).as_deref() == Some(name)))
        .cloned()
}

/// The impls in the `builder` module for the builder struct `builder` that define a method
/// named `method` (e.g. the paginator methods).
pub fn builder_impl_with(file: &File, builder: &str, method: &str) -> Option<Item> {
    tree::module(file, "builder")?
        .iter()
        .find(|i| {
            matches!(i, Item::Impl(imp) if tree::self_type_name(imp).as_deref() == Some(builder)
                && imp.items.iter().any(|it| matches!(it, syn::ImplItem::Fn(f) if f.sig.ident == method)))
        })
        .cloned()
}

/// A top-level `static` by name (e.g. `POLICY`).
pub fn static_item(file: &File, name: &str) -> Option<Item> {
    file.items.iter().find(|i| matches!(i, Item::Static(s) if s.ident == name)).cloned()
}

/// Top-level impls of the trait `trait_name` (e.g. `PageBody`).
pub fn trait_impls(file: &File, trait_name: &str) -> Vec<Item> {
    file.items
        .iter()
        .filter(|i| matches!(i, Item::Impl(imp) if tree::trait_name(imp).as_deref() == Some(trait_name)))
        .cloned()
        .collect()
}

/// Names of the enums in `types` that carry the open `Unknown(String)` variant.
pub fn open_enums(file: &File) -> Vec<String> {
    let Some(types) = tree::module(file, "types") else { return Vec::new() };
    types
        .iter()
        .filter_map(|i| match i {
            Item::Enum(e)
                if e.variants.iter().any(|v| v.ident == "Unknown" && tree::has_serde_flag(&v.attrs, "untagged")) =>
            {
                Some(e.ident.to_string())
            }
            _ => None,
        })
        .collect()
}

/// `Struct.field` for every field in `types` whose type mentions `streamkit_runtime::Secret`.
pub fn secret_fields(file: &File) -> Vec<String> {
    struct Mentions(bool);
    impl<'ast> Visit<'ast> for Mentions {
        fn visit_path(&mut self, p: &'ast syn::Path) {
            let segs: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
            if segs.ends_with(&["streamkit_runtime".to_string(), "Secret".to_string()]) {
                self.0 = true;
            }
            syn::visit::visit_path(self, p);
        }
    }
    let Some(types) = tree::module(file, "types") else { return Vec::new() };
    let mut out = Vec::new();
    for item in types {
        let Item::Struct(s) = item else { continue };
        for f in &s.fields {
            let mut m = Mentions(false);
            m.visit_type(&f.ty);
            if m.0
                && let Some(ident) = &f.ident
            {
                out.push(format!("{}.{ident}", s.ident));
            }
        }
    }
    out
}
