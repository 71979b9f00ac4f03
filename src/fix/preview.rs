//! `fix --preview`: review the fix file by file on a terminal, and write each
//! accepted file when it is accepted (SPEC §7).
//!
//! For each file with fixable changes, in path order: a header (path, number
//! of changes, highest severity), the colored unified diff, then a one-key
//! prompt (no Enter):
//!
//! | key | does |
//! | --- | --- |
//! | `y` | write this file now |
//! | `n` | skip it |
//! | `a` | write this file and all remaining files without asking |
//! | `q` | stop: files already written stay written, nothing more is written |
//! | `s` | step through this file's changes one by one (`y`/`n` each, `q` stops without writing this file); then the accepted subset is written |
//! | `?` | help |
//!
//! Ctrl-C at a prompt counts as `q` (the terminal is back in its normal mode
//! by then). Files are written whole and atomically ([`super::write`]), so an
//! interrupted session leaves every file either untouched or completely
//! written. A file that changed on disk while the prompt waited is not
//! written (error, exit 2).
//!
//! The decisions live in [`review`], which talks to a [`Prompter`] (keys)
//! and a [`Sink`] (writing), so they are unit-tested with scripted answers;
//! [`run`] wires them to the real terminal and disk.

use std::collections::{HashMap, HashSet};
use std::io::{IsTerminal, Write};

use anstyle::{AnsiColor, Style};
use console::{Key, Term};
use similar::{ChangeTag, TextDiff};

use super::write::{WriteContext, WriteError};
use crate::exit::{self, Exit};
use crate::fs::BaseDir;
use crate::plan::{Action, FileError, FilePlan};
use crate::report::{Paint, patch, plural, stderr};
use crate::rules::RuleSet;
use crate::run::Run;

/// The answer for a whole file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileAnswer {
    Yes,
    No,
    All,
    Quit,
    Step,
}

/// The answer for one change in step mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeAnswer {
    Yes,
    No,
    Quit,
}

/// Asks the user. The prompt text is shown by the prompter, after the
/// header and diff that [`review`] has already printed.
pub trait Prompter {
    fn file(&mut self, prompt: &str) -> FileAnswer;
    fn change(&mut self, prompt: &str) -> ChangeAnswer;
}

/// Writes a file with the accepted `fix` findings (indices into
/// [`FilePlan::findings`]); returns notes for the user (stderr).
pub trait Sink {
    fn write(&mut self, plan: &FilePlan, accepted: &[usize]) -> Result<Vec<String>, SinkError>;
}

/// Why an accepted file was not written.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// The accepted subset of the changes could not be rendered.
    #[error("{0}")]
    Render(FileError),
    #[error(transparent)]
    Write(#[from] WriteError),
    /// The undo journal could not record the file first: not written.
    #[error(transparent)]
    Journal(#[from] crate::journal::JournalError),
    /// A plan the session does not know, or one without changes.
    #[error("internal error: {0}")]
    Internal(&'static str),
}

/// Why a review session could not start.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    #[error(
        "--format and --output belong to --dry-run and --apply; --preview shows its diffs on the terminal"
    )]
    Options,
    #[error(
        "--preview needs a terminal (stdin and stdout) to ask before each file; use --dry-run to print the diff, or --apply to write every fix without asking"
    )]
    NoTerminal,
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// What a review session needs beyond the run: color, and where it may
/// write.
pub struct Options<'a> {
    pub paint: Paint,
    pub base: &'a BaseDir,
    pub rules: &'a RuleSet,
}

/// What a review did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub files_written: usize,
    pub changes_written: usize,
    /// Files not written by choice (`n`, nothing accepted in step mode, or
    /// not reached after `q`).
    pub files_skipped: usize,
    /// Files written with some changes declined (step mode).
    pub files_partial: usize,
    /// Declined changes, in skipped and partially written files.
    pub changes_skipped: usize,
    pub files_failed: usize,
    pub changes_failed: usize,
    /// `q` (or Ctrl-C) ended the review early.
    pub stopped: bool,
    /// The files never asked about because the review stopped first (path
    /// order): named at the end when a signal or a closed terminal ended
    /// the session.
    pub not_reached: Vec<String>,
}

