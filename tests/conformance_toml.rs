//! TOML conformance: the toml-test TOML 1.0 corpus.
//!
//! * `valid/**/*.toml`: rewrite labels (whole identifier-like values, tokens
//!   inside strings, keys), first through the [`Format`] engine directly and
//!   then through the real pipeline (`plan_bytes`), and check that
//!   - the result parses (with the `toml` crate) to the case's expected
//!     tagged JSON with exactly those renames applied (compared by meaning),
//!   - every byte outside the rewritten scalars is unchanged: a re-scan of
//!     the result finds the same scalars with identical text between them,
//!     and only the renamed scalars' text differs.
//! * `invalid/**/*.toml`: rejected with an error that has a position, and no
//!   output; non-UTF-8 files are skipped by the pipeline before parsing.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use driftfix::formats::toml::Toml;
use driftfix::formats::{
    FileType, Format, Replacement, Scalar, ScalarKind, Seg, Style, Substitution, apply_edits,
    apply_replacements, path_to_string, source_range,
};
use driftfix::matcher::Matcher;
use driftfix::plan::{Action, Context, PlanOptions, plan_bytes, plan_with};
use driftfix::rules::{Role, RuleSet};
use serde_json::Value as Json;

/// Cases we cannot pass, with the reason (none so far).
const KNOWN_FAILURES: &[(&str, &str)] = &[];

fn suite() -> PathBuf {
    common::conformance_suite("toml-test")
}

fn toml_files(dir: &Path) -> Vec<PathBuf> {
    common::files_under(dir, &|p| p.extension().is_some_and(|e| e == "toml"))
}

fn case_name(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

/// `[A-Za-z][A-Za-z0-9_-]*`: what a host label looks like.
fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// Maximal runs of `[A-Za-z0-9_-]` in `s` (what the token matcher sees as
/// boundaries), as byte ranges.
fn word_runs(s: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if is_word_byte(bytes[i]) {
            let start = i;
            while i < bytes.len() && is_word_byte(bytes[i]) {
                i += 1;
            }
            out.push(start..i);
        } else {
            i += 1;
        }
    }
    out
}

fn renamed(s: &str) -> String {
    format!("{s}-cn")
}

/// What is rewritten in a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Whole string values that are identifier-like (exact match).
    Values,
    /// Identifier-like tokens inside string values (token match).
    Tokens,
    /// Identifier-like keys.
    Keys,
}

/// The label set of a run: labels `l` to rename to `l-cn`.
struct Labels {
    mode: Mode,
    set: BTreeSet<String>,
    /// Matches the engine refused (kind, scalar path, ordinal of the match
    /// in the scalar), each checked to be a legitimate refusal.
    declined: BTreeSet<(ScalarKind, SegPath, usize)>,
}

type SegPath = Vec<Seg>;

impl Labels {
    /// Chosen from the expected JSON (independent of our scanner), skipping
    /// every label whose `-cn` form is itself present.
    fn from_expected(expected: &Json, mode: Mode) -> Labels {
        let mut seen = BTreeSet::new();
        walk_json(expected, &mut |item| match (item, mode) {
            (JsonItem::Str(s), Mode::Values) => {
                seen.insert(s.to_string());
            }
            (JsonItem::Str(s), Mode::Tokens) => {
                for r in word_runs(s) {
                    seen.insert(s[r].to_string());
                }
            }
            (JsonItem::Key(k), Mode::Keys) => {
                seen.insert(k.to_string());
            }
            _ => {}
        });
        let set = seen
            .iter()
            .filter(|s| is_ident(s) && !seen.contains(&renamed(s)))
            .cloned()
            .collect();
        Labels {
            mode,
            set,
            declined: BTreeSet::new(),
        }
    }

    fn is_declined(&self, kind: ScalarKind, path: &[Seg], ordinal: usize) -> bool {
        self.declined.contains(&(kind, path.to_vec(), ordinal))
    }

