//! The alignment report in GitHub-flavoured markdown: the hand-written
//! review-ticket report (executive summary, mismatch tables, remediation
//! targets, verdicts, recommendations, files reviewed) made automatic.
//!
//! The output is reproducible: no timestamps, no timings, no absolute paths;
//! every list is in a fixed order (canonicals in rule order, roles as
//! authority → editable → readonly, severities critical → low, files by path,
//! lines ascending).
//!
//! Every value that comes from a scanned file goes into a code span that
//! renders it verbatim ([`code`]): the fence is longer than any backtick run
//! inside, control characters are shown as `\n`, `\r`, `\t` or `\u{..}`, and
//! in table cells `|` is escaped as `\|` (GFM splits cells before it parses
//! code spans). Free text (descriptions, reasons) is backslash-escaped
//! ([`text`]). A value longer than one line or [`super::MAX_VALUE_CHARS`]
//! characters shows a window around the alias (`…context pve-shop context…`),
//! so one long block scalar cannot swamp a table nor hide the alias.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use super::{Command, Report, Summary, plural};
use crate::plan::{Action, Finding, SkipReason};
use crate::rules::{Canonical, Role, RuleSet, Severity};
use crate::run::Run;

/// Roles in report order: the source of truth first, legacy last.
const ROLES: [Role; 3] = [Role::Authority, Role::Editable, Role::Readonly];

/// `--format markdown`: the report, and for `fix` the fix with its diffs.
pub fn render(r: &Report<'_>) -> String {
    let mut out = match r.command {
        Command::Scan => scan(r.run, r.rules),
        Command::Fix => fix(r.run, r.rules),
    };
    if r.show_suppressed {
        suppressed_table(r.run, &mut out);
    }
    out
}

/// `--show-suppressed`: every suppressed finding and what suppresses it.
fn suppressed_table(run: &Run, out: &mut String) {
    let all: Vec<_> = super::listed(run, true)
        .into_iter()
        .filter_map(|(f, why)| Some((f, why?)))
        .collect();
    out.push_str("## Suppressed findings\n\n");
    if all.is_empty() {
        out.push_str("None.\n\n");
        return;
    }
    out.push_str("| File | Line | Field | Alias | Suppressed | By |\n|---|---:|---|---|---|---|\n");
    for (f, why) in all {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell_code(&f.path),
            f.line,
            cell_code(&f.field),
            cell_code(f.alias.as_deref().unwrap_or(&f.actual)),
            why.source.name(),
            text(&why.by),
        );
    }
    out.push('\n');
}

/// `scan --format markdown`.
pub fn scan(run: &Run, rules: &RuleSet) -> String {
    let model = Model::new(run, rules);
    let mut out = String::new();
    out.push_str("# driftfix alignment report\n\n");
    out.push_str(
        "Non-canonical host labels (aliases) in governed fields, by canonical name. \
         Authority and read-only files are reported, never written.\n\n",
    );
    model.executive_summary(&mut out);
    model.mismatches(&mut out);
    model.remediation(&mut out);
    model.verdicts(&mut out);
    model.recommendations(&mut out);
    model.files_reviewed(&mut out);
    model.problems(&mut out);
    out
}

/// `fix --format markdown`: the report, a summary of the fix and the diff of
/// every changed file in its own fenced `diff` block.
pub fn fix(run: &Run, rules: &RuleSet) -> String {
    let mut out = scan(run, rules);
    out.push_str("## Fix\n\n");
    let changed: Vec<_> = run.plans().filter(|p| p.new_text.is_some()).collect();
    let changes: usize = changed.iter().map(|p| p.fix_count()).sum();
    let s = Summary::of(run);
    if changed.is_empty() {
        out.push_str("Nothing to rewrite: no editable file holds a fixable alias.\n\n");
    } else {
        let _ = writeln!(
            out,
            "The patch rewrites **{changes}** occurrence{} in **{}** file{} and changes nothing else. \
             `driftfix fix --apply` writes it; `git apply` or `patch -p1` applies the same diff from the base directory.\n",
            plural(changes),
            changed.len(),
            plural(changed.len()),
        );
        out.push_str("| File | Changes | Highest severity |\n|---|---:|---|\n");
        for p in &changed {
            let top = p
                .findings
                .iter()
                .filter(|f| f.action == Action::Fix)
                .map(|f| f.severity)
                .min();
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                cell_code(&p.rel_path),
                p.fix_count(),
                top.map(severity_cell).unwrap_or_default()
            );
        }
        out.push('\n');
    }
    let report = s.action(Action::Report);
    let manual = s.action(Action::Manual);
    if report + manual > 0 {
        let _ = writeln!(
            out,
            "Not written: {report} finding{} in read-only and authority files (reported only), \
             {manual} manual finding{} (see *Remediation targets*).\n",
            plural(report),
            plural(manual),
        );
    }
    for p in &changed {
        if let Some(new) = &p.new_text {
            let diff = super::patch::file_diff(&p.rel_path, &p.original, new);
            let _ = writeln!(out, "### {}\n", code(&p.rel_path));
            out.push_str(&fenced("diff", &diff));
            out.push('\n');
        }
    }
    out
}

