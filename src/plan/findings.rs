//! From governed scalars to findings and their fixes: one finding per alias
//! hit, its action (fix, report, manual with a reason), the edits of its fix
//! alone, and the group of findings fixed together. With `--strict`, also
//! one finding per governed exact-mode value that is neither canonical nor
//! alias.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use super::govern::Candidate;
use super::ungoverned::Ungoverned;
use super::{Action, Applicability, Check, Context, Finding, Fix, Occurrence, ScalarText, collide};
use crate::formats::{
    Edit, Format, Replacement, Scalar, apply_replacements, path_to_string, source_offset,
    source_range,
};
use crate::rules::{FieldRule, MatchMode, Role, Severity};
use crate::text::LineIndex;

/// One file being planned: what every finding of it shares.
pub(super) struct Site<'a> {
    pub ctx: &'a Context<'a>,
    pub text: &'a str,
    pub index: &'a LineIndex<'a>,
    pub role: Role,
    pub severity: Severity,
    pub format: &'static dyn Format,
    /// The file's path, shared by its findings.
    pub path: Arc<str>,
    /// Alias and canonical names, one copy per file shared by its
    /// findings (a `String` each per finding was 10 MB of a file with
    /// 100,000 findings, issue 19).
    pub names: std::cell::RefCell<std::collections::HashSet<Arc<str>>>,
}

/// Whether each replacement of a scalar can be made.
struct Verdicts {
    each: Vec<Result<(), String>>,
}

impl<'a> Site<'a> {
    /// The findings of the candidates, and where the scalars they refer to
    /// are in `scalars` (a finding's `scalar` indexes this list; the plan
    /// moves them out of the scan, see [`super::take_used`]).
    pub fn findings(
        &self,
        candidates: Vec<Candidate<'a>>,
        scalars: &[Scalar],
    ) -> (Vec<Finding>, Vec<usize>) {
        // Split in place: a second list of the candidates with hits, grown
        // by doubling beside the first, was 10 MB of a file with 100,000
        // findings (issue 19).
        let mut hit = candidates;
        let strict: Vec<Candidate<'a>> = hit.extract_if(.., |c| c.hits.is_empty()).collect();
        collide::mark(scalars, &mut hit, &|c| self.new_value(c));
        // One finding per hit: sized once (grown by doubling, the list
        // was up to a third spare room at its largest, issue 19).
        let mut findings = Vec::with_capacity(hit.iter().map(|c| c.hits.len()).sum());
        let mut used = Vec::with_capacity(hit.len());
        for c in hit {
            let Some(at) = c.index else { continue };
            let si = used.len();
            used.push(at);
            findings.extend(self.scalar_findings(&c, si));
        }
        if self.ctx.options.strict {
            for c in strict {
                let Some(at) = c.index else { continue };
                if let Some(f) = self.strict_finding(&c, used.len()) {
                    used.push(at);
                    findings.push(f);
                }
            }
        }
        (findings, used)
    }

    fn replacements(&self, c: &Candidate) -> Vec<Replacement> {
        c.hits
            .iter()
            .map(|h| Replacement {
                range: h.range.clone(),
                text: self.name(self.canonical_name(h.canonical)),
            })
            .collect()
    }

    fn new_value(&self, c: &Candidate) -> String {
        apply_replacements(&c.scalar.value, &self.replacements(c))
    }

    /// `name`, shared with the file's other findings that name it.
    fn name(&self, name: &str) -> Arc<str> {
        let mut names = self.names.borrow_mut();
        if let Some(known) = names.get(name) {
            return Arc::clone(known);
        }
        let new: Arc<str> = Arc::from(name);
        names.insert(Arc::clone(&new));
        new
    }