impl Tally {
    /// The closing line.
    pub fn line(&self) -> String {
        let mut s = format!(
            "wrote {} in {}; skipped {} in {}",
            count(self.changes_written, "change"),
            count(self.files_written, "file"),
            count(self.changes_skipped, "change"),
            count(self.files_skipped + self.files_partial, "file"),
        );
        if self.files_failed > 0 {
            s.push_str(&format!(
                "; failed to write {} ({})",
                count(self.files_failed, "file"),
                count(self.changes_failed, "change")
            ));
        }
        if self.stopped {
            s.push_str(" (stopped early)");
        }
        s
    }

    /// How the session ends ([`exit::review`]), given whether the run had
    /// errors and manual findings remain.
    pub fn exit_code(&self, run_errors: bool, manual_left: bool) -> Exit {
        exit::review(
            self.files_failed > 0,
            self.changes_skipped > 0,
            run_errors,
            manual_left,
        )
    }
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", plural(n))
}

/// Where [`review`] prints: the diff and progress (stdout), errors and notes
/// (stderr).
pub struct Out<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    pub paint: Paint,
}

/// Reviews `plans` (path order; files without fixable changes are passed
/// over) and writes what is accepted, each file as soon as it is accepted.
pub fn review(
    plans: &[&FilePlan],
    prompter: &mut dyn Prompter,
    sink: &mut dyn Sink,
    o: &mut Out,
) -> Tally {
    let todo: Vec<(&FilePlan, Vec<usize>)> = plans
        .iter()
        .map(|p| (*p, fix_indices(p)))
        .filter(|(_, fixes)| !fixes.is_empty())
        .collect();
    let total = todo.len();
    let mut t = Tally::default();
    let mut all = false;
    for (k, (plan, fixes)) in todo.iter().enumerate() {
        if t.stopped {
            t.not_reached.push(plan.rel_path.clone());
            t.files_skipped += 1;
            t.changes_skipped += fixes.len();
            continue;
        }
        let _ = writeln!(o.out, "{}", header(plan, fixes, k + 1, total, o.paint));
        let accepted: Vec<usize> = if all {
            fixes.clone()
        } else {
            let diff = plan
                .new_text
                .as_deref()
                .map(|new| patch::file_diff(&plan.rel_path, &plan.original, new))
                .unwrap_or_default();
            let _ = write!(o.out, "{}", patch::colorize(&diff, o.paint));
            let _ = o.out.flush();
            match prompter.file("Write this file? [y,n,a,q,s,?] ") {
                FileAnswer::Yes => fixes.clone(),
                FileAnswer::No => Vec::new(),
                FileAnswer::All => {
                    all = true;
                    fixes.clone()
                }
                FileAnswer::Quit => {
                    t.stopped = true;
                    Vec::new()
                }
                FileAnswer::Step => match step(plan, fixes, prompter, o) {
                    Some(acc) => acc,
                    None => {
                        t.stopped = true;
                        Vec::new()
                    }
                },
            }
        };
        let declined = fixes.len() - accepted.len();
        t.changes_skipped += declined;
        if accepted.is_empty() {
            t.files_skipped += 1;
            let _ = writeln!(o.out, "  skipped {}", shown(&plan.rel_path));
        } else {
            match sink.write(plan, &accepted) {
                Ok(notes) => {
                    t.files_written += 1;
                    t.changes_written += accepted.len();
                    if declined > 0 {
                        t.files_partial += 1;
                    }
                    let _ = writeln!(
                        o.out,
                        "  {} {} ({})",
                        o.paint.paint(
                            Style::new().fg_color(Some(AnsiColor::Green.into())),
                            "wrote"
                        ),
                        shown(&plan.rel_path),
                        count(accepted.len(), "change")
                    );
                    for n in notes {
                        let _ = writeln!(o.err, "{n}");
                    }
                }
                Err(e) => {
                    t.files_failed += 1;
                    t.changes_failed += accepted.len();
                    let _ = writeln!(
                        o.out,
                        "  {} {}",
                        o.paint.paint(
                            Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
                            "NOT written:"
                        ),
                        shown(&plan.rel_path)
                    );
                    let _ = o.out.flush();
                    let _ = writeln!(
                        o.err,
                        "error: {}: {}",
                        shown(&plan.rel_path),
                        shown(&e.to_string())
                    );
                }
            }
        }
        let _ = writeln!(o.out);
    }
    let _ = o.out.flush();
    t
}

/// Indices of the findings that `fix` would apply.
fn fix_indices(plan: &FilePlan) -> Vec<usize> {
    if plan.new_text.is_none() {
        return Vec::new();
    }
    plan.findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.action == Action::Fix)
        .map(|(i, _)| i)
        .collect()
}

