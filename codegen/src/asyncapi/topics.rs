//! Topics: events named by a template (`channel:{id}:followed`) that ride inside one frame
//! event (Constellation's `live`). Two enums:
//!
//! * the name (`LiveEvent`): one variant per template with its parameters, a builder per
//!   template (`LiveEvent::channel_followed(id)`), `Display` giving the wire name, `parse`
//!   reading one back (any other name is `Unknown`);
//! * the payload (`LivePayload`): one variant per template with its parameters and typed
//!   payload, `Unknown { name, payload }` for others; `from_wire` picks the payload type
//!   from the parsed name (a known topic whose payload does not match is an error naming it).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use streamkit_spec::Document;

use super::methods::doc_attrs;
use super::model::{Protocol, TopicSpec};
use super::types::Types;
use crate::emit::names;
use crate::error::SpecError;

fn stem(proto: &Protocol) -> String {
    proto.frames.topic.as_ref().map(|t| names::type_name(&t.event)).unwrap_or_default()
}

/// The name enum (`live` → `LiveEvent`).
pub fn name_enum(proto: &Protocol) -> String {
    format!("{}Event", stem(proto))
}

/// The payload enum (`live` → `LivePayload`).
pub fn payload_enum(proto: &Protocol) -> String {
    format!("{}Payload", stem(proto))
}

/// The words of an address without its parameters (`channel:{id}:followed` → `channel_followed`).
fn words(address: &str) -> String {
    address.split(':').filter(|s| !s.starts_with('{')).collect::<Vec<_>>().join("_")
}

/// The variant of a topic (`ChannelFollowed`).
pub fn variant(t: &TopicSpec) -> String {
    names::type_name(&words(&t.address))
}

