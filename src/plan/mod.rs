//! Planning one file: parse → select governed scalars → match aliases →
//! findings with their fixes → apply in one pass → verify.
//!
//! A [`FilePlan`] is the core model every output reads (reports, patch,
//! preview, write); none of them recomputes it. A [`Finding`] carries its
//! [`Fix`] as data (ruff's model): the edits of that finding alone, whether
//! it is applied, and the group of findings applied together with it. The
//! file's edits are computed from the original bytes and applied back to
//! front in one pass, so several fixes in one file can never land on stale
//! offsets.
//!
//! Submodules, in the order planning uses them: [`govern`] (which field rule
//! governs a scalar, also through anchors and links), [`collide`] (renames
//! that would collide with an existing name), [`findings`] (findings and
//! fixes of the governed scalars), [`error`] (why a file could not be
//! planned).

mod collide;
mod error;
mod findings;
mod govern;
mod suppressed;
mod ungoverned;

use std::ops::Range;
use std::sync::Arc;

pub use error::{FileError, FileErrorKind, SkipReason};
pub use suppressed::{Suppressed, SuppressionScope, suppression_warnings};
pub use ungoverned::Why;

use crate::formats::{
    Edit, Edited, FileType, Format, Parsed, Replacement, ScalarKind, Substitution, apply_edits,
    apply_replacements,
};
use crate::matcher::Matcher;
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

/// Which check a finding comes from. Each is one rule of the SARIF log,
/// the `rule` of a JSON finding and the `check_name` of a GitLab issue, so
/// a code-scanning UI groups findings by what is wrong rather than by
/// which cluster they name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Check {
    /// An alias in a governed field.
    NonCanonical,
    /// `--strict`: a governed value that is neither canonical nor alias.
    Unknown,
    /// `--strict`: an alias outside governed fields (a scalar or key no
    /// field governs, a comment, or only part of an exact-match value).
    Ungoverned,
}

impl Check {
    /// Every check, in rule-index order.
    pub const ALL: [Check; 3] = [Check::NonCanonical, Check::Unknown, Check::Ungoverned];

    /// The rule id (`non-canonical-label`, `unknown-label`,
    /// `ungoverned-alias`): stable, kebab-case as ruff and semgrep name
    /// theirs.
    pub fn id(self) -> &'static str {
        match self {
            Check::NonCanonical => "non-canonical-label",
            Check::Unknown => "unknown-label",
            Check::Ungoverned => "ungoverned-alias",
        }
    }

    /// Position in [`Check::ALL`] (the SARIF `ruleIndex`).
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Whether a fix is written (ruff's applicability).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Applicability {
    /// Written by `fix --apply` and offered by `--preview` (action `fix`).
    Safe,
    /// What the fix would be, shown but never written: the file is
    /// read-only or authority (action `report`).
    DisplayOnly,
}

/// The fix of one finding, as data: every output (patch, SARIF `fixes`,
/// JSON, preview's step mode) reads this one value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    /// Index (into [`FilePlan::findings`]) of the first finding of its
    /// group: findings of one group are applied together or not at all (one
    /// name written in several places: a TOML key in several headers, an INI
    /// host in several groups).
    pub group: usize,
    /// The replacement inside the scalar's value, for rendering any subset
    /// of a file's fixes together ([`FilePlan::render_subset`]).
    pub replacement: Replacement,
}

