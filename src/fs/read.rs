//! Bounded reads of regular files: never a FIFO (it would block), never a
//! device (`/dev/zero` never ends), never more than the limit.
//!
//! The file is looked at (`fstatat`, no follow) before it is opened, so a
//! device or FIFO swapped in is normally not even opened (opening some
//! devices has effects). Then it is opened with
//! `O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC`, and the
//! *opened* file is checked with `fstat`: that answer cannot be raced. The
//! read stops one byte past the limit, to tell "exactly the limit" from
//! "more".

use std::fs::File;
use std::io::Read as _;
use std::os::fd::{AsFd, BorrowedFd};
use std::path::Path;

use rustix::fs::{AtFlags, Mode, OFlags};
use rustix::io::Errno;

use super::beneath::{BaseDir, DirHandle, Located, Place, check_name};
use super::error::FsError;
use super::meta::{FileKind, Meta};

/// A file's bytes and what `fstat` said about the file they were read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contents {
    pub bytes: Vec<u8>,
    pub meta: Meta,
}

/// A target read through the base directory's handles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRead {
    /// Where the file really is (a symlink's target decides the role).
    pub located: Located,
    pub contents: Contents,
}

/// The flags of every read: see the module docs.
fn read_flags() -> OFlags {
    OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC
}

/// Reads the regular file `name` in `dir`, at most `max` bytes. A symlink
/// there is not followed ([`FsError::NotRegular`] with
/// [`FileKind::Symlink`]).
pub fn read_regular_at(dir: &DirHandle, name: &str, max: u64) -> Result<Contents, FsError> {
    let (file, meta) = open_regular_at(dir.as_fd(), name)?;
    let bytes = read_bounded(&file, &meta, max)?;
    Ok(Contents { bytes, meta })
}

/// Reads the regular file `path` leads to (following symlinks, as the
/// kernel does), at most `max` bytes. For files named by the user that may
/// lie outside the base: rule files, `--baseline`.
pub fn read_regular_path(path: &Path, max: u64) -> Result<Contents, FsError> {
    let shown = || path.display().to_string();
    let st = rustix::fs::stat(path).map_err(|e| match e {
        Errno::NOENT => FsError::NotFound(shown()),
        Errno::LOOP => FsError::BadLink(shown()),
        e => FsError::io(format!("cannot stat {}", shown()), e),
    })?;
    let kind = FileKind::from_mode(st.st_mode);
    if kind != FileKind::Regular {
        return Err(FsError::NotRegular(kind));
    }
    let fd = rustix::fs::open(path, read_flags() - OFlags::NOFOLLOW, Mode::empty())
        .map_err(|e| open_error(e, shown()))?;
    let file = File::from(fd);
    let meta = regular_meta(&file)?;
    let bytes = read_bounded(&file, &meta, max)?;
    Ok(Contents { bytes, meta })
}

impl BaseDir {
    /// Reads the target `rel` through handles: a symlinked directory on the
    /// way is an error, a symlinked file is read where it leads (inside the
    /// base through handles alone; outside through the link, to be reported
    /// but never written).
    pub fn read(&self, rel: &str, max: u64) -> Result<TargetRead, FsError> {
        self.read_located(self.locate(rel)?, max)
    }

    /// [`BaseDir::read`] of a target already located, for callers that look
    /// at what the path is (its [`Located::id`], its place) before reading.
    /// The file read must still be the one located ([`FsError::Moved`]).
    pub fn read_located(&self, located: Located, max: u64) -> Result<TargetRead, FsError> {
        if located.kind != FileKind::Regular {
            return Err(FsError::NotRegular(located.kind));
        }
        let contents = match &located.place {
            Place::Inside(real) => {
                let (dir, name) = self.parent(real)?;
                read_regular_at(&dir, &name, max)?
            }
            Place::Outside(_) => {
                let (dir, name) = self.parent(&located.rel)?;
                read_through_link(&dir, &name, max)?
            }
        };
        if contents.meta.id != located.id {
            return Err(FsError::Moved(located.rel));
        }
        Ok(TargetRead { located, contents })
    }
}

