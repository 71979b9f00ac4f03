//! `fix`'s per-file statuses: what a dry run would do, what `--apply`
//! wrote, and — when a stop signal ended the writes early — which files
//! were written and which were not (SPEC §14).

use crate::fix::write::{Job, WriteContext, WriteErrorKind};
use crate::journal::{Intent, Journal, JournalError};
use crate::plan::{FileError, FilePlan};
use crate::report::json::{FileStatus, Status};
use crate::report::visible;
use crate::run::Run;
use crate::setup::Setup;

/// Files written at once by `fix --apply`: a write mostly waits for `fsync`,
/// so more writers than cores pay off.
const WRITE_THREADS: usize = 8;

/// The message of a file left unwritten because a stop signal arrived.
pub const INTERRUPTED: &str = "interrupted; not written";

/// What a dry run would do with each target.
pub fn dry_statuses(r: &Run) -> Vec<FileStatus> {
    r.outcomes
        .iter()
        .map(|o| dry_status(o.target.rel_path.clone(), o.result.as_deref()))
        .collect()
}

fn dry_status(path: String, result: Result<&FilePlan, &FileError>) -> FileStatus {
    let (status, changes, message) = match result {
        Ok(FilePlan {
            refused: Some(e), ..
        }) => (Status::Error, 0, Some(e.to_string())),
        Ok(p) if p.new_text.is_some() => (Status::Changed, p.fix_count(), None),
        Ok(p) if !p.role.writable() && !p.findings.is_empty() => (
            Status::Skipped,
            0,
            Some(format!("{} file: reported, never written", p.role.name())),
        ),
        Ok(_) => (Status::Unchanged, 0, None),
        Err(e) if e.is_skip() => (Status::Skipped, 0, Some(e.to_string())),
        Err(e) => (Status::Error, 0, Some(e.to_string())),
    };
    FileStatus {
        path,
        status,
        changes,
        message,
    }
}

/// `--apply`: writes every planned file through the base directory's
/// handles; one status per target. Each file is recorded in `journal`
/// (when given) before any is written; a journal that cannot record them
/// is an error of the command, and nothing is written. A file not started
/// because a stop signal arrived is `skipped` with [`INTERRUPTED`]; a file
/// that could not be written is an `error` (its `error:` line printed
/// here, escaped).
pub fn apply_all(
    setup: &Setup,
    r: &Run,
    mut journal: Option<&mut Journal>,
) -> Result<Vec<FileStatus>, JournalError> {
    let ctx = WriteContext::new(&setup.base_dir, &setup.rules);
    let mut statuses = dry_statuses(r);
    // (index into statuses, target, plan, new text) of every file to write.
    let to_write: Vec<_> = r
        .outcomes
        .iter()
        .zip(&statuses)
        .enumerate()
        .filter_map(|(i, (o, status))| match (&o.result, status.status) {
            (Ok(plan), Status::Changed) => Some((i, &o.target, plan, plan.new_text.as_ref()?)),
            _ => None,
        })
        .collect();
    if let Some(j) = journal.as_deref_mut() {
        let intents: Vec<Intent> = to_write
            .iter()
            .map(|(_, target, plan, new)| Intent {
                path: target.patch_path(),
                before: plan.original.as_bytes(),
                after: new.as_bytes(),
            })
            .collect();
        j.intend(&intents)?;
    }
    let jobs: Vec<Job> = to_write
        .iter()
        .map(|(_, target, plan, new)| Job {
            path: &target.open_path,
            role: plan.role,
            planned_from: plan.original.as_bytes(),
            new: new.as_bytes(),
        })
        .collect();
    let results = ctx.write_all(&jobs, WRITE_THREADS);
    for ((i, target, _, _), result) in to_write.iter().zip(results) {
        if let Some(j) = journal.as_deref_mut() {
            j.done(
                target.patch_path(),
                result.as_ref().is_ok_and(|w| !w.already),
            );
        }
        let Some(status) = statuses.get_mut(*i) else {
            continue;
        };
        match result {
            Ok(w) => {
                if let Some(note) = w.hard_link_note(&target.rel_path) {
                    eprintln!("{note}");
                }
            }
            Err(e) if e.kind == WriteErrorKind::Interrupted => {
                status.status = Status::Skipped;
                status.changes = 0;
                status.message = Some(INTERRUPTED.into());
            }
            Err(e) => {
                eprintln!(
                    "error: {}: {}",
                    visible(&target.rel_path),
                    visible(&e.message)
                );
                status.status = Status::Error;
                status.message = Some(e.to_string());
            }
        }
    }
    Ok(statuses)
}

/// Whether any file of the run has a fix to write.
pub fn has_fixes(r: &Run) -> bool {
    r.plans().any(|p| p.new_text.is_some())
}

/// The closing lines of a run that a stop signal ended early: every file
/// written, then every file not written, by name (escaped).
pub fn interrupted_lines(signal: &str, statuses: &[FileStatus]) -> Vec<String> {
    let written: Vec<&FileStatus> = statuses
        .iter()
        .filter(|s| s.status == Status::Changed)
        .collect();
    let not_written: Vec<&FileStatus> = statuses
        .iter()
        .filter(|s| s.status == Status::Skipped && s.message.as_deref() == Some(INTERRUPTED))
        .collect();
    let mut lines = vec![format!(
        "interrupted by {signal}: stopped after the files being written; {} written, {} not written (untouched)",
        count(written.len()),
        count(not_written.len())
    )];
    lines.extend(
        written
            .iter()
            .map(|s| format!("  written: {}", visible(&s.path))),
    );
    lines.extend(
        not_written
            .iter()
            .map(|s| format!("  not written: {}", visible(&s.path))),
    );
    lines
}

fn count(n: usize) -> String {
    format!("{n} file{}", crate::report::plural(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(path: &str, status: Status, message: Option<&str>) -> FileStatus {
        FileStatus {
            path: path.into(),
            status,
            changes: 1,
            message: message.map(Into::into),
        }
    }

    #[test]
    fn interrupted_lines_name_each_file_escaped() {
        let lines = interrupted_lines(
            "SIGINT",
            &[
                status("a.yaml", Status::Changed, None),
                status("b\u{1b}[2J.yaml", Status::Skipped, Some(INTERRUPTED)),
                status("c.yaml", Status::Skipped, Some("readonly file")),
                status("d.yaml", Status::Error, Some("boom")),
            ],
        );
        assert_eq!(
            lines,
            [
                "interrupted by SIGINT: stopped after the files being written; 1 file written, 1 file not written (untouched)",
                "  written: a.yaml",
                "  not written: b\\u{1b}[2J.yaml",
            ]
        );
    }
}
