//! One run over a tree: walk, then read and plan every target in parallel.
//! The result is sorted by path, so every output is deterministic.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::fs::{BaseDir, FileId, FsError, Located, Look, Place};
use crate::matcher::Matcher;
use crate::plan::{Context, FileError, FilePlan, PlanOptions, SkipReason, plan_buffer};
use crate::prefilter::stream::{STREAM_ABOVE, clean_miss};
use crate::rules::RuleSet;
use crate::walk::{LinkTo, Skipped, Target, walk_with};

/// What a run needs to know.
pub struct RunInput<'a> {
    /// The base directory, held open: every target is read through it.
    pub base: &'a BaseDir,
    pub roots: &'a [PathBuf],
    pub rules: &'a RuleSet,
    pub options: PlanOptions,
    pub max_file_size: u64,
    /// The files this run writes besides targets (`--output`,
    /// `--write-baseline`), when they exist, by device and inode: never
    /// planned (SPEC §8). When the walk finds one as a target that is not
    /// driftfix's own JSON output, it is listed in [`Run::own_targets`] and
    /// is not replaced (SPEC §14).
    pub own_files: &'a [FileId],
    /// Files the run reads besides targets (`--baseline`): never targets,
    /// like the rule files.
    pub never: &'a [FileId],
    /// `--baseline FILE`: findings recorded there are suppressed.
    pub baseline: Option<&'a crate::suppress::baseline::Baseline>,
    /// `--since REF`: only these files (relative to the base) are planned.
    pub only: Option<&'a std::collections::BTreeSet<String>>,
}

/// One target and what planning made of it.
#[derive(Debug)]
pub struct Outcome {
    pub target: Target,
    /// Boxed: most outcomes of a big tree are clean files, and an outcome
    /// is moved as the walker threads hand it over and as the run sorts them.
    pub result: Result<Box<FilePlan>, FileError>,
    /// The identity of the file read (device and inode), when it was
    /// found: `--output` may never replace a file the run scanned.
    pub id: Option<FileId>,
}

impl Outcome {
    /// The plan, when the file was read and planned.
    pub fn plan(&self) -> Option<&FilePlan> {
        self.result.as_deref().ok()
    }

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
    /// Targets the walk found that are one of the run's own output files
    /// (and not a driftfix JSON report), with their identity: not planned,
    /// and never replaced by the output.
    pub own_targets: Vec<(String, FileId)>,
    pub elapsed: Duration,
}

impl Run {
    /// Files that were read and planned (skipped files excluded).
    pub fn plans(&self) -> impl Iterator<Item = &FilePlan> {
        self.outcomes.iter().filter_map(Outcome::plan)
    }

