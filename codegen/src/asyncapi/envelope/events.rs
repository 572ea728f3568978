//! The event enum of an enveloped socket (`EventsubEvent`): one variant per `(type,
//! version)` with its typed event, and `Unknown { subscription_type, version, event }`
//! keeping the raw JSON of any other. `from_wire` decodes an event given its type and
//! version (a known one whose event does not match is an error naming it, never `Unknown`),
//! `from_body` reads them from a typed body, `to_wire` gives them back.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use streamkit_spec::Document;
use streamkit_spec::extensions::dotted_pointer;

use super::model::{Enveloped, TypedEvent};
use crate::asyncapi::methods::doc_attrs;
use crate::asyncapi::types::Types;
use crate::emit::names;
use crate::error::SpecError;

/// The enum's name: the module's in UpperCamelCase + `Event` (`eventsub` → `EventsubEvent`).
pub fn enum_name(proto: &Enveloped) -> String {
    format!("{}Event", names::type_name(&proto.service.module))
}

/// The variant of a `(type, version)` (`channel.follow` v`2` → `ChannelFollowV2`).
pub fn variant(e: &TypedEvent) -> String {
    names::type_name(&format!("{}_v{}", e.type_.replace('.', "_"), e.version.replace('.', "_")))
}

/// The enum and its impls.
pub fn emit(doc: &Document, proto: &Enveloped, types: &mut Types) -> Result<TokenStream, SpecError> {
    let name = enum_name(proto);
    let ident = format_ident!("{name}");
    let mut variants = Vec::new();
    let mut type_arms = Vec::new();
    let mut version_arms = Vec::new();
    let mut from_arms = Vec::new();
    let mut to_arms = Vec::new();
    let mut known = Vec::new();
    for e in &proto.events {
        let v = format_ident!("{}", variant(e));
        let (type_, version) = (&e.type_, &e.version);
        let label = format!("{type_} v{version}");
        known.push(quote!((#type_, #version)));
        let d =
            doc_attrs(&format!("`{label}`{}", if e.doc.is_empty() { String::new() } else { format!(": {}", e.doc) }));
        let ty =
            types.type_of(&e.event.schema, &format!("{}Event", variant(e))).map_err(|m| doc.error(&e.event.ptr, m))?;
        variants.push(quote!(#d #v(#ty)));
        type_arms.push(quote!(Self::#v(_) => #type_));
        version_arms.push(quote!(Self::#v(_) => #version));
        from_arms.push(
            quote!((#type_, #version) => ::streamkit_runtime::message::decode(#label, event, strictness).map(Self::#v)),
        );
        to_arms.push(quote!(Self::#v(value) => (#type_, #version, ::serde_json::to_value(value)?)));
    }
    let n = &proto.frames.notification;
    let (type_ptr, version_ptr, event_ptr) =
        (dotted_pointer(&n.body_type), dotted_pointer(&n.body_version), dotted_pointer(&n.event));
    let (body_type, body_version, body_event) = (&n.body_type, &n.body_version, &n.event);
    let enum_doc = format!(
        " An event, by its type and version. Those this version of the spec does not know are \
         [`{name}::Unknown`], with their raw JSON."
    );
    Ok(quote! {
        #[doc = #enum_doc]
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub enum #ident {
            #(#variants,)*
            /// An event this version of the spec does not know, kept as sent.
            Unknown {
                /// Its type.
                subscription_type: ::std::string::String,
                /// Its version.
                version: ::std::string::String,
                /// The event, as sent.
                event: ::serde_json::Value,
            },
        }

        impl #ident {
            /// The `(type, version)`s the spec knows.
            pub const KNOWN: &'static [(&'static str, &'static str)] = &[#(#known),*];

            /// The event's type (`channel.follow`).
            pub fn subscription_type(&self) -> &str {
                match self {
                    #(#type_arms,)*
                    Self::Unknown { subscription_type, .. } => subscription_type,
                }
            }

            /// The event's version (`2`).
            pub fn version(&self) -> &str {
                match self {
                    #(#version_arms,)*
                    Self::Unknown { version, .. } => version,
                }
            }

            /// Decodes an event of `subscription_type` and `version`. A known one whose event
            /// does not match its schema is an error naming it (in both modes); in
            /// [`Strict`](::streamkit_runtime::message::Strictness::Strict) mode, so is one
            /// carrying fields or enum values the spec does not know. Any other pair is
            /// [`Self::Unknown`].
            pub fn from_wire(
                subscription_type: &str,
                version: &str,
                event: ::serde_json::Value,
                strictness: ::streamkit_runtime::message::Strictness,
            ) -> ::std::result::Result<Self, ::streamkit_runtime::Error> {
                match (subscription_type, version) {
                    #(#from_arms,)*
                    _ => Ok(Self::Unknown {
                        subscription_type: subscription_type.to_string(),
                        version: version.to_string(),
                        event,
                    }),
                }
            }

            #[doc = concat!(" Decodes the event of a typed body: its type at `", #body_type, "`, its version at `", #body_version, "`, the event at `", #body_event, "`.")]
            pub fn from_body(
                body: &::serde_json::Value,
                strictness: ::streamkit_runtime::message::Strictness,
            ) -> ::std::result::Result<Self, ::streamkit_runtime::Error> {
                let text = |pointer: &str, path: &str| {
                    body.pointer(pointer).and_then(::serde_json::Value::as_str).ok_or_else(|| {
                        ::streamkit_runtime::Error::Protocol {
                            operation: None,
                            kind: ::streamkit_runtime::ProtocolErrorKind::Violation,
                            message: format!("a notification body without a string at `{path}`"),
                        }
                    })
                };
                let subscription_type = text(#type_ptr, #body_type)?;
                let version = text(#version_ptr, #body_version)?;
                let event = body.pointer(#event_ptr).cloned().ok_or_else(|| ::streamkit_runtime::Error::Protocol {
                    operation: None,
                    kind: ::streamkit_runtime::ProtocolErrorKind::Violation,
                    message: format!("a notification body without `{}`", #body_event),
                })?;
                Self::from_wire(subscription_type, version, event, strictness)
            }

            /// The event's type, version and JSON.
            pub fn to_wire(&self) -> ::std::result::Result<(&str, &str, ::serde_json::Value), ::serde_json::Error> {
                Ok(match self {
                    #(#to_arms,)*
                    Self::Unknown { subscription_type, version, event } => (subscription_type, version, event.clone()),
                })
            }
        }
    })
}