/// A fenced code block whose fence is longer than any backtick run in the
/// body (at least three), so the body can never close it.
pub fn fenced(info: &str, body: &str) -> String {
    let fence = "`".repeat((longest_run(body, '`') + 1).max(3));
    let nl = if body.is_empty() || body.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    format!("{fence}{info}\n{body}{nl}{fence}\n")
}

/// Everything the sections read, computed once.
struct Model<'a> {
    run: &'a Run,
    rules: &'a RuleSet,
    summary: Summary,
    findings: Vec<&'a Finding>,
    /// The alias findings of each canonical name, in report order: three
    /// sections list them (one pass over the findings, not three per
    /// canonical name).
    by_canonical: std::collections::HashMap<&'a str, Vec<&'a Finding>>,
    authority_uses: BTreeMap<String, BTreeSet<String>>,
}

impl<'a> Model<'a> {
    fn new(run: &'a Run, rules: &'a RuleSet) -> Model<'a> {
        let findings: Vec<&Finding> = run.findings().collect();
        let mut by_canonical: std::collections::HashMap<&str, Vec<&Finding>> =
            std::collections::HashMap::new();
        for &f in &findings {
            if let (Some(_), Some(c)) = (&f.alias, f.canonical.as_deref()) {
                by_canonical.entry(c).or_default().push(f);
            }
        }
        for v in by_canonical.values_mut() {
            v.sort_by_key(order_key);
        }
        Model {
            run,
            rules,
            summary: Summary::of(run),
            findings,
            by_canonical,
            authority_uses: super::usage::authority_uses(run, rules),
        }
    }

    /// Alias findings of one canonical name, in report order.
    fn of_canonical(&self, c: &Canonical) -> Vec<&'a Finding> {
        self.by_canonical
            .get(c.name.as_str())
            .cloned()
            .unwrap_or_default()
    }

    /// `--strict` findings: governed values that are no known label.
    fn unknown(&self) -> Vec<&'a Finding> {
        let mut v: Vec<&Finding> = self
            .findings
            .iter()
            .copied()
            .filter(|f| f.alias.is_none())
            .collect();
        v.sort_by_key(order_key);
        v
    }

    fn files_of_role(&self, role: Role) -> usize {
        self.run
            .outcomes
            .iter()
            .filter(|o| o.target.role == role && o.result.is_ok())
            .count()
    }

    fn executive_summary(&self, out: &mut String) {
        let s = &self.summary;
        out.push_str("## Executive summary\n\n");
        let skipped = self.run.skipped().len();
        let errors = self.run.error_list().len();
        let _ = writeln!(
            out,
            "- **Scope:** {} file{} scanned ({} authority, {} editable, {} read-only); {} skipped; {} error{}.",
            s.files_scanned,
            plural(s.files_scanned),
            self.files_of_role(Role::Authority),
            self.files_of_role(Role::Editable),
            self.files_of_role(Role::Readonly),
            skipped,
            errors,
            plural(errors),
        );
        let _ = writeln!(
            out,
            "- **Findings:** {} in {} file{}: {}.",
            s.findings,
            s.files_with_findings,
            plural(s.files_with_findings),
            s.counts(),
        );
        if let Some(line) = super::ungoverned_line(s) {
            let _ = writeln!(out, "- **Outside governed fields:** {line}.");
        }
        if let Some(line) = super::suppressed_line(s) {
            let _ = writeln!(out, "- **Suppressed:** {line}.");
        }
        let verdicts: Vec<String> = ROLES
            .iter()
            .map(|&r| format!("{}: {}", r.name(), self.verdict(r)))
            .collect();
        let _ = writeln!(out, "- **Verdict:** {}.\n", verdicts.join(" · "));
        out.push_str(
            "| Canonical | Description | Aliases seen | Occurrences | Files | Source of authority |\n\
             |---|---|---|---:|---:|---|\n",
        );
        for c in &self.rules.canonicals {
            let found = self.of_canonical(c);
            let seen: Vec<String> = c
                .aliases
                .iter()
                .filter_map(|a| {
                    let n = found
                        .iter()
                        .filter(|f| f.alias.as_deref() == Some(a.as_str()))
                        .count();
                    (n > 0).then(|| format!("{} ×{n}", cell_code(a)))
                })
                .collect();
            let authority = self
                .authority_uses
                .get(&c.name)
                .map(|paths| paths.iter().map(|p| cell_code(p)).collect::<Vec<_>>())
                .filter(|v| !v.is_empty())
                .map(|v| v.join(", "))
                .unwrap_or_else(|| "—".into());
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                cell_code(&c.name),
                c.description.as_deref().map(text).unwrap_or_default(),
                or_dash(seen.join(", ")),
                found.len(),
                distinct_files(&found),
                authority,
            );
        }
        let unknown = self.unknown();
        if !unknown.is_empty() {
            let _ = writeln!(
                out,
                "| *unknown values* | governed values that are neither canonical nor alias (`--strict`) | — | {} | {} | — |",
                unknown.len(),
                distinct_files(&unknown),
            );
        }
        out.push('\n');
    }

    /// Files of `role` that could not be read or parsed.
    fn errors_in(&self, role: Role) -> usize {
        self.run
            .outcomes
            .iter()
            .filter(|o| o.target.role == role && o.problem().is_some_and(|e| !e.is_skip()))
            .count()
    }

    fn verdict(&self, role: Role) -> String {
        let found = self.findings.iter().filter(|f| f.role == role).count();
        let errors = self.errors_in(role);
        let elsewhere = self.ungoverned_in(role);
        if found > 0 {
            "DRIFTED".into()
        } else if errors > 0 || self.unread_in(role) > 0 {
            "INCOMPLETE".into()
        } else if self.files_of_role(role) == 0 {
            "NO FILES".into()
        } else if elsewhere > 0 {
            // Never a plain ALIGNED while aliases sit in the files.
            format!(
                "ALIGNED in governed fields; {elsewhere} occurrence{} elsewhere",
                plural(elsewhere)
            )
        } else {
            "ALIGNED".into()
        }
    }

    /// Files of `role` that were skipped unread (too large, binary, not
    /// UTF-8, no type, special, broken links): their labels were never
    /// checked, so the role cannot be called ALIGNED. Excluded roots and
    /// driftfix's own outputs are out of scope, not unread.
    fn unread_in(&self, role: Role) -> usize {
        self.run
            .skipped()
            .iter()
            .filter(|s| {
                !matches!(s.reason, SkipReason::Excluded | SkipReason::DriftfixOutput)
                    && self.rules.role_of(&s.path) == role
            })
            .count()
    }

    /// Alias occurrences outside governed fields in files of `role`.
    fn ungoverned_in(&self, role: Role) -> usize {
        self.run
            .plans()
            .filter(|p| p.role == role)
            .map(|p| p.ungoverned.len())
            .sum()
    }

    fn mismatches(&self, out: &mut String) {
        out.push_str("## Mismatches by canonical name\n\n");
        for c in &self.rules.canonicals {
            let desc = c
                .description
                .as_deref()
                .map(|d| format!(" — {}", text(d)))
                .unwrap_or_default();
            let _ = writeln!(out, "### {}{desc}\n", code(&c.name));
            let found = self.of_canonical(c);
            if found.is_empty() {
                let _ = writeln!(
                    out,
                    "No mismatch: every governed label for {} is canonical.\n",
                    code(&c.name)
                );
                continue;
            }
            mismatch_table(out, &found, "Expected");
        }
        let unknown = self.unknown();
        if !unknown.is_empty() {
            out.push_str(
                "### Unknown values (`--strict`)\n\n\
                 Governed values that are neither a canonical name nor an alias; \
                 *Closest* is the nearest canonical name when one is close.\n\n",
            );
            mismatch_table(out, &unknown, "Closest");
        }
    }

    fn remediation(&self, out: &mut String) {
        out.push_str("## Remediation targets\n\n");
        if self.findings.is_empty() {
            out.push_str("None: no drift found.\n\n");
            return;
        }
        for level in Severity::ALL {
            let mut found: Vec<&Finding> = self
                .findings
                .iter()
                .copied()
                .filter(|f| f.severity == level)
                .collect();
            if found.is_empty() {
                continue;
            }
            found.sort_by_key(order_key);
            let _ = writeln!(
                out,
                "### {} ({} finding{})\n",
                level.name().to_uppercase(),
                found.len(),
                plural(found.len())
            );
            out.push_str(
                "| File | Line(s) | Current | Should be | Action |\n|---|---|---|---|---|\n",
            );
            for row in remediation_rows(&found) {
                let lines: Vec<String> = row.lines.iter().map(ToString::to_string).collect();
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    cell_code(&row.path),
                    lines.join(", "),
                    shown_cell(&row.actual, &row.shown_actual),
                    row.expected
                        .as_ref()
                        .zip(row.shown_expected.as_deref())
                        .map(|(v, shown)| shown_cell(&v.text(), shown))
                        .unwrap_or("—".into()),
                    row.action,
                );
            }
            out.push('\n');
        }
    }

    fn verdicts(&self, out: &mut String) {
        out.push_str("## Verdict by role\n\n");
        for role in ROLES {
            let files = self.files_of_role(role);
            let found: Vec<&Finding> = self
                .findings
                .iter()
                .copied()
                .filter(|f| f.role == role)
                .collect();
            let verdict = self.verdict(role);
            let detail = if found.is_empty() {
                match verdict.as_str() {
                    "NO FILES" => "no file has this role.".to_string(),
                    "INCOMPLETE" if self.unread_in(role) > 0 => {
                        let unread = self.unread_in(role);
                        format!(
                            "no alias in the {files} file{} read, but {unread} {} skipped unread (see *Skipped files*){}.",
                            plural(files),
                            if unread == 1 { "was" } else { "were" },
                            if self.errors_in(role) > 0 {
                                " and some could not be read or parsed (see *Errors*)"
                            } else {
                                ""
                            }
                        )
                    }
                    "INCOMPLETE" => format!(
                        "no alias in the {files} file{} read, but some could not be read or parsed (see *Errors*).",
                        plural(files)
                    ),
                    "ALIGNED" => format!("{files} file{} reviewed, no alias.", plural(files)),
                    _ => format!(
                        "{files} file{} reviewed, no alias in a governed field (`scan --strict` lists the others).",
                        plural(files)
                    ),
                }
            } else {
                let by_action: Vec<String> = [Action::Fix, Action::Report, Action::Manual]
                    .into_iter()
                    .filter_map(|a| {
                        let n = found.iter().filter(|f| f.action == a).count();
                        (n > 0).then(|| format!("{} {n}", a.name()))
                    })
                    .collect();
                let by_severity: Vec<String> = Severity::ALL
                    .into_iter()
                    .filter_map(|l| {
                        let n = found.iter().filter(|f| f.severity == l).count();
                        (n > 0).then(|| format!("{} {n}", l.name()))
                    })
                    .collect();
                format!(
                    "{} finding{} in {} of {files} file{} ({}; {}).",
                    found.len(),
                    plural(found.len()),
                    distinct_files(&found),
                    plural(files),
                    by_action.join(", "),
                    by_severity.join(", "),
                )
            };
            let _ = writeln!(out, "- **{}: {verdict}** — {detail}", role.name());
        }
        out.push('\n');
    }

    fn recommendations(&self, out: &mut String) {
        out.push_str("## Recommendations\n\n");
        let mut items: Vec<String> = Vec::new();
        let s = &self.summary;
        let authority: Vec<&Finding> = self
            .findings
            .iter()
            .copied()
            .filter(|f| f.role == Role::Authority)
            .collect();
        if !authority.is_empty() {
            let mut paths: Vec<&str> = authority.iter().map(|f| &*f.path).collect();
            paths.dedup();
            items.push(format!(
                "**Correct the source of truth first:** {} finding{} in authority file{} ({}). \
                 driftfix never writes authority files: fix them by hand, then re-run the scan.",
                authority.len(),
                plural(authority.len()),
                plural(paths.len()),
                paths.iter().map(|p| code(p)).collect::<Vec<_>>().join(", "),
            ));
        }
        for c in &self.rules.canonicals {
            let found = self.of_canonical(c);
            if found.is_empty() {
                continue;
            }
            let mut aliases: Vec<&str> = c
                .aliases
                .iter()
                .map(String::as_str)
                .filter(|a| found.iter().any(|f| f.alias.as_deref() == Some(*a)))
                .collect();
            aliases.dedup();
            let in_authority = found.iter().any(|f| f.role == Role::Authority);
            items.push(format!(
                "**Deprecate {}** in favour of {}: {} occurrence{} in {} file{}{}.",
                aliases
                    .iter()
                    .map(|a| code(a))
                    .collect::<Vec<_>>()
                    .join(", "),
                code(&c.name),
                found.len(),
                plural(found.len()),
                distinct_files(&found),
                plural(distinct_files(&found)),
                if in_authority {
                    ", including the source of truth"
                } else {
                    "; never used by the source of truth"
                },
            ));
        }
        let fixable = s.action(Action::Fix);
        if fixable > 0 {
            let top = self
                .findings
                .iter()
                .filter(|f| f.action == Action::Fix)
                .map(|f| f.severity)
                .min()
                .unwrap_or(Severity::Low);
            let files: BTreeSet<&str> = self
                .findings
                .iter()
                .filter(|f| f.action == Action::Fix)
                .map(|f| &*f.path)
                .collect();
            items.push(format!(
                "**Apply the {fixable} safe fix{}** in {} editable file{} (highest severity {}): \
                 review `driftfix fix --dry-run`, then run `driftfix fix --apply` (or `--preview` to go file by file).",
                if fixable == 1 { "" } else { "es" },
                files.len(),
                plural(files.len()),
                top.name().to_uppercase(),
            ));
        }
        let manual = s.action(Action::Manual);
        if manual > 0 {
            items.push(format!(
                "**Resolve {manual} manual finding{} by hand:** {} but cannot be rewritten safely (see the *Action* column above).",
                plural(manual),
                if manual == 1 {
                    "it is in an editable file"
                } else {
                    "they are in editable files"
                },
            ));
        }
        let legacy = self
            .findings
            .iter()
            .filter(|f| f.role == Role::Readonly)
            .count();
        if legacy > 0 {
            items.push(format!(
                "**Leave legacy files as they are:** {legacy} finding{} in read-only files {} reported for context only.",
                plural(legacy),
                if legacy == 1 { "is" } else { "are" },
            ));
        }
        let errors = self.run.error_list().len();
        if errors > 0 {
            items.push(format!(
                "**Repair {errors} unreadable or unparsable file{}** (see *Errors*): their labels were not checked.",
                plural(errors)
            ));
        }
        if self.findings.is_empty() && errors == 0 {
            items
                .push("**No action needed:** every governed label uses its canonical name.".into());
        }
        for (i, item) in items.iter().enumerate() {
            let _ = writeln!(out, "{}. {item}", i + 1);
        }
        out.push('\n');
    }

    fn files_reviewed(&self, out: &mut String) {
        out.push_str("## Files reviewed\n\n");
        for role in ROLES {
            let outcomes: Vec<_> = self
                .run
                .outcomes
                .iter()
                .filter(|o| o.target.role == role)
                .collect();
            let _ = writeln!(
                out,
                "### {} ({} file{})\n",
                role_title(role),
                outcomes.len(),
                plural(outcomes.len())
            );
            if outcomes.is_empty() {
                out.push_str("None.\n\n");
                continue;
            }
            for o in outcomes {
                let note = match &o.result {
                    Ok(p) if p.findings.is_empty() => String::new(),
                    Ok(p) => format!(
                        " — {} finding{}",
                        p.findings.len(),
                        plural(p.findings.len())
                    ),
                    Err(e) if e.is_skip() => format!(" — skipped: {}", text(&e.to_string())),
                    Err(_) => " — **error** (see *Errors*)".into(),
                };
                let _ = writeln!(out, "- {}{note}", code(&o.target.rel_path));
            }
            out.push('\n');
        }
    }

    fn problems(&self, out: &mut String) {
        let skipped = self.run.skipped();
        if !skipped.is_empty() {
            out.push_str("## Skipped files\n\n| File | Reason | Detail |\n|---|---|---|\n");
            for s in &skipped {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} |",
                    cell_code(&s.path),
                    text(s.reason.name()),
                    text(&s.message)
                );
            }
            out.push('\n');
        }
        let errors = self.run.error_list();
        if !errors.is_empty() {
            out.push_str("## Errors\n\n| File | Message |\n|---|---|\n");
            for (path, message) in &errors {
                let _ = writeln!(out, "| {} | {} |", cell_code(path), text(message));
            }
            out.push('\n');
        }
        if !self.run.warnings.is_empty() {
            out.push_str("## Warnings\n\n");
            for w in &self.run.warnings {
                let _ = writeln!(out, "- {}", text(&w.to_string()));
            }
            out.push('\n');
        }
    }
}

