//! One params type per method: a struct whose fields are the method's parameters, that
//! serializes exactly as the frame carries them (a positional array, a named object, or
//! `null`) and implements `streamkit_runtime::session::Method` (its wire name and reply type).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use streamkit_spec::Document;

use super::model::{MethodSpec, Param, Params, Protocol};
use super::types::Types;
use crate::emit::names;
use crate::error::SpecError;

/// The Rust name of a method's params type (`vote:choose` → `VoteChoose`).
pub fn struct_name(wire: &str) -> String {
    names::type_name(&wire.replace(':', "_"))
}

/// A typed field of a params struct.
struct Field {
    ident: syn::Ident,
    wire: String,
    ty: TokenStream,
    required: bool,
    doc: String,
}

fn fields(doc: &Document, types: &mut Types, owner: &str, params: &[Param]) -> Result<Vec<Field>, SpecError> {
    params
        .iter()
        .map(|p| {
            let ident = format_ident!("{}", names::field(&p.name));
            let hint = format!("{owner}{}", names::type_name(&p.name));
            let ty = types.type_of(&p.schema.schema, &hint).map_err(|m| doc.error(&p.schema.ptr, m))?;
            Ok(Field { ident, wire: p.name.clone(), ty, required: p.required, doc: p.doc.clone() })
        })
        .collect()
}

/// `#[doc = ".."]` lines of a text (nothing for an empty one).
pub fn doc_attrs(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| if l.is_empty() { String::new() } else { format!(" {l}") });
    quote!(#(#[doc = #lines])*)
}

/// Every method's params type and `Method` impl.
pub fn emit(doc: &Document, proto: &Protocol, types: &mut Types) -> Result<TokenStream, SpecError> {
    let mut out = TokenStream::new();
    for m in &proto.methods {
        out.extend(one(doc, m, types)?);
    }
    Ok(out)
}

