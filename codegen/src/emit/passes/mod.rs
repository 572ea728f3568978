//! The passes over progenitor's output, one concept per file, in the order they run.
//!
//! Each is a [`Pass`]: it declares how many items it must change and
//! the pipeline fails, naming it, when it changes fewer (see [`super::pass`]).

pub mod default_extra;
pub mod drift;
pub mod non_exhaustive;
pub mod open_enums;
pub mod page_bodies;
pub mod paginate_methods;
pub mod private_send;
pub mod runtime_glue;
pub mod scopes;
pub mod send_wrappers;
pub mod strip_api_version;

use super::pass::Pass;

/// Every pass, in order. Order matters: `private_send` finds the send sites the wrappers
/// and paginators use; `open_enums` adds the `Unknown` variant `drift_impls` reports;
/// `non_exhaustive` and `drift_impls` see the final set of types.
pub fn pipeline() -> [&'static dyn Pass; 12] {
    [
        &strip_api_version::StripApiVersion,
        &private_send::PrivateSend,
        &send_wrappers::SendWrappers,
        &page_bodies::PageBodies,
        &paginate_methods::PaginateMethods,
        &open_enums::OpenEnums,
        &default_extra::DefaultExtra,
        &non_exhaustive::NonExhaustive,
        &drift::DriftImpls,
        &runtime_glue::PolicyTable,
        &runtime_glue::ClientGlue,
        &scopes::ScopeEnum,
    ]
}
