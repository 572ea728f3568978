//! # streamkit-medkit
#![warn(missing_docs)]

/// Muxy MEDKit (`https://api.muxy.io/v1/e`), generated from `specs/medkit/medkit.yaml`.
#[path = "generated_medkit.rs"]
pub mod medkit;
