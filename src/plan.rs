//! Planning one file: parse → select governed scalars → match aliases →
//! findings and edits → apply in one pass → verify.
//!
//! A [`FilePlan`] is the core model every output reads (reports, patch,
//! preview, write); none of them recomputes it. Edits are computed from the
//! original bytes and applied back to front in one pass, so several fixes in
//! one file can never land on stale offsets.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::formats::{
    FileType, Format, Parsed, Replacement, Scalar, ScalarKind, Seg, Share, Substitution,
    apply_edits, apply_replacements, path_to_string, source_offset,
};
use crate::matcher::{Hit, Matcher};
use crate::rules::{FieldRule, MatchMode, Role, RuleSet, Severity};
use crate::text::LineIndex;

/// What driftfix will do about a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Editable file: will be rewritten.
    Fix,
    /// Read-only or authority file: reported, never written.
    Report,
    /// Editable but not safely fixable; `reason` says why.
    Manual,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Fix => "fix",
            Action::Report => "report",
            Action::Manual => "manual",
        }
    }
}

/// One alias occurrence (or, with `--strict`, one unknown governed value).
#[derive(Clone, Debug)]
pub struct Finding {
    pub path: String,
    /// 1-based line and character column of the alias text itself.
    pub line: usize,
    pub column: usize,
    pub document: usize,
    pub field: String,
    pub kind: ScalarKind,
    /// The whole scalar value before and after the fix.
    pub actual: String,
    pub expected: Option<String>,
    pub alias: Option<String>,
    pub canonical: Option<String>,
    pub mode: MatchMode,
    pub severity: Severity,
    pub role: Role,
    pub action: Action,
    pub reason: Option<String>,
    /// Index of the scalar in [`FilePlan::scalars`] and the replacement
    /// inside its value: what `fix` applies when this finding is accepted.
    pub scalar: usize,
    pub replacement: Replacement,
}

/// Options that change planning.
#[derive(Clone, Copy, Debug, Default)]
pub struct PlanOptions {
    /// Also report governed values that are neither canonical nor alias.
    pub strict: bool,
}

/// Everything driftfix knows and will do about one file.
#[derive(Clone, Debug)]
pub struct FilePlan {
    pub rel_path: String,
    pub file_type: FileType,
    pub role: Role,
    /// The original text, exactly as read (empty when the file was not parsed).
    pub original: String,
    /// Whether the file was parsed (the prefilter lets alias-free files skip).
    pub parsed: bool,
    /// Sorted by line, column.
    pub findings: Vec<Finding>,
    /// The scalars findings refer to.
    pub scalars: Vec<Scalar>,
    /// The edits of all `fix` findings, non-overlapping.
    pub edits: Vec<crate::formats::Edit>,
    /// The verified new text, when there is anything to fix.
    pub new_text: Option<String>,
    /// Set when the edited text failed verification: nothing is written,
    /// the fixes became `manual`, and the run reports this error (exit 2).
    pub refused: Option<FileError>,
}

/// A file that could not be planned: unreadable, not text, or not parseable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    /// A skip (binary, not UTF-8, too large) warns; anything else is an error.
    pub skip: bool,
}

impl FileError {
    pub fn error(message: impl Into<String>) -> FileError {
        FileError {
            line: None,
            column: None,
            message: message.into(),
            skip: false,
        }
    }

    pub fn skip(message: impl Into<String>) -> FileError {
        FileError {
            skip: true,
            ..FileError::error(message)
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{l}:{c}: {}", self.message),
            _ => write!(f, "{}", self.message),
        }
    }
}

