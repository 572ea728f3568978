//! What instance validation reports: where in the instance, what is wrong, and which
//! keyword of the spec said so.

use std::fmt;

/// One step into an instance.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathSegment {
    /// An object member.
    Key(String),
    /// An array element.
    Index(usize),
}

/// Where in an instance: a list of steps from the root.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstancePath(pub Vec<PathSegment>);

impl InstancePath {
    /// As a JSON pointer (`/data/0/x`; the root is `""`).
    pub fn pointer(&self) -> String {
        self.0
            .iter()
            .map(|s| match s {
                PathSegment::Key(k) => format!("/{}", crate::pointer::escape(k)),
                PathSegment::Index(i) => format!("/{i}"),
            })
            .collect()
    }

    /// As a JSONPath (`$.data[0].x`, `$['odd key']`; the root is `$`).
    ///
    /// ```
    /// use streamkit_spec::schema::{InstancePath, PathSegment::*};
    /// let p = InstancePath(vec![Key("data".into()), Index(0), Key("a b".into())]);
    /// assert_eq!(p.json_path(), "$.data[0]['a b']");
    /// assert_eq!(p.pointer(), "/data/0/a b");
    /// ```
    pub fn json_path(&self) -> String {
        let mut out = String::from("$");
        for s in &self.0 {
            match s {
                PathSegment::Index(i) => out.push_str(&format!("[{i}]")),
                PathSegment::Key(k) if is_identifier(k) => {
                    out.push('.');
                    out.push_str(k);
                }
                PathSegment::Key(k) => out.push_str(&format!("['{}']", k.replace('\\', "\\\\").replace('\'', "\\'"))),
            }
        }
        out
    }

    /// This path with one more step.
    pub fn child(&self, segment: PathSegment) -> InstancePath {
        let mut steps = self.0.clone();
        steps.push(segment);
        InstancePath(steps)
    }
}

fn is_identifier(k: &str) -> bool {
    let mut chars = k.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// One way an instance fails its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Where in the instance.
    pub path: InstancePath,
    /// What is wrong (`expected string, found integer`).
    pub message: String,
    /// JSON pointer, into the spec, of the keyword that failed
    /// (`/components/schemas/User/properties/id/type`).
    pub schema: String,
}

impl fmt::Display for Violation {
    /// `<instance pointer>: <message>`, the root shown as `(root)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.path.pointer();
        write!(f, "{}: {}", if at.is_empty() { "(root)" } else { &at }, self.message)
    }
}