fn mismatch_table(out: &mut String, found: &[&Finding], expected_title: &str) {
    let _ = writeln!(
        out,
        "| Role | File | Line | Field | {expected_title} | Actual | Severity |\n|---|---|---:|---|---|---|---|"
    );
    for f in found {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            f.role.name(),
            cell_code(&f.path),
            f.line,
            cell_code(&super::field_shown(f)),
            f.expected
                .as_ref()
                .zip(super::expected_excerpt(f))
                .map(|(v, shown)| shown_cell(&v.text(), &shown))
                .unwrap_or("—".into()),
            shown_cell(&f.actual, &super::actual_excerpt(f)),
            severity_cell(f.severity),
        );
    }
    out.push('\n');
}

/// One remediation row: findings of one file with the same change and action.
struct Row {
    path: String,
    lines: Vec<usize>,
    /// Shared with the findings (SPEC §14: no copy per finding).
    actual: std::sync::Arc<str>,
    expected: Option<crate::plan::ScalarText>,
    /// The values as shown: a window around the alias when long.
    shown_actual: String,
    shown_expected: Option<String>,
    action: String,
}

/// One row per file, alias, replacement and action, its lines gathered, in
/// the order of first appearance (`found` is sorted by [`order_key`]).
/// Rows are found through an index, not by scanning them: 30,000 findings
/// made the scan quadratic (issue 19).
fn remediation_rows(found: &[&Finding]) -> Vec<Row> {
    type Key<'f> = (&'f str, &'f str, Option<Cow<'f, str>>, String);
    let mut rows: Vec<Row> = Vec::new();
    let mut index: HashMap<Key<'_>, usize> = HashMap::new();
    for f in found {
        let action = action_text(f);
        let key = (
            &*f.path,
            &*f.actual,
            f.expected.as_ref().map(|e| e.text()),
            action,
        );
        match index.get(&key).and_then(|&i| rows.get_mut(i)) {
            // `found` is in line order within a file: a line already
            // listed is the last one.
            Some(r) => {
                if r.lines.last() != Some(&f.line) {
                    r.lines.push(f.line);
                }
            }
            None => {
                index.insert(key.clone(), rows.len());
                rows.push(Row {
                    path: f.path.to_string(),
                    lines: vec![f.line],
                    actual: f.actual.clone(),
                    expected: f.expected.clone(),
                    shown_actual: super::actual_excerpt(f),
                    shown_expected: super::expected_excerpt(f),
                    action: key.3,
                });
            }
        }
    }
    rows
}

