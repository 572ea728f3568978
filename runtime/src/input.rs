//! What the generated builder setters call: conversions from what callers have (any integer
//! type, any iterable of string-likes) and the spec's constraints (`minimum`/`maximum`,
//! `minLength`/`maxLength`, `minItems`/`maxItems`), checked before anything is sent.
//!
//! Each check returns the message of the [`crate::Error::InvalidRequest`] the call fails
//! with, naming the parameter, the value and the bound:
//!
//! ```
//! use streamkit_runtime::input::{Bounds, integer};
//! let page = Bounds { min: Some(1), max: Some(100) };
//! assert_eq!(integer::<u64>("parameter `first`", 20_u32, page), Ok(20));
//! assert_eq!(
//!     integer::<u64>("parameter `first`", 101, page).unwrap_err(),
//!     "parameter `first` is 101, above the maximum of 100"
//! );
//! ```

use std::fmt::Display;
use std::num::{NonZeroI32, NonZeroI64, NonZeroU8, NonZeroU16, NonZeroU32, NonZeroU64, NonZeroUsize};

/// An inclusive range from the spec (`minimum`/`maximum`, `minLength`/`maxLength`,
/// `minItems`/`maxItems`); `None` is unbounded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bounds {
    /// The smallest allowed value (or length, or count).
    pub min: Option<i128>,
    /// The largest allowed value (or length, or count).
    pub max: Option<i128>,
}

impl Bounds {
    /// No bounds.
    pub const NONE: Bounds = Bounds { min: None, max: None };

    /// The bound `n` breaks, if any: `(false, min)` below, `(true, max)` above.
    fn broken(&self, n: i128) -> Option<(bool, i128)> {
        match (self.min, self.max) {
            (Some(min), _) if n < min => Some((false, min)),
            (_, Some(max)) if n > max => Some((true, max)),
            _ => None,
        }
    }
}

/// An integer a caller may pass to an integer setter: every primitive integer type and the
/// non-zero ones (so `first(20)`, `first(n_u32)` and `first(NonZeroU64::new(20).unwrap())`
/// all work).
pub trait IntegerInput: Copy {
    /// The value, widened.
    fn widen(self) -> i128;
}

/// An integer type a generated field holds; the conversion fails when the value does not fit.
pub trait IntegerTarget: Sized {
    /// The value as `Self`, if it fits.
    fn narrow(value: i128) -> Option<Self>;
}

macro_rules! primitive {
    ($($t:ty),*) => {$(
        impl IntegerInput for $t {
            fn widen(self) -> i128 { self as i128 }
        }
        impl IntegerTarget for $t {
            fn narrow(value: i128) -> Option<Self> { <$t>::try_from(value).ok() }
        }
    )*};
}
primitive!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

macro_rules! non_zero {
    ($($t:ty => $p:ty),*) => {$(
        impl IntegerInput for $t {
            fn widen(self) -> i128 { self.get() as i128 }
        }
        impl IntegerTarget for $t {
            fn narrow(value: i128) -> Option<Self> { <$p>::try_from(value).ok().and_then(<$t>::new) }
        }
    )*};
}
non_zero!(NonZeroU8 => u8, NonZeroU16 => u16, NonZeroU32 => u32, NonZeroU64 => u64, NonZeroUsize => usize, NonZeroI32 => i32, NonZeroI64 => i64);

/// An integer checked against the spec's `minimum`/`maximum`, then converted to the field's
/// type. `what` names it (e.g. ``parameter `first` ``).
pub fn integer<T: IntegerTarget>(what: &str, value: impl IntegerInput, bounds: Bounds) -> Result<T, String> {
    let n = value.widen();
    match bounds.broken(n) {
        Some((false, min)) => return Err(format!("{what} is {n}, below the minimum of {min}")),
        Some((true, max)) => return Err(format!("{what} is {n}, above the maximum of {max}")),
        None => {}
    }
    T::narrow(n).ok_or_else(|| format!("{what} is {n}, which does not fit a {}", short_type_name::<T>()))
}

