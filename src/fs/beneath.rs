//! The base directory, opened once, and paths resolved beneath it without
//! ever following a symlinked directory.
//!
//! Why handles and not path strings: a path is looked up again by every
//! system call that takes it, so a directory swapped for a symlink between
//! two calls moves the second one anywhere. A directory *handle* (an open
//! fd) stays on the directory it was opened on, so everything done through
//! it (`openat`, `renameat`, `unlinkat`) stays there too.
//!
//! Resolution uses `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)` (Linux
//! 5.6+), which refuses `..`, absolute paths and every symlink on the way in
//! one system call. Where it is not available (an old kernel, a seccomp
//! filter), or when it fails, the path is walked one component at a time
//! with `O_NOFOLLOW | O_DIRECTORY`: equally safe, and it names the
//! component that stopped it.
//!
//! A symlinked *file* (the last component) is different: §6 keeps the link
//! and writes the file it leads to, when that file is inside the base. Where
//! it leads is asked of the kernel, not computed from the link text: the link
//! is opened (`O_PATH`, following it) from its directory handle, and the
//! opened file's real path is read from `/proc/self/fd`. A real path under
//! the base is then opened again *beneath the base without following
//! anything* and must be the same file (device and inode), so the relative
//! path given back is one that reaches the file through handles alone, and
//! its role is the role of that real path.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use rustix::fs::{AtFlags, Mode, OFlags, ResolveFlags};
use rustix::io::Errno;

use super::error::FsError;
use super::meta::{FileId, FileKind, Meta};

/// The base directory, held open: every target is reached from it.
#[derive(Debug)]
pub struct BaseDir {
    fd: Arc<OwnedFd>,
    /// As the user named it, made absolute (for messages).
    path: PathBuf,
    /// Where the kernel says it is (symlinks resolved).
    real: PathBuf,
    id: FileId,
    /// `false` only in tests, to exercise the component-by-component walk.
    use_openat2: bool,
}

/// Where a path leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// Under the base directory, at this relative path (`/`-separated, no
    /// symlink on the way; `.` for the base itself).
    Inside(String),
    /// Outside the base directory, at this real path: read, never written.
    Outside(PathBuf),
}

/// What [`BaseDir::locate`] found at a relative path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The path asked for, normalised (`./a//b` → `a/b`).
    pub rel: String,
    /// Where it really is: `Inside(rel)` itself unless it is a symlink.
    pub place: Place,
    /// The last component is a symlink (kept; its target is what
    /// [`Located::place`] names).
    pub via_link: bool,
    /// The file it leads to.
    pub id: FileId,
    pub kind: FileKind,
}

impl Located {
    /// The real relative path, when the file is inside the base.
    pub fn inside(&self) -> Option<&str> {
        match &self.place {
            Place::Inside(rel) => Some(rel),
            Place::Outside(_) => None,
        }
    }
}

/// An open directory: beneath the base (reached without symlinks), or the
/// parent directory of `--output`.
#[derive(Debug)]
pub struct DirHandle {
    fd: Arc<OwnedFd>,
    id: FileId,
    origin: Origin,
}

/// How a [`DirHandle`] was reached, to check that the same path still
/// reaches it just before a rename.
#[derive(Debug)]
enum Origin {
    Beneath {
        base: Arc<OwnedFd>,
        rel: String,
        use_openat2: bool,
    },
    Path(PathBuf),
}

impl BaseDir {
    /// Opens the base directory. This is the only path lookup that follows
    /// symlinks: the user named this directory.
    pub fn open(path: &Path) -> Result<BaseDir, FsError> {
        let shown = || path.display().to_string();
        let fd = open_named_dir(path, "base directory")?;
        let id = FileId::of_fd(&fd)?;
        let real = match proc_path(fd.as_fd()) {
            Some(p) => p,
            None => std::fs::canonicalize(path)
                .map_err(|e| FsError::std_io(format!("cannot resolve {}", shown()), e))?,
        };
        Ok(BaseDir {
            fd: Arc::new(fd),
            path: std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
            real,
            id,
            use_openat2: true,
        })
    }

