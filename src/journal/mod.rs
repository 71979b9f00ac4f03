//! The undo journal (SPEC §14): every run that writes targets records, per
//! file, its path, the bytes before and a hash of the bytes after, so that
//! `driftfix undo` can put back a batch that went wrong — also for trees
//! outside git (/etc, a NAS share).
//!
//! # Where
//!
//! `--journal DIR`, else `$XDG_STATE_HOME/driftfix`, else
//! `~/.local/state/driftfix` (the XDG state directory: data worth keeping
//! across runs but not worth backing up). Never inside the base directory
//! (a scan would read it; a `git clean` would lose it).
//!
//! # Format (`driftfix-journal/v1`)
//!
//! ```text
//! DIR/runs/<ID>/journal.jsonl   one JSON object per line
//! DIR/runs/<ID>/before.bin      the bytes before of every file, back to back
//! ```
//!
//! `<ID>` is the start time in milliseconds since the epoch (15 digits, so
//! ids sort by time), `-`, the process id. The first line of `journal.jsonl`
//! is the run:
//!
//! ```json
//! {"schema":"driftfix-journal/v1","run":"001764454509123-4242","base":"/home/me/homelab","command":"fix --apply","started":1764454509,"driftfix":"0.1.0"}
//! ```
//!
//! then one line per file *before* it is written, and one after:
//!
//! ```json
//! {"op":"write","path":"workbench/a.yaml","before_sha256":"…","after_sha256":"…","offset":0,"len":812}
//! {"op":"done","path":"workbench/a.yaml","written":true}
//! ```
//!
//! `path` is relative to `base` (a symlink's target when the link leads
//! into the base); the bytes before are `before.bin[offset..offset+len]`,
//! whose SHA-256 is `before_sha256`; `after_sha256` is the SHA-256 of what
//! the run writes. `undo` appends `{"op":"restored","path":…}`.
//!
//! # Crash safety
//!
//! The bytes before and the `write` lines are appended and `fsync`ed
//! (file and directory) before the first of those files is replaced, so a
//! run killed at any point has a journal entry for every file it wrote. A
//! `done` line may be lost in a crash; `undo` then tells by the hashes
//! (bytes still as before: nothing to do). A last line cut short by a crash
//! is ignored.
//!
//! # Retention
//!
//! The last [`KEEP`] runs (all base directories together); older ones are
//! removed when a new run starts.
//!
//! # Hash
//!
//! SHA-256 (the `sha2` crate, RustCrypto): stable across versions and
//! platforms, and no accidental collision between a hand edit and what the
//! run wrote can make `undo` overwrite the hand edit.

mod read;

pub use read::{FileRecord, RunRecord, list, list_all};

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The `schema` of a journal's first line.
pub const SCHEMA: &str = "driftfix-journal/v1";

/// Runs kept in the journal directory.
pub const KEEP: usize = 20;

/// Why the journal cannot be used (the run writes nothing, exit 2).
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error(
        "no journal directory: neither XDG_STATE_HOME nor HOME is set (pass --journal DIR, or --no-journal to write without undo)"
    )]
    NoStateDir,
    #[error(
        "journal directory {} is inside the base directory {}; pass --journal DIR outside it (or --no-journal)",
        .dir.display(),
        .base.display()
    )]
    InsideBase { dir: PathBuf, base: PathBuf },
    #[error("journal {}: {source} (pass --journal DIR, or --no-journal to write without undo)", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("journal {}: {message}", .path.display())]
    Corrupt { path: PathBuf, message: String },
    #[error("the journal could not be written earlier in this run; nothing more is written")]
    Broken,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> JournalError + '_ {
    move |source| JournalError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The journal directory: `--journal DIR`, else the XDG state directory.
pub fn dir(given: Option<&Path>) -> Result<PathBuf, JournalError> {
    if let Some(d) = given {
        return Ok(crate::fs::paths::absolute(d));
    }
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    // The XDG spec ignores a relative XDG_STATE_HOME.
    if let Some(state) = env("XDG_STATE_HOME").filter(|p| p.is_absolute()) {
        return Ok(state.join("driftfix"));
    }
    env("HOME")
        .map(|home| home.join(".local/state/driftfix"))
        .ok_or(JournalError::NoStateDir)
}

/// The line of one journal record.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(tag = "op", rename_all = "lowercase")]
enum Record {
    Write {
        path: String,
        before_sha256: String,
        after_sha256: String,
        offset: u64,
        len: u64,
    },
    Done {
        path: String,
        written: bool,
    },
    Restored {
        path: String,
    },
}

