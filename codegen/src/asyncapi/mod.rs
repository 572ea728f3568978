//! AsyncAPI 3.0 documents (websocket protocols) → Rust, through the same type pipeline as
//! REST. The stages:
//!
//! 1. [`check`]: the version, resource limits, `$ref`s, the `x-streamkit` vocabulary and
//!    `x-streamkit-service`, each problem at its JSON pointer;
//! 2. [`model`]: the protocol the operations describe (methods, events, topics);
//! 3. [`types`]: typify on the component schemas and the inline ones, adapted as REST
//!    response schemas are (kept extra fields, secrets);
//! 4. [`methods`], [`events`], [`topics`]: the params types (`Method` impls), the event
//!    enum with `from_wire`, the topic name and payload enums; or, for a socket whose frames
//!    share an envelope (`x-streamkit-frames.envelope`), [`envelope`]: the frame and event enums;
//! 5. the REST passes that apply to types (open enums, `extra` defaults, setters, messages,
//!    `non_exhaustive`, drift, the one-pass `Deserialize`, variant names) plus `open_tagged_enums` (tagged unions gain
//!    an `Unknown` kind), then [`known_values`]; format and banner as for REST.

pub mod check;
pub mod envelope;
pub mod events;
pub mod known_values;
pub mod methods;
pub mod model;
pub mod topics;
pub mod types;

use quote::quote;
use streamkit_spec::Document;
use streamkit_spec::extensions::Frames;

use crate::emit::pass::{self, Context, Pass, PassError};
use crate::emit::passes;
use crate::error::SpecError;
use crate::plan::{ServicePlan, SpecShape};
use crate::{Output, format};

/// The REST passes that rewrite the `types` module, in the REST pipeline's order.
pub fn type_passes() -> [&'static dyn Pass; 10] {
    [
        &passes::open_enums::OpenEnums,
        &passes::open_tagged_enums::OpenTaggedEnums,
        &passes::default_extra::DefaultExtra,
        &passes::field_setters::FieldSetters,
        &passes::unset_messages::UnsetMessages,
        &passes::string_newtypes::StringNewtypes,
        &passes::non_exhaustive::NonExhaustive,
        &passes::drift::DriftImpls,
        &passes::visit_once_deserialize::VisitOnceDeserialize,
        &passes::enum_varnames::EnumVarnames,
    ]
}

/// Generates the file of one AsyncAPI document.
pub fn generate(spec: &Document) -> Result<Output, SpecError> {
    check::check(spec)?;
    if let Frames::Envelope(frames) = model::frames(spec)? {
        let adapted = types::adapt(&spec.doc);
        let mut types = types::Types::new(&adapted).map_err(|m| spec.error("/components/schemas", m))?;
        let (code, service) = envelope::emit(spec, frames, &mut types)?;
        // An envelope protocol is receive-only (the client subscribes elsewhere, over HTTP):
        // no value of these types is built to be sent, so none keeps a typify builder.
        return finish(spec, service, &adapted, &types, code, Builders::None);
    }
    let proto = model::read(spec)?;
    check::names(spec, &proto)?;
    let adapted = types::adapt(&spec.doc);
    let mut types = types::Types::new(&adapted).map_err(|m| spec.error("/components/schemas", m))?;
    let methods = methods::emit(spec, &proto, &mut types)?;
    let events = events::emit(spec, &proto, &mut types)?;
    let topics = topics::emit(spec, &proto, &mut types)?;
    finish(spec, proto.service, &adapted, &types, quote!(#methods #events #topics), Builders::All)
}

/// Which types keep typify's struct builders.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Builders {
    /// Every type (a protocol whose methods send values of them).
    All,
    /// None (a protocol the client only receives).
    None,
}

/// The `types` module beside the protocol's code, through the type passes, formatted.
fn finish(
    spec: &Document,
    service: crate::extensions::Service,
    adapted: &types::Adapted,
    types: &types::Types,
    code: proc_macro2::TokenStream,
    builders: Builders,
) -> Result<Output, SpecError> {
    let type_tokens = types.tokens();
    let tokens = quote! {
        /// The message types: event data, reply results, payloads (generated from the
        /// document's schemas).
        pub mod types {
            #type_tokens
        }
        #code
    };
    let mut file: syn::File =
        syn::parse2(tokens).map_err(|e| spec.error("", format!("codegen produced unparsable code: {e}")))?;
    let plan = ServicePlan {
        file: spec.file.clone(),
        service,
        buckets: Default::default(),
        retry: Default::default(),
        operations: Vec::new(),
        scopes: Default::default(),
        shape: SpecShape::of(&adapted.doc),
    };
    let mut cx = Context::with_doc(&plan, &adapted.doc);
    let mut passes = pass::run_all(&type_passes(), &mut cx, &mut file).map_err(|e| pass_error(spec, &e))?;
    if builders == Builders::None {
        // With no operation builder in the file, no type is reached: every builder goes.
        let drop = pass::run_all(&[&passes::request_builders::RequestBuilders], &mut cx, &mut file)
            .map_err(|e| pass_error(spec, &e))?;
        passes.extend(drop);
    }
    known_values::apply(&mut file, &adapted.known).map_err(|m| spec.error("/components/schemas", m))?;
    let code = format::format(&file, &spec.file);
    Ok(Output { path: plan.output_path(), code, plan, passes })
}

fn pass_error(spec: &Document, e: &PassError) -> SpecError {
    crate::emit::spec_error(&spec.file, e)
}
