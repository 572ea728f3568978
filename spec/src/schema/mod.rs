//! Instance validation against a spec's schema, with OpenAPI 3.0 semantics, on the
//! `jsonschema` crate: the schema is translated to JSON Schema draft 2020-12 once and
//! compiled; each instance is then checked. The translation:
//!
//! - `$ref`s (local, `#/...`) are followed; recursive schemas work; a `$ref` cycle that never
//!   descends into the instance (`A: {allOf: [$ref: A]}`, `A → B → A`) is a [`SpecError`].
//! - `nullable: true` allows `null` (in `type` and `enum`, or around a composed schema);
//!   without it `null` fails a typed schema. A schema with `properties` (`items`) and no
//!   `type` is an object (array).
//! - [`Direction::Request`]: `readOnly` properties must not be sent and are not required;
//!   [`Direction::Response`]: the same for `writeOnly`.
//! - `format`s known to JSON Schema are checked (`date-time`, `date`, `uuid`, `email`, `uri`,
//!   …); OpenAPI-only ones (`int32`, `int64`, `byte`, `password`) are annotations. `pattern`
//!   is an ECMA-262 regex. Boolean `exclusiveMinimum`/`exclusiveMaximum` are honoured.
//! - `allOf`/`oneOf`/`anyOf`/`not`, `additionalProperties`, lengths, ranges, `enum` as in
//!   JSON Schema; `example`, `discriminator`, `description`, `x-*` and other annotations are
//!   ignored.
//! - [`Undocumented::Forbidden`]: an object schema without `additionalProperties` allows
//!   only the properties it (or its `allOf` parts, or the matching `oneOf`/`anyOf` branch)
//!   lists.
//!
//! AsyncAPI 3.0 schemas (a draft-07 superset) are taken as JSON Schema (`const`, type
//! lists, `if`/`then`/`else`, tuple `items` …), with the same `$ref` handling.
//!
//! ```
//! use serde_json::json;
//! use streamkit_spec::{Document, schema::{Direction, Options, Validator}};
//! let doc = Document::from_value(json!({
//!     "openapi": "3.0.3",
//!     "components": {"schemas": {"User": {
//!         "type": "object", "required": ["id"],
//!         "properties": {"id": {"type": "string"}, "bio": {"type": "string", "nullable": true}}}}}
//! }), "users.yaml").unwrap();
//! let v = Validator::new(&doc, "/components/schemas/User", Direction::Response).unwrap();
//! assert!(v.validate(&json!({"id": "1", "bio": null})).is_empty());
//! let errs = v.validate(&json!({"id": 1}));
//! assert_eq!(errs[0].to_string(), "/id: expected string, found integer");
//! assert_eq!(errs[0].schema, "/components/schemas/User/properties/id/type");
//!
//! // The sandbox's contract check: undocumented properties are violations.
//! let strict = Validator::new(&doc, "/components/schemas/User", Options::response().forbid_undocumented()).unwrap();
//! assert_eq!(strict.validate(&json!({"id": "1", "extra": 2}))[0].path.json_path(), "$.extra");
//! ```

mod cache;
mod message;
pub(crate) mod translate;
mod violation;

use jsonschema::Draft;
use serde_json::Value;

pub use cache::ValidatorCache;
pub use translate::MAX_SCHEMA_DEPTH;
pub use violation::{InstancePath, PathSegment, Violation};

use crate::document::Document;
use crate::error::SpecError;

/// Which way the instance travels: it decides what `readOnly` and `writeOnly` mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Client to server: `readOnly` properties must not be sent and are not required.
    Request,
    /// Server to client: `writeOnly` properties must not appear and are not required.
    Response,
    /// Unknown (a component's own example): both are allowed, as written.
    Either,
}

/// Whether properties a schema does not list are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Undocumented {
    /// The OpenAPI default: allowed unless `additionalProperties` says otherwise.
    Allowed,
    /// An object schema without `additionalProperties` allows no property it does not
    /// list (the sandbox's contract: it must not teach clients undocumented fields).
    Forbidden,
}

/// How to validate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Options {
    /// Request or response.
    pub direction: Direction,
    /// Undocumented properties allowed or not.
    pub undocumented: Undocumented,
}

impl Options {
    /// A request body or parameter, OpenAPI defaults.
    pub fn request() -> Options {
        Direction::Request.into()
    }

    /// A response body, OpenAPI defaults.
    pub fn response() -> Options {
        Direction::Response.into()
    }

    /// The same, with undocumented properties forbidden.
    pub fn forbid_undocumented(self) -> Options {
        Options { undocumented: Undocumented::Forbidden, ..self }
    }
}

impl From<Direction> for Options {
    fn from(direction: Direction) -> Options {
        Options { direction, undocumented: Undocumented::Allowed }
    }
}

/// Drops duplicates (a keyword reached twice) and orders by instance path.
fn tidy(mut found: Vec<Violation>) -> Vec<Violation> {
    let mut seen = std::collections::HashSet::new();
    found.retain(|v| seen.insert((v.path.clone(), v.message.clone())));
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

/// A compiled schema. Cheap to share (`Send + Sync`); build it once per schema.
#[derive(Debug)]
pub struct Validator {
    compiled: jsonschema::Validator,
    translated: translate::Translated,
}

impl Validator {
    /// Compiles the schema at `pointer` in `doc` (e.g. `/components/schemas/User`).
    ///
    /// Errors (`file#/pointer: message`) when nothing is there, a `$ref` is broken, external
    /// or cyclic without descending into the instance, the schema nests too deep, or a
    /// keyword's value is invalid (a `pattern` that is no regex).
    pub fn new(doc: &Document, pointer: &str, options: impl Into<Options>) -> Result<Validator, SpecError> {
        let schema = doc.get(pointer).ok_or_else(|| doc.error(pointer, "no schema here"))?;
        Validator::for_schema(doc, schema, pointer, options)
    }

    /// Compiles a schema value that belongs to `doc` (its `$ref`s resolve there);
    /// `shown_at` is the pointer errors name for it.
    pub fn for_schema(
        doc: &Document,
        schema: &Value,
        shown_at: &str,
        options: impl Into<Options>,
    ) -> Result<Validator, SpecError> {
        let translated = translate::translate(doc, schema, shown_at, options.into())?;
        let compiled = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .should_validate_formats(true)
            .build(&translated.schema)
            .map_err(|e| {
                // Meta-schema errors locate the bad keyword as the "instance" (our schema).
                let at = translated.origin(e.instance_path().as_str());
                doc.error(at, format!("invalid schema: {e}"))
            })?;
        Ok(Validator { compiled, translated })
    }

    /// Every violation of `instance` (empty when it is valid), in a stable order.
    pub fn validate(&self, instance: &Value) -> Vec<Violation> {
        self.validate_at_most(instance, usize::MAX)
    }

    /// At most `limit` violations (validation stops early once there are enough).
    pub fn validate_at_most(&self, instance: &Value, limit: usize) -> Vec<Violation> {
        let mut out = Vec::new();
        for e in self.compiled.iter_errors(instance) {
            if out.len() >= limit {
                break;
            }
            message::push(&e, &self.translated, &mut out);
        }
        out.truncate(limit);
        tidy(out)
    }

    /// Whether `instance` is valid (faster than [`validate`](Self::validate)).
    pub fn is_valid(&self, instance: &Value) -> bool {
        self.compiled.is_valid(instance)
    }

    /// The translated JSON Schema draft 2020-12 document (for debugging and tests).
    pub fn json_schema(&self) -> &Value {
        &self.translated.schema
    }
}

#[cfg(test)]
mod tests;
