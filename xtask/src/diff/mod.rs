//! `cargo xtask diff [BASE] [--json] [--allow-breaking]`, or `--old DIR --new DIR`:
//! what changed in the specs between a git revision (default: the merge base of `HEAD` and
//! `main`) and the work tree, classified as breaking or not on the wire and for the
//! generated Rust API.
//!
//! Exit status: 0 nothing breaking; 1 something breaking on the wire (with
//! `--fail-on-rust`, also a change that breaks only the generated Rust API), unless
//! `--allow-breaking`; 2 usage error or a spec that cannot be read.

pub mod asyncapi;
pub mod compare;
pub mod model;
pub mod report;
pub mod rust_api;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use streamkit_codegen::load;

use report::{FileDiff, FileStatus, Report};

const USAGE: &str = "usage: cargo xtask diff [BASE] [--json] [--allow-breaking] [--fail-on-rust]
       cargo xtask diff --old DIR --new DIR [--json] [--allow-breaking] [--fail-on-rust]

Compares the specs under specs/ at git revision BASE (default: the merge base of HEAD
and main, else HEAD) with the work tree, or two directories of specs.
--json            the report as JSON instead of Markdown
--allow-breaking  exit 0 even when something is breaking
--fail-on-rust    also exit 1 when a change breaks only the generated Rust API
Exit status: 0 nothing breaking, 1 breaking changes on the wire, 2 error.";

#[derive(Debug, Default)]
struct Opts {
    base: Option<String>,
    json: bool,
    allow_breaking: bool,
    fail_on_rust: bool,
    old: Option<PathBuf>,
    new: Option<PathBuf>,
}

fn parse_args(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => o.json = true,
            "--allow-breaking" => o.allow_breaking = true,
            "--fail-on-rust" => o.fail_on_rust = true,
            "--old" | "--new" => {
                let dir = it.next().ok_or_else(|| format!("{a} needs a directory"))?;
                let slot = if a == "--old" { &mut o.old } else { &mut o.new };
                if slot.replace(PathBuf::from(dir)).is_some() {
                    return Err(format!("{a} given twice"));
                }
            }
            "-h" | "--help" => return Err(String::new()),
            flag if flag.starts_with('-') => return Err(format!("unknown option `{flag}`")),
            rev => {
                if o.base.replace(rev.to_string()).is_some() {
                    return Err("more than one BASE given".into());
                }
            }
        }
    }
    match (&o.old, &o.new, &o.base) {
        (Some(_), Some(_), Some(_)) => Err("give either BASE or --old/--new, not both".into()),
        (Some(_), None, _) | (None, Some(_), _) => Err("--old and --new go together".into()),
        _ => Ok(o),
    }
}

/// Spec files by shown name → text.
type Files = BTreeMap<String, String>;

fn is_spec(name: &str) -> bool {
    [".yaml", ".yml", ".json"].iter().any(|e| name.ends_with(e))
}

fn from_dir(dir: &Path) -> Result<Files, String> {
    if !dir.is_dir() {
        return Err(format!("{} is not a directory", dir.display()));
    }
    let mut out = Files::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| format!("cannot read {}: {e}", d.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| format!("cannot read {}: {e}", d.display()))?.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(dir).unwrap_or(&path);
            let name = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            if is_spec(&name) {
                let text =
                    std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                out.insert(name, text);
            }
        }
    }
    Ok(out)
}

fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git").args(args).current_dir(root).output().map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!("`git {}` failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()));
    }
    String::from_utf8(out.stdout).map_err(|_| format!("`git {}` printed non-UTF-8 output", args.join(" ")))
}

fn from_git(root: &Path, rev: &str) -> Result<Files, String> {
    let mut out = Files::new();
    let listing = git(root, &["ls-tree", "-r", "--name-only", rev, "--", "specs/"])?;
    for name in listing.lines().filter(|n| is_spec(n)) {
        out.insert(name.to_string(), git(root, &["show", &format!("{rev}:{name}")])?);
    }
    Ok(out)
}

fn from_worktree(root: &Path) -> Result<Files, String> {
    let mut out = Files::new();
    for rel in load::discover(root).map_err(|e| e.to_string())? {
        let name = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        let text = std::fs::read_to_string(root.join(&rel)).map_err(|e| format!("cannot read {name}: {e}"))?;
        out.insert(name, text);
    }
    Ok(out)
}

