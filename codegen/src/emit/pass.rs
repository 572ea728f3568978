//! The pass framework: every rewrite of progenitor's output is a named [`Pass`] that says
//! beforehand how many items it must change ([`Expect`]) and reports how many it did. A pass
//! that finds fewer than it expects fails the generation with its name, what it expected and
//! what it found, so an upgrade of progenitor or typify that changes a shape cannot
//! silently drop a rewrite.

use std::fmt;

use syn::File;

use super::sites::SendSite;
use crate::plan::{OperationPlan, ServicePlan};

/// What the passes share: the plan they work from and what earlier passes found.
#[derive(Debug)]
pub struct Context<'a> {
    /// The spec's plan.
    pub plan: &'a ServicePlan,
    /// The adapted document progenitor was given (parameter schemas, constraints, the
    /// spec's `x-enum-varnames`); `null` in tests that build a context by hand.
    pub doc: &'a serde_json::Value,
    /// progenitor's builder `send()`s, one per operation, found by `private_send`.
    pub sites: Vec<SendSite>,
}

impl<'a> Context<'a> {
    /// A context before any pass ran, without the document.
    pub fn new(plan: &'a ServicePlan) -> Self {
        static NULL: serde_json::Value = serde_json::Value::Null;
        Context { plan, doc: &NULL, sites: Vec::new() }
    }

    /// A context before any pass ran, with the adapted document.
    pub fn with_doc(plan: &'a ServicePlan, doc: &'a serde_json::Value) -> Self {
        Context { plan, doc, sites: Vec::new() }
    }

    /// The plan of the operation a send site belongs to.
    pub fn operation(&self, site: &SendSite) -> Option<&'a OperationPlan> {
        self.plan.operations.iter().find(|o| crate::emit::names::operation_method(&o.id) == site.operation)
    }
}

/// How many items a pass must change, and why (the reason appears in the error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expect {
    /// The fewest changes that are right.
    pub min: usize,
    /// The most changes that are right, if bounded.
    pub max: Option<usize>,
    /// Where the number comes from, e.g. `one per operation in the plan`.
    pub why: String,
}

impl Expect {
    /// Exactly `n` changes.
    pub fn exactly(n: usize, why: impl Into<String>) -> Self {
        Expect { min: n, max: Some(n), why: why.into() }
    }

    /// At least `n` changes.
    pub fn at_least(n: usize, why: impl Into<String>) -> Self {
        Expect { min: n, max: None, why: why.into() }
    }

    /// Exactly `n`, and never fewer than `floor` (e.g. "one per struct found, and the
    /// spec says there must be some").
    pub fn exactly_with_floor(n: usize, floor: usize, why: impl Into<String>) -> Self {
        Expect { min: n.max(floor), max: Some(n), why: why.into() }
    }

    /// Whether `found` changes satisfy this expectation.
    pub fn holds(&self, found: usize) -> bool {
        found >= self.min && self.max.is_none_or(|max| found <= max)
    }
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.max {
            Some(max) if max == self.min => write!(f, "exactly {}", self.min)?,
            Some(max) if max < self.min => write!(f, "at least {} (but found only {max} candidates)", self.min)?,
            Some(max) => write!(f, "{} to {max}", self.min)?,
            None if self.min == 0 => write!(f, "any number")?,
            None => write!(f, "at least {}", self.min)?,
        }
        write!(f, " ({})", self.why)
    }
}

/// One rewrite of the syntax tree.
pub trait Pass {
    /// A short name, shown in counts and errors.
    fn name(&self) -> &'static str;

    /// What the pass must change, from the plan and the tree as it is before the pass runs.
    fn expect(&self, cx: &Context<'_>, file: &File) -> Expect;

    /// Rewrites the tree; returns how many items it changed. An `Err` is a shape the pass
    /// recognised but cannot handle.
    fn run(&self, cx: &mut Context<'_>, file: &mut File) -> Result<usize, String>;
}

/// What one pass did, for `cargo xtask regen --verbose`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassCount {
    /// The pass.
    pub pass: &'static str,
    /// Items changed.
    pub changed: usize,
    /// What was expected.
    pub expected: Expect,
}

impl fmt::Display for PassCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:<24} {:>5} changed; expected {}", self.pass, self.changed, self.expected)
    }
}

/// A pass that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PassError {
    /// It changed a number of items outside what it expected.
    Unmatched {
        /// The pass.
        pass: &'static str,
        /// What it expected.
        expected: Expect,
        /// What it changed.
        found: usize,
    },
    /// It met a shape it cannot handle.
    Failed {
        /// The pass.
        pass: &'static str,
        /// What went wrong.
        message: String,
    },
}

impl PassError {
    /// The pass that failed.
    pub fn pass(&self) -> &'static str {
        match self {
            PassError::Unmatched { pass, .. } | PassError::Failed { pass, .. } => pass,
        }
    }

    /// The message without the pass's name.
    pub fn message(&self) -> String {
        match self {
            PassError::Unmatched { expected, found, .. } => format!(
                "expected to change {expected}, changed {found}: the generator's output no longer has the shape this pass \
                 rewrites (progenitor and typify are pinned in the workspace Cargo.toml; after an upgrade, adapt the pass)"
            ),
            PassError::Failed { message, .. } => message.clone(),
        }
    }
}

impl fmt::Display for PassError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "codegen pass `{}`: {}", self.pass(), self.message())
    }
}

impl std::error::Error for PassError {}

/// Runs one pass and checks its count against its expectation.
pub fn run_pass(pass: &dyn Pass, cx: &mut Context<'_>, file: &mut File) -> Result<PassCount, PassError> {
    let expected = pass.expect(cx, file);
    let changed = pass.run(cx, file).map_err(|message| PassError::Failed { pass: pass.name(), message })?;
    if !expected.holds(changed) {
        return Err(PassError::Unmatched { pass: pass.name(), expected, found: changed });
    }
    Ok(PassCount { pass: pass.name(), changed, expected })
}

/// Runs passes in order; stops at the first failure.
pub fn run_all(passes: &[&dyn Pass], cx: &mut Context<'_>, file: &mut File) -> Result<Vec<PassCount>, PassError> {
    passes.iter().map(|p| run_pass(*p, cx, file)).collect()
}
