//! Where progenitor put each operation: the builder whose `send()` carries its
//! `operation_id`, and the success type that `send()` returns.

use syn::visit::Visit;

use super::tree;

/// One builder `send()` of progenitor's output.
#[derive(Debug, Clone)]
pub struct SendSite {
    /// progenitor's operation id (snake case), from the `operation_id: "..."` field.
    pub operation: String,
    /// The builder type.
    pub builder: String,
    /// The success type `T` of `Result<ResponseValue<T>, Error<..>>`.
    pub success: syn::Type,
}

/// The `operation_id: "..."` string literal in a function body.
pub fn operation_literal(f: &syn::ImplItemFn) -> Option<String> {
    struct Find(Option<String>);
    impl<'ast> Visit<'ast> for Find {
        fn visit_field_value(&mut self, fv: &'ast syn::FieldValue) {
            if let (syn::Member::Named(n), syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. })) =
                (&fv.member, &fv.expr)
                && n == "operation_id"
            {
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
pub fn success_type(f: &syn::ImplItemFn) -> Option<syn::Type> {
    let syn::ReturnType::Type(_, ty) = &f.sig.output else { return None };
    let first = |ty: &syn::Type| -> Option<syn::Type> {
        let syn::Type::Path(p) = ty else { return None };
        tree::first_type_argument(p.path.segments.last()?).cloned()
    };
    first(&first(ty)?)
}
