//! Decoding a generated struct that keeps undocumented fields, in one pass over the map.
//!
//! A struct with `#[serde(flatten)] extra` gets a derived `Deserialize` that first buffers the
//! whole object into serde's intermediate `Content` tree and only then builds the struct from
//! it: every key and value is handled twice. Codegen (`visit_once_deserialize`) emits instead,
//! for each such struct, an [`Object`] impl of a few lines (the field table and a match) and a
//! `Deserialize` that calls [`object`]; the loop, the key lookup, duplicate and missing field
//! errors and the `extra` map are here, compiled once for every struct.
//!
//! It decodes what the derive decoded, with the same error messages: `missing field `x``,
//! `duplicate field `x``, `invalid type: ..., expected struct X`. A key the table does not
//! know goes into `extra`; the same unknown key twice is an error too.
//!
//! ```
//! use streamkit_runtime::decode::{object, Fields, Object};
//! use serde::de::MapAccess;
//!
//! #[derive(Debug)]
//! struct User {
//!     id: String,
//!     nick: Option<String>,
//!     extra: serde_json::Map<String, serde_json::Value>,
//! }
//! impl Object for User {
//!     const NAME: &'static str = "User";
//!     fn visit<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
//!         let mut m = Fields::new(map, |k| match k {
//!             "id" => Some(0),
//!             "nick" => Some(1),
//!             _ => None,
//!         });
//!         let mut f = (None, None);
//!         while let Some(i) = m.next_field()? {
//!             match i {
//!                 0 => m.put(&mut f.0, "id")?,
//!                 1 => m.put(&mut f.1, "nick")?,
//!                 _ => m.skip_value()?,
//!             }
//!         }
//!         Ok(User { id: m.take(f.0, "id")?, nick: m.take(f.1, "nick")?, extra: m.extra() })
//!     }
//! }
//! impl<'de> serde::Deserialize<'de> for User {
//!     fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
//!         object(d)
//!     }
//! }
//!
//! let u: User = serde_json::from_str(r#"{"id": "1", "new": true}"#).unwrap();
//! assert_eq!((u.id.as_str(), u.nick, u.extra["new"].as_bool()), ("1", None, Some(true)));
//! let e = serde_json::from_str::<User>(r#"{"nick": "x"}"#).unwrap_err();
//! assert!(e.to_string().starts_with("missing field `id`"), "{e}");
//! ```

mod extra;
mod fields;
mod missing;

use std::fmt;
use std::marker::PhantomData;

use serde::Deserializer;
use serde::de::{MapAccess, Visitor};

pub use extra::Extra;
pub use fields::Fields;

/// A struct decoded from a map in one pass; codegen implements it for every generated
/// struct that keeps undocumented fields.
pub trait Object: Sized {
    /// The type's name, for `invalid type: ..., expected struct NAME`.
    const NAME: &'static str;

    /// Builds the value from the entries of `map` (see [`Fields`]).
    fn visit<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// Decodes an [`Object`]: what its `Deserialize` impl calls.
pub fn object<'de, T: Object, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<fn() -> T>);

impl<'de, T: Object> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::visit(map)
    }
}

#[cfg(test)]
mod tests;