    /// The patch of every file with changes, as `(path to name, plan)`:
    /// a symlinked file is named by the file it leads to
    /// ([`Target::patch_path`]).
    pub fn patches(&self) -> impl Iterator<Item = (&str, &FilePlan, &str)> {
        self.outcomes.iter().filter_map(|o| {
            let plan = o.plan()?;
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
    let never: Vec<FileId> = input
        .rules
        .source_ids
        .iter()
        .chain(input.never)
        .chain(input.own_files)
        .copied()
        .collect();
    let own_targets = std::sync::Mutex::new(Vec::new());
    let whole_tree = covers_base(input.base.path(), input.roots);
    let matcher = Matcher::new(input.rules);
    let ctx = Context {
        rules: input.rules,
        matcher: &matcher,
        options: input.options,
        baseline: input.baseline,
    };
    let plan = |target: Target| {
        with_read_buffer(|buf| {
            plan_target(input, &ctx, &never, &own_targets, progress, target, buf)
        })
    };
    // Each target is read and planned by the walker thread that finds it
    // (`--since` lists the only ones to read).
    let take = |target: Target| -> Option<Outcome> {
        if input
            .only
            .is_some_and(|only| !only.contains(&target.rel_path))
        {
            return None;
        }
        plan(target)
    };
    let (mut walked, mut outcomes, taken) =
        walk_with(input.base, input.roots, input.rules, &never, &take);
    // With explicit roots the walk sees only part of the tree, and a glob
    // for the rest would be warned about wrongly; `--since` narrows what
    // is read, not what the walk saw.
    let walked_files: Option<Vec<String>> = whole_tree.then(|| {
        walked
            .targets
            .iter()
            .map(|t| t.rel_path.clone())
            .chain(taken)
            .chain(walked.skipped.iter().map(|s| s.path.clone()))
            .collect()
    });
    if let Some(only) = input.only {
        walked.targets.retain(|t| only.contains(&t.rel_path));
        walked.skipped.retain(|s| only.contains(&s.path));
    }
    // The targets the walker threads left: links (and every target of a
    // walk of several roots).
    let left = std::mem::take(&mut walked.targets);
    progress
        .total
        .store(outcomes.len() + left.len(), Ordering::Relaxed);
    let plan_left = || -> Vec<Outcome> { left.into_par_iter().filter_map(plan).collect() };
    // The "glob matches nothing" check goes over every walked path: run
    // beside the planning of what is left.
    let unmatched = || -> Vec<crate::warning::Warning> {
        walked_files.as_ref().map_or_else(Vec::new, |files| {
            crate::rules::lint::unmatched_globs(
                input.rules,
                files,
                Some(&walked.excluded_by),
                "file that was scanned",
            )
        })
    };
    let (planned, unmatched) = rayon::join(plan_left, unmatched);
    outcomes.extend(planned);
    // In path order, as the reports list them (each path once: a walk of
    // several roots took none, and its targets are deduplicated).
    sort_by_path(&mut outcomes);
    let mut warnings = std::mem::take(&mut walked.warnings);
    warnings.extend(unmatched);
    let mut own_targets = own_targets.into_inner().unwrap_or_default();
    own_targets.sort();
    // Read only for the unused baseline entries of a --strict run.
    let targets: std::collections::BTreeSet<&str> =
        if input.options.strict && input.baseline.is_some() {
            outcomes
                .iter()
                .map(|o| o.target.rel_path.as_str())
                .collect()
        } else {
            std::collections::BTreeSet::new()
        };
    warnings.extend(crate::plan::suppression_warnings(
        &crate::plan::SuppressionScope {
            rules: input.rules,
            baseline: input.baseline,
            strict: input.options.strict,
            whole_tree: whole_tree && input.only.is_none(),
            targets: &targets,
        },
        outcomes.iter().filter_map(Outcome::plan),
    ));
    Run {
        outcomes,
        walk_skipped: walked.skipped,
        warnings,
        errors: walked.errors,
        own_targets,
        elapsed: Duration::ZERO,
    }
}

/// Sorts outcomes by path: the paths (with indexes) are sorted, and each
/// outcome is then moved once into place (issue 19: sorting the outcomes
/// themselves, over 500 bytes each, moved each of them 15 times on
/// 40,000 files).
fn sort_by_path(outcomes: &mut [Outcome]) {
    let mut order: Vec<(&str, usize)> = outcomes
        .iter()
        .enumerate()
        .map(|(i, o)| (o.target.rel_path.as_str(), i))
        .collect();
    order.par_sort_unstable();
    // `to[i]`: where the outcome now at `i` belongs.
    let mut to = vec![0; order.len()];
    for (k, (_, i)) in order.into_iter().enumerate() {
        if let Some(slot) = to.get_mut(i) {
            *slot = k;
        }
    }
    for i in 0..to.len() {
        // Each swap puts one outcome where it belongs.
        while let Some(&k) = to.get(i).filter(|&&k| k != i) {
            outcomes.swap(i, k);
            to.swap(i, k);
        }
    }
}

thread_local! {
    /// Each worker's read buffer, reused from file to file (issue 19: a
    /// fresh buffer per file where rg reuses one).
    static READ_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `f` with this thread's read buffer (a fresh one if it is in use).
fn with_read_buffer<R>(f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    READ_BUFFER.with(|cell| {
        let mut fresh = Vec::new();
        let mut held = cell.try_borrow_mut();
        let buf = held.as_deref_mut().unwrap_or(&mut fresh);
        let out = f(buf);
        if buf.capacity() > KEEP_READ_BUFFER {
            *buf = Vec::new();
        }
        out
    })
}

/// A read buffer grown past this by a large file is given back after it,
/// so each worker does not hold its largest file for the rest of the run.
const KEEP_READ_BUFFER: usize = 4 << 20;

/// Reads and plans one target with `buf` as the read buffer: `None` when
/// it is not a target after all (a rule file, or the run's own output).
fn plan_target(
    input: &RunInput,
    ctx: &Context,
    never: &[FileId],
    own_targets: &std::sync::Mutex<Vec<(String, FileId)>>,
    progress: &Progress,
    target: Target,
    buf: &mut Vec<u8>,
) -> Option<Outcome> {
    // A large file that certainly needs no parse is settled while
    // streamed (not with --strict, nor for authority files, which are
    // read for canonical names too).
    let matcher = ctx.matcher;
    let stream = |file: &std::fs::File, meta: &crate::fs::Meta, buf: &mut Vec<u8>| {
        if meta.size <= STREAM_ABOVE {
            Look::Untouched
        } else if clean_miss(file, matcher.alias_prefilter(), input.max_file_size, buf) {
            Look::Settled
        } else {
            Look::Unsettled
        }
    };
    let streams = !input.options.strict && target.role != crate::rules::Role::Authority;
    let settle: Option<&crate::fs::Settle<'_>> = if streams { Some(&stream) } else { None };
    let (id, read) = read_target_into(input.base, &target, input.max_file_size, buf, settle);
    if read == Ok(Read::Settled) {
        let own = id.is_some_and(|id| input.own_files.contains(&id));
        progress.done.fetch_add(1, Ordering::Relaxed);
        if id.is_some_and(|id| never.contains(&id) || own) {
            // Never driftfix's output (it holds no `driftfix`): an own file
            // is listed as such.
            if let (true, Ok(mut list), Some(id)) = (own, own_targets.lock(), id) {
                list.push((target.rel_path.clone(), id));
            }
            return None;
        }
        let result = Ok(Box::new(FilePlan::unparsed(
            &target.rel_path,
            target.file_type,
            target.role,
        )));
        return Some(Outcome { target, result, id });
    }
    let own = id.is_some_and(|id| input.own_files.contains(&id));
    // A rule file reached by its own name (or through a bind mount):
    // not a target.
    if id.is_some_and(|id| never.contains(&id)) && !own {
        progress.done.fetch_add(1, Ordering::Relaxed);
        return None;
    }
    if own
        && !read
            .as_ref()
            .is_ok_and(|_| is_driftfix_output(target.file_type, buf))
    {
        if let (Ok(mut list), Some(id)) = (own_targets.lock(), id) {
            list.push((target.rel_path.clone(), id));
        }
        progress.done.fetch_add(1, Ordering::Relaxed);
        return None;
    }
    let result = read.and_then(|_| {
        if is_driftfix_output(target.file_type, buf) {
            return Err(FileError::skipped(
                SkipReason::DriftfixOutput,
                "driftfix's own output (top-level \"schema\" starts with `driftfix`)",
            ));
        }
        let mut plan = plan_buffer(ctx, &target.rel_path, target.file_type, target.role, buf)?;
        // The reason reaches every report: it names no absolute
        // path (reports stay reproducible and leak no layout).
        if let Some(LinkTo::Outside(_)) = &target.link {
            plan.demote_fixes("symlink to a file outside the base directory: never written");
        }
        Ok(Box::new(plan))
    });
    progress.done.fetch_add(1, Ordering::Relaxed);
    Some(Outcome { target, result, id })
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
    // Both words are looked for with a vectorised search (issue 19: a
    // byte-by-byte `windows` scan here was 13% of a near-miss tree's scan).
    static WORDS: std::sync::OnceLock<[Option<aho_corasick::AhoCorasick>; 2]> =
        std::sync::OnceLock::new();
    let [driftfix, schema] = WORDS.get_or_init(|| {
        [
            aho_corasick::AhoCorasick::new(["driftfix"]).ok(),
            aho_corasick::AhoCorasick::new(["\"schema\""]).ok(),
        ]
    });
    let contains = |finder: &Option<aho_corasick::AhoCorasick>| {
        finder.as_ref().is_none_or(|f| f.is_match(bytes))
    };
    if file_type.governed_as() != FileType::Json || !contains(driftfix) || !contains(schema) {
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

/// Reads a target's bytes through the base directory's handles (SPEC
/// §14): a symlinked directory on the way is never followed, a FIFO never
/// blocks, a device is never read, nothing past `max_size` is read. Also
/// returns the identity of the file found, when one was.
///
/// The file must still be where the walk placed it: a symlinked file that
/// now leads elsewhere took its role from where it led then, so it is an
/// error (run driftfix again), never read under a role that is not its own.
pub fn read_target(
    base: &BaseDir,
    target: &Target,
    max_size: u64,
) -> (Option<FileId>, Result<Vec<u8>, FileError>) {
    let mut bytes = Vec::new();
    let (id, read) = read_target_into(base, target, max_size, &mut bytes, None);
    (id, read.map(|_| bytes))
}

/// What [`read_target_into`] left in the buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Read {
    /// The whole file.
    Whole,
    /// Nothing: the look before the read settled the file.
    Settled,
}

/// [`read_target`] into a buffer the caller reuses from file to file
/// (cleared first). A target that is neither a symlink nor under a
/// renamed root is opened in one step ([`BaseDir::read_plain_into`]);
/// anything unusual goes the careful way, which names the problem.
pub fn read_target_into(
    base: &BaseDir,
    target: &Target,
    max_size: u64,
    bytes: &mut Vec<u8>,
    settle: Option<&crate::fs::Settle<'_>>,
) -> (Option<FileId>, Result<Read, FileError>) {
    if target.link.is_none()
        && let Some(read) = base.read_plain_into(&target.open_path, max_size, bytes, settle)
    {
        let how = match read {
            crate::fs::PlainRead::Read(_) => Read::Whole,
            crate::fs::PlainRead::Settled(_) => Read::Settled,
        };
        return (Some(read.meta().id), Ok(how));
    }
    bytes.clear();
    let located = match base.locate(&target.open_path) {
        Ok(l) => l,
        Err(e) => return (None, Err(read_error(e))),
    };
    let id = Some(located.id);
    if located.kind == crate::fs::FileKind::Regular && !where_walked(target, &located) {
        let moved = FsError::Moved(target.rel_path.clone());
        return (id, Err(FileError::unreadable(moved.to_string())));
    }
    match base.read_located(located, max_size) {
        Ok(read) => {
            *bytes = read.contents.bytes;
            (id, Ok(Read::Whole))
        }
        Err(e) => (id, Err(read_error(e))),
    }
}

/// Whether a located file is where the walk said the target leads.
fn where_walked(target: &Target, located: &Located) -> bool {
    match (&target.link, &located.place) {
        (Some(LinkTo::Inside(walked)), Place::Inside(now)) => walked == now,
        (Some(LinkTo::Outside(walked)), Place::Outside(now)) => walked == now,
        (None, Place::Inside(now)) => *now == target.open_path,
        _ => false,
    }
}

/// What a failed read means for the run: a file that is not regular or is
/// too large is skipped (SPEC §6); anything else is an error.
fn read_error(e: FsError) -> FileError {
    match e {
        FsError::NotRegular(_) => FileError::skipped(SkipReason::NotRegular, e.to_string()),
        FsError::TooLarge { len, max } => FileError::skipped(
            SkipReason::TooLarge,
            format!("larger than --max-file-size ({len} bytes > {max})"),
        ),
        FsError::BadLink(_) => FileError::skipped(
            SkipReason::BrokenLink,
            "symlink cannot be followed (dangling or a loop)",
        ),
        e => FileError::unreadable(format!("cannot read: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::FileType;
    use crate::rules::Role;

    fn outcome(path: &str) -> Outcome {
        Outcome {
            target: Target {
                rel_path: path.to_string(),
                open_path: path.to_string(),
                file_type: FileType::Yaml,
                role: Role::Editable,
                link: None,
            },
            result: Ok(Box::new(FilePlan::unparsed(
                path,
                FileType::Yaml,
                Role::Editable,
            ))),
            id: None,
        }
    }

    #[test]
    fn outcomes_are_sorted_by_path_whatever_order_they_came_in() {
        let paths: Vec<String> = (0..500).map(|i| format!("d{}/f{i}.yaml", i % 7)).collect();
        let mut want = paths.clone();
        want.sort();
        // A few deterministic shuffles: reversed, rotated, interleaved.
        let mut orders = vec![paths.clone(), paths.iter().rev().cloned().collect()];
        orders.push(
            paths
                .iter()
                .skip(123)
                .chain(paths.iter().take(123))
                .cloned()
                .collect(),
        );
        orders.push((0..500).map(|i| paths[(i * 37) % 500].clone()).collect());
        for order in orders {
            let mut outcomes: Vec<Outcome> = order.iter().map(|p| outcome(p)).collect();
            sort_by_path(&mut outcomes);
            let got: Vec<&str> = outcomes
                .iter()
                .map(|o| o.target.rel_path.as_str())
                .collect();
            assert_eq!(got, want);
            // Each outcome moved with its own plan.
            assert!(
                outcomes
                    .iter()
                    .all(|o| o.result.as_ref().unwrap().rel_path == o.target.rel_path)
            );
        }
        sort_by_path(&mut []);
    }
}
