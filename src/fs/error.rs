//! The one error type of the fs layer.
//!
//! Each variant says what went wrong in words a user can act on; callers
//! prefix the file's path (`inv/a.yaml: not a regular file (FIFO)`). The
//! variants are distinct so that phase-2 callers can map them to a file
//! status (skipped, changed, error) without parsing messages.

use std::time::Duration;

use super::meta::FileKind;

/// Why a file could not be resolved, read or written.
#[derive(Debug, thiserror::Error)]
pub enum FsError {
    /// The file is a FIFO, socket, device, directory or symlink where a
    /// regular file was needed. Such files are never read: a FIFO would
    /// block, `/dev/zero` never ends.
    #[error("not a regular file ({0})")]
    NotRegular(FileKind),

    /// More bytes than the limit (`--max-file-size`, or the planned size
    /// for the re-read before a write).
    #[error("larger than the limit ({len} bytes > {max})")]
    TooLarge { len: u64, max: u64 },

    /// A directory on the way is a symbolic link. Following it could move a
    /// read or a write anywhere, so it is never followed.
    #[error("{0} is a symbolic link; driftfix never follows symlinked directories")]
    SymlinkedDir(String),

    /// A component on the way is a file, not a directory.
    #[error("{0} is not a directory")]
    NotADirectory(String),

    /// The path (`..`, an absolute path, or where a symlink leads) is not
    /// under the base directory.
    #[error("{0} leads outside the base directory")]
    Escapes(String),

    #[error("{0} does not exist")]
    NotFound(String),

    /// A symlink loop, or a symlink that leads nowhere.
    #[error("{0}: symlink loop or dangling symlink")]
    BadLink(String),

    /// The bytes on disk differ from the bytes the edit was planned from.
    #[error("changed on disk since it was planned; not written (run driftfix again)")]
    Changed,

    /// A directory or file was moved, or swapped for another, between the
    /// moment it was opened and the moment it was written.
    #[error("{0} was moved or replaced while driftfix worked on it; not written")]
    Moved(String),

    /// Mode, owner, an ACL or an extended attribute of the original could
    /// not be given to the new file: writing it would silently lose it.
    #[error("cannot keep {0}; not written")]
    MetadataNotKept(String),

    /// Another process holds the lock on the base directory.
    #[error(
        "the base directory {path} is locked by another driftfix{}; gave up after {} s",
        holder_note(*.holder),
        .waited.as_secs_f32().round()
    )]
    Locked {
        path: String,
        holder: Option<u32>,
        waited: Duration,
    },

    /// The caller's check refused this file (for `--output`: a scanned
    /// target, a rule file, a read-only or authority file). The text is the
    /// caller's reason.
    #[error("refused: {0}")]
    Forbidden(String),

    /// Something driftfix never does (a block device as `--output`, a name
    /// with a `/`), with the reason.
    #[error("{0}")]
    Refused(String),

    /// A stop signal arrived before the write started.
    #[error("interrupted; not written")]
    Interrupted,

    /// Any other system error, with what was being done.
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
}

fn holder_note(holder: Option<u32>) -> String {
    holder.map(|p| format!(" (pid {p})")).unwrap_or_default()
}

impl FsError {
    /// An [`FsError::Io`] from a rustix error.
    pub(crate) fn io(what: impl Into<String>, e: rustix::io::Errno) -> FsError {
        FsError::Io {
            what: what.into(),
            source: e.into(),
        }
    }

    /// An [`FsError::Io`] from a std error.
    pub(crate) fn std_io(what: impl Into<String>, e: std::io::Error) -> FsError {
        FsError::Io {
            what: what.into(),
            source: e,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_as_sentences() {
        let cases: Vec<(FsError, &str)> = vec![
            (
                FsError::NotRegular(FileKind::Fifo),
                "not a regular file (FIFO)",
            ),
            (
                FsError::TooLarge { len: 11, max: 10 },
                "larger than the limit (11 bytes > 10)",
            ),
            (
                FsError::SymlinkedDir("a/d".into()),
                "a/d is a symbolic link; driftfix never follows symlinked directories",
            ),
            (
                FsError::Escapes("../x".into()),
                "../x leads outside the base directory",
            ),
            (FsError::NotFound("a.yaml".into()), "a.yaml does not exist"),
            (
                FsError::Locked {
                    path: "/srv/inv".into(),
                    holder: Some(42),
                    waited: Duration::from_secs(10),
                },
                "the base directory /srv/inv is locked by another driftfix (pid 42); gave up after 10 s",
            ),
            (
                FsError::Locked {
                    path: "/srv/inv".into(),
                    holder: None,
                    waited: Duration::from_millis(1200),
                },
                "the base directory /srv/inv is locked by another driftfix; gave up after 1 s",
            ),
            (
                FsError::io("cannot open", rustix::io::Errno::ACCESS),
                "cannot open: Permission denied (os error 13)",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(e.to_string(), want);
        }
    }
}
