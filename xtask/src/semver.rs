//! `cargo xtask semver [BASE] [--root DIR]`: checks the public API of every generated client
//! crate for semver breaks against a git ref, with cargo-semver-checks.
//!
//! BASE defaults to the merge base with `main`. The crates checked are the members under
//! `generated/`; a crate added since BASE is skipped. Exit 1 when a crate's API broke, 2 when the check could not run.

use std::path::Path;
use std::process::{Command, ExitCode};

/// The generated client crates (package names), read from `generated/*/Cargo.toml`.
pub fn generated_packages(root: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root.join("generated"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path().join("Cargo.toml")).ok())
        .filter_map(|toml| {
            toml.lines().find_map(|l| l.trim().strip_prefix("name = ").map(|n| n.trim_matches('"').to_string()))
        })
        .collect();
    out.sort();
    out
}

fn default_base(root: &Path) -> String {
    Command::new("git")
        .args(["merge-base", "HEAD", "main"])
        .current_dir(root)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "HEAD".into())
}

/// Runs the check; see the module docs.
pub fn run(args: &[String], default_root: &Path) -> ExitCode {
    let mut base = None;
    let mut root = default_root.to_path_buf();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--root" => match it.next() {
                Some(r) => root = r.into(),
                None => return usage(),
            },
            s if s.starts_with("--") => return usage(),
            s => base = Some(s.to_string()),
        }
    }
    let base = base.unwrap_or_else(|| default_base(&root));
    let available =
        Command::new("cargo").args(["semver-checks", "--version"]).output().is_ok_and(|o| o.status.success());
    if !available {
        eprintln!("error: cargo-semver-checks is not installed (`cargo install cargo-semver-checks --locked`)");
        return ExitCode::from(2);
    }
    let mut broke = false;
    for package in generated_packages(&root) {
        if !existed_at(&root, &base, &package) {
            println!("==> {package}: new since {base}, nothing to compare");
            continue;
        }
        println!("==> cargo semver-checks check-release -p {package} --baseline-rev {base}");
        let status = Command::new("cargo")
            .args(["semver-checks", "check-release", "-p", &package, "--baseline-rev", &base])
            .current_dir(&root)
            .status();
        match status {
            Ok(s) if s.success() => {}
            Ok(_) => broke = true,
            Err(e) => {
                eprintln!("error: cannot run cargo-semver-checks: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if broke {
        eprintln!("error: the public API of a generated crate broke against {base} (see above)");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Whether `package` was a generated crate at `base` (a crate added since has no baseline,
/// and cargo-semver-checks would fail to find it).
fn existed_at(root: &Path, base: &str, package: &str) -> bool {
    Command::new("git")
        .args(["grep", "-q", "-F", &format!("name = \"{package}\""), base, "--", "generated/*/Cargo.toml"])
        .current_dir(root)
        .status()
        .map_or(true, |s| s.success())
}

fn usage() -> ExitCode {
    eprintln!("usage: cargo xtask semver [BASE] [--root DIR]");
    ExitCode::from(2)
}
