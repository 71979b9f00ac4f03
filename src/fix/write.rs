//! Writing a planned file so that it is either untouched or completely
//! written, never half-written, and only where driftfix may write. Shared by
//! `fix --apply` and accepted `fix --preview` files; `--output` files go
//! through the same steps 4–6 ([`write_output`]).
//!
//! Order of checks and steps ([`WriteContext::write`]):
//!
//! 1. the file's role (as walked) is editable;
//! 2. the real file is resolved: a symlink (or a symlinked directory on the
//!    way) is followed to its final target, which must lie under the base
//!    directory, have the editable role by its *own* path, not be excluded by
//!    the rules, and be a regular file; the link itself is kept;
//! 3. the bytes on disk are still the bytes that were planned from (a file
//!    that already holds exactly the new bytes is left alone and counts as
//!    written, e.g. when a link and its target are both in the tree);
//! 4. a temp file (`.driftfix-*.tmp`) is created in the *target's* directory,
//!    the new bytes are written, owner and group are restored where permitted
//!    (as root), then the original permission bits (incl. setuid/setgid/sticky
//!    bits, after the chown which would clear them), and the temp file is
//!    `sync_all`ed;
//! 5. the file on disk is re-read and compared with the planned-from bytes
//!    once more, just before the rename: someone may have edited it while an
//!    interactive prompt waited. If it changed, nothing is written
//!    ([`WriteErrorKind::Changed`]);
//! 6. rename(2) over the target, then `sync_all` on the directory.
//!
//! The temp file is removed on every error path (tempfile's drop, also when
//! the rename fails). SIGINT, SIGTERM and SIGHUP that arrive during steps 4–6
//! are held back and re-raised once the file is complete, so Ctrl-C never
//! leaves a temp file or a half-finished replacement behind. (A SIGKILL or a
//! power loss still can leave a stray `.driftfix-*.tmp`, never a half-written
//! target.)
//!
//! **Hard links**: the rename gives the path a new inode. Other hard links to
//! the old inode keep the *old* content; only the path driftfix walked (or
//! its symlink target) shows the fix. [`Written::hard_links`] reports the
//! link count so callers can say so.
//!
//! **Remaining race**: between the final re-read (step 5) and the rename
//! there is a window of a few system calls in which another writer's change
//! would be overwritten; there is no portable compare-and-swap for files.

use std::collections::HashMap;
use std::fs;
use std::io::{self, Write as _};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tempfile::NamedTempFile;

use crate::fs::paths::{absolute, relative_to};
use crate::fs::read::{ReadError, read_regular_file};
use crate::rules::{Role, RuleSet};

/// What kind of failure kept a file from being written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteErrorKind {
    /// driftfix may not write there (role, outside the base, excluded,
    /// not a regular file).
    Refused,
    /// The file changed on disk since it was planned.
    Changed,
    /// An I/O error.
    Io,
}

/// Why a file was not written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct WriteError {
    pub kind: WriteErrorKind,
    pub message: String,
}

impl WriteError {
    fn refused(message: impl Into<String>) -> WriteError {
        WriteError {
            kind: WriteErrorKind::Refused,
            message: message.into(),
        }
    }

    pub(crate) fn changed() -> WriteError {
        WriteError {
            kind: WriteErrorKind::Changed,
            message: "file changed on disk since it was planned; not written (run driftfix again)"
                .into(),
        }
    }

    fn io(what: &str, e: io::Error) -> WriteError {
        WriteError {
            kind: WriteErrorKind::Io,
            message: format!("{what}: {e}"),
        }
    }
}

/// A successful write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The file that was replaced (a symlink's resolved target).
    pub real_path: PathBuf,
    /// The hard-link count of the file before it was replaced: above 1, the
    /// other names keep the old content.
    pub hard_links: u64,
    /// The file already held exactly the new bytes; nothing was done.
    pub already: bool,
}

impl Written {
    /// A note for the user when the write split a hard-linked file.
    pub fn hard_link_note(&self, rel_path: &str) -> Option<String> {
        (self.hard_links > 1).then(|| {
            format!(
                "note: {rel_path} had {} hard links; it was replaced by a new file, the other links keep the old content",
                self.hard_links
            )
        })
    }
}

