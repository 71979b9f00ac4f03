//! `--output FILE` and `--write-baseline FILE`: opened before the run,
//! checked again after it and at the moment they are replaced (SPEC §14),
//! through the fs layer's [`Output`].
//!
//! What it may never replace, by device and inode ([`Forbidden`]): the rule
//! files (known at start), and every file the run scanned (known after the
//! run) — except driftfix's own JSON reports, which SPEC §8 lets `--output`
//! replace. A path inside the base directory whose role is read-only or
//! authority is refused at start, whatever it holds. `-` is stdout; a FIFO,
//! character device or socket (or a link to one) is streamed to, never
//! replaced; a regular file is replaced atomically.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::fs::{FileId, FsError, Output, OutputKind, Place};
use crate::plan::{FileErrorKind, SkipReason};
use crate::rules::Role;
use crate::run::Run;
use crate::setup::Setup;

/// `--output FILE` (or `--write-baseline FILE`: `flag` names which) may not
/// be used or written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{flag} {}: directory {} does not exist", .path.display(), .dir.display())]
    NoDirectory {
        flag: &'static str,
        path: PathBuf,
        dir: PathBuf,
    },
    /// A file it may never replace: `why` reads after the path.
    #[error("{flag} {} {why}", .path.display())]
    Refused {
        flag: &'static str,
        path: PathBuf,
        why: String,
    },
    #[error(
        "{flag} {} is {} ({rel}); driftfix never writes those",
        .path.display(),
        .role.name()
    )]
    Governed {
        flag: &'static str,
        path: PathBuf,
        role: Role,
        rel: String,
    },
    #[error("{flag} {}: {source}", .path.display())]
    Open {
        flag: &'static str,
        path: PathBuf,
        source: FsError,
    },
    #[error("{}: {source}", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl OutputError {
    /// The error for `path` from the fs layer's.
    fn of(flag: &'static str, path: &Path, e: FsError) -> OutputError {
        let path = path.to_path_buf();
        match e {
            FsError::Forbidden(why) => OutputError::Refused { flag, path, why },
            FsError::Refused(why) if why.ends_with("is a directory") => OutputError::Refused {
                flag,
                path,
                why: "is a directory".into(),
            },
            FsError::NotFound(dir) => OutputError::NoDirectory {
                flag,
                path,
                dir: PathBuf::from(dir),
            },
            source => OutputError::Open { flag, path, source },
        }
    }
}

/// The files `--output` may never replace, with the reason (read after
/// the path: `is a rule file; not overwritten`).
pub struct Forbidden {
    ids: Mutex<HashMap<FileId, String>>,
}

impl Forbidden {
    /// The rule files.
    pub fn new(setup: &Setup) -> Forbidden {
        let ids = setup
            .rules
            .source_ids
            .iter()
            .map(|id| (*id, "is a rule file; not overwritten".to_string()))
            .collect();
        Forbidden {
            ids: Mutex::new(ids),
        }
    }

    /// Adds every file the run scanned: by role, read-only and authority
    /// files are named as such, editable ones as scanned targets.
    /// driftfix's own JSON reports stay replaceable (SPEC §8).
    pub fn add_run(&self, r: &Run) {
        let Ok(mut ids) = self.ids.lock() else { return };
        for o in &r.outcomes {
            let Some(id) = o.id else { continue };
            if let Err(e) = &o.result
                && e.kind == FileErrorKind::Skipped(SkipReason::DriftfixOutput)
            {
                continue;
            }
            let rel = &o.target.rel_path;
            let why = match o.target.role {
                Role::Editable => format!("is a file this run scans ({rel}); not overwritten"),
                role => format!("is {} ({rel}); driftfix never writes those", role.name()),
            };
            ids.entry(id).or_insert(why);
        }
    }

    /// Why `id` may not be replaced, if it may not.
    pub fn reason(&self, id: FileId) -> Option<String> {
        self.ids.lock().ok()?.get(&id).cloned()
    }
}

/// Opens `--output` (or `--write-baseline`: `flag`) at start, before
/// anything is read or written: its directory must exist, and it may be
/// neither a rule file nor, inside the base directory, a read-only or
/// authority file.
pub fn open<'f>(
    flag: &'static str,
    path: &Path,
    setup: &Setup,
    forbidden: &'f dyn Fn(FileId) -> Option<String>,
    hold: &'f dyn Fn() -> Result<crate::fs::Guard, FsError>,
) -> Result<Output<'f>, OutputError> {
    if let Some((role, rel)) = governed(path, setup) {
        return Err(OutputError::Governed {
            flag,
            path: path.to_path_buf(),
            role,
            rel,
        });
    }
    let out = Output::open_checked(path, forbidden).map_err(|e| OutputError::of(flag, path, e))?;
    Ok(out.with_hold(hold))
}

/// The role of `path` when it lies inside the base directory (where the
/// kernel resolves it, or its directory for a new file) and is not
/// editable.
fn governed(path: &Path, setup: &Setup) -> Option<(Role, String)> {
    if path == Path::new("-") {
        return None;
    }
    let place = match setup.base_dir.place_of(path) {
        Ok(p) => p,
        Err(_) => {
            let dir = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            let name = path.file_name()?.to_str()?;
            match setup.base_dir.place_of(dir).ok()? {
                Place::Inside(d) if d == "." => Place::Inside(name.to_string()),
                Place::Inside(d) => Place::Inside(format!("{d}/{name}")),
                outside => outside,
            }
        }
    };
    let Place::Inside(rel) = place else {
        return None;
    };
    let role = setup.rules.role_of(&rel);
    (!role.writable()).then_some((role, rel))
}

/// Makes an opened output create its file only, never replacing one
/// ([`Output::create_only`]).
pub fn create_only<'f>(
    out: Output<'f>,
    flag: &'static str,
    path: &Path,
) -> Result<Output<'f>, OutputError> {
    out.create_only()
        .map_err(|e| OutputError::of(flag, path, e))
}

/// After the run, before anything is written: the output is not a file the
/// run scans (or found as a target), checked through its directory handle.
pub fn check_after_run(
    out: &Output<'_>,
    flag: &'static str,
    path: &Path,
    r: &Run,
) -> Result<(), OutputError> {
    let own = FileId::of_path(path).ok();
    if let Some((rel, _)) = r.own_targets.iter().find(|(_, id)| Some(*id) == own) {
        return Err(OutputError::Refused {
            flag,
            path: path.to_path_buf(),
            why: format!("is a file this run scans ({rel}); not overwritten"),
        });
    }
    out.recheck().map_err(|e| OutputError::of(flag, path, e))
}

/// Writes into the output with `write` and finishes it: a replaced file
/// is renamed into place after its last check. A reader that went away
/// (`| head`) is not an error for stdout or a stream.
pub fn emit(
    mut out: Output<'_>,
    flag: &'static str,
    path: &Path,
    write: &dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), OutputError> {
    let streamed = matches!(out.kind(), OutputKind::Std | OutputKind::Stream);
    let closed = |e: &std::io::Error| streamed && e.kind() == std::io::ErrorKind::BrokenPipe;
    if let Err(e) = write(&mut out).and_then(|()| out.flush()) {
        if closed(&e) {
            return Ok(());
        }
        return Err(OutputError::Write {
            path: path.to_path_buf(),
            source: e,
        });
    }
    // The test hook: a test plants a link at the output name here.
    crate::fs::pause_before_write().map_err(|e| OutputError::of(flag, path, e))?;
    match out.commit() {
        Err(FsError::Io { source, .. }) if closed(&source) => Ok(()),
        r => r.map_err(|e| OutputError::of(flag, path, e)),
    }
}
