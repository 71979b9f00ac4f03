//! `--output`: where a report or patch goes, and what it may never replace.
//!
//! * `-`, `/dev/stdout`, `/dev/stderr`: the process's own stream (so a
//!   shell's `>>` keeps appending). Not checked against `forbidden`: the
//!   shell opened (and truncated) that file before driftfix started.
//! * an existing FIFO or character device, or a symlink to one
//!   (`/dev/null`, `/dev/fd/63` from `>(wc -c)`): opened and streamed to,
//!   never replaced. A FIFO is opened non-blocking first (to tell "no
//!   reader yet"), then, like a shell's `>`, waits for a reader; writes
//!   block normally. A Unix socket is connected to.
//! * a block device, a directory: refused.
//! * a regular file, a symlink to one, or a name that does not exist yet:
//!   replaced atomically through a handle on its own (real) parent
//!   directory — temp file, fsync, `renameat` — keeping the existing
//!   file's mode, owner and attributes; a new file gets mode 0644.
//!
//! The caller's `forbidden` check (a scanned target, a rule file, a
//! read-only or authority file: SPEC §14) is asked with the file's
//! [`FileId`] when opening, and again through the directory handle just
//! before the rename: a link or hard link to a forbidden file planted at the
//! output name during a long scan is refused then, and the forbidden file is
//! never touched.

use std::fs::File;
use std::io::{self, Write};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::path::Path;

use rustix::fs::{AtFlags, Mode, OFlags};
use rustix::io::Errno;

use super::beneath::{DirHandle, check_name};
use super::error::FsError;
use super::keep::{keep_metadata, set_mode};
use super::meta::{FileId, FileKind, Meta};
use super::read::open_regular_at;
use super::replace::{Guard, hold_nothing};
use super::temp::TempFile;

/// The mode of an output file that did not exist.
pub const NEW_FILE_MODE: u32 = 0o644;

/// What an [`Output`] writes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    /// The process's stdout or stderr.
    Std,
    /// An existing FIFO or character device.
    Stream,
    /// A Unix socket.
    Socket,
    /// A regular file (or a new one), replaced atomically by `commit`.
    Replace,
}

/// The caller's check: `Some(reason)` when this file may not be written.
pub type Forbidden<'f> = &'f dyn Fn(FileId) -> Option<String>;

/// An opened `--output`: write to it, then [`Output::commit`]. Dropped
/// without a commit, a file being replaced is left as it was (the temp
/// file is removed).
pub struct Output<'f> {
    sink: Sink,
    forbidden: Forbidden<'f>,
    hold: &'f dyn Fn() -> Result<Guard, FsError>,
    shown: String,
}

enum Sink {
    Stdout(io::Stdout),
    Stderr(io::Stderr),
    Stream(File),
    Socket(UnixStream),
    Replace(Replacing),
}

/// A regular file being replaced. Field order is drop order: the temp
/// file goes before the hold (a held signal is re-raised only after).
struct Replacing {
    dir: DirHandle,
    name: String,
    temp: Option<TempFile>,
    held: Option<Guard>,
    /// Create only: a file at the name (there at open, or appearing
    /// meanwhile) is never replaced ([`Output::create_only`]).
    new_only: bool,
}

impl<'f> Output<'f> {
    /// Opens `path` as described in the module docs, refusing it when
    /// `forbidden` names a reason for its [`FileId`].
    pub fn open_checked(path: &Path, forbidden: Forbidden<'f>) -> Result<Output<'f>, FsError> {
        let shown = path.display().to_string();
        let sink = open_sink(path, forbidden, &shown)?;
        Ok(Output {
            sink,
            forbidden,
            hold: &hold_nothing,
            shown,
        })
    }

    /// Never replaces a file: an output that exists is refused now, and one
    /// that appears before the commit is not overwritten (the rename
    /// refuses an existing name, `RENAME_NOREPLACE`). For outputs that may
    /// hold a person's edits (`discover --output` without `--force`).
    pub fn create_only(mut self) -> Result<Output<'f>, FsError> {
        match &mut self.sink {
            Sink::Replace(r) => {
                if rustix::fs::statat(&r.dir, r.name.as_str(), AtFlags::SYMLINK_NOFOLLOW).is_ok() {
                    return Err(FsError::Refused(format!("{} already exists", self.shown)));
                }
                r.new_only = true;
                Ok(self)
            }
            _ => Err(FsError::Refused(format!("{} already exists", self.shown))),
        }
    }