    /// The expected new value of the string value at `path` (old key names).
    fn map_value(&self, path: &[Seg], s: &str) -> String {
        match self.mode {
            Mode::Values
                if self.set.contains(s) && !self.is_declined(ScalarKind::Value, path, 0) =>
            {
                renamed(s)
            }
            Mode::Tokens => {
                let mut out = String::new();
                let mut at = 0;
                for (i, r) in word_runs(s).into_iter().enumerate() {
                    if self.set.contains(&s[r.clone()])
                        && !self.is_declined(ScalarKind::Value, path, i)
                    {
                        out.push_str(&s[at..r.end]);
                        out.push_str("-cn");
                        at = r.end;
                    }
                }
                out.push_str(&s[at..]);
                out
            }
            _ => s.to_string(),
        }
    }

    /// The expected new name of the key at `path` (ending with that key).
    fn map_key(&self, path: &[Seg], k: &str) -> String {
        if self.mode == Mode::Keys
            && self.set.contains(k)
            && !self.is_declined(ScalarKind::Key, path, 0)
        {
            renamed(k)
        } else {
            k.to_string()
        }
    }

    /// The ordinal of a match (by its range) among the scalar's candidates.
    fn ordinal(&self, s: &Scalar, range: &std::ops::Range<usize>) -> usize {
        match self.mode {
            Mode::Tokens => word_runs(&s.value)
                .iter()
                .position(|r| r == range)
                .unwrap_or(usize::MAX),
            _ => 0,
        }
    }

    /// Records a refused match after checking the refusal is legitimate: a
    /// match that crosses a line break or continuation of a multi-line
    /// string (no verbatim piece holds it).
    fn decline(
        &mut self,
        s: &Scalar,
        range: &std::ops::Range<usize>,
        reason: &str,
    ) -> Result<(), String> {
        let multi = matches!(s.style, Style::TomlMultiBasic | Style::TomlMultiLiteral);
        if !(multi && source_range(s, range).is_none() && reason.contains("line break")) {
            return Err(format!(
                "{} refused at {}: {reason}",
                &s.value[range.clone()],
                path_to_string(&s.path)
            ));
        }
        let ordinal = self.ordinal(s, range);
        self.declined.insert((s.kind, s.path.clone(), ordinal));
        Ok(())
    }

    /// The replacements for one scanned scalar (what the matcher would find).
    fn replacements(&self, s: &Scalar) -> Vec<Replacement> {
        let wanted = match self.mode {
            Mode::Values | Mode::Tokens => s.kind == ScalarKind::Value,
            Mode::Keys => s.kind == ScalarKind::Key,
        };
        if !wanted {
            return Vec::new();
        }
        let runs = match self.mode {
            Mode::Tokens => word_runs(&s.value),
            _ => std::iter::once(0..s.value.len()).collect(),
        };
        runs.into_iter()
            .filter(|r| self.set.contains(&s.value[r.clone()]))
            .map(|r| Replacement {
                text: renamed(&s.value[r.clone()]).into(),
                range: r,
            })
            .collect()
    }

    /// The rule file that makes the pipeline do the same renames.
    fn rules(&self) -> String {
        let mut t = String::from("version = 1\n");
        for l in &self.set {
            t.push_str(&format!(
                "[[canonical]]\nname = {}\naliases = [{}]\n",
                json_str(&renamed(l)),
                json_str(l)
            ));
        }
        t.push_str("[[field]]\n");
        t.push_str(match self.mode {
            Mode::Values => "select = [\"**\"]\n",
            Mode::Tokens => "select = [\"**\"]\nmatch = \"token\"\n",
            Mode::Keys => "keys_of = [\"**\"]\n",
        });
        t
    }
}

/// A TOML basic string for an ASCII label (JSON escaping is a subset).
fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

