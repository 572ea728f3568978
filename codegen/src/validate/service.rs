//! `x-streamkit-service.crate` and `.module` become a directory and a file name
//! (`generated/<crate>/src/generated_<module>.rs`): they must be plain identifiers, so a spec
//! can never name a path outside `generated/` (`..`, `/`, `\`, an absolute path).

use std::path::Path;

use crate::error::SpecError;
use crate::extensions::Service;

/// Longest crate or module name accepted.
pub const MAX_NAME_LEN: usize = 64;

/// Checks the names of `x-streamkit-service`.
pub fn check(file: &Path, service: &Service) -> Result<(), SpecError> {
    let err = |key: &str, m: String| SpecError::new(file, "document", format!("/x-streamkit-service/{key}"), m);
    if !is_crate_dir(&service.krate) {
        return Err(err(
            "crate",
            format!(
                "crate `{}` is not a plain name: write lower-case ASCII letters, digits, `_` or `-`, starting with a letter, at most {MAX_NAME_LEN} characters (it names the directory `generated/<crate>`)",
                service.krate.escape_debug()
            ),
        ));
    }
    if !is_module(&service.module) {
        return Err(err(
            "module",
            format!(
                "module `{}` is not a plain Rust identifier: write lower-case ASCII letters, digits or `_`, starting with a letter, at most {MAX_NAME_LEN} characters, not a keyword (it names `generated_<module>.rs`)",
                service.module.escape_debug()
            ),
        ));
    }
    Ok(())
}

/// A directory name under `generated/`: `[a-z][a-z0-9_-]*`.
///
/// ```
/// use streamkit_codegen::validate::service::is_crate_dir;
/// assert!(is_crate_dir("twitch"));
/// assert!(!is_crate_dir("../runtime"));
/// assert!(!is_crate_dir(""));
/// ```
pub fn is_crate_dir(name: &str) -> bool {
    plain(name, |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// A module name: `[a-z][a-z0-9_]*` and not a Rust keyword.
///
/// ```
/// use streamkit_codegen::validate::service::is_module;
/// assert!(is_module("helix"));
/// assert!(!is_module("src/lib"));
/// assert!(!is_module("type"));
/// ```
pub fn is_module(name: &str) -> bool {
    plain(name, |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') && typify::accept_as_ident(name)
}

fn plain(name: &str, rest: impl Fn(char) -> bool) -> bool {
    name.len() <= MAX_NAME_LEN && name.starts_with(|c: char| c.is_ascii_lowercase()) && name.chars().all(rest)
}
