//! Enveloped sockets (`x-streamkit-frames.envelope`, EventSub's `{metadata, payload}`):
//! a socket that only delivers, each frame naming its kind in one field of the envelope,
//! one kind carrying events typed by a `(type, version)` pair. Regen writes the types of
//! every component schema, the event enum ([`events`]) and the frame enum ([`messages`]),
//! through the same type passes as the call-and-reply sockets.

pub mod events;
pub mod messages;
pub mod model;

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;
use streamkit_spec::Document;
use streamkit_spec::extensions::EnvelopeFrames;

use super::types::Types;
use crate::error::SpecError;

/// The code of an enveloped socket (to go beside `pub mod types`), and its service.
pub fn emit(
    spec: &Document,
    frames: EnvelopeFrames,
    types: &mut Types,
) -> Result<(TokenStream, crate::extensions::Service), SpecError> {
    let service = super::model::service(spec)?;
    let proto = model::read(spec, service, frames)?;
    names(spec, &proto)?;
    let events = events::emit(spec, &proto, types)?;
    let messages = messages::emit(spec, &proto, types)?;
    Ok((quote!(#events #messages), proto.service))
}

/// The Rust names of the enums and their variants do not collide.
fn names(spec: &Document, proto: &model::Enveloped) -> Result<(), SpecError> {
    let mut variants: BTreeMap<String, String> = BTreeMap::new();
    for e in &proto.events {
        let v = events::variant(e);
        let what = format!("`{}` v{}", e.type_, e.version);
        if v == "Unknown" {
            return Err(spec.error(&e.body.ptr, "an event named `unknown` would hide the variant for unknown events"));
        }
        if let Some(prev) = variants.insert(v.clone(), what.clone()) {
            return Err(spec.error(&e.body.ptr, format!("events {what} and {prev} would both be `{v}`")));
        }
    }
    let mut variants: BTreeMap<String, String> = BTreeMap::new();
    for k in &proto.kinds {
        let v = messages::variant(&k.wire);
        if v == "Unknown" || v.is_empty() {
            return Err(spec.error(&k.payload.ptr, format!("a frame kind `{}` has no usable variant name", k.wire)));
        }
        if let Some(prev) = variants.insert(v.clone(), k.wire.clone()) {
            return Err(
                spec.error(&k.payload.ptr, format!("frame kinds `{}` and `{prev}` would both be `{v}`", k.wire))
            );
        }
    }
    if events::enum_name(proto) == messages::enum_name(proto) {
        return Err(spec.error("/x-streamkit-service/module", "the event and frame enums would have one name"));
    }
    Ok(())
}