/// `[2/3] path  4 changes, highest severity HIGH` (+ manual ones).
fn header(plan: &FilePlan, fixes: &[usize], k: usize, total: usize, paint: Paint) -> String {
    let highest = fixes
        .iter()
        .filter_map(|&i| plan.findings.get(i))
        .map(|f| f.severity)
        .min();
    let manual = plan
        .findings
        .iter()
        .filter(|f| f.action == Action::Manual)
        .count();
    let mut s = format!(
        "[{k}/{total}] {}  {}",
        paint.paint(Style::new().bold(), &shown(&plan.rel_path)),
        count(fixes.len(), "change"),
    );
    if let Some(sev) = highest {
        s.push_str(&format!(", highest severity {}", paint.severity(sev)));
    }
    if manual > 0 {
        s.push_str(&format!(
            " ({manual} more need{} a manual fix, listed at the end)",
            if manual == 1 { "s" } else { "" }
        ));
    }
    let suppressed: Vec<String> = crate::suppress::Source::ALL
        .iter()
        .filter_map(|src| {
            let n = plan.suppressed.count(*src);
            (n > 0).then(|| format!("{n} {}", src.name()))
        })
        .collect();
    if !suppressed.is_empty() {
        s.push_str(&format!(
            " [suppressed, not offered: {}]",
            suppressed.join(", ")
        ));
    }
    s
}

/// A path as the terminal shows it: control characters escaped, so a file
/// name can neither break a line nor send escape sequences.
fn shown(path: &str) -> String {
    crate::report::visible(path)
}

/// Step mode: asks about each change; `None` when the user quit. Findings
/// that can only be applied together ([`FilePlan::linked`]) are one change.
fn step(
    plan: &FilePlan,
    fixes: &[usize],
    prompter: &mut dyn Prompter,
    o: &mut Out,
) -> Option<Vec<usize>> {
    let changes = linked_groups(plan, fixes);
    let mut accepted = Vec::new();
    for (n, group) in changes.iter().enumerate() {
        let _ = write!(
            o.out,
            "{}",
            change_view(plan, group, n + 1, changes.len(), o.paint)
        );
        let _ = o.out.flush();
        match prompter.change("Apply this change? [y,n,q,?] ") {
            ChangeAnswer::Yes => accepted.extend(group),
            ChangeAnswer::No => {}
            ChangeAnswer::Quit => return None,
        }
    }
    accepted.sort_unstable();
    Some(accepted)
}

/// `fixes` split into the changes step mode asks about, in order of their
/// first finding.
fn linked_groups(plan: &FilePlan, fixes: &[usize]) -> Vec<Vec<usize>> {
    let mut seen = HashSet::new();
    let mut groups = Vec::new();
    for &i in fixes {
        if seen.contains(&i) {
            continue;
        }
        let group: Vec<usize> = plan
            .linked(i)
            .into_iter()
            .filter(|j| fixes.contains(j))
            .collect();
        seen.extend(group.iter().copied());
        groups.push(group);
    }
    groups
}

/// One change (one finding, or the linked findings of one TOML key): where,
/// what, and the changed line(s) with only this change applied (when that
/// can be rendered).
fn change_view(plan: &FilePlan, group: &[usize], n: usize, total: usize, paint: Paint) -> String {
    let Some(f) = group.first().and_then(|&i| plan.findings.get(i)) else {
        return String::new();
    };
    let from = f.alias.as_deref().unwrap_or(&f.actual);
    let expected = f.expected.as_ref().map(|e| e.text());
    let to = f.canonical.as_deref().or(expected.as_deref()).unwrap_or("");
    let mut s = format!(
        "  change {n}/{total}  {}:{}  {}  {} → {}\n",
        f.line,
        f.column,
        f.field,
        paint.paint(Style::new().fg_color(Some(AnsiColor::Red.into())), from),
        paint.paint(Style::new().fg_color(Some(AnsiColor::Green.into())), to),
    );
    if group.len() > 1 {
        let places: Vec<String> = group
            .iter()
            .filter_map(|&i| plan.findings.get(i))
            .map(|f| format!("{}:{}", f.line, f.column))
            .collect();
        s.push_str(&format!(
            "    one key named in {} places ({}): renamed in all or none\n",
            group.len(),
            places.join(", ")
        ));
    }
    if let Ok(new) = plan.render_subset(&|i| group.contains(&i)) {
        for line in changed_lines(&plan.original, &new) {
            let body = line.trim_end_matches(['\n', '\r']);
            let style = if line.starts_with('-') {
                Style::new().fg_color(Some(AnsiColor::Red.into()))
            } else {
                Style::new().fg_color(Some(AnsiColor::Green.into()))
            };
            s.push_str("    ");
            s.push_str(&paint.paint(style, body));
            s.push('\n');
        }
    }
    s
}

