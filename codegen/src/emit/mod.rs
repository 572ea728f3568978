//! Stage 6: emit Rust: progenitor's output plus our passes.

pub mod generate;
pub mod glue;
pub mod pagination;
pub mod passes;

use proc_macro2::TokenStream;

use crate::plan::ServicePlan;

/// progenitor's tokens → our final syntax tree.
pub fn emit(plan: &ServicePlan, tokens: TokenStream) -> Result<syn::File, String> {
    let mut file: syn::File = syn::parse2(tokens).map_err(|e| format!("progenitor produced unparsable code: {e}"))?;
    passes::strip_api_version(&mut file);
    let sites = passes::take_send_sites(&mut file)?;
    let names: Vec<(String, &crate::plan::OperationPlan)> =
        plan.operations.iter().map(|o| (glue::rust_operation_name(&o.id), o)).collect();
    for site in &sites {
        if !names.iter().any(|(n, _)| n == &site.operation) {
            return Err(format!("generated operation `{}` matches no operationId in the plan", site.operation));
        }
    }
    let lookup = |op: &str| -> (String, bool) {
        names
            .iter()
            .find(|(n, _)| n == op)
            .map(|(_, o)| (o.id.clone(), o.adaptation.optional_success))
            .unwrap_or_else(|| (op.to_string(), false))
    };
    passes::add_send_wrappers(&mut file, &sites, &lookup)?;
    for site in &sites {
        if let Some((_, op)) = names.iter().find(|(n, _)| n == &site.operation) {
            pagination::emit(&mut file, site, op)?;
        }
    }
    passes::open_enums(&mut file)?;
    passes::default_extra_in_builders(&mut file);
    passes::non_exhaustive_types(&mut file);
    passes::drift_impls(&mut file)?;
    let extra: syn::File = syn::parse2(glue::policy_table(plan)).map_err(|e| e.to_string())?;
    file.items.extend(extra.items);
    let extra: syn::File = syn::parse2(glue::client_glue(plan)).map_err(|e| e.to_string())?;
    file.items.extend(extra.items);
    Ok(file)
}