    fn canonical_name(&self, i: usize) -> &'a str {
        self.ctx
            .rules
            .canonicals
            .get(i)
            .map(|c| c.name.as_str())
            .unwrap_or("")
    }

    /// Whether the replacements of a scalar can be made: all together when
    /// possible, else each alone (a token across a line break fails alone).
    fn verdicts(&self, c: &Candidate, reps: &[Replacement]) -> Verdicts {
        if let Some(m) = &c.manual {
            return Verdicts {
                each: reps.iter().map(|_| Err(m.clone())).collect(),
            };
        }
        match self.format.edits(self.text, c.scalar, reps) {
            Ok(_) => Verdicts {
                each: reps.iter().map(|_| Ok(())).collect(),
            },
            Err(_) => Verdicts {
                each: reps
                    .iter()
                    .map(|r| self.edits_alone(c.scalar, r).map(|_| ()))
                    .collect(),
            },
        }
    }

    fn edits_alone(&self, scalar: &Scalar, rep: &Replacement) -> Result<Vec<Edit>, String> {
        self.format
            .edits(self.text, scalar, std::slice::from_ref(rep))
    }

    /// Findings of one scalar: one per hit.
    fn scalar_findings(&self, c: &Candidate, si: usize) -> Vec<Finding> {
        let reps = self.replacements(c);
        // Each value once per scalar, shared by its findings.
        let actual: Arc<str> = Arc::from(c.scalar.value.as_str());
        let expected: Arc<str> = Arc::from(apply_replacements(&c.scalar.value, &reps));
        let verdicts = self.verdicts(c, &reps);
        // When only some hits can be fixed, what is written (the `expected`
        // of the fixable ones) holds only those.
        let written = if verdicts.each.iter().all(Result::is_ok) {
            expected.clone()
        } else {
            let fixable: Vec<Replacement> = reps
                .iter()
                .zip(&verdicts.each)
                .filter(|(_, v)| v.is_ok())
                .map(|(r, _)| r.clone())
                .collect();
            Arc::from(apply_replacements(&c.scalar.value, &fixable))
        };
        c.hits
            .iter()
            .zip(reps)
            .zip(&verdicts.each)
            .map(|((hit, rep), verdict)| {
                let (action, reason) = match (self.role.writable(), verdict) {
                    (false, _) => (Action::Report, None),
                    (true, Ok(())) => (Action::Fix, None),
                    (true, Err(r)) => (Action::Manual, Some(r.clone())),
                };
                // The edits of this fix alone are computed when asked
                // ([`super::FilePlan::fix_edits`]): per hit, they cost a pass
                // over the whole value, which 10,000 hits in one long value
                // cannot afford at planning time.
                let fix = verdict.is_ok().then(|| Fix {
                    applicability: if action == Action::Fix {
                        Applicability::Safe
                    } else {
                        Applicability::DisplayOnly
                    },
                    group: 0,
                    replacement: rep.clone(),
                });
                let expected = if action == Action::Fix {
                    Arc::clone(&written)
                } else {
                    Arc::clone(&expected)
                };
                let mut f = self.finding(c, si, hit.range.clone(), action, reason);
                f.actual = Arc::clone(&actual);
                f.expected = Some(ScalarText::shared(expected));
                f.alias = Some(self.name(&hit.alias));
                f.canonical = Some(self.name(self.canonical_name(hit.canonical)));
                f.fix = fix;
                f
            })
            .collect()
    }

    /// A finding on scalar `si` at `range` of its value, before its alias,
    /// canonical, expected value and fix are known.
    fn finding(
        &self,
        c: &Candidate,
        si: usize,
        range: Range<usize>,
        action: Action,
        reason: Option<String>,
    ) -> Finding {
        let s = c.scalar;
        // The alias text's first character, also when the rest of it is
        // escaped or on the next line; its end where it stands verbatim,
        // else the end of the value's text.
        let at = source_offset(s, range.start).unwrap_or(s.content.start);
        let end = source_range(s, &range).map_or(s.content.end, |r| r.end);
        let (line, column) = self.index.line_col(at);
        let (end_line, end_column) = self.index.line_col(end.max(at));
        Finding {
            path: Arc::clone(&self.path),
            line,
            column,
            end_line,
            end_column,
            document: s.document,
            field: if s.kind.has_field() {
                path_to_string(&s.path)
            } else {
                String::new()
            },
            kind: s.kind,
            actual: Arc::from(""),
            expected: None,
            alias: None,
            canonical: None,
            mode: super::govern::mode_for(s, c.field),
            severity: self.severity,
            role: self.role,
            action,
            reason,
            check: Check::NonCanonical,
            scalar: si,
            range,
            fix: None,
        }
    }

    /// `--strict`: an exact-mode governed value that is neither canonical
    /// nor alias.
    fn strict_finding(&self, c: &Candidate, si: usize) -> Option<Finding> {
        if super::govern::mode_for(c.scalar, c.field) != MatchMode::Exact {
            return None;
        }
        let value = &c.scalar.value;
        // An empty or blank value ("", '') names nothing: not a label.
        if value.trim().is_empty() {
            return None;
        }
        let rules = self.ctx.rules;
        let known = rules.canonicals.iter().any(|k| {
            if c.field.ignore_case {
                k.name.eq_ignore_ascii_case(value)
            } else {
                &k.name == value
            }
        });
        if known {
            return None;
        }
        // A value that holds an alias as a token is reported once, as that
        // alias occurrence (with the value it would become), not twice.
        let fold = rules.any_ignore_case();
        if !self
            .ctx
            .matcher
            .find(value, MatchMode::Token, fold, rules)
            .is_empty()
        {
            return None;
        }
        let closest =
            crate::suggest::closest(value, rules.canonicals.iter().map(|k| k.name.as_str()));
        let reason = match &closest {
            Some(name) => format!(
                "`{value}` is neither a canonical name nor a known alias; the closest canonical name is `{name}`"
            ),
            None => format!("`{value}` is neither a canonical name nor a known alias"),
        };
        let action = if self.role.writable() {
            Action::Manual
        } else {
            Action::Report
        };
        let mut f = self.finding(c, si, 0..value.len(), action, Some(reason));
        f.actual = Arc::from(value.as_str());
        f.line_column_at(self.index, c.scalar.content.start);
        f.expected = closest.as_deref().map(ScalarText::from);
        f.canonical = closest.as_deref().map(|c| self.name(c));
        f.mode = MatchMode::Exact;
        f.check = Check::Unknown;
        Some(f)
    }
}