/// One alias occurrence (or, with `--strict`, one unknown governed value).
#[derive(Clone, Debug)]
pub struct Finding {
    pub path: Arc<str>,
    /// 1-based line and character column of the alias text itself, and of
    /// the character just after it.
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub document: usize,
    pub field: String,
    pub kind: ScalarKind,
    /// The whole scalar value before and after the fix. Shared by every
    /// finding of one scalar (a 90 KB value with 10,000 token hits is held
    /// once, not 10,000 times): memory follows the largest file plus the
    /// findings, never findings × scalar length (SPEC §14).
    pub actual: Arc<str>,
    pub expected: Option<ScalarText>,
    pub alias: Option<Arc<str>>,
    pub canonical: Option<Arc<str>>,
    pub mode: MatchMode,
    pub severity: Severity,
    pub role: Role,
    pub action: Action,
    pub reason: Option<String>,
    /// The check that reported it.
    pub check: Check,
    /// Index of the scalar in [`FilePlan::scalars`], and the byte range of
    /// the alias (for `--strict`, of the whole value) in its value.
    pub scalar: usize,
    pub range: Range<usize>,
    /// Set for `fix` findings ([`Applicability::Safe`]) and, where it can
    /// be computed, for `report` findings ([`Applicability::DisplayOnly`]).
    pub fix: Option<Fix>,
}

/// A whole scalar value as a finding reports it (`expected`): the shared
/// value of its scalar, with at most one replacement of this finding's own
/// applied when it is read ([`ScalarText::text`]). So findings that each
/// rewrite one occurrence of a long value (`--strict`'s aliases outside
/// governed fields) share the value instead of holding a copy each.
#[derive(Clone, Debug)]
pub struct ScalarText {
    value: Arc<str>,
    replaced: Option<(Range<usize>, Arc<str>)>,
}

impl ScalarText {
    /// The value itself, shared.
    pub fn shared(value: Arc<str>) -> ScalarText {
        ScalarText {
            value,
            replaced: None,
        }
    }

    /// `value` with `range` replaced by `text` (when the range is valid).
    pub fn replacing(value: Arc<str>, range: Range<usize>, text: &str) -> ScalarText {
        ScalarText {
            value,
            replaced: Some((range, Arc::from(text))),
        }
    }

    /// The text, built only when it differs from the shared value.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        let Some((range, text)) = &self.replaced else {
            return std::borrow::Cow::Borrowed(&self.value);
        };
        match (self.value.get(..range.start), self.value.get(range.end..)) {
            (Some(before), Some(after)) => {
                std::borrow::Cow::Owned(format!("{before}{text}{after}"))
            }
            _ => std::borrow::Cow::Borrowed(&self.value),
        }
    }
}

impl PartialEq for ScalarText {
    fn eq(&self, other: &ScalarText) -> bool {
        let same_value = Arc::ptr_eq(&self.value, &other.value);
        match (&self.replaced, &other.replaced) {
            (None, None) if same_value => true,
            (a, b) if same_value && a == b => true,
            _ => self.text() == other.text(),
        }
    }
}

impl Eq for ScalarText {}

impl std::fmt::Display for ScalarText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text())
    }
}

impl From<&str> for ScalarText {
    fn from(s: &str) -> ScalarText {
        ScalarText::shared(Arc::from(s))
    }
}

impl serde::Serialize for ScalarText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text())
    }
}

/// Options that change planning.
#[derive(Clone, Copy, Debug, Default)]
pub struct PlanOptions {
    /// Also report governed values that are neither canonical nor alias.
    pub strict: bool,
    /// What of each plan the run's outputs read besides its findings.
    pub keep: Keep,
}

/// What a plan keeps once its file is planned and verified, besides the
/// findings: a run holds every plan until it reports, and a scan whose
/// report reads none of this held each file's text twice (issue 19: the
/// SARIF of 30,000 findings peaked at 88 MB). Everything by default; what
/// is not kept is left empty, as for a file without findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keep {
    /// [`FilePlan::original`] and [`FilePlan::scalars`]: SARIF's fixes, the
    /// patch, the markdown diff, preview and writing.
    pub text: bool,
    /// With [`Keep::text`]: each finding's own fix edits
    /// ([`FilePlan::finding_edits`]), made while planning, *instead of* the
    /// scalars. SARIF reads nothing else of the scalars, and a scalar
    /// record (its path and pieces) is several times its finding's edits:
    /// 30,000 findings held 11 MB of them (issue 19).
    pub finding_edits: bool,
    /// [`FilePlan::new_text`] and [`FilePlan::edits`] (verified all the
    /// same): the patch, the markdown diff, preview and writing.
    pub new_text: bool,
    /// [`Suppressed::fingerprints`]: `--write-baseline`.
    pub fingerprints: bool,
}