fn one(doc: &Document, m: &MethodSpec, types: &mut Types) -> Result<TokenStream, SpecError> {
    let name = struct_name(&m.wire);
    let ident = format_ident!("{name}");
    let wire = &m.wire;
    let reply = match &m.reply {
        Some(r) => types.type_of(&r.schema, &format!("{name}Reply")).map_err(|e| doc.error(&r.ptr, e))?,
        None => quote!(()),
    };
    let reply_doc = if m.reply.is_some() { "What a successful reply carries." } else { "The reply carries no data." };
    let head = doc_attrs(&format!("`{wire}`: {}", if m.doc.is_empty() { "a method of the protocol." } else { &m.doc }));
    let method_impl = quote! {
        impl ::streamkit_runtime::session::Method for #ident {
            const NAME: &'static str = #wire;
            #[doc = #reply_doc]
            type Reply = #reply;
        }
    };
    let body = match &m.params {
        Params::Null => quote! {
            #head
            ///
            /// Its parameters are `null`.
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ::serde::Serialize, ::serde::Deserialize)]
            pub struct #ident;
        },
        Params::Named { fields: params } => {
            let fs = fields(doc, types, &name, params)?;
            named(&ident, &head, &fs)
        }
        Params::Positional { fields: params, rest } => {
            let fs = fields(doc, types, &name, params)?;
            let rest = match rest {
                Some(r) => Some(fields(doc, types, &name, std::slice::from_ref(r))?.remove(0)),
                None => None,
            };
            positional(&ident, wire, &head, &fs, rest.as_ref())
        }
    };
    Ok(quote!(#body #method_impl))
}

/// `new(required…)` and one setter per optional field.
fn constructors(ident: &syn::Ident, fs: &[Field]) -> TokenStream {
    let req: Vec<&Field> = fs.iter().filter(|f| f.required).collect();
    let req_idents = req.iter().map(|f| &f.ident);
    let req_tys = req.iter().map(|f| &f.ty);
    let inits = fs.iter().map(|f| {
        let i = &f.ident;
        if f.required { quote!(#i) } else { quote!(#i: None) }
    });
    let setters = fs.iter().filter(|f| !f.required).map(|f| {
        let i = &f.ident;
        let ty = &f.ty;
        let d = format!(" Sets `{}` (unset, it is not sent).", f.wire);
        quote! {
            #[doc = #d]
            pub fn #i(mut self, value: #ty) -> Self {
                self.#i = Some(value);
                self
            }
        }
    });
    quote! {
        impl #ident {
            /// The call, with its required parameters.
            #[allow(clippy::new_without_default)]
            pub fn new(#(#req_idents: #req_tys),*) -> Self {
                Self { #(#inits),* }
            }
            #(#setters)*
        }
    }
}

fn struct_fields(fs: &[Field], serde_attrs: bool) -> Vec<TokenStream> {
    fs.iter()
        .map(|f| {
            let i = &f.ident;
            let ty = &f.ty;
            let d = doc_attrs(if f.doc.is_empty() { &f.wire } else { &f.doc });
            let wire = &f.wire;
            let attrs = match (serde_attrs, f.required) {
                (false, _) => quote!(),
                (true, true) => quote!(#[serde(rename = #wire)]),
                (true, false) => quote!(#[serde(rename = #wire, default, skip_serializing_if = "Option::is_none")]),
            };
            let ty = if f.required { quote!(#ty) } else { quote!(::std::option::Option<#ty>) };
            quote!(#d #attrs pub #i: #ty)
        })
        .collect()
}

fn named(ident: &syn::Ident, head: &TokenStream, fs: &[Field]) -> TokenStream {
    let fields = struct_fields(fs, true);
    let ctors = constructors(ident, fs);
    quote! {
        #head
        ///
        /// Its parameters are an object of named values.
        #[derive(Debug, Clone, ::serde::Serialize, ::serde::Deserialize)]
        pub struct #ident { #(#fields),* }
        #ctors
    }
}

fn positional(ident: &syn::Ident, wire: &str, head: &TokenStream, fs: &[Field], rest: Option<&Field>) -> TokenStream {
    if let Some(r) = rest {
        let i = &r.ident;
        let ty = &r.ty;
        let d = doc_attrs(if r.doc.is_empty() { &r.wire } else { &r.doc });
        return quote! {
            #head
            ///
            /// Its arguments are the list itself (`[a, b, …]`).
            #[derive(Debug, Clone, ::serde::Serialize, ::serde::Deserialize)]
            #[serde(transparent)]
            pub struct #ident { #d pub #i: #ty }
            impl #ident {
                /// The call with these arguments.
                pub fn new(#i: #ty) -> Self {
                    Self { #i }
                }
            }
        };
    }
    if fs.is_empty() {
        let complaint = format!("`{wire}` takes no arguments, got {{}}");
        return quote! {
            #head
            ///
            /// It takes no arguments (`[]`).
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
            pub struct #ident;
            impl ::serde::Serialize for #ident {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                    ::serde::ser::SerializeSeq::end(serializer.serialize_seq(Some(0))?)
                }
            }
            impl<'de> ::serde::Deserialize<'de> for #ident {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    let items: ::std::vec::Vec<::serde_json::Value> = ::serde::Deserialize::deserialize(deserializer)?;
                    if !items.is_empty() {
                        return Err(<D::Error as ::serde::de::Error>::custom(format!(#complaint, items.len())));
                    }
                    Ok(Self)
                }
            }
        };
    }
    let fields = struct_fields(fs, false);
    let ctors = constructors(ident, fs);
    let min = fs.iter().filter(|f| f.required).count();
    let max = fs.len();
    // Sent: the required arguments, then the optional ones up to the last that is set.
    let len_steps = fs.iter().enumerate().filter(|(_, f)| !f.required).map(|(i, f)| {
        let id = &f.ident;
        let n = i + 1;
        quote!(if self.#id.is_some() { len = #n; })
    });
    let elements = fs.iter().enumerate().map(|(i, f)| {
        let id = &f.ident;
        if f.required {
            quote!(seq.serialize_element(&self.#id)?;)
        } else {
            quote!(if len > #i { seq.serialize_element(&self.#id)?; })
        }
    });
    let reads = fs.iter().enumerate().map(|(i, f)| {
        let id = &f.ident;
        let n = i + 1;
        let what = format!("argument {n} (`{}`) of `{wire}`: {{}}", f.wire);
        if f.required {
            quote!(#id: ::serde_json::from_value(it.next().unwrap_or_default())
                .map_err(|e| <D::Error as ::serde::de::Error>::custom(format!(#what, e)))?)
        } else {
            quote!(#id: match it.next() {
                Some(v) => ::serde_json::from_value(v).map_err(|e| <D::Error as ::serde::de::Error>::custom(format!(#what, e)))?,
                None => None,
            })
        }
    });
    let count = if min == max {
        format!("`{wire}` takes {min} argument(s), got {{}}")
    } else {
        format!("`{wire}` takes {min} to {max} arguments, got {{}}")
    };
    quote! {
        #head
        ///
        /// Its arguments are positional (`[…]`, in field order); optional ones are sent up to
        /// the last one set (an unset one before it goes as `null`).
        #[derive(Debug, Clone)]
        pub struct #ident { #(#fields),* }
        #ctors
        impl ::serde::Serialize for #ident {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeSeq;
                let mut len = #min;
                #(#len_steps)*
                let mut seq = serializer.serialize_seq(Some(len))?;
                #(#elements)*
                seq.end()
            }
        }
        impl<'de> ::serde::Deserialize<'de> for #ident {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let items: ::std::vec::Vec<::serde_json::Value> = ::serde::Deserialize::deserialize(deserializer)?;
                if items.len() < #min || items.len() > #max {
                    return Err(<D::Error as ::serde::de::Error>::custom(format!(#count, items.len())));
                }
                let mut it = items.into_iter();
                Ok(Self { #(#reads),* })
            }
        }
    }
}
