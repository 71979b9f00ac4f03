//! Reports: printers over one result model ([`crate::run::Run`]).
//! Each output format is its own module, listed in the [`Format`] registry;
//! none recomputes the plans. One exception reads files: [`usage`] re-scans
//! authority files for the markdown report's "source of authority" column
//! (plans only record aliases). What goes to stderr (warnings, errors with
//! their code frames, manual findings) is printed by [`stderr`] and
//! [`frame`]; `scan --statistics` by [`statistics`].
//!
//! The formats CI tools read (github, gitlab, sarif) name files relative
//! to the git work tree ([`root`]); the others relative to the base
//! directory. json, sarif and gitlab are streamed: serialized finding by
//! finding into a buffered writer, never held whole in memory.

pub mod checks;
pub mod frame;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod markdown;
pub mod paint;
pub mod patch;
pub mod pretty;
pub mod root;
pub mod sarif;
pub mod statistics;
pub mod stderr;
#[cfg(test)]
mod testkit;
pub mod usage;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;

use clap::ValueEnum as _;
use clap::builder::{PossibleValuesParser, TypedValueParser};

use crate::plan::{Action, Keep};
use crate::rules::{RuleSet, Severity};
use crate::run::Run;
use crate::warning::Warning;
pub use json::FileStatus;
pub use paint::{ColorWhen, Paint};
pub use root::SourceRoot;

/// The output formats: the registry behind `--format`.
///
/// Adding an output format takes two steps:
///
/// 1. a module under `src/report/` with
///    `pub fn write(r: &Report<'_>, out: &mut dyn io::Write) -> io::Result<()>`
///    (or a `render` to a `String`, wrapped by [`whole`]);
/// 2. a variant here (its `--format` name is the variant's name in
///    kebab-case) and its arm in [`Format::spec`], which names the commands
///    that accept it and that module's writer.
///
/// `--format` of `scan` and `fix`, its `--help`, completions and the
/// dispatch all follow from these. The variant order is the order `--help`
/// lists them in. (Plain `//` comments on the variants: a doc comment would
/// show up in `--help`.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    // Aligned findings by canonical name, for the terminal.
    Human,
    // The unified diff of every fix.
    Patch,
    // The alignment report in GitHub-flavoured markdown.
    Markdown,
    // The `driftfix/v1` JSON report.
    Json,
    // SARIF 2.1.0, for code-scanning UIs (GitHub code scanning).
    Sarif,
    // GitHub Actions workflow commands: inline annotations.
    Github,
    // GitLab Code Quality JSON (a `codequality` report artifact).
    Gitlab,
}

/// The commands that print a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    Scan,
    Fix,
}

