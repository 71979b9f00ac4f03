//! Writing a planned file so that it is either untouched or completely
//! written, never half-written, and only where driftfix may write. Shared by
//! `fix --apply` and accepted `fix --preview` files.
//!
//! The steps are the fs layer's ([`crate::fs::replace`], SPEC §14), all
//! through directory handles opened from the base directory down, never
//! following a symlinked directory:
//!
//! 1. the file's role (as walked) is editable;
//! 2. where the file really is, is asked of the kernel: a symlinked file is
//!    kept and the file it leads to is written, which must lie under the base
//!    directory, have the editable role by its *own* path and not be
//!    excluded (`WriteContext::may_write`); a symlinked directory on the
//!    way is refused;
//! 3. the file is re-read (`O_NOFOLLOW | O_NONBLOCK`, regular file only,
//!    bounded): it must still hold the bytes it was planned from (a file
//!    that already holds exactly the new bytes is left alone and counts as
//!    written, e.g. when a link and its target are both in the tree);
//! 4. a temp file (`.driftfix-XXXXXX.tmp`) is created in the file's own
//!    directory handle, written, given the original's owner (where
//!    permitted), extended attributes and ACLs, and mode — or the file is
//!    not written, never silently degraded — and fsynced;
//! 5. the file is read once more (same device and inode, same bytes) and the
//!    directory handle checked to be still in place;
//! 6. `renameat` within the handle, then the directory is fsynced.
//!
//! The temp file is removed through its handle on every failure. SIGINT,
//! SIGTERM and SIGHUP that arrive during steps 4–6 are held back until the
//! file is complete (`signals::Deferred`); a stop signal that
//! arrived before a file starts leaves it unwritten
//! ([`WriteErrorKind::Interrupted`]).
//!
//! **Hard links**: the rename gives the path a new inode. Other hard links to
//! the old inode keep the *old* content; [`Written::hard_links`] reports the
//! link count so callers can say so.
//!
//! **Remaining window**: between the final re-read (step 5) and the rename
//! there are a few system calls in which another writer's change would be
//! overwritten; there is no compare-and-swap for files. The base-directory
//! lock keeps a second driftfix out of it; other editors do not take it.

use std::collections::HashMap;

use rayon::prelude::*;

use super::signals;
use crate::fs::{BaseDir, FileId, FsError, Guard, ReplaceOptions, Step};
use crate::rules::{Role, RuleSet};

/// What kind of failure kept a file from being written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteErrorKind {
    /// driftfix may not write there (role, outside the base, excluded,
    /// not a regular file, a symlinked directory on the way, moved).
    Refused,
    /// The file changed on disk since it was planned.
    Changed,
    /// A stop signal (SIGINT, SIGTERM, SIGHUP) arrived before this file
    /// was started: not written, nothing of it touched.
    Interrupted,
    /// An I/O error, or metadata that could not be kept.
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
}

impl From<FsError> for WriteError {
    fn from(e: FsError) -> WriteError {
        let kind = match &e {
            FsError::Changed => WriteErrorKind::Changed,
            FsError::Interrupted => WriteErrorKind::Interrupted,
            FsError::Forbidden(_)
            | FsError::Escapes(_)
            | FsError::SymlinkedDir(_)
            | FsError::NotADirectory(_)
            | FsError::NotRegular(_)
            | FsError::Moved(_)
            | FsError::BadLink(_)
            | FsError::NotFound(_)
            | FsError::TooLarge { .. }
            | FsError::Locked { .. } => WriteErrorKind::Refused,
            FsError::MetadataNotKept(_) | FsError::Io { .. } | FsError::Refused(_) => {
                WriteErrorKind::Io
            }
        };
        let message = match e {
            FsError::Changed => format!("file {e}"),
            FsError::Forbidden(why) => why,
            FsError::Escapes(rel) => {
                format!("{rel} leads outside the base directory; not written")
            }
            FsError::NotRegular(kind) => format!("not a regular file ({kind}); not written"),
            FsError::SymlinkedDir(dir) => format!(
                "{dir} is a symbolic link; driftfix never writes through a symlinked directory; not written"
            ),
            e @ (FsError::NotFound(_) | FsError::BadLink(_) | FsError::NotADirectory(_)) => {
                format!("{e}; not written")
            }
            e => e.to_string(),
        };
        WriteError { kind, message }
    }
}

