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
use crate::walk::{LinkTo, Skipped, Target, walk};

/// What a run needs to know.
pub struct RunInput<'a> {
    pub base: &'a Path,
    pub roots: &'a [PathBuf],
    pub rules: &'a RuleSet,
    pub options: PlanOptions,
    pub max_file_size: u64,
    /// The run's own files (`--output`, baseline): never targets.
    pub own_files: &'a [PathBuf],
    /// `--baseline FILE`: findings recorded there are suppressed.
    pub baseline: Option<&'a crate::suppress::baseline::Baseline>,
    /// `--since REF`: only these files (relative to the base) are planned.
    pub only: Option<&'a std::collections::BTreeSet<String>>,
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

/// One error of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorEntry {
    pub path: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    /// The line the position is on, for the code frame on stderr.
    pub source: Option<crate::text::SourceLine>,
}

/// `LINE:COLUMN: message`, or the message alone.
impl std::fmt::Display for ErrorEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{l}:{c}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

/// Everything a run found.
#[derive(Debug)]
pub struct Run {
    /// Sorted by path.
    pub outcomes: Vec<Outcome>,
    /// Files the walk saw and did not scan (no type, special, excluded
    /// root, broken link).
    pub walk_skipped: Vec<Skipped>,
    /// Other warnings of the walk and the rules.
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

    /// Every error of the run, sorted by path: files that could not be
    /// read, parsed or verified, and missing roots; with the position when
    /// there is one (message without it).
    pub fn errors_with_positions(&self) -> Vec<ErrorEntry> {
        let mut errs: Vec<ErrorEntry> = self
            .errors
            .iter()
            .map(|(path, message)| ErrorEntry {
                path: path.clone(),
                line: None,
                column: None,
                message: message.clone(),
                source: None,
            })
            .collect();
        errs.extend(self.outcomes.iter().filter_map(|o| match o.problem() {
            Some(e) if !e.is_skip() => Some(ErrorEntry {
                path: o.target.rel_path.clone(),
                line: e.line,
                column: e.column,
                message: e.message.clone(),
                source: e.source.clone(),
            }),
            _ => None,
        }));
        errs.sort_by(|a, b| {
            (&a.path, a.line, a.column, &a.message).cmp(&(&b.path, b.line, b.column, &b.message))
        });
        errs
    }

    /// Every error of the run as `(path, message)` (the position, when
    /// there is one, leading the message), sorted by path.
    pub fn error_list(&self) -> Vec<(String, String)> {
        self.errors_with_positions()
            .into_iter()
            .map(|e| {
                let message = e.to_string();
                (e.path, message)
            })
            .collect()
    }

    /// The errors as stderr lines, sorted by path: `error: PATH:LINE:COLUMN:
    /// message` when there is a position (the format editors and `grep -n`
    /// users jump to), else `error: PATH: message`.
    pub fn error_lines(&self) -> Vec<String> {
        self.errors_with_positions()
            .iter()
            .map(|e| match (e.line, e.column) {
                (Some(l), Some(c)) => format!("error: {}:{l}:{c}: {}", e.path, e.message),
                _ => format!("error: {}: {}", e.path, e.message),
            })
            .collect()
    }

    /// Every file seen and not scanned, sorted by path: the walk's (no
    /// type, special, excluded root, broken link) and the reader's
    /// (binary, not UTF-8, too large, driftfix's own output).
    pub fn skipped(&self) -> Vec<Skipped> {
        let mut all = self.walk_skipped.clone();
        all.extend(self.outcomes.iter().filter_map(|o| match &o.result {
            Err(e) => Some(Skipped {
                path: o.target.rel_path.clone(),
                reason: e.skip_reason()?,
                message: e.message.clone(),
            }),
            _ => None,
        }));
        all.sort_by(|a, b| a.path.cmp(&b.path));
        all
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
    let mut walked = walk(input.base, input.roots, input.rules, input.own_files);
    let whole_tree = covers_base(input.base, input.roots);
    // With explicit roots the walk sees only part of the tree, and a glob
    // for the rest would be warned about wrongly; `--since` narrows what
    // is read, not what the walk saw.
    let walked_files: Option<Vec<String>> = whole_tree.then(|| {
        walked
            .targets
            .iter()
            .map(|t| t.rel_path.clone())
            .chain(walked.skipped.iter().map(|s| s.path.clone()))
            .collect()
    });
    if let Some(only) = input.only {
        walked.targets.retain(|t| only.contains(&t.rel_path));
        walked.skipped.retain(|s| only.contains(&s.path));
    }
    progress
        .total
        .store(walked.targets.len(), Ordering::Relaxed);
    let matcher = Matcher::new(input.rules);
    let ctx = Context {
        rules: input.rules,
        matcher: &matcher,
        options: input.options,
        baseline: input.baseline,
    };
    let outcomes: Vec<Outcome> = walked
        .targets
        .into_par_iter()
        .map(|target| {
            let result = read_target(&target, input.max_file_size).and_then(|bytes| {
                if is_driftfix_output(target.file_type, &bytes) {
                    return Err(FileError::skipped(
                        SkipReason::DriftfixOutput,
                        "driftfix's own output (top-level \"schema\" starts with `driftfix`)",
                    ));
                }
                let mut plan = plan_with(
                    &ctx,
                    &target.rel_path,
                    target.file_type,
                    target.role,
                    &bytes,
                )?;
                // The reason reaches every report: it names no absolute
                // path (reports stay reproducible and leak no layout).
                if let Some(LinkTo::Outside(_)) = &target.link {
                    plan.demote_fixes(
                        "symlink to a file outside the base directory: never written",
                    );
                }
                Ok(plan)
            });
            progress.done.fetch_add(1, Ordering::Relaxed);
            Outcome { target, result }
        })
        .collect();
    let mut warnings = walked.warnings;
    if let Some(files) = &walked_files {
        warnings.extend(crate::rules::lint::unmatched_globs(
            input.rules,
            files,
            Some(&walked.excluded_by),
            "file that was scanned",
        ));
    }
    let targets: std::collections::BTreeSet<&str> = outcomes
        .iter()
        .map(|o| o.target.rel_path.as_str())
        .collect();
    warnings.extend(crate::plan::suppression_warnings(
        &crate::plan::SuppressionScope {
            rules: input.rules,
            baseline: input.baseline,
            strict: input.options.strict,
            whole_tree: whole_tree && input.only.is_none(),
            targets: &targets,
        },
        outcomes.iter().filter_map(|o| o.result.as_ref().ok()),
    ));
    Run {
        outcomes,
        walk_skipped: walked.skipped,
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

/// Whether a JSON file is driftfix's own report, baseline or discover
/// output: its top-level `"schema"` is a string starting with `driftfix`
/// (SPEC §8). Looked at only when both words occur in the bytes.
pub(crate) fn is_driftfix_output(file_type: crate::formats::FileType, bytes: &[u8]) -> bool {
    use crate::formats::{FileType, ScalarKind, Seg};
    let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    if file_type.governed_as() != FileType::Json
        || !contains(b"\"schema\"")
        || !contains(b"driftfix")
    {
        return false;
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    file_type.format().scalars(text).is_ok_and(|scalars| {
        scalars.iter().any(|s| {
            s.kind == ScalarKind::Value
                && matches!(s.path.as_slice(), [Seg::Key(k)] if k == "schema")
                && s.value.starts_with("driftfix")
        })
    })
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
