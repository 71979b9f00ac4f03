//! Replacing a file atomically inside one directory handle: the file is
//! either untouched or completely replaced, never half-written, and the new
//! file keeps the original's owner, attributes and mode.
//!
//! Steps of [`replace`] (the directory is a handle, so a directory swapped
//! for a symlink cannot move any of them elsewhere):
//!
//! 1. the handle's path still leads to the handle's directory;
//! 2. the current file is opened (no follow, non-blocking, must be regular)
//!    and read, bounded by the larger of the planned-from and new sizes:
//!    equal to the new bytes → nothing to do ([`Replaced::already`]);
//!    different from the planned-from bytes → [`FsError::Changed`];
//! 3. the caller's `hold` starts (e.g. SIGINT/SIGTERM held back), so an
//!    interrupt cannot leave a temp file or half a replacement behind;
//! 4. a temp file `.driftfix-XXXXXX.tmp` is created in the handle
//!    (`O_CREAT | O_EXCL`, mode 0600), written, given the original's owner
//!    (where permitted), extended attributes and ACLs, and mode, and
//!    fsynced;
//! 5. the current file is read once more: same file (device, inode) and
//!    still the planned-from bytes, else [`FsError::Changed`] (an editor
//!    may have saved it while a prompt waited); the handle's path is checked
//!    again;
//! 6. `renameat` within the handle, then the directory is fsynced.
//!
//! On every failure after step 4 the temp file is removed through the
//! handle (also when the rename itself fails). A SIGKILL or power loss can
//! still leave a stray temp file, never a half-written target.
//!
//! **Remaining window**: between the re-read of step 5 and the rename
//! there are a few system calls in which another writer's change would be
//! overwritten; files have no compare-and-swap. The base-directory lock
//! ([`super::lock`]) keeps two driftfix runs out of it; other editors do not
//! take it. A directory *moved* (not swapped for a link) out of the base in
//! that same window carries the write with it: that takes write access to
//! both places, and the file written is still the one planned from.

use std::any::Any;
use std::io::Write as _;
use std::os::fd::AsFd;

use super::beneath::{BaseDir, DirHandle, Located, check_name};
use super::error::FsError;
use super::keep::keep_metadata;
use super::meta::{FileKind, Meta};
use super::read::{open_regular_at, read_bounded};
use super::temp::TempFile;

/// Whatever the caller keeps alive during the critical section (a signal
/// deferral); dropped after the temp file is renamed or removed.
pub type Guard = Box<dyn Any>;

/// The points at which [`ReplaceOptions::checkpoint`] is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The temp file is complete and synced; the final re-read is next.
    TempWritten,
    /// Every check passed; the rename is next.
    BeforeRename,
}

/// How [`replace`] cooperates with its caller. `Sync`, so one set of
/// options serves the writer's threads.
pub struct ReplaceOptions<'a> {
    /// Called once, just before the temp file is created; the guard it
    /// returns lives until the temp file is renamed or removed. An `Err`
    /// (e.g. [`FsError::Interrupted`] when a stop signal is pending)
    /// writes nothing.
    pub hold: &'a (dyn Fn() -> Result<Guard, FsError> + Sync),
    /// Called at each [`Step`]; an `Err` stops the replacement (the temp
    /// file is removed). Tests use it to race the writer deterministically;
    /// callers may use it to give up late.
    pub checkpoint: &'a (dyn Fn(Step) -> Result<(), FsError> + Sync),
}

impl Default for ReplaceOptions<'static> {
    fn default() -> Self {
        ReplaceOptions {
            hold: &hold_nothing,
            checkpoint: &no_checkpoint,
        }
    }
}

/// A `hold` that holds nothing (tests, and callers without signals).
pub fn hold_nothing() -> Result<Guard, FsError> {
    Ok(Box::new(()))
}

fn no_checkpoint(_: Step) -> Result<(), FsError> {
    Ok(())
}

/// A finished [`replace`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replaced {
    /// The file already held exactly the new bytes; nothing was written.
    pub already: bool,
    /// The replaced file's metadata before the replacement: `nlink > 1`
    /// means its other hard links keep the old content.
    pub before: Meta,
}