/// What happens to a finding, in words.
fn action_text(f: &Finding) -> String {
    match (f.action, f.role) {
        (Action::Fix, _) => "fix: rewritten by `driftfix fix --apply`".into(),
        (Action::Report, Role::Authority) => {
            "no action, read-only (authority): correct the source of truth by hand".into()
        }
        (Action::Report, _) => "no action, read-only (legacy)".into(),
        (Action::Manual, _) => format!(
            "manual: {}",
            text(f.reason.as_deref().unwrap_or("not safely fixable"))
        ),
    }
}

fn role_title(role: Role) -> &'static str {
    match role {
        Role::Authority => "Authority: source of truth, never written",
        Role::Editable => "Editable",
        Role::Readonly => "Read-only: legacy, never written",
    }
}

/// Report order inside a table: role, path, line, column.
fn order_key<'f>(f: &&'f Finding) -> (usize, &'f str, usize, usize) {
    let rank = ROLES
        .iter()
        .position(|&r| r == f.role)
        .unwrap_or(ROLES.len());
    (rank, &*f.path, f.line, f.column)
}

fn distinct_files(found: &[&Finding]) -> usize {
    found
        .iter()
        .map(|f| &*f.path)
        .collect::<BTreeSet<_>>()
        .len()
}

fn severity_cell(s: Severity) -> String {
    let name = s.name().to_uppercase();
    if s <= Severity::Medium {
        format!("**{name}**")
    } else {
        name
    }
}