/// A successful write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The file that was replaced, relative to the base directory (a
    /// symlink's target).
    pub real_path: String,
    /// The hard-link count of the file before it was replaced: above 1, the
    /// other names keep the old content.
    pub hard_links: u64,
    /// The file already held exactly the new bytes; nothing was done.
    pub already: bool,
}

impl Written {
    /// A note for the user when the write split a hard-linked file (the
    /// name escaped for a terminal).
    pub fn hard_link_note(&self, rel_path: &str) -> Option<String> {
        (self.hard_links > 1 && !self.already).then(|| {
            format!(
                "note: {} had {} hard links; it was replaced by a new file, the other links keep the old content",
                crate::report::visible(rel_path),
                self.hard_links
            )
        })
    }
}

/// One file for [`WriteContext::write_all`]: the arguments of
/// [`WriteContext::write`].
pub struct Job<'j> {
    /// The target's path beneath the base, with no symlinked directory on
    /// the way ([`crate::walk::Target::open_path`]).
    pub path: &'j str,
    pub role: Role,
    pub planned_from: &'j [u8],
    pub new: &'j [u8],
}

/// What the writer needs to know about the run.
pub struct WriteContext<'a> {
    pub base: &'a BaseDir,
    pub rules: &'a RuleSet,
    /// Called at each step of a replacement ([`ReplaceOptions::checkpoint`]):
    /// tests race the writer with it.
    pub checkpoint: &'a (dyn Fn(Step) -> Result<(), FsError> + Sync),
}

fn no_checkpoint(_: Step) -> Result<(), FsError> {
    Ok(())
}

/// Holds the stop signals back while a temp file exists; refuses to start
/// a file once one has arrived. Also the hold of `--output`'s replacement.
pub fn hold_signals() -> Result<Guard, FsError> {
    if signals::stop_requested().is_some() {
        return Err(FsError::Interrupted);
    }
    let held = signals::Deferred::new();
    if held.pending() {
        return Err(FsError::Interrupted);
    }
    Ok(Box::new(held))
}