/// The removed (`-`) and added (`+`) lines between two texts.
fn changed_lines(old: &str, new: &str) -> Vec<String> {
    TextDiff::from_lines(old, new)
        .iter_all_changes()
        .filter_map(|c| match c.tag() {
            ChangeTag::Delete => Some(format!("-{}", c.value())),
            ChangeTag::Insert => Some(format!("+{}", c.value())),
            ChangeTag::Equal => None,
        })
        .collect()
}

/// Refuses `--preview` without a terminal, and with `--format` or
/// `--output` (`format_or_output`), which it does not use.
pub fn preflight(format_or_output: bool) -> Result<(), PreviewError> {
    if format_or_output {
        return Err(PreviewError::Options);
    }
    require_terminal()
}

fn require_terminal() -> Result<(), PreviewError> {
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        Ok(())
    } else {
        Err(PreviewError::NoTerminal)
    }
}

/// `fix --preview`; each accepted file is recorded in `journal` (when
/// given) before it is written.
pub fn run(
    opts: &Options<'_>,
    run: &Run,
    journal: Option<&mut crate::journal::Journal>,
) -> Result<Exit, PreviewError> {
    require_terminal()?;
    let paint = opts.paint;
    let ctx = WriteContext::new(opts.base, opts.rules);
    let mut sink = DiskSink {
        ctx,
        paths: run
            .outcomes
            .iter()
            .map(|o| {
                (
                    o.target.rel_path.clone(),
                    (
                        o.target.open_path.clone(),
                        o.target.patch_path().to_string(),
                    ),
                )
            })
            .collect(),
        journal,
    };
    // What the reviewer is not asked about, and why (SPEC §11).
    if let Some(line) = crate::report::suppressed_line(&crate::report::Summary::of(run)) {
        println!("{line}\n");
    }
    let plans: Vec<&FilePlan> = run.plans().collect();
    // SIGINT, SIGTERM and SIGHUP (a closed terminal) end the session like
    // `q`: the key being read is given up, the terminal restored, the
    // closing line printed.
    let _signals = super::signals::Prompting::install();
    let mut prompter = TermPrompter::new();
    let mut stdout = std::io::stdout();
    let mut stderr = std::io::stderr();
    let tally = review(
        &plans,
        &mut prompter,
        &mut sink,
        &mut Out {
            out: &mut stdout,
            err: &mut stderr,
            paint,
        },
    );
    if prompter.interrupted {
        eprintln!("interrupted: nothing more is written; files written so far are complete");
        for path in &tally.not_reached {
            eprintln!("  not written: {}", shown(path));
        }
    }
    if tally == Tally::default() {
        eprintln!("nothing to fix");
    }
    stderr::leftovers(run);
    let reported = run
        .findings()
        .filter(|f| f.action == Action::Report)
        .count();
    if reported > 0 {
        eprintln!(
            "{} in read-only or authority files {} reported, never written (see `driftfix scan`)",
            count(reported, "finding"),
            if reported == 1 { "is" } else { "are" }
        );
    }
    eprintln!("{}", tally.line());
    Ok(tally.exit_code(!run.error_list().is_empty(), exit::manual_left(run)))
}

/// Writes through the guarded atomic writer, recording each file in the
/// undo journal first.
struct DiskSink<'a> {
    ctx: WriteContext<'a>,
    /// Per target (by its shown path): its path beneath the base with no
    /// symlinked directory on the way, and the path the journal records (a
    /// symlink's target under the base).
    paths: HashMap<String, (String, String)>,
    journal: Option<&'a mut crate::journal::Journal>,
}

impl Sink for DiskSink<'_> {
    fn write(&mut self, plan: &FilePlan, accepted: &[usize]) -> Result<Vec<String>, SinkError> {
        let (path, real) = self
            .paths
            .get(&plan.rel_path)
            .ok_or(SinkError::Internal("unknown path"))?;
        let new = if accepted.len() == fix_indices(plan).len() {
            plan.new_text
                .clone()
                .ok_or(SinkError::Internal("nothing planned"))?
        } else {
            let set: HashSet<usize> = accepted.iter().copied().collect();
            plan.render_subset(&|i| set.contains(&i))
                .map_err(SinkError::Render)?
        };
        if let Some(j) = self.journal.as_deref_mut() {
            j.intend(&[crate::journal::Intent {
                path: real,
                before: plan.original.as_bytes(),
                after: new.as_bytes(),
            }])?;
        }
        let result = self
            .ctx
            .write(path, plan.role, plan.original.as_bytes(), new.as_bytes());
        if let Some(j) = self.journal.as_deref_mut() {
            j.done(real, result.as_ref().is_ok_and(|w| !w.already));
        }
        Ok(result?.hard_link_note(&plan.rel_path).into_iter().collect())
    }
}