fn or_dash(s: String) -> String {
    if s.is_empty() { "—".into() } else { s }
}

/// A value cell from its shown form ([`super::excerpt`]): `(empty)` for
/// the empty string.
fn shown_cell(value: &str, shown: &str) -> String {
    if value.is_empty() {
        return "*(empty)*".into();
    }
    cell_code(shown)
}

/// A code span that renders `s` verbatim (CommonMark "code spans"): the
/// fence is one backtick longer than the longest run inside, and a space
/// pads content that starts or ends with a backtick or a space.
pub fn code(s: &str) -> String {
    let s = super::visible(s);
    if s.is_empty() {
        return "*(empty)*".into();
    }
    let fence = "`".repeat(longest_run(&s, '`') + 1);
    let pad = s.starts_with('`')
        || s.ends_with('`')
        || (s.starts_with(' ') && s.ends_with(' ') && !s.trim().is_empty());
    let pad = if pad { " " } else { "" };
    // Pieces pushed, not `format!` (a code span per table cell).
    let mut out = String::with_capacity(s.len() + 2 * (fence.len() + pad.len()));
    for piece in [fence.as_str(), pad, &s, pad, &fence] {
        out.push_str(piece);
    }
    out
}

/// [`code`] for a GFM table cell: `|` escaped as `\|` (GFM removes the
/// backslash inside code spans too).
pub fn cell_code(s: &str) -> String {
    code(s).replace('|', "\\|")
}

