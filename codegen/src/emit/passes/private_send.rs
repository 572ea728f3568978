//! progenitor's builder `send()` returns progenitor's error; ours returns
//! `streamkit_runtime::Error`. This pass renames each builder's `send` to a private
//! `send_raw` and records where it was ([`SendSite`]), for the wrappers and the paginators.

use quote::format_ident;
use syn::{File, Item};

use crate::emit::names::operation_method;
use crate::emit::pass::{Context, Expect, Pass};
use crate::emit::sites::{SendSite, operation_literal, success_type};
use crate::emit::tree;

/// Renames every builder `send` to `send_raw` and records the send sites.
pub struct PrivateSend;

impl Pass for PrivateSend {
    fn name(&self) -> &'static str {
        "private_send"
    }

    fn expect(&self, cx: &Context<'_>, _: &File) -> Expect {
        Expect::exactly(cx.plan.operations.len(), "one builder send() per operation in the plan")
    }

    fn run(&self, cx: &mut Context<'_>, file: &mut File) -> Result<usize, String> {
        let builder = tree::require_module_mut(file, "builder")?;
        let mut sites = Vec::new();
        for item in builder.iter_mut() {
            let Item::Impl(imp) = item else { continue };
            let Some(name) = tree::self_type_name(imp) else { continue };
            for it in imp.items.iter_mut() {
                let syn::ImplItem::Fn(f) = it else { continue };
                if f.sig.ident != "send" {
                    continue;
                }
                let operation =
                    operation_literal(f).ok_or_else(|| format!("builder {name}: no `operation_id` in send()"))?;
                let success = success_type(f)
                    .ok_or_else(|| format!("builder {name}: send() does not return Result<ResponseValue<T>, _>"))?;
                f.sig.ident = format_ident!("send_raw");
                f.vis = syn::Visibility::Inherited;
                f.attrs.retain(|a| !a.path().is_ident("doc"));
                sites.push(SendSite { operation, builder: name.clone(), success });
            }
        }
        for site in &sites {
            if cx.operation(site).is_none() {
                return Err(format!("generated operation `{}` matches no operationId in the plan", site.operation));
            }
        }
        for op in &cx.plan.operations {
            let name = operation_method(&op.id);
            if sites.iter().filter(|s| s.operation == name).count() != 1 {
                return Err(format!(
                    "operation {} (`{name}`): expected one builder send(), found {}",
                    op.id,
                    sites.iter().filter(|s| s.operation == name).count()
                ));
            }
        }
        let n = sites.len();
        cx.sites = sites;
        Ok(n)
    }
}