/// Resolves BASE: the given revision, else the merge base with `main`, else `HEAD`.
fn base_rev(root: &Path, given: Option<&str>) -> Result<(String, String), String> {
    let short = |rev: &str| git(root, &["rev-parse", "--short", rev]).map(|s| s.trim().to_string());
    if let Some(rev) = given {
        let full = git(root, &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")])
            .map_err(|_| format!("`{rev}` is not a git revision"))?;
        let full = full.trim().to_string();
        let label = if full.starts_with(rev) { rev.to_string() } else { format!("{rev} ({})", short(&full)?) };
        return Ok((full, label));
    }
    match git(root, &["merge-base", "HEAD", "main"]) {
        Ok(mb) => {
            let mb = mb.trim().to_string();
            Ok((mb.clone(), format!("merge base of HEAD and main ({})", short(&mb)?)))
        }
        Err(e) => {
            eprintln!("note: no merge base of HEAD and main ({e}); comparing with HEAD");
            let head =
                git(root, &["rev-parse", "HEAD"]).map_err(|e| format!("no git revision to compare with: {e}"))?;
            let head = head.trim().to_string();
            Ok((head.clone(), format!("HEAD ({})", short(&head)?)))
        }
    }
}

fn model(files: &Files, name: &str, side: &str) -> Result<Option<model::Spec>, String> {
    let Some(text) = files.get(name) else { return Ok(None) };
    let spec = load::parse(text, Path::new(name)).map_err(|e| format!("{side}: {e}"))?;
    model::spec(&spec.doc).map(Some).map_err(|m| format!("{side}: {name}: {m}"))
}

/// Builds the report for two sets of files.
fn build(old: &Files, new: &Files, base: String, new_label: String) -> Result<Report, String> {
    let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut files = Vec::new();
    for name in names {
        let o = model(old, name, &format!("in {base}"))?;
        let n = model(new, name, &format!("in {new_label}"))?;
        let status = match (&o, &n) {
            (None, Some(_)) => FileStatus::Added,
            (Some(_), None) => FileStatus::Removed,
            _ => FileStatus::Both,
        };
        let changes = compare::compare(o.as_ref(), n.as_ref());
        files.push(FileDiff { file: name.clone(), status, changes });
    }
    Ok(Report { base, new: new_label, files })
}

/// Runs `cargo xtask diff`.
pub fn run(args: &[String], root: &Path) -> ExitCode {
    let opts = match parse_args(args) {
        Ok(o) => o,
        Err(m) => {
            if !m.is_empty() {
                eprintln!("error: {m}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let sides = match (&opts.old, &opts.new) {
        (Some(o), Some(n)) => from_dir(o).and_then(|of| {
            let nf = from_dir(n)?;
            Ok((of, nf, o.display().to_string(), n.display().to_string()))
        }),
        _ => base_rev(root, opts.base.as_deref()).and_then(|(rev, label)| {
            let of = from_git(root, &rev)?;
            let nf = from_worktree(root)?;
            Ok((of, nf, label, "work tree".to_string()))
        }),
    };
    let report = sides.and_then(|(of, nf, ol, nl)| build(&of, &nf, ol, nl));
    let report = match report {
        Ok(r) => r,
        Err(m) => {
            eprintln!("error: {m}");
            return ExitCode::from(2);
        }
    };
    if opts.json {
        match serde_json::to_string_pretty(&report.json()) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: cannot encode the report: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        print!("{}", report.markdown());
    }
    let counts = report.counts();
    let breaking = counts.breaking + if opts.fail_on_rust { counts.rust_breaking } else { 0 };
    if breaking > 0 {
        if opts.allow_breaking {
            eprintln!("note: {breaking} breaking change(s) accepted (--allow-breaking)");
        } else {
            eprintln!("error: {breaking} breaking change(s) (see the report); pass --allow-breaking to accept them");
            return ExitCode::FAILURE;
        }
    } else if counts.rust_breaking > 0 {
        eprintln!(
            "note: {} change(s) break the generated Rust API but not the wire (--fail-on-rust makes them fail)",
            counts.rust_breaking
        );
    }
    ExitCode::SUCCESS
}
