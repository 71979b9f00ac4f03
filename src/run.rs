//! One run over a tree: walk, then read and plan every target in parallel.
//! The result is sorted by path, so every output is deterministic.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::fs::read::{ReadError, read_regular_file};
use crate::matcher::Matcher;
use crate::plan::{Context, FileError, FilePlan, PlanOptions, SkipReason, plan_with};
use crate::rules::RuleSet;
use crate::walk::{LinkTo, Target, walk};

/// What a run needs to know.
pub struct RunInput<'a> {
    pub base: &'a Path,
    pub roots: &'a [PathBuf],
    pub rules: &'a RuleSet,
    pub options: PlanOptions,
    pub max_file_size: u64,
}

/// One target and what planning made of it.
#[derive(Debug)]
pub struct Outcome {
    pub target: Target,
    pub result: Result<FilePlan, FileError>,
}

impl Outcome {
    /// What went wrong with this file, if anything: it could not be read,
    /// parsed (or was skipped), or its edited text failed verification.
    pub fn problem(&self) -> Option<&FileError> {
        match &self.result {
            Err(e) => Some(e),
            Ok(plan) => plan.refused.as_ref(),
        }
    }
}

/// Everything a run found.
#[derive(Debug)]
pub struct Run {
    /// Sorted by path.
    pub outcomes: Vec<Outcome>,
    /// Warnings from the walk (skipped entries).
    pub warnings: Vec<crate::warning::Warning>,
    /// Errors outside any one file (a missing root): `(path, message)`.
    pub errors: Vec<(String, String)>,
    pub elapsed: Duration,
}

impl Run {
    /// Files that were read and planned (skipped files excluded).
    pub fn plans(&self) -> impl Iterator<Item = &FilePlan> {
        self.outcomes.iter().filter_map(|o| o.result.as_ref().ok())
    }

    /// The patch of every file with changes, as `(path to name, plan)`:
    /// a symlinked file is named by the file it leads to
    /// ([`Target::patch_path`]).
    pub fn patches(&self) -> impl Iterator<Item = (&str, &FilePlan, &str)> {
        self.outcomes.iter().filter_map(|o| {
            let plan = o.result.as_ref().ok()?;
            Some((o.target.patch_path(), plan, plan.new_text.as_deref()?))
        })
    }

    /// Every finding of the run, sorted by path, line, column.
    pub fn findings(&self) -> impl Iterator<Item = &crate::plan::Finding> {
        self.plans().flat_map(|p| p.findings.iter())
    }

    /// Every error of the run as `(path, message)`, sorted by path: files
    /// that could not be read, parsed or verified, and missing roots.
    pub fn error_list(&self) -> Vec<(String, String)> {
        let mut errs: Vec<(String, String)> = self.errors.clone();
        errs.extend(self.outcomes.iter().filter_map(|o| match o.problem() {
            Some(e) if !e.is_skip() => Some((o.target.rel_path.clone(), e.to_string())),
            _ => None,
        }));
        errs.sort();
        errs
    }

    /// The errors of [`Run::error_list`] as stderr lines, sorted by path:
    /// `error: PATH:LINE:COLUMN: message` when there is a position (the
    /// format editors and `grep -n` users jump to), else `error: PATH: message`.
    pub fn error_lines(&self) -> Vec<String> {
        let mut lines: Vec<(String, String)> = self
            .errors
            .iter()
            .map(|(p, m)| (p.clone(), format!("error: {p}: {m}")))
            .collect();
        lines.extend(self.outcomes.iter().filter_map(|o| match o.problem() {
            Some(e) if !e.is_skip() => {
                let p = &o.target.rel_path;
                Some((
                    p.clone(),
                    match (e.line, e.column) {
                        (Some(l), Some(c)) => format!("error: {p}:{l}:{c}: {}", e.message),
                        _ => format!("error: {p}: {}", e.message),
                    },
                ))
            }
            _ => None,
        }));
        lines.sort();
        lines.into_iter().map(|(_, l)| l).collect()
    }

    /// Files skipped with a warning (binary, not UTF-8, too large).
    pub fn skipped(&self) -> impl Iterator<Item = (&str, &FileError)> {
        self.outcomes.iter().filter_map(|o| match &o.result {
            Err(e) if e.is_skip() => Some((o.target.rel_path.as_str(), e)),
            _ => None,
        })
    }

    pub fn files_scanned(&self) -> usize {
        self.plans().count()
    }
}

