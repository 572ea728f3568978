//! Names what a JSON pointer is inside, for error messages a person can act on.

use serde_json::Value;

use crate::pointer::segments;

/// Names what `ptr` is inside: `operation <id>` (or `GET /path` without an id),
/// `schema <name>` (any component), `channel <name>`, or `document`.
///
/// ```
/// use serde_json::json;
/// use streamkit_spec::subject_of;
/// let doc = json!({"paths": {"/users": {"get": {"operationId": "getUsers"}}}});
/// assert_eq!(subject_of(&doc, "/paths/~1users/get/responses"), "operation getUsers");
/// assert_eq!(subject_of(&doc, "/components/schemas/User/properties/id"), "schema User");
/// assert_eq!(subject_of(&doc, "/info"), "document");
/// ```
pub fn subject_of(doc: &Value, ptr: &str) -> String {
    let segs = segments(ptr);
    match segs.as_slice() {
        [first, path, method, ..] if first == "paths" => doc
            .get("paths")
            .and_then(|p| p.get(path))
            .and_then(|i| i.get(method))
            .and_then(|o| o.get("operationId"))
            .and_then(Value::as_str)
            .map(|id| format!("operation {id}"))
            .unwrap_or_else(|| format!("{} {path}", method.to_uppercase())),
        [c, kind, name, ..] if c == "components" => format!("{} {name}", kind.trim_end_matches('s')),
        // AsyncAPI 3.0: channels and operations are top-level maps keyed by name.
        [c, name, ..] if c == "channels" && doc.get("asyncapi").is_some() => format!("channel {name}"),
        [c, name, ..] if c == "operations" && doc.get("asyncapi").is_some() => format!("operation {name}"),
        _ => "document".into(),
    }
}