impl<'a> WriteContext<'a> {
    pub fn new(base: &'a BaseDir, rules: &'a RuleSet) -> WriteContext<'a> {
        WriteContext {
            base,
            rules,
            checkpoint: &no_checkpoint,
        }
    }

    /// Whether the file really at `real` (relative to the base) may be
    /// written: its own role is editable and no `exclude` glob matches it.
    fn may_write(&self, real: &str, via_link: bool) -> Result<(), String> {
        let what = if via_link {
            format!("symlink target {real}")
        } else {
            real.to_string()
        };
        let role = self.rules.role_of(real);
        if !role.writable() {
            return Err(format!("{what} is {}; not written", role.name()));
        }
        if self.rules.paths.exclude.is_match(real) {
            return Err(format!("{what} is excluded by the rules; not written"));
        }
        Ok(())
    }

    /// Writes `new` over the target at `path` (beneath the base, walked
    /// with role `role`) if it still holds exactly `planned_from`. See the
    /// module docs for the steps.
    pub fn write(
        &self,
        path: &str,
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
        // The test hook: a test swaps directories or plants links here.
        crate::fs::pause_before_write()?;
        if signals::stop_requested().is_some() {
            return Err(FsError::Interrupted.into());
        }
        let may_write = |real: &str| self.may_write(real, real != path);
        let opts = ReplaceOptions {
            hold: &hold_signals,
            checkpoint: self.checkpoint,
        };
        let (located, done) = self
            .base
            .replace(path, planned_from, new, &may_write, &opts)?;
        Ok(Written {
            real_path: located.inside().unwrap_or(&located.rel).to_string(),
            hard_links: done.before.nlink,
            already: done.already,
        })
    }

    /// Writes many files, returning one result per job in job order.
    ///
    /// A write is mostly waiting for `fsync`, so files are written by
    /// several threads at once (`threads`, at least 1). Jobs that lead to
    /// the same file (a symlink and its target: same device and inode) go
    /// to one thread in job order, so the later ones find the new bytes
    /// already in place, as they would one after the other.
    pub fn write_all(&self, jobs: &[Job<'_>], threads: usize) -> Vec<Result<Written, WriteError>> {
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut group_of: HashMap<Key, usize> = HashMap::new();
        for (i, job) in jobs.iter().enumerate() {
            let key = match self.base.locate(job.path) {
                Ok(l) => Key::Id(l.id),
                Err(_) => Key::Path(job.path.to_string()),
            };
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
}

/// How [`WriteContext::write_all`] tells files apart: by identity, or by
/// path when the file cannot be found (its write then fails on its own).
#[derive(Debug, PartialEq, Eq, Hash)]
enum Key {
    Id(FileId),
    Path(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::path::Path;

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

    fn base(dir: &Path) -> BaseDir {
        BaseDir::open(dir).unwrap()
    }

    #[test]
    fn replace_keeps_mode_and_leaves_no_temp_file() {
        let rules = rules(RULES);
        for m in [0o640, 0o755, 0o600, 0o444, 0o2755] {
            let dir = tempfile::tempdir().unwrap();
            let f = dir.path().join("a.yaml");
            fs::write(&f, "x: pve-shop\n").unwrap();
            fs::set_permissions(&f, fs::Permissions::from_mode(m)).unwrap();
            let b = base(dir.path());
            WriteContext::new(&b, &rules)
                .write("a.yaml", Role::Editable, b"x: pve-shop\n", b"x: pve\n")
                .unwrap();
            assert_eq!(fs::read_to_string(&f).unwrap(), "x: pve\n");
            assert_eq!(mode(&f), m, "mode {m:o} kept");
            assert_eq!(names(dir.path()), ["a.yaml"]);
        }
    }

    #[test]
    fn owner_and_group_are_kept_where_permitted() {
        let rules = rules(RULES);
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.yaml");
        fs::write(&f, "x: 1\n").unwrap();
        // As root this gives the file a foreign owner that must survive; as
        // another user the chown fails and the owner is ours anyway.
        let _ = std::os::unix::fs::chown(&f, Some(4242), Some(4343));
        let before = fs::metadata(&f).unwrap();
        let b = base(dir.path());
        WriteContext::new(&b, &rules)
            .write("a.yaml", Role::Editable, b"x: 1\n", b"x: 2\n")
            .unwrap();
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
        let rules = rules(RULES);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().to_path_buf();
        let f = p.join("a.yaml");
        fs::write(&f, "x: pve-shop\n").unwrap();
        // The target becomes a non-empty directory just before the rename:
        // renameat fails.
        let block = |s: Step| {
            if s == Step::BeforeRename {
                fs::remove_file(p.join("a.yaml")).unwrap();
                fs::create_dir_all(p.join("a.yaml/x")).unwrap();
            }
            Ok(())
        };
        let b = base(&p);
        let ctx = WriteContext {
            checkpoint: &block,
            ..WriteContext::new(&b, &rules)
        };
        let err = ctx
            .write("a.yaml", Role::Editable, b"x: pve-shop\n", b"x: pve\n")
            .unwrap_err();
        assert_eq!(err.kind, WriteErrorKind::Io);
        assert!(err.message.contains("cannot rename"), "{err}");
        assert!(f.is_dir(), "nothing renamed over it");
        assert_eq!(names(&p), ["a.yaml"]);
    }

    #[test]
    fn a_failing_check_before_the_rename_leaves_no_temp_file() {
        let rules = rules(RULES);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().to_path_buf();
        let f = p.join("a.yaml");
        fs::write(&f, "x: pve-shop\n").unwrap();
        // Edited while the temp file was being written.
        let edit = |s: Step| {
            if s == Step::TempWritten {
                fs::write(p.join("a.yaml"), "x: edited\n").unwrap();
            }
            Ok(())
        };
        let b = base(&p);
        let ctx = WriteContext {
            checkpoint: &edit,
            ..WriteContext::new(&b, &rules)
        };
        let err = ctx
            .write("a.yaml", Role::Editable, b"x: pve-shop\n", b"x: pve\n")
            .unwrap_err();
        assert_eq!(err.kind, WriteErrorKind::Changed);
        assert_eq!(fs::read_to_string(&f).unwrap(), "x: edited\n");
        assert_eq!(names(&p), ["a.yaml"]);
    }

    #[test]
    fn a_directory_or_missing_file_is_never_replaced() {
        let rules = rules(RULES);
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("d.yaml")).unwrap();
        let b = base(dir.path());
        let ctx = WriteContext::new(&b, &rules);
        let err = ctx.write("d.yaml", Role::Editable, b"x", b"y").unwrap_err();
        assert_eq!(err.kind, WriteErrorKind::Refused);
        assert!(dir.path().join("d.yaml").is_dir());
        assert!(
            ctx.write("missing.yaml", Role::Editable, b"x", b"y")
                .is_err()
        );
        assert_eq!(names(dir.path()), ["d.yaml"]);
    }

    #[test]
    fn write_checks_role_and_changed_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let rules = rules(RULES);
        let b = base(dir.path());
        let ctx = WriteContext::new(&b, &rules);
        let f = dir.path().join("a.yaml");
        fs::write(&f, "host: pve-shop\n").unwrap();

        let err = ctx
            .write(
                "a.yaml",
                Role::Readonly,
                b"host: pve-shop\n",
                b"host: pve\n",
            )
            .unwrap_err();
        assert_eq!(err.kind, WriteErrorKind::Refused);
        assert_eq!(fs::read_to_string(&f).unwrap(), "host: pve-shop\n");

        let err = ctx
            .write(
                "a.yaml",
                Role::Editable,
                b"host: proxmox-shop\n",
                b"host: pve\n",
            )
            .unwrap_err();
        assert_eq!(err.kind, WriteErrorKind::Changed);
        assert!(err.to_string().contains("changed on disk"), "{err}");
        assert_eq!(fs::read_to_string(&f).unwrap(), "host: pve-shop\n");

        let w = ctx
            .write(
                "a.yaml",
                Role::Editable,
                b"host: pve-shop\n",
                b"host: pve\n",
            )
            .unwrap();
        assert!(!w.already);
        assert_eq!(fs::read_to_string(&f).unwrap(), "host: pve\n");
        // Again: the file already holds the result, nothing to do.
        let w = ctx
            .write(
                "a.yaml",
                Role::Editable,
                b"host: pve-shop\n",
                b"host: pve\n",
            )
            .unwrap();
        assert!(w.already);
        assert_eq!(names(dir.path()), ["a.yaml"]);
    }

    #[test]
    fn symlink_inside_base_to_editable_target_keeps_the_link() {
        let dir = tempfile::tempdir().unwrap();
        let rules = rules(RULES);
        let b = base(dir.path());
        let ctx = WriteContext::new(&b, &rules);
        fs::create_dir(dir.path().join("real")).unwrap();
        let target = dir.path().join("real/t.yaml");
        fs::write(&target, "host: pve-shop\n").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.yaml");
        std::os::unix::fs::symlink("real/t.yaml", &link).unwrap();

        let w = ctx
            .write(
                "link.yaml",
                Role::Editable,
                b"host: pve-shop\n",
                b"host: pve\n",
            )
            .unwrap();
        assert_eq!(w.real_path, "real/t.yaml");
        assert!(
            fs::symlink_metadata(&link).unwrap().is_symlink(),
            "link kept"
        );
        assert_eq!(
            fs::read_link(&link).unwrap(),
            std::path::PathBuf::from("real/t.yaml")
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), "host: pve\n");
        assert_eq!(mode(&target), 0o640);
        assert_eq!(names(dir.path()), ["link.yaml", "real"]);
        assert_eq!(names(&dir.path().join("real")), ["t.yaml"]);
    }

    #[test]
    fn write_all_answers_in_job_order_and_writes_links_to_one_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let rules = rules(RULES);
        let b = base(dir.path());
        let ctx = WriteContext::new(&b, &rules);
        let mut paths: Vec<String> = Vec::new();
        for i in 0..40 {
            let name = format!("f{i:02}.yaml");
            fs::write(dir.path().join(&name), "host: pve-shop\n").unwrap();
            paths.push(name);
        }
        // A link to f00 planned after f00 itself, and a file in a read-only
        // directory between them.
        let link = dir.path().join("link.yaml");
        std::os::unix::fs::symlink("f00.yaml", &link).unwrap();
        paths.insert(1, "link.yaml".into());
        fs::create_dir(dir.path().join("legacy")).unwrap();
        let legacy = dir.path().join("legacy/l.yaml");
        fs::write(&legacy, "host: pve-shop\n").unwrap();
        paths.insert(2, "legacy/l.yaml".into());
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
                fs::write(dir.path().join(p), "host: pve-shop\n").unwrap();
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
                assert_eq!(&r.as_ref().unwrap().real_path, p);
                assert_eq!(
                    fs::read_to_string(dir.path().join(p)).unwrap(),
                    "host: pve\n"
                );
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
        let b = base(dir.path());
        let ctx = WriteContext::new(&b, &rules);
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
                .write(name, Role::Editable, old, b"host: pve\n")
                .unwrap_err();
            assert_eq!(err.kind, WriteErrorKind::Refused, "{name}");
            assert!(err.message.contains(why), "{name}: {err}");
            assert_eq!(fs::read(target).unwrap(), old, "{name}: target untouched");
            assert!(fs::symlink_metadata(&link).unwrap().is_symlink());
        }
        // A symlinked directory on the way is never followed: refused
        // whatever it leads to (SPEC §14).
        std::os::unix::fs::symlink(dir.path().join("legacy"), dir.path().join("lg")).unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("out")).unwrap();
        for path in ["lg/t.yaml", "out/t.yaml"] {
            let err = ctx
                .write(path, Role::Editable, old, b"host: pve\n")
                .unwrap_err();
            assert_eq!(err.kind, WriteErrorKind::Refused, "{path}");
            assert!(err.message.contains("symbolic link"), "{err}");
        }
        assert_eq!(names(outside.path()), ["t.yaml"]);
        assert_eq!(fs::read(outside.path().join("t.yaml")).unwrap(), old);
        assert_eq!(names(&dir.path().join("legacy")), ["t.yaml"]);
        assert_eq!(fs::read(dir.path().join("legacy/t.yaml")).unwrap(), old);
    }

    #[test]
    fn hard_links_are_counted_and_keep_the_old_content() {
        let dir = tempfile::tempdir().unwrap();
        let rules = rules(RULES);
        let b = base(dir.path());
        let ctx = WriteContext::new(&b, &rules);
        let f = dir.path().join("a.yaml");
        fs::write(&f, "host: pve-shop\n").unwrap();
        fs::hard_link(&f, dir.path().join("b.yaml")).unwrap();
        let w = ctx
            .write(
                "a.yaml",
                Role::Editable,
                b"host: pve-shop\n",
                b"host: pve\n",
            )
            .unwrap();
        assert_eq!(w.hard_links, 2);
        assert!(w.hard_link_note("a.yaml").unwrap().contains("2 hard links"));
        assert_eq!(
            w.hard_link_note("a\u{1b}[2J.yaml").unwrap(),
            "note: a\\u{1b}[2J.yaml had 2 hard links; it was replaced by a new file, the other links keep the old content",
            "the name is escaped"
        );
        assert_eq!(fs::read_to_string(&f).unwrap(), "host: pve\n");
        assert_eq!(
            fs::read_to_string(dir.path().join("b.yaml")).unwrap(),
            "host: pve-shop\n"
        );
    }
}