/// Reads single keys from the terminal (raw mode only while a key is read;
/// console restores the terminal before returning, also for Ctrl-C).
struct TermPrompter {
    term: Term,
    interrupted: bool,
}

const FILE_HELP: &str = "\
y - write this file
n - skip this file
a - write this file and all remaining files without asking
q - quit: write nothing more (files already written stay written)
s - step through this file's changes one by one
? - this help
";

const CHANGE_HELP: &str = "\
y - apply this change
n - leave this change out
q - quit: do not write this file, write nothing more
? - this help
";

impl TermPrompter {
    fn new() -> TermPrompter {
        TermPrompter {
            term: Term::stdout(),
            interrupted: false,
        }
    }

    /// Shows `prompt`, reads keys until one of `keys` (or Ctrl-C, or the
    /// terminal closing: `q`), echoes it and returns it.
    fn ask(&mut self, prompt: &str, keys: &str, help: &str) -> char {
        let _ = self.term.write_str(prompt);
        let _ = self.term.flush();
        loop {
            if super::signals::Prompting::arrived() {
                self.interrupted = true;
                let _ = self.term.write_line("");
                return 'q';
            }
            let key = self.term.read_key_raw();
            let c = match key {
                // Ctrl-D: end of input.
                Ok(Key::Char('\u{4}')) => {
                    self.interrupted = true;
                    let _ = self.term.write_line("^D");
                    return 'q';
                }
                Ok(Key::Char(c)) => c.to_ascii_lowercase(),
                Ok(Key::CtrlC) => {
                    self.interrupted = true;
                    let _ = self.term.write_line("^C");
                    return 'q';
                }
                Ok(_) => '?',
                Err(_) => {
                    // End of input or a hung-up terminal: stop safely.
                    self.interrupted = true;
                    let _ = self.term.write_line("");
                    return 'q';
                }
            };
            if keys.contains(c) {
                let _ = self.term.write_line(&c.to_string());
                return c;
            }
            let _ = self.term.write_line(&c.to_string());
            let _ = self.term.write_str(help);
            let _ = self.term.write_str(prompt);
            let _ = self.term.flush();
        }
    }
}

impl Prompter for TermPrompter {
    fn file(&mut self, prompt: &str) -> FileAnswer {
        match self.ask(prompt, "ynaqs", FILE_HELP) {
            'y' => FileAnswer::Yes,
            'n' => FileAnswer::No,
            'a' => FileAnswer::All,
            's' => FileAnswer::Step,
            _ => FileAnswer::Quit,
        }
    }