/// One file for [`WriteContext::write_all`]: the arguments of
/// [`WriteContext::write`].
pub struct Job<'j> {
    pub path: &'j Path,
    pub role: Role,
    pub planned_from: &'j [u8],
    pub new: &'j [u8],
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
            .map_err(|e| WriteError::io(&format!("base directory {}", base.display()), e))?;
        Ok(WriteContext { base, rules })
    }

    /// Writes `new` over the file at `path` (walked with role `role`) if it
    /// still holds exactly `planned_from`. See the module docs for the steps.
    pub fn write(
        &self,
        path: &Path,
        role: Role,
        planned_from: &[u8],
        new: &[u8],
    ) -> Result<Written, WriteError> {
        if !role.writable() {
            return Err(WriteError::refused(format!(
                "{} files are never written",
                role.name()
            )));
        }
        let real = self.resolve(path)?;
        let meta = fs::metadata(&real).map_err(|e| WriteError::io("cannot stat", e))?;
        // Non-blocking and bounded: the path may have been swapped for a
        // FIFO or a growing file since it was planned.
        let limit = u64::try_from(planned_from.len().max(new.len())).unwrap_or(u64::MAX);
        let current = match read_regular_file(&real, limit) {
            Ok(bytes) => bytes,
            // Longer than anything expected: it changed.
            Err(ReadError::TooLarge { .. }) => return Err(WriteError::changed()),
            Err(e) => {
                return Err(WriteError::refused(format!(
                    "cannot re-read before writing: {e}"
                )));
            }
        };
        if current == new {
            return Ok(Written {
                real_path: real,
                hard_links: meta.nlink(),
                already: true,
            });
        }
        if current != planned_from {
            return Err(WriteError::changed());
        }
        let unchanged = || match fs::read(&real) {
            Ok(now) if now == planned_from => Ok(()),
            Ok(_) => Err(WriteError::changed()),
            Err(e) => Err(WriteError::io("cannot re-read before writing", e)),
        };
        replace_with(&real, new, &unchanged, &persist)?;
        Ok(Written {
            real_path: real,
            hard_links: meta.nlink(),
            already: false,
        })
    }

    /// Writes many files, returning one result per job in job order.
    ///
    /// A write is mostly waiting for `fsync`, so files are written by
    /// several threads at once (`threads`, at least 1). Jobs whose paths
    /// resolve to the same file (a symlink and its target) go to one thread
    /// in job order, so the later ones find the new bytes already in place,
    /// as they would one after the other.
    pub fn write_all(&self, jobs: &[Job<'_>], threads: usize) -> Vec<Result<Written, WriteError>> {
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut group_of: HashMap<PathBuf, usize> = HashMap::new();
        for (i, job) in jobs.iter().enumerate() {
            let key = fs::canonicalize(job.path).unwrap_or_else(|_| job.path.to_path_buf());
            let g = *group_of.entry(key).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
            if let Some(group) = groups.get_mut(g) {
                group.push(i);
            }
        }
        let write_group = |group: &Vec<usize>| -> Vec<(usize, Result<Written, WriteError>)> {
            group
                .iter()
                .filter_map(|&i| Some((i, jobs.get(i)?)))
                .map(|(i, j)| (i, self.write(j.path, j.role, j.planned_from, j.new)))
                .collect()
        };
        let done: Vec<_> = match rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .build()
        {
            Ok(pool) => pool.install(|| groups.par_iter().flat_map_iter(write_group).collect()),
            Err(_) => groups.iter().flat_map(write_group).collect(),
        };
        let mut results: Vec<Option<Result<Written, WriteError>>> =
            jobs.iter().map(|_| None).collect();
        for (i, r) in done {
            if let Some(slot) = results.get_mut(i) {
                *slot = Some(r);
            }
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(WriteError::refused("internal error: not written"))))
            .collect()
    }

    /// The file to write: `path` itself, or a symlink's final target when it
    /// lies under the base directory, is editable by its own path, is not
    /// excluded, and is a regular file.
    fn resolve(&self, path: &Path) -> Result<PathBuf, WriteError> {
        let real = fs::canonicalize(path).map_err(|e| WriteError::io("cannot resolve path", e))?;
        let Some(rel) = relative_to(&self.base, &real) else {
            return Err(WriteError::refused(format!(
                "resolves to {} outside the base directory; not written",
                real.display()
            )));
        };
        let role = self.rules.role_of(&rel);
        let via_link = real != absolute(path);
        let what = if via_link {
            format!("symlink target {rel}")
        } else {
            rel.clone()
        };
        if !role.writable() {
            return Err(WriteError::refused(format!(
                "{what} is {}; not written",
                role.name()
            )));
        }
        if self.rules.paths.exclude.is_match(&rel) {
            return Err(WriteError::refused(format!(
                "{what} is excluded by the rules; not written"
            )));
        }
        let meta = fs::metadata(&real).map_err(|e| WriteError::io("cannot stat", e))?;
        if !meta.is_file() {
            return Err(WriteError::refused(format!(
                "{what} is not a regular file; not written"
            )));
        }
        Ok(real)
    }
}

