//! Path spelling shared by the walk, the rules and the writer: relative
//! paths with `/` separators, and absolute paths without touching the disk.

use std::path::{Path, PathBuf};

/// `path` relative to `base` with `/` separators, or `None` when outside.
pub fn relative_to(base: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(base).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

/// An absolute, lexically normalised path (no filesystem access, symlinks
/// kept as named so that printed paths are the user's).
pub fn absolute(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}