impl Keep {
    /// Everything: what `fix` and the library callers get.
    pub const ALL: Keep = Keep {
        text: true,
        finding_edits: false,
        new_text: true,
        fingerprints: true,
    };
    /// The findings alone (the human, JSON, GitHub and GitLab reports).
    pub const FINDINGS: Keep = Keep {
        text: false,
        finding_edits: false,
        new_text: false,
        fingerprints: false,
    };
    /// The original text and each finding's fix edits (SARIF's fixes).
    pub const ORIGINAL: Keep = Keep {
        text: true,
        finding_edits: true,
        ..Keep::FINDINGS
    };
    /// Both texts (the patch, the markdown diff).
    pub const TEXTS: Keep = Keep {
        text: true,
        finding_edits: false,
        new_text: true,
        fingerprints: false,
    };
}

impl Default for Keep {
    fn default() -> Keep {
        Keep::ALL
    }
}

/// Everything driftfix knows and will do about one file.
#[derive(Clone, Debug)]
pub struct FilePlan {
    pub rel_path: String,
    pub file_type: FileType,
    pub role: Role,
    /// The original text, exactly as read: empty when the file was not
    /// parsed, when nothing will read it again (no finding), or when the
    /// run's outputs do not read it ([`Keep::text`]).
    pub original: String,
    /// Whether the file was parsed (the prefilter lets alias-free files skip).
    pub parsed: bool,
    /// Sorted by line, column.
    pub findings: Vec<Finding>,
    /// The scalars findings refer to (empty when the original is, and
    /// when [`Keep::finding_edits`] kept each finding's edits instead).
    pub scalars: Vec<crate::formats::Scalar>,
    /// With [`Keep::finding_edits`]: [`FilePlan::fix_edits`] of each
    /// finding, by index; otherwise empty (they are made when asked).
    pub finding_edits: Vec<Vec<Edit>>,
    /// The edits of all `fix` findings, non-overlapping (empty unless
    /// [`Keep::new_text`]).
    pub edits: Vec<Edit>,
    /// The verified new text, when there is anything to fix and the run's
    /// outputs read it ([`Keep::new_text`]).
    pub new_text: Option<String>,
    /// Set when the edited text failed verification: nothing is written,
    /// the fixes became `manual`, and the run reports this error (exit 2).
    pub refused: Option<FileError>,
    /// Indexes (into [`RuleSet::canonicals`]) of the canonical names that
    /// governed scalars of this file use; recorded for authority files (the
    /// markdown report's "source of authority").
    pub canonical_uses: Vec<usize>,
    /// Alias occurrences outside governed fields (SPEC §8), in order.
    pub ungoverned: Vec<Occurrence>,
    /// Findings suppressed inline, by an `[[ignore]]` rule or by the
    /// baseline (SPEC §11), and what the suppressions did.
    pub suppressed: Suppressed,
}

/// An alias occurrence outside governed fields: counted, and hinted at
/// when a selector almost governs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub line: usize,
    pub column: usize,
    /// Its path in selector syntax (`None` in a comment).
    pub field: Option<String>,
    pub alias: String,
    pub canonical: String,
    pub why: Why,
    /// A selector that would govern it (`**.ingress.hosts[*].host`).
    pub hint: Option<String>,
}

impl FilePlan {
    /// The plan of a file that needed no parse (the prefilter found no
    /// alias in it): what [`plan_with`] makes of such a file, for a caller
    /// that settled it without reading it whole.
    pub fn unparsed(rel_path: &str, file_type: FileType, role: Role) -> FilePlan {
        FilePlan::empty(rel_path, file_type, role)
    }