    /// Holds signals (or anything else) from the temp file's creation to
    /// its rename or removal; see [`super::ReplaceOptions::hold`].
    pub fn with_hold(mut self, hold: &'f dyn Fn() -> Result<Guard, FsError>) -> Output<'f> {
        self.hold = hold;
        self
    }

    pub fn kind(&self) -> OutputKind {
        match self.sink {
            Sink::Stdout(_) | Sink::Stderr(_) => OutputKind::Std,
            Sink::Stream(_) => OutputKind::Stream,
            Sink::Socket(_) => OutputKind::Socket,
            Sink::Replace(_) => OutputKind::Replace,
        }
    }

    /// Checks `forbidden` again now, writing nothing: the caller may have
    /// learned more since the output was opened (the files a run scanned).
    /// A file to be replaced is looked at through its directory handle.
    pub fn recheck(&self) -> Result<(), FsError> {
        match &self.sink {
            Sink::Replace(r) => current(&r.dir, &r.name, self.forbidden, &self.shown).map(|_| ()),
            Sink::Stream(f) => match (self.forbidden)(Meta::of_fd(f)?.id) {
                Some(why) => Err(FsError::Forbidden(why)),
                None => Ok(()),
            },
            Sink::Stdout(_) | Sink::Stderr(_) | Sink::Socket(_) => Ok(()),
        }
    }

    /// Finishes: flushes a stream, or puts the replacement in place after
    /// checking `forbidden` once more through the directory handle.
    pub fn commit(self) -> Result<(), FsError> {
        let Output {
            sink,
            forbidden,
            hold,
            shown,
        } = self;
        let flushed = match sink {
            Sink::Stdout(mut s) => s.flush(),
            Sink::Stderr(mut s) => s.flush(),
            Sink::Stream(mut f) => f.flush(),
            Sink::Socket(mut s) => s.flush(),
            Sink::Replace(r) => return commit_replace(r, forbidden, hold, &shown),
        };
        flushed.map_err(|e| FsError::std_io(format!("cannot write {shown}"), e))
    }
}

impl Write for Output<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.sink {
            Sink::Stdout(s) => s.write(buf),
            Sink::Stderr(s) => s.write(buf),
            Sink::Stream(f) => f.write(buf),
            Sink::Socket(s) => s.write(buf),
            Sink::Replace(r) => {
                let mut temp = r.temp(self.hold).map_err(io::Error::other)?.file();
                temp.write(buf)
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(s) => s.flush(),
            Sink::Stderr(s) => s.flush(),
            Sink::Stream(f) => f.flush(),
            Sink::Socket(s) => s.flush(),
            Sink::Replace(_) => Ok(()),
        }
    }
}

impl Replacing {
    /// The temp file, created (under the hold) at the first write.
    fn temp(&mut self, hold: &dyn Fn() -> Result<Guard, FsError>) -> Result<&TempFile, FsError> {
        if self.temp.is_none() {
            if self.held.is_none() {
                self.held = Some(hold()?);
            }
            self.temp = Some(TempFile::create(&self.dir)?);
        }
        self.temp
            .as_ref()
            .ok_or_else(|| FsError::Refused("no temp file".into()))
    }
}

