//! Suppressions applied to one file's findings (SPEC §11), before any edit
//! is computed: a suppressed finding is moved out of
//! [`FilePlan::findings`] into [`Suppressed::findings`], so nothing below
//! (edits, verification, reports, exit codes) ever sees it.
//!
//! Order: inline markers, then `[[ignore]]` rules, then the baseline; the
//! first that covers a finding names it, and every one that covers it
//! counts as used (`--strict` warns about the rest). Alias names written in
//! a marker's own list are no occurrences at all.
//!
//! A fix that stands or falls with a suppressed finding (one name written
//! in several places, SPEC §9) is not made: renaming only some places would
//! split the name, so those findings become `manual`.

use std::collections::{BTreeSet, HashMap};

use super::ungoverned::Ungoverned;
use super::{Action, Context, Finding};
use crate::formats::{DocPath, Replacement, Scalar, Style, apply_replacements, source_offset};
use crate::rules::ignore::IgnoreRule;
use crate::suppress::baseline::{Entry, Key, fingerprints};
use crate::suppress::inline::{self, Malformed, Marker};
use crate::suppress::{Source, Suppression};
use crate::text::LineIndex;

/// What suppression did in one file.
#[derive(Clone, Debug, Default)]
pub struct Suppressed {
    /// The suppressed findings, in line order, each with why.
    pub findings: Vec<(Finding, Suppression)>,
    /// Markers that covered nothing: `(line, marker as written)`.
    pub unused_markers: Vec<(usize, String)>,
    /// Markers that could not be read: `(line, message)`.
    pub malformed: Vec<(usize, String)>,
    /// Indexes into [`crate::rules::RuleSet::ignores`] of the rules that
    /// covered a finding or occurrence here.
    pub rules_used: BTreeSet<usize>,
    /// Indexes of the baseline entries that matched a finding here.
    pub baseline_used: BTreeSet<usize>,
    /// The fingerprints of the findings no marker or rule suppresses (what
    /// `--write-baseline` records), in line order.
    pub fingerprints: Vec<Entry>,
}

impl Suppressed {
    /// Suppressed findings of one source.
    pub fn count(&self, source: Source) -> usize {
        self.findings
            .iter()
            .filter(|(_, s)| s.source == source)
            .count()
    }
}

/// The inline markers and `[[ignore]]` rules of one file.
pub(super) struct Suppressor<'a> {
    markers: Vec<Marker>,
    malformed: Vec<Malformed>,
    marker_used: Vec<bool>,
    /// `(index, rule)` of the rules whose `files` match this file.
    rules: Vec<(usize, &'a IgnoreRule)>,
    rules_used: BTreeSet<usize>,
    index: &'a LineIndex<'a>,
}

