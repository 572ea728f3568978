//! # streamkit-spec
//!
//! Everything streamkit knows about reading a spec, shared by codegen, `cargo xtask lint`
//! and the sandbox's contract check:
//!
//! - [`document`]: find spec files and load one (OpenAPI 3.0.x or AsyncAPI 3.0, YAML or
//!   JSON) with its file path, so every error can name it;
//! - [`refs`]: `$ref` resolution with cycle detection;
//! - [`extensions`] and [`vocabulary`]: the typed `x-streamkit-*` extensions, where each
//!   belongs, and the check of one occurrence;
//! - [`schema`]: instance validation with OpenAPI 3.0 semantics (`nullable`,
//!   `readOnly`/`writeOnly`, formats) on the `jsonschema` crate;
//! - [`contract`]: a response checked against the operation that documents it.
//!
//! Errors are [`SpecError`]s: `file#/json/pointer: message`. No input makes this crate
//! panic: hostile documents (deep nesting, huge files, `$ref` loops) are errors.
#![warn(missing_docs)]

pub mod contract;
pub mod document;
pub mod error;
pub mod extensions;
pub mod openapi;
pub mod pointer;
pub mod refs;
pub mod schema;
pub mod subject;
pub mod vocabulary;

pub use document::{Document, SpecKind};
pub use error::SpecError;
pub use schema::{Direction, Options, Validator, Violation};
pub use subject::subject_of;
