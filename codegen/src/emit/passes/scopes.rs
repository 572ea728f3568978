//! The `Scope` enum of a spec that lists its OAuth scopes (`x-streamkit-scopes`): one variant
//! per scope, plus `Other(String)` for scopes the spec does not know yet. Appended at the crate
//! root; a spec without scopes gets nothing.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use syn::File;

use crate::emit::pass::{Context, Expect, Pass};
use crate::extensions::{Scopes, scope_variant};

/// Appends `Scope` and its impls.
pub struct ScopeEnum;

impl Pass for ScopeEnum {
    fn name(&self) -> &'static str {
        "scope_enum"
    }

    fn expect(&self, cx: &Context<'_>, _: &File) -> Expect {
        let n = if cx.plan.scopes.is_empty() { 0 } else { 8 };
        Expect::exactly(n, "the Scope enum and its seven impls when the spec lists scopes")
    }

    fn run(&self, cx: &mut Context<'_>, file: &mut File) -> Result<usize, String> {
        if cx.plan.scopes.is_empty() {
            return Ok(0);
        }
        let extra: File = syn::parse2(scope_enum(&cx.plan.scopes)).map_err(|e| format!("scope enum: {e}"))?;
        let n = extra.items.len();
        file.items.extend(extra.items);
        Ok(n)
    }
}

/// The enum and its conversions: from and to the scope's name, serde as that name.
fn scope_enum(scopes: &Scopes) -> TokenStream {
    let variants: Vec<Ident> = scopes.keys().map(|s| Ident::new(&scope_variant(s), Span::call_site())).collect();
    let names: Vec<&String> = scopes.keys().collect();
    let docs = scopes.iter().map(|(name, d)| format!(" `{name}`: {}", d.trim()));
    let descriptions = scopes.values().map(|d| d.trim());
    quote! {
        /// An OAuth scope: one the spec lists, or any other by name ([`Scope::Other`],
        /// [`Scope::custom`]). Accepted wherever scopes are asked for, alongside plain strings.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Scope {
            #( #[doc = #docs] #variants, )*
            /// A scope the spec does not list (newer than this crate, or private).
            Other(::std::string::String),
        }

        impl Scope {
            /// Every scope the spec lists.
            pub const KNOWN: &'static [&'static str] = &[#(#names),*];

            /// The scope named `name`: a listed variant when the spec knows it, else
            /// [`Scope::Other`].
            pub fn custom(name: impl ::std::convert::Into<::std::string::String>) -> Scope {
                let name = name.into();
                match name.as_str() {
                    #( #names => Scope::#variants, )*
                    _ => Scope::Other(name),
                }
            }

            /// The scope's name on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Scope::#variants => #names, )*
                    Scope::Other(name) => name,
                }
            }

            /// What the scope grants, as the spec says; `None` for [`Scope::Other`].
            pub fn description(&self) -> ::std::option::Option<&'static str> {
                match self {
                    #( Scope::#variants => Some(#descriptions), )*
                    Scope::Other(_) => None,
                }
            }
        }

        impl ::std::convert::AsRef<str> for Scope {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::std::fmt::Display for Scope {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::convert::From<&str> for Scope {
            fn from(name: &str) -> Self {
                Scope::custom(name)
            }
        }

        impl ::std::convert::From<::std::string::String> for Scope {
            fn from(name: ::std::string::String) -> Self {
                Scope::custom(name)
            }
        }

        impl ::serde::Serialize for Scope {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for Scope {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                ::std::string::String::deserialize(d).map(Scope::custom)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_scope_becomes_a_documented_variant_with_its_wire_name() {
        let scopes: Scopes = [("user:write:chat".to_string(), "Send chat messages.".to_string())].into();
        let code = scope_enum(&scopes).to_string();
        assert!(code.contains("UserWriteChat"), "{code}");
        assert!(code.contains("\"user:write:chat\""), "{code}");
        assert!(code.contains("Other (:: std :: string :: String)"), "{code}");
        let file: File = syn::parse2(scope_enum(&scopes)).unwrap();
        assert_eq!(file.items.len(), 8);
    }
}