impl FilePlan {
    /// Number of findings that will be fixed.
    pub fn fix_count(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.action == Action::Fix)
            .count()
    }

    /// Turns every `fix` finding into `manual` with `reason` and drops the
    /// edits: for a file that is read but may not be written (a symlink to a
    /// file outside the base directory).
    pub fn demote_fixes(&mut self, reason: &str) {
        for f in self.findings.iter_mut().filter(|f| f.action == Action::Fix) {
            f.action = Action::Manual;
            f.reason = Some(reason.to_string());
        }
        self.edits.clear();
        self.new_text = None;
    }

    /// The `fix` findings (indices, in order, `i` included) that stand or
    /// fall with finding `i`. A TOML key named in several places
    /// (`[hosts.pve-shop]` and `[hosts.pve-shop.disks]`, or two dotted keys
    /// through one table) is one key: renaming it in one place only would
    /// split the table, so step mode offers all its places as one change.
    pub fn linked(&self, i: usize) -> Vec<usize> {
        let key_of = |f: &Finding| {
            let s = self.scalars.get(f.scalar)?;
            (f.action == Action::Fix).then_some(s.link.as_ref()?)
        };
        let Some(key) = self.findings.get(i).and_then(key_of) else {
            return vec![i];
        };
        (0..self.findings.len())
            .filter(|&j| j == i || self.findings.get(j).and_then(key_of) == Some(key))
            .collect()
    }

    /// The new text with only the accepted `fix` findings applied (by index
    /// into `findings`), verified. Used by `--preview`'s step mode.
    pub fn render_subset(&self, accepted: &dyn Fn(usize) -> bool) -> Result<String, FileError> {
        let (edits, subs) = self.edits_for(accepted)?;
        finish(self.file_type.format(), &self.original, None, &edits, &subs)
    }

    /// The edits (sorted) and substitutions of the accepted `fix` findings,
    /// one `Format::edits` call per scalar with all its accepted replacements.
    fn edits_for(
        &self,
        accepted: &dyn Fn(usize) -> bool,
    ) -> Result<(Vec<crate::formats::Edit>, Vec<Substitution>), FileError> {
        let mut by_scalar: std::collections::BTreeMap<usize, Vec<Replacement>> = Default::default();
        for (i, f) in self.findings.iter().enumerate() {
            if f.action == Action::Fix && accepted(i) {
                by_scalar
                    .entry(f.scalar)
                    .or_default()
                    .push(f.replacement.clone());
            }
        }
        let format = self.file_type.format();
        let mut edits = Vec::new();
        let mut subs = Vec::new();
        for (si, mut reps) in by_scalar {
            let Some(scalar) = self.scalars.get(si) else {
                continue;
            };
            reps.sort_by_key(|r| r.range.start);
            reps.dedup();
            edits.extend(
                format
                    .edits(&self.original, scalar, &reps)
                    .map_err(FileError::error)?,
            );
            subs.push(Substitution {
                scalar: scalar.clone(),
                new_value: apply_replacements(&scalar.value, &reps),
            });
        }
        edits.sort_by_key(|e| e.range.start);
        Ok((edits, subs))
    }
}

/// Applies edits and verifies the result (reusing the scan's parse of the
/// original when there is one).
fn finish(
    format: &dyn Format,
    original: &str,
    parsed: Option<&Parsed>,
    edits: &[crate::formats::Edit],
    subs: &[Substitution],
) -> Result<String, FileError> {
    let mut sorted: Vec<_> = edits.iter().map(|e| e.range.clone()).collect();
    sorted.sort_by_key(|r| r.start);
    if sorted.windows(2).any(|w| match w {
        [a, b] => a.end > b.start,
        _ => false,
    }) {
        return Err(FileError::error(
            "internal error: overlapping edits; nothing written",
        ));
    }
    let new = apply_edits(original, edits);
    format.verify(original, parsed, &new, subs).map_err(|e| {
        FileError::error(format!(
            "verification failed after editing, refusing to write: {e}"
        ))
    })?;
    Ok(new)
}

/// Plans one file from its bytes (the whole pipeline below the walk).
pub fn plan_bytes(
    rel_path: &str,
    file_type: FileType,
    role: Role,
    bytes: &[u8],
    rules: &RuleSet,
) -> Result<FilePlan, FileError> {
    let matcher = Matcher::new(rules);
    plan_with(
        &Context {
            rules,
            matcher: &matcher,
            options: PlanOptions::default(),
        },
        rel_path,
        file_type,
        role,
        bytes,
    )
}

/// What planning needs besides the file: built once per run.
pub struct Context<'a> {
    pub rules: &'a RuleSet,
    pub matcher: &'a Matcher,
    pub options: PlanOptions,
}