/// A string checked against the spec's `minLength`/`maxLength` (in characters).
pub fn string(what: &str, value: String, length: Bounds) -> Result<String, String> {
    let n = value.chars().count() as i128;
    match length.broken(n) {
        Some((false, min)) => {
            Err(format!("{what} is {value:?} ({n} characters), shorter than the minimum length of {min}"))
        }
        Some((true, max)) => Err(format!("{what} is {n} characters long, longer than the maximum length of {max}")),
        None => Ok(value),
    }
}

/// A list built from any iterable of convertible items, checked against the spec's
/// `minItems`/`maxItems`. A conversion error names the item.
pub fn list<T, S>(what: &str, values: impl IntoIterator<Item = S>, count: Bounds) -> Result<Vec<T>, String>
where
    S: TryInto<T>,
    S::Error: Display,
{
    let values = values
        .into_iter()
        .enumerate()
        .map(|(i, v)| v.try_into().map_err(|e| format!("{what}[{i}]: {e}")))
        .collect::<Result<Vec<T>, String>>()?;
    let n = values.len() as i128;
    match count.broken(n) {
        Some((false, min)) => Err(format!("{what} has {n} values, fewer than the minimum of {min}")),
        Some((true, max)) => Err(format!("{what} has {n} values, more than the maximum of {max}")),
        None => Ok(values),
    }
}

/// A value converted to the field's type (a string, an enum, a constrained string type); the
/// conversion's own complaint is kept.
pub fn convert<T, V>(what: &str, value: V) -> Result<T, String>
where
    V: TryInto<T>,
    V::Error: Display,
{
    value.try_into().map_err(|e| format!("{what}: {e}"))
}

fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    full.rsplit("::").next().unwrap_or(full)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: Bounds = Bounds { min: Some(1), max: Some(100) };

    #[test]
    fn integers_of_any_type_convert_and_are_bounded() {
        assert_eq!(integer::<NonZeroU64>("parameter `first`", 20_u8, PAGE), Ok(NonZeroU64::new(20).unwrap()));
        assert_eq!(
            integer::<NonZeroU64>("parameter `first`", NonZeroU64::new(7).unwrap(), PAGE).map(|n| n.get()),
            Ok(7)
        );
        assert_eq!(
            integer::<NonZeroU64>("parameter `first`", 0, PAGE).unwrap_err(),
            "parameter `first` is 0, below the minimum of 1"
        );
        assert_eq!(
            integer::<u64>("parameter `first`", -3_i64, Bounds::NONE).unwrap_err(),
            "parameter `first` is -3, which does not fit a u64"
        );
        assert_eq!(
            integer::<NonZeroU64>("x", 0, Bounds::NONE).unwrap_err(),
            "x is 0, which does not fit a NonZero<u64>"
        );
    }

    #[test]
    fn lists_take_any_iterable_of_string_likes_and_count_them() {
        let ids = vec!["1".to_string(), "2".to_string()];
        assert_eq!(list::<String, _>("parameter `id`", &ids, PAGE), Ok(ids.clone()));
        assert_eq!(list::<String, _>("parameter `id`", ["a"], PAGE), Ok(vec!["a".to_string()]));
        let many = (0..101).map(|i| i.to_string());
        assert_eq!(
            list::<String, _>("parameter `id`", many, PAGE).unwrap_err(),
            "parameter `id` has 101 values, more than the maximum of 100"
        );
    }

    #[test]
    fn strings_are_measured_in_characters() {
        let len = Bounds { min: Some(1), max: Some(3) };
        assert_eq!(string("body field `title`", "äöü".into(), len), Ok("äöü".to_string()));
        assert_eq!(
            string("body field `title`", String::new(), len).unwrap_err(),
            "body field `title` is \"\" (0 characters), shorter than the minimum length of 1"
        );
    }
}
