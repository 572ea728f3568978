//! Stage 1: find the spec files and parse them.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::SpecError;

/// What a spec file says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecKind {
    /// An OpenAPI document (`openapi:` key).
    OpenApi,
}

/// A parsed spec file.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    /// Path as given (relative to the workspace root when found by [`discover`]).
    pub file: PathBuf,
    /// What it is.
    pub kind: SpecKind,
    /// The document as JSON.
    pub doc: Value,
}

/// Every `*.yaml`, `*.yml` and `*.json` under `specs/`, sorted, so output order is stable.
pub fn discover(root: &Path) -> Result<Vec<PathBuf>, SpecError> {
    let mut out = Vec::new();
    let mut stack = vec![root.join("specs")];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| SpecError::new(&dir, "directory", "", format!("cannot read: {e}")))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json")) {
                out.push(path.strip_prefix(root).map(Path::to_path_buf).unwrap_or(path));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Reads and parses one file; `shown` is the name used in errors.
pub fn load(path: &Path, shown: &Path) -> Result<LoadedSpec, SpecError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| SpecError::new(shown, "document", "", format!("cannot read the file: {e}")))?;
    parse(&text, shown)
}

/// Parses spec text (YAML, which includes JSON).
pub fn parse(text: &str, shown: &Path) -> Result<LoadedSpec, SpecError> {
    let doc: Value = serde_norway::from_str(text)
        .map_err(|e| SpecError::new(shown, "document", "", format!("not valid YAML: {e}")))?;
    let kind = match doc.get("openapi") {
        Some(Value::String(_)) => SpecKind::OpenApi,
        Some(_) => {
            return Err(SpecError::new(shown, "document", "/openapi", "`openapi` must be a version string such as \"3.0.3\""));
        }
        None => {
            return Err(SpecError::new(
                shown,
                "document",
                "",
                "unknown kind of spec: an OpenAPI document needs a top-level `openapi: 3.0.3`",
            ));
        }
    };
    Ok(LoadedSpec { file: shown.to_path_buf(), kind, doc })
}
