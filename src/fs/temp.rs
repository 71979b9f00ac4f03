//! The temp file of a replacement: created in the target's own directory
//! handle (so the rename cannot cross into another directory), and removed
//! through that handle whenever it is dropped without having been renamed,
//! whatever failed.

use std::fs::File;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use rustix::fs::{AtFlags, Mode, OFlags};
use rustix::io::Errno;

use super::beneath::DirHandle;
use super::error::FsError;

/// Temp files are named `.driftfix-XXXXXX.tmp`: hidden, recognisable, and
/// never matched by the walk's type globs.
pub const TEMP_PREFIX: &str = ".driftfix-";
pub const TEMP_SUFFIX: &str = ".tmp";

/// A temp file that removes itself unless renamed.
#[derive(Debug)]
pub(crate) struct TempFile {
    dir: Arc<OwnedFd>,
    name: String,
    file: File,
    armed: bool,
}

impl TempFile {
    /// Creates a new temp file, mode 0600, in `dir`
    /// (`O_CREAT | O_EXCL`: never an existing file, never through a link).
    pub(crate) fn create(dir: &DirHandle) -> Result<TempFile, FsError> {
        let flags =
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        for _ in 0..64 {
            let name = temp_name();
            match rustix::fs::openat(dir, name.as_str(), flags, Mode::from_raw_mode(0o600)) {
                Ok(fd) => {
                    return Ok(TempFile {
                        dir: dir.share(),
                        name,
                        file: File::from(fd),
                        armed: true,
                    });
                }
                Err(Errno::EXIST) => continue,
                Err(e) => {
                    return Err(FsError::io(
                        format!("cannot create a temp file in {}", dir.shown()),
                        e,
                    ));
                }
            }
        }
        Err(FsError::Refused(format!(
            "cannot find a free temp file name in {}",
            dir.shown()
        )))
    }

    pub(crate) fn file(&self) -> &File {
        &self.file
    }

    #[cfg(test)]
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Renames the temp file over `name` in the same directory handle. On
    /// failure the temp file is removed (by the drop).
    pub(crate) fn rename_over(mut self, name: &str) -> Result<(), FsError> {
        rustix::fs::renameat(self.dir.as_fd(), self.name.as_str(), self.dir.as_fd(), name)
            .map_err(|e| FsError::io("cannot rename over the file", e))?;
        self.armed = false;
        Ok(())
    }
}

impl TempFile {
    /// Renames the temp file to `name` in the same directory handle only if
    /// nothing is there (`RENAME_NOREPLACE`); on failure it is removed.
    pub(crate) fn rename_new(mut self, name: &str, shown: &str) -> Result<(), FsError> {
        rustix::fs::renameat_with(
            self.dir.as_fd(),
            self.name.as_str(),
            self.dir.as_fd(),
            name,
            rustix::fs::RenameFlags::NOREPLACE,
        )
        .map_err(|e| match e {
            Errno::EXIST => FsError::Refused(format!("{shown} already exists; not replaced")),
            e => FsError::io("cannot rename the new file into place", e),
        })?;
        self.armed = false;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if self.armed {
            let _ = rustix::fs::unlinkat(self.dir.as_fd(), self.name.as_str(), AtFlags::empty());
        }
    }
}

/// A fresh `.driftfix-XXXXXX.tmp` name: six letters and digits from the
/// time, the process id and a counter, mixed (O_EXCL makes a clash safe,
/// the mix makes it rare).
fn temp_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut x = splitmix(nanos ^ (u64::from(std::process::id()) << 32) ^ splitmix(n));
    let mut name = String::from(TEMP_PREFIX);
    for _ in 0..6 {
        let i = usize::try_from(x % 62).unwrap_or(0);
        name.push(char::from(ALPHABET.get(i).copied().unwrap_or(b'x')));
        x /= 62;
    }
    name.push_str(TEMP_SUFFIX);
    name
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_look_alike_and_differ() {
        let a = temp_name();
        let b = temp_name();
        assert_ne!(a, b);
        assert!(a.starts_with(".driftfix-") && a.ends_with(".tmp"), "{a}");
        assert_eq!(a.len(), ".driftfix-XXXXXX.tmp".len());
    }

    #[test]
    fn removed_unless_renamed() {
        let dir = tempfile::tempdir().unwrap();
        let d = DirHandle::open_path(dir.path()).unwrap();
        let t = TempFile::create(&d).unwrap();
        let name = t.name().to_string();
        assert!(dir.path().join(&name).exists());
        drop(t);
        assert!(!dir.path().join(&name).exists());
        let t = TempFile::create(&d).unwrap();
        use std::io::Write as _;
        let mut f = t.file();
        f.write_all(b"new").unwrap();
        t.rename_over("target").unwrap();
        assert_eq!(std::fs::read(dir.path().join("target")).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        // A rename that fails (the name is a non-empty directory) leaves
        // nothing behind.
        std::fs::create_dir_all(dir.path().join("sub/x")).unwrap();
        let t = TempFile::create(&d).unwrap();
        assert!(t.rename_over("sub").is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
