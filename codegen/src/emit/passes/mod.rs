//! The passes over progenitor's output, one concept per file, in the order they run.
//!
//! Each is a [`Pass`]: it declares how many items it must change and
//! the pipeline fails, naming it, when it changes fewer (see [`super::pass`]).

pub mod api_docs;
pub mod default_extra;
pub mod drift;
pub mod enum_varnames;
pub mod field_setters;
pub mod non_exhaustive;
pub mod one_error;
pub mod open_enums;
pub mod open_tagged_enums;
pub mod page_bodies;
pub mod paginate_methods;
pub mod param_setters;
pub mod parsed_base_url;
pub mod private_send;
pub mod request_builders;
pub mod runtime_glue;
pub mod scopes;
pub mod send_wrappers;
pub mod string_newtypes;
pub mod strip_api_version;
pub mod unset_messages;
pub mod visit_once_deserialize;

use super::pass::Pass;

/// Every pass, in order. Order matters: `private_send` finds the send sites the wrappers
/// and paginators use; `open_enums` adds the `Unknown` variant `drift_impls` reports;
/// `non_exhaustive`, `drift_impls` and `visit_once_deserialize` see the final set of types;
/// the setter passes replace setters before `unset_messages` rewrites the messages of those
/// left, and `request_builders` then drops the builders no request body needs;
/// `scope_enum` adds the scope list; `one_error` runs last, renaming progenitor's `Error` in the glue too.
pub fn pipeline() -> [&'static dyn Pass; 22] {
    [
        &strip_api_version::StripApiVersion,
        &private_send::PrivateSend,
        &parsed_base_url::ParsedBaseUrl,
        &send_wrappers::SendWrappers,
        &param_setters::ParamSetters,
        &page_bodies::PageBodies,
        &paginate_methods::PaginateMethods,
        &open_enums::OpenEnums,
        &default_extra::DefaultExtra,
        &field_setters::FieldSetters,
        &unset_messages::UnsetMessages,
        &request_builders::RequestBuilders,
        &string_newtypes::StringNewtypes,
        &non_exhaustive::NonExhaustive,
        &drift::DriftImpls,
        &visit_once_deserialize::VisitOnceDeserialize,
        &enum_varnames::EnumVarnames,
        &runtime_glue::PolicyTable,
        &runtime_glue::ClientGlue,
        &scopes::ScopeEnum,
        &one_error::OneError,
        &api_docs::ApiDocs,
    ]
}