/// Plans one file with a prepared context.
pub fn plan_with(
    ctx: &Context,
    rel_path: &str,
    file_type: FileType,
    role: Role,
    bytes: &[u8],
) -> Result<FilePlan, FileError> {
    let mut plan = FilePlan {
        rel_path: rel_path.to_string(),
        file_type,
        role,
        original: String::new(),
        parsed: false,
        findings: Vec::new(),
        scalars: Vec::new(),
        edits: Vec::new(),
        new_text: None,
        refused: None,
    };
    let prefilter_hit = ctx.options.strict || ctx.matcher.may_match(bytes);
    if bytes.contains(&0) {
        return Err(FileError::skip("binary file (holds NUL bytes)"));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        FileError::skip(format!(
            "not UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        ))
    })?;
    if !prefilter_hit {
        return Ok(plan);
    }
    let fields: Vec<&FieldRule> = ctx
        .rules
        .fields
        .iter()
        .filter(|f| f.applies_to(file_type, rel_path))
        .collect();
    if fields.is_empty() {
        return Ok(plan);
    }
    plan.original = text.to_string();
    check_line_endings(text)?;
    let format = file_type.format();
    let scan = format.scan(text).map_err(|e| FileError {
        line: Some(e.line),
        column: Some(e.column),
        message: format!("{} parse error: {}", file_type.name(), e.message),
        skip: false,
    })?;
    let (scalars, parsed) = (scan.scalars, scan.parsed);
    plan.parsed = true;
    let severity = ctx.rules.severity_of(rel_path, role);
    let builder = Builder {
        ctx,
        fields: &fields,
        scalars: &scalars,
        index: LineIndex::new(text),
        text,
        rel_path,
        role,
        severity,
        format,
    };
    let (findings, used) = builder.findings();
    plan.scalars = used;
    plan.findings = findings;
    plan.findings.sort_by_key(|f| (f.line, f.column));
    if plan.fix_count() > 0 {
        let (edits, subs) = plan.edits_for(&|_| true)?;
        match finish(format, &plan.original, parsed.as_ref(), &edits, &subs) {
            Ok(new) => {
                plan.new_text = Some(new);
                plan.edits = edits;
            }
            // The findings stay reported (a scan still shows them); none
            // of them is written.
            Err(e) => {
                plan.demote_fixes(
                    "the edited file failed verification; not written (see the error)",
                );
                plan.refused = Some(e);
            }
        }
    }
    Ok(plan)
}

/// A lone `\r` line break would corrupt the unified diff and confuse line
/// numbers: such files are refused (only when they would be parsed).
fn check_line_endings(text: &str) -> Result<(), FileError> {
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\r' && bytes.get(i + 1) != Some(&b'\n') {
            let (line, column) = LineIndex::new(text).line_col(i);
            return Err(FileError {
                line: Some(line),
                column: Some(column),
                message: "lone CR line ending (not LF or CRLF) is not supported".into(),
                skip: false,
            });
        }
    }
    Ok(())
}

/// Turns the scalars of one parsed file into findings.
struct Builder<'a> {
    ctx: &'a Context<'a>,
    fields: &'a [&'a FieldRule],
    scalars: &'a [Scalar],
    index: LineIndex<'a>,
    text: &'a str,
    rel_path: &'a str,
    role: Role,
    severity: Severity,
    format: &'static dyn Format,
}

/// A governed scalar and its matches, before edits are decided.
struct Candidate<'a> {
    scalar: &'a Scalar,
    field: &'a FieldRule,
    hits: Vec<Hit>,
    /// Set when the scalar must not be rewritten (anchor reuse, blocked).
    manual: Option<String>,
}

