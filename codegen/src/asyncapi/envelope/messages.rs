//! The frame enum of an enveloped socket (`EventsubMessage`): one variant per kind of frame
//! with its typed frame; the notification frame also carries its event, typed by the event
//! enum; `Unknown { kind, frame }` keeps any other kind as sent.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use streamkit_spec::Document;
use streamkit_spec::extensions::dotted_pointer;

use super::events;
use super::model::Enveloped;
use crate::asyncapi::methods::doc_attrs;
use crate::asyncapi::types::Types;
use crate::emit::names;
use crate::error::SpecError;

/// The enum's name: the module's in UpperCamelCase + `Message` (`eventsub` → `EventsubMessage`).
pub fn enum_name(proto: &Enveloped) -> String {
    format!("{}Message", names::type_name(&proto.service.module))
}

/// The variant of a kind (`session_welcome` → `SessionWelcome`).
pub fn variant(wire: &str) -> String {
    names::type_name(wire)
}

/// The enum and its impls.
pub fn emit(doc: &Document, proto: &Enveloped, types: &mut Types) -> Result<TokenStream, SpecError> {
    let name = enum_name(proto);
    let ident = format_ident!("{name}");
    let event_enum = format_ident!("{}", events::enum_name(proto));
    let f = &proto.frames;
    let n = &f.notification;
    let kind_ptr = dotted_pointer(&f.kind);
    let kind_path = &f.kind;
    let (type_ptr, version_ptr) = (dotted_pointer(&n.type_), dotted_pointer(&n.version));
    let event_ptr = format!("{}{}", dotted_pointer(&n.body), dotted_pointer(&n.event));
    let event_path = format!("{}.{}", n.body, n.event);
    let (type_path, version_path) = (&n.type_, &n.version);
    let mut variants = Vec::new();
    let mut kind_arms = Vec::new();
    let mut from_arms = Vec::new();
    let mut known = Vec::new();
    for k in &proto.kinds {
        let v = format_ident!("{}", variant(&k.wire));
        let wire = &k.wire;
        known.push(wire.clone());
        let d =
            doc_attrs(&format!("`{wire}`{}", if k.doc.is_empty() { String::new() } else { format!(": {}", k.doc) }));
        let ty = types
            .type_of(&k.payload.schema, &format!("{}Frame", variant(wire)))
            .map_err(|m| doc.error(&k.payload.ptr, m))?;
        if *wire == n.kind {
            variants.push(quote! {
                #d
                #v {
                    /// The frame, as its schema types it (the event inside untyped).
                    message: #ty,
                    /// The event, typed by its type and version.
                    event: #event_enum,
                }
            });
            kind_arms.push(quote!(Self::#v { .. } => #wire));
            from_arms.push(quote! {
                #wire => {
                    let subscription_type = text(&frame, #type_ptr, #type_path)?.to_string();
                    let version = text(&frame, #version_ptr, #version_path)?.to_string();
                    let event = frame.pointer(#event_ptr).cloned().ok_or_else(|| violation(format!("a `{}` frame without `{}`", #wire, #event_path)))?;
                    let event = #event_enum::from_wire(&subscription_type, &version, event, strictness)?;
                    let message = ::streamkit_runtime::message::decode(#wire, frame, strictness)?;
                    Ok(Self::#v { message, event })
                }
            });
        } else {
            variants.push(quote!(#d #v(#ty)));
            kind_arms.push(quote!(Self::#v(_) => #wire));
            from_arms
                .push(quote!(#wire => ::streamkit_runtime::message::decode(#wire, frame, strictness).map(Self::#v)));
        }
    }
    let enum_doc = format!(
        " A frame, by its `{kind_path}`. Kinds this version of the spec does not know are [`{name}::Unknown`], \
         with their raw JSON."
    );
    Ok(quote! {
        #[doc = #enum_doc]
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub enum #ident {
            #(#variants,)*
            /// A kind of frame this version of the spec does not know, kept as sent.
            Unknown {
                /// Its kind.
                kind: ::std::string::String,
                /// The whole frame, as sent.
                frame: ::serde_json::Value,
            },
        }

        impl #ident {
            /// The kinds of frame the spec knows.
            pub const KINDS: &'static [&'static str] = &[#(#known),*];

            /// The frame's kind on the wire.
            pub fn kind(&self) -> &str {
                match self {
                    #(#kind_arms,)*
                    Self::Unknown { kind, .. } => kind,
                }
            }

            /// Reads one frame's text; see [`Self::from_frame`].
            pub fn parse(
                text: &str,
                strictness: ::streamkit_runtime::message::Strictness,
            ) -> ::std::result::Result<Self, ::streamkit_runtime::Error> {
                let frame: ::serde_json::Value = ::serde_json::from_str(text).map_err(|e| ::streamkit_runtime::Error::Protocol {
                    operation: None,
                    kind: ::streamkit_runtime::ProtocolErrorKind::Violation,
                    message: format!("a frame that is not JSON: {e}"),
                })?;
                Self::from_frame(frame, strictness)
            }

            /// Decodes one frame by its kind. A known kind whose frame (or event) does not
            /// match its schema is an error naming it (in both modes); in
            /// [`Strict`](::streamkit_runtime::message::Strictness::Strict) mode, so is one
            /// carrying fields or enum values the spec does not know. Any other kind is
            /// [`Self::Unknown`]; a frame without a kind is an error.
            pub fn from_frame(
                frame: ::serde_json::Value,
                strictness: ::streamkit_runtime::message::Strictness,
            ) -> ::std::result::Result<Self, ::streamkit_runtime::Error> {
                fn violation(message: ::std::string::String) -> ::streamkit_runtime::Error {
                    ::streamkit_runtime::Error::Protocol {
                        operation: None,
                        kind: ::streamkit_runtime::ProtocolErrorKind::Violation,
                        message,
                    }
                }
                fn text<'a>(frame: &'a ::serde_json::Value, pointer: &str, path: &str) -> ::std::result::Result<&'a str, ::streamkit_runtime::Error> {
                    frame.pointer(pointer).and_then(::serde_json::Value::as_str).ok_or_else(|| violation(format!("a frame without a string at `{path}`")))
                }
                let kind = text(&frame, #kind_ptr, #kind_path)?.to_string();
                match kind.as_str() {
                    #(#from_arms,)*
                    _ => Ok(Self::Unknown { kind, frame }),
                }
            }
        }
    })
}