/// Writes a report to `out`.
pub type Writer = fn(&Report<'_>, &mut dyn io::Write) -> io::Result<()>;

/// What the registry holds for one format.
pub struct Spec {
    /// The commands whose `--format` accepts it.
    pub commands: &'static [Command],
    /// The report closes with the run's summary line itself; for the
    /// others `scan` prints that line on stderr.
    pub has_summary: bool,
    /// What the writer reads of each plan besides its findings: a scan
    /// lets planning drop the rest ([`Keep`]).
    pub reads: Keep,
    pub write: Writer,
}

impl Format {
    /// The registry entry.
    pub fn spec(self) -> Spec {
        use Command::{Fix, Scan};
        match self {
            Format::Human => Spec {
                commands: &[Scan],
                has_summary: true,
                reads: Keep::FINDINGS,
                write: |r, out| whole(human::render(r), out),
            },
            Format::Patch => Spec {
                commands: &[Fix],
                has_summary: false,
                reads: Keep::TEXTS,
                write: |r, out| whole(patch::render(r), out),
            },
            Format::Markdown => Spec {
                commands: &[Scan, Fix],
                has_summary: false,
                reads: Keep::TEXTS,
                write: |r, out| whole(markdown::render(r), out),
            },
            Format::Json => Spec {
                commands: &[Scan, Fix],
                has_summary: false,
                reads: Keep::FINDINGS,
                write: json::write,
            },
            Format::Sarif => Spec {
                commands: &[Scan],
                has_summary: false,
                reads: Keep::ORIGINAL,
                write: sarif::write,
            },
            Format::Github => Spec {
                commands: &[Scan],
                has_summary: false,
                reads: Keep::FINDINGS,
                write: github::write,
            },
            Format::Gitlab => Spec {
                commands: &[Scan],
                has_summary: false,
                reads: Keep::FINDINGS,
                write: gitlab::write,
            },
        }
    }

    /// Writes the report in this format to `out` (streaming writers buffer
    /// themselves: see [`buffered`]).
    pub fn write(self, r: &Report<'_>, out: &mut dyn io::Write) -> io::Result<()> {
        (self.spec().write)(r, out)?;
        out.flush()
    }

    /// The report in this format, whole (for `--output`, which replaces a
    /// file atomically, and for tests).
    pub fn render(self, r: &Report<'_>) -> String {
        let mut out = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = (self.spec().write)(r, &mut out);
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// What the report left out, for stderr: the SARIF results over
    /// GitHub's limit.
    pub fn warnings(self, r: &Report<'_>) -> Vec<Warning> {
        match self {
            Format::Sarif => sarif::warnings(r),
            _ => Vec::new(),
        }
    }
}

/// A buffer in front of `out` for a writer that emits many small pieces
/// (serde's pretty printer writes each indent and quote on its own): the
/// pieces go through a statically known `BufWriter`, and `out` (a `dyn`
/// writer: stdout, a file, a `Vec`) sees 64 KiB chunks.
pub fn buffered(out: &mut dyn io::Write) -> io::BufWriter<&mut dyn io::Write> {
    io::BufWriter::with_capacity(64 * 1024, out)
}

/// A report rendered whole, written out.
pub fn whole(text: String, out: &mut dyn io::Write) -> io::Result<()> {
    out.write_all(text.as_bytes())
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.to_possible_value() {
            Some(v) => f.write_str(v.get_name()),
            None => Ok(()),
        }
    }
}

impl Command {
    /// The formats this command accepts, in registry order.
    pub fn formats(self) -> impl Iterator<Item = Format> {
        Format::value_variants()
            .iter()
            .copied()
            .filter(move |f| f.spec().commands.contains(&self))
    }

    /// The parser of this command's `--format`: exactly the formats it
    /// accepts, by name.
    pub fn format_parser(self) -> impl TypedValueParser<Value = Format> {
        PossibleValuesParser::new(self.formats().filter_map(|f| f.to_possible_value()))
            .try_map(|name: String| Format::from_str(&name, false))
    }
}

/// Everything a report is rendered from.
pub struct Report<'a> {
    pub command: Command,
    pub run: &'a Run,
    pub rules: &'a RuleSet,
    /// Color, for the formats that use it (never into a file).
    pub paint: Paint,
    /// `fix`: what was done (or would be done) with each file.
    pub files: Option<&'a [FileStatus]>,
    /// `--show-suppressed`: list suppressed findings too, with their source.
    pub show_suppressed: bool,
    /// Where CI formats root their paths (github, gitlab, sarif).
    pub root: &'a SourceRoot,
    /// `scan -q`: the human report prints its findings only.
    pub quiet: bool,
}

/// Counts every report closes with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub files_scanned: usize,
    pub files_with_findings: usize,
    pub findings: usize,
    pub by_action: BTreeMap<&'static str, usize>,
    pub by_severity: BTreeMap<&'static str, usize>,
    /// Alias occurrences outside governed fields (SPEC §8).
    pub ungoverned: usize,
    /// Findings suppressed inline, by rules or by the baseline (SPEC §11);
    /// none of the counts above holds them.
    pub suppressed: usize,
    /// The same, by source (`inline`, `rule`, `baseline`).
    pub suppressed_by: BTreeMap<&'static str, usize>,
}

impl Summary {
    pub fn of(run: &Run) -> Summary {
        let mut s = Summary {
            files_scanned: run.files_scanned(),
            ..Summary::default()
        };
        for a in [Action::Fix, Action::Report, Action::Manual] {
            s.by_action.insert(a.name(), 0);
        }
        for l in Severity::ALL {
            s.by_severity.insert(l.name(), 0);
        }
        for plan in run.plans() {
            s.ungoverned += plan.ungoverned.len();
            for (_, why) in &plan.suppressed.findings {
                s.suppressed += 1;
                *s.suppressed_by.entry(why.source.name()).or_default() += 1;
            }
            if !plan.findings.is_empty() {
                s.files_with_findings += 1;
            }
            for f in &plan.findings {
                s.findings += 1;
                *s.by_action.entry(f.action.name()).or_default() += 1;
                *s.by_severity.entry(f.severity.name()).or_default() += 1;
            }
        }
        s
    }

    pub fn action(&self, a: Action) -> usize {
        self.by_action.get(a.name()).copied().unwrap_or(0)
    }

    pub fn severity(&self, l: Severity) -> usize {
        self.by_severity.get(l.name()).copied().unwrap_or(0)
    }

