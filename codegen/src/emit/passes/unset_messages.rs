//! The messages of values that were not set or did not convert, in the caller's words.
//!
//! | generator's message | ours |
//! | --- | --- |
//! | `broadcaster_id was not initialized` | ``required parameter `broadcaster_id` not set`` |
//! | `body was not initialized` | `body not set` |
//! | `no value supplied for message` (typify builders) | ``field `message` not set`` |
//! | `error converting supplied value for title: ..` | ``field `title`: ..`` |
//! | `conversion to `SendChatMessageBody` for body failed: ..` | `body ..` |
//!
//! and a body built from a typify builder reports `body field `message` not set`.

use proc_macro2::TokenStream;
use syn::visit_mut::VisitMut;
use syn::{File, LitStr};

use crate::emit::constraints;
use crate::emit::pass::{Context, Expect, Pass};

/// Rewrites the unset/unconvertible-value messages of progenitor's and typify's builders.
pub struct UnsetMessages;

/// Our message for a generator's string literal, if it is one we rewrite.
fn literal(s: &str) -> Option<String> {
    if let Some(name) = s.strip_suffix(" was not initialized") {
        return Some(if name == "body" {
            "body not set".into()
        } else {
            format!("required parameter `{name}` not set")
        });
    }
    s.strip_prefix("no value supplied for ").map(|name| format!("field `{name}` not set"))
}

/// Our arguments for a generator's `format!` call, if it is one we rewrite.
fn format_args(first: &str, rest: &TokenStream) -> Option<TokenStream> {
    if let Some(tail) = first.strip_prefix("error converting supplied value for ") {
        let (name, placeholder) = tail.split_once(": ")?;
        let msg = format!("field `{name}`: {placeholder}");
        return Some(quote::quote!(#msg #rest));
    }
    if first.starts_with("conversion to `") && first.contains("` for body failed: ") {
        return Some(quote::quote!("body {}" #rest));
    }
    None
}

struct Rewrite {
    changed: usize,
}

impl VisitMut for Rewrite {
    /// Doc comments carry the spec's text, which may say anything: left alone.
    fn visit_attribute_mut(&mut self, _: &mut syn::Attribute) {}

    fn visit_lit_str_mut(&mut self, lit: &mut LitStr) {
        if let Some(ours) = literal(&lit.value()) {
            *lit = LitStr::new(&ours, lit.span());
            self.changed += 1;
        }
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        if !mac.path.is_ident("format") {
            return;
        }
        let mut tokens = mac.tokens.clone().into_iter();
        let Some(proc_macro2::TokenTree::Literal(first)) = tokens.next() else { return };
        let Ok(first) = syn::parse_str::<LitStr>(&first.to_string()) else { return };
        let rest: TokenStream = tokens.collect();
        if let Some(args) = format_args(&first.value(), &rest) {
            mac.tokens = args;
            self.changed += 1;
        }
    }

    fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
        // progenitor's body conversion in `send_raw`: `T::try_from(v).map_err(|e| e.to_string())`.
        let converts_body = call.method == "map_err"
            && matches!(&*call.receiver, syn::Expr::Call(c) if matches!(&*c.func, syn::Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "try_from")))
            && matches!(call.args.first(), Some(syn::Expr::Closure(c)) if matches!(&*c.body, syn::Expr::MethodCall(m) if m.method == "to_string"));
        if converts_body {
            call.args = syn::parse_quote!(|e| ::std::format!("body {e}"));
            self.changed += 1;
        }
        syn::visit_mut::visit_expr_method_call_mut(self, call);
    }
}

impl Pass for UnsetMessages {
    fn name(&self) -> &'static str {
        "unset_messages"
    }

    fn expect(&self, cx: &Context<'_>, _: &File) -> Expect {
        let required: usize = cx
            .plan
            .operations
            .iter()
            .map(|op| {
                constraints::parameters(cx.doc, &op.path, &op.method.to_ascii_lowercase())
                    .iter()
                    .filter(|p| p.required)
                    .count()
            })
            .sum();
        Expect::at_least(required, "one message per required parameter, plus the builders' field and body messages")
    }

    fn run(&self, _: &mut Context<'_>, file: &mut File) -> Result<usize, String> {
        let mut r = Rewrite { changed: 0 };
        r.visit_file_mut(file);
        Ok(r.changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_what_to_set() {
        assert_eq!(
            literal("broadcaster_id was not initialized").as_deref(),
            Some("required parameter `broadcaster_id` not set")
        );
        assert_eq!(literal("body was not initialized").as_deref(), Some("body not set"));
        assert_eq!(literal("no value supplied for message").as_deref(), Some("field `message` not set"));
        assert_eq!(literal("something else"), None);
    }
}