/// Walks and plans. A progress bar appears on stderr when the run takes
/// more than a second and stderr is a terminal.
pub fn run(input: &RunInput) -> Run {
    let start = Instant::now();
    let progress = Progress::default();
    let show = std::io::stderr().is_terminal();
    std::thread::scope(|scope| {
        let (stop, stopped) = mpsc::channel::<()>();
        if show {
            scope.spawn(|| progress.display(start, stopped));
        }
        let r = run_inner(input, &progress);
        drop(stop);
        Run {
            elapsed: start.elapsed(),
            ..r
        }
    })
}

fn run_inner(input: &RunInput, progress: &Progress) -> Run {
    let walked = walk(input.base, input.roots, input.rules);
    progress
        .total
        .store(walked.targets.len(), Ordering::Relaxed);
    let matcher = Matcher::new(input.rules);
    let ctx = Context {
        rules: input.rules,
        matcher: &matcher,
        options: input.options,
    };
    let outcomes: Vec<Outcome> = walked
        .targets
        .into_par_iter()
        .map(|target| {
            let result = read_target(&target, input.max_file_size).and_then(|bytes| {
                let mut plan = plan_with(
                    &ctx,
                    &target.rel_path,
                    target.file_type,
                    target.role,
                    &bytes,
                )?;
                if let Some(LinkTo::Outside(real)) = &target.link {
                    plan.demote_fixes(&format!(
                        "symlink to {}, outside the base directory: never written",
                        real.display()
                    ));
                }
                Ok(plan)
            });
            progress.done.fetch_add(1, Ordering::Relaxed);
            Outcome { target, result }
        })
        .collect();
    let mut warnings = walked.warnings;
    if covers_base(input.base, input.roots) {
        // With explicit roots the walk sees only part of the tree, and a glob
        // for the rest would be warned about wrongly.
        let files: Vec<String> = outcomes.iter().map(|o| o.target.rel_path.clone()).collect();
        warnings.extend(crate::rules::lint::unmatched_globs(
            input.rules,
            &files,
            "file that was scanned",
        ));
    }
    Run {
        outcomes,
        warnings,
        errors: walked.errors,
        elapsed: Duration::ZERO,
    }
}

/// Progress of a run: the workers only bump an atomic counter; a separate
/// thread draws, so a run without a terminal (or under a second) pays
/// nothing but that counter.
struct Progress {
    /// Files planned so far.
    done: AtomicUsize,
    /// Files to plan; `usize::MAX` while the walk is still listing them.
    total: AtomicUsize,
}

impl Default for Progress {
    fn default() -> Progress {
        Progress {
            done: AtomicUsize::new(0),
            total: AtomicUsize::new(usize::MAX),
        }
    }
}

/// How long a run goes before its progress is shown, and how often it is
/// redrawn then.
const PROGRESS_DELAY: Duration = Duration::from_secs(1);
const PROGRESS_TICK: Duration = Duration::from_millis(100);

impl Progress {
    /// Draws on stderr until `stop` is dropped; nothing at all when that
    /// happens within [`PROGRESS_DELAY`]. Leaves no trace on the terminal.
    fn display(&self, start: Instant, stop: mpsc::Receiver<()>) {
        if stop.recv_timeout(PROGRESS_DELAY) != Err(mpsc::RecvTimeoutError::Timeout) {
            return;
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
            .with_elapsed(start.elapsed());
        let style = |template: &str| {
            ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
        };
        bar.set_style(style("{spinner} listing files… {elapsed}"));
        let mut planning = false;
        loop {
            let total = self.total.load(Ordering::Relaxed);
            if total != usize::MAX && !planning {
                planning = true;
                bar.set_style(
                    style("{spinner} scanning [{bar:30}] {pos}/{len} files {elapsed}")
                        .progress_chars("=> "),
                );
                bar.set_length(total as u64);
            }
            if planning {
                bar.set_position(self.done.load(Ordering::Relaxed) as u64);
            }
            bar.tick();
            if stop.recv_timeout(PROGRESS_TICK) != Err(mpsc::RecvTimeoutError::Timeout) {
                break;
            }
        }
        bar.finish_and_clear();
    }
}

/// Whether the roots walk the whole base directory (none given, or the base
/// itself).
fn covers_base(base: &Path, roots: &[PathBuf]) -> bool {
    let base = crate::fs::paths::absolute(base);
    roots.is_empty() || roots.iter().any(|r| crate::fs::paths::absolute(r) == base)
}

/// Reads a target's bytes, refusing files over the size limit before reading.
pub fn read_target(target: &Target, max_size: u64) -> Result<Vec<u8>, FileError> {
    read_regular_file(&target.abs_path, max_size).map_err(|e| {
        let message = e.to_string();
        match e {
            ReadError::NotRegular => FileError::skipped(SkipReason::NotRegular, message),
            ReadError::TooLarge { .. } => FileError::skipped(SkipReason::TooLarge, message),
            ReadError::Io(_) => FileError::unreadable(message),
        }
    })
}
