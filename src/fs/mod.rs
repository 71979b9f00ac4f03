//! The directory-handle layer (SPEC §14, issue 12): every read and write of
//! a target, and every `--output`, goes through open directory handles, so
//! a directory swapped for a symlink at any moment cannot move a write out
//! of the base directory or onto a read-only or authority file.
//!
//! | module      | concern |
//! |-------------|---------|
//! | [`BaseDir`] (`beneath`) | the base directory, opened once; directories beneath it reached with `openat2(RESOLVE_BENEATH \| RESOLVE_NO_SYMLINKS)` or per-component `O_NOFOLLOW`; where a symlinked file or a ROOT really is ([`Place`]) |
//! | `read`      | bounded, non-blocking reads of regular files only ([`BaseDir::read`], [`read_regular_at`], [`read_regular_path`]) |
//! | `replace`   | atomic replacement inside one directory handle ([`replace`], [`BaseDir::replace`]) |
//! | `keep`      | owner, xattrs/ACLs and mode carried over, or an error |
//! | `temp`      | the `.driftfix-XXXXXX.tmp` file, removed through its handle on every failure |
//! | `lock`      | exclusive `flock` on the base directory ([`BaseDir::lock`]) |
//! | `output`    | `--output` ([`Output`]) |
//! | `meta`      | [`FileId`] (device + inode), [`Meta`], [`FileKind`] |
//! | `pause`     | the test hook [`pause_before_write`] |
//!
//! Errors are one enum, [`FsError`]; messages name no target path unless
//! the error is about another component (callers prefix `PATH: `).
//!
//! # Where it is used
//!
//! * **Setup** (`setup.rs`) opens the base once ([`BaseDir::open`]); the
//!   rule files are read with [`read_regular_path`] and known by their
//!   [`FileId`] (`RuleSet::source_ids`).
//! * **Lock** (`app`): `fix --apply` and `--preview` take [`BaseDir::lock`]
//!   before the run reads anything and hold it to the end;
//!   [`FsError::Locked`] is exit 2.
//! * **Walk** (`walk.rs`): ROOTs are placed with [`BaseDir::place_of`] (a
//!   ROOT through a symlinked directory is walked at its real path, its
//!   files keeping the name the user gave); symlinked files with
//!   [`BaseDir::locate`].
//! * **Reads** (`run.rs`): [`BaseDir::locate`] then
//!   [`BaseDir::read_located`]; the [`FileId`] of each target is kept for
//!   `--output`'s checks.
//! * **Writes** (`fix/write.rs`): [`BaseDir::replace`], with the caller's
//!   role check on the real path, a [`ReplaceOptions::hold`] that holds
//!   stop signals back (and refuses to start once one arrived), and
//!   [`pause_before_write`] first.
//! * **`--output`** (`app/output.rs`): [`Output::open_checked`] at start,
//!   [`Output::recheck`] after the run, [`pause_before_write`] then
//!   [`Output::commit`].
//!
//! What it cannot do is in docs/guarantees.md, "Writing safely": other editors do
//! not take the lock; the few system calls between the final re-read and
//! the rename; a directory *moved* (not swapped for a link) out of the base
//! in that window by someone with write access to both places; hard links
//! keep the old content; `--output /dev/fd/N` naming a regular file
//! replaces that file (only `-`, `/dev/stdout` and `/dev/stderr` share the
//! process's descriptor); a FIFO `--output` waits for its reader like a
//! shell's `>`; where a link leads is read from `/proc`; names that are not
//! UTF-8 are refused.

mod beneath;
mod error;
mod keep;
mod lock;
mod meta;
mod output;
pub mod paths;
mod pause;
mod read;
mod replace;
mod temp;

pub use beneath::{BaseDir, DirHandle, Located, Place};
pub use error::FsError;
pub use lock::{BaseLock, LOCK_TIMEOUT, lock_holder};
pub use meta::{FileId, FileKind, Meta};
pub use output::{Forbidden, NEW_FILE_MODE, Output, OutputKind};
pub use pause::{PAUSE_ENV, PAUSE_TIMEOUT, pause_before_write, pause_on, ready_file};
pub use read::{Contents, Look, PlainRead, Settle, TargetRead, read_regular_at, read_regular_path};
pub use replace::{Guard, ReplaceOptions, Replaced, Step, hold_nothing, replace};
pub use temp::{TEMP_PREFIX, TEMP_SUFFIX};