fn open_sink(path: &Path, forbidden: Forbidden<'_>, shown: &str) -> Result<Sink, FsError> {
    match path.to_str() {
        Some("-" | "/dev/stdout") => return Ok(Sink::Stdout(io::stdout())),
        Some("/dev/stderr") => return Ok(Sink::Stderr(io::stderr())),
        _ => {}
    }
    let st = match rustix::fs::stat(path) {
        Ok(st) => Meta::from_stat(&st),
        Err(Errno::NOENT) => return open_new(path, forbidden, shown),
        Err(Errno::LOOP) => return Err(FsError::BadLink(shown.into())),
        Err(e) => return Err(FsError::io(format!("cannot stat {shown}"), e)),
    };
    match st.kind {
        FileKind::Regular => open_existing(path, st.id, forbidden, shown),
        FileKind::Fifo | FileKind::CharDevice => open_stream(path, st.kind, forbidden, shown),
        FileKind::Socket => UnixStream::connect(path)
            .map(Sink::Socket)
            .map_err(|e| FsError::std_io(format!("cannot connect to {shown}"), e)),
        FileKind::Directory => Err(FsError::Refused(format!("{shown} is a directory"))),
        FileKind::BlockDevice => Err(FsError::Refused(format!(
            "{shown} is a block device; driftfix never writes to one"
        ))),
        kind => Err(FsError::NotRegular(kind)),
    }
}

/// A FIFO or character device, opened for writing and never replaced.
fn open_stream(
    path: &Path,
    kind: FileKind,
    forbidden: Forbidden<'_>,
    shown: &str,
) -> Result<Sink, FsError> {
    let flags = OFlags::WRONLY | OFlags::NOCTTY | OFlags::CLOEXEC;
    let fd = match rustix::fs::open(path, flags | OFlags::NONBLOCK, Mode::empty()) {
        Ok(fd) => fd,
        // A FIFO nobody reads yet: wait for a reader, as a shell's `>` does.
        Err(Errno::NXIO) if kind == FileKind::Fifo => rustix::fs::open(path, flags, Mode::empty())
            .map_err(|e| FsError::io(format!("cannot open {shown}"), e))?,
        Err(e) => return Err(FsError::io(format!("cannot open {shown}"), e)),
    };
    let meta = Meta::of_fd(&fd)?;
    if let Some(why) = forbidden(meta.id) {
        return Err(FsError::Forbidden(why));
    }
    match meta.kind {
        FileKind::Fifo | FileKind::CharDevice => {}
        // Swapped since the stat: nothing was written through this fd.
        _ => return Err(FsError::Moved(shown.into())),
    }
    let fl = rustix::fs::fcntl_getfl(&fd).map_err(|e| FsError::io("fcntl", e))?;
    rustix::fs::fcntl_setfl(&fd, fl - OFlags::NONBLOCK).map_err(|e| FsError::io("fcntl", e))?;
    Ok(Sink::Stream(File::from(fd)))
}

/// A regular file (or a symlink to one): replaced in its real directory,
/// the link kept.
fn open_existing(
    path: &Path,
    id: FileId,
    forbidden: Forbidden<'_>,
    shown: &str,
) -> Result<Sink, FsError> {
    if let Some(why) = forbidden(id) {
        return Err(FsError::Forbidden(why));
    }
    let real = std::fs::canonicalize(path)
        .map_err(|e| FsError::std_io(format!("cannot resolve {shown}"), e))?;
    let (dir, name) = split(&real, shown)?;
    let dir = DirHandle::open_path(dir)?;
    match current(&dir, &name, forbidden, shown)? {
        Some((_, m)) if m.id == id => Ok(Sink::Replace(Replacing {
            dir,
            name,
            temp: None,
            held: None,
            new_only: false,
        })),
        _ => Err(FsError::Moved(shown.into())),
    }
}

/// A name that does not exist yet, in a directory that must.
fn open_new(path: &Path, forbidden: Forbidden<'_>, shown: &str) -> Result<Sink, FsError> {
    if rustix::fs::lstat(path).is_ok() {
        return Err(FsError::BadLink(shown.into()));
    }
    let (dir, name) = split(path, shown)?;
    let dir = DirHandle::open_path(dir)?;
    // It may have appeared meanwhile: the same checks as at commit.
    current(&dir, &name, forbidden, shown)?;
    Ok(Sink::Replace(Replacing {
        dir,
        name,
        temp: None,
        held: None,
        new_only: false,
    }))
}