    /// The base directory as given (absolute).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The base directory's real path (symlinks resolved).
    pub fn real_path(&self) -> &Path {
        &self.real
    }

    pub fn id(&self) -> FileId {
        self.id
    }

    /// A second reference to the base's open file description (the lock is
    /// taken on it).
    pub(crate) fn shared_fd(&self) -> Arc<OwnedFd> {
        Arc::clone(&self.fd)
    }

    /// A handle on the directory `rel` (`""` or `.` for the base itself).
    pub fn dir(&self, rel: &str) -> Result<DirHandle, FsError> {
        let comps = components(rel)?;
        self.dir_of(&comps)
    }

    /// A handle on the directory that holds `rel`, and `rel`'s last
    /// component: what `openat`, `renameat` and friends take.
    pub fn parent(&self, rel: &str) -> Result<(DirHandle, String), FsError> {
        let comps = components(rel)?;
        let (name, dirs) = comps
            .split_last()
            .ok_or_else(|| FsError::Refused(format!("{rel:?} names no file")))?;
        Ok((self.dir_of(dirs)?, (*name).to_string()))
    }

    fn dir_of(&self, comps: &[&str]) -> Result<DirHandle, FsError> {
        let fd = open_dir_beneath(self.fd.as_fd(), comps, self.use_openat2, OFlags::RDONLY)?;
        Ok(DirHandle {
            id: FileId::of_fd(&fd)?,
            fd: Arc::new(fd),
            origin: Origin::Beneath {
                base: Arc::clone(&self.fd),
                rel: comps.join("/"),
                use_openat2: self.use_openat2,
            },
        })
    }

    /// What `rel` is and where it really is. A symlinked file is followed
    /// (by the kernel, from its directory handle) to say where it leads; a
    /// symlinked directory on the way is an error.
    pub fn locate(&self, rel: &str) -> Result<Located, FsError> {
        let comps = components(rel)?;
        let norm = comps.join("/");
        let (dir, name) = self.parent(&norm)?;
        let st = rustix::fs::statat(dir.as_fd(), name.as_str(), AtFlags::SYMLINK_NOFOLLOW)
            .map_err(|e| match e {
                Errno::NOENT => FsError::NotFound(norm.clone()),
                e => FsError::io(format!("cannot stat {norm}"), e),
            })?;
        let own = Meta::from_stat(&st);
        if own.kind != FileKind::Symlink {
            return Ok(Located {
                place: Place::Inside(norm.clone()),
                rel: norm,
                via_link: false,
                id: own.id,
                kind: own.kind,
            });
        }
        let fd = rustix::fs::openat(
            dir.as_fd(),
            name.as_str(),
            OFlags::PATH | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| match e {
            Errno::NOENT | Errno::LOOP => FsError::BadLink(norm.clone()),
            e => FsError::io(format!("cannot follow {norm}"), e),
        })?;
        let meta = Meta::of_fd(&fd)?;
        Ok(Located {
            place: self.place_of_fd(fd.as_fd(), meta.id, &norm)?,
            rel: norm,
            via_link: true,
            id: meta.id,
            kind: meta.kind,
        })
    }

    /// Where `path` (absolute, or relative to the current directory) really
    /// is, as the kernel resolves it: for a ROOT such as `alias/` (a symlink
    /// to `.`) this is `Inside(".")`, so the files under it get the roles of
    /// their real paths.
    pub fn place_of(&self, path: &Path) -> Result<Place, FsError> {
        let shown = path.display().to_string();
        let fd =
            rustix::fs::open(path, OFlags::PATH | OFlags::CLOEXEC, Mode::empty()).map_err(|e| {
                match e {
                    Errno::NOENT => FsError::NotFound(shown.clone()),
                    Errno::LOOP => FsError::BadLink(shown.clone()),
                    e => FsError::io(format!("cannot open {shown}"), e),
                }
            })?;
        let id = FileId::of_fd(&fd)?;
        self.place_of_fd(fd.as_fd(), id, &shown)
    }

