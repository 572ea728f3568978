//! Stage 1: find the spec files and parse them (`streamkit-spec` does both).

pub use streamkit_spec::document::{Document as LoadedSpec, SpecKind, discover, load, parse};