    fn change(&mut self, prompt: &str) -> ChangeAnswer {
        match self.ask(prompt, "ynq", CHANGE_HELP) {
            'y' => ChangeAnswer::Yes,
            'n' => ChangeAnswer::No,
            _ => ChangeAnswer::Quit,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::*;
    use crate::formats::{FileType, Replacement, ScalarKind};
    use crate::plan::Finding;
    use crate::rules::{MatchMode, Role, Severity};

    fn finding(path: &str, line: usize, action: Action, severity: Severity) -> Finding {
        Finding {
            path: path.into(),
            line,
            column: 7,
            document: 0,
            field: format!("hosts[{line}].host"),
            kind: ScalarKind::Value,
            actual: "pve-shop".into(),
            expected: Some("pve".into()),
            alias: Some("pve-shop".into()),
            canonical: Some("pve".into()),
            mode: MatchMode::Exact,
            severity,
            role: Role::Editable,
            action,
            reason: (action == Action::Manual).then(|| "test".into()),
            check: crate::plan::Check::NonCanonical,
            scalar: 0,
            end_line: line,
            end_column: 15,
            range: 0..8,
            fix: (action == Action::Fix).then(|| crate::plan::Fix {
                applicability: crate::plan::Applicability::Safe,
                group: line,
                replacement: Replacement {
                    range: 0..8,
                    text: "pve".into(),
                },
            }),
        }
    }

    /// A plan with `fixes` fixable findings (and `manual` manual ones).
    fn plan(path: &str, fixes: usize, manual: usize, severity: Severity) -> FilePlan {
        let mut findings: Vec<Finding> = (1..=fixes)
            .map(|l| finding(path, l, Action::Fix, severity))
            .collect();
        findings.extend((0..manual).map(|l| finding(path, 100 + l, Action::Manual, severity)));
        let original: String = (1..=fixes).map(|_| "host: pve-shop\n").collect();
        FilePlan {
            rel_path: path.into(),
            file_type: FileType::Yaml,
            role: Role::Editable,
            new_text: (fixes > 0).then(|| original.replace("pve-shop", "pve")),
            refused: None,
            original,
            parsed: true,
            findings,
            scalars: Vec::new(),
            finding_edits: Vec::new(),
            edits: Vec::new(),
            canonical_uses: Vec::new(),
            ungoverned: Vec::new(),
            suppressed: Default::default(),
        }
    }

    /// Answers from a script; records the prompts it was shown.
    #[derive(Default)]
    struct Script {
        files: VecDeque<FileAnswer>,
        changes: VecDeque<ChangeAnswer>,
        asked: Vec<String>,
    }

    impl Prompter for Script {
        fn file(&mut self, prompt: &str) -> FileAnswer {
            self.asked.push(format!("file: {prompt}"));
            self.files.pop_front().expect("a scripted file answer")
        }
        fn change(&mut self, prompt: &str) -> ChangeAnswer {
            self.asked.push(format!("change: {prompt}"));
            self.changes.pop_front().expect("a scripted change answer")
        }
    }

    /// Records writes; fails for paths in `fail`.
    #[derive(Default)]
    struct Record {
        wrote: Vec<(String, Vec<usize>)>,
        fail: Vec<String>,
    }

    impl Sink for Record {
        fn write(&mut self, plan: &FilePlan, accepted: &[usize]) -> Result<Vec<String>, SinkError> {
            if self.fail.contains(&plan.rel_path) {
                return Err(WriteError::from(crate::fs::FsError::Changed).into());
            }
            self.wrote.push((plan.rel_path.clone(), accepted.to_vec()));
            Ok(Vec::new())
        }
    }

    struct Done {
        tally: Tally,
        script: Script,
        sink: Record,
        out: String,
        err: String,
    }

    fn session(plans: &[FilePlan], files: &[FileAnswer], changes: &[ChangeAnswer]) -> Done {
        session_failing(plans, files, changes, &[])
    }

    fn session_failing(
        plans: &[FilePlan],
        files: &[FileAnswer],
        changes: &[ChangeAnswer],
        fail: &[&str],
    ) -> Done {
        let mut script = Script {
            files: files.iter().copied().collect(),
            changes: changes.iter().copied().collect(),
            asked: Vec::new(),
        };
        let mut sink = Record {
            wrote: Vec::new(),
            fail: fail.iter().map(|s| s.to_string()).collect(),
        };
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let refs: Vec<&FilePlan> = plans.iter().collect();
        let tally = review(
            &refs,
            &mut script,
            &mut sink,
            &mut Out {
                out: &mut out,
                err: &mut err,
                paint: Paint { color: false },
            },
        );
        assert!(script.files.is_empty(), "unused file answers");
        assert!(script.changes.is_empty(), "unused change answers");
        Done {
            tally,
            script,
            sink,
            out: String::from_utf8(out).unwrap(),
            err: String::from_utf8(err).unwrap(),
        }
    }

    fn three() -> Vec<FilePlan> {
        vec![
            plan("a.yaml", 2, 0, Severity::Medium),
            plan("b.json", 1, 0, Severity::High),
            plan("c.yaml", 3, 0, Severity::Medium),
        ]
    }

    use ChangeAnswer as C;
    use FileAnswer as F;

    #[test]
    fn y_and_n_write_or_skip_each_file() {
        let d = session(&three(), &[F::Yes, F::No, F::Yes], &[]);
        assert_eq!(
            d.sink.wrote,
            [
                ("a.yaml".into(), vec![0, 1]),
                ("c.yaml".into(), vec![0, 1, 2])
            ]
        );
        assert_eq!(
            d.tally,
            Tally {
                files_written: 2,
                changes_written: 5,
                files_skipped: 1,
                changes_skipped: 1,
                ..Tally::default()
            }
        );
        assert_eq!(d.tally.exit_code(false, false), Exit::Drift);
        assert_eq!(
            d.tally.line(),
            "wrote 5 changes in 2 files; skipped 1 change in 1 file"
        );
        assert!(d.out.contains("  skipped b.json\n"), "{}", d.out);
        assert!(d.out.contains("  wrote a.yaml (2 changes)\n"), "{}", d.out);
    }

    #[test]
    fn header_and_diff_come_before_each_prompt() {
        let d = session(&three(), &[F::Yes, F::Yes, F::Yes], &[]);
        assert_eq!(d.script.asked.len(), 3);
        assert!(
            d.out
                .contains("[2/3] b.json  1 change, highest severity HIGH\n--- a/b.json\n+++ b/b.json\n@@ -1 +1 @@\n-host: pve-shop\n+host: pve\n"),
            "{}",
            d.out
        );
        assert!(
            d.out
                .contains("[1/3] a.yaml  2 changes, highest severity MEDIUM\n")
        );
        assert_eq!(d.tally.exit_code(false, false), Exit::Ok);
        assert_eq!(
            d.tally.line(),
            "wrote 6 changes in 3 files; skipped 0 changes in 0 files"
        );
    }

    #[test]
    fn highest_severity_and_manual_count_are_in_the_header() {
        let mut p = plan("a.yaml", 2, 1, Severity::Medium);
        p.findings[1].severity = Severity::Critical;
        let h = header(&p, &fix_indices(&p), 1, 1, Paint { color: false });
        assert_eq!(
            h,
            "[1/1] a.yaml  2 changes, highest severity CRITICAL (1 more needs a manual fix, listed at the end)"
        );
    }

    #[test]
    fn a_writes_this_and_every_remaining_file_without_asking() {
        let d = session(&three(), &[F::No, F::All], &[]);
        assert_eq!(d.script.asked.len(), 2, "no prompt after `a`");
        assert_eq!(
            d.sink.wrote,
            [("b.json".into(), vec![0]), ("c.yaml".into(), vec![0, 1, 2])]
        );
        assert_eq!(d.tally.files_written, 2);
        assert_eq!(d.tally.files_skipped, 1);
        assert!(d.out.contains("[3/3] c.yaml"), "headers still shown");
        assert!(
            !d.out.contains("--- a/c.yaml"),
            "no diff once `a` was given"
        );
    }

    #[test]
    fn q_keeps_what_was_written_and_writes_nothing_more() {
        let d = session(&three(), &[F::Yes, F::Quit], &[]);
        assert_eq!(d.sink.wrote, [("a.yaml".into(), vec![0, 1])]);
        assert!(d.tally.stopped);
        assert_eq!(d.tally.files_skipped, 2);
        assert_eq!(d.tally.changes_skipped, 4);
        assert_eq!(d.tally.exit_code(false, false), Exit::Drift);
        assert!(d.tally.line().ends_with("(stopped early)"));
        assert!(!d.out.contains("[3/3]"), "no further file shown");
    }

    #[test]
    fn s_writes_the_accepted_subset() {
        let d = session(&three(), &[F::No, F::No, F::Step], &[C::Yes, C::No, C::Yes]);
        assert_eq!(d.sink.wrote, [("c.yaml".into(), vec![0, 2])]);
        assert_eq!(d.tally.files_written, 1);
        assert_eq!(d.tally.files_partial, 1);
        assert_eq!(d.tally.changes_written, 2);
        assert_eq!(d.tally.changes_skipped, 3 + 1);
        assert_eq!(
            d.tally.line(),
            "wrote 2 changes in 1 file; skipped 4 changes in 3 files"
        );
        assert!(
            d.out
                .contains("  change 2/3  2:7  hosts[2].host  pve-shop → pve\n")
        );
        assert_eq!(
            d.script
                .asked
                .iter()
                .filter(|a| a.starts_with("change"))
                .count(),
            3
        );
    }

    #[test]
    fn s_with_every_change_declined_writes_nothing() {
        let d = session(
            &[plan("a.yaml", 2, 0, Severity::Low)],
            &[F::Step],
            &[C::No, C::No],
        );
        assert!(d.sink.wrote.is_empty());
        assert_eq!(d.tally.files_skipped, 1);
        assert_eq!(d.tally.changes_skipped, 2);
    }

    #[test]
    fn s_then_all_changes_accepted_is_a_full_write() {
        let d = session(
            &[plan("a.yaml", 2, 0, Severity::Low)],
            &[F::Step],
            &[C::Yes, C::Yes],
        );
        assert_eq!(d.sink.wrote, [("a.yaml".into(), vec![0, 1])]);
        assert_eq!(d.tally.exit_code(false, false), Exit::Ok);
    }

    /// A TOML key named in two places is one change in step mode: both
    /// places are renamed or neither, and the subset always verifies.
    #[test]
    fn s_offers_a_toml_key_named_in_several_places_as_one_change() {
        let rules = crate::rules::RuleSet::from_toml_str(
            "[[canonical]]\nname = \"pve\"\naliases = [\"pve-shop\"]\n[[field]]\nkeys_of = [\"hosts\"]\n[[field]]\nselect = [\"**.host\"]\n",
            std::path::Path::new("driftfix.toml"),
        )
        .unwrap();
        let text =
            "[hosts.pve-shop]\nhost = \"pve-shop\"\n\n[hosts.pve-shop.disks]\nroot = \"nvme\"\n";
        let p = crate::plan::plan_bytes(
            "c.toml",
            FileType::Toml,
            Role::Editable,
            text.as_bytes(),
            &rules,
        )
        .unwrap();
        assert_eq!(p.findings.len(), 3);
        assert_eq!(p.linked(0), [0, 2]);
        assert_eq!(p.linked(2), [0, 2]);
        assert_eq!(p.linked(1), [1]);
        for (answers, want) in [
            ([C::Yes, C::No], vec![0, 2]),
            ([C::No, C::Yes], vec![1]),
            ([C::Yes, C::Yes], vec![0, 1, 2]),
        ] {
            let d = session(std::slice::from_ref(&p), &[F::Step], &answers);
            assert_eq!(d.sink.wrote, [("c.toml".into(), want.clone())]);
            assert!(d.out.contains("change 1/2  1:8"), "{}", d.out);
            assert!(
                d.out
                    .contains("one key named in 2 places (1:8, 4:8): renamed in all or none"),
                "{}",
                d.out
            );
            assert!(d.out.contains("    +[hosts.pve.disks]\n"), "{}", d.out);
            let new = p.render_subset(&|i| want.contains(&i)).unwrap();
            assert_eq!(new.matches("pve-shop").count(), 3 - want.len());
        }
    }

    #[test]
    fn q_in_step_mode_writes_nothing_of_that_file_and_stops() {
        let d = session(&three(), &[F::Step], &[C::Yes, C::Quit]);
        assert!(d.sink.wrote.is_empty());
        assert!(d.tally.stopped);
        assert_eq!(d.tally.files_skipped, 3);
        assert_eq!(d.tally.changes_skipped, 6);
    }

    #[test]
    fn a_failed_write_is_reported_and_exits_2_and_the_rest_goes_on() {
        let d = session_failing(&three(), &[F::Yes, F::Yes, F::Yes], &[], &["b.json"]);
        assert_eq!(d.sink.wrote.len(), 2);
        assert_eq!(d.tally.files_failed, 1);
        assert_eq!(d.tally.changes_failed, 1);
        assert_eq!(d.tally.exit_code(false, false), Exit::Error);
        assert!(
            d.err.contains("error: b.json: file changed on disk"),
            "{}",
            d.err
        );
        assert!(d.out.contains("  NOT written: b.json\n"), "{}", d.out);
        assert!(d.tally.line().contains("failed to write 1 file (1 change)"));
    }

    #[test]
    fn files_without_fixable_changes_are_not_asked_about() {
        let plans = vec![
            plan("a.yaml", 0, 2, Severity::Medium),
            plan("b.yaml", 1, 0, Severity::Medium),
        ];
        let d = session(&plans, &[F::Yes], &[]);
        assert!(d.out.starts_with("[1/1] b.yaml"), "{}", d.out);
        assert_eq!(
            d.tally.exit_code(false, true),
            Exit::Drift,
            "manual findings left"
        );
        assert_eq!(d.tally.exit_code(true, false), Exit::Error, "run errors");
    }

    #[test]
    fn nothing_to_fix_is_an_empty_tally() {
        let d = session(&[plan("a.yaml", 0, 0, Severity::Low)], &[], &[]);
        assert_eq!(d.tally, Tally::default());
        assert_eq!(d.tally.exit_code(false, false), Exit::Ok);
        assert!(d.out.is_empty());
    }

    #[test]
    fn changed_lines_lists_only_the_differences() {
        assert_eq!(
            changed_lines("a\nhost: pve-shop\nb\n", "a\nhost: pve\nb\n"),
            ["-host: pve-shop\n", "+host: pve\n"]
        );
    }
}
