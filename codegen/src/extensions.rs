//! Stage 3: read the `x-streamkit-*` extensions (documented in `specs/README.md`). The
//! typed extensions and their readers live in `streamkit-spec`, shared with lint.

pub use streamkit_spec::extensions::*;
