//! Path spelling shared by the walk, the rules and the writer: relative
//! paths with `/` separators, and absolute paths without touching the disk.

use std::path::{Path, PathBuf};

/// `path` relative to `base` with `/` separators, or `None` when outside.
///
/// Called for every walked entry: builds the one `String` it returns and
/// nothing else (issue 19: a `String` per component was 31% of a sparse
/// scan's allocations).
pub fn relative_to(base: &Path, path: &Path) -> Option<String> {
    if let Some(rel) = clean_rest(base, path) {
        return Some(rel.to_string());
    }
    let rel = path.strip_prefix(base).ok()?;
    let mut out = String::with_capacity(rel.as_os_str().len());
    for c in rel.components() {
        if !out.is_empty() {
            out.push('/');
        }
        match c.as_os_str().to_str() {
            Some(s) => out.push_str(s),
            None => out.push_str(&c.as_os_str().to_string_lossy()),
        }
    }
    Some(out)
}

/// The fast path of [`relative_to`]: `path` spelled as `base`, a `/` and
/// a clean UTF-8 rest (no empty or `.` component), which is what the walk
/// builds from the base, and what [`Path::components`] would give back
/// unchanged. Anything else (`None`) takes the general path (issue 19:
/// iterating components was a third of the walk's own work).
fn clean_rest<'a>(base: &Path, path: &'a Path) -> Option<&'a str> {
    use std::os::unix::ffi::OsStrExt;
    let rest = path
        .as_os_str()
        .as_bytes()
        .strip_prefix(base.as_os_str().as_bytes())?
        .strip_prefix(b"/")?;
    let rest = std::str::from_utf8(rest).ok()?;
    let clean = !base.as_os_str().as_bytes().ends_with(b"/")
        && rest.split('/').all(|c| !c.is_empty() && c != ".");
    clean.then_some(rest)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_slash_joined_components() {
        let base = Path::new("/b/base");
        assert_eq!(relative_to(base, Path::new("/b/base")).as_deref(), Some(""));
        assert_eq!(
            relative_to(base, Path::new("/b/base/a//./c.yaml")).as_deref(),
            Some("a/c.yaml")
        );
        assert_eq!(relative_to(base, Path::new("/b/other/x")), None);
        assert_eq!(relative_to(base, Path::new("/b/basement/x")), None);
        assert_eq!(
            relative_to(base, Path::new("/b/base/a/b.yaml")).as_deref(),
            Some("a/b.yaml")
        );
        assert_eq!(
            relative_to(base, Path::new("/b/base/a/")).as_deref(),
            Some("a")
        );
        assert_eq!(
            relative_to(Path::new("/b/base/"), Path::new("/b/base//a")).as_deref(),
            Some("a")
        );
        assert_eq!(
            relative_to(Path::new("/"), Path::new("/a/b")).as_deref(),
            Some("a/b")
        );
    }
}