impl Site<'_> {
    /// The occurrence record of an alias outside governed fields.
    pub fn occurrence(&self, u: &Ungoverned) -> Occurrence {
        let at = source_offset(&u.scalar, u.hit.range.start).unwrap_or(u.scalar.content.start);
        let (line, column) = self.index.line_col(at);
        Occurrence {
            line,
            column,
            field: u
                .scalar
                .kind
                .has_field()
                .then(|| path_to_string(&u.scalar.path)),
            alias: u.hit.alias.clone(),
            canonical: self.canonical_name(u.hit.canonical).to_string(),
            why: u.why,
            hint: u.hint.clone(),
        }
    }

    /// `--strict`: each alias occurrence outside governed fields as a
    /// finding (`manual` in editable files, `report` elsewhere), its field
    /// ready to paste into `select`.
    pub fn ungoverned_findings(
        &self,
        outside: Vec<Ungoverned>,
        used: &mut Vec<Scalar>,
    ) -> Vec<Finding> {
        // Occurrences of one scalar come together and share it (and its
        // value): one entry in `used`, one copy of the value.
        let mut last: Option<(Arc<Scalar>, usize, Arc<str>)> = None;
        outside
            .into_iter()
            .map(|u| {
                let (si, value) = match &last {
                    Some((s, si, v)) if Arc::ptr_eq(s, &u.scalar) => (*si, Arc::clone(v)),
                    _ => {
                        let si = used.len();
                        let v: Arc<str> = Arc::from(u.scalar.value.as_str());
                        used.push((*u.scalar).clone());
                        last = Some((Arc::clone(&u.scalar), si, Arc::clone(&v)));
                        (si, v)
                    }
                };
                let action = if self.role.writable() {
                    Action::Manual
                } else {
                    Action::Report
                };
                let rep = Replacement {
                    range: u.hit.range.clone(),
                    text: self.name(self.canonical_name(u.hit.canonical)),
                };
                let c = Candidate {
                    scalar: &u.scalar,
                    index: None,
                    field: &UNGOVERNED,
                    hits: Vec::new(),
                    manual: None,
                };
                let mut f = self.finding(&c, si, u.hit.range.clone(), action, Some(u.reason()));
                if !u.scalar.kind.has_field() {
                    f.field = String::new();
                }
                f.expected = Some(ScalarText::replacing(
                    Arc::clone(&value),
                    rep.range.clone(),
                    &rep.text,
                ));
                f.actual = value;
                f.alias = Some(self.name(&u.hit.alias));
                f.canonical = Some(self.name(&rep.text));
                f.check = Check::Ungoverned;
                f
            })
            .collect()
    }
}

/// The rule an ungoverned occurrence is reported under: token matching,
/// case as written.
static UNGOVERNED: std::sync::LazyLock<FieldRule> = std::sync::LazyLock::new(|| FieldRule {
    types: Vec::new(),
    files: None,
    select: Vec::new(),
    keys_of: Vec::new(),
    mode: MatchMode::Token,
    ignore_case: false,
    origin: String::new(),
});

impl Finding {
    fn line_column_at(&mut self, index: &LineIndex, offset: usize) {
        (self.line, self.column) = index.line_col(offset);
    }
}

/// Gives every fix its group: the first finding (in order) of the fixes on
/// scalars that share a link, else the finding itself.
pub(super) fn assign_groups(findings: &mut [Finding], scalars: &[Scalar]) {
    let mut first: HashMap<(Applicability, &crate::formats::Link), usize> = HashMap::new();
    for (i, f) in findings.iter_mut().enumerate() {
        let Some(fix) = &mut f.fix else { continue };
        let link = scalars.get(f.scalar).and_then(|s| s.link());
        fix.group = match link {
            Some(l) => *first.entry((fix.applicability, l)).or_insert(i),
            None => i,
        };
    }
}
