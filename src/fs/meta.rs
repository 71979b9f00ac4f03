//! What `fstat` says about an open file: its identity and the metadata a
//! rewrite must keep.
//!
//! Identity is device + inode, never a path: a bind mount, a hard link or a
//! symlink gives one file many paths, and only `(dev, ino)` tells that the
//! `--output` file *is* a rule file or a scanned target.

use std::fmt;
use std::os::fd::AsFd;
use std::path::Path;

use rustix::fs::{FileType, Stat};

use super::error::FsError;

/// A file's identity: device and inode number, from `fstat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId {
    pub dev: u64,
    pub ino: u64,
}

impl FileId {
    /// The identity of an open file (no path involved, so no race).
    pub fn of_fd(fd: impl AsFd) -> Result<FileId, FsError> {
        Ok(Meta::of_fd(fd)?.id)
    }

    /// The identity of what `path` leads to, following symlinks as the
    /// kernel does. For rule files and other files named by the user.
    pub fn of_path(path: &Path) -> Result<FileId, FsError> {
        let st = rustix::fs::stat(path).map_err(|e| match e {
            rustix::io::Errno::NOENT => FsError::NotFound(path.display().to_string()),
            e => FsError::io(format!("cannot stat {}", path.display()), e),
        })?;
        Ok(Meta::from_stat(&st).id)
    }
}

impl fmt::Display for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.dev, self.ino)
    }
}

/// The kind of a file, as the mode's type bits say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Regular,
    Directory,
    Symlink,
    Fifo,
    Socket,
    CharDevice,
    BlockDevice,
    Unknown,
}

impl FileKind {
    pub fn from_mode(mode: u32) -> FileKind {
        match FileType::from_raw_mode(mode) {
            FileType::RegularFile => FileKind::Regular,
            FileType::Directory => FileKind::Directory,
            FileType::Symlink => FileKind::Symlink,
            FileType::Fifo => FileKind::Fifo,
            FileType::Socket => FileKind::Socket,
            FileType::CharacterDevice => FileKind::CharDevice,
            FileType::BlockDevice => FileKind::BlockDevice,
            FileType::Unknown => FileKind::Unknown,
        }
    }

    /// What a person calls it.
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Regular => "regular file",
            FileKind::Directory => "directory",
            FileKind::Symlink => "symbolic link",
            FileKind::Fifo => "FIFO",
            FileKind::Socket => "socket",
            FileKind::CharDevice => "character device",
            FileKind::BlockDevice => "block device",
            FileKind::Unknown => "unknown file type",
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Identity and the metadata a rewrite keeps, from one `fstat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    pub id: FileId,
    pub kind: FileKind,
    /// Permission bits including setuid, setgid and sticky (`mode & 0o7777`).
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// Hard-link count: above 1, a replaced file's other names keep the old
    /// content (the caller says so).
    pub nlink: u64,
    pub size: u64,
}

impl Meta {
    pub fn of_fd(fd: impl AsFd) -> Result<Meta, FsError> {
        let st = rustix::fs::fstat(fd).map_err(|e| FsError::io("cannot fstat", e))?;
        Ok(Meta::from_stat(&st))
    }

    // The stat field types differ between architectures (u32 or u64).
    #[allow(clippy::useless_conversion)]
    pub(crate) fn from_stat(st: &Stat) -> Meta {
        Meta {
            id: FileId {
                dev: u64::from(st.st_dev),
                ino: u64::from(st.st_ino),
            },
            kind: FileKind::from_mode(st.st_mode),
            mode: st.st_mode & 0o7777,
            uid: st.st_uid,
            gid: st.st_gid,
            nlink: u64::from(st.st_nlink),
            size: u64::try_from(st.st_size).unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    #[test]
    fn meta_of_an_open_file_matches_std() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a");
        std::fs::write(&p, b"12345").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o2640)).unwrap();
        std::fs::hard_link(&p, dir.path().join("b")).unwrap();
        let f = std::fs::File::open(&p).unwrap();
        let m = Meta::of_fd(&f).unwrap();
        let s = std::fs::metadata(&p).unwrap();
        assert_eq!(
            m.id,
            FileId {
                dev: s.dev(),
                ino: s.ino()
            }
        );
        assert_eq!(m.kind, FileKind::Regular);
        assert_eq!(m.mode, 0o2640);
        assert_eq!((m.uid, m.gid, m.nlink, m.size), (s.uid(), s.gid(), 2, 5));
        assert_eq!(FileId::of_path(&dir.path().join("b")).unwrap(), m.id);
        assert!(matches!(
            FileId::of_path(&dir.path().join("nope")),
            Err(FsError::NotFound(_))
        ));
    }

    #[test]
    fn kinds_have_names() {
        assert_eq!(FileKind::from_mode(0o010644), FileKind::Fifo);
        assert_eq!(FileKind::from_mode(0o020644), FileKind::CharDevice);
        assert_eq!(FileKind::from_mode(0o140755), FileKind::Socket);
        assert_eq!(FileKind::CharDevice.to_string(), "character device");
    }
}
