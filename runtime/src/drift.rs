//! Strict decoding: finding what a response carried that the spec does not know.
//!
//! Generated types keep unknown enum values (`Unknown(String)`) and undocumented fields
//! (`extra`) so that a server change does not break callers. Our own tests run in strict
//! mode, where any such value fails the call, so drift between spec and server is caught.

use std::collections::{BTreeMap, HashMap};

/// Walks a decoded value and reports every unknown enum value and non-empty `extra` map.
/// Codegen implements it for every generated type.
pub trait Drift {
    /// Appends one path per unknown value found under `at`.
    fn drift(&self, at: &str, out: &mut Vec<String>);
}

/// All drift paths of a value (empty when the value matches the spec).
///
/// ```
/// use streamkit_runtime::drift::{drift_paths, Drift};
/// assert!(drift_paths(&vec![Some("x".to_string())]).is_empty());
/// ```
pub fn drift_paths<T: Drift + ?Sized>(value: &T) -> Vec<String> {
    let mut out = Vec::new();
    value.drift("", &mut out);
    out
}

/// Joins a path and a field name.
pub fn field_path(at: &str, field: &str) -> String {
    if at.is_empty() { field.to_string() } else { format!("{at}.{field}") }
}

/// Reports each key of a non-empty `extra` map.
pub fn report_extra<'a>(at: &str, keys: impl Iterator<Item = &'a String>, out: &mut Vec<String>) {
    out.extend(keys.map(|k| format!("{} (undocumented field)", field_path(at, k))));
}

/// Reports an unknown enum value.
pub fn report_unknown(at: &str, value: &str, out: &mut Vec<String>) {
    out.push(format!("{} = {value:?} (unknown enum value)", if at.is_empty() { "<root>" } else { at }));
}

macro_rules! leaf {
    ($($t:ty),*) => {$(
        impl Drift for $t {
            fn drift(&self, _at: &str, _out: &mut Vec<String>) {}
        }
    )*};
}

leaf!(
    String, bool, i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, (),
    std::num::NonZeroU32, std::num::NonZeroU64, std::num::NonZeroI64,
    chrono::DateTime<chrono::Utc>, chrono::NaiveDate,
    serde_json::Value, serde_json::Map<String, serde_json::Value>,
    crate::Secret, progenitor_client::ByteStream
);

impl<T: Drift> Drift for Option<T> {
    fn drift(&self, at: &str, out: &mut Vec<String>) {
        if let Some(v) = self {
            v.drift(at, out);
        }
    }
}

impl<T: Drift> Drift for Box<T> {
    fn drift(&self, at: &str, out: &mut Vec<String>) {
        (**self).drift(at, out);
    }
}

impl<T: Drift> Drift for Vec<T> {
    fn drift(&self, at: &str, out: &mut Vec<String>) {
        for (i, v) in self.iter().enumerate() {
            v.drift(&format!("{at}[{i}]"), out);
        }
    }
}

impl<T: Drift> Drift for BTreeMap<String, T> {
    fn drift(&self, at: &str, out: &mut Vec<String>) {
        for (k, v) in self {
            v.drift(&field_path(at, k), out);
        }
    }
}

impl<T: Drift, S> Drift for HashMap<String, T, S> {
    fn drift(&self, at: &str, out: &mut Vec<String>) {
        for (k, v) in self {
            v.drift(&field_path(at, k), out);
        }
    }
}
