//! The public `send()` of every builder: progenitor's `send_raw` run through the runtime,
//! returning `streamkit_runtime::Error`; `Option` when the spec's 204 was kept out of
//! progenitor (see `adapt`).

use quote::{format_ident, quote};
use syn::File;

use crate::emit::pass::{Context, Expect, Pass};
use crate::emit::tree;

/// Adds `pub async fn send(self)` to each builder.
pub struct SendWrappers;

impl Pass for SendWrappers {
    fn name(&self) -> &'static str {
        "send_wrappers"
    }

    fn expect(&self, cx: &Context<'_>, _: &File) -> Expect {
        Expect::exactly(cx.plan.operations.len(), "one send() wrapper per operation in the plan")
    }

    fn run(&self, cx: &mut Context<'_>, file: &mut File) -> Result<usize, String> {
        let mut added = Vec::new();
        for site in &cx.sites {
            let op = cx
                .operation(site)
                .ok_or_else(|| format!("send site `{}` has no operation in the plan", site.operation))?;
            let ty = format_ident!("{}", site.builder);
            let success = &site.success;
            let name = &site.operation;
            let spec_id = &op.id;
            let doc = format!(
                " Sends the request (`{spec_id}`).\n\n Errors come as [`streamkit_runtime::Error`]: the server's status, body and rate-limit\n figures for an error response; transport, decoding and auth failures otherwise."
            );
            let item: syn::Item = if op.adaptation.optional_success {
                let doc = format!(
                    "{doc}\n\n The spec allows `204 No Content` here as well as a body: that answer is `Ok(None)`."
                );
                syn::parse2(quote! {
                    impl<'a> #ty<'a> {
                        #[doc = #doc]
                        pub async fn send(self) -> ::std::result::Result<::std::option::Option<ResponseValue<#success>>, ::streamkit_runtime::Error> {
                            let runtime = self.client.inner.clone();
                            ::streamkit_runtime::response::send_optional(#name, &runtime, self.send_raw()).await
                        }
                    }
                })
                .map_err(|e| e.to_string())?
            } else {
                syn::parse2(quote! {
                    impl<'a> #ty<'a> {
                        #[doc = #doc]
                        pub async fn send(self) -> ::std::result::Result<ResponseValue<#success>, ::streamkit_runtime::Error> {
                            let runtime = self.client.inner.clone();
                            ::streamkit_runtime::response::send(#name, &runtime, self.send_raw()).await
                        }
                    }
                })
                .map_err(|e| e.to_string())?
            };
            added.push(item);
        }
        let n = added.len();
        tree::require_module_mut(file, "builder")?.extend(added);
        Ok(n)
    }
}