impl BaseDir {
    /// The fast path of a target the walk listed as a plain regular file:
    /// one `openat2` beneath the base that follows no symlink anywhere (the
    /// last component included), then the *opened* file's `fstat` says it
    /// is regular, how large, and which file it is. No `stat` before the
    /// open: the directory listing already said "regular file", and the
    /// open flags (`O_NONBLOCK | O_NOCTTY`) keep a FIFO or device swapped
    /// in meanwhile from blocking or becoming a terminal; `fstat` then
    /// refuses it. Issue 19: the stat before the open cost 20,000 system
    /// calls on a 20,000-file tree.
    ///
    /// Reads into `bytes` and gives the file's metadata; `None` whenever
    /// anything is unusual (no `openat2`, a symlink, not a regular file,
    /// too large, a read error): the caller then takes the careful path
    /// ([`BaseDir::locate`], [`BaseDir::read_located`]), which says what
    /// is wrong.
    ///
    /// `settle`, when given, may look at the open file first (a large file
    /// streamed through `bytes`): when it answers `true` the file is not
    /// read, and [`PlainRead::Settled`] says so.
    pub fn read_plain_into(
        &self,
        rel: &str,
        max: u64,
        bytes: &mut Vec<u8>,
        settle: Option<&Settle<'_>>,
    ) -> Option<PlainRead> {
        if !self.uses_openat2() || rel.is_empty() || rel.starts_with('/') {
            return None;
        }
        let how = rustix::fs::ResolveFlags::BENEATH
            | rustix::fs::ResolveFlags::NO_SYMLINKS
            | rustix::fs::ResolveFlags::NO_MAGICLINKS;
        let fd = rustix::fs::openat2(self.as_fd(), rel, read_flags(), Mode::empty(), how).ok()?;
        let mut file = File::from(fd);
        let meta = regular_meta(&file).ok()?;
        if let Some(settle) = settle
            && meta.size <= max
        {
            match settle(&file, &meta, bytes) {
                Look::Settled => {
                    bytes.clear();
                    return Some(PlainRead::Settled(meta));
                }
                Look::Unsettled => std::io::Seek::rewind(&mut file).ok()?,
                // Nothing was read: no seek back (issue 19: an `lseek`
                // per file that rg does not make).
                Look::Untouched => {}
            }
        }
        read_bounded_into(&file, &meta, max, bytes).ok()?;
        Some(PlainRead::Read(meta))
    }
}

/// A look at an open file before it is read whole (see
/// [`BaseDir::read_plain_into`]).
pub type Settle<'a> = dyn Fn(&File, &Meta, &mut Vec<u8>) -> Look + 'a;

/// What a [`Settle`] look made of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    /// Not looked at (nothing read): the file is read whole from where it
    /// is, the start.
    Untouched,
    /// Read part of it and did not settle it: read whole from the start.
    Unsettled,
    /// Settled: not read whole.
    Settled,
}

/// What [`BaseDir::read_plain_into`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlainRead {
    /// The bytes are in the buffer.
    Read(Meta),
    /// The look before the read settled the file: nothing was read.
    Settled(Meta),
}

impl PlainRead {
    pub fn meta(&self) -> &Meta {
        match self {
            PlainRead::Read(m) | PlainRead::Settled(m) => m,
        }
    }
}

/// Reads what the symlink `name` in `dir` leads to.
fn read_through_link(dir: &DirHandle, name: &str, max: u64) -> Result<Contents, FsError> {
    check_name(name)?;
    let fd = rustix::fs::openat(dir, name, read_flags() - OFlags::NOFOLLOW, Mode::empty())
        .map_err(|e| open_error(e, name.to_string()))?;
    let file = File::from(fd);
    let meta = regular_meta(&file)?;
    let bytes = read_bounded(&file, &meta, max)?;
    Ok(Contents { bytes, meta })
}

/// Opens the regular file `name` in `dir` for reading, following nothing.
/// The open file is kept by the writer for its metadata and attributes.
pub(crate) fn open_regular_at(dir: BorrowedFd<'_>, name: &str) -> Result<(File, Meta), FsError> {
    check_name(name)?;
    let st = rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW).map_err(|e| match e {
        Errno::NOENT => FsError::NotFound(name.to_string()),
        e => FsError::io(format!("cannot stat {name}"), e),
    })?;
    let kind = FileKind::from_mode(st.st_mode);
    if kind != FileKind::Regular {
        return Err(FsError::NotRegular(kind));
    }
    let fd = rustix::fs::openat(dir, name, read_flags(), Mode::empty())
        .map_err(|e| open_error(e, name.to_string()))?;
    let file = File::from(fd);
    let meta = regular_meta(&file)?;
    Ok((file, meta))
}