/// Replaces `target` with `bytes` atomically (temp file + rename), keeping
/// its permission bits and, where permitted, its owner and group. A symlink
/// is followed and its target replaced (the link is kept).
pub fn atomic_replace(target: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let real = fs::canonicalize(target).map_err(|e| WriteError::io("cannot resolve path", e))?;
    replace_with(&real, bytes, &|| Ok(()), &persist)
}

/// Writes an `--output` file atomically: an existing file is replaced as
/// [`atomic_replace`] does (mode and owner kept, a symlink followed); a new
/// one is created with mode 0644 by the same steps.
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    if path.is_file() {
        return atomic_replace(path, bytes);
    }
    install(
        &output_dir(path),
        path,
        bytes,
        Keep::New,
        &|| Ok(()),
        &persist,
    )
}

/// Creates `path` with `bytes` like [`write_output`], but never replaces a
/// file: the final rename fails if one appeared since it was checked
/// (`discover --output` without `--force`).
pub fn write_new_output(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    install(
        &output_dir(path),
        path,
        bytes,
        Keep::New,
        &|| Ok(()),
        &persist_new,
    )
}

/// The directory an `--output` file goes to (`.` for a bare name).
pub fn output_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The rename step, as a parameter so that tests can make it fail.
type Rename = dyn Fn(NamedTempFile, &Path) -> io::Result<()>;

fn persist(tmp: NamedTempFile, target: &Path) -> io::Result<()> {
    // On failure the PersistError owns the temp file; dropping it removes it.
    tmp.persist(target).map(|_| ()).map_err(|e| e.error)
}

/// The rename step of [`write_new_output`]: refuses an existing target.
fn persist_new(tmp: NamedTempFile, target: &Path) -> io::Result<()> {
    tmp.persist_noclobber(target)
        .map(|_| ())
        .map_err(|e| e.error)
}

/// Steps 4–6 of the module docs for an existing regular file. `check` runs
/// just before the rename.
fn replace_with(
    target: &Path,
    bytes: &[u8],
    check: &dyn Fn() -> Result<(), WriteError>,
    rename: &Rename,
) -> Result<(), WriteError> {
    let meta = fs::metadata(target).map_err(|e| WriteError::io("cannot stat", e))?;
    if !meta.is_file() {
        return Err(WriteError::refused("not a regular file; not written"));
    }
    let dir = target
        .parent()
        .ok_or_else(|| WriteError::refused("file has no parent directory"))?;
    install(dir, target, bytes, Keep::From(&meta), check, rename)
}

/// Whose owner and mode the new file gets.
enum Keep<'m> {
    /// The file it replaces.
    From(&'m fs::Metadata),
    /// None: a new file, mode 0644.
    New,
}