/// The first line of a run's journal.
#[derive(Serialize, Deserialize, Debug, Clone)]
struct Header {
    schema: String,
    run: String,
    base: PathBuf,
    command: String,
    started: u64,
    driftfix: String,
}

/// One file a run is about to write.
pub struct Intent<'a> {
    /// Relative to the base directory.
    pub path: &'a str,
    pub before: &'a [u8],
    pub after: &'a [u8],
}

/// The journal of the running run.
pub struct Journal {
    dir: PathBuf,
    journal: File,
    pack: File,
    offset: u64,
    wrote_any: bool,
    broken: bool,
    pub id: String,
}

impl Journal {
    /// Starts the journal of a run on `base` in `root` (created if
    /// missing), which must lie outside the base directory; removes runs
    /// beyond the last [`KEEP`].
    pub fn begin(root: &Path, base: &Path, command: &str) -> Result<Journal, JournalError> {
        let real_base = fs::canonicalize(base).map_err(io(base))?;
        // Checked before anything is created: a refused journal leaves no
        // directory in the base.
        if resolved(root).starts_with(&real_base) {
            return Err(JournalError::InsideBase {
                dir: root.to_path_buf(),
                base: base.to_path_buf(),
            });
        }
        let runs = root.join("runs");
        fs::create_dir_all(&runs).map_err(io(&runs))?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let stem = format!("{:015}-{}", now.as_millis(), std::process::id());
        let (id, dir) = (0..1000)
            .map(|k| {
                if k == 0 {
                    stem.clone()
                } else {
                    format!("{stem}-{k}")
                }
            })
            .find_map(|id| {
                let dir = runs.join(&id);
                fs::create_dir(&dir).ok().map(|_| (id, dir))
            })
            .ok_or_else(|| JournalError::Corrupt {
                path: runs.clone(),
                message: "cannot create a run directory".into(),
            })?;
        let open = |name: &str| {
            let p = dir.join(name);
            OpenOptions::new()
                .create_new(true)
                .append(true)
                .open(&p)
                .map_err(io(&p))
        };
        let mut journal = open("journal.jsonl")?;
        let pack = open("before.bin")?;
        let header = Header {
            schema: SCHEMA.into(),
            run: id.clone(),
            base: real_base,
            command: command.into(),
            started: now.as_secs(),
            driftfix: env!("CARGO_PKG_VERSION").into(),
        };
        let path = dir.join("journal.jsonl");
        writeln!(journal, "{}", to_line(&header))
            .and_then(|_| journal.sync_all())
            .map_err(io(&path))?;
        sync_dir(&dir).map_err(io(&dir))?;
        sync_dir(&runs).map_err(io(&runs))?;
        prune(&runs, &id);
        Ok(Journal {
            dir,
            journal,
            pack,
            offset: 0,
            wrote_any: false,
            broken: false,
            id,
        })
    }

