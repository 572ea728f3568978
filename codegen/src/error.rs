//! One clear error per problem: the file, what in it (operation or schema), the JSON pointer.

use std::fmt;
use std::path::PathBuf;

/// A problem found in a spec, or while generating from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The spec file, relative to the workspace root when possible.
    pub file: PathBuf,
    /// What the problem is in: `operation getUsers`, `schema User`, `document`.
    pub subject: String,
    /// JSON pointer into the document, e.g. `/paths/~1users/get/responses/200`.
    pub pointer: String,
    /// What is wrong, and what would fix it.
    pub message: String,
}

impl SpecError {
    /// A new error.
    pub fn new(file: impl Into<PathBuf>, subject: impl Into<String>, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        SpecError { file: file.into(), subject: subject.into(), pointer: pointer.into(), message: message.into() }
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.subject)?;
        if !self.pointer.is_empty() {
            write!(f, " (at #{})", self.pointer)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for SpecError {}

/// Escapes one JSON pointer segment (`/` → `~1`, `~` → `~0`).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Builds a JSON pointer from segments.
pub fn pointer<I, S>(segments: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    segments.into_iter().map(|s| format!("/{}", escape(s.as_ref()))).collect()
}