/// Steps 4–6 of the module docs: a temp file in `dir` gets `bytes`, the
/// owner and mode of `keep`, and is synced; then `check`, the rename over
/// `target`, and the directory sync.
fn install(
    dir: &Path,
    target: &Path,
    bytes: &[u8],
    keep: Keep<'_>,
    check: &dyn Fn() -> Result<(), WriteError>,
    rename: &Rename,
) -> Result<(), WriteError> {
    let signals = super::signals::Deferred::new();
    if signals.pending() {
        return Err(WriteError::refused("interrupted; not written"));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".driftfix-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| WriteError::io("cannot create temp file", e))?;
    tmp.write_all(bytes)
        .map_err(|e| WriteError::io("cannot write temp file", e))?;
    let mode = match keep {
        Keep::From(meta) => {
            // Owner/group can only be restored by a privileged user; failure
            // is fine. Before the chmod: a chown clears setuid/setgid bits.
            let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(meta.uid()), Some(meta.gid()));
            meta.permissions().mode() & 0o7777
        }
        Keep::New => 0o644,
    };
    tmp.as_file()
        .set_permissions(fs::Permissions::from_mode(mode))
        .map_err(|e| WriteError::io("cannot set permissions", e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| WriteError::io("cannot sync temp file", e))?;
    check()?;
    rename(tmp, target).map_err(|e| WriteError::io("cannot rename over the file", e))?;
    // The new content is in place; a directory that cannot be synced (some
    // filesystems refuse) does not undo that, so it is not an error.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> RuleSet {
        RuleSet::from_toml_str(text, Path::new("driftfix.toml")).unwrap()
    }

    const RULES: &str = r#"
version = 1
[paths]
readonly = ["legacy/**"]
authority = ["spine/**"]
exclude = ["vendor/**"]
[[canonical]]
name = "pve"
aliases = ["pve-shop"]
[[field]]
select = ["host"]
"#;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn mode(p: &Path) -> u32 {
        fs::metadata(p).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn replace_keeps_mode_and_leaves_no_temp_file() {
        for m in [0o640, 0o755, 0o600, 0o444, 0o2755] {
            let dir = tempfile::tempdir().unwrap();
            let f = dir.path().join("a.yaml");
            fs::write(&f, "x: pve-shop\n").unwrap();
            fs::set_permissions(&f, fs::Permissions::from_mode(m)).unwrap();
            atomic_replace(&f, b"x: pve\n").unwrap();
            assert_eq!(fs::read_to_string(&f).unwrap(), "x: pve\n");
            assert_eq!(mode(&f), m, "mode {m:o} kept");
            assert_eq!(names(dir.path()), ["a.yaml"]);
        }
    }

    #[test]
    fn owner_and_group_are_kept_where_permitted() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.yaml");
        fs::write(&f, "x: 1\n").unwrap();
        // As root this gives the file a foreign owner that must survive; as
        // another user the chown fails and the owner is ours anyway.
        let _ = std::os::unix::fs::chown(&f, Some(4242), Some(4343));
        let before = fs::metadata(&f).unwrap();
        atomic_replace(&f, b"x: 2\n").unwrap();
        let after = fs::metadata(&f).unwrap();
        assert_eq!(
            (after.uid(), after.gid()),
            (before.uid(), before.gid()),
            "owner kept"
        );
        assert_ne!(after.ino(), before.ino(), "replaced by rename");
    }

    #[test]
    fn a_failing_rename_leaves_the_file_untouched_and_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.yaml");
        fs::write(&f, "x: pve-shop\n").unwrap();
        let fail: &Rename = &|_tmp, _to| Err(io::Error::other("rename refused (test)"));
        let err = replace_with(&f, b"x: pve\n", &|| Ok(()), fail).unwrap_err();
        assert_eq!(err.kind, WriteErrorKind::Io);
        assert!(err.message.contains("cannot rename"), "{err}");
        assert_eq!(fs::read_to_string(&f).unwrap(), "x: pve-shop\n");
        assert_eq!(names(dir.path()), ["a.yaml"]);
    }

    #[test]
    fn a_failing_check_before_the_rename_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.yaml");
        fs::write(&f, "x: pve-shop\n").unwrap();
        let err =
            replace_with(&f, b"x: pve\n", &|| Err(WriteError::changed()), &persist).unwrap_err();
        assert_eq!(err.kind, WriteErrorKind::Changed);
        assert_eq!(fs::read_to_string(&f).unwrap(), "x: pve-shop\n");
        assert_eq!(names(dir.path()), ["a.yaml"]);
    }

    #[test]
    fn a_directory_or_missing_file_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("d.yaml")).unwrap();
        let err = atomic_replace(&dir.path().join("d.yaml"), b"x").unwrap_err();
        assert_eq!(err.kind, WriteErrorKind::Refused);
        assert!(dir.path().join("d.yaml").is_dir());
        assert!(atomic_replace(&dir.path().join("missing.yaml"), b"x").is_err());
        assert_eq!(names(dir.path()), ["d.yaml"]);
    }

    #[test]
    fn write_checks_role_and_changed_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let rules = rules(RULES);
        let ctx = WriteContext::new(dir.path(), &rules).unwrap();
        let f = dir.path().join("a.yaml");
        fs::write(&f, "host: pve-shop\n").unwrap();

        let err = ctx
            .write(&f, Role::Readonly, b"host: pve-shop\n", b"host: pve\n")
            .unwrap_err();
        assert_eq!(err.kind, WriteErrorKind::Refused);
        assert_eq!(fs::read_to_string(&f).unwrap(), "host: pve-shop\n");

        let err = ctx
            .write(&f, Role::Editable, b"host: proxmox-shop\n", b"host: pve\n")
            .unwrap_err();
        assert_eq!(err.kind, WriteErrorKind::Changed);
        assert!(err.to_string().contains("changed on disk"), "{err}");
        assert_eq!(fs::read_to_string(&f).unwrap(), "host: pve-shop\n");

        let w = ctx
            .write(&f, Role::Editable, b"host: pve-shop\n", b"host: pve\n")
            .unwrap();
        assert!(!w.already);
        assert_eq!(fs::read_to_string(&f).unwrap(), "host: pve\n");
        // Again: the file already holds the result, nothing to do.
        let w = ctx
            .write(&f, Role::Editable, b"host: pve-shop\n", b"host: pve\n")
            .unwrap();
        assert!(w.already);
        assert_eq!(names(dir.path()), ["a.yaml"]);
    }

    #[test]
    fn symlink_inside_base_to_editable_target_keeps_the_link() {
        let dir = tempfile::tempdir().unwrap();
        let rules = rules(RULES);
        let ctx = WriteContext::new(dir.path(), &rules).unwrap();
        fs::create_dir(dir.path().join("real")).unwrap();
        let target = dir.path().join("real/t.yaml");
        fs::write(&target, "host: pve-shop\n").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.yaml");
        std::os::unix::fs::symlink("real/t.yaml", &link).unwrap();

        let w = ctx
            .write(&link, Role::Editable, b"host: pve-shop\n", b"host: pve\n")
            .unwrap();
        assert_eq!(w.real_path, fs::canonicalize(&target).unwrap());
        assert!(
            fs::symlink_metadata(&link).unwrap().is_symlink(),
            "link kept"
        );
        assert_eq!(fs::read_link(&link).unwrap(), PathBuf::from("real/t.yaml"));
        assert_eq!(fs::read_to_string(&target).unwrap(), "host: pve\n");
        assert_eq!(mode(&target), 0o640);
        assert_eq!(names(dir.path()), ["link.yaml", "real"]);
        assert_eq!(names(&dir.path().join("real")), ["t.yaml"]);
    }

    #[test]
    fn write_all_answers_in_job_order_and_writes_links_to_one_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let rules = rules(RULES);
        let ctx = WriteContext::new(dir.path(), &rules).unwrap();
        let mut paths = Vec::new();
        for i in 0..40 {
            let p = dir.path().join(format!("f{i:02}.yaml"));
            fs::write(&p, "host: pve-shop\n").unwrap();
            paths.push(p);
        }
        // A link to f00 planned after f00 itself, and a file in a read-only
        // directory between them.
        let link = dir.path().join("link.yaml");
        std::os::unix::fs::symlink("f00.yaml", &link).unwrap();
        paths.insert(1, link.clone());
        fs::create_dir(dir.path().join("legacy")).unwrap();
        let legacy = dir.path().join("legacy/l.yaml");
        fs::write(&legacy, "host: pve-shop\n").unwrap();
        paths.insert(2, legacy.clone());
        let jobs: Vec<Job> = paths
            .iter()
            .map(|p| Job {
                path: p,
                role: Role::Editable,
                planned_from: b"host: pve-shop\n",
                new: b"host: pve\n",
            })
            .collect();
        for threads in [1, 8] {
            for p in &paths {
                fs::write(p, "host: pve-shop\n").unwrap();
            }
            let results = ctx.write_all(&jobs, threads);
            assert_eq!(results.len(), jobs.len());
            let first = results[0].as_ref().unwrap();
            assert!(!first.already);
            assert!(
                results[1].as_ref().unwrap().already,
                "the link found it done"
            );
            assert_eq!(
                results[2].as_ref().unwrap_err().kind,
                WriteErrorKind::Refused
            );
            for (p, r) in paths.iter().zip(&results).skip(3) {
                assert_eq!(r.as_ref().unwrap().real_path, fs::canonicalize(p).unwrap());
                assert_eq!(fs::read_to_string(p).unwrap(), "host: pve\n");
            }
            assert_eq!(fs::read_to_string(&legacy).unwrap(), "host: pve-shop\n");
            assert!(fs::symlink_metadata(&link).unwrap().is_symlink());
            assert!(
                names(dir.path())
                    .iter()
                    .all(|n| !n.starts_with(".driftfix-")),
                "no temp file left"
            );
        }
    }

    #[test]
    fn symlink_to_readonly_excluded_or_outside_target_is_not_written() {
        let outside = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let rules = rules(RULES);
        let ctx = WriteContext::new(dir.path(), &rules).unwrap();
        let old = b"host: pve-shop\n";
        for sub in ["legacy", "spine", "vendor"] {
            fs::create_dir(dir.path().join(sub)).unwrap();
            fs::write(dir.path().join(sub).join("t.yaml"), old).unwrap();
        }
        fs::write(outside.path().join("t.yaml"), old).unwrap();
        let cases = [
            (
                "to-legacy.yaml",
                dir.path().join("legacy/t.yaml"),
                "readonly",
            ),
            (
                "to-spine.yaml",
                dir.path().join("spine/t.yaml"),
                "authority",
            ),
            (
                "to-vendor.yaml",
                dir.path().join("vendor/t.yaml"),
                "excluded",
            ),
            ("to-outside.yaml", outside.path().join("t.yaml"), "outside"),
        ];
        for (name, target, why) in &cases {
            let link = dir.path().join(name);
            std::os::unix::fs::symlink(target, &link).unwrap();
            let err = ctx
                .write(&link, Role::Editable, old, b"host: pve\n")
                .unwrap_err();
            assert_eq!(err.kind, WriteErrorKind::Refused, "{name}");
            assert!(err.message.contains(why), "{name}: {err}");
            assert_eq!(fs::read(target).unwrap(), old, "{name}: target untouched");
            assert!(fs::symlink_metadata(&link).unwrap().is_symlink());
        }
        // A symlinked directory on the way is followed the same way.
        std::os::unix::fs::symlink(dir.path().join("legacy"), dir.path().join("lg")).unwrap();
        let err = ctx
            .write(
                &dir.path().join("lg/t.yaml"),
                Role::Editable,
                old,
                b"host: pve\n",
            )
            .unwrap_err();
        assert!(err.message.contains("readonly"), "{err}");
        assert_eq!(names(outside.path()), ["t.yaml"]);
        assert_eq!(names(&dir.path().join("legacy")), ["t.yaml"]);
    }

    #[test]
    fn hard_links_are_counted_and_keep_the_old_content() {
        let dir = tempfile::tempdir().unwrap();
        let rules = rules(RULES);
        let ctx = WriteContext::new(dir.path(), &rules).unwrap();
        let f = dir.path().join("a.yaml");
        fs::write(&f, "host: pve-shop\n").unwrap();
        fs::hard_link(&f, dir.path().join("b.yaml")).unwrap();
        let w = ctx
            .write(&f, Role::Editable, b"host: pve-shop\n", b"host: pve\n")
            .unwrap();
        assert_eq!(w.hard_links, 2);
        assert!(w.hard_link_note("a.yaml").unwrap().contains("2 hard links"));
        assert_eq!(fs::read_to_string(&f).unwrap(), "host: pve\n");
        assert_eq!(
            fs::read_to_string(dir.path().join("b.yaml")).unwrap(),
            "host: pve-shop\n"
        );
    }
}
