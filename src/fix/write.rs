//! Writing a planned file so that it is either untouched or completely
//! written, never half-written, and only where driftfix may write.
//!
//! Order of checks: role editable → real target resolved (a symlink's target
//! must lie under the base directory and be editable itself) → the bytes on
//! disk are still the bytes that were planned from → temp file in the
//! target's directory → write, restore mode (and owner where permitted),
//! `sync_all` → rename over the target → `sync_all` the directory. The temp
//! file is removed on every error path (tempfile's drop).

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::rules::{Role, RuleSet};
use crate::walk::relative_to;

/// Why a file was not written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteError(pub String);

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the writer needs to know about the run.
pub struct WriteContext<'a> {
    /// Canonicalised base directory.
    pub base: PathBuf,
    pub rules: &'a RuleSet,
}

impl<'a> WriteContext<'a> {
    pub fn new(base: &Path, rules: &'a RuleSet) -> Result<WriteContext<'a>, WriteError> {
        let base = fs::canonicalize(base)
            .map_err(|e| WriteError(format!("base directory {}: {e}", base.display())))?;
        Ok(WriteContext { base, rules })
    }

    /// Writes `new` over the file at `path` (role `role`) if it still holds
    /// exactly `planned_from`.
    pub fn write(
        &self,
        path: &Path,
        role: Role,
        planned_from: &[u8],
        new: &[u8],
    ) -> Result<(), WriteError> {
        if !role.writable() {
            return Err(WriteError(format!(
                "{} files are never written",
                role.name()
            )));
        }
        let real = self.resolve(path)?;
        // Non-blocking and bounded: the path may have been swapped for a
        // FIFO or a growing file since it was planned.
        let limit = u64::try_from(planned_from.len()).unwrap_or(u64::MAX);
        let current = match crate::run::read_regular_file(&real, limit) {
            Ok(bytes) => Some(bytes),
            // Longer than what was planned from: it changed.
            Err(e) if e.message.starts_with("larger than") => None,
            Err(e) => return Err(WriteError(format!("cannot re-read before writing: {e}"))),
        };
        if current.as_deref() != Some(planned_from) {
            return Err(WriteError(
                "file changed on disk since it was planned; not written (run driftfix again)"
                    .into(),
            ));
        }
        atomic_replace(&real, new)
    }

    /// The file to write: `path` itself, or a symlink's final target when it
    /// lies under the base directory and is editable by the rules.
    fn resolve(&self, path: &Path) -> Result<PathBuf, WriteError> {
        let real =
            fs::canonicalize(path).map_err(|e| WriteError(format!("cannot resolve path: {e}")))?;
        let Some(rel) = relative_to(&self.base, &real) else {
            return Err(WriteError(format!(
                "resolves to {} outside the base directory; not written",
                real.display()
            )));
        };
        let is_link = fs::symlink_metadata(path)
            .map(|m| m.file_type().is_symlink())
            .unwrap_or(false);
        if is_link && !self.rules.role_of(&rel).writable() {
            return Err(WriteError(format!(
                "symlink target {rel} is {}; not written",
                self.rules.role_of(&rel).name()
            )));
        }
        Ok(real)
    }
}

/// Replaces `target` with `bytes` atomically (temp file + rename), keeping
/// its permission bits and, where permitted, its owner and group.
pub fn atomic_replace(target: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let dir = target
        .parent()
        .ok_or_else(|| WriteError("file has no parent directory".into()))?;
    let meta = fs::metadata(target).map_err(|e| WriteError(format!("cannot stat: {e}")))?;
    let io = |what: &str, e: std::io::Error| WriteError(format!("{what}: {e}"));
    let mut tmp = tempfile::Builder::new()
        .prefix(".driftfix-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| io("cannot create temp file", e))?;
    tmp.write_all(bytes)
        .map_err(|e| io("cannot write temp file", e))?;
    tmp.as_file()
        .set_permissions(fs::Permissions::from_mode(meta.permissions().mode()))
        .map_err(|e| io("cannot set permissions", e))?;
    // Owner/group can only be restored by a privileged user; failure is fine.
    let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(meta.uid()), Some(meta.gid()));
    tmp.as_file()
        .sync_all()
        .map_err(|e| io("cannot sync temp file", e))?;
    tmp.persist(target)
        .map_err(|e| io("cannot rename over the file", e.error))?;
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_keeps_mode_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.yaml");
        fs::write(&f, "x: pve-shop\n").unwrap();
        fs::set_permissions(&f, fs::Permissions::from_mode(0o640)).unwrap();
        atomic_replace(&f, b"x: pve\n").unwrap();
        assert_eq!(fs::read_to_string(&f).unwrap(), "x: pve\n");
        assert_eq!(
            fs::metadata(&f).unwrap().permissions().mode() & 0o777,
            0o640
        );
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
