//! Stage 8: write the files atomically, or check that the checked-in ones are current.

use std::io::Write;
use std::path::Path;

/// Writes `contents` to `path` through a temporary file and a rename, so a reader never sees
/// half a file. Returns whether the file changed.
pub fn write_atomic(path: &Path, contents: &str) -> std::io::Result<bool> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return Ok(false);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("rs.tmp");
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(contents.as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    Ok(true)
}

/// Whether the file on disk holds exactly `contents` (line endings normalised).
pub fn is_current(path: &Path, contents: &str) -> bool {
    std::fs::read_to_string(path).is_ok_and(|old| old.replace("\r\n", "\n") == contents)
}