/// The parent directory (`.` for a bare name) and the file name.
fn split<'p>(path: &'p Path, shown: &str) -> Result<(&'p Path, String), FsError> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| FsError::Refused(format!("{shown} names no file (or not in UTF-8)")))?;
    check_name(name)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Ok((dir, name.to_string()))
}

/// What is at `name` in `dir` now, looked at through the handle: nothing,
/// or a regular file that `forbidden` allows (opened, for its metadata).
/// A symlink or hard link to a forbidden file is [`FsError::Forbidden`];
/// any other symlink, or anything not a regular file, is refused.
fn current(
    dir: &DirHandle,
    name: &str,
    forbidden: Forbidden<'_>,
    shown: &str,
) -> Result<Option<(File, Meta)>, FsError> {
    let st = match rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(st) => Meta::from_stat(&st),
        Err(Errno::NOENT) => return Ok(None),
        Err(e) => return Err(FsError::io(format!("cannot stat {shown}"), e)),
    };
    match st.kind {
        FileKind::Regular => {
            let (file, meta) = open_regular_at(dir.as_fd(), name)?;
            if let Some(why) = forbidden(meta.id) {
                return Err(FsError::Forbidden(why));
            }
            Ok(Some((file, meta)))
        }
        FileKind::Symlink => {
            let leads_to =
                rustix::fs::openat(dir, name, OFlags::PATH | OFlags::CLOEXEC, Mode::empty())
                    .ok()
                    .and_then(|fd| FileId::of_fd(&fd).ok());
            if let Some(why) = leads_to.and_then(forbidden) {
                return Err(FsError::Forbidden(why));
            }
            Err(FsError::Moved(shown.into()))
        }
        FileKind::Directory => Err(FsError::Refused(format!("{shown} is a directory"))),
        kind => Err(FsError::Refused(format!("{shown} became a {kind}"))),
    }
}

/// Puts the replacement in place: metadata, fsync, the last check, rename.
fn commit_replace(
    mut r: Replacing,
    forbidden: Forbidden<'_>,
    hold: &dyn Fn() -> Result<Guard, FsError>,
    shown: &str,
) -> Result<(), FsError> {
    r.temp(hold)?;
    let temp = r
        .temp
        .take()
        .ok_or_else(|| FsError::Refused("no temp file".into()))?;
    let done = if r.new_only {
        finish_new(&r.dir, &r.name, temp, shown)
    } else {
        finish(&r.dir, &r.name, temp, forbidden, shown)
    };
    // The temp file is renamed or removed by now; the hold ends after it.
    drop(r);
    done
}

fn finish(
    dir: &DirHandle,
    name: &str,
    temp: TempFile,
    forbidden: Forbidden<'_>,
    shown: &str,
) -> Result<(), FsError> {
    let original = current(dir, name, forbidden, shown)?;
    let out = temp.file().as_fd();
    match &original {
        Some((file, meta)) => keep_metadata(file.as_fd(), meta, out)?,
        None => set_mode(out, NEW_FILE_MODE)?,
    }
    temp.file()
        .sync_all()
        .map_err(|e| FsError::std_io("cannot sync the temp file", e))?;
    // The last look, right before the rename.
    let now = current(dir, name, forbidden, shown)?;
    if now.map(|(_, m)| m.id) != original.map(|(_, m)| m.id) {
        return Err(FsError::Moved(shown.into()));
    }
    dir.still_in_place()?;
    temp.rename_over(name)?;
    dir.sync();
    Ok(())
}

