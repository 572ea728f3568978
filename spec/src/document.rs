//! Loading a spec: find the files, parse one (YAML or JSON) into a [`serde_json::Value`]
//! and say what kind of document it is. The file path travels with the document so every
//! later error can name it.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::SpecError;

/// Documents larger than this are refused before parsing: a spec is hand-written text, and
/// a runaway file should fail with a message, not exhaust memory.
pub const MAX_DOCUMENT_BYTES: usize = 32 * 1024 * 1024;

/// What a spec file says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpecKind {
    /// An OpenAPI document (`openapi:` key); streamkit reads 3.0.x.
    OpenApi,
    /// An AsyncAPI document (`asyncapi:` key); streamkit reads 3.0.x.
    AsyncApi,
}

impl SpecKind {
    /// The top-level key that holds the version: `openapi` or `asyncapi`.
    pub fn version_key(self) -> &'static str {
        match self {
            SpecKind::OpenApi => "openapi",
            SpecKind::AsyncApi => "asyncapi",
        }
    }
}

/// A parsed spec file.
#[derive(Debug, Clone)]
pub struct Document {
    /// Path as given (relative to the workspace root when found by [`discover`]); errors
    /// name it.
    pub file: PathBuf,
    /// What it is.
    pub kind: SpecKind,
    /// The document as JSON.
    pub doc: Value,
}

impl Document {
    /// Wraps an already parsed document (tests, generated documents); the kind is read from
    /// its `openapi` / `asyncapi` key as [`parse`] does.
    pub fn from_value(doc: Value, file: impl Into<PathBuf>) -> Result<Document, SpecError> {
        let file = file.into();
        let kind = kind_of(&doc, &file)?;
        Ok(Document { file, kind, doc })
    }

    /// The version string (`3.0.3`), empty when the document has none.
    pub fn version(&self) -> &str {
        self.doc.get(self.kind.version_key()).and_then(Value::as_str).unwrap_or("")
    }

    /// The value at a JSON pointer (`""` is the whole document).
    pub fn get(&self, pointer: &str) -> Option<&Value> {
        self.doc.pointer(pointer)
    }

    /// An error at `pointer` in this document, naming what the pointer is inside
    /// (`operation getUsers`, `schema User`, …).
    pub fn error(&self, pointer: impl Into<String>, message: impl Into<String>) -> SpecError {
        let pointer = pointer.into();
        SpecError::new(&self.file, crate::subject::subject_of(&self.doc, &pointer), pointer, message)
    }
}

