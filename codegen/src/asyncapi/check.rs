//! What an AsyncAPI document must be before codegen reads it, each problem at its JSON
//! pointer: AsyncAPI 3.0.x, within the resource limits, `$ref`s that resolve, only known
//! `x-streamkit-*` keys in their places, a service naming a plain crate and module, schemas
//! that are not a `$ref` cycle and whose property names do not collide in Rust; then, once
//! the protocol is read, Rust names that do not collide.

use std::collections::BTreeMap;

use streamkit_spec::Document;

use super::model::Protocol;
use super::{events, methods, topics};
use crate::error::SpecError;
use crate::validate;

/// The checks before reading.
pub fn check(spec: &Document) -> Result<(), SpecError> {
    let version = spec.version();
    if !version.starts_with("3.0.") {
        return Err(spec.error(
            "/asyncapi",
            format!("AsyncAPI {version:?} is not supported: codegen reads AsyncAPI 3.0; write `asyncapi: 3.0.0`"),
        ));
    }
    validate::limits::check(&spec.file, &spec.doc)?;
    streamkit_spec::refs::check_refs_of(&spec.file, &spec.doc)?;
    validate::vocabulary::check(&spec.file, &spec.doc)?;
    if let Ok(Some(s)) = crate::extensions::read::<crate::extensions::Service>(&spec.doc, "x-streamkit-service") {
        validate::service::check(&spec.file, &s)?;
    }
    validate::recursion::check(&spec.file, &spec.doc)?;
    validate::collisions::check(&spec.file, &spec.doc)?;
    Ok(())
}

/// The Rust names of the methods, the enums and their variants do not collide.
pub fn names(spec: &Document, proto: &Protocol) -> Result<(), SpecError> {
    let mut items: BTreeMap<String, String> = BTreeMap::new();
    let mut claim = |name: String, what: String, ptr: &str| -> Result<(), SpecError> {
        if name == "types" || name.is_empty() {
            return Err(spec.error(ptr, format!("{what} has no usable Rust name (`{name}`)")));
        }
        match items.insert(name.clone(), what.clone()) {
            Some(prev) => Err(spec.error(ptr, format!("{what} and {prev} would both be `{name}` in Rust; rename one"))),
            None => Ok(()),
        }
    };
    claim(events::enum_name(proto), "the event enum".into(), "/x-streamkit-service/module")?;
    if proto.frames.topic.is_some() {
        claim(topics::name_enum(proto), "the topic name enum".into(), "/x-streamkit-frames/topic")?;
        claim(topics::payload_enum(proto), "the topic payload enum".into(), "/x-streamkit-frames/topic")?;
    }
    for m in &proto.methods {
        claim(methods::struct_name(&m.wire), format!("method `{}`", m.wire), &m.ptr)?;
    }
    let mut variants: BTreeMap<String, String> = BTreeMap::new();
    for e in &proto.events {
        let v = events::variant(&e.wire);
        if v == "Unknown" {
            return Err(spec.error(&e.data.ptr, "an event named `Unknown` would hide the variant for unknown events"));
        }
        if let Some(prev) = variants.insert(v.clone(), e.wire.clone()) {
            return Err(spec.error(&e.data.ptr, format!("events `{}` and `{prev}` would both be `{v}`", e.wire)));
        }
    }
    let mut variants: BTreeMap<String, String> = BTreeMap::new();
    for t in &proto.topics {
        let v = topics::variant(t);
        if v == "Unknown" {
            return Err(spec.error(&t.payload.ptr, "a topic named `unknown` would hide the variant for unknown topics"));
        }
        if let Some(prev) = variants.insert(v.clone(), t.address.clone()) {
            return Err(spec.error(&t.payload.ptr, format!("topics `{}` and `{prev}` would both be `{v}`", t.address)));
        }
    }
    Ok(())
}
