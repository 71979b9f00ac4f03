//! `driftfix undo` (SPEC §14): puts back what the last run that wrote files
//! under the base directory wrote, from its [`crate::journal`].
//!
//! A file is restored only when its bytes still hash to what that run
//! wrote; one edited again since (by hand, by another tool) is reported and
//! left alone (exit 1), one already back as it was counts as restored.
//! Restoring goes through the same guarded writer as `fix --apply`
//! ([`WriteContext::write`]): only editable files under the base directory,
//! through its directory handles, re-read just before the atomic rename,
//! holding the base directory's lock like `fix --apply` (SPEC §14). A run is "the last" while some of
//! its files are still to be looked at, so `undo` after a partial undo
//! retries the files left alone, and `undo` after a full one goes one run
//! further back. `--list` shows the runs; `--run ID` picks one.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::cli::{Cli, UndoArgs};
use crate::exit::Exit;
use crate::fix::write::{WriteContext, WriteError};
use crate::fs::{FsError, LOCK_TIMEOUT};
use crate::journal::{self, JournalError, RunRecord, sha256_hex};
use crate::report::{plural, visible};
use crate::rules::RuleSet;
use crate::setup::{Setup, SetupError, setup};

/// Why `undo` could not run (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum UndoError {
    #[error(transparent)]
    Setup(#[from] SetupError),
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Writer(#[from] WriteError),
    /// Another driftfix holds the base directory, or it cannot be opened.
    #[error("{0}")]
    Fs(#[from] FsError),
    #[error("no run {id} in the journal {} (driftfix undo --list shows them)", .root.display())]
    UnknownRun { id: String, root: PathBuf },
    #[error(
        "run {id} wrote under {}, not under the base directory {}; pass --base {}",
        .run_base.display(),
        .base.display(),
        .run_base.display()
    )]
    OtherBase {
        id: String,
        run_base: PathBuf,
        base: PathBuf,
    },
}

/// `driftfix undo [--list] [--run ID] [--journal DIR]`.
pub fn undo(cli: &Cli, args: &UndoArgs) -> Result<Exit, UndoError> {
    let root = journal::dir(args.journal.journal.as_deref())?;
    let (runs, broken) = journal::list_all(&root)?;
    for e in &broken {
        eprintln!("warning: {e}");
    }
    if args.list {
        print_list(&runs);
        return Ok(Exit::Ok);
    }
    let setup = undo_setup(cli)?;
    let base = std::fs::canonicalize(&setup.base).unwrap_or_else(|_| setup.base.clone());
    let run = match &args.run {
        Some(id) => {
            let run = runs
                .iter()
                .find(|r| &r.id == id)
                .ok_or_else(|| UndoError::UnknownRun {
                    id: id.clone(),
                    root: root.clone(),
                })?;
            if run.base != base {
                return Err(UndoError::OtherBase {
                    id: id.clone(),
                    run_base: run.base.clone(),
                    base,
                });
            }
            Some(run)
        }
        None => runs
            .iter()
            .find(|r| r.base == base && r.pending().next().is_some()),
    };
    let Some(run) = run else {
        eprintln!(
            "nothing to undo: no run in {} wrote files under {} that are not restored",
            root.display(),
            base.display()
        );
        return Ok(Exit::Ok);
    };
    restore(cli, &setup, run)
}

/// Rules and base for `undo`: those of every command; without a rule file,
/// `--base DIR` (else the current directory) and no roles (every file is
/// editable, as it was when the run wrote it).
fn undo_setup(cli: &Cli) -> Result<Setup, UndoError> {
    match setup(cli) {
        Err(SetupError::NoRuleFile) => {
            let base = match &cli.base {
                Some(b) => b.clone(),
                None => std::env::current_dir().map_err(SetupError::CurrentDir)?,
            };
            let rules = RuleSet::from_toml_str("version = 1\n", Path::new("(no rule file)"))
                .map_err(SetupError::Rules)?;
            Ok(Setup::open(rules, &base)?)
        }
        other => Ok(other?),
    }
}

/// What became of one file.
enum Fate {
    Restored,
    /// Already held its bytes from before the run.
    Already,
    LeftAlone(String),
    Failed(String),
}