    fn empty(rel_path: &str, file_type: FileType, role: Role) -> FilePlan {
        FilePlan {
            rel_path: rel_path.to_string(),
            file_type,
            role,
            original: String::new(),
            parsed: false,
            findings: Vec::new(),
            scalars: Vec::new(),
            finding_edits: Vec::new(),
            edits: Vec::new(),
            new_text: None,
            refused: None,
            canonical_uses: Vec::new(),
            ungoverned: Vec::new(),
            suppressed: Suppressed::default(),
        }
    }

    /// The edits of `f`'s fix alone, sorted, from the original text; empty
    /// when it has no fix or can only be made together with the other
    /// findings of its scalar (e.g. a scalar that must be re-quoted as a
    /// whole). Computed when asked (SARIF's `fixes`), not while planning
    /// (each costs a pass over the scalar's value), unless the plan kept
    /// them in place of its scalars ([`Keep::finding_edits`]).
    pub fn fix_edits(&self, i: usize) -> Vec<Edit> {
        match self.finding_edits.get(i) {
            Some(edits) => edits.clone(),
            None => self.fix_edits_in(&self.original, i),
        }
    }

    /// [`FilePlan::fix_edits`] made from the scalars, over `text` (the
    /// original; while planning it is not in the plan yet).
    fn fix_edits_in(&self, text: &str, i: usize) -> Vec<Edit> {
        let Some(f) = self.findings.get(i) else {
            return Vec::new();
        };
        let (Some(fix), Some(scalar)) = (&f.fix, self.scalars.get(f.scalar)) else {
            return Vec::new();
        };
        self.file_type
            .format()
            .edits(text, scalar, std::slice::from_ref(&fix.replacement))
            .unwrap_or_default()
    }

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
            f.fix = None;
        }
        self.edits.clear();
        self.finding_edits.clear();
        self.new_text = None;
    }

    /// The `fix` findings (indices, in order, `i` included) that stand or
    /// fall with finding `i`: its fix group. Step mode offers them as one
    /// change, because renaming one place of a name written in several
    /// places would split it.
    pub fn linked(&self, i: usize) -> Vec<usize> {
        let group_of = |f: &Finding| {
            f.fix
                .as_ref()
                .filter(|x| x.applicability == Applicability::Safe)
                .map(|x| x.group)
        };
        let Some(group) = self.findings.get(i).and_then(group_of) else {
            return vec![i];
        };
        (0..self.findings.len())
            .filter(|&j| j == i || self.findings.get(j).and_then(group_of) == Some(group))
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
    ) -> Result<(Vec<Edit>, Vec<Substitution<'_>>), FileError> {
        self.edits_in(&self.original, accepted)
    }

    /// [`FilePlan::edits_for`] on `original`, the text this plan was made
    /// from (planning runs before the plan holds it).
    fn edits_in(
        &self,
        original: &str,
        accepted: &dyn Fn(usize) -> bool,
    ) -> Result<(Vec<Edit>, Vec<Substitution<'_>>), FileError> {
        let (edits, values) = self.planned_edits(original, accepted)?;
        Ok((edits, self.substitutions(values)))
    }

    /// The edits (sorted) of the accepted `fix` findings, and the new value
    /// of each scalar they edit (by index into [`FilePlan::scalars`]).
    fn planned_edits(
        &self,
        original: &str,
        accepted: &dyn Fn(usize) -> bool,
    ) -> Result<(Vec<Edit>, Vec<NewValue>), FileError> {
        // (scalar, finding) of each accepted fix, grouped by scalar in
        // order; a map of cloned replacements per scalar was 10 MB beside
        // a 26.8 MB file's peak (issue 19).
        let mut fixes: Vec<(usize, usize)> = self
            .findings
            .iter()
            .enumerate()
            .filter(|&(i, f)| f.action == Action::Fix && f.fix.is_some() && accepted(i))
            .map(|(i, f)| (f.scalar, i))
            .collect();
        fixes.sort_unstable();
        let format = self.file_type.format();
        let mut edits = Vec::new();
        let mut values = Vec::new();
        for group in fixes.chunk_by(|a, b| a.0 == b.0) {
            let Some((si, scalar)) = group
                .first()
                .and_then(|&(si, _)| Some((si, self.scalars.get(si)?)))
            else {
                continue;
            };
            let mut reps: Vec<Replacement> = group
                .iter()
                .filter_map(|&(_, i)| self.findings.get(i)?.fix.as_ref())
                .map(|fix| fix.replacement.clone())
                .collect();
            reps.sort_by_key(|r| r.range.start);
            reps.dedup();
            edits.extend(
                format
                    .edits(original, scalar, &reps)
                    .map_err(FileError::internal)?,
            );
            values.push((si, apply_replacements(&scalar.value, &reps)));
        }
        edits.sort_by_key(|e| e.range.start);
        Ok((edits, values))
    }

    /// The substitutions of [`FilePlan::planned_edits`]'s new values.
    fn substitutions(&self, values: Vec<NewValue>) -> Vec<Substitution<'_>> {
        values
            .into_iter()
            .filter_map(|(si, new_value)| {
                self.scalars
                    .get(si)
                    .map(|scalar| Substitution { scalar, new_value })
            })
            .collect()
    }
}