fn open_error(e: Errno, shown: String) -> FsError {
    match e {
        // O_NOFOLLOW on a symlink.
        Errno::LOOP => FsError::NotRegular(FileKind::Symlink),
        // open(2) of a socket.
        Errno::NXIO => FsError::NotRegular(FileKind::Socket),
        Errno::NOENT => FsError::NotFound(shown),
        e => FsError::io(format!("cannot open {shown}"), e),
    }
}

/// The open file's metadata, which must say regular file.
fn regular_meta(file: &File) -> Result<Meta, FsError> {
    let meta = Meta::of_fd(file.as_fd())?;
    if meta.kind != FileKind::Regular {
        return Err(FsError::NotRegular(meta.kind));
    }
    Ok(meta)
}

/// Reads at most `max` bytes of an open regular file, from the start.
pub(crate) fn read_bounded(file: &File, meta: &Meta, max: u64) -> Result<Vec<u8>, FsError> {
    let mut bytes = Vec::new();
    read_bounded_into(file, meta, max, &mut bytes)?;
    Ok(bytes)
}

/// [`read_bounded`] into `bytes` (cleared first), so that a caller reading
/// many files reuses one buffer instead of allocating one per file.
pub(crate) fn read_bounded_into(
    file: &File,
    meta: &Meta,
    max: u64,
    bytes: &mut Vec<u8>,
) -> Result<(), FsError> {
    bytes.clear();
    if meta.size > max {
        return Err(FsError::TooLarge {
            len: meta.size,
            max,
        });
    }
    let limit = max.saturating_add(1);
    let got = read_sized(file, meta.size.saturating_add(1).min(limit), bytes)
        .map_err(|e| FsError::std_io("cannot read", e))?;
    if got != meta.size {
        // Not the size the open file's `fstat` gave (it changed, or the
        // read came back short): read on to the end, as far as `max`.
        file.take(limit.saturating_sub(got))
            .read_to_end(bytes)
            .map_err(|e| FsError::std_io("cannot read", e))?;
    }
    let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if len > max {
        return Err(FsError::TooLarge {
            len: len.max(meta.size),
            max,
        });
    }
    Ok(())
}

