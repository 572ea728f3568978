//! The diff report: Markdown for a pull request, or the same content as JSON.

use serde::Serialize;
use serde_json::{Value, json};

use super::compare::{Change, Side, Wire};
use super::rust_api::{RustLevel, Verdict, verdict};

/// Whether a file exists on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    /// Only in the new version.
    Added,
    /// Only in the base.
    Removed,
    /// In both.
    Both,
}

/// The changes of one spec file.
#[derive(Debug, Clone)]
pub struct FileDiff {
    /// The file as shown.
    pub file: String,
    /// Added, removed or in both.
    pub status: FileStatus,
    /// What changed.
    pub changes: Vec<Change>,
}

/// The whole report.
#[derive(Debug, Clone)]
pub struct Report {
    /// What the base is (`main (merge base 1a2b3c4)`, a directory).
    pub base: String,
    /// What is compared with it (`work tree`, a directory).
    pub new: String,
    /// Every file compared, in path order.
    pub files: Vec<FileDiff>,
}

/// Totals.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Counts {
    /// Breaking on the wire.
    pub breaking: usize,
    /// Not breaking on the wire, but breaking for code using the generated crate.
    pub rust_breaking: usize,
    /// Non-breaking changes (wire and Rust).
    pub non_breaking: usize,
    /// Spec files compared.
    pub files: usize,
    /// Spec files with at least one change.
    pub changed_files: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Wire,
    RustOnly,
    NonBreaking,
}

fn class(c: &Change) -> Class {
    if c.wire == Wire::Breaking {
        Class::Wire
    } else if verdict(&c.rust).is_some_and(|v| v.level == RustLevel::Breaking) {
        Class::RustOnly
    } else {
        Class::NonBreaking
    }
}

/// Changes in report order: wire-breaking, Rust-only breaking, non-breaking.
fn ordered(f: &FileDiff) -> Vec<(Class, &Change)> {
    let mut out = Vec::new();
    for want in [Class::Wire, Class::RustOnly, Class::NonBreaking] {
        out.extend(f.changes.iter().filter(|c| class(c) == want).map(|c| (want, c)));
    }
    out
}

fn spec_ref(file: &str, c: &Change) -> String {
    format!("{file}#{}", c.pointer)
}

impl Report {
    /// Totals over every file.
    pub fn counts(&self) -> Counts {
        let mut n = Counts { files: self.files.len(), ..Counts::default() };
        for f in &self.files {
            if !f.changes.is_empty() {
                n.changed_files += 1;
            }
            for c in &f.changes {
                match class(c) {
                    Class::Wire => n.breaking += 1,
                    Class::RustOnly => n.rust_breaking += 1,
                    Class::NonBreaking => n.non_breaking += 1,
                }
            }
        }
        n
    }

    /// The Markdown report.
    pub fn markdown(&self) -> String {
        let n = self.counts();
        let mut s = format!("## API changes: {} → {}\n\n", self.base, self.new);
        if n.changed_files == 0 {
            s.push_str(&format!("No API changes in {} spec file(s).\n", n.files));
            return s;
        }
        s.push_str(&format!(
            "**{} breaking on the wire**, **{} breaking for the Rust API only**, {} non-breaking, in {} of {} spec file(s).\n",
            n.breaking, n.rust_breaking, n.non_breaking, n.changed_files, n.files
        ));
        for f in self.files.iter().filter(|f| !f.changes.is_empty()) {
            let status = match f.status {
                FileStatus::Added => " (new file)",
                FileStatus::Removed => " (removed)",
                FileStatus::Both => "",
            };
            s.push_str(&format!("\n### `{}`{status}\n", f.file));
            let mut current = None;
            for (cls, c) in ordered(f) {
                if current != Some(cls) {
                    current = Some(cls);
                    s.push_str(match cls {
                        Class::Wire => "\n**Breaking on the wire**\n\n",
                        Class::RustOnly => "\n**Breaking for the Rust API only** (the wire is unchanged)\n\n",
                        Class::NonBreaking => "\n**Non-breaking**\n\n",
                    });
                }
                let op = match &c.operation {
                    Some(o) => match &o.operation_id {
                        Some(id) => format!("`{id}` {} {} · ", o.method, o.path),
                        None => format!("{} {} · ", o.method, o.path),
                    },
                    None => String::new(),
                };
                s.push_str(&format!("- {op}{}: {} [`{}`]\n", c.location, c.message, c.kind));
                let side = if c.side == Side::Base { " (in the base)" } else { "" };
                s.push_str(&format!("  - at `{}`{side}\n", spec_ref(&f.file, c)));
                if let Some(Verdict { level, message }) = verdict(&c.rust) {
                    s.push_str(&format!("  - Rust API ({}): {message}\n", level.label()));
                }
            }
        }
        s
    }

    /// The same report as JSON.
    pub fn json(&self) -> Value {
        let files: Vec<Value> = self
            .files
            .iter()
            .map(|f| {
                let changes: Vec<Value> = ordered(f)
                    .into_iter()
                    .map(|(_, c)| {
                        json!({
                            "wire": c.wire,
                            "kind": c.kind,
                            "operation": c.operation,
                            "location": c.location,
                            "message": c.message,
                            "file": f.file,
                            "pointer": c.pointer,
                            "side": c.side,
                            "ref": spec_ref(&f.file, c),
                            "rust": verdict(&c.rust),
                        })
                    })
                    .collect();
                json!({ "file": f.file, "status": f.status, "changes": changes })
            })
            .collect();
        json!({
            "base": self.base,
            "new": self.new,
            "breaking": self.counts().breaking > 0,
            "summary": self.counts(),
            "files": files,
        })
    }
}
