//! Where the workspace is, found at run time: the nearest `Cargo.toml` with a `[workspace]`
//! table from the current directory upwards. A path baked in at compile time
//! (`env!("CARGO_MANIFEST_DIR")`) would name the checkout the binary was built from, which
//! with a shared `CARGO_TARGET_DIR` need not be the one `cargo xtask` runs in.

use std::path::{Path, PathBuf};

/// The workspace root containing `start` (or `start` itself).
pub fn root_from(start: &Path) -> Result<PathBuf, String> {
    for dir in start.ancestors() {
        let manifest = dir.join("Cargo.toml");
        if let Ok(text) = std::fs::read_to_string(&manifest)
            && text.lines().any(|l| l.trim() == "[workspace]")
        {
            return Ok(dir.to_path_buf());
        }
    }
    Err(format!(
        "no Cargo.toml with a `[workspace]` table in {} or above: run cargo xtask inside the workspace",
        start.display()
    ))
}

/// The workspace root containing the current directory.
pub fn root() -> Result<PathBuf, String> {
    let cwd = std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    root_from(&cwd)
}
