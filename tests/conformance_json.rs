//! JSON conformance: JSONTestSuite (`y_`, `n_`, `i_`) and real-world files.
//!
//! Rewrites are checked at the format level (scan → edits → apply_edits →
//! verify), which is exactly what the planner does: the rewritten data must
//! equal the original data (parsed by serde_json) with the planned renames,
//! and every edit must lie inside a rewritten string.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use driftfix::formats::json::Json;
use driftfix::formats::{
    Edit, Format, Replacement, Scalar, ScalarKind, Substitution, apply_edits, apply_replacements,
};
use serde_json::Value;

/// Cases we cannot pass, with the reason. Empty: everything passes.
const KNOWN_FAILURES: &[(&str, &str)] = &[];

/// The character class that may not touch an alias in token matching.
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// `[A-Za-z][A-Za-z0-9_-]*`
fn ident_like(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic()) && chars.all(is_word)
}

fn canonical(alias: &str) -> String {
    format!("{alias}-cn")
}

/// How labels are chosen in a rewrite check.
#[derive(Clone, Copy, Debug)]
enum Mode {
    /// Whole identifier-like string values.
    ExactValues,
    /// Whole identifier-like mapping keys.
    ExactKeys,
    /// Identifier-like tokens inside any string value (token matching).
    Tokens,
}