/// The new value of an edited scalar, by its index in
/// [`FilePlan::scalars`].
type NewValue = (usize, String);

/// Applies edits and verifies the result (reusing the scan's parse of the
/// original when there is one).
fn finish(
    format: &dyn Format,
    original: &str,
    parsed: Option<&Parsed>,
    edits: &[Edit],
    subs: &[Substitution],
) -> Result<String, FileError> {
    verified(
        format,
        original,
        parsed,
        apply_checked(original, edits)?,
        subs,
    )
}

/// The original with non-overlapping edits applied.
fn apply_checked(original: &str, edits: &[Edit]) -> Result<String, FileError> {
    check_overlaps(edits)?;
    Ok(apply_edits(original, edits))
}

/// An error when edits overlap.
fn check_overlaps(edits: &[Edit]) -> Result<(), FileError> {
    let mut sorted: Vec<_> = edits.iter().map(|e| e.range.clone()).collect();
    sorted.sort_by_key(|r| r.start);
    if sorted.windows(2).any(|w| match w {
        [a, b] => a.end > b.start,
        _ => false,
    }) {
        return Err(FileError::internal(
            "internal error: overlapping edits; nothing written",
        ));
    }
    Ok(())
}

/// `new` when it verifies against the original and the substitutions
/// (SPEC §5).
fn verified(
    format: &dyn Format,
    original: &str,
    parsed: Option<&Parsed>,
    new: String,
    subs: &[Substitution],
) -> Result<String, FileError> {
    format
        .verify(original, parsed, &new, subs)
        .map_err(unverified)?;
    Ok(new)
}

/// The error of a failed verification.
fn unverified(e: String) -> FileError {
    FileError::unverified(format!(
        "verification failed after editing, refusing to write: {e}"
    ))
}

/// [`verified`] of `original` with `edits`, read as the format's parser
/// asks for it ([`Format::verify_edited`]); the same errors, overlapping
/// edits first.
fn verified_edited(
    format: &dyn Format,
    original: &str,
    parsed: Option<&Parsed>,
    edits: &[Edit],
    subs: &[Substitution],
) -> Result<(), FileError> {
    check_overlaps(edits)?;
    let Some(edited) = Edited::new(original, edits) else {
        // Edits off the text's character boundaries: checked as before.
        return verified(
            format,
            original,
            parsed,
            apply_checked(original, edits)?,
            subs,
        )
        .map(drop);
    };
    format
        .verify_edited(original, parsed, &edited, subs)
        .map_err(unverified)
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
            baseline: None,
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
    /// `--baseline FILE`: the findings it records are suppressed.
    pub baseline: Option<&'a crate::suppress::baseline::Baseline>,
}