/// Restores the pending files of `run`.
fn restore(cli: &Cli, setup: &Setup, run: &RunRecord) -> Result<Exit, UndoError> {
    let _lock = setup.base_dir.lock(LOCK_TIMEOUT, &|pid| {
        let holder = pid.map(|p| format!(" (pid {p})")).unwrap_or_default();
        eprintln!(
            "waiting for another driftfix{holder} that holds the base directory {}…",
            visible(&setup.base.display().to_string())
        );
    })?;
    let ctx = WriteContext::new(&setup.base_dir, &setup.rules);
    let mut done = Vec::new();
    let (mut restored, mut left, mut failed) = (0, 0, 0);
    let mut err = std::io::stderr().lock();
    for f in run.pending() {
        let shown = visible(&f.path);
        match fate(cli, setup, &ctx, run, f) {
            Fate::Restored => {
                restored += 1;
                done.push(f.path.clone());
                let _ = writeln!(err, "restored {shown}");
            }
            Fate::Already => {
                done.push(f.path.clone());
            }
            Fate::LeftAlone(why) => {
                left += 1;
                let _ = writeln!(err, "left alone: {shown}: {why}");
            }
            Fate::Failed(why) => {
                failed += 1;
                let _ = writeln!(err, "error: {shown}: {why}");
            }
        }
    }
    if let Err(e) = journal::mark_restored(run, &done) {
        let _ = writeln!(err, "warning: {e}");
    }
    let _ = writeln!(
        err,
        "undo of run {} ({}, {} UTC): restored {restored} file{}{}{}",
        run.id,
        run.command,
        journal::utc(run.started),
        plural(restored),
        if left > 0 {
            format!(
                "; left {left} file{} alone (changed since that run)",
                plural(left)
            )
        } else {
            String::new()
        },
        if failed > 0 {
            format!("; failed to restore {failed} file{}", plural(failed))
        } else {
            String::new()
        },
    );
    Ok(Exit::of(failed > 0, left > 0))
}

/// Looks at one file of the run and restores it when it still holds what
/// the run wrote.
fn fate(
    cli: &Cli,
    setup: &Setup,
    ctx: &WriteContext,
    run: &RunRecord,
    f: &journal::FileRecord,
) -> Fate {
    let current = match setup.base_dir.read(&f.path, cli.max_file_size) {
        Ok(read) => read.contents.bytes,
        Err(FsError::NotFound(_)) => {
            return Fate::LeftAlone("no longer exists".into());
        }
        Err(e) => return Fate::LeftAlone(e.to_string()),
    };
    let now = sha256_hex(&current);
    if now == f.before_sha256 {
        return Fate::Already;
    }
    if now != f.after_sha256 {
        return Fate::LeftAlone(
            "its bytes are not what that run wrote (edited since?); not restored".into(),
        );
    }
    let before = match run.before_bytes(f) {
        Ok(b) => b,
        Err(e) => return Fate::Failed(e.to_string()),
    };
    let role = setup.rules.role_of(&f.path);
    match ctx.write(&f.path, role, &current, &before) {
        Ok(_) => Fate::Restored,
        Err(e) => Fate::Failed(e.to_string()),
    }
}

/// `undo --list`: the runs, newest first.
fn print_list(runs: &[RunRecord]) {
    let mut out = std::io::stdout().lock();
    if runs.is_empty() {
        let _ = writeln!(out, "no runs recorded");
        return;
    }
    let _ = writeln!(
        out,
        "{:<22}  {:<19}  {:>5}  {:<13}  {:<13}  BASE",
        "RUN", "STARTED (UTC)", "FILES", "STATE", "COMMAND"
    );
    for r in runs {
        let written = r.written().count();
        let pending = r.pending().count();
        let state = match (written, pending) {
            (0, _) => "nothing",
            (_, 0) => "undone",
            (w, p) if p < w => "partly undone",
            _ => "written",
        };
        let _ = writeln!(
            out,
            "{:<22}  {:<19}  {:>5}  {:<13}  {:<13}  {}",
            r.id,
            journal::utc(r.started),
            written,
            state,
            r.command,
            visible(&r.base.display().to_string())
        );
    }
}