    /// The place of an open file: its real path from `/proc/self/fd`, and,
    /// when that is under the base, a check that the same relative path
    /// reaches the same file through handles alone.
    fn place_of_fd(&self, fd: BorrowedFd<'_>, id: FileId, shown: &str) -> Result<Place, FsError> {
        let real = proc_path(fd).ok_or_else(|| {
            FsError::Refused(format!(
                "{shown}: cannot tell where it leads (deleted meanwhile, or /proc not mounted)"
            ))
        })?;
        let Ok(under) = real.strip_prefix(&self.real) else {
            return Ok(Place::Outside(real));
        };
        let mut parts = Vec::new();
        for c in under.components() {
            match c {
                Component::Normal(s) => parts.push(s.to_str().ok_or_else(|| {
                    FsError::Refused(format!("{shown}: its real path is not UTF-8"))
                })?),
                _ => return Ok(Place::Outside(real)),
            }
        }
        let rel = parts.join("/");
        if self.id_beneath(&parts)? != id {
            return Err(FsError::Moved(shown.to_string()));
        }
        Ok(Place::Inside(if rel.is_empty() { ".".into() } else { rel }))
    }

    /// The identity of what `comps` names beneath the base, following
    /// nothing (the last component itself may be anything).
    fn id_beneath(&self, comps: &[&str]) -> Result<FileId, FsError> {
        let Some((name, dirs)) = comps.split_last() else {
            return Ok(self.id);
        };
        let dir = open_dir_beneath(self.fd.as_fd(), dirs, self.use_openat2, OFlags::PATH)?;
        let st = rustix::fs::statat(&dir, *name, AtFlags::SYMLINK_NOFOLLOW)
            .map_err(|e| FsError::io(format!("cannot stat {}", comps.join("/")), e))?;
        Ok(Meta::from_stat(&st).id)
    }

    /// Whether paths are resolved with `openat2` (always, but in tests of
    /// the component-by-component walk).
    pub(crate) fn uses_openat2(&self) -> bool {
        self.use_openat2
    }

    /// Tests only: resolve component by component, as on a kernel without
    /// `openat2`.
    #[cfg(test)]
    pub(crate) fn without_openat2(mut self) -> BaseDir {
        self.use_openat2 = false;
        self
    }
}

impl AsFd for BaseDir {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl DirHandle {
    /// Opens the directory `path` names (following symlinks: the user named
    /// it), for `--output`, which may lie outside the base.
    pub fn open_path(path: &Path) -> Result<DirHandle, FsError> {
        let fd = open_named_dir(path, "directory")?;
        Ok(DirHandle {
            id: FileId::of_fd(&fd)?,
            fd: Arc::new(fd),
            origin: Origin::Path(path.to_path_buf()),
        })
    }

    pub fn id(&self) -> FileId {
        self.id
    }

    /// The directory's path relative to the base (`""` for the base), when
    /// it was opened beneath it.
    pub fn rel(&self) -> Option<&str> {
        match &self.origin {
            Origin::Beneath { rel, .. } => Some(rel),
            Origin::Path(_) => None,
        }
    }

    /// The directory for messages.
    pub fn shown(&self) -> String {
        match &self.origin {
            Origin::Beneath { rel, .. } if rel.is_empty() => ".".into(),
            Origin::Beneath { rel, .. } => rel.clone(),
            Origin::Path(p) => p.display().to_string(),
        }
    }

