//! The entries of one object, read once: each key looked up in the struct's field table,
//! known values decoded straight into their slots, unknown ones kept in `extra`.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, Error, IgnoredAny, MapAccess, Unexpected, Visitor};

use super::extra::Extra;
use super::missing::missing;

/// One object's entries, for a generated [`Object::visit`](super::Object::visit): call
/// [`next_field`](Self::next_field) until `None`, [`put`](Self::put) each known field's value
/// into its slot, then build the struct with [`take`](Self::take) and [`extra`](Self::extra).
pub struct Fields<'de, A, X, K> {
    map: A,
    /// The struct's field table: a key's index, `None` for a key the spec does not document
    /// (a `match` on the wire names: rustc compiles it better than a search of a list).
    index: K,
    extra: X,
    de: PhantomData<&'de ()>,
}

impl<'de, A: MapAccess<'de>, X: Extra, K: Fn(&str) -> Option<usize> + Copy> Fields<'de, A, X, K> {
    /// The entries of `map`, for a struct whose field table is `index`.
    pub fn new(map: A, index: K) -> Self {
        Fields { map, index, extra: X::default(), de: PhantomData }
    }

    /// The index of the next known key; other keys are decoded into `extra` on the way.
    /// `None` at the end of the map.
    pub fn next_field(&mut self) -> Result<Option<usize>, A::Error> {
        loop {
            match self.map.next_key_seed(KeySeed { index: self.index })? {
                None => return Ok(None),
                Some(Key::Known(i)) => return Ok(Some(i)),
                Some(Key::Unknown(key)) => {
                    let value = self.map.next_value()?;
                    if let Err(key) = self.extra.keep(key, value) {
                        return Err(A::Error::custom(format_args!("duplicate field `{key}`")));
                    }
                }
            }
        }
    }

    /// Decodes the value of the known key `name` just read into `slot`; a second value for
    /// the same key is an error.
    pub fn put<T: Deserialize<'de>>(&mut self, slot: &mut Option<T>, name: &'static str) -> Result<(), A::Error> {
        if slot.is_some() {
            return Err(A::Error::duplicate_field(name));
        }
        *slot = Some(self.map.next_value()?);
        Ok(())
    }

    /// Reads and drops the value of the key just read.
    pub fn skip_value(&mut self) -> Result<(), A::Error> {
        self.map.next_value::<IgnoredAny>().map(|_| ())
    }

    /// A field's value: what was read, else `None` for an `Option`, else `missing field`.
    pub fn take<T: Deserialize<'de>>(&self, slot: Option<T>, name: &'static str) -> Result<T, A::Error> {
        match slot {
            Some(v) => Ok(v),
            None => missing(name),
        }
    }

    /// A field that must be present even though its type is an `Option` (required and
    /// nullable in the spec).
    pub fn require<T>(&self, slot: Option<T>, name: &'static str) -> Result<T, A::Error> {
        slot.ok_or_else(|| A::Error::missing_field(name))
    }

    /// The undocumented fields read (taken: a second call gives an empty map).
    pub fn extra(&mut self) -> X {
        std::mem::take(&mut self.extra)
    }
}

/// A key: its index in the field table, or the key itself when the table does not have it.
enum Key {
    Known(usize),
    Unknown(String),
}

#[derive(Clone, Copy)]
struct KeySeed<K> {
    index: K,
}

impl<K: Fn(&str) -> Option<usize>> KeySeed<K> {
    fn key(&self, key: &str) -> Option<usize> {
        (self.index)(key)
    }
}

impl<'de, K: Fn(&str) -> Option<usize> + Copy> DeserializeSeed<'de> for KeySeed<K> {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de, K: Fn(&str) -> Option<usize> + Copy> Visitor<'de> for KeySeed<K> {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: Error>(self, v: &str) -> Result<Key, E> {
        Ok(self.key(v).map_or_else(|| Key::Unknown(v.to_owned()), Key::Known))
    }

    fn visit_string<E: Error>(self, v: String) -> Result<Key, E> {
        Ok(self.key(&v).map_or(Key::Unknown(v), Key::Known))
    }

    fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<Key, E> {
        match std::str::from_utf8(v) {
            Ok(s) => self.visit_str(s),
            Err(_) => Err(E::invalid_value(Unexpected::Bytes(v), &self)),
        }
    }
}