impl<'a> Suppressor<'a> {
    /// Reads the markers of `text` (in `comments`, or anywhere with
    /// `lines_only`) and picks the rules for `rel_path`.
    pub fn new(
        ctx: &'a Context<'a>,
        rel_path: &str,
        text: &str,
        comments: &[std::ops::Range<usize>],
        lines_only: bool,
        index: &'a LineIndex<'a>,
    ) -> Suppressor<'a> {
        let (markers, malformed) = inline::find(text, comments, lines_only, index);
        Suppressor {
            marker_used: vec![false; markers.len()],
            markers,
            malformed,
            rules: ctx
                .rules
                .ignores
                .iter()
                .enumerate()
                .filter(|(_, r)| r.applies_to(rel_path))
                .collect(),
            rules_used: BTreeSet::new(),
            index,
        }
    }

    /// Whether any marker or `[[ignore]]` rule could cover a finding of
    /// this file: when none can, the lines of each finding are not looked
    /// up (two line lookups per finding, for nothing, in a file with
    /// 100,000 findings and no marker).
    fn may_suppress(&self) -> bool {
        !self.markers.is_empty() || !self.rules.is_empty()
    }

    /// Whether byte `at` lies in a marker's own text (its alias list).
    fn in_marker(&self, at: usize) -> bool {
        self.markers.iter().any(|m| m.range.contains(&at))
            || self.malformed.iter().any(|m| m.range.contains(&at))
    }

    /// The first marker or rule that covers a finding on lines
    /// `first..=last` at `path` (none for comments and text lines) naming
    /// `name`; every one that covers it is marked used.
    fn check(
        &mut self,
        first: usize,
        last: usize,
        path: Option<&DocPath>,
        name: &str,
    ) -> Option<Suppression> {
        let mut found = None;
        for (m, used) in self.markers.iter().zip(self.marker_used.iter_mut()) {
            if m.covers(first, last, name) {
                *used = true;
                found.get_or_insert_with(|| Suppression {
                    source: Source::Inline,
                    by: format!("line {}: {}", m.line, m.text),
                });
            }
        }
        for (i, r) in &self.rules {
            if r.covers(path, name) {
                self.rules_used.insert(*i);
                found.get_or_insert_with(|| Suppression {
                    source: Source::Rule,
                    by: format!("[[ignore]] at {}: {}", r.origin, r.reason),
                });
            }
        }
        found
    }

    /// Drops the alias occurrences outside governed fields that a marker's
    /// own text holds, and returns those that stay visible (the others are
    /// suppressed: no longer counted).
    pub fn occurrences<'u>(&mut self, outside: &'u mut Vec<Ungoverned>) -> Vec<&'u Ungoverned> {
        if !self.markers.is_empty() || !self.malformed.is_empty() {
            outside.retain(|u| !self.in_marker(hit_offset(&u.scalar, u.hit.range.start)));
        }
        let outside: &'u [Ungoverned] = outside;
        if !self.may_suppress() {
            return outside.iter().collect();
        }
        let mut visible = Vec::new();
        for u in outside {
            let (first, last) = lines_of(
                &u.scalar,
                self.index,
                self.index
                    .line_col(hit_offset(&u.scalar, u.hit.range.start))
                    .0,
            );
            let path = u.scalar.kind.has_field().then_some(&u.scalar.path);
            if self.check(first, last, path, &u.hit.alias).is_none() {
                visible.push(u);
            }
        }
        visible
    }

    /// Splits `findings` (with `extra[i]` set for `--strict` findings
    /// outside governed fields) into the kept ones, sorted by line and
    /// column, and the suppressed ones.
    ///
    /// Works in the list it is given: a file with 100,000 findings held
    /// them three times here (the list, the sorted pairs, the kept ones:
    /// 82 MB of a 26.8 MB file's peak, issue 19).
    pub fn apply(
        mut self,
        ctx: &Context,
        rel_path: &str,
        scalars: &[Scalar],
        mut findings: Vec<Finding>,
        extra: Vec<bool>,
    ) -> (Vec<Finding>, Suppressed) {
        // Alias names in a marker's own list (on a text line) are no
        // findings; their scalars' other findings expect less.
        let mut touched = BTreeSet::new();
        let mut extra = extra.into_iter();
        let mut flags = Vec::with_capacity(findings.len());
        findings.retain(|f| {
            let x = extra.next().unwrap_or(false);
            let inside = scalars
                .get(f.scalar)
                .is_some_and(|s| self.in_marker(hit_offset(s, f.range.start)));
            if inside {
                touched.insert(f.scalar);
            } else {
                flags.push(x);
            }
            !inside
        });
        sort_by_position(&mut findings, &mut flags);
        // Only a baseline (read or written) looks at fingerprints: three
        // strings per finding otherwise held for nothing (issue 19).
        let printed = ctx.baseline.is_some() || ctx.options.keep.fingerprints;
        let prints = if printed {
            fingerprints(
                rel_path,
                findings.iter().zip(&flags).map(|(f, extra)| {
                    let field = f.kind.has_field().then_some(f.field.as_str());
                    let mut key = Key::new(field, f.alias.as_deref(), &f.actual);
                    if *extra {
                        key.value = Some(f.actual.to_string());
                    }
                    key
                }),
            )
        } else {
            Vec::new()
        };
        drop(flags);
        let mut prints = prints.into_iter();
        let mut out = Suppressed::default();
        let may_suppress = self.may_suppress();
        // Which findings are suppressed, and by what: (index, suppression).
        let mut gone: Vec<(usize, crate::suppress::Suppression)> = Vec::new();
        for (i, f) in findings.iter().enumerate() {
            let print = prints.next();
            let own = if may_suppress {
                let (first, last) = scalars
                    .get(f.scalar)
                    .map_or((f.line, f.line), |s| lines_of(s, self.index, f.line));
                let path = f
                    .kind
                    .has_field()
                    .then(|| scalars.get(f.scalar).map(|s| &s.path))
                    .flatten();
                let actual;
                let name = match f.alias.as_deref() {
                    Some(alias) => alias,
                    None => {
                        actual = f.actual.to_string();
                        actual.as_str()
                    }
                };
                self.check(first, last, path, name)
            } else {
                None
            };
            let listed = ctx.baseline.zip(print.as_ref()).and_then(|(b, print)| {
                let i = b.lookup(print)?;
                out.baseline_used.insert(i);
                Some(Suppression {
                    source: Source::Baseline,
                    by: format!("baseline {}", b.name),
                })
            });
            if let (None, Some(print), true) = (&own, print, ctx.options.keep.fingerprints) {
                out.fingerprints.push(print);
            }
            if let Some(s) = own.or(listed) {
                gone.push((i, s));
            }
        }
        out.findings = take_at(&mut findings, gone);
        touched.extend(out.findings.iter().map(|(f, _)| f.scalar));
        repair(&mut findings, &out.findings, &touched, scalars);
        let kept = findings;
        out.unused_markers = self
            .markers
            .iter()
            .zip(&self.marker_used)
            .filter(|(_, used)| !**used)
            .map(|(m, _)| (m.line, m.text.clone()))
            .collect();
        out.malformed = self
            .malformed
            .iter()
            .map(|m| (m.line, m.message.clone()))
            .collect();
        out.rules_used = std::mem::take(&mut self.rules_used);
        (kept, out)
    }
}