/// Free text with markdown punctuation backslash-escaped and line breaks
/// turned into spaces; safe in paragraphs, list items and table cells.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in s.chars() {
        if c == ch {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

/// The table checks of the integration tests, shared rather than copied.
#[cfg(test)]
#[path = "../../tests/common/markdown.rs"]
mod tables;

#[cfg(test)]
mod tests {
    use super::tables::assert_tables_well_formed;
    use super::*;
    use crate::report::testkit;

    #[test]
    fn code_spans_survive_backticks_pipes_and_newlines() {
        assert_eq!(code("pve"), "`pve`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("a``b`"), "``` a``b` ```");
        assert_eq!(code("line1\nline2"), "`line1\\nline2`");
        assert_eq!(code(""), "*(empty)*");
        assert_eq!(cell_code("a|b"), "`a\\|b`");
        assert_eq!(text("a|b *c* <d>\ne"), "a\\|b \\*c\\* \\<d\\> e");
    }

    #[test]
    fn long_values_show_a_window_around_the_alias() {
        let long = format!("{}pve-shop{}", "x".repeat(300), "y".repeat(300));
        let cell = shown_cell(&long, &crate::report::excerpt(&long, &(300..308), false));
        assert!(cell.chars().count() < 130, "{cell}");
        assert!(cell.contains("…xxxx") && cell.contains("pve-shop") && cell.contains("yyy…"));
    }

    #[test]
    fn fences_outgrow_backtick_runs() {
        assert_eq!(fenced("diff", "+a\n"), "```diff\n+a\n```\n");
        assert_eq!(
            fenced("diff", "+a ````` b\n"),
            "``````diff\n+a ````` b\n``````\n"
        );
        assert_eq!(fenced("diff", "+no newline"), "```diff\n+no newline\n```\n");
    }

    #[test]
    fn scan_report_has_every_section_in_order() {
        let md = scan(&testkit::homelab(), &testkit::rules());
        let order = [
            "# driftfix alignment report",
            "## Executive summary",
            "## Mismatches by canonical name",
            "### `pve` — Shop cluster \\| Dell R730XD",
            "### `proxmox-home`",
            "## Remediation targets",
            "### HIGH (2 findings)",
            "### MEDIUM (3 findings)",
            "### LOW (1 finding)",
            "## Verdict by role",
            "## Recommendations",
            "## Files reviewed",
            "## Errors",
        ];
        let mut at = 0;
        for h in order {
            let pos = md[at..]
                .find(h)
                .unwrap_or_else(|| panic!("missing or out of order: {h}\n{md}"));
            at += pos + h.len();
        }
        assert!(!md.contains("### CRITICAL"), "{md}");
        assert_tables_well_formed(&md);
    }

    #[test]
    fn verdicts_and_counts() {
        let md = scan(&testkit::homelab(), &testkit::rules());
        assert!(
            md.contains("- **authority: ALIGNED** — 1 file reviewed, no alias."),
            "{md}"
        );
        assert!(md.contains("- **editable: DRIFTED** — 5 findings in 3 of 4 files (fix 4, manual 1; high 2, medium 3)."), "{md}");
        assert!(
            md.contains("- **readonly: DRIFTED** — 1 finding in 1 of 1 file (report 1; low 1)."),
            "{md}"
        );
        assert!(
            md.contains("**Verdict:** authority: ALIGNED · editable: DRIFTED · readonly: DRIFTED."),
            "{md}"
        );
        assert!(md.contains("| `pve` | Shop cluster \\| Dell R730XD | `pve-shop` ×3, `proxmox-shop` ×1 | 4 | 3 | — |"), "{md}");
        assert!(
            md.contains("| `proxmox-home` |  | `pve-home` ×2 | 2 | 1 | — |"),
            "{md}"
        );
    }

    #[test]
    fn remediation_rows_group_lines_and_say_what_happens() {
        let md = scan(&testkit::homelab(), &testkit::rules());
        assert!(md.contains("| `workbench/backup_inventory.json` | 5, 6 | `pve-home` | `proxmox-home` | fix: rewritten by `driftfix fix --apply` |"), "{md}");
        assert!(
            md.contains("| `workbench/inventory.yaml` | 7, 11 | `pve-shop` | `pve` | fix: "),
            "{md}"
        );
        assert!(
            md.contains(
                "| `legacy/old.yaml` | 3 | `proxmox-shop` | `pve` | no action, read-only (legacy) |"
            ),
            "{md}"
        );
        assert!(
            md.contains("manual: renaming this key to \\`pve\\` would collide \\| twice |"),
            "{md}"
        );
        assert!(md.contains("| editable | `workbench/backup_inventory.json` | 5 | `backups[1].host` | `proxmox-home` | `pve-home` | **HIGH** |"), "{md}");
        assert!(
            md.contains(
                "| `workbench/broken.yaml` | 2:3: yaml parse error: bad \\`indent\\` \\| here |"
            ),
            "{md}"
        );
        assert!(
            md.contains("- `workbench/blob.json` — skipped: binary file (holds NUL bytes)"),
            "{md}"
        );
    }

    #[test]
    fn drifted_authority_is_critical_and_first() {
        let mut run = testkit::homelab();
        let f = testkit::finding("spine/vm.yaml", 9, "vms[2].location", "pve-shop", "pve");
        for o in &mut run.outcomes {
            if let Ok(p) = &mut o.result
                && p.rel_path == "spine/vm.yaml"
            {
                p.findings.push(f.clone());
            }
        }
        let md = scan(&run, &testkit::rules());
        assert!(
            md.contains(
                "- **authority: DRIFTED** — 1 finding in 1 of 1 file (report 1; critical 1)."
            ),
            "{md}"
        );
        assert!(md.contains("### CRITICAL (1 finding)"), "{md}");
        assert!(md.contains("| `spine/vm.yaml` | 9 | `pve-shop` | `pve` | no action, read-only (authority): correct the source of truth by hand |"), "{md}");
        assert!(
            md.contains("1. **Correct the source of truth first:**"),
            "{md}"
        );
        let crit = md.find("### CRITICAL").unwrap_or(usize::MAX);
        let high = md.find("### HIGH").unwrap_or(0);
        assert!(crit < high);
        assert_tables_well_formed(&md);
    }

    #[test]
    fn clean_run_says_so() {
        let run = testkit::run(vec![
            testkit::planned("spine/a.yaml", "", Vec::new()),
            testkit::planned("workbench/b.yaml", "", Vec::new()),
        ]);
        let md = scan(&run, &testkit::rules());
        assert!(md.contains("None: no drift found."), "{md}");
        assert!(md.contains("**No action needed:**"), "{md}");
        assert!(md.contains("**readonly: NO FILES**"), "{md}");
        assert!(md.contains("**editable: ALIGNED**"), "{md}");
        assert!(!md.contains("## Errors"), "{md}");
    }

    #[test]
    fn fix_report_fences_each_diff() {
        let mut run = testkit::homelab();
        for o in &mut run.outcomes {
            if let Ok(p) = &mut o.result
                && p.rel_path == "workbench/inventory.yaml"
            {
                p.original = "a: 1\nlocation: pve-shop # ```` fence\n".into();
                p.new_text = Some("a: 1\nlocation: pve # ```` fence\n".into());
            }
        }
        let md = fix(&run, &testkit::rules());
        assert!(md.contains("## Fix"), "{md}");
        assert!(
            md.contains("| `workbench/inventory.yaml` | 2 | **MEDIUM** |"),
            "{md}"
        );
        assert!(md.contains("### `workbench/inventory.yaml`\n\n`````diff\n--- a/workbench/inventory.yaml\n+++ b/workbench/inventory.yaml\n"), "{md}");
        assert!(
            md.contains("-location: pve-shop # ```` fence\n+location: pve # ```` fence\n`````\n"),
            "{md}"
        );
        assert_tables_well_formed(&md);
    }
}
