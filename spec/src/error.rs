//! One clear error per problem in a spec: the file, what in it (operation, schema,
//! channel…), the JSON pointer, and what is wrong.

use std::fmt;
use std::path::PathBuf;

/// A problem found in a spec, or while working from it (generating, validating).
///
/// Displays as `file#/json/pointer: message`, or, when it names a subject,
/// `file: subject (at #/json/pointer): message` (codegen's golden tests snapshot that form).
///
/// ```
/// use streamkit_spec::SpecError;
/// let e = SpecError::at("helix.yaml", "/paths/~1users/get", "operation has no `operationId`");
/// assert_eq!(e.to_string(), "helix.yaml#/paths/~1users/get: operation has no `operationId`");
/// let e = SpecError::new("helix.yaml", "operation getUsers", "/paths/~1users/get/responses", "operation has no `responses`");
/// assert_eq!(e.to_string(), "helix.yaml: operation getUsers (at #/paths/~1users/get/responses): operation has no `responses`");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The spec file, relative to the workspace root when possible.
    pub file: PathBuf,
    /// What the problem is in: `operation getUsers`, `schema User`, `document`; empty when
    /// the pointer says enough.
    pub subject: String,
    /// JSON pointer into the document, e.g. `/paths/~1users/get/responses/200`.
    pub pointer: String,
    /// What is wrong, and what would fix it.
    pub message: String,
}

impl SpecError {
    /// A new error naming its subject.
    pub fn new(
        file: impl Into<PathBuf>,
        subject: impl Into<String>,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        SpecError { file: file.into(), subject: subject.into(), pointer: pointer.into(), message: message.into() }
    }

    /// A new error located by its pointer alone (displays as `file#pointer: message`).
    pub fn at(file: impl Into<PathBuf>, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        SpecError::new(file, String::new(), pointer, message)
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.subject.is_empty() {
            return write!(f, "{}#{}: {}", self.file.display(), self.pointer, self.message);
        }
        write!(f, "{}: {}", self.file.display(), self.subject)?;
        if !self.pointer.is_empty() {
            write!(f, " (at #{})", self.pointer)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for SpecError {}
