//! SARIF 2.1.0 output (`scan --format sarif`), hand-written over
//! `serde_json` and checked against the OASIS schema in the tests.
//!
//! Shape of the log:
//!
//! - **One rule per canonical name**, id `alias/<canonical>` (rule order as
//!   in the rule files), whose `properties` carry the canonical name, its
//!   aliases and description. Code-scanning UIs then group results by the
//!   cluster they concern, and a rule's help says which name to use. With
//!   `--strict`, values that are neither canonical nor alias get one extra
//!   rule, `unknown-label`.
//! - **One result per finding**, `level` `error` (critical, high), `warning`
//!   (medium) or `note` (low); `properties` repeat the JSON report's fields
//!   (role, action, severity, field, actual, expected, …).
//! - **Locations** are relative to the base directory: `uri` is the
//!   percent-encoded relative path with `uriBaseId` `SRCROOT` (not resolved
//!   in the log, which keeps it free of absolute paths and reproducible);
//!   `region` covers the alias text, 1-based lines and columns counted in
//!   Unicode code points (`columnKind` `unicodeCodePoints`), `endColumn`
//!   exclusive as SARIF defines it.
//! - **Fixes** for `fix` findings: the byte edits the format engine makes for
//!   that finding alone (usually the alias text, or the whole scalar when it
//!   must be re-rendered), as `deletedRegion` + `insertedContent`. Each fix
//!   stands alone; `driftfix fix` applies all of them at once.
//! - **`partialFingerprints`** `driftfix/v1`: a 64-bit FNV-1a hash (hex) of
//!   path, document, field with sequence indexes normalised to `[*]`, kind,
//!   actual value, alias, canonical and the ordinal among findings with the
//!   same tuple. No line numbers, so fingerprints survive edits elsewhere in
//!   the file, and inserting list items does not renumber them.
//! - Errors and skipped files become `toolExecutionNotifications` of the one
//!   invocation; `executionSuccessful` is false when any error occurred. No
//!   timestamps, so the log is reproducible.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::Report;
use crate::plan::{Action, Applicability, FilePlan, Finding};
use crate::rules::{RuleSet, Severity};
use crate::run::Run;
use crate::text::LineIndex;

/// `$schema` of the log.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The base-directory placeholder every artifact location is relative to.
pub const BASE_ID: &str = "SRCROOT";
/// Key of the stable fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "driftfix/v1";
/// Rule id of `--strict` findings.
pub const UNKNOWN_RULE: &str = "unknown-label";

/// `scan --format sarif`: the log as pretty JSON with a final newline.
pub fn render(r: &Report<'_>) -> String {
    let mut out = serde_json::to_string_pretty(&log(r.run, r.rules)).unwrap_or_default();
    out.push('\n');
    out
}

/// The SARIF log object.
pub fn log(run: &Run, rules: &RuleSet) -> Value {
    let ids = RuleIds::new(rules);
    let mut ordinals: HashMap<String, usize> = HashMap::new();
    let mut results = Vec::new();
    for plan in run.plans() {
        let index = LineIndex::new(&plan.original);
        for f in &plan.findings {
            let key = fingerprint_input(f);
            let n = ordinals.entry(key.clone()).or_default();
            let print = fnv1a64(format!("{key}\u{0}{n}").as_bytes());
            *n += 1;
            results.push(result(f, plan, &index, &ids, print));
        }
    }
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "driftfix",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": ids.descriptors(rules),
            }},
            "invocations": [invocation(run)],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

/// Rule ids and indexes: one per canonical name, then `unknown-label`.
struct RuleIds {
    by_canonical: HashMap<String, usize>,
    unknown: usize,
}

impl RuleIds {
    fn new(rules: &RuleSet) -> RuleIds {
        RuleIds {
            by_canonical: rules
                .canonicals
                .iter()
                .enumerate()
                .map(|(i, c)| (c.name.clone(), i))
                .collect(),
            unknown: rules.canonicals.len(),
        }
    }