/// Every `*.yaml`, `*.yml` and `*.json` under `root/specs/`, relative to `root`, sorted so
/// output order is stable.
pub fn discover(root: &Path) -> Result<Vec<PathBuf>, SpecError> {
    let mut out = Vec::new();
    let mut stack = vec![root.join("specs")];
    while let Some(dir) = stack.pop() {
        let entries =
            std::fs::read_dir(&dir).map_err(|e| SpecError::new(&dir, "directory", "", format!("cannot read: {e}")))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if is_spec_file(&path) {
                out.push(path.strip_prefix(root).map(Path::to_path_buf).unwrap_or(path));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Whether a file name looks like a spec (`.yaml`, `.yml`, `.json`).
pub fn is_spec_file(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json"))
}

/// Reads and parses one file; `shown` is the name used in errors.
pub fn load(path: &Path, shown: &Path) -> Result<Document, SpecError> {
    let doc_err = |m: String| SpecError::new(shown, "document", "", m);
    if let Ok(meta) = std::fs::metadata(path)
        && meta.len() > MAX_DOCUMENT_BYTES as u64
    {
        return Err(doc_err(too_big(meta.len())));
    }
    let text = std::fs::read_to_string(path).map_err(|e| doc_err(format!("cannot read the file: {e}")))?;
    parse(&text, shown)
}

fn too_big(len: u64) -> String {
    format!("the document is {len} bytes; specs larger than {MAX_DOCUMENT_BYTES} bytes are refused")
}

/// Parses spec text: JSON when `shown` ends in `.json`, YAML (which includes JSON) otherwise.
///
/// ```
/// use std::path::Path;
/// use streamkit_spec::{SpecKind, document::parse};
/// let d = parse("openapi: 3.0.3\npaths: {}\n", Path::new("a.yaml")).unwrap();
/// assert_eq!((d.kind, d.version()), (SpecKind::OpenApi, "3.0.3"));
/// let e = parse("openapi: [", Path::new("a.yaml")).unwrap_err();
/// assert!(e.to_string().starts_with("a.yaml: document: not valid YAML"));
/// ```
pub fn parse(text: &str, shown: &Path) -> Result<Document, SpecError> {
    let doc_err = |m: String| SpecError::new(shown, "document", "", m);
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(doc_err(too_big(text.len() as u64)));
    }
    // Both parsers refuse nesting deeper than 128 levels with an error, so a hostile
    // document cannot overflow the stack here or in later walks.
    let doc: Value = if shown.extension().and_then(|e| e.to_str()) == Some("json") {
        serde_json::from_str(text).map_err(|e| doc_err(format!("not valid JSON: {e}")))?
    } else {
        // The YAML scanner slows quadratically with flow nesting (`[[[[…`): 100 000 levels
        // take half a minute before its recursion limit speaks. Refuse those up front.
        if flow_depth(text) > MAX_FLOW_DEPTH {
            return Err(doc_err(format!("not valid YAML: `[`/`{{` nested deeper than {MAX_FLOW_DEPTH} levels")));
        }
        serde_norway::from_str(text).map_err(|e| doc_err(format!("not valid YAML: {e}")))?
    };
    Document::from_value(doc, shown)
}

/// Flow collections nested deeper than this are refused before YAML parsing.
const MAX_FLOW_DEPTH: usize = 512;

/// The deepest run of unclosed `[`/`{`, counting every bracket (quotes and comments too:
/// prose has balanced brackets, and the bound is far above any real nesting).
fn flow_depth(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for b in text.bytes() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

fn kind_of(doc: &Value, shown: &Path) -> Result<SpecKind, SpecError> {
    let err = |ptr: &str, m: &str| SpecError::new(shown, "document", ptr, m);
    match (doc.get("openapi"), doc.get("asyncapi")) {
        (Some(_), Some(_)) => {
            Err(err("", "a document is OpenAPI or AsyncAPI, not both: it has both `openapi` and `asyncapi`"))
        }
        (Some(Value::String(_)), None) => Ok(SpecKind::OpenApi),
        (Some(_), None) => Err(err("/openapi", "`openapi` must be a version string such as \"3.0.3\"")),
        (None, Some(Value::String(_))) => Ok(SpecKind::AsyncApi),
        (None, Some(_)) => Err(err("/asyncapi", "`asyncapi` must be a version string such as \"3.0.0\"")),
        (None, None) => Err(err(
            "",
            "unknown kind of spec: an OpenAPI document needs a top-level `openapi: 3.0.3` (an AsyncAPI one `asyncapi: 3.0.0`)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Document, SpecError> {
        parse(text, Path::new("t.yaml"))
    }

    #[test]
    fn kinds_and_versions() {
        assert_eq!(parse_str("asyncapi: 3.0.0\n").unwrap().kind, SpecKind::AsyncApi);
        let e = parse_str("openapi: 3\n").unwrap_err();
        assert_eq!(e.pointer, "/openapi");
        assert!(parse_str("openapi: '3.0.3'\nasyncapi: '3.0.0'\n").unwrap_err().message.contains("not both"));
        assert!(parse_str("info: {}\n").unwrap_err().message.contains("unknown kind of spec"));
        assert!(parse_str("- 1\n").unwrap_err().message.contains("unknown kind of spec"));
    }

    #[test]
    fn asyncapi_errors_name_channels_and_operations() {
        let d = parse_str(
            "asyncapi: 3.0.0\nchannels:\n  chat: {address: /chat}\noperations:\n  sendMessage: {action: send}\n",
        )
        .unwrap();
        assert_eq!(d.version(), "3.0.0");
        assert_eq!(
            d.error("/channels/chat/messages", "m").to_string(),
            "t.yaml: channel chat (at #/channels/chat/messages): m"
        );
        assert_eq!(d.error("/operations/sendMessage/reply", "m").subject, "operation sendMessage");
    }

    #[test]
    fn json_files_are_parsed_as_json() {
        let e = parse("{\"openapi\": ", Path::new("t.json")).unwrap_err();
        assert!(e.message.starts_with("not valid JSON"), "{e}");
        assert_eq!(parse("{\"openapi\": \"3.0.3\"}", Path::new("t.json")).unwrap().version(), "3.0.3");
    }

    #[test]
    fn hostile_documents_fail_cleanly() {
        let deep = format!("openapi: 3.0.3\nx: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse_str(&deep).unwrap_err().message.contains("nested deeper than 512 levels"));
        // Under the bound, the parser's own limit (128) answers.
        let deep = format!("openapi: 3.0.3\nx: {}{}\n", "[".repeat(300), "]".repeat(300));
        assert!(parse_str(&deep).unwrap_err().message.contains("recursion limit"));
        let deep_json = format!("{{\"openapi\": \"3.0.3\", \"x\": {}{}}}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse(&deep_json, Path::new("t.json")).is_err());
        // Billion laughs: aliases that expand exponentially.
        let mut laughs = String::from("openapi: 3.0.3\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..9 {
            let prev = format!("*a{}", i - 1);
            laughs.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 9].join(", ")));
        }
        assert!(parse_str(&laughs).is_err());
        let huge = " ".repeat(MAX_DOCUMENT_BYTES + 1);
        assert!(parse_str(&huge).unwrap_err().message.contains("are refused"));
    }
}
