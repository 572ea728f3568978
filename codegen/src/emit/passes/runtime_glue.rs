//! What ties the client to the runtime, appended at the crate root: the `POLICY` table
//! (one entry per operation) and the `ClientHooks` impl with the constructors.

use syn::File;

use crate::emit::glue;
use crate::emit::pass::{Context, Expect, Pass};

/// Appends the `POLICY` static.
pub struct PolicyTable;

impl Pass for PolicyTable {
    fn name(&self) -> &'static str {
        "policy_table"
    }

    fn expect(&self, _: &Context<'_>, _: &File) -> Expect {
        Expect::exactly(1, "one policy table per spec")
    }

    fn run(&self, cx: &mut Context<'_>, file: &mut File) -> Result<usize, String> {
        let extra: File = syn::parse2(glue::policy_table(cx.plan)).map_err(|e| format!("policy table: {e}"))?;
        let n = extra.items.len();
        file.items.extend(extra.items);
        Ok(n)
    }
}

/// Appends the `ClientHooks` and `FromRuntime` impls and the `Client` constructors.
pub struct ClientGlue;

impl Pass for ClientGlue {
    fn name(&self) -> &'static str {
        "client_glue"
    }

    fn expect(&self, _: &Context<'_>, _: &File) -> Expect {
        Expect::exactly(3, "the ClientHooks impl, the FromRuntime impl and the Client constructors")
    }

    fn run(&self, cx: &mut Context<'_>, file: &mut File) -> Result<usize, String> {
        let extra: File = syn::parse2(glue::client_glue(cx.plan)).map_err(|e| format!("client glue: {e}"))?;
        let n = extra.items.len();
        file.items.extend(extra.items);
        Ok(n)
    }
}