    /// `(ruleId, ruleIndex)` of a finding.
    fn of(&self, f: &Finding) -> (String, usize) {
        match (&f.alias, &f.canonical) {
            (Some(_), Some(c)) => match self.by_canonical.get(c) {
                Some(&i) => (format!("alias/{c}"), i),
                None => (UNKNOWN_RULE.into(), self.unknown),
            },
            _ => (UNKNOWN_RULE.into(), self.unknown),
        }
    }

    fn descriptors(&self, rules: &RuleSet) -> Vec<Value> {
        let mut out: Vec<Value> = rules
            .canonicals
            .iter()
            .map(|c| {
                let aliases: Vec<String> = c.aliases.iter().map(|a| format!("`{a}`")).collect();
                let about = c
                    .description
                    .as_deref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default();
                let full = format!(
                    "{} {} non-canonical label{} for `{}`{about}: write `{}` instead.",
                    aliases.join(", "),
                    if c.aliases.len() == 1 { "is a" } else { "are" },
                    if c.aliases.len() == 1 { "" } else { "s" },
                    c.name,
                    c.name,
                );
                json!({
                    "id": format!("alias/{}", c.name),
                    "name": "NonCanonicalLabel",
                    "shortDescription": {"text": format!("Non-canonical label for `{}`", c.name)},
                    "fullDescription": {"text": full},
                    "help": {"text": format!(
                        "{full} `driftfix fix --apply` rewrites it in editable files; read-only and authority files are reported only."
                    )},
                    "defaultConfiguration": {"level": "warning"},
                    "properties": {
                        "canonical": c.name,
                        "aliases": c.aliases,
                        "description": c.description,
                        "tags": ["naming", "drift"],
                    },
                })
            })
            .collect();
        out.push(json!({
            "id": UNKNOWN_RULE,
            "name": "UnknownLabel",
            "shortDescription": {"text": "Governed value that is neither a canonical name nor an alias"},
            "fullDescription": {"text": "Reported with --strict: a governed label that no rule knows; `expected` is the closest canonical name when one is close."},
            "defaultConfiguration": {"level": "warning"},
            "properties": {"tags": ["naming", "drift", "strict"]},
        }));
        out
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

fn result(f: &Finding, plan: &FilePlan, index: &LineIndex, ids: &RuleIds, print: u64) -> Value {
    let (rule_id, rule_index) = ids.of(f);
    let region = alias_region(f);
    let mut obj = Map::new();
    obj.insert("ruleId".into(), rule_id.into());
    obj.insert("ruleIndex".into(), rule_index.into());
    obj.insert("level".into(), level(f.severity).into());
    obj.insert("message".into(), json!({"text": message(f)}));
    obj.insert(
        "locations".into(),
        json!([{
            "physicalLocation": {"artifactLocation": artifact(&f.path), "region": region},
            "logicalLocations": [{"fullyQualifiedName": f.field, "kind": "member"}],
        }]),
    );
    obj.insert(
        "partialFingerprints".into(),
        json!({ FINGERPRINT_KEY: format!("{print:016x}") }),
    );
    if let Some(fix) = fix(f, plan, index) {
        obj.insert("fixes".into(), json!([fix]));
    }
    obj.insert(
        "properties".into(),
        json!({
            "role": f.role.name(),
            "action": f.action.name(),
            "severity": f.severity.name(),
            "field": f.field,
            "kind": f.kind.name(),
            "document": f.document,
            "actual": f.actual,
            "expected": f.expected,
            "alias": f.alias,
            "canonical": f.canonical,
            "match": f.mode.name(),
            "reason": f.reason,
        }),
    );
    Value::Object(obj)
}

fn message(f: &Finding) -> String {
    let what = match (&f.alias, &f.canonical) {
        (Some(a), Some(c)) => format!("`{a}` is an alias of `{c}`"),
        (_, Some(c)) => {
            format!(
                "`{}` is not a known label (closest: `{c}`)",
                super::actual_excerpt(f)
            )
        }
        _ => format!("`{}` is not a known label", super::actual_excerpt(f)),
    };
    let todo = match f.action {
        Action::Fix => format!(
            "; `driftfix fix` rewrites `{}` to `{}`",
            super::actual_excerpt(f),
            super::expected_excerpt(f).unwrap_or_default()
        ),
        Action::Report => format!("; {} file: reported, never written", f.role.name()),
        Action::Manual => format!(
            "; fix by hand: {}",
            f.reason.as_deref().unwrap_or("not safely fixable")
        ),
    };
    format!("{what} ({} `{}`){todo}.", f.kind.name(), f.field)
}

fn artifact(path: &str) -> Value {
    json!({"uri": uri_path(path), "uriBaseId": BASE_ID})
}

/// The region of the alias text, as planning placed it (from the alias's
/// first character to its end where it stands verbatim, else to the end of
/// the value's text).
fn alias_region(f: &Finding) -> Value {
    json!({
        "startLine": f.line,
        "startColumn": f.column,
        "endLine": f.end_line,
        "endColumn": f.end_column,
    })
}

fn region(index: &LineIndex, start: usize, end: usize) -> Value {
    let (sl, sc) = index.line_col(start);
    let (el, ec) = index.line_col(end);
    json!({"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec})
}

/// The SARIF fix of one `fix` finding: the edits of its fix alone.
fn fix(f: &Finding, plan: &FilePlan, index: &LineIndex) -> Option<Value> {
    let fix = f
        .fix
        .as_ref()
        .filter(|x| x.applicability == Applicability::Safe && plan.parsed)?;
    let edits = &fix.edits;
    if edits.is_empty()
        || edits
            .iter()
            .any(|e| plan.original.get(e.range.clone()).is_none())
    {
        return None;
    }
    let replacements: Vec<Value> = edits
        .iter()
        .map(|e| {
            json!({
                "deletedRegion": region(index, e.range.start, e.range.end),
                "insertedContent": {"text": e.text},
            })
        })
        .collect();
    Some(json!({
        "description": {"text": format!(
            "Replace `{}` with `{}`",
            f.alias.as_deref().unwrap_or(&f.actual),
            f.canonical.as_deref().unwrap_or_default()
        )},
        "artifactChanges": [{"artifactLocation": artifact(&f.path), "replacements": replacements}],
    }))
}

/// Errors and skipped files, as notifications of the one invocation.
fn invocation(run: &Run) -> Value {
    let mut notes = Vec::new();
    for (path, message) in &run.errors {
        notes.push(json!({"level": "error", "message": {"text": format!("{path}: {message}")}}));
    }
    for o in &run.outcomes {
        let Some(e) = o.problem() else { continue };
        let location = match (e.line, e.column) {
            (Some(line), Some(column)) => json!({
                "artifactLocation": artifact(&o.target.rel_path),
                "region": {"startLine": line.max(1), "startColumn": column.max(1)},
            }),
            _ => json!({"artifactLocation": artifact(&o.target.rel_path)}),
        };
        notes.push(json!({
            "level": if e.is_skip() { "warning" } else { "error" },
            "message": {"text": if e.is_skip() { format!("skipped: {}", e.message) } else { e.message.clone() }},
            "locations": [{"physicalLocation": location}],
        }));
    }
    for s in &run.walk_skipped {
        notes.push(json!({
            "level": "warning",
            "message": {"text": format!("skipped: {}", s.message)},
            "locations": [{"physicalLocation": {"artifactLocation": artifact(&s.path)}}],
        }));
    }
    for w in &run.warnings {
        notes.push(json!({"level": "warning", "message": {"text": w.to_string()}}));
    }
    json!({
        "executionSuccessful": run.error_list().is_empty(),
        "toolExecutionNotifications": notes,
    })
}

/// What the fingerprint hashes (everything but the ordinal): no line or
/// column, sequence indexes normalised, fields separated by NUL.
fn fingerprint_input(f: &Finding) -> String {
    [
        f.path.as_str(),
        &f.document.to_string(),
        &crate::rules::selector::any_index(&f.field),
        f.kind.name(),
        &f.actual,
        f.alias.as_deref().unwrap_or(""),
        f.canonical.as_deref().unwrap_or(""),
    ]
    .join("\u{0}")
}

/// FNV-1a, 64 bit: tiny, dependency-free and stable across Rust versions
/// and platforms (unlike `std`'s `DefaultHasher`).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A relative path as a URI reference: unreserved characters, `/` and the
/// harmless sub-delimiters stay, everything else (spaces, `%`, `:`, `#`,
/// `?`, non-ASCII) is percent-encoded per UTF-8 byte. `:` is encoded so a
/// first segment never reads as a scheme.
pub fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
            );
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testkit;

    fn results(log: &Value) -> &Vec<Value> {
        log["runs"][0]["results"].as_array().unwrap()
    }

    #[test]
    fn one_rule_per_canonical_plus_unknown() {
        let log = log(&testkit::homelab(), &testkit::rules());
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["alias/pve", "alias/proxmox-home", "unknown-label"]);
        assert_eq!(
            rules[0]["properties"]["aliases"],
            json!(["pve-shop", "proxmox-shop"])
        );
        assert_eq!(log["version"], "2.1.0");
        assert_eq!(log["runs"][0]["columnKind"], "unicodeCodePoints");
    }

    #[test]
    fn levels_locations_and_rule_indexes() {
        let log = log(&testkit::homelab(), &testkit::rules());
        let rs = results(&log);
        assert_eq!(rs.len(), 6);
        let by_path = |p: &str| {
            rs.iter()
                .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == p)
                .unwrap()
        };
        let high = by_path("workbench/backup_inventory.json");
        assert_eq!(high["level"], "error");
        assert_eq!(high["ruleId"], "alias/proxmox-home");
        assert_eq!(high["ruleIndex"], 1);
        let region = &high["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], 5);
        assert_eq!(region["startColumn"], 15);
        assert_eq!(region["endColumn"], 15 + "pve-home".len());
        assert_eq!(
            high["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
            "SRCROOT"
        );
        assert_eq!(by_path("workbench/inventory.yaml")["level"], "warning");
        assert_eq!(by_path("legacy/old.yaml")["level"], "note");
        assert_eq!(by_path("legacy/old.yaml")["properties"]["action"], "report");
    }

    #[test]
    fn notifications_and_success_flag() {
        let log = log(&testkit::homelab(), &testkit::rules());
        let inv = &log["runs"][0]["invocations"][0];
        assert_eq!(inv["executionSuccessful"], false);
        let notes = inv["toolExecutionNotifications"].as_array().unwrap();
        assert_eq!(notes.len(), 2);
        assert!(notes.iter().any(|n| n["level"] == "error"
            && n["locations"][0]["physicalLocation"]["region"]["startLine"] == 2));
        assert!(notes.iter().any(|n| n["level"] == "warning"));
    }

    #[test]
    fn fingerprints_ignore_lines_and_indexes_but_tell_duplicates_apart() {
        let run = testkit::homelab();
        let a = log(&run, &testkit::rules());
        let mut moved = testkit::homelab();
        for o in &mut moved.outcomes {
            if let Ok(p) = &mut o.result {
                for f in &mut p.findings {
                    f.line += 10;
                    f.field = f.field.replace("[0]", "[5]");
                }
            }
        }
        let b = log(&moved, &testkit::rules());
        let prints = |l: &Value| -> Vec<String> {
            results(l)
                .iter()
                .map(|r| {
                    r["partialFingerprints"][FINGERPRINT_KEY]
                        .as_str()
                        .unwrap()
                        .to_string()
                })
                .collect()
        };
        assert_eq!(prints(&a), prints(&b));
        let mut unique = prints(&a);
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            6,
            "two identical backup findings get distinct prints"
        );
    }

    #[test]
    fn helpers() {
        use crate::rules::selector::any_index;
        assert_eq!(any_index("a[3].b[12]"), "a[*].b[*]");
        assert_eq!(any_index(r#"x."k[1]".y[0]"#), r#"x."k[1]".y[*]"#);
        assert_eq!(uri_path("a b/c:d%#é.yaml"), "a%20b/c%3Ad%25%23%C3%A9.yaml");
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