    /// `fix 4, report 2, manual 1; critical 0, high 2, medium 3, low 2`:
    /// the counts every report's summary shows.
    pub fn counts(&self) -> String {
        format!(
            "fix {}, report {}, manual {}; critical {}, high {}, medium {}, low {}",
            self.action(Action::Fix),
            self.action(Action::Report),
            self.action(Action::Manual),
            self.severity(Severity::Critical),
            self.severity(Severity::High),
            self.severity(Severity::Medium),
            self.severity(Severity::Low),
        )
    }
}

/// `N alias occurrences outside governed fields (scan --strict lists
/// them)`, when there are any: printed under every report's summary so
/// that "no findings" never hides an alias in an ungoverned field.
pub fn ungoverned_line(summary: &Summary) -> Option<String> {
    let n = summary.ungoverned;
    (n > 0).then(|| {
        format!(
            "{n} alias occurrence{} outside governed fields (scan --strict lists them)",
            plural(n)
        )
    })
}

/// `3 findings suppressed (inline 1, rule 1, baseline 1)`, when there are
/// any: said under every report, so a clean result never hides them.
pub fn suppressed_line(summary: &Summary) -> Option<String> {
    let n = summary.suppressed;
    (n > 0).then(|| {
        let by: Vec<String> = crate::suppress::Source::ALL
            .iter()
            .filter_map(|src| {
                let k = summary.suppressed_by.get(src.name()).copied().unwrap_or(0);
                (k > 0).then(|| format!("{} {k}", src.name()))
            })
            .collect();
        format!(
            "{n} finding{} suppressed ({}); --show-suppressed lists them",
            plural(n),
            by.join(", ")
        )
    })
}

/// The findings a report lists, in path, line, column order: the run's,
/// and with `show_suppressed` the suppressed ones too, each with why.
pub fn listed(
    run: &Run,
    show_suppressed: bool,
) -> Vec<(&crate::plan::Finding, Option<&crate::suppress::Suppression>)> {
    let mut out = Vec::new();
    for plan in run.plans() {
        let start = out.len();
        out.extend(plan.findings.iter().map(|f| (f, None)));
        if show_suppressed {
            out.extend(plan.suppressed.findings.iter().map(|(f, s)| (f, Some(s))));
            if let Some(tail) = out.get_mut(start..) {
                tail.sort_by_key(|(f, _)| (f.line, f.column));
            }
        }
    }
    out
}

/// `""` for one, `"s"` otherwise.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Control characters made visible (`\n`, `\r`, `\t`, `\u{..}`), so a value
/// or file name always stays on one line and can send no escape sequence
/// to a terminal (ESC, C1 controls); bidirectional overrides and isolates
/// too, which would show a name in another order than its bytes.
pub(crate) fn visible(s: &str) -> String {
    // Printable ASCII shows as itself (every value of a typical report).
    if s.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_visible(&mut out, c);
    }
    out
}