enum JsonItem<'a> {
    Str(&'a str),
    Key(&'a str),
}

/// A tagged leaf: `{"type": T, "value": V}` with both strings.
fn as_leaf(v: &Json) -> Option<(&str, &str)> {
    let o = v.as_object()?;
    if o.len() != 2 {
        return None;
    }
    Some((o.get("type")?.as_str()?, o.get("value")?.as_str()?))
}

/// Visits every string value and every table key of a tagged JSON document.
fn walk_json<'a>(root: &'a Json, f: &mut dyn FnMut(JsonItem<'a>)) {
    let mut stack = vec![root];
    while let Some(v) = stack.pop() {
        if let Some((t, s)) = as_leaf(v) {
            if t == "string" {
                f(JsonItem::Str(s));
            }
            continue;
        }
        match v {
            Json::Object(o) => {
                for (k, v) in o {
                    f(JsonItem::Key(k));
                    stack.push(v);
                }
            }
            Json::Array(a) => stack.extend(a),
            _ => {}
        }
    }
}

/// Compares the `toml` crate's reading of a document with the expected
/// tagged JSON, mapping keys and string values through `labels`. Paths on
/// the stack use the old key names (as the scanner reported them).
fn compare(expected: &Json, actual: &toml::Table, labels: &Labels) -> Result<(), String> {
    let mut stack: Vec<(SegPath, &Json, Actual<'_>)> =
        vec![(Vec::new(), expected, Actual::Table(actual))];
    while let Some((path, e, a)) = stack.pop() {
        let at = path_to_string(&path);
        let table = match a {
            Actual::Table(t) => Some(t),
            Actual::Value(toml::Value::Table(t)) => Some(t),
            _ => None,
        };
        if let Some(t) = table {
            let o = e
                .as_object()
                .ok_or_else(|| format!("{at}: expected {e}, got a table"))?;
            if o.len() != t.len() {
                return Err(format!("{at}: expected {} keys, got {}", o.len(), t.len()));
            }
            for (k, ev) in o {
                let mut p = path.clone();
                p.push(Seg::Key(k.clone()));
                let key = labels.map_key(&p, k);
                let av = t
                    .get(&key)
                    .ok_or_else(|| format!("{at}: missing key {key:?}"))?;
                stack.push((p, ev, Actual::Value(av)));
            }
            continue;
        }
        let Actual::Value(a) = a else {
            unreachable!("tables are handled above")
        };
        if let toml::Value::Array(items) = a {
            let ea = e
                .as_array()
                .ok_or_else(|| format!("{at}: expected {e}, got an array"))?;
            if ea.len() != items.len() {
                return Err(format!("{at}: array length differs"));
            }
            for (i, (ev, av)) in ea.iter().zip(items).enumerate() {
                let mut p = path.clone();
                p.push(Seg::Index(i));
                stack.push((p, ev, Actual::Value(av)));
            }
            continue;
        }
        let (t, v) = as_leaf(e).ok_or_else(|| format!("{at}: expected {e}, got {a}"))?;
        if !leaf_matches(t, v, a, &|s| labels.map_value(&path, s)) {
            return Err(format!("{at}: expected {t} {v:?}, got {a:?}"));
        }
    }
    Ok(())
}

enum Actual<'a> {
    Table(&'a toml::Table),
    Value(&'a toml::Value),
}

/// Leaf equality by meaning: numbers by value (NaN = NaN), datetimes by
/// their fields (milliseconds, `Z` = `+00:00`), strings with CRLF read as LF
/// (TOML lets parsers normalise line breaks in multi-line strings).
fn leaf_matches(t: &str, v: &str, a: &toml::Value, map: &dyn Fn(&str) -> String) -> bool {
    use toml::Value as V;
    match (t, a) {
        ("string", V::String(s)) => map(&v.replace("\r\n", "\n")) == s.replace("\r\n", "\n"),
        ("integer", V::Integer(i)) => v.parse::<i64>().is_ok_and(|e| e == *i),
        ("float", V::Float(f)) => v
            .parse::<f64>()
            .is_ok_and(|e| (e.is_nan() && f.is_nan()) || e == *f),
        ("bool", V::Boolean(b)) => v.parse::<bool>().is_ok_and(|e| e == *b),
        ("datetime" | "datetime-local" | "date-local" | "time-local", V::Datetime(d)) => {
            let Ok(e) = v.parse::<toml::value::Datetime>() else {
                return false;
            };
            let shape = (d.date.is_some(), d.time.is_some(), d.offset.is_some());
            let kind_ok = match t {
                "datetime" => shape == (true, true, true),
                "datetime-local" => shape == (true, true, false),
                "date-local" => shape == (true, false, false),
                _ => shape == (false, true, false),
            };
            kind_ok && same_datetime(&e, d)
        }
        _ => false,
    }
}

fn same_datetime(e: &toml::value::Datetime, a: &toml::value::Datetime) -> bool {
    use toml::value::Offset;
    let time = |t: &toml::value::Time| {
        (
            t.hour,
            t.minute,
            t.second.unwrap_or(0),
            t.nanosecond.unwrap_or(0) / 1_000_000,
        )
    };
    let offset = |o: &Offset| match o {
        Offset::Z => 0,
        Offset::Custom { minutes } => *minutes,
    };
    e.date == a.date
        && e.time.as_ref().map(time) == a.time.as_ref().map(time)
        && e.offset.as_ref().map(offset) == a.offset.as_ref().map(offset)
}

/// Only renamed scalars changed: a re-scan of `new` finds as many scalars as
/// `old`, the text between scalars is identical, unrenamed scalars are
/// byte-identical, and renamed ones hold the mapped value.
fn only_labels_changed(old: &str, new: &str, labels: &Labels) -> Result<usize, String> {
    let a = Toml.scalars(old).map_err(|e| format!("old: {e}"))?;
    let b = Toml
        .scalars(new)
        .map_err(|e| format!("rescan of the result: {e}"))?;
    if a.len() != b.len() {
        return Err(format!("{} scalars before, {} after", a.len(), b.len()));
    }
    let (mut at_a, mut at_b, mut changed) = (0, 0, 0);
    for (x, y) in a.iter().zip(&b) {
        if old[at_a..x.span.start] != new[at_b..y.span.start] {
            return Err(format!("bytes before offset {} changed", x.span.start));
        }
        let expected = match (x.kind, labels.mode) {
            (ScalarKind::Key, Mode::Keys) => labels.map_key(&x.path, &x.value),
            (ScalarKind::Value, Mode::Values | Mode::Tokens) => labels.map_value(&x.path, &x.value),
            _ => x.value.clone(),
        };
        if expected == x.value {
            if old[x.span.clone()] != new[y.span.clone()] {
                return Err(format!("unrenamed scalar at {} changed", x.span.start));
            }
        } else {
            changed += 1;
            if y.value != expected {
                return Err(format!(
                    "{:?} became {:?}, not {expected:?}",
                    x.value, y.value
                ));
            }
        }
        at_a = x.span.end;
        at_b = y.span.end;
    }
    if old[at_a..] != new[at_b..] {
        return Err("bytes after the last scalar changed".into());
    }
    Ok(changed)
}

/// The Format engine alone: scan → edits → apply_edits → verify. Like the
/// planner, a scalar whose replacements fail together is retried one
/// replacement at a time; refusals are recorded in `labels` (and checked).
fn rewrite_with_format(src: &str, labels: &mut Labels) -> Result<String, String> {
    let scalars = Toml.scalars(src).map_err(|e| e.to_string())?;
    let mut edits = Vec::new();
    let mut subs = Vec::new();
    for s in &scalars {
        let mut reps = labels.replacements(s);
        if reps.is_empty() {
            continue;
        }
        if Toml.edits(src, s, &reps).is_err() {
            let mut kept = Vec::new();
            for r in reps {
                match Toml.edits(src, s, std::slice::from_ref(&r)) {
                    Ok(_) => kept.push(r),
                    Err(reason) => labels.decline(s, &r.range, &reason)?,
                }
            }
            reps = kept;
            if reps.is_empty() {
                continue;
            }
        }
        edits.extend(Toml.edits(src, s, &reps)?);
        subs.push(Substitution {
            scalar: s,
            new_value: apply_replacements(&s.value, &reps),
        });
    }
    let new = apply_edits(src, &edits);
    Toml.verify(src, None, &new, &subs)?;
    Ok(new)
}

/// The real pipeline, with rules generated from the label set; `manual`
/// findings are recorded in `labels` (and checked).
fn rewrite_with_pipeline(name: &str, bytes: &[u8], labels: &mut Labels) -> Result<String, String> {
    let src = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
    if labels.set.is_empty() {
        return Ok(src.to_string());
    }
    let rules = RuleSet::from_toml_str(&labels.rules(), Path::new("conformance.toml"))
        .map_err(|e| format!("rules: {e}"))?;
    let plan = plan_bytes(name, FileType::Toml, Role::Editable, bytes, &rules)
        .map_err(|e| e.to_string())?;
    for f in plan.findings.iter().filter(|f| f.action != Action::Fix) {
        let reason = f.reason.clone().unwrap_or_default();
        let scalar = plan
            .scalars
            .get(f.scalar)
            .ok_or("finding without its scalar")?;
        labels.decline(scalar, &f.range, &reason)?;
    }
    Ok(plan.new_text.unwrap_or_else(|| src.to_string()))
}

/// Runs one valid case through one rewriter; `Ok((renamed scalars,
/// refused matches))`.
fn check_valid(
    root: &Path,
    toml_path: &Path,
    mode: Mode,
    pipeline: bool,
) -> Result<(usize, usize), String> {
    let bytes = std::fs::read(toml_path).map_err(|e| e.to_string())?;
    let src = std::str::from_utf8(&bytes).map_err(|e| e.to_string())?;
    let json_text =
        std::fs::read_to_string(toml_path.with_extension("json")).map_err(|e| e.to_string())?;
    let expected: Json = serde_json::from_str(&json_text).map_err(|e| e.to_string())?;
    let mut labels = Labels::from_expected(&expected, mode);
    let new = if pipeline {
        rewrite_with_pipeline(&case_name(root, toml_path), &bytes, &mut labels)?
    } else {
        rewrite_with_format(src, &mut labels)?
    };
    let changed = only_labels_changed(src, &new, &labels)?;
    let actual: toml::Table = new.parse().map_err(|e| format!("result: {e}"))?;
    compare(&expected, &actual, &labels)?;
    Ok((changed, labels.declined.len()))
}

fn run_valid(mode: Mode, pipeline: bool) {
    let root = suite();
    let files = toml_files(&root.join("valid"));
    assert!(
        files.len() >= 200,
        "corpus looks incomplete: {}",
        files.len()
    );
    let known: BTreeMap<&str, &str> = KNOWN_FAILURES.iter().copied().collect();
    let (mut pass, mut renamed_total, mut declined_total) = (0, 0, 0);
    let mut failures = Vec::new();
    for p in &files {
        let name = case_name(&root, p);
        match check_valid(&root, p, mode, pipeline) {
            Ok((n, d)) => {
                pass += 1;
                renamed_total += n;
                declined_total += d;
            }
            Err(e) if known.contains_key(name.as_str()) => println!("known failure {name}: {e}"),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    let via = if pipeline { "pipeline" } else { "format" };
    println!(
        "toml-test valid ({mode:?}, {via}): {pass}/{} passed, {renamed_total} scalars renamed, \
         {declined_total} matches refused (across a line break)",
        files.len()
    );
    assert!(
        renamed_total > 0,
        "nothing was renamed: the test asserts nothing"
    );
    assert!(failures.is_empty(), "failures:\n{}", failures.join("\n"));
}

#[test]
#[cfg_attr(no_conformance, ignore = "NOTICE: conformance corpus not found")]
fn valid_values_format() {
    run_valid(Mode::Values, false);
}

#[test]
#[cfg_attr(no_conformance, ignore = "NOTICE: conformance corpus not found")]
fn valid_values_pipeline() {
    run_valid(Mode::Values, true);
}

#[test]
#[cfg_attr(no_conformance, ignore = "NOTICE: conformance corpus not found")]
fn valid_tokens_format() {
    run_valid(Mode::Tokens, false);
}

#[test]
#[cfg_attr(no_conformance, ignore = "NOTICE: conformance corpus not found")]
fn valid_tokens_pipeline() {
    run_valid(Mode::Tokens, true);
}

#[test]
#[cfg_attr(no_conformance, ignore = "NOTICE: conformance corpus not found")]
fn valid_keys_format() {
    run_valid(Mode::Keys, false);
}

#[test]
#[cfg_attr(no_conformance, ignore = "NOTICE: conformance corpus not found")]
fn valid_keys_pipeline() {
    run_valid(Mode::Keys, true);
}

/// Every invalid case is refused: by the scanner with a position (UTF-8
/// files), and by the pipeline as an error with a position or, for
/// non-UTF-8 bytes, a skip — never with output.
#[test]
#[cfg_attr(no_conformance, ignore = "NOTICE: conformance corpus not found")]
fn invalid_rejected() {
    let root = suite();
    let files = toml_files(&root.join("invalid"));
    assert!(
        files.len() >= 490,
        "corpus looks incomplete: {}",
        files.len()
    );
    let known: BTreeMap<&str, &str> = KNOWN_FAILURES.iter().copied().collect();
    let rules = RuleSet::from_toml_str(
        "version = 1\n[[canonical]]\nname = \"x-cn\"\naliases = [\"x\"]\n[[field]]\nselect = [\"**\"]\nkeys_of = [\"**\"]\n",
        Path::new("conformance.toml"),
    )
    .unwrap();
    let matcher = Matcher::new(&rules);
    // Strict mode parses every file, whatever its bytes hold.
    let ctx = Context {
        rules: &rules,
        matcher: &matcher,
        options: PlanOptions {
            strict: true,
            ..PlanOptions::default()
        },
        baseline: None,
    };
    let (mut pass, mut non_utf8, mut failures) = (0, 0, Vec::new());
    for p in &files {
        let name = case_name(&root, p);
        let bytes = std::fs::read(p).unwrap();
        let result = check_invalid(&ctx, &name, &bytes);
        match result {
            Ok(utf8) => {
                pass += 1;
                non_utf8 += usize::from(!utf8);
            }
            Err(e) if known.contains_key(name.as_str()) => println!("known failure {name}: {e}"),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    println!(
        "toml-test invalid: {pass}/{} rejected ({non_utf8} as non-UTF-8 by the pipeline)",
        files.len()
    );
    assert!(failures.is_empty(), "failures:\n{}", failures.join("\n"));
}

/// The scan validates with the `toml` crate, not a `toml_edit` document
/// (a fraction of the memory on big files): every file `toml_edit` refuses
/// is refused with `toml_edit`'s message, on the line of its offset.
#[test]
#[cfg_attr(no_conformance, ignore = "NOTICE: conformance corpus not found")]
fn refusals_read_as_toml_edit_words_them() {
    let files = toml_files(&suite());
    let mut refused = 0;
    for p in &files {
        let Ok(src) = std::fs::read_to_string(p) else {
            continue;
        };
        let Err(want) = toml_edit::Document::parse(src.as_str()) else {
            continue;
        };
        refused += 1;
        let got = Toml.scalars(&src).expect_err("toml_edit refuses it");
        let offset = want.span().map_or(0, |s| s.start);
        let line = src.get(..offset).map_or(1, |b| b.matches('\n').count() + 1);
        assert_eq!(
            (got.line, got.message.as_str()),
            (line, want.message().trim()),
            "{}",
            p.display()
        );
    }
    assert!(refused >= 400, "only {refused} refusals compared");
}

/// `Ok(is_utf8)` when the case is refused properly.
fn check_invalid(ctx: &Context, name: &str, bytes: &[u8]) -> Result<bool, String> {
    let plan = plan_with(ctx, name, FileType::Toml, Role::Editable, bytes);
    let Ok(src) = std::str::from_utf8(bytes) else {
        return match plan {
            Err(e) if e.is_skip() => Ok(false),
            Err(e) => Err(format!("non-UTF-8 file not skipped: {e}")),
            Ok(_) => Err("non-UTF-8 file accepted".into()),
        };
    };
    // The pipeline skips binary files (NUL bytes) before parsing (SPEC §6);
    // the scanner must still refuse them on its own.
    let binary = bytes.contains(&0);
    let lines = src.split('\n').count();
    match Toml.scalars(src) {
        Ok(_) => return Err("accepted by the scanner".into()),
        Err(e) if e.line < 1 || e.line > lines || e.column < 1 => {
            return Err(format!("error position out of range: {e}"));
        }
        Err(_) => {}
    }
    match plan {
        Ok(p) => Err(format!(
            "accepted by the pipeline (output: {})",
            p.new_text.is_some()
        )),
        Err(e) if e.is_skip() && binary => Ok(true),
        Err(e) if e.is_skip() => Err(format!("skipped, not rejected: {e}")),
        Err(e) if e.line.is_none() || e.column.is_none() => {
            Err(format!("error without a position: {e}"))
        }
        Err(_) => Ok(true),
    }
}