/// [`finish`] for a name that must not exist: a new file's mode, and a
/// rename that fails when anything appeared at the name meanwhile.
fn finish_new(dir: &DirHandle, name: &str, temp: TempFile, shown: &str) -> Result<(), FsError> {
    set_mode(temp.file().as_fd(), NEW_FILE_MODE)?;
    temp.file()
        .sync_all()
        .map_err(|e| FsError::std_io("cannot sync the temp file", e))?;
    dir.still_in_place()?;
    temp.rename_new(name, shown)?;
    dir.sync();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    fn nothing(_: FileId) -> Option<String> {
        None
    }

    #[test]
    fn new_and_existing_files_are_replaced_with_their_modes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.md");
        let mut o = Output::open_checked(&p, &nothing).unwrap();
        assert_eq!(o.kind(), OutputKind::Replace);
        o.write_all(b"one").unwrap();
        assert!(!p.exists(), "not before the commit");
        o.commit().unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o7777,
            0o644
        );
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        let mut o = Output::open_checked(&p, &nothing).unwrap();
        o.write_all(b"two").unwrap();
        o.commit().unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o7777,
            0o600
        );
        // Dropped without a commit: nothing changes, nothing is left.
        let mut o = Output::open_checked(&p, &nothing).unwrap();
        o.write_all(b"three").unwrap();
        drop(o);
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        // An empty report still replaces.
        Output::open_checked(&p, &nothing)
            .unwrap()
            .commit()
            .unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"");
    }

    #[test]
    fn a_symlink_to_a_regular_file_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("real")).unwrap();
        let target = dir.path().join("real/r.md");
        std::fs::write(&target, b"old").unwrap();
        let link = dir.path().join("r.md");
        symlink("real/r.md", &link).unwrap();
        let mut o = Output::open_checked(&link, &nothing).unwrap();
        o.write_all(b"new").unwrap();
        o.commit().unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
    }

    #[test]
    fn refusals() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        assert!(matches!(
            Output::open_checked(p, &nothing),
            Err(FsError::Refused(m)) if m.ends_with("is a directory")
        ));
        assert!(matches!(
            Output::open_checked(&p.join("no/such/dir/r.md"), &nothing),
            Err(FsError::NotFound(_))
        ));
        symlink("nowhere", p.join("dangling")).unwrap();
        assert!(matches!(
            Output::open_checked(&p.join("dangling"), &nothing),
            Err(FsError::BadLink(_))
        ));
        std::fs::write(p.join("inv.yaml"), b"x").unwrap();
        let inv = FileId::of_path(&p.join("inv.yaml")).unwrap();
        let guard = move |id: FileId| (id == inv).then(|| "inv.yaml is a scanned target".into());
        let e = Output::open_checked(&p.join("inv.yaml"), &guard)
            .err()
            .unwrap();
        assert_eq!(e.to_string(), "refused: inv.yaml is a scanned target");
        if Path::new("/dev/loop0").exists() || Path::new("/dev/sda").exists() {
            let dev = if Path::new("/dev/loop0").exists() {
                "/dev/loop0"
            } else {
                "/dev/sda"
            };
            assert!(matches!(
                Output::open_checked(Path::new(dev), &nothing),
                Err(FsError::Refused(m)) if m.contains("block device")
            ));
        }
    }

    #[test]
    fn create_only_never_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("draft.toml");
        std::fs::write(&p, b"mine").unwrap();
        assert!(
            Output::open_checked(&p, &nothing)
                .unwrap()
                .create_only()
                .is_err()
        );
        std::fs::remove_file(&p).unwrap();
        let mut o = Output::open_checked(&p, &nothing)
            .unwrap()
            .create_only()
            .unwrap();
        o.write_all(b"draft").unwrap();
        // Appeared meanwhile: kept, and the temp file goes.
        std::fs::write(&p, b"edited meanwhile").unwrap();
        assert!(o.commit().is_err());
        assert_eq!(std::fs::read(&p).unwrap(), b"edited meanwhile");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        std::fs::remove_file(&p).unwrap();
        let mut o = Output::open_checked(&p, &nothing)
            .unwrap()
            .create_only()
            .unwrap();
        o.write_all(b"draft").unwrap();
        o.commit().unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"draft");
    }

    #[test]
    fn std_streams_by_name() {
        for name in ["-", "/dev/stdout", "/dev/stderr"] {
            let o = Output::open_checked(Path::new(name), &nothing).unwrap();
            assert_eq!(o.kind(), OutputKind::Std, "{name}");
        }
    }
}