/// Replaces the regular file `name` in `dir` with `new` if it still holds
/// `planned_from`. See the module docs for the steps.
pub fn replace(
    dir: &DirHandle,
    name: &str,
    planned_from: &[u8],
    new: &[u8],
    opts: &ReplaceOptions<'_>,
) -> Result<Replaced, FsError> {
    check_name(name)?;
    dir.still_in_place()?;
    let limit = u64::try_from(planned_from.len().max(new.len())).unwrap_or(u64::MAX);
    let (original, before) = open_regular_at(dir.as_fd(), name)?;
    let current = read_bounded(&original, &before, limit).map_err(longer_is_changed)?;
    if current == new {
        return Ok(Replaced {
            already: true,
            before,
        });
    }
    if current != planned_from {
        return Err(FsError::Changed);
    }
    drop(current);
    // Declared before the temp file, so dropped after it: a held signal
    // is re-raised only once the temp file is gone or renamed.
    let _held = (opts.hold)()?;
    let temp = TempFile::create(dir)?;
    let mut out = temp.file();
    out.write_all(new)
        .map_err(|e| FsError::std_io("cannot write the temp file", e))?;
    keep_metadata(original.as_fd(), &before, temp.file().as_fd())?;
    temp.file()
        .sync_all()
        .map_err(|e| FsError::std_io("cannot sync the temp file", e))?;
    (opts.checkpoint)(Step::TempWritten)?;
    still_planned(dir, name, &before, planned_from, limit)?;
    dir.still_in_place()?;
    (opts.checkpoint)(Step::BeforeRename)?;
    temp.rename_over(name)?;
    dir.sync();
    Ok(Replaced {
        already: false,
        before,
    })
}

/// Step 5: the same file, still holding the planned-from bytes.
fn still_planned(
    dir: &DirHandle,
    name: &str,
    before: &Meta,
    planned_from: &[u8],
    limit: u64,
) -> Result<(), FsError> {
    let (file, now) = open_regular_at(dir.as_fd(), name).map_err(|e| match e {
        FsError::NotFound(_) | FsError::NotRegular(_) => FsError::Changed,
        e => e,
    })?;
    if now.id != before.id {
        return Err(FsError::Changed);
    }
    let bytes = read_bounded(&file, &now, limit).map_err(longer_is_changed)?;
    if bytes != planned_from {
        return Err(FsError::Changed);
    }
    Ok(())
}

/// A file longer than both versions was changed by someone else.
fn longer_is_changed(e: FsError) -> FsError {
    match e {
        FsError::TooLarge { .. } => FsError::Changed,
        e => e,
    }
}

impl BaseDir {
    /// Replaces the target `rel`: the file itself, or for a symlinked file
    /// the file it leads to (the link is kept), which must be inside the
    /// base. `may_write` gets the real relative path and decides by its
    /// role (SPEC §6: a link is written only when its target is editable);
    /// its `Err` text becomes [`FsError::Forbidden`].
    pub fn replace(
        &self,
        rel: &str,
        planned_from: &[u8],
        new: &[u8],
        may_write: &dyn Fn(&str) -> Result<(), String>,
        opts: &ReplaceOptions<'_>,
    ) -> Result<(Located, Replaced), FsError> {
        let located = self.locate(rel)?;
        if located.kind != FileKind::Regular {
            return Err(FsError::NotRegular(located.kind));
        }
        let real = located
            .inside()
            .ok_or_else(|| FsError::Escapes(located.rel.clone()))?;
        may_write(real).map_err(FsError::Forbidden)?;
        let (dir, name) = self.parent(real)?;
        let done = replace(&dir, &name, planned_from, new, opts)?;
        Ok((located, done))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};
    use std::path::Path;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    const OLD: &[u8] = b"host: pve-shop\n";
    const NEW: &[u8] = b"host: pve\n";

