//! Compiled validators, kept per (schema pointer, options): the sandbox validates every
//! response, and compiling a schema costs far more than checking one body.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{Options, Validator};
use crate::document::Document;
use crate::error::SpecError;

/// One document and the validators compiled for its schemas so far.
///
/// ```
/// use serde_json::json;
/// use streamkit_spec::{Document, schema::{Options, ValidatorCache}};
/// let doc = Document::from_value(json!({"openapi": "3.0.3", "s": {"type": "string"}}), "t.yaml").unwrap();
/// let cache = ValidatorCache::new(doc);
/// let a = cache.validator("/s", Options::response()).unwrap();
/// let b = cache.validator("/s", Options::response()).unwrap();
/// assert!(std::sync::Arc::ptr_eq(&a, &b));
/// ```
#[derive(Debug)]
pub struct ValidatorCache {
    doc: Document,
    compiled: Mutex<HashMap<(String, Options), Compiled>>,
}

/// A compiled validator, or why the schema could not be compiled.
type Compiled = Result<Arc<Validator>, SpecError>;

impl ValidatorCache {
    /// An empty cache for `doc`.
    pub fn new(doc: Document) -> ValidatorCache {
        ValidatorCache { doc, compiled: Mutex::new(HashMap::new()) }
    }

    /// The document.
    pub fn document(&self) -> &Document {
        &self.doc
    }

    /// The validator for the schema at `pointer`, compiled on first use (a failure is
    /// remembered too, so a broken schema costs one compile).
    pub fn validator(&self, pointer: &str, options: Options) -> Result<Arc<Validator>, SpecError> {
        // A panic elsewhere while holding the lock leaves the map intact: keep using it.
        let mut map = self.compiled.lock().unwrap_or_else(|p| p.into_inner());
        map.entry((pointer.to_string(), options))
            .or_insert_with(|| Validator::new(&self.doc, pointer, options).map(Arc::new))
            .clone()
    }

    /// How many schemas have been compiled (or failed to) so far.
    pub fn compiled_count(&self) -> usize {
        self.compiled.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}
