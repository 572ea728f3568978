//! What the spec says a value may be: an operation's parameters with their schemas, and the
//! bounds of a schema (`minimum`/`maximum`, `minLength`/`maxLength`, `minItems`/`maxItems`),
//! read from the adapted document for the passes that emit checks.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

/// One parameter of an operation.
#[derive(Debug, Clone)]
pub struct Parameter<'d> {
    /// The name on the wire.
    pub name: &'d str,
    /// Its schema, `$ref`s resolved.
    pub schema: &'d Value,
    /// Its description, if any.
    pub description: Option<&'d str>,
    /// Whether the spec requires it.
    pub required: bool,
}

/// Follows a local `$ref` (`#/components/...`) until a non-reference; `None` when it dangles.
pub fn resolve<'d>(doc: &'d Value, mut v: &'d Value) -> Option<&'d Value> {
    for _ in 0..32 {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) => v = doc.pointer(r.strip_prefix('#')?)?,
            None => return Some(v),
        }
    }
    None
}

/// The parameters of the operation at `path`/`method` (lower case), path-level ones included.
pub fn parameters<'d>(doc: &'d Value, path: &str, method: &str) -> Vec<Parameter<'d>> {
    let Some(item) = doc.get("paths").and_then(|p| p.get(path)) else { return Vec::new() };
    let listed = item.get("parameters").into_iter().chain(item.get(method).and_then(|o| o.get("parameters")));
    listed
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|p| resolve(doc, p))
        .filter_map(|p| {
            Some(Parameter {
                name: p.get("name")?.as_str()?,
                schema: resolve(doc, p.get("schema")?)?,
                description: p.get("description").and_then(Value::as_str),
                required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
            })
        })
        .collect()
}

/// An inclusive range, `None` unbounded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Range {
    /// Lowest allowed.
    pub min: Option<i128>,
    /// Highest allowed.
    pub max: Option<i128>,
}

impl Range {
    /// Whether the range bounds anything.
    pub fn is_bounded(&self) -> bool {
        self.min.is_some() || self.max.is_some()
    }

    /// `::streamkit_runtime::input::Bounds { .. }`.
    pub fn tokens(&self) -> TokenStream {
        let opt = |v: Option<i128>| match v {
            Some(v) => quote!(::std::option::Option::Some(#v)),
            None => quote!(::std::option::Option::None),
        };
        let (min, max) = (opt(self.min), opt(self.max));
        quote!(::streamkit_runtime::input::Bounds { min: #min, max: #max })
    }
}

/// An integral JSON number (`1`, `1.0`); fractional bounds are not integer bounds.
fn integral(v: Option<&Value>) -> Option<i128> {
    let v = v?;
    v.as_i64().map(i128::from).or_else(|| v.as_u64().map(i128::from)).or_else(|| {
        let f = v.as_f64()?;
        (f.fract() == 0.0 && f.abs() < 1e18).then_some(f as i128)
    })
}

/// `minimum`/`maximum` of an integer schema, with OpenAPI 3.0's boolean `exclusive*`.
pub fn value_range(schema: &Value) -> Range {
    let excl = |k: &str| schema.get(k).and_then(Value::as_bool).unwrap_or(false);
    Range {
        min: integral(schema.get("minimum")).map(|m| if excl("exclusiveMinimum") { m + 1 } else { m }),
        max: integral(schema.get("maximum")).map(|m| if excl("exclusiveMaximum") { m - 1 } else { m }),
    }
}

/// `minLength`/`maxLength`.
pub fn length_range(schema: &Value) -> Range {
    Range { min: integral(schema.get("minLength")), max: integral(schema.get("maxLength")) }
}

/// `minItems`/`maxItems`.
pub fn count_range(schema: &Value) -> Range {
    Range { min: integral(schema.get("minItems")), max: integral(schema.get("maxItems")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_resolve_references_and_read_bounds() {
        let doc = serde_json::json!({
            "components": {"parameters": {"First": {"name": "first", "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": 100.0, "exclusiveMaximum": true}}}},
            "paths": {"/s": {"parameters": [{"$ref": "#/components/parameters/First"}],
                "get": {"parameters": [{"name": "id", "in": "query", "required": true,
                    "schema": {"type": "array", "maxItems": 10, "items": {"type": "string"}}}]}}}
        });
        let ps = parameters(&doc, "/s", "get");
        assert_eq!(ps.iter().map(|p| p.name).collect::<Vec<_>>(), ["first", "id"]);
        assert_eq!(value_range(ps[0].schema), Range { min: Some(1), max: Some(99) });
        assert_eq!(count_range(ps[1].schema), Range { min: None, max: Some(10) });
        assert!(ps[1].required && !ps[0].required);
        assert!(!length_range(ps[1].schema).is_bounded());
    }
}