/// Byte ranges of identifier-like tokens (words bounded by non-word chars).
fn tokens(value: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in value
        .char_indices()
        .chain(std::iter::once((value.len(), ' ')))
    {
        match (start, is_word(c)) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                if value.get(s..i).is_some_and(ident_like) {
                    out.push(s..i);
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// alias → canonical for the labels a mode rewrites in a text whose strings
/// are `strings`. A label whose canonical form is itself present is left out,
/// so renames never collide (and rule validation never sees an alias equal to
/// a canonical name).
fn labels(strings: &[(ScalarKind, String)], mode: Mode) -> BTreeMap<String, String> {
    let mut words = BTreeSet::new();
    for (kind, v) in strings {
        match (mode, kind) {
            (Mode::ExactValues, ScalarKind::Value) | (Mode::ExactKeys, ScalarKind::Key)
                if ident_like(v) =>
            {
                words.insert(v.clone());
            }
            (Mode::Tokens, ScalarKind::Value) => {
                words.extend(
                    tokens(v)
                        .into_iter()
                        .filter_map(|r| v.get(r))
                        .map(str::to_string),
                );
            }
            _ => {}
        }
    }
    let all: BTreeSet<&str> = strings.iter().map(|(_, v)| v.as_str()).collect();
    words
        .iter()
        .filter(|w| {
            let c = canonical(w);
            !all.contains(c.as_str()) && !words.contains(&c)
        })
        .map(|w| (w.clone(), canonical(w)))
        .collect()
}

/// The replacements a mode plans for one scalar.
fn plan(s: &Scalar, mode: Mode, labels: &BTreeMap<String, String>) -> Vec<Replacement> {
    let whole = |want: ScalarKind| match labels.get(&s.value) {
        Some(to) if s.kind == want => {
            vec![Replacement {
                range: 0..s.value.len(),
                text: to.as_str().into(),
            }]
        }
        _ => Vec::new(),
    };
    match mode {
        Mode::ExactValues => whole(ScalarKind::Value),
        Mode::ExactKeys => whole(ScalarKind::Key),
        Mode::Tokens if s.kind == ScalarKind::Value => token_replacements(&s.value, labels),
        Mode::Tokens => Vec::new(),
    }
}

fn token_replacements(v: &str, labels: &BTreeMap<String, String>) -> Vec<Replacement> {
    tokens(v)
        .into_iter()
        .filter_map(|r| {
            let to = labels.get(v.get(r.clone())?)?;
            Some(Replacement {
                range: r,
                text: to.as_str().into(),
            })
        })
        .collect()
}

/// The expected data: `v` with the same renames applied.
fn expected(v: &Value, mode: Mode, labels: &BTreeMap<String, String>) -> Value {
    let rename = |s: &str| labels.get(s).cloned().unwrap_or_else(|| s.to_string());
    match v {
        Value::String(s) => Value::String(match mode {
            Mode::ExactValues => rename(s),
            Mode::ExactKeys => s.clone(),
            Mode::Tokens => apply_replacements(s, &token_replacements(s, labels)),
        }),
        Value::Array(a) => Value::Array(a.iter().map(|x| expected(x, mode, labels)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| {
                    let k = if let Mode::ExactKeys = mode {
                        rename(k)
                    } else {
                        k.clone()
                    };
                    (k, expected(x, mode, labels))
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn parse_value(text: &str) -> Result<Value, String> {
    serde_json::from_str(text.strip_prefix('\u{feff}').unwrap_or(text)).map_err(|e| e.to_string())
}

/// Rewrites `src` per `mode` at the format level and checks everything.
/// Returns the number of rewritten strings.
fn check_rewrite(src: &str, mode: Mode) -> Result<usize, String> {
    let scalars = Json.scalars(src).map_err(|e| format!("scan: {e}"))?;
    let strings: Vec<_> = scalars.iter().map(|s| (s.kind, s.value.clone())).collect();
    let labels = labels(&strings, mode);
    let mut edits: Vec<Edit> = Vec::new();
    let mut subs = Vec::new();
    for s in &scalars {
        let reps = plan(s, mode, &labels);
        if reps.is_empty() {
            continue;
        }
        let e = Json
            .edits(src, s, &reps)
            .map_err(|e| format!("edits: {e}"))?;
        for edit in &e {
            if edit.range.start < s.content.start || edit.range.end >= s.span.end {
                return Err(format!("edit {:?} outside string {:?}", edit.range, s.span));
            }
        }
        edits.extend(e);
        subs.push(Substitution {
            scalar: s,
            new_value: apply_replacements(&s.value, &reps),
        });
    }
    let new = apply_edits(src, &edits);
    check_outside_unchanged(src, &new, &subs)?;
    Json.verify(src, None, &new, &subs)
        .map_err(|e| format!("verify: {e}"))?;
    let want = expected(&parse_value(src)?, mode, &labels);
    let got = parse_value(&new).map_err(|e| format!("serde_json on result: {e}"))?;
    if want != got {
        return Err(format!("data differs:\n want {want}\n got  {got}"));
    }
    // Rescanning finds the new values at the same positions, in order.
    let again = Json.scalars(&new).map_err(|e| format!("rescan: {e}"))?;
    if again.len() != scalars.len() {
        return Err("rescan found a different number of strings".into());
    }
    Ok(subs.len())
}

/// Every byte outside the rewritten strings' contents is unchanged: walk both
/// texts, matching the gaps between substituted strings.
fn check_outside_unchanged(old: &str, new: &str, subs: &[Substitution]) -> Result<(), String> {
    let mut spans: Vec<_> = subs.iter().map(|s| s.scalar.span.clone()).collect();
    spans.sort_by_key(|r| r.start);
    let (mut o, mut n) = (0usize, 0usize);
    for span in &spans {
        let gap = &old[o..span.start];
        if new.get(n..n + gap.len()) != Some(gap) {
            return Err(format!("bytes before offset {} changed", span.start));
        }
        n += gap.len();
        // The rewritten string: one JSON string token in the new text.
        let end = string_end(new.as_bytes(), n).ok_or("rewritten string is not closed")?;
        n = end;
        o = span.end;
    }
    if old.get(o..) != new.get(n..) {
        return Err("bytes after the last rewritten string changed".into());
    }
    Ok(())
}

/// End (exclusive) of the JSON string token starting at `at`.
fn string_end(b: &[u8], at: usize) -> Option<usize> {
    if b.get(at) != Some(&b'"') {
        return None;
    }
    let mut i = at + 1;
    loop {
        match b.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
}

fn suite_files(prefix: &str) -> Vec<PathBuf> {
    let dir = common::conformance_suite("json-test-suite");
    common::files_under(&dir, &|p: &Path| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(prefix) && n.ends_with(".json"))
    })
}

fn name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn known(name: &str) -> bool {
    KNOWN_FAILURES.iter().any(|(n, _)| *n == name)
}

/// Runs `check` over `files`, prints counts, and asserts 100% (minus known).
/// Returns the sum of what the checks counted (e.g. strings rewritten).
fn run_suite(
    label: &str,
    files: &[PathBuf],
    check: &dyn Fn(&str) -> Result<usize, String>,
) -> usize {
    let (mut pass, mut non_utf8, mut failures, mut counted) = (0usize, 0usize, Vec::new(), 0);
    for f in files {
        let bytes = std::fs::read(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let Ok(text) = String::from_utf8(bytes) else {
            non_utf8 += 1;
            continue;
        };
        match check(&text) {
            Ok(n) => {
                pass += 1;
                counted += n;
            }
            Err(e) if known(&name(f)) => println!("  known failure {}: {e}", name(f)),
            Err(e) => failures.push(format!("{}: {e}", name(f))),
        }
    }
    let total = files.len() - non_utf8;
    println!(
        "{label}: {pass}/{total} passed ({non_utf8} non-UTF-8 files skipped, {} known failures), \
         {counted} rewrites",
        KNOWN_FAILURES.len()
    );
    assert!(
        failures.is_empty(),
        "{label} failures:\n{}",
        failures.join("\n")
    );
    assert!(pass > 0, "{label}: nothing was checked");
    counted
}

#[test]
#[cfg_attr(no_conformance, ignore = "NOTICE: conformance corpus not found")]
fn y_files_rewrite_values() {
    run_suite("json y_ exact values", &suite_files("y_"), &|t| {
        check_rewrite(t, Mode::ExactValues)
    });
}

#[test]
#[cfg_attr(no_conformance, ignore = "NOTICE: conformance corpus not found")]
fn y_files_rewrite_tokens() {
    run_suite("json y_ tokens", &suite_files("y_"), &|t| {
        check_rewrite(t, Mode::Tokens)
    });
}

#[test]
#[cfg_attr(no_conformance, ignore = "NOTICE: conformance corpus not found")]
fn y_files_rename_keys() {
    run_suite("json y_ keys", &suite_files("y_"), &|t| {
        check_rewrite(t, Mode::ExactKeys)
    });
}

#[test]
#[cfg_attr(no_conformance, ignore = "NOTICE: conformance corpus not found")]
fn y_files_rewrite_something() {
    // Guards against a vacuous suite: the corpus holds labels to rewrite.
    let files = suite_files("y_");
    let mut rewritten = BTreeMap::new();
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        for mode in [Mode::ExactValues, Mode::ExactKeys, Mode::Tokens] {
            *rewritten.entry(format!("{mode:?}")).or_insert(0) +=
                check_rewrite(&text, mode).unwrap_or(0);
        }
    }
    println!("json y_ strings rewritten per mode: {rewritten:?}");
    assert!(rewritten.values().all(|&n| n > 0), "{rewritten:?}");
}

#[test]
#[cfg_attr(no_conformance, ignore = "NOTICE: conformance corpus not found")]
fn n_files_are_rejected_with_a_position() {
    run_suite(
        "json n_ rejected",
        &suite_files("n_"),
        &|t| match Json.scalars(t) {
            Ok(s) => Err(format!("accepted ({} strings)", s.len())),
            Err(e) => {
                let lines = t.split('\n').count();
                if e.line == 0 || e.line > lines || e.column == 0 || e.message.is_empty() {
                    Err(format!("bad error position {e}"))
                } else {
                    Ok(0)
                }
            }
        },
    );
}

#[test]
#[cfg_attr(no_conformance, ignore = "NOTICE: conformance corpus not found")]
fn i_files_never_panic() {
    let files = suite_files("i_");
    let (mut accepted, mut rejected, mut non_utf8) = (0, 0, 0);
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            non_utf8 += 1;
            continue;
        };
        match Json.scalars(&text) {
            Ok(_) => {
                accepted += 1;
                // Either outcome is fine, but whatever is written must be right:
                // a rewrite that passes verification also passes the data check.
                for mode in [Mode::ExactValues, Mode::Tokens, Mode::ExactKeys] {
                    if let Err(e) = check_rewrite(&text, mode) {
                        assert!(
                            e.starts_with("verify:"),
                            "{}: a rewrite failed outside verification: {e}",
                            name(f)
                        );
                    }
                }
            }
            Err(e) => {
                assert!(e.line >= 1 && e.column >= 1, "{}: {e}", name(f));
                rejected += 1;
            }
        }
    }
    println!(
        "json i_: {accepted} accepted, {rejected} rejected, {non_utf8} non-UTF-8 skipped, no panic"
    );
    assert_eq!(accepted + rejected + non_utf8, files.len());
}

fn realworld_files() -> Vec<PathBuf> {
    let dir = common::conformance_suite("realworld");
    common::files_under(&dir, &|p: &Path| p.extension().is_some_and(|e| e == "json"))
}

#[test]
#[cfg_attr(no_conformance, ignore = "NOTICE: conformance corpus not found")]
fn realworld_rewrites() {
    let files = realworld_files();
    for mode in [Mode::ExactValues, Mode::Tokens, Mode::ExactKeys] {
        let n = run_suite(&format!("json realworld {mode:?}"), &files, &|t| {
            check_rewrite(t, mode)
        });
        assert!(n > 0, "{mode:?}: nothing rewritten");
    }
}

#[test]
#[cfg_attr(no_conformance, ignore = "NOTICE: conformance corpus not found")]
fn realworld_no_op_is_byte_identical() {
    run_suite("json realworld no-op", &realworld_files(), &|t| {
        let scalars = Json.scalars(t).map_err(|e| e.to_string())?;
        let new = apply_edits(t, &[]);
        if new != t {
            return Err("no-op changed bytes".into());
        }
        Json.verify(t, None, &new, &[])?;
        if scalars.is_empty() && t.contains('"') {
            return Err("no strings found".into());
        }
        Ok(0)
    });
}

// ---------------------------------------------------------------------------
// The same checks through the real pipeline (`driftfix::plan::plan_bytes`).

use driftfix::formats::FileType;
use driftfix::plan::{Action, FileError, FilePlan, plan_bytes};
use driftfix::rules::{Role, RuleSet};

/// A TOML basic string holding `s` (everything unusual as `\u` escapes).
fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            ' '..='~' => out.push(c),
            c if u32::from(c) <= 0xFFFF => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push_str(&format!("\\U{:08X}", u32::from(c))),
        }
    }
    out.push('"');
    out
}

/// A rule set renaming `labels` under `mode` (every path governed).
fn rules_for(labels: &BTreeMap<String, String>, mode: Mode) -> RuleSet {
    let mut text = String::from("version = 1\n");
    for (alias, canon) in labels {
        text.push_str(&format!(
            "[[canonical]]\nname = {}\naliases = [{}]\n",
            toml_str(canon),
            toml_str(alias)
        ));
    }
    if labels.is_empty() {
        // Rules need a canonical; this alias appears in no test file.
        text.push_str("[[canonical]]\nname = \"zz-canon\"\naliases = [\"zz-absent-alias\"]\n");
    }
    text.push_str(match mode {
        Mode::ExactValues => "[[field]]\nselect = [\"**\"]\n",
        Mode::ExactKeys => "[[field]]\nkeys_of = [\"**\"]\n",
        Mode::Tokens => "[[field]]\nselect = [\"**\"]\nmatch = \"token\"\n",
    });
    RuleSet::from_toml_str(&text, Path::new("conformance.toml"))
        .unwrap_or_else(|e| panic!("test rules do not load: {e}\n{text}"))
}

fn plan_json(bytes: &[u8], rules: &RuleSet) -> Result<FilePlan, FileError> {
    plan_bytes("case.json", FileType::Json, Role::Editable, bytes, rules)
}

/// Rewrites through the pipeline and checks the plan and the new text.
fn check_pipeline(src: &str, mode: Mode) -> Result<usize, String> {
    let scalars = Json.scalars(src).map_err(|e| format!("scan: {e}"))?;
    let strings: Vec<_> = scalars.iter().map(|s| (s.kind, s.value.clone())).collect();
    let labels = labels(&strings, mode);
    let want_count: usize = scalars.iter().map(|s| plan(s, mode, &labels).len()).sum();
    let p =
        plan_json(src.as_bytes(), &rules_for(&labels, mode)).map_err(|e| format!("plan: {e}"))?;
    if let Some(f) = p.findings.iter().find(|f| f.action != Action::Fix) {
        return Err(format!("finding {} not fixable: {:?}", f.field, f.reason));
    }
    if p.findings.len() != want_count {
        return Err(format!(
            "{} findings, expected {want_count}",
            p.findings.len()
        ));
    }
    let Some(new) = &p.new_text else {
        return if want_count == 0 {
            Ok(0)
        } else {
            Err("no new text".into())
        };
    };
    if *new != apply_edits(src, &p.edits) {
        return Err("new text is not the original with the plan's edits".into());
    }
    for e in &p.edits {
        let inside = p
            .scalars
            .iter()
            .any(|s| s.content.start <= e.range.start && e.range.end < s.span.end);
        if !inside {
            return Err(format!(
                "edit {:?} lies outside every rewritten string",
                e.range
            ));
        }
    }
    let want = expected(&parse_value(src)?, mode, &labels);
    let got = parse_value(new).map_err(|e| format!("serde_json on result: {e}"))?;
    if want != got {
        return Err(format!("data differs:\n want {want}\n got  {got}"));
    }
    // A second run over the result changes nothing.
    let again =
        plan_json(new.as_bytes(), &rules_for(&labels, mode)).map_err(|e| format!("replan: {e}"))?;
    if again.new_text.is_some() || !again.findings.is_empty() {
        return Err("a second run still finds drift".into());
    }
    Ok(p.findings.len())
}

#[test]
#[cfg_attr(no_conformance, ignore = "NOTICE: conformance corpus not found")]
fn pipeline_y_files_rewrite() {
    let files = suite_files("y_");
    for mode in [Mode::ExactValues, Mode::Tokens, Mode::ExactKeys] {
        let n = run_suite(&format!("json pipeline y_ {mode:?}"), &files, &|t| {
            check_pipeline(t, mode)
        });
        assert!(n > 0, "{mode:?}: nothing rewritten");
    }
}

#[test]
#[cfg_attr(no_conformance, ignore = "NOTICE: conformance corpus not found")]
fn pipeline_realworld_rewrite_and_no_op() {
    let files = realworld_files();
    for mode in [Mode::ExactValues, Mode::Tokens, Mode::ExactKeys] {
        let n = run_suite(&format!("json pipeline realworld {mode:?}"), &files, &|t| {
            check_pipeline(t, mode)
        });
        assert!(n > 0, "{mode:?}: nothing rewritten");
    }
    run_suite("json pipeline realworld no-op", &files, &|t| {
        let p = plan_json(
            t.as_bytes(),
            &rules_for(&BTreeMap::new(), Mode::ExactValues),
        )
        .map_err(|e| e.to_string())?;
        match (&p.new_text, p.findings.len(), p.edits.len()) {
            (None, 0, 0) => Ok(0),
            _ => Err("a no-op plan has changes".into()),
        }
    });
}

/// Aliases for an `n_` file: its identifier-like byte runs, else its first
/// run of `[A-Za-z0-9_-]` (`1` in `[1,,2]`), else its first non-blank
/// character: text that the prefilter counts as a possible alias (no
/// label byte touches it, issue 19), so that the file reaches the parser.
fn aliases_in(text: &str) -> BTreeMap<String, String> {
    let runs: BTreeSet<String> = tokens(text)
        .into_iter()
        .filter_map(|r| text.get(r))
        .map(str::to_string)
        .collect();
    let mut out: BTreeMap<String, String> = runs
        .iter()
        .filter(|w| !runs.contains(&canonical(w)))
        .map(|w| (w.clone(), canonical(w)))
        .collect();
    if out.is_empty()
        && let Some(run) = text.split(|c: char| !is_word(c)).find(|w| !w.is_empty())
    {
        out.insert(run.to_string(), canonical(run));
    }
    if out.is_empty()
        && let Some(c) = text.chars().find(|c| !c.is_whitespace())
    {
        out.insert(c.to_string(), format!("{c}-cn"));
    }
    out
}

#[test]
#[cfg_attr(no_conformance, ignore = "NOTICE: conformance corpus not found")]
fn pipeline_n_files_are_rejected() {
    let files = suite_files("n_");
    let (mut rejected, mut skipped, mut unparsed, mut failures) = (0, 0, 0, Vec::new());
    for f in &files {
        let bytes = std::fs::read(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let text = String::from_utf8_lossy(&bytes);
        let labels = aliases_in(&text);
        let result = plan_json(&bytes, &rules_for(&labels, Mode::ExactValues));
        match result {
            Err(e) if e.is_skip() => skipped += 1,
            Err(e) if e.line.is_some() && e.column.is_some() => rejected += 1,
            Err(e) => failures.push(format!("{}: error without a position: {e}", name(f))),
            Ok(p) if labels.is_empty() && !p.parsed && p.new_text.is_none() => unparsed += 1,
            Ok(p) => failures.push(format!(
                "{}: accepted (parsed: {}, output: {})",
                name(f),
                p.parsed,
                p.new_text.is_some()
            )),
        }
    }
    println!(
        "json pipeline n_: {rejected} rejected with a position, {skipped} skipped as not text \
         (non-UTF-8 or NUL), {unparsed} hold no possible alias (not parsed, no output); {} failures",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(rejected + skipped + unparsed, files.len());
    assert!(rejected > 150, "too few files reached the parser");
}

#[test]
#[cfg_attr(no_conformance, ignore = "NOTICE: conformance corpus not found")]
fn pipeline_i_files_never_panic() {
    let files = suite_files("i_");
    let (mut written, mut refused) = (0, 0);
    for f in &files {
        let bytes = std::fs::read(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let text = String::from_utf8_lossy(&bytes);
        let labels = aliases_in(&text);
        match plan_json(&bytes, &rules_for(&labels, Mode::ExactValues)) {
            Ok(p) => {
                if let Some(new) = &p.new_text {
                    assert_eq!(*new, apply_edits(&p.original, &p.edits), "{}", name(f));
                    let old =
                        parse_value(&p.original).unwrap_or_else(|e| panic!("{}: {e}", name(f)));
                    let got = parse_value(new).unwrap_or_else(|e| panic!("{}: {e}", name(f)));
                    assert_eq!(
                        expected(&old, Mode::ExactValues, &labels),
                        got,
                        "{}",
                        name(f)
                    );
                }
                written += 1;
            }
            Err(_) => refused += 1,
        }
    }
    println!("json pipeline i_: {written} planned, {refused} refused, no panic");
    assert_eq!(written + refused, files.len());
}

#[test]
fn pipeline_deep_nesting_never_overflows() {
    let mut labels = BTreeMap::new();
    labels.insert("pve-shop".to_string(), "pve".to_string());
    let rules = rules_for(&labels, Mode::ExactValues);
    // 200,000 levels: a clear parse error with a position.
    let deep = format!("{}\"pve-shop\"", "[".repeat(200_000));
    let e = plan_json(deep.as_bytes(), &rules).expect_err("200,000 levels must be refused");
    assert!(e.message.contains("nesting") && e.line == Some(1), "{e}");
    let deep = format!(
        "{}\"pve-shop\"{}",
        "{\"a\":".repeat(200_000),
        "}".repeat(200_000)
    );
    assert!(plan_json(deep.as_bytes(), &rules).is_err());
    // 300 levels parse, but serde_json (128 levels) cannot verify an edit
    // there: the finding stays reported, nothing is written, the run errs.
    let mid = format!("{}\"pve-shop\"{}", "[".repeat(300), "]".repeat(300));
    let p = plan_json(mid.as_bytes(), &rules).unwrap_or_else(|e| panic!("{e}"));
    let e = p.refused.expect("unverifiable edit must be refused");
    assert!(e.message.contains("128"), "{e}");
    assert_eq!(p.new_text, None);
    assert_eq!(p.findings.len(), 1);
    assert_eq!(p.findings[0].action, driftfix::plan::Action::Manual);
    // 100 levels work end to end.
    let ok = format!("{}\"pve-shop\"{}", "[".repeat(100), "]".repeat(100));
    let p = plan_json(ok.as_bytes(), &rules).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.new_text, Some(ok.replace("pve-shop", "pve")));
    println!("json pipeline deep nesting: refused at 200,000 and 300 levels, fixed at 100");
}