/// Sorts findings by line and column (stable), and their flags with them.
/// Findings usually come in order: then nothing moves. Otherwise an order
/// of indexes is sorted and applied in place (a sort of the findings
/// themselves would take scratch space for half of them).
fn sort_by_position(findings: &mut [Finding], flags: &mut [bool]) {
    if findings.is_sorted_by_key(|f| (f.line, f.column)) {
        return;
    }
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by_key(|&i| findings.get(i).map(|f| (f.line, f.column)));
    permute(findings, flags, &mut order);
}

/// Puts the element at `order[i]` at `i`, for both slices, following each
/// cycle of the permutation with swaps (no second list). `order` is left
/// as the identity.
fn permute(findings: &mut [Finding], flags: &mut [bool], order: &mut [usize]) {
    for start in 0..order.len() {
        let mut at = start;
        while let Some(next) = order.get_mut(at).map(|slot| std::mem::replace(slot, at)) {
            if next == start || next == at {
                break;
            }
            findings.swap(at, next);
            flags.swap(at, next);
            at = next;
        }
    }
}

/// Moves the findings at the (increasing) indexes of `gone` out of
/// `findings`, each with its suppression; the rest keep their order.
fn take_at(
    findings: &mut Vec<Finding>,
    gone: Vec<(usize, Suppression)>,
) -> Vec<(Finding, Suppression)> {
    if gone.is_empty() {
        return Vec::new();
    }
    let mut whys = Vec::with_capacity(gone.len());
    let mut gone = gone.into_iter().peekable();
    let mut at = 0;
    let taken: Vec<Finding> = findings
        .extract_if(.., |_| {
            let hit = gone.next_if(|(i, _)| *i == at).map(|(_, s)| s);
            at += 1;
            if let Some(s) = hit {
                whys.push(s);
                true
            } else {
                false
            }
        })
        .collect();
    taken.into_iter().zip(whys).collect()
}

/// The source offset of byte `pos` of a scalar's value.
fn hit_offset(s: &Scalar, pos: usize) -> usize {
    source_offset(s, pos).unwrap_or(s.content.start)
}

/// The lines a scalar is written on (a block scalar's header line
/// included), widened to hold `line`.
fn lines_of(s: &Scalar, index: &LineIndex, line: usize) -> (usize, usize) {
    let (mut first, _) = index.line_col(s.span.start);
    let (last, _) = index.line_col(s.span.end.saturating_sub(1).max(s.span.start));
    if matches!(s.style, Style::YamlLiteral | Style::YamlFolded) {
        first = first.saturating_sub(1).max(1);
    }
    (first.min(line), last.max(line))
}

