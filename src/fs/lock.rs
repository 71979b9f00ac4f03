//! One writer per base directory: an exclusive `flock` on the base
//! directory's own handle.
//!
//! Why the directory itself and no lock file: a lock file would be a file
//! driftfix creates inside the user's tree (and would have to clean up);
//! `flock` works on a directory fd. The lock belongs to the open file
//! description, so it goes away when the process exits, however it exits:
//! there is no stale lock to break. Only driftfix takes it; other editors
//! do not (docs/guarantees.md, "Writing safely").

use std::os::fd::{AsFd, OwnedFd};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustix::fs::FlockOperation;
use rustix::io::Errno;

use super::beneath::BaseDir;
use super::error::FsError;
use super::meta::FileId;

/// How long a second `fix --apply` / `--preview` waits (SPEC §14).
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// How often the lock is tried again while waiting.
const POLL: Duration = Duration::from_millis(50);

/// Held while alive; released on drop (or when the process ends).
#[derive(Debug)]
pub struct BaseLock {
    fd: Arc<OwnedFd>,
}

impl Drop for BaseLock {
    fn drop(&mut self) {
        let _ = rustix::fs::flock(self.fd.as_fd(), FlockOperation::Unlock);
    }
}

impl BaseDir {
    /// Takes the exclusive lock on the base directory, trying again for up
    /// to `timeout`. `waiting` is called once, with the holder's pid when
    /// /proc/locks tells it, when the first try fails (to say "waiting for
    /// …" on stderr).
    pub fn lock(
        &self,
        timeout: Duration,
        waiting: &dyn Fn(Option<u32>),
    ) -> Result<BaseLock, FsError> {
        let fd = self.shared_fd();
        let start = Instant::now();
        let mut told = false;
        loop {
            match rustix::fs::flock(fd.as_fd(), FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => return Ok(BaseLock { fd }),
                Err(Errno::WOULDBLOCK | Errno::INTR) => {}
                Err(e) => {
                    return Err(FsError::io(
                        format!("cannot lock the base directory {}", self.path().display()),
                        e,
                    ));
                }
            }
            let waited = start.elapsed();
            if waited >= timeout {
                return Err(FsError::Locked {
                    path: self.path().display().to_string(),
                    holder: lock_holder(self.id()),
                    waited,
                });
            }
            if !told {
                told = true;
                waiting(lock_holder(self.id()));
            }
            std::thread::sleep(POLL.min(timeout.saturating_sub(waited)));
        }
    }
}

/// The pid of another process holding a `flock` on the file `id`, from
/// /proc/locks (`1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF`; device
/// numbers in hex, inode in decimal). Best effort: `None` without /proc, in
/// another pid namespace, or when the line is not there.
pub fn lock_holder(id: FileId) -> Option<u32> {
    let text = std::fs::read_to_string("/proc/locks").ok()?;
    holder_in(&text, id, std::process::id())
}

fn holder_in(text: &str, id: FileId, me: u32) -> Option<u32> {
    let want = format!(
        "{:02x}:{:02x}:{}",
        rustix::fs::major(id.dev),
        rustix::fs::minor(id.dev),
        id.ino
    );
    text.lines().find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        // Waiters are listed as "N: -> FLOCK ...": not holders.
        let [_, "FLOCK", _, "WRITE", pid, file, ..] = f.as_slice() else {
            return None;
        };
        let pid: u32 = pid.parse().ok()?;
        (*file == want && pid != me && pid != 0).then_some(pid)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn holders_are_read_from_proc_locks() {
        let id = FileId {
            dev: rustix::fs::makedev(0xfd, 1),
            ino: 5678,
        };
        let text = "1: POSIX  ADVISORY  WRITE 7 fd:01:5678 0 EOF\n\
                    2: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF\n\
                    2: -> FLOCK  ADVISORY  WRITE 99 fd:01:5678 0 EOF\n";
        assert_eq!(holder_in(text, id, 1), Some(1234));
        assert_eq!(holder_in(text, id, 1234), None, "not myself");
        let other = FileId { ino: 5679, ..id };
        assert_eq!(holder_in(text, other, 1), None);
    }

    #[test]
    fn a_second_open_waits_then_fails() {
        let dir = tempfile::tempdir().unwrap();
        let first = BaseDir::open(dir.path()).unwrap();
        let second = BaseDir::open(dir.path()).unwrap();
        let held = first.lock(LOCK_TIMEOUT, &|_| {}).unwrap();
        let told = Cell::new(0);
        let start = Instant::now();
        let e = second
            .lock(Duration::from_millis(300), &|_| told.set(told.get() + 1))
            .unwrap_err();
        assert!(start.elapsed() >= Duration::from_millis(300));
        assert_eq!(told.get(), 1, "told once that it waits");
        assert!(matches!(e, FsError::Locked { .. }), "{e}");
        drop(held);
        let _again = second.lock(Duration::from_millis(300), &|_| {}).unwrap();
    }
}