/// One `read` of up to `want` bytes into `bytes` (cleared), retried on
/// `EINTR`; returns how many came. Asking for one byte more than the
/// file's size and getting exactly its size is the end of the file: the
/// second `read` that would return 0 is not made (issue 19: one syscall
/// in five of a scan of small files).
fn read_sized(mut file: &File, want: u64, bytes: &mut Vec<u8>) -> std::io::Result<u64> {
    let want = usize::try_from(want).unwrap_or(usize::MAX);
    bytes.resize(want, 0);
    let got = loop {
        match file.read(bytes) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => break other,
        }
    };
    let got = got.inspect_err(|_| bytes.clear())?;
    bytes.truncate(got);
    Ok(u64::try_from(got).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;
    use std::time::{Duration, Instant};

    #[test]
    fn a_file_that_changed_size_since_its_fstat_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a");
        std::fs::write(&path, b"0123456789").unwrap();
        let file = File::open(&path).unwrap();
        let meta = Meta::of_fd(&file).unwrap();
        let mut bytes = b"stale".to_vec();
        read_bounded_into(&file, &meta, 100, &mut bytes).unwrap();
        assert_eq!(bytes, b"0123456789");
        // Grown after the fstat: read on past the size it gave.
        std::fs::write(&path, b"0123456789abcdef").unwrap();
        let file = File::open(&path).unwrap();
        read_bounded_into(&file, &meta, 100, &mut bytes).unwrap();
        assert_eq!(bytes, b"0123456789abcdef");
        // ... but never past the limit.
        let file = File::open(&path).unwrap();
        assert!(matches!(
            read_bounded_into(&file, &meta, 12, &mut bytes),
            Err(FsError::TooLarge { len: 13, max: 12 })
        ));
        // Shrunk: what is there.
        std::fs::write(&path, b"0123").unwrap();
        let file = File::open(&path).unwrap();
        read_bounded_into(&file, &meta, 100, &mut bytes).unwrap();
        assert_eq!(bytes, b"0123");
        let empty = Meta { size: 0, ..meta };
        std::fs::write(&path, b"").unwrap();
        let file = File::open(&path).unwrap();
        read_bounded_into(&file, &empty, 100, &mut bytes).unwrap();
        assert!(bytes.is_empty());
    }

    #[test]
    fn reads_regular_files_within_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), b"0123456789").unwrap();
        let d = DirHandle::open_path(dir.path()).unwrap();
        let c = read_regular_at(&d, "a", 10).unwrap();
        assert_eq!(c.bytes, b"0123456789");
        assert_eq!(c.meta.size, 10);
        assert!(matches!(
            read_regular_at(&d, "a", 9),
            Err(FsError::TooLarge { len: 10, max: 9 })
        ));
        assert!(matches!(
            read_regular_at(&d, "b", 9),
            Err(FsError::NotFound(_))
        ));
        assert!(matches!(
            read_regular_at(&d, "../a", 9),
            Err(FsError::Refused(_))
        ));
        assert_eq!(read_regular_path(&dir.path().join("a"), 10).unwrap(), c);
    }

    #[test]
    fn never_blocks_or_reads_forever() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        rustix::fs::mkfifoat(rustix::fs::CWD, p.join("fifo"), Mode::from(0o644)).unwrap();
        let _sock = std::os::unix::net::UnixListener::bind(p.join("sock")).unwrap();
        symlink("/dev/zero", p.join("zero")).unwrap();
        symlink("fifo", p.join("to-fifo")).unwrap();
        let d = DirHandle::open_path(p).unwrap();
        let start = Instant::now();
        for (name, kind) in [
            ("fifo", FileKind::Fifo),
            ("sock", FileKind::Socket),
            ("zero", FileKind::Symlink),
            ("to-fifo", FileKind::Symlink),
        ] {
            match read_regular_at(&d, name, 1 << 20) {
                Err(FsError::NotRegular(k)) => assert_eq!(k, kind, "{name}"),
                other => panic!("{name}: {other:?}"),
            }
        }
        for name in ["fifo", "sock", "zero", "to-fifo"] {
            assert!(
                matches!(
                    read_regular_path(&p.join(name), 1 << 20),
                    Err(FsError::NotRegular(_))
                ),
                "{name}"
            );
        }
        // A file with no size that never ends (procfs-like) stops at the limit.
        let f = File::open("/dev/zero").unwrap();
        let m = Meta {
            kind: FileKind::Regular,
            size: 0,
            ..Meta::of_fd(&f).unwrap()
        };
        assert!(matches!(
            read_bounded(&f, &m, 4096),
            Err(FsError::TooLarge {
                len: 4097,
                max: 4096
            })
        ));
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn targets_are_read_through_handles() {
        let base = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let p = base.path();
        std::fs::create_dir(p.join("d")).unwrap();
        std::fs::write(p.join("d/x.yaml"), b"in").unwrap();
        std::fs::write(out.path().join("o.yaml"), b"out").unwrap();
        symlink("d/x.yaml", p.join("l.yaml")).unwrap();
        symlink(out.path().join("o.yaml"), p.join("o.yaml")).unwrap();
        symlink(out.path(), p.join("od")).unwrap();
        let b = BaseDir::open(p).unwrap();
        let r = b.read("l.yaml", 100).unwrap();
        assert_eq!(r.contents.bytes, b"in");
        assert_eq!(r.located.inside(), Some("d/x.yaml"));
        let r = b.read("o.yaml", 100).unwrap();
        assert_eq!(r.contents.bytes, b"out");
        assert!(matches!(r.located.place, Place::Outside(_)));
        assert!(matches!(
            b.read("od/o.yaml", 100),
            Err(FsError::SymlinkedDir(_))
        ));
        assert!(matches!(
            b.read("d", 100),
            Err(FsError::NotRegular(FileKind::Directory))
        ));
    }
}
