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
//! # Phase 2: switching the call sites over
//!
//! Nothing outside this module uses it yet. Once the current refactor has
//! landed, each call site moves as follows.
//!
//! **Setup (`app.rs`)**: open the base once, `BaseDir::open(&setup.base)`
//! (error → exit 2), and keep it in the `Setup`/run context; everything
//! below takes `&BaseDir`. Rule files: `FileId::of_path` for each, kept in
//! the rule set next to `real_sources()` (identity by device and inode,
//! issue case 4).
//!
//! **Lock (`app.rs`, `fix`)**: for `--apply` and `--preview`, right after
//! setup and *before* `start_run` reads any file:
//! `let _lock = base.lock(fs::LOCK_TIMEOUT, &|pid| eprintln!("waiting for
//! another driftfix{} on this base directory…", pid-note))?;` held until
//! `fix` returns; `FsError::Locked` is exit 2 with its `Display` (it names
//! the directory and the holder's pid). Dry runs and `scan` take no lock.
//!
//! **Reading targets (`run.rs`, `read_regular_file`)**: replace
//! `read_regular_file(&target.abs_path, max)` by
//! `base.read(&target.rel_path, max)`. Map `NotRegular` and
//! `TooLarge { len, max }` to `FileError::skip` (keep today's text:
//! `format!("larger than --max-file-size ({len} bytes > {max})")`), `BadLink`
//! to the dangling/loop warning, everything else to `FileError::error` with
//! the `Display`. The returned `TargetRead` carries `contents.meta.id`
//! (for `--output`'s forbidden set and rule-file comparison) and
//! `located.place`: when `located.via_link`, the role is the role of
//! `Place::Inside(real)` (or the link's own, for `Outside`), as `walk.rs`
//! decides today — now on the kernel's resolution. Rule files and
//! `--baseline` are read with `read_regular_path(path, max)` (they may lie
//! outside the base). `read_regular_file` can then go.
//!
//! **Walk and roles (`walk.rs`)**: a ROOT is placed with
//! `base.place_of(&root)`: `Inside(rel)` → walk `base.path().join(rel)`
//! (so `alias/` → `.` walks the base and every file gets its real path's
//! role, issue case 5); `Outside(_)` → the "root is outside the base
//! directory" error. In `classify`, the symlink branch replaces
//! `canonicalize` + `relative_to(real_base, …)` by `base.locate(&rel)`:
//! `Place::Inside(real)` → `LinkTo::Inside(real)`, `Place::Outside(p)` →
//! `LinkTo::Outside(p)`; `kind` not `Regular` → today's warnings
//! (directory: silent); `BadLink` → the dangling/loop warning;
//! `SymlinkedDir` cannot happen for walked paths (the walker does not
//! descend into symlinked directories) but is an error if it does.
//! `is_rule_file` compares `located.id` with the rule files' `FileId`s
//! instead of canonical paths. `real_relative` and the `real_base`
//! canonicalisation go away.
//!
//! **The writer (`fix/write.rs`)**: `WriteContext` holds `&BaseDir`
//! instead of a canonical `PathBuf`, and `write` takes the target's
//! `rel_path`. Its body becomes
//!
//! ```text
//! fs::pause_before_write()?;                        // test hook, see below
//! let may_write = |real: &str| match rules.role_of(real) {
//!     r if !r.writable() => Err(format!("symlink target {real} is {}; not written", r.name())),
//!     _ if rules.paths.exclude.is_match(real) => Err(format!("{real} is excluded by the rules; not written")),
//!     _ => Ok(()),
//! };
//! let hold = || { let d = signals::Deferred::new();
//!                 if d.pending() { Err(FsError::Interrupted) } else { Ok(Box::new(d) as fs::Guard) } };
//! let opts = ReplaceOptions { hold: &hold, ..ReplaceOptions::default() };
//! let (located, done) = base.replace(rel, planned_from, new, &may_write, &opts)?;
//! Written { real_path: located.inside(), hard_links: done.before.nlink, already: done.already }
//! ```
//!
//! (`hold` captures nothing, so it is `Sync` and one `ReplaceOptions`
//! serves all writer threads; each call makes its own `Deferred`, as
//! `replace_with` does today. `real_path` becomes the real relative path.)
//! Error kinds: `Changed` → `Changed`;
//! `Forbidden`, `Escapes`, `SymlinkedDir`, `NotADirectory`, `NotRegular`,
//! `Moved`, `BadLink`, `NotFound`, `Interrupted` → `Refused`;
//! `MetadataNotKept`, `Io`, `Refused` → `Io` (an error for that file, SPEC
//! §14). `write_all` groups jobs by `base.locate(rel)?.id` (a `FileId`)
//! instead of `canonicalize`. `atomic_replace`, `replace_with`, `persist`
//! and the `tempfile` use go away.
//!
//! **`--output` (`app.rs`: `check_output`, `emit`, `write_output`,
//! `output_dir`)**: at start, `Output::open_checked(path, &forbidden)` (it
//! replaces `check_output`: directory missing, a directory, a block device,
//! a dangling link are errors). `forbidden(id)` answers from a
//! `Mutex<HashMap<FileId, String>>` that holds the rule files and
//! `--baseline` ("a rule file") at start and, after the run, every scanned
//! target's `contents.meta.id` with "a scanned target (REL)" or "read-only
//! (REL)"/"authority (REL)" by role — except §8's driftfix-output JSON
//! files, which `--output` may replace. A path inside the base whose role
//! is read-only/authority is also refused at start via `base.place_of`.
//! Then `emit` writes the text into the `Output` (keep ignoring
//! `BrokenPipe` for `OutputKind::Std`/`Stream`) and calls `commit()`, which
//! checks `forbidden` again through the directory handle. Pass the same
//! `Deferred` hold with `with_hold`.
//!
//! **Test hook**: `fs::pause_before_write()` at the top of the writer's
//! `write` (per file: the first call pauses, later ones pass at once) and
//! before `Output::commit`. Integration tests then set
//! `DRIFTFIX_TEST_PAUSE_BEFORE_WRITE=/tmp/x`, wait for `/tmp/x.ready`,
//! swap a directory or plant a link, and create `/tmp/x`.
//!
//! **README, "Writing safely"**: say what is guaranteed (handles, no
//! symlinked directory followed, identity by device and inode, the lock,
//! metadata kept or an error, no temp file left) and what remains: other
//! editors do not take the lock; the few system calls between the final
//! re-read and the rename; a directory *moved* (not swapped for a link)
//! out of the base in that window by someone with write access to both
//! places; hard links keep the old content; `--output /dev/fd/N` naming a
//! regular file replaces that file (only `-`, `/dev/stdout` and
//! `/dev/stderr` share the shell's descriptor); a FIFO `--output` waits
//! for its reader like a shell's `>`.

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
pub use read::{Contents, TargetRead, read_regular_at, read_regular_path};
pub use replace::{Guard, ReplaceOptions, Replaced, Step, hold_nothing, replace};
pub use temp::{TEMP_PREFIX, TEMP_SUFFIX};
