//! One clear error per problem: the file, what in it (operation or schema), the JSON pointer.
//! The type lives in `streamkit-spec`, shared with lint and the sandbox.

pub use streamkit_spec::error::SpecError;
pub use streamkit_spec::pointer::{escape, pointer};