    #[test]
    fn replaces_once_then_finds_it_done() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.yaml");
        std::fs::write(&f, OLD).unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o640)).unwrap();
        let d = DirHandle::open_path(dir.path()).unwrap();
        let opts = ReplaceOptions::default();
        let r = replace(&d, "a.yaml", OLD, NEW, &opts).unwrap();
        assert!(!r.already);
        assert_eq!(std::fs::read(&f).unwrap(), NEW);
        assert_eq!(
            Meta::of_fd(std::fs::File::open(&f).unwrap()).unwrap().mode,
            0o640
        );
        assert!(replace(&d, "a.yaml", OLD, NEW, &opts).unwrap().already);
        assert!(matches!(
            replace(&d, "a.yaml", b"host: other\n", b"host: x\n", &opts),
            Err(FsError::Changed)
        ));
        // Grown past both sizes: changed, and never read whole.
        std::fs::write(&f, vec![b'x'; 1 << 20]).unwrap();
        assert!(matches!(
            replace(&d, "a.yaml", OLD, NEW, &opts),
            Err(FsError::Changed)
        ));
        assert_eq!(names(dir.path()), ["a.yaml"]);
    }

    #[test]
    fn the_hold_covers_exactly_the_temp_file_lifetime() {
        use std::sync::{Arc, Mutex};
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.yaml"), OLD).unwrap();
        let d = DirHandle::open_path(dir.path()).unwrap();
        let log = Arc::new(Mutex::new(Vec::<String>::new()));
        struct Note(Arc<Mutex<Vec<String>>>, std::path::PathBuf);
        impl Drop for Note {
            fn drop(&mut self) {
                let temps = names(&self.1)
                    .into_iter()
                    .filter(|n| n.starts_with(".driftfix-"))
                    .count();
                self.0
                    .lock()
                    .unwrap()
                    .push(format!("release temps={temps}"));
            }
        }
        let (l, p) = (log.clone(), dir.path().to_path_buf());
        let hold = move || -> Result<Guard, FsError> {
            l.lock().unwrap().push("hold".into());
            Ok(Box::new(Note(l.clone(), p.clone())))
        };
        let l2 = log.clone();
        let checkpoint = move |s: Step| -> Result<(), FsError> {
            l2.lock().unwrap().push(format!("{s:?}"));
            Ok(())
        };
        let opts = ReplaceOptions {
            hold: &hold,
            checkpoint: &checkpoint,
        };
        replace(&d, "a.yaml", OLD, NEW, &opts).unwrap();
        assert_eq!(
            *log.lock().unwrap(),
            ["hold", "TempWritten", "BeforeRename", "release temps=0"]
        );
        // A refused hold writes nothing.
        std::fs::write(dir.path().join("a.yaml"), OLD).unwrap();
        let refuse = || -> Result<Guard, FsError> { Err(FsError::Interrupted) };
        let opts = ReplaceOptions {
            hold: &refuse,
            ..ReplaceOptions::default()
        };
        assert!(matches!(
            replace(&d, "a.yaml", OLD, NEW, &opts),
            Err(FsError::Interrupted)
        ));
        assert_eq!(std::fs::read(dir.path().join("a.yaml")).unwrap(), OLD);
        assert_eq!(names(dir.path()), ["a.yaml"]);
    }

    #[test]
    fn failures_after_the_temp_file_leave_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().to_path_buf();
        let d = DirHandle::open_path(&p).unwrap();
        // Edited after the temp file was written: Changed.
        std::fs::write(p.join("a.yaml"), OLD).unwrap();
        let edit = |s: Step| {
            if s == Step::TempWritten {
                std::fs::write(p.join("a.yaml"), b"host: edited\n").unwrap();
            }
            Ok(())
        };
        let opts = ReplaceOptions {
            checkpoint: &edit,
            ..ReplaceOptions::default()
        };
        assert!(matches!(
            replace(&d, "a.yaml", OLD, NEW, &opts),
            Err(FsError::Changed)
        ));
        assert_eq!(names(&p), ["a.yaml"]);
        // Saved by an editor (a new inode, same bytes): Changed too.
        std::fs::write(p.join("a.yaml"), OLD).unwrap();
        let resave = |s: Step| {
            if s == Step::TempWritten {
                std::fs::write(p.join("b"), OLD).unwrap();
                std::fs::rename(p.join("b"), p.join("a.yaml")).unwrap();
            }
            Ok(())
        };
        let opts = ReplaceOptions {
            checkpoint: &resave,
            ..ReplaceOptions::default()
        };
        assert!(matches!(
            replace(&d, "a.yaml", OLD, NEW, &opts),
            Err(FsError::Changed)
        ));
        assert_eq!(names(&p), ["a.yaml"]);
        // The temp file's name vanished before the rename: the rename fails.
        let vanish = |s: Step| {
            if s == Step::BeforeRename {
                for n in names(&p).iter().filter(|n| n.starts_with(".driftfix-")) {
                    std::fs::remove_file(p.join(n)).unwrap();
                }
            }
            Ok(())
        };
        let opts = ReplaceOptions {
            checkpoint: &vanish,
            ..ReplaceOptions::default()
        };
        assert!(matches!(
            replace(&d, "a.yaml", OLD, NEW, &opts),
            Err(FsError::Io { .. })
        ));
        assert_eq!(std::fs::read(p.join("a.yaml")).unwrap(), OLD);
        // The target became a non-empty directory: the rename fails, the
        // temp file goes.
        let to_dir = |s: Step| {
            if s == Step::BeforeRename {
                std::fs::remove_file(p.join("a.yaml")).unwrap();
                std::fs::create_dir_all(p.join("a.yaml/x")).unwrap();
            }
            Ok(())
        };
        let opts = ReplaceOptions {
            checkpoint: &to_dir,
            ..ReplaceOptions::default()
        };
        assert!(replace(&d, "a.yaml", OLD, NEW, &opts).is_err());
        assert_eq!(names(&p), ["a.yaml"]);
    }

    /// The component-by-component walk (kernels without `openat2`) under
    /// the same exchange race as tests/fs_races.rs.
    #[test]
    fn without_openat2_an_exchange_loop_never_moves_a_write_outside() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};
        let base = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let p = base.path().to_path_buf();
        std::fs::create_dir_all(p.join("a/d")).unwrap();
        std::fs::write(p.join("a/d/x.yaml"), OLD).unwrap();
        std::fs::write(out.path().join("x.yaml"), OLD).unwrap();
        symlink(out.path(), p.join("a/swap")).unwrap();
        let b = BaseDir::open(&p).unwrap().without_openat2();
        let stop = Arc::new(AtomicBool::new(false));
        let flipper = {
            let (stop, p) = (stop.clone(), p.clone());
            std::thread::spawn(move || {
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    std::thread::sleep(std::time::Duration::from_micros(n * 7919 % 2000));
                    rustix::fs::renameat_with(
                        rustix::fs::CWD,
                        p.join("a/d"),
                        rustix::fs::CWD,
                        p.join("a/swap"),
                        rustix::fs::RenameFlags::EXCHANGE,
                    )
                    .unwrap();
                }
            })
        };
        let mut holds = OLD;
        for _ in 0..100 {
            let other = if holds == OLD { NEW } else { OLD };
            match b.replace(
                "a/d/x.yaml",
                holds,
                other,
                &|_| Ok(()),
                &ReplaceOptions::default(),
            ) {
                Ok(_) => holds = other,
                Err(FsError::SymlinkedDir(_) | FsError::Moved(_) | FsError::NotFound(_)) => {
                    std::thread::sleep(std::time::Duration::from_micros(300));
                }
                Err(e) => panic!("{e}"),
            }
        }
        stop.store(true, Ordering::Relaxed);
        flipper.join().unwrap();
        if std::fs::symlink_metadata(p.join("a/d"))
            .unwrap()
            .is_symlink()
        {
            std::fs::rename(p.join("a/d"), p.join("a/tmp")).unwrap();
            std::fs::rename(p.join("a/swap"), p.join("a/d")).unwrap();
        }
        assert_eq!(std::fs::read(p.join("a/d/x.yaml")).unwrap(), holds);
        assert_eq!(std::fs::read(out.path().join("x.yaml")).unwrap(), OLD);
        assert_eq!(names(out.path()), ["x.yaml"]);
        assert_eq!(names(&p.join("a/d")), ["x.yaml"]);
    }

    #[test]
    fn symlinked_targets_write_the_file_they_lead_to() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir_all(p.join("real")).unwrap();
        std::fs::create_dir_all(p.join("legacy")).unwrap();
        std::fs::write(p.join("real/t.yaml"), OLD).unwrap();
        std::fs::write(p.join("legacy/t.yaml"), OLD).unwrap();
        symlink("real/t.yaml", p.join("link.yaml")).unwrap();
        symlink("legacy/t.yaml", p.join("ro.yaml")).unwrap();
        let b = BaseDir::open(p).unwrap();
        let editable = |real: &str| {
            if real.starts_with("legacy/") {
                Err(format!("{real} is readonly"))
            } else {
                Ok(())
            }
        };
        let opts = ReplaceOptions::default();
        let (at, done) = b.replace("link.yaml", OLD, NEW, &editable, &opts).unwrap();
        assert_eq!(at.inside(), Some("real/t.yaml"));
        assert!(!done.already);
        assert!(
            std::fs::symlink_metadata(p.join("link.yaml"))
                .unwrap()
                .is_symlink()
        );
        assert_eq!(std::fs::read(p.join("real/t.yaml")).unwrap(), NEW);
        let e = b
            .replace("ro.yaml", OLD, NEW, &editable, &opts)
            .unwrap_err();
        assert_eq!(e.to_string(), "refused: legacy/t.yaml is readonly");
        assert_eq!(std::fs::read(p.join("legacy/t.yaml")).unwrap(), OLD);
    }
}