/// After suppression: a fix that shares its name with a suppressed one
/// becomes manual, and a value that lost some of its replacements expects
/// only the rest.
fn repair(
    kept: &mut [Finding],
    gone: &[(Finding, Suppression)],
    touched: &BTreeSet<usize>,
    scalars: &[Scalar],
) {
    let link_line: HashMap<&crate::formats::Link, usize> = gone
        .iter()
        .filter_map(|(f, _)| Some((scalars.get(f.scalar)?.link()?, f.line)))
        .collect();
    for f in kept.iter_mut().filter(|f| f.action == Action::Fix) {
        let Some(line) = scalars
            .get(f.scalar)
            .and_then(|s| s.link())
            .and_then(|l| link_line.get(l))
        else {
            continue;
        };
        f.action = Action::Manual;
        f.reason = Some(format!(
            "the same name is written at line {line}, where it is suppressed: renaming only some places would split it"
        ));
        f.fix = None;
    }
    let mut reps: HashMap<usize, Vec<Replacement>> = HashMap::new();
    for f in kept.iter().filter(|f| touched.contains(&f.scalar)) {
        if let (Action::Fix, Some(fix)) = (f.action, &f.fix) {
            reps.entry(f.scalar)
                .or_default()
                .push(fix.replacement.clone());
        }
    }
    // One new value per scalar, shared by its findings (SPEC §14).
    let mut expected: HashMap<usize, std::sync::Arc<str>> = HashMap::new();
    for f in kept.iter_mut().filter(|f| f.action == Action::Fix) {
        if let (Some(r), Some(s)) = (reps.get_mut(&f.scalar), scalars.get(f.scalar)) {
            let value = expected.entry(f.scalar).or_insert_with(|| {
                r.sort_by_key(|x| x.range.start);
                std::sync::Arc::from(apply_replacements(&s.value, r))
            });
            f.expected = Some(super::ScalarText::shared(std::sync::Arc::clone(value)));
        }
    }
}

/// What the run-level suppression warnings look at.
pub struct SuppressionScope<'a> {
    pub rules: &'a crate::rules::RuleSet,
    pub baseline: Option<&'a crate::suppress::baseline::Baseline>,
    /// `--strict`: also warn about suppressions that suppressed nothing.
    pub strict: bool,
    /// The run read the whole tree (no ROOTS narrowing it, no `--since`):
    /// only then can an `[[ignore]]` rule or a baseline entry for a file
    /// that was not read be called unused.
    pub whole_tree: bool,
    /// Every target of the run (planned or not), relative to the base.
    pub targets: &'a BTreeSet<&'a str>,
}

/// The warnings of a run's suppressions: markers that cannot be read
/// (always), and with `--strict` every marker, `[[ignore]]` rule and
/// baseline entry that suppressed nothing, each naming its line.
pub fn suppression_warnings<'p>(
    scope: &SuppressionScope,
    plans: impl Iterator<Item = &'p super::FilePlan>,
) -> Vec<crate::warning::Warning> {
    use crate::warning::Warning;
    let mut out = Vec::new();
    let mut rules_used = BTreeSet::new();
    let mut baseline_used = BTreeSet::new();
    for p in plans {
        let s = &p.suppressed;
        for (line, message) in &s.malformed {
            out.push(Warning::new(format!("{}:{line}: {message}", p.rel_path)));
        }
        if scope.strict {
            for (line, text) in &s.unused_markers {
                out.push(Warning::new(format!(
                    "{}:{line}: unused suppression `{text}`: it covers no finding",
                    p.rel_path
                )));
            }
        }
        rules_used.extend(s.rules_used.iter().copied());
        baseline_used.extend(s.baseline_used.iter().copied());
    }
    if !scope.strict {
        return out;
    }
    if scope.whole_tree {
        for (i, r) in scope.rules.ignores.iter().enumerate() {
            if !rules_used.contains(&i) {
                out.push(Warning::new(format!(
                    "{}: unused suppression: this [[ignore]] covers no finding",
                    r.origin
                )));
            }
        }
    }
    if let Some(b) = scope.baseline {
        for (i, e) in b.entries().iter().enumerate() {
            let read = scope.targets.contains(e.path.as_str());
            if baseline_used.contains(&i) || !(read || scope.whole_tree) {
                continue;
            }
            out.push(Warning::new(format!(
                "{}:{}: unused suppression: baseline entry {} {} {} #{} matches no finding (fixed? rewrite it with scan --write-baseline)",
                b.name,
                b.line_of(i),
                e.path,
                e.field.as_deref().unwrap_or("(no field)"),
                e.alias.as_deref().or(e.value.as_deref()).unwrap_or_default(),
                e.ordinal
            )));
        }
    }
    out
}