/// Plans one file with a prepared context.
pub fn plan_with(
    ctx: &Context,
    rel_path: &str,
    file_type: FileType,
    role: Role,
    bytes: &[u8],
) -> Result<FilePlan, FileError> {
    let text = decode(bytes)?;
    let mut plan = plan_text(ctx, rel_path, file_type, role, text)?;
    if plan.keeps_text(ctx.options.keep) {
        plan.original = text.to_string();
    }
    Ok(plan)
}

/// [`plan_with`] on a buffer the caller gives up: a plan that keeps the
/// text takes the buffer itself (left empty), one that does not leaves it
/// to be reused. The text was copied into the plan while the buffer
/// lived on, so a 26.8 MB file was held twice (issue 19).
pub fn plan_buffer(
    ctx: &Context,
    rel_path: &str,
    file_type: FileType,
    role: Role,
    buf: &mut Vec<u8>,
) -> Result<FilePlan, FileError> {
    let mut plan = plan_text(ctx, rel_path, file_type, role, decode(buf)?)?;
    if plan.keeps_text(ctx.options.keep) {
        let mut bytes = std::mem::take(buf);
        bytes.shrink_to_fit();
        // Decoded above: this cannot fail, and a failure would only
        // leave the text out.
        plan.original = String::from_utf8(bytes).unwrap_or_default();
    }
    Ok(plan)
}