/// Both enums and their impls; nothing when the protocol has no topics.
pub fn emit(doc: &Document, proto: &Protocol, types: &mut Types) -> Result<TokenStream, SpecError> {
    let Some(topic) = &proto.frames.topic else { return Ok(TokenStream::new()) };
    let name_ident = format_ident!("{}", name_enum(proto));
    let payload_ident = format_ident!("{}", payload_enum(proto));
    let carrier = &topic.event;
    let name_field = &topic.name;
    let payload_field = &topic.payload;

    let mut name_variants = Vec::new();
    let mut builders = Vec::new();
    let mut display_arms = Vec::new();
    let mut template_arms = Vec::new();
    let mut parse_arms = Vec::new();
    let mut payload_variants = Vec::new();
    let mut event_arms = Vec::new();
    let mut from_arms = Vec::new();
    let mut to_arms = Vec::new();
    let mut templates = Vec::new();
    for t in &proto.topics {
        let v = format_ident!("{}", variant(t));
        let address = &t.address;
        templates.push(address.clone());
        let params: Vec<syn::Ident> = t.params.iter().map(|p| format_ident!("{}", names::field(p))).collect();
        let d =
            doc_attrs(&format!("`{address}`{}", if t.doc.is_empty() { String::new() } else { format!(": {}", t.doc) }));
        let fields = params.iter().map(|p| quote!(#p: u64));
        let pattern = if params.is_empty() { quote!(Self::#v) } else { quote!(Self::#v { #(#params),* }) };
        name_variants.push(if params.is_empty() {
            quote!(#d #v)
        } else {
            let pdocs = t.params.iter().map(|p| format!(" `{{{p}}}` in the name."));
            let fs = fields.clone();
            quote!(#d #v { #(#[doc = #pdocs] #fs),* })
        });
        let builder = format_ident!("{}", names::field(&words(address)));
        let bdoc = format!(" `{address}`.");
        let args = fields.clone();
        builders.push(quote! {
            #[doc = #bdoc]
            pub fn #builder(#(#args),*) -> Self { #pattern }
        });
        let fmt = {
            let mut s = address.clone();
            for p in &t.params {
                s = s.replace(&format!("{{{p}}}"), "{}");
            }
            s
        };
        display_arms.push(quote!(#pattern => write!(f, #fmt #(, #params)*)));
        let any = if params.is_empty() { quote!(Self::#v) } else { quote!(Self::#v { .. }) };
        template_arms.push(quote!(#any => Some(#address)));
        let segs = address.split(':').map(|s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(p) => {
                let p = format_ident!("{}", names::field(p));
                quote!(#p)
            }
            None => quote!(#s),
        });
        let parse_body = if params.is_empty() {
            quote!(#pattern)
        } else {
            quote! {
                match (#(id_segment(#params),)*) {
                    (#(Some(#params),)*) => #pattern,
                    _ => Self::Unknown(name.to_string()),
                }
            }
        };
        parse_arms.push(quote!([#(#segs),*] => #parse_body));

        let ty = types
            .type_of(&t.payload.schema, &format!("{}Payload", variant(t)))
            .map_err(|m| doc.error(&t.payload.ptr, m))?;
        let pfields = params.iter().map(|p| quote!(#p: u64));
        payload_variants.push(quote!(#d #v { #(#[doc = " From the name."] #pfields,)* /// The payload.
            payload: #ty }));
        event_arms.push(quote!(Self::#v { #(#params,)* .. } => #name_ident::#v { #(#params: *#params),* }));
        let name_pattern =
            if params.is_empty() { quote!(#name_ident::#v) } else { quote!(#name_ident::#v { #(#params),* }) };
        from_arms.push(quote! {
            #name_pattern => ::streamkit_runtime::message::decode(#address, payload, strictness)
                .map(|payload| Self::#v { #(#params,)* payload })
        });
        to_arms.push(quote!(Self::#v { payload, .. } => ::serde_json::to_value(payload)));
    }
    let name_doc = format!(
        " The name of a `{carrier}` event, as subscriptions name it and `data.{name_field}` carries it: \
         build one with a builder (`{}::{}(..)`), print it with `Display`, read one with [`{}::parse`].",
        name_enum(proto),
        proto.topics.first().map(|t| names::field(&words(&t.address))).unwrap_or_default(),
        name_enum(proto),
    );
    let payload_doc = format!(
        " A `{carrier}` event: its name's parameters and its typed payload. Names this version of the spec does not \
         know are [`{}::Unknown`], with the raw payload.",
        payload_enum(proto)
    );
    let from_data_doc =
        format!(" Decodes the data of a `{carrier}` event frame (`{{{name_field}, {payload_field}}}`).");
    let to_data_doc = format!(" The `{carrier}` event's data (`{{{name_field}, {payload_field}}}`) as sent.");
    let violation = format!("the `{carrier}` data must be an object with a string `{name_field}`");
    let extra_path = format!("{{}} (undocumented field of the `{carrier}` data)");
    Ok(quote! {
        #[doc = #name_doc]
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name_ident {
            #(#name_variants,)*
            /// A name this version of the spec does not know, kept as sent.
            Unknown(::std::string::String),
        }

        /// A decimal id segment, written as [`u64`] writes it (no sign, no leading zeros),
        /// so that parsing and printing a name give the name back.
        fn id_segment(s: &str) -> ::std::option::Option<u64> {
            let v: u64 = s.parse().ok()?;
            (v.to_string() == s).then_some(v)
        }

        impl #name_ident {
            /// The templates of the names the spec knows.
            pub const TEMPLATES: &'static [&'static str] = &[#(#templates),*];

            #(#builders)*

            /// The template of this name (`channel:{id}:followed`); `None` for an unknown one.
            pub fn template(&self) -> ::std::option::Option<&'static str> {
                match self {
                    #(#template_arms,)*
                    Self::Unknown(_) => None,
                }
            }

            /// Reads a name; one that fits no template is [`Self::Unknown`].
            pub fn parse(name: &str) -> Self {
                let segments: ::std::vec::Vec<&str> = name.split(':').collect();
                match segments.as_slice() {
                    #(#parse_arms,)*
                    _ => Self::Unknown(name.to_string()),
                }
            }
        }

        impl ::std::fmt::Display for #name_ident {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    #(#display_arms,)*
                    Self::Unknown(name) => f.write_str(name),
                }
            }
        }

        impl ::std::str::FromStr for #name_ident {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::parse(s))
            }
        }

        impl ::std::convert::From<#name_ident> for ::std::string::String {
            fn from(name: #name_ident) -> Self {
                name.to_string()
            }
        }

        impl ::serde::Serialize for #name_ident {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name_ident {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let s: ::std::string::String = ::serde::Deserialize::deserialize(deserializer)?;
                Ok(Self::parse(&s))
            }
        }

        #[doc = #payload_doc]
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub enum #payload_ident {
            #(#payload_variants,)*
            /// A name this version of the spec does not know, with the payload as sent.
            Unknown {
                /// The name.
                name: ::std::string::String,
                /// The payload, as sent.
                payload: ::serde_json::Value,
            },
        }

        impl #payload_ident {
            /// The event's name.
            pub fn event(&self) -> #name_ident {
                match self {
                    #(#event_arms,)*
                    Self::Unknown { name, .. } => #name_ident::Unknown(name.clone()),
                }
            }

            /// Decodes a payload by its event's name. A known name whose payload does not
            /// match its schema is an error naming the template (in both modes; in strict
            /// mode undocumented fields and enum values are too).
            pub fn from_wire(
                name: &str,
                payload: ::serde_json::Value,
                strictness: ::streamkit_runtime::message::Strictness,
            ) -> ::std::result::Result<Self, ::streamkit_runtime::Error> {
                match #name_ident::parse(name) {
                    #(#from_arms,)*
                    #name_ident::Unknown(name) => Ok(Self::Unknown { name, payload }),
                }
            }

            #[doc = #from_data_doc]
            pub fn from_data(
                data: ::serde_json::Value,
                strictness: ::streamkit_runtime::message::Strictness,
            ) -> ::std::result::Result<Self, ::streamkit_runtime::Error> {
                let violation = || ::streamkit_runtime::Error::Protocol {
                    operation: Some(#carrier),
                    kind: ::streamkit_runtime::ProtocolErrorKind::Violation,
                    message: #violation.to_string(),
                };
                let ::serde_json::Value::Object(mut data) = data else { return Err(violation()) };
                let Some(::serde_json::Value::String(name)) = data.remove(#name_field) else { return Err(violation()) };
                let payload = data.remove(#payload_field).unwrap_or(::serde_json::Value::Null);
                if strictness == ::streamkit_runtime::message::Strictness::Strict && !data.is_empty() {
                    return Err(::streamkit_runtime::Error::Drift {
                        operation: #carrier,
                        paths: data.keys().map(|k| format!(#extra_path, k)).collect(),
                    });
                }
                Self::from_wire(&name, payload, strictness)
            }

            /// The payload as sent.
            pub fn payload(&self) -> ::std::result::Result<::serde_json::Value, ::serde_json::Error> {
                match self {
                    #(#to_arms,)*
                    Self::Unknown { payload, .. } => Ok(payload.clone()),
                }
            }

            #[doc = #to_data_doc]
            pub fn to_data(&self) -> ::std::result::Result<::serde_json::Value, ::serde_json::Error> {
                let mut data = ::serde_json::Map::new();
                data.insert(#name_field.to_string(), ::serde_json::Value::String(self.event().to_string()));
                data.insert(#payload_field.to_string(), self.payload()?);
                Ok(::serde_json::Value::Object(data))
            }
        }
    })
}
