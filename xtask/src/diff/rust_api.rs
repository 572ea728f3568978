//! The Rust-API verdict: what a spec change does to code that uses the generated crate.
//!
//! The wire verdict (`compare`) says whether deployed clients keep working; this one says
//! whether code written against the current generated crate still compiles and runs after
//! `cargo xtask regen`. They differ: renaming a component changes nothing on the wire but
//! renames a Rust type; a new response enum value is fine on the wire but adds a variant.
//!
//! What the generated code does to absorb additive changes (see README, "Changing a spec"):
//! response structs keep unknown fields in `extra` and enums parse unknown values into
//! `Unknown(String)`, so *running* code keeps working; and codegen marks every generated
//! struct and enum `#[non_exhaustive]`, so callers build values with the builders and match
//! with a `_` arm: a new field or enum value compiles unchanged too.

use serde::Serialize;
use streamkit_codegen::emit::names;

/// A fact about the generated Rust API, recorded by `compare` next to the wire change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RustFact {
    /// Nothing changes for Rust code.
    None,
    /// New method `client.<method>()`.
    MethodAdded { method: String },
    /// `client.<method>()` is gone.
    MethodRemoved { method: String },
    /// `client.<old>()` is now `client.<new>()`.
    MethodRenamed { old: String, new: String },
    /// A builder setter is gone (parameter removed).
    SetterRemoved { method: String, setter: String },
    /// A builder setter is renamed (path parameter renamed).
    SetterRenamed { method: String, old: String, new: String },
    /// A builder setter must now be called (new or newly required parameter or body).
    RequiredSetter { method: String, setter: String },
    /// The request body setter is gone.
    BodyRemoved { method: String },
    /// New required field in a request struct.
    RequiredBodyField { ty: String, field: String },
    /// New field in a struct.
    FieldAdded { ty: String, field: String },
    /// A struct field is gone.
    FieldRemoved { ty: String, field: String },
    /// A struct field is renamed.
    FieldRenamed { ty: String, old: String, new: String },
    /// The Rust type at `site` changes.
    TypeChanged { site: String, old: String, new: String },
    /// A named type is renamed (`types::Old` → `types::New`).
    TypeRenamed { old: String, new: String },
    /// A named type is gone.
    TypeRemoved { name: String },
    /// New enum variant.
    VariantAdded { ty: String, value: String },
    /// An enum variant is gone.
    VariantRemoved { ty: String, value: String },
    /// The success statuses changed: `send()` behaves differently.
    SuccessChanged { method: String },
    /// The auth requirement changed: same API, different credentials needed.
    AuthChanged { method: String },
}

/// How bad a Rust-API change is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RustLevel {
    /// Code using the item stops compiling, or fails at run time where it used to work.
    Breaking,
    /// Existing code is unaffected.
    Compatible,
}

impl RustLevel {
    /// Short label for reports.
    pub fn label(self) -> &'static str {
        match self {
            RustLevel::Breaking => "breaking",
            RustLevel::Compatible => "compatible",
        }
    }
}

/// The verdict for one change.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// How bad.
    pub level: RustLevel,
    /// What changes, in terms of the generated crate.
    pub message: String,
}

/// The method progenitor generates for an operation id (asked of codegen: the same rule
/// it generates with, checked against the generated clients).
pub fn method_name(operation_id: Option<&str>) -> String {
    operation_id.map(names::operation_method).unwrap_or_else(|| "(no operationId)".into())
}

/// A field name as typify spells it (`type` → `type_`); a builder setter has the same
/// name except for names that start with a digit (progenitor: `_1st`, typify: `x1st`).
pub fn member_name(json_name: &str) -> String {
    names::field(json_name)
}

/// The variant name typify gives an enum value (`""` → `X`).
pub fn variant_name(value: &str) -> String {
    names::variant(value)
}

/// Turns a fact into a verdict; `None` when there is nothing to say.
pub fn verdict(fact: &RustFact) -> Option<Verdict> {
    use RustLevel::*;
    let (level, message) = match fact {
        RustFact::None => return None,
        RustFact::MethodAdded { method } => (Compatible, format!("new method `client.{method}()`.")),
        RustFact::MethodRemoved { method } => {
            (Breaking, format!("`client.{method}()` is gone: code calling it stops compiling."))
        }
        RustFact::MethodRenamed { old, new } => (
            Breaking,
            format!(
                "`client.{old}()` becomes `client.{new}()` (its builder, and inline types named after the operation, are renamed too): callers stop compiling."
            ),
        ),
        RustFact::SetterRemoved { method, setter } => {
            (Breaking, format!("`client.{method}().{setter}(…)` is gone: code calling it stops compiling."))
        }
        RustFact::SetterRenamed { method, old, new } => {
            (Breaking, format!("`client.{method}().{old}(…)` becomes `.{new}(…)`: callers stop compiling."))
        }
        RustFact::RequiredSetter { method, setter } => (
            Breaking,
            format!(
                "`client.{method}()` now needs `.{setter}(…)`: code without it still compiles, but `send()` returns `Error::InvalidRequest`."
            ),
        ),
        RustFact::BodyRemoved { method } => {
            (Breaking, format!("`client.{method}().body(…)` is gone: callers stop compiling."))
        }
        RustFact::RequiredBodyField { ty, field } => (
            Breaking,
            format!(
                "new required field `types::{ty}::{field}`: `types::{ty}::builder()` code compiles but fails to convert until it sets `.{field}(…)`."
            ),
        ),
        RustFact::FieldAdded { ty, field } => (
            Compatible,
            format!(
                "new field `types::{ty}::{field}` (the struct is `#[non_exhaustive]`: field access and builders are unaffected)."
            ),
        ),
        RustFact::FieldRemoved { ty, field } => {
            (Breaking, format!("field `types::{ty}::{field}` is gone: code reading or setting it stops compiling."))
        }
        RustFact::FieldRenamed { ty, old, new } => {
            (Breaking, format!("field `types::{ty}::{old}` becomes `{new}`: code using it stops compiling."))
        }
        RustFact::TypeChanged { site, old, new } => (Breaking, format!("{site} changes type from `{old}` to `{new}`.")),
        RustFact::TypeRenamed { old, new } => (
            Breaking,
            format!(
                "type `{old}` becomes `{new}`: code naming the type stops compiling (field access and method calls are unaffected)."
            ),
        ),
        RustFact::TypeRemoved { name } => {
            (Breaking, format!("type `types::{name}` is gone: code naming it stops compiling."))
        }
        RustFact::VariantAdded { ty, value } => (
            Compatible,
            format!(
                "new variant `{ty}::{}` for `{value:?}` (the enum is `#[non_exhaustive]`, so every `match` already has a `_` arm); until now the value parsed as `{ty}::Unknown({value:?})`, so code testing for that `Unknown` value no longer sees it.",
                variant_name(value)
            ),
        ),
        RustFact::VariantRemoved { ty, value } => (
            Breaking,
            format!(
                "variant `{ty}::{}` is gone: code naming it stops compiling; the value now parses as `Unknown({value:?})`.",
                variant_name(value)
            ),
        ),
        RustFact::SuccessChanged { method } => (
            Breaking,
            format!(
                "`client.{method}().send()` changes: the old success status now returns an error, and the output type may change (e.g. `Option<…>` for a body-less 2xx)."
            ),
        ),
        RustFact::AuthChanged { method } => (
            Compatible,
            format!(
                "`client.{method}()` compiles unchanged; a token without the newly required scheme or scope gets 401/403 at run time."
            ),
        ),
    };
    Some(Verdict { level, message })
}