    /// Checks that the path this handle was opened by still leads to the
    /// same directory. A handle stays on its directory even when the
    /// directory is renamed; this catches a directory moved elsewhere (into
    /// a read-only tree, out of the base) or swapped for a symlink, just
    /// before a rename would put a file into it.
    pub fn still_in_place(&self) -> Result<(), FsError> {
        let now = match &self.origin {
            Origin::Beneath {
                base,
                rel,
                use_openat2,
            } => {
                let comps = components(rel)?;
                open_dir_beneath(base.as_fd(), &comps, *use_openat2, OFlags::PATH)
            }
            Origin::Path(p) => rustix::fs::open(
                p,
                OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .map_err(|e| FsError::io(format!("cannot open {}", p.display()), e)),
        };
        match now.map(|fd| FileId::of_fd(&fd)) {
            Ok(Ok(id)) if id == self.id => Ok(()),
            Ok(Err(e @ FsError::Io { .. })) => Err(e),
            _ => Err(FsError::Moved(self.shown())),
        }
    }

    /// A second reference to the same open directory (for a temp file that
    /// must remove itself through it).
    pub(crate) fn share(&self) -> Arc<OwnedFd> {
        Arc::clone(&self.fd)
    }

    /// Flushes the directory entry changes (a rename) to disk.
    pub(crate) fn sync(&self) {
        // A directory that cannot be synced (some filesystems refuse) does
        // not undo a rename that happened; not an error.
        let _ = rustix::fs::fsync(self.fd.as_fd());
    }
}

impl AsFd for DirHandle {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// The components of a relative path: `/`-separated, empty and `.` parts
/// dropped, `..` and absolute paths refused (they could only lead up).
pub(crate) fn components(rel: &str) -> Result<Vec<&str>, FsError> {
    if rel.starts_with('/') {
        return Err(FsError::Escapes(rel.to_string()));
    }
    let comps: Vec<&str> = rel
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    if comps.contains(&"..") || rel.contains('\0') {
        return Err(FsError::Escapes(rel.to_string()));
    }
    Ok(comps)
}

/// A single file name: no `/`, not empty, not `.` or `..`.
pub(crate) fn check_name(name: &str) -> Result<(), FsError> {
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']) {
        return Err(FsError::Refused(format!("{name:?} is not a file name")));
    }
    Ok(())
}

/// Opens the directory `comps` beneath `base` without following any
/// symlink. `flags` is `RDONLY` (a handle to work in) or `PATH` (only to
/// compare identities).
fn open_dir_beneath(
    base: BorrowedFd<'_>,
    comps: &[&str],
    use_openat2: bool,
    flags: OFlags,
) -> Result<OwnedFd, FsError> {
    let flags = flags | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    if comps.is_empty() {
        return rustix::fs::openat(base, ".", flags, Mode::empty())
            .map_err(|e| FsError::io("cannot open the base directory", e));
    }
    if use_openat2 {
        let how = ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS;
        if let Ok(fd) = rustix::fs::openat2(base, comps.join("/"), flags, Mode::empty(), how) {
            return Ok(fd);
        }
        // ENOSYS (old kernel), EPERM (seccomp), or a real failure: the
        // component walk is as safe and says which component failed.
    }
    let mut cur: Option<OwnedFd> = None;
    for (i, comp) in comps.iter().enumerate() {
        let last = i + 1 == comps.len();
        // Intermediate directories need only search permission.
        let f = if last {
            flags
        } else {
            OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC
        };
        let at = cur.as_ref().map_or(base, |fd| fd.as_fd());
        match rustix::fs::openat(at, *comp, f, Mode::empty()) {
            Ok(fd) => cur = Some(fd),
            Err(e) => {
                let prefix = comps.get(..=i).unwrap_or(comps).join("/");
                return Err(why_not_a_dir(at, comp, prefix, e));
            }
        }
    }
    cur.ok_or_else(|| FsError::Refused("empty path".into()))
}

/// Names why `comp` could not be opened as a directory.
fn why_not_a_dir(at: BorrowedFd<'_>, comp: &str, prefix: String, e: Errno) -> FsError {
    match e {
        Errno::NOENT => FsError::NotFound(prefix),
        Errno::LOOP | Errno::NOTDIR => {
            match rustix::fs::statat(at, comp, AtFlags::SYMLINK_NOFOLLOW)
                .map(|st| FileKind::from_mode(st.st_mode))
            {
                Ok(FileKind::Symlink) => FsError::SymlinkedDir(prefix),
                // Not a directory a moment ago, one now: swapped meanwhile.
                Ok(FileKind::Directory) => FsError::Moved(prefix),
                Ok(_) => FsError::NotADirectory(prefix),
                Err(Errno::NOENT) => FsError::NotFound(prefix),
                Err(_) => FsError::io(format!("cannot open {prefix}"), e),
            }
        }
        e => FsError::io(format!("cannot open {prefix}"), e),
    }
}

/// The real path of an open file, as the kernel names it in
/// `/proc/self/fd`, or `None` without /proc or for a file that has no path
/// (deleted, a pipe).
pub(crate) fn proc_path(fd: BorrowedFd<'_>) -> Option<PathBuf> {
    let link = std::fs::read_link(format!("/proc/self/fd/{}", fd.as_raw_fd())).ok()?;
    if !link.is_absolute() {
        return None;
    }
    // A deleted file's link ends in " (deleted)"; it has no path any more.
    if Meta::of_fd(fd).is_ok_and(|m| m.nlink == 0 && m.kind != FileKind::Directory) {
        return None;
    }
    Some(link)
}

/// Opens the directory the user named, following symlinks (the only
/// lookups that do: the base directory and `--output`'s parent), with
/// errors that name it as `what`.
fn open_named_dir(path: &Path, what: &str) -> Result<OwnedFd, FsError> {
    let shown = || path.display().to_string();
    rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| match e {
        Errno::NOENT => FsError::NotFound(shown()),
        Errno::NOTDIR => FsError::NotADirectory(shown()),
        e => FsError::io(format!("cannot open {what} {}", shown()), e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn tree() -> (tempfile::TempDir, tempfile::TempDir) {
        let base = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let b = base.path();
        std::fs::create_dir_all(b.join("a/d")).unwrap();
        std::fs::create_dir_all(b.join("legacy")).unwrap();
        std::fs::write(b.join("a/d/x.yaml"), "host: pve-shop\n").unwrap();
        std::fs::write(b.join("legacy/l.yaml"), "host: pve-shop\n").unwrap();
        std::fs::write(out.path().join("o.yaml"), "host: pve-shop\n").unwrap();
        symlink(out.path(), b.join("a/out")).unwrap();
        symlink("..", b.join("a/up")).unwrap();
        symlink(".", b.join("alias")).unwrap();
        symlink("d/x.yaml", b.join("a/link.yaml")).unwrap();
        symlink(b.join("legacy/l.yaml"), b.join("abs.yaml")).unwrap();
        symlink("alias/legacy/l.yaml", b.join("via-alias.yaml")).unwrap();
        symlink(out.path().join("o.yaml"), b.join("outside.yaml")).unwrap();
        symlink("nowhere", b.join("dangling.yaml")).unwrap();
        symlink("loop.yaml", b.join("loop.yaml")).unwrap();
        (base, out)
    }

    fn both(base: &Path) -> [BaseDir; 2] {
        [
            BaseDir::open(base).unwrap(),
            BaseDir::open(base).unwrap().without_openat2(),
        ]
    }

    #[test]
    fn components_refuse_what_leads_up() {
        assert_eq!(components("./a//b/").unwrap(), ["a", "b"]);
        assert!(components("").unwrap().is_empty());
        for bad in ["../x", "a/../../x", "/etc/passwd", "a/.."] {
            assert!(matches!(components(bad), Err(FsError::Escapes(_))), "{bad}");
        }
        assert!(check_name("x.yaml").is_ok());
        for bad in ["", ".", "..", "a/b"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn directories_are_reached_without_symlinks() {
        let (base, _out) = tree();
        for b in both(base.path()) {
            let d = b.dir("a/d").unwrap();
            assert_eq!(d.rel(), Some("a/d"));
            assert_eq!(
                d.id(),
                FileId::of_path(&base.path().join("a/d")).unwrap(),
                "the real directory"
            );
            assert!(matches!(b.dir("a/out"), Err(FsError::SymlinkedDir(p)) if p == "a/out"));
            assert!(matches!(b.dir("a/up/a"), Err(FsError::SymlinkedDir(p)) if p == "a/up"));
            assert!(matches!(b.dir("alias/a"), Err(FsError::SymlinkedDir(p)) if p == "alias"));
            assert!(matches!(b.dir("a/nope/x"), Err(FsError::NotFound(p)) if p == "a/nope"));
            assert!(
                matches!(b.dir("a/d/x.yaml/y"), Err(FsError::NotADirectory(p)) if p == "a/d/x.yaml")
            );
            assert!(matches!(b.dir("../x"), Err(FsError::Escapes(_))));
            assert!(matches!(
                b.parent("a/out/o.yaml"),
                Err(FsError::SymlinkedDir(_))
            ));
            assert_eq!(b.dir("").unwrap().id(), b.id());
        }
    }

    #[test]
    fn symlinked_files_say_where_they_lead() {
        let (base, out) = tree();
        let out_real = std::fs::canonicalize(out.path()).unwrap();
        for b in both(base.path()) {
            let plain = b.locate("./a/d/x.yaml").unwrap();
            assert_eq!(plain.place, Place::Inside("a/d/x.yaml".into()));
            assert!(!plain.via_link);
            assert_eq!(plain.kind, FileKind::Regular);

            let link = b.locate("a/link.yaml").unwrap();
            assert_eq!(link.place, Place::Inside("a/d/x.yaml".into()));
            assert!(link.via_link);
            assert_eq!(link.id, plain.id);

            assert_eq!(
                b.locate("abs.yaml").unwrap().inside(),
                Some("legacy/l.yaml")
            );
            // Through a symlinked directory in the link text: the real path's
            // role applies (legacy), never the link's.
            assert_eq!(
                b.locate("via-alias.yaml").unwrap().inside(),
                Some("legacy/l.yaml")
            );
            assert_eq!(
                b.locate("outside.yaml").unwrap().place,
                Place::Outside(out_real.join("o.yaml"))
            );
            assert!(matches!(
                b.locate("dangling.yaml"),
                Err(FsError::BadLink(_))
            ));
            assert!(matches!(b.locate("loop.yaml"), Err(FsError::BadLink(_))));
            assert!(matches!(
                b.locate("a/out/o.yaml"),
                Err(FsError::SymlinkedDir(_))
            ));
            assert!(matches!(b.locate("a/nope.yaml"), Err(FsError::NotFound(_))));
            let dir = b.locate("a/out").unwrap();
            assert_eq!(dir.kind, FileKind::Directory);
            assert_eq!(dir.place, Place::Outside(out_real.clone()));
        }
    }

    #[test]
    fn roots_get_their_real_paths() {
        let (base, out) = tree();
        let b = BaseDir::open(base.path()).unwrap();
        let p = base.path();
        assert_eq!(
            b.place_of(&p.join("alias")).unwrap(),
            Place::Inside(".".into())
        );
        assert_eq!(
            b.place_of(&p.join("alias/legacy")).unwrap(),
            Place::Inside("legacy".into())
        );
        assert_eq!(
            b.place_of(&p.join("alias/a/up/alias/a/d/x.yaml")).unwrap(),
            Place::Inside("a/d/x.yaml".into())
        );
        assert!(matches!(
            b.place_of(&p.join("a/out")).unwrap(),
            Place::Outside(_)
        ));
        assert!(matches!(b.place_of(out.path()).unwrap(), Place::Outside(_)));
        assert!(matches!(
            b.place_of(&p.join("nope")),
            Err(FsError::NotFound(_))
        ));
        // A base named through a symlink: still the same real paths.
        let alias_base = BaseDir::open(&p.join("alias")).unwrap();
        assert_eq!(alias_base.id(), b.id());
        assert_eq!(
            alias_base.place_of(&p.join("legacy/l.yaml")).unwrap(),
            Place::Inside("legacy/l.yaml".into())
        );
    }

    #[test]
    fn a_handle_notices_its_directory_moved() {
        let (base, out) = tree();
        let p = base.path();
        for b in both(p) {
            let d = b.dir("a/d").unwrap();
            d.still_in_place().unwrap();
            std::fs::rename(p.join("a/d"), p.join("a/d.real")).unwrap();
            symlink(out.path(), p.join("a/d")).unwrap();
            assert!(matches!(d.still_in_place(), Err(FsError::Moved(m)) if m == "a/d"));
            std::fs::remove_file(p.join("a/d")).unwrap();
            std::fs::rename(p.join("a/d.real"), p.join("a/d")).unwrap();
            d.still_in_place().unwrap();
        }
        let od = DirHandle::open_path(out.path()).unwrap();
        od.still_in_place().unwrap();
        assert_eq!(od.rel(), None);
    }
}