impl<'a> Builder<'a> {
    fn governing(&self, s: &Scalar) -> Option<&'a FieldRule> {
        self.governing_path(&s.path, s.kind)
    }

    /// The first field rule that governs a scalar of `kind` at `path`.
    fn governing_path(&self, path: &Vec<Seg>, kind: ScalarKind) -> Option<&'a FieldRule> {
        self.fields.iter().copied().find(|f| f.governs(path, kind))
    }

    fn findings(&self) -> (Vec<Finding>, Vec<Scalar>) {
        let mut candidates = Vec::new();
        let mut strict = Vec::new();
        let anchors = self.anchor_uses();
        for s in self.scalars {
            // Aliases follow their anchor; only string scalars match (§2).
            if s.is_reference() || s.not_string {
                continue;
            }
            let uses = match s.share {
                Share::Anchor(a) => anchors.get(&a).map(Vec::as_slice),
                _ => None,
            };
            if let Some(c) = self.candidate(s, uses.unwrap_or(&[])) {
                if c.hits.is_empty() {
                    strict.push(c);
                } else {
                    candidates.push(c);
                }
            }
        }
        self.mark_key_conflicts(&mut candidates);
        let mut findings = Vec::new();
        let mut used = Vec::new();
        for c in candidates {
            let si = used.len();
            used.push(c.scalar.clone());
            findings.extend(self.scalar_findings(&c, si));
        }
        if self.ctx.options.strict {
            for c in strict {
                if let Some(f) = self.strict_finding(&c, used.len()) {
                    used.push(c.scalar.clone());
                    findings.push(f);
                }
            }
        }
        (findings, used)
    }

    /// Reference nodes (`*a`) per anchor id.
    fn anchor_uses(&self) -> HashMap<usize, Vec<&'a Scalar>> {
        let mut map: HashMap<usize, Vec<&Scalar>> = HashMap::new();
        for s in self.scalars {
            if let Share::Reference(a) = s.share {
                map.entry(a).or_default().push(s);
            }
        }
        map
    }

    /// The governed scalar with its alias hits; `None` when not governed.
    /// For an anchored scalar, it counts as governed when it or any of its
    /// uses is, and it becomes manual unless all of them are.
    fn candidate(&self, s: &'a Scalar, uses: &[&'a Scalar]) -> Option<Candidate<'a>> {
        let own = self.governing(s);
        // Paths where the value is read again through aliases of anchored
        // collections around it or around its alias nodes.
        let reused: Vec<&Vec<Seg>> = std::iter::once(s)
            .chain(uses.iter().copied())
            .flat_map(|u| &u.reused_at)
            .collect();
        let field = own
            .or_else(|| uses.iter().find_map(|u| self.governing(u)))
            .or_else(|| reused.iter().find_map(|p| self.governing_path(p, s.kind)))?;
        let hits = self
            .ctx
            .matcher
            .find(&s.value, field.mode, field.ignore_case, self.ctx.rules);
        let mut manual = s.blocked.clone();
        let ungoverned: Vec<String> = std::iter::once(s)
            .filter(|_| own.is_none())
            .chain(uses.iter().copied().filter(|u| self.governing(u).is_none()))
            .map(|u| {
                let (l, _) = self.index.line_col(u.span.start);
                format!("`{}` (line {l})", path_to_string(&u.path))
            })
            .chain(
                reused
                    .iter()
                    .filter(|p| self.governing_path(p, s.kind).is_none())
                    .map(|p| format!("`{}` (through an alias)", path_to_string(p))),
            )
            .collect();
        if manual.is_none() && !ungoverned.is_empty() {
            manual = Some(format!(
                "anchored value is reused at a path that is not a governed field: {}",
                ungoverned.join(", ")
            ));
        }
        Some(Candidate {
            scalar: s,
            field,
            hits,
            manual,
        })
    }

    /// Key renames onto a key that already exists in the same mapping (or
    /// onto the same new name as another rename there) become manual.
    fn mark_key_conflicts(&self, candidates: &mut [Candidate]) {
        if !candidates.iter().any(|c| c.scalar.kind == ScalarKind::Key) {
            return;
        }
        let mut keys: HashMap<(usize, &[Seg]), HashSet<&str>> = HashMap::new();
        for s in self.scalars.iter().filter(|s| s.kind == ScalarKind::Key) {
            if let Some((_, parent)) = s.path.split_last() {
                keys.entry((s.document, parent))
                    .or_default()
                    .insert(&s.value);
            }
        }
        let mut targets: HashMap<(usize, Vec<Seg>, String), HashSet<String>> = HashMap::new();
        for c in candidates
            .iter()
            .filter(|c| c.scalar.kind == ScalarKind::Key)
        {
            let new = self.new_value(c);
            if let Some((_, parent)) = c.scalar.path.split_last() {
                targets
                    .entry((c.scalar.document, parent.to_vec(), new))
                    .or_default()
                    .insert(c.scalar.value.clone());
            }
        }
        for c in candidates
            .iter_mut()
            .filter(|c| c.scalar.kind == ScalarKind::Key)
        {
            let new = self.new_value(c);
            let Some((_, parent)) = c.scalar.path.split_last() else {
                continue;
            };
            let exists = keys
                .get(&(c.scalar.document, parent))
                .is_some_and(|k| k.contains(new.as_str()));
            let renamed_twice = targets
                .get(&(c.scalar.document, parent.to_vec(), new.clone()))
                .is_some_and(|olds| olds.len() > 1);
            if c.manual.is_none() && (exists || renamed_twice) {
                c.manual = Some(if exists {
                    format!(
                        "renaming this key to `{new}` would collide with the existing key `{new}` in the same mapping"
                    )
                } else {
                    format!("another key of the same mapping is also renamed to `{new}`")
                });
            }
        }
    }

    fn replacements(&self, c: &Candidate) -> Vec<Replacement> {
        c.hits
            .iter()
            .map(|h| Replacement {
                range: h.range.clone(),
                text: self.canonical_name(h.canonical).to_string(),
            })
            .collect()
    }

    fn new_value(&self, c: &Candidate) -> String {
        apply_replacements(&c.scalar.value, &self.replacements(c))
    }

    fn canonical_name(&self, i: usize) -> &'a str {
        self.ctx
            .rules
            .canonicals
            .get(i)
            .map(|c| c.name.as_str())
            .unwrap_or("")
    }

    /// Findings of one scalar: one per hit. Fixability is decided per hit
    /// when the whole set cannot be edited (a token across a line break).
    fn scalar_findings(&self, c: &Candidate, si: usize) -> Vec<Finding> {
        let reps = self.replacements(c);
        let expected = apply_replacements(&c.scalar.value, &reps);
        let format = self.format;
        let verdicts: Vec<Result<(), String>> = if let Some(m) = &c.manual {
            reps.iter().map(|_| Err(m.clone())).collect()
        } else if !self.role.writable() {
            reps.iter().map(|_| Ok(())).collect()
        } else if format.edits(self.text, c.scalar, &reps).is_ok() {
            reps.iter().map(|_| Ok(())).collect()
        } else {
            reps.iter()
                .map(|r| {
                    format
                        .edits(self.text, c.scalar, std::slice::from_ref(r))
                        .map(|_| ())
                })
                .collect()
        };
        // When only some hits can be fixed, what is written (the `expected`
        // of the fixable ones) holds only those.
        let written = if verdicts.iter().all(Result::is_ok) {
            expected.clone()
        } else {
            let fixable: Vec<Replacement> = reps
                .iter()
                .zip(&verdicts)
                .filter(|(_, v)| v.is_ok())
                .map(|(r, _)| r.clone())
                .collect();
            apply_replacements(&c.scalar.value, &fixable)
        };
        c.hits
            .iter()
            .zip(reps)
            .zip(verdicts)
            .map(|((hit, rep), verdict)| {
                let (action, reason) = match (self.role.writable(), verdict) {
                    (false, _) => (Action::Report, None),
                    (true, Ok(())) => (Action::Fix, None),
                    (true, Err(r)) => (Action::Manual, Some(r)),
                };
                // The alias text's first character, also when the rest of
                // it is escaped or on the next line.
                let at = source_offset(c.scalar, hit.range.start).unwrap_or(c.scalar.content.start);
                let (line, column) = self.index.line_col(at);
                Finding {
                    path: self.rel_path.to_string(),
                    line,
                    column,
                    document: c.scalar.document,
                    field: path_to_string(&c.scalar.path),
                    kind: c.scalar.kind,
                    actual: c.scalar.value.clone(),
                    expected: Some(if action == Action::Fix {
                        written.clone()
                    } else {
                        expected.clone()
                    }),
                    alias: Some(hit.alias.clone()),
                    canonical: Some(self.canonical_name(hit.canonical).to_string()),
                    mode: c.field.mode,
                    severity: self.severity,
                    role: self.role,
                    action,
                    reason,
                    scalar: si,
                    replacement: rep,
                }
            })
            .collect()
    }

    /// `--strict`: an exact-mode governed value that is neither canonical
    /// nor alias.
    fn strict_finding(&self, c: &Candidate, si: usize) -> Option<Finding> {
        if c.field.mode != MatchMode::Exact {
            return None;
        }
        let value = &c.scalar.value;
        // An empty or blank value ("", '') names nothing: not a label.
        if value.trim().is_empty() {
            return None;
        }
        let known = self.ctx.rules.canonicals.iter().any(|k| {
            if c.field.ignore_case {
                k.name.eq_ignore_ascii_case(value)
            } else {
                &k.name == value
            }
        });
        if known {
            return None;
        }
        let closest = crate::suggest::closest(
            value,
            self.ctx.rules.canonicals.iter().map(|k| k.name.as_str()),
        );
        let reason = match &closest {
            Some(name) => format!(
                "`{value}` is neither a canonical name nor a known alias; the closest canonical name is `{name}`"
            ),
            None => format!("`{value}` is neither a canonical name nor a known alias"),
        };
        let (line, column) = self.index.line_col(c.scalar.content.start);
        Some(Finding {
            path: self.rel_path.to_string(),
            line,
            column,
            document: c.scalar.document,
            field: path_to_string(&c.scalar.path),
            kind: c.scalar.kind,
            actual: value.clone(),
            expected: closest.clone(),
            alias: None,
            canonical: closest,
            mode: MatchMode::Exact,
            severity: self.severity,
            role: self.role,
            action: if self.role.writable() {
                Action::Manual
            } else {
                Action::Report
            },
            reason: Some(reason),
            scalar: si,
            replacement: Replacement {
                range: 0..0,
                text: String::new(),
            },
        })
    }
}