/// Appends `c` as [`visible`] shows it.
fn push_visible(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if c.is_control() || is_bidi_control(c) => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// The Unicode bidirectional formatting characters (embeddings, overrides,
/// isolates, marks): invisible, and they reorder what follows them.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Longest value a one-line report shows in full.
pub const MAX_VALUE_CHARS: usize = 120;

/// Characters of context shown on each side of an alias in a long value.
const CONTEXT_CHARS: usize = 40;

/// A value for a one-line report that keeps `range` (an alias, bytes of
/// `value`) in sight: the whole value when it is one line of at most
/// [`MAX_VALUE_CHARS`] characters, else a window around it on its own line
/// (`…context pve-shop context…`), never a cut that hides it (SPEC §8).
/// `always` shows the window even for a short value (a text line or a
/// comment is context, not a value).
pub(crate) fn excerpt(value: &str, range: &std::ops::Range<usize>, always: bool) -> String {
    // `nth` rather than `count`: a 90 KB value is not counted through.
    if !always && !value.contains('\n') && value.chars().nth(MAX_VALUE_CHARS).is_none() {
        return visible(value);
    }
    let start = floor_char(value, range.start.min(value.len()));
    let end = floor_char(value, range.end.clamp(start, value.len()));
    let line_start = value
        .get(..start)
        .and_then(|v| v.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line_end = value
        .get(end..)
        .and_then(|v| v.find('\n'))
        .map_or(value.len(), |i| end + i);
    let before = value.get(line_start..start).unwrap_or_default();
    let after = value.get(end..line_end).unwrap_or_default();
    let lead: String = before
        .chars()
        .rev()
        .take(CONTEXT_CHARS)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let tail: String = after.chars().take(CONTEXT_CHARS).collect();
    let from = start - lead.len();
    let to = end + tail.len();
    format!(
        "{}{}{}",
        if from > 0 { "…" } else { "" },
        visible(value.get(from..to).unwrap_or_default()),
        if to < value.len() { "…" } else { "" },
    )
}

/// The finding's value before the fix, as [`excerpt`] shows it.
pub(crate) fn actual_excerpt(f: &crate::plan::Finding) -> String {
    excerpt(&f.actual, &f.range, !f.kind.has_field())
}

/// The field column of a finding: its path, or `(text)` / `(comment)` for
/// the kinds that have none (JSON says `null`).
pub(crate) fn field_shown(f: &crate::plan::Finding) -> String {
    if f.kind.has_field() {
        visible(&f.field)
    } else {
        format!("({})", f.kind.name())
    }
}

/// The finding's value after the fix, as [`excerpt`] shows it: the window
/// sits where the canonical name replaced the alias (found near the alias's
/// place, since earlier fixes in the same value shift it).
pub(crate) fn expected_excerpt(f: &crate::plan::Finding) -> Option<String> {
    let text = f.expected.as_ref()?.text();
    let expected: &str = &text;
    let name = f.canonical.as_deref().unwrap_or_default();
    let near = f.range.start.min(expected.len());
    let at = nearest_match(expected, name, near).unwrap_or(near);
    Some(excerpt(
        expected,
        &(at..at + name.len().min(expected.len() - at)),
        !f.kind.has_field(),
    ))
}

/// Where `name` occurs in `s` nearest to `near` (the first of two at the
/// same distance), among the matches `match_indices` finds (left to right,
/// not overlapping). Looked for on both sides of `near` only, so a value
/// with 10,000 occurrences costs the same per finding as one with a few;
/// a name that can overlap itself (`aa` in `aaa`) walks the matches.
fn nearest_match(s: &str, name: &str, near: usize) -> Option<usize> {
    if name.is_empty() {
        return None;
    }
    let overlaps = (1..name.len()).any(|k| {
        name.get(k..)
            .zip(name.get(..name.len() - k))
            .is_some_and(|(a, b)| a == b)
    });
    if !overlaps && s.is_char_boundary(near) {
        let after = s.get(near..)?.find(name).map(|j| near + j);
        let upto = floor_char(s, (near + name.len() - 1).min(s.len()));
        let before = s
            .get(..upto)
            .and_then(|b| b.rfind(name))
            .filter(|&i| i < near);
        return match (before, after) {
            (Some(b), Some(a)) if a - near < near - b => Some(a),
            (Some(b), _) => Some(b),
            (None, a) => a,
        };
    }
    let mut best: Option<(usize, usize)> = None;
    for (i, _) in s.match_indices(name) {
        let d = i.abs_diff(near);
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, i));
        }
        // The matches come in order: past `near`, each is farther.
        if i >= near {
            break;
        }
    }
    best.map(|(_, i)| i)
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod excerpt_tests {
    use super::*;

    #[test]
    fn short_values_are_whole_and_long_ones_keep_the_alias_in_sight() {
        assert_eq!(excerpt("pve-shop", &(0..8), false), "pve-shop");
        let long = format!("{}pve-shop{}", "a ".repeat(200), " b".repeat(200));
        let at = long.find("pve-shop").unwrap();
        let shown = excerpt(&long, &(at..at + 8), false);
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert!(shown.contains("pve-shop"));
        assert!(
            shown.chars().count() <= 8 + 2 * CONTEXT_CHARS + 2,
            "{shown}"
        );
        let block = "line one\nsee pve-shop here\nline three\n";
        let at = block.find("pve-shop").unwrap();
        assert_eq!(excerpt(block, &(at..at + 8), false), "…see pve-shop here…");
        let first = "pve-shop\nrest\n";
        assert_eq!(excerpt(first, &(0..8), false), "pve-shop…");
    }

    /// The nearest match is the one the whole list of matches gives.
    #[test]
    fn nearest_match_is_the_nearest_of_all_matches() {
        fn naive(s: &str, name: &str, near: usize) -> Option<usize> {
            s.match_indices(name)
                .map(|(i, _)| i)
                .filter(|_| !name.is_empty())
                .min_by_key(|&i| i.abs_diff(near))
        }
        let texts = [
            "pve pve x pve",
            "aaaaaaa",
            "abababab",
            "xx pve-home pve pve",
            "é pve é pve ü",
            "",
            "pve",
        ];
        for s in texts {
            for name in ["pve", "aa", "aba", "a", "", "é", "pve-home"] {
                for near in 0..=s.len() {
                    assert_eq!(
                        nearest_match(s, name, near),
                        naive(s, name, near),
                        "{s:?} {name:?} {near}"
                    );
                }
            }
        }
    }
}
