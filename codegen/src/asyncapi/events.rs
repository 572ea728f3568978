//! The event enum of a socket (`ChatEvent`): one variant per event the spec declares, with
//! its typed data, and `Unknown { name, data }` keeping the raw JSON of any other; its
//! `from_wire` decodes an event frame's name and data (a known event whose data does not
//! match is an error naming it, never `Unknown`), `to_wire` gives them back.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use streamkit_spec::Document;

use super::methods::doc_attrs;
use super::model::Protocol;
use super::topics;
use super::types::Types;
use crate::emit::names;
use crate::error::SpecError;

/// The enum's name: the module's in UpperCamelCase + `Event` (`chat` → `ChatEvent`).
pub fn enum_name(proto: &Protocol) -> String {
    format!("{}Event", names::type_name(&proto.service.module))
}

/// The variant of an event (`WelcomeEvent`, `hello` → `Hello`).
pub fn variant(wire: &str) -> String {
    names::type_name(&wire.replace(':', "_"))
}

/// The enum and its impls.
pub fn emit(doc: &Document, proto: &Protocol, types: &mut Types) -> Result<TokenStream, SpecError> {
    let name = enum_name(proto);
    let ident = format_ident!("{name}");
    let topic_event = proto.frames.topic.as_ref().map(|t| t.event.as_str());
    let mut variants = Vec::new();
    let mut names_arms = Vec::new();
    let mut from_arms = Vec::new();
    let mut to_arms = Vec::new();
    let mut known = Vec::new();
    for e in &proto.events {
        let v = format_ident!("{}", variant(&e.wire));
        let wire = &e.wire;
        known.push(wire.clone());
        let d =
            doc_attrs(&format!("`{wire}`{}", if e.doc.is_empty() { String::new() } else { format!(": {}", e.doc) }));
        let ty = if topic_event == Some(wire.as_str()) {
            let payload = format_ident!("{}", topics::payload_enum(proto));
            from_arms.push(quote!(#wire => #payload::from_data(data, strictness).map(Self::#v)));
            to_arms.push(quote!(Self::#v(value) => Ok((#wire.to_string(), value.to_data()?))));
            quote!(#payload)
        } else {
            let ty = types
                .type_of(&e.data.schema, &format!("{}Data", variant(wire)))
                .map_err(|m| doc.error(&e.data.ptr, m))?;
            from_arms
                .push(quote!(#wire => ::streamkit_runtime::message::decode(#wire, data, strictness).map(Self::#v)));
            to_arms.push(quote!(Self::#v(value) => Ok((#wire.to_string(), ::serde_json::to_value(value)?))));
            ty
        };
        variants.push(quote!(#d #v(#ty)));
        names_arms.push(quote!(Self::#v(_) => #wire));
    }
    let enum_doc = format!(
        " What the server sends as an event frame, by event name. Events this version of the spec does not \
         know are [`{name}::Unknown`], with their raw JSON."
    );
    Ok(quote! {
        #[doc = #enum_doc]
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub enum #ident {
            #(#variants,)*
            /// An event this version of the spec does not know, kept as sent.
            Unknown {
                /// Its name.
                name: ::std::string::String,
                /// Its data, as sent.
                data: ::serde_json::Value,
            },
        }

        impl #ident {
            /// The names of the events the spec knows.
            pub const KNOWN: &'static [&'static str] = &[#(#known),*];

            /// The event's name on the wire.
            pub fn name(&self) -> &str {
                match self {
                    #(#names_arms,)*
                    Self::Unknown { name, .. } => name,
                }
            }

            /// Decodes an event frame's name and data. A known event whose data does not
            /// match its schema is an error naming the event (in both modes); in
            /// [`Strict`](::streamkit_runtime::message::Strictness::Strict) mode, so is one
            /// carrying fields or enum values the spec does not know. Any other name is
            /// [`Self::Unknown`].
            pub fn from_wire(
                name: &str,
                data: ::serde_json::Value,
                strictness: ::streamkit_runtime::message::Strictness,
            ) -> ::std::result::Result<Self, ::streamkit_runtime::Error> {
                match name {
                    #(#from_arms,)*
                    _ => Ok(Self::Unknown { name: name.to_string(), data }),
                }
            }

            /// The event's name and data as a frame carries them.
            pub fn to_wire(&self) -> ::std::result::Result<(::std::string::String, ::serde_json::Value), ::serde_json::Error> {
                match self {
                    #(#to_arms,)*
                    Self::Unknown { name, data } => Ok((name.clone(), data.clone())),
                }
            }
        }
    })
}