/// Plans the decoded text of one file; the plan's `original` is left
/// empty (the callers above fill it in when [`FilePlan::keeps_text`]).
fn plan_text(
    ctx: &Context,
    rel_path: &str,
    file_type: FileType,
    role: Role,
    text: &str,
) -> Result<FilePlan, FileError> {
    let bytes = text.as_bytes();
    let mut plan = FilePlan::empty(rel_path, file_type, role);
    // Searched once (and not at all with --strict, which reads every file).
    let alias_hit = !ctx.options.strict && ctx.matcher.may_match(bytes);
    // Authority files are also read for the canonical names they use.
    let prefilter_hit = ctx.options.strict
        || alias_hit
        || (role == Role::Authority && ctx.matcher.may_hold_name(bytes));
    if !prefilter_hit {
        return Ok(plan);
    }
    let fields: Vec<&FieldRule> = ctx
        .rules
        .fields
        .iter()
        .filter(|f| f.applies_to(file_type, rel_path))
        .collect();
    // A file no field rule applies to is still read for aliases when its
    // bytes may hold one: they are occurrences outside governed fields
    // (SPEC §8), never silently dropped (the file is no "ALIGNED"); with
    // `--strict` it is read for its unused suppression markers too.
    if fields.is_empty() && !ctx.options.strict && !alias_hit {
        return Ok(plan);
    }
    check_line_endings(text).map_err(|e| e.in_text(text))?;
    let format = file_type.format();
    // Engines may leave out scalars whose bytes hold no alias (text does,
    // line by line); with --strict every governed value counts, and an
    // authority file's canonical names count too (`canonical_uses`).
    let may_hold = |b: &[u8]| {
        ctx.options.strict
            || ctx.matcher.may_match(b)
            || (role == Role::Authority && ctx.matcher.may_hold_name(b))
    };
    let mut scan = format.scan_for(text, &may_hold).map_err(|e| {
        FileError::invalid(
            e.line,
            e.column,
            format!("{} parse error: {}", file_type.name(), e.message),
        )
        .in_text(text)
    })?;
    plan.parsed = true;
    let index = LineIndex::new(text);
    let site = findings::Site {
        ctx,
        text,
        index: &index,
        role,
        severity: ctx.rules.severity_of(rel_path, role),
        format,
        path: Arc::from(rel_path),
        names: Default::default(),
    };
    let governed = govern::Governor::new(&fields, &scan.scalars, &index).candidates(ctx);
    if role == Role::Authority {
        plan.canonical_uses = govern::canonical_uses(ctx, &governed);
    }
    let mut outside =
        ungoverned::find(ctx, &fields, &scan.scalars, &governed, text, &scan.comments);
    let mut suppressor = suppressed::Suppressor::new(
        ctx,
        rel_path,
        text,
        &scan.comments,
        file_type.spec().lines_only,
        &index,
    );
    let (mut findings, used_at) = site.findings(governed, &scan.scalars);
    // Grown by doubling: a third of a large file's findings list was
    // spare room, held until the report.
    findings.shrink_to_fit();
    let mut used = take_used(std::mem::take(&mut scan.scalars), &used_at)?;
    plan.ungoverned = suppressor
        .occurrences(&mut outside)
        .iter()
        .map(|u| site.occurrence(u))
        .collect();
    let mut extra = vec![false; findings.len()];
    if ctx.options.strict {
        findings.extend(site.ungoverned_findings(outside, &mut used));
        extra.resize(findings.len(), true);
    }
    plan.scalars = used;
    (plan.findings, plan.suppressed) =
        suppressor.apply(ctx, rel_path, &plan.scalars, findings, extra);
    // Line starts are for findings' positions: gone before the edited
    // text is built and verified (8 MB of a 26.8 MB file's peak).
    drop(site);
    drop(index);
    findings::assign_groups(&mut plan.findings, &plan.scalars);
    if plan.fix_count() > 0 {
        // No output reads the scalars once the file is verified: what the
        // edits and the verification do not read of them goes before (a
        // YAML scalar's path, 8 MB of a 26.8 MB file's peak, issue 19),
        // and their pieces once the edits are made (10 MB).
        let lean = !ctx.options.keep.text;
        if lean {
            plan.scalars
                .iter_mut()
                .for_each(|s| format.strip_for_verify(s));
        }
        let (edits, values) = plan.planned_edits(text, &|_| true)?;
        if lean {
            plan.scalars.iter_mut().for_each(|s| s.pieces = Vec::new());
        }
        let subs = plan.substitutions(values);
        let outcome = if !ctx.options.keep.new_text && format.verifies_edited_lazily() {
            // Verified as it is read from the original and the edits: no
            // outputs read the edited text, so it is never built (27 MB of
            // a 26.8 MB file's peak, issue 19).
            verified_edited(format, text, scan.parsed.as_ref(), &edits, &subs).map(|()| None)
        } else {
            let new = apply_checked(text, &edits);
            // Kept with the new text only; otherwise freed before the
            // verification, the peak of a large file (issue 19).
            let edits = if ctx.options.keep.new_text {
                edits
            } else {
                Vec::new()
            };
            new.and_then(|new| verified(format, text, scan.parsed.as_ref(), new, &subs))
                .map(|new| Some((new, edits)))
        };
        match outcome {
            // Verified either way; held only for the outputs that read it.
            Ok(new) => {
                if let Some((new, edits)) = new.filter(|_| ctx.options.keep.new_text) {
                    plan.new_text = Some(new);
                    plan.edits = edits;
                }
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
    if !plan.keeps_text(ctx.options.keep) {
        plan.scalars = Vec::new();
    } else if ctx.options.keep.finding_edits {
        plan.finding_edits = (0..plan.findings.len())
            .map(|i| plan.fix_edits_in(text, i))
            .collect();
        plan.scalars = Vec::new();
    }
    Ok(plan)
}

/// Moves the scalars at `at` (in that order) out of a scan's list, and
/// drops the rest aside. Findings' scalars used to be cloned out of the
/// scan, so a file with 100,000 findings held them twice (46 MB of the
/// 26.8 MB file's 358 MB peak, issue 19).
fn take_used(
    scalars: Vec<crate::formats::Scalar>,
    at: &[usize],
) -> Result<Vec<crate::formats::Scalar>, FileError> {
    if at.windows(2).all(|w| matches!(w, [a, b] if a < b))
        && at.last().is_none_or(|&i| i < scalars.len())
    {
        return Ok(take_in_place(scalars, at));
    }
    let mut pool: Vec<Option<crate::formats::Scalar>> = scalars.into_iter().map(Some).collect();
    let mut used: Vec<crate::formats::Scalar> = Vec::with_capacity(at.len());
    for (n, &i) in at.iter().enumerate() {
        let mut scalar = match pool.get_mut(i).and_then(Option::take) {
            Some(s) => s,
            // The same scalar twice: a copy of the one taken first.
            None => at
                .get(..n)
                .and_then(|before| before.iter().position(|&j| j == i))
                .and_then(|first| used.get(first).cloned())
                .ok_or_else(|| {
                    FileError::internal("internal error: a finding without its scalar")
                })?,
        };
        lean(&mut scalar);
        used.push(scalar);
    }
    drop_aside(pool);
    Ok(used)
}

/// [`take_used`] when `at` is strictly increasing and in range (always,
/// but with `--strict`): the used scalars are moved to the front of the
/// scan's own list, which is then cut down to them. A second list of the
/// used scalars beside the scan's was 23 MB of a 26.8 MB file's peak
/// (issue 19).
fn take_in_place(
    mut scalars: Vec<crate::formats::Scalar>,
    at: &[usize],
) -> Vec<crate::formats::Scalar> {
    let mut next = at.iter().copied().peekable();
    let mut kept = 0;
    for i in 0..scalars.len() {
        if next.next_if_eq(&i).is_some() {
            scalars.swap(kept, i);
            kept += 1;
        }
    }
    let rest = scalars.split_off(kept);
    scalars.shrink_to_fit();
    scalars.iter_mut().for_each(lean);
    drop_aside(rest);
    scalars
}

/// Gives back the spare room of a scalar kept for its findings: an engine
/// grows a scalar's pieces as it reads it (room for four where one is
/// usual: 10 MB of a file with 100,000 findings, issue 19).
fn lean(scalar: &mut crate::formats::Scalar) {
    scalar.pieces.shrink_to_fit();
}

/// Scans with more scalars than this are dropped on another thread.
const DROP_ASIDE_ABOVE: usize = 10_000;

/// Drops a large file's scalars on the thread pool instead of in the
/// planning's path: freeing 500,000 scalars, each with its path segments,
/// was 6.8% of a 26.8 MB file's run, while the other core sat idle and
/// the report waited (issue 19). Small lists are dropped here: a task per
/// file would cost more than it saves.
fn drop_aside<T: Send + 'static>(scalars: Vec<T>) {
    if scalars.len() > DROP_ASIDE_ABOVE {
        rayon::spawn(move || drop(scalars));
    }
}

impl FilePlan {
    /// Whether anything will read the original text again: a finding
    /// (reported, suppressed or fixed) or something to write. A run holds
    /// every plan until it reports, so a tree of near-misses kept its
    /// whole text in memory (issue 19: `scan --strict` on 20,000 files
    /// peaked at 2.2 GB); nor when the outputs do not read it
    /// ([`Keep::text`]). A plan that does not keep it keeps no scalars
    /// either.
    fn keeps_text(&self, keep: Keep) -> bool {
        keep.text
            && !(self.findings.is_empty()
                && self.suppressed.findings.is_empty()
                && self.new_text.is_none()
                && self.refused.is_none())
    }
}

/// The text of a file, or why it is skipped: binary (NUL bytes) or not
/// UTF-8.
pub(crate) fn decode(bytes: &[u8]) -> Result<&str, FileError> {
    if crate::text::has_byte(bytes, 0) {
        return Err(FileError::skipped(
            SkipReason::Binary,
            "binary file (holds NUL bytes)",
        ));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        FileError::skipped(
            SkipReason::NotUtf8,
            format!("not UTF-8 (invalid byte at offset {})", e.valid_up_to()),
        )
    })
}

/// A lone `\r` line break would corrupt the unified diff and confuse line
/// numbers: such files are refused (only when they would be parsed).
fn check_line_endings(text: &str) -> Result<(), FileError> {
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\r' && bytes.get(i + 1) != Some(&b'\n') {
            let (line, column) = LineIndex::new(text).line_col(i);
            return Err(FileError::invalid(
                line,
                column,
                "lone CR line ending (not LF or CRLF) is not supported",
            ));
        }
    }
    Ok(())
}