    /// Records files about to be written, durably, before any of them is:
    /// their bytes before, and the hashes. After an error nothing more is
    /// recorded ([`JournalError::Broken`]), so nothing more may be written.
    pub fn intend(&mut self, files: &[Intent<'_>]) -> Result<(), JournalError> {
        if self.broken {
            return Err(JournalError::Broken);
        }
        let r = self.intend_inner(files);
        if r.is_err() {
            self.broken = true;
        }
        r
    }

    fn intend_inner(&mut self, files: &[Intent<'_>]) -> Result<(), JournalError> {
        let pack_path = self.dir.join("before.bin");
        let mut lines = String::new();
        for f in files {
            self.pack.write_all(f.before).map_err(io(&pack_path))?;
            let len = u64::try_from(f.before.len()).unwrap_or(u64::MAX);
            lines.push_str(&to_line(&Record::Write {
                path: f.path.to_string(),
                before_sha256: sha256_hex(f.before),
                after_sha256: sha256_hex(f.after),
                offset: self.offset,
                len,
            }));
            lines.push('\n');
            self.offset += len;
        }
        self.pack.sync_all().map_err(io(&pack_path))?;
        let path = self.dir.join("journal.jsonl");
        self.journal
            .write_all(lines.as_bytes())
            .and_then(|_| self.journal.sync_all())
            .map_err(io(&path))?;
        self.wrote_any |= !files.is_empty();
        Ok(())
    }

    /// Records whether an intended file was written. Best effort: a lost
    /// line only makes `undo` tell by the hashes.
    pub fn done(&mut self, path: &str, written: bool) {
        let line = to_line(&Record::Done {
            path: path.to_string(),
            written,
        });
        let _ = writeln!(self.journal, "{line}");
    }

    /// Ends the journal: synced; a run that recorded nothing leaves no
    /// trace.
    pub fn finish(self) {
        if self.wrote_any {
            let _ = self.journal.sync_all();
        } else {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Appends `restored` lines for `paths` to a run's journal (for `undo`).
pub fn mark_restored(run: &RunRecord, paths: &[String]) -> Result<(), JournalError> {
    let path = run.dir.join("journal.jsonl");
    let mut f = OpenOptions::new()
        .append(true)
        .open(&path)
        .map_err(io(&path))?;
    let mut lines = String::new();
    for p in paths {
        lines.push_str(&to_line(&Record::Restored { path: p.clone() }));
        lines.push('\n');
    }
    f.write_all(lines.as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(io(&path))
}

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn to_line<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// `path` with symlinks resolved as far as it exists (the rest joined
/// as written).
fn resolved(path: &Path) -> PathBuf {
    let abs = crate::fs::paths::absolute(path);
    let mut rest = Vec::new();
    let mut at = abs.as_path();
    loop {
        if let Ok(real) = fs::canonicalize(at) {
            return rest.iter().rev().fold(real, |p, c| p.join(c));
        }
        match (at.parent(), at.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                at = parent;
            }
            _ => return abs,
        }
    }
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Removes the oldest runs beyond [`KEEP`] (never `keep_id`).
fn prune(runs: &Path, keep_id: &str) {
    let Ok(entries) = fs::read_dir(runs) else {
        return;
    };
    let mut ids: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    ids.sort();
    let excess = ids.len().saturating_sub(KEEP);
    for id in ids.iter().take(excess).filter(|id| id.as_str() != keep_id) {
        let _ = fs::remove_dir_all(runs.join(id));
    }
}

/// `2026-11-29 22:15:09` (UTC) for seconds since the epoch.
pub fn utc(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(utc(1_764_454_509), "2025-11-29 22:15:09");
    }

    #[test]
    fn sha256_is_the_standard_one() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_run_round_trips_and_old_runs_are_pruned() {
        let root = tempfile::tempdir().unwrap();
        let base = tempfile::tempdir().unwrap();
        let mut j = Journal::begin(root.path(), base.path(), "fix --apply").unwrap();
        j.intend(&[
            Intent {
                path: "a.yaml",
                before: b"x: pve-shop\n",
                after: b"x: pve\n",
            },
            Intent {
                path: "b.yaml",
                before: b"y: 1\n",
                after: b"y: 2\n",
            },
        ])
        .unwrap();
        j.done("a.yaml", true);
        j.done("b.yaml", false);
        j.finish();
        let runs = list(root.path()).unwrap();
        assert_eq!(runs.len(), 1);
        let r = &runs[0];
        assert_eq!(r.base, fs::canonicalize(base.path()).unwrap());
        assert_eq!(r.files.len(), 2);
        assert_eq!(r.files[0].written, Some(true));
        assert_eq!(r.files[1].written, Some(false));
        assert_eq!(r.before_bytes(&r.files[1]).unwrap(), b"y: 1\n");
        assert_eq!(r.files[0].after_sha256, sha256_hex(b"x: pve\n"));
        for _ in 0..KEEP + 3 {
            let mut j = Journal::begin(root.path(), base.path(), "fix --apply").unwrap();
            j.intend(&[Intent {
                path: "a.yaml",
                before: b"1",
                after: b"2",
            }])
            .unwrap();
            j.finish();
        }
        assert_eq!(list(root.path()).unwrap().len(), KEEP);
    }

    #[test]
    fn a_run_that_wrote_nothing_leaves_nothing() {
        let root = tempfile::tempdir().unwrap();
        let base = tempfile::tempdir().unwrap();
        Journal::begin(root.path(), base.path(), "fix --preview")
            .unwrap()
            .finish();
        assert!(list(root.path()).unwrap().is_empty());
    }

    #[test]
    fn never_inside_the_base() {
        let base = tempfile::tempdir().unwrap();
        let err = Journal::begin(&base.path().join("state"), base.path(), "fix --apply")
            .err()
            .unwrap();
        assert!(matches!(err, JournalError::InsideBase { .. }), "{err}");
    }
}
