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

/// The replacements a mode plans for one scalar, skipping labels whose
/// canonical form already appears as a string (so renames stay injective).
fn plan(s: &Scalar, mode: Mode, taken: &BTreeSet<String>) -> Vec<Replacement> {
    let whole = |want: ScalarKind| {
        if s.kind == want && ident_like(&s.value) && !taken.contains(&canonical(&s.value)) {
            vec![Replacement {
                range: 0..s.value.len(),
                text: canonical(&s.value),
            }]
        } else {
            Vec::new()
        }
    };
    match mode {
        Mode::ExactValues => whole(ScalarKind::Value),
        Mode::ExactKeys => whole(ScalarKind::Key),
        Mode::Tokens if s.kind == ScalarKind::Value => tokens(&s.value)
            .into_iter()
            .map(|r| Replacement {
                text: canonical(&s.value[r.clone()]),
                range: r,
            })
            .collect(),
        Mode::Tokens => Vec::new(),
    }
}

/// The expected data: `v` with the same renames applied.
fn expected(v: &Value, mode: Mode, taken: &BTreeSet<String>) -> Value {
    let rename = |s: &str| {
        if ident_like(s) && !taken.contains(&canonical(s)) {
            canonical(s)
        } else {
            s.to_string()
        }
    };
    match v {
        Value::String(s) => Value::String(match mode {
            Mode::ExactValues => rename(s),
            Mode::ExactKeys => s.clone(),
            Mode::Tokens => {
                let reps: Vec<Replacement> = tokens(s)
                    .into_iter()
                    .map(|r| Replacement {
                        text: canonical(&s[r.clone()]),
                        range: r,
                    })
                    .collect();
                apply_replacements(s, &reps)
            }
        }),
        Value::Array(a) => Value::Array(a.iter().map(|x| expected(x, mode, taken)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| {
                    let k = if let Mode::ExactKeys = mode {
                        rename(k)
                    } else {
                        k.clone()
                    };
                    (k, expected(x, mode, taken))
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
    let scalars = Json.scan(src).map_err(|e| format!("scan: {e}"))?;
    let taken: BTreeSet<String> = scalars.iter().map(|s| s.value.clone()).collect();
    let mut edits: Vec<Edit> = Vec::new();
    let mut subs = Vec::new();
    for s in &scalars {
        let reps = plan(s, mode, &taken);
        if reps.is_empty() {
            continue;
        }
        let e = Json
            .edits(src, s, &reps)
            .map_err(|e| format!("edits: {e}"))?;
        for edit in &e {
            if edit.range.start < s.content_start || edit.range.end >= s.span.end {
                return Err(format!("edit {:?} outside string {:?}", edit.range, s.span));
            }
        }
        edits.extend(e);
        subs.push(Substitution {
            scalar: s.clone(),
            new_value: apply_replacements(&s.value, &reps),
        });
    }
    let new = apply_edits(src, &edits);
    check_outside_unchanged(src, &new, &subs)?;
    Json.verify(src, &new, &subs)
        .map_err(|e| format!("verify: {e}"))?;
    let want = expected(&parse_value(src)?, mode, &taken);
    let got = parse_value(&new).map_err(|e| format!("serde_json on result: {e}"))?;
    if want != got {
        return Err(format!("data differs:\n want {want}\n got  {got}"));
    }
    // Rescanning finds the new values at the same positions, in order.
    let again = Json.scan(&new).map_err(|e| format!("rescan: {e}"))?;
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
    let Some(dir) = common::conformance_dir("json-test-suite") else {
        return Vec::new();
    };
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
fn run_suite(label: &str, files: &[PathBuf], check: &dyn Fn(&str) -> Result<(), String>) {
    if files.is_empty() {
        println!("{label}: suite absent, skipped");
        return;
    }
    let (mut pass, mut non_utf8, mut failures) = (0usize, 0usize, Vec::new());
    for f in files {
        let bytes = std::fs::read(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let Ok(text) = String::from_utf8(bytes) else {
            non_utf8 += 1;
            continue;
        };
        match check(&text) {
            Ok(()) => pass += 1,
            Err(e) if known(&name(f)) => println!("  known failure {}: {e}", name(f)),
            Err(e) => failures.push(format!("{}: {e}", name(f))),
        }
    }
    let total = files.len() - non_utf8;
    println!(
        "{label}: {pass}/{total} passed ({non_utf8} non-UTF-8 files skipped, {} known failures)",
        KNOWN_FAILURES.len()
    );
    assert!(
        failures.is_empty(),
        "{label} failures:\n{}",
        failures.join("\n")
    );
    assert!(pass > 0, "{label}: nothing was checked");
}

#[test]
fn y_files_rewrite_values() {
    run_suite("json y_ exact values", &suite_files("y_"), &|t| {
        check_rewrite(t, Mode::ExactValues).map(|_| ())
    });
}

#[test]
fn y_files_rewrite_tokens() {
    run_suite("json y_ tokens", &suite_files("y_"), &|t| {
        check_rewrite(t, Mode::Tokens).map(|_| ())
    });
}

#[test]
fn y_files_rename_keys() {
    run_suite("json y_ keys", &suite_files("y_"), &|t| {
        check_rewrite(t, Mode::ExactKeys).map(|_| ())
    });
}

#[test]
fn y_files_rewrite_something() {
    // Guards against a vacuous suite: the corpus holds labels to rewrite.
    let files = suite_files("y_");
    if files.is_empty() {
        return;
    }
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
fn n_files_are_rejected_with_a_position() {
    run_suite(
        "json n_ rejected",
        &suite_files("n_"),
        &|t| match Json.scan(t) {
            Ok(s) => Err(format!("accepted ({} strings)", s.len())),
            Err(e) => {
                let lines = t.split('\n').count();
                if e.line == 0 || e.line > lines || e.column == 0 || e.message.is_empty() {
                    Err(format!("bad error position {e}"))
                } else {
                    Ok(())
                }
            }
        },
    );
}

#[test]
fn i_files_never_panic() {
    let files = suite_files("i_");
    if files.is_empty() {
        return;
    }
    let (mut accepted, mut rejected, mut non_utf8) = (0, 0, 0);
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            non_utf8 += 1;
            continue;
        };
        match Json.scan(&text) {
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
    let Some(dir) = common::conformance_dir("realworld") else {
        return Vec::new();
    };
    common::files_under(&dir, &|p: &Path| p.extension().is_some_and(|e| e == "json"))
}

#[test]
fn realworld_rewrites() {
    let files = realworld_files();
    for mode in [Mode::ExactValues, Mode::Tokens, Mode::ExactKeys] {
        run_suite(&format!("json realworld {mode:?}"), &files, &|t| {
            check_rewrite(t, mode).map(|_| ())
        });
    }
}

#[test]
fn realworld_no_op_is_byte_identical() {
    run_suite("json realworld no-op", &realworld_files(), &|t| {
        let scalars = Json.scan(t).map_err(|e| e.to_string())?;
        let new = apply_edits(t, &[]);
        if new != t {
            return Err("no-op changed bytes".into());
        }
        Json.verify(t, &new, &[])?;
        if scalars.is_empty() && t.contains('"') {
            return Err("no strings found".into());
        }
        Ok(())
    });
}
