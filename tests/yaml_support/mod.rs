//! Shared by the YAML integration tests: rewrite every identifier-like string
//! value through the `Format` interface, and the checks on the result.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use driftfix::formats::yaml::Yaml;
use driftfix::formats::{
    Edit, Edited, Format, Replacement, Scalar, Style, Substitution, apply_edits,
};
use serde_json::Value;
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::{Yaml as Y, YamlLoader};

/// `[A-Za-z][A-Za-z0-9_-]*`
pub fn identifier_like(s: &str) -> bool {
    let mut c = s.chars();
    c.next().is_some_and(|f| f.is_ascii_alphabetic())
        && c.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The result of one rewrite.
pub struct Rewrite {
    pub new: String,
    pub edits: Vec<Edit>,
    /// How many scalars were substituted.
    pub substituted: usize,
    /// value → new value, for the values that were rewritten everywhere.
    pub renamed: BTreeMap<String, String>,
    /// Scalars that were governed but could not be rewritten (blocked).
    pub blocked: usize,
}

/// Every scalar event value of the text, counted (non-string ones included).
fn event_values(src: &str) -> BTreeMap<String, usize> {
    let text = src.strip_prefix('\u{feff}').unwrap_or(src);
    let mut p = Parser::new_from_str(text);
    let mut out = BTreeMap::new();
    while let Ok((ev, _)) = p.next_token() {
        match ev {
            Event::Scalar(v, ..) => *out.entry(v).or_insert(0) += 1,
            Event::StreamEnd => break,
            _ => {}
        }
    }
    out
}

/// Rewrites each identifier-like value `v` to `rename(v)` wherever it stands
/// as a rewritable string scalar, as the planner would: scan → edits →
/// apply_edits → verify. A value is renamed only when every scalar holding it
/// is rewritable (so the expected data is simply "every such string renamed").
pub fn rewrite(src: &str, rename: &dyn Fn(&str) -> String) -> Result<Rewrite, String> {
    rewrite_some(src, &identifier_like, rename)
}

/// [`rewrite`] limited to the values `select` accepts.
pub fn rewrite_some(
    src: &str,
    select: &dyn Fn(&str) -> bool,
    rename: &dyn Fn(&str) -> String,
) -> Result<Rewrite, String> {
    let y = Yaml;
    let scalars = y.scalars(src).map_err(|e| format!("scan: {e}"))?;
    let events = event_values(src);
    let mut rewritable: BTreeMap<&str, usize> = BTreeMap::new();
    let mut blocked = 0;
    for s in &scalars {
        if s.style == Style::YamlAlias {
            continue;
        }
        if s.blocked().is_some() {
            blocked += 1;
            continue;
        }
        *rewritable.entry(s.value.as_str()).or_insert(0) += 1;
    }
    let mut renamed = BTreeMap::new();
    for (v, n) in &rewritable {
        let to = rename(v);
        if select(v) && events.get(*v) == Some(n) && !events.contains_key(&to) {
            renamed.insert(v.to_string(), to);
        }
    }
    let mut edits = Vec::new();
    let mut subs = Vec::new();
    for s in &scalars {
        let Some(to) = renamed.get(&s.value) else {
            continue;
        };
        if s.style != Style::YamlAlias {
            if s.blocked().is_some() {
                continue;
            }
            let rep = Replacement {
                range: 0..s.value.len(),
                text: to.as_str().into(),
            };
            let e = y
                .edits(src, s, &[rep])
                .map_err(|e| format!("edits {:?}: {e}", s.path))?;
            for ed in &e {
                if ed.range.start < s.span.start || ed.range.end > s.span.end {
                    return Err(format!("edit {:?} outside span {:?}", ed.range, s.span));
                }
            }
            edits.extend(e);
        }
        subs.push(Substitution {
            scalar: s,
            new_value: to.clone(),
        });
    }
    let new = apply_edits(src, &edits);
    let verified = y.verify(src, None, &new, &subs);
    // Read lazily from the original and the edits, with the scan's parse
    // (what the planner does when no output reads the new text): the same
    // answer, message included.
    let parsed = y.scan(src).map_err(|e| format!("scan: {e}"))?.parsed;
    let edited = Edited::new(src, &edits).ok_or("edits overlap")?;
    if edited.text() != new || edited.len() != new.len() {
        return Err(format!("edited text differs: {:?}", edited.text()));
    }
    let lazily = y.verify_edited(src, parsed.as_ref(), &edited, &subs);
    if lazily != verified {
        return Err(format!("lazily {lazily:?}, built {verified:?}"));
    }
    verified.map_err(|e| format!("verify: {e}"))?;
    Ok(Rewrite {
        new,
        edits,
        substituted: subs.len(),
        renamed,
        blocked,
    })
}

/// Every byte outside the edited ranges is unchanged (and in the same order).
pub fn outside_unchanged(old: &str, new: &str, edits: &[Edit]) -> Result<(), String> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| e.range.start);
    let (mut at_old, mut at_new) = (0usize, 0usize);
    for e in sorted {
        let keep = e.range.start - at_old;
        if old.as_bytes().get(at_old..e.range.start) != new.as_bytes().get(at_new..at_new + keep) {
            return Err(format!("bytes before offset {} changed", e.range.start));
        }
        at_new += keep + e.text.len();
        at_old = e.range.end;
    }
    if old.as_bytes().get(at_old..) != new.as_bytes().get(at_new..) {
        return Err("bytes after the last edit changed".into());
    }
    Ok(())
}

/// YAML data as JSON (numbers as floats, NaN as a string), for comparisons.
pub fn to_json(y: &Y) -> Value {
    match y {
        Y::Real(s) => num(s.parse::<f64>().unwrap_or_else(|_| {
            match s
                .trim_start_matches(['+', '-'])
                .to_ascii_lowercase()
                .as_str()
            {
                ".inf" if s.starts_with('-') => f64::NEG_INFINITY,
                ".inf" => f64::INFINITY,
                _ => f64::NAN,
            }
        })),
        Y::Integer(i) => num(*i as f64),
        Y::String(s) => Value::String(s.clone()),
        Y::Boolean(b) => Value::Bool(*b),
        Y::Array(a) => Value::Array(a.iter().map(to_json).collect()),
        Y::Hash(h) => Value::Object(h.iter().map(|(k, v)| (key_text(k), to_json(v))).collect()),
        Y::Null | Y::BadValue | Y::Alias(_) => Value::Null,
    }
}

fn key_text(k: &Y) -> String {
    match k {
        Y::String(s) | Y::Real(s) => s.clone(),
        Y::Integer(i) => i.to_string(),
        Y::Boolean(b) => b.to_string(),
        Y::Null => String::new(),
        other => format!("{other:?}"),
    }
}

fn num(f: f64) -> Value {
    serde_json::Number::from_f64(f).map_or_else(|| Value::String(format!("{f}")), Value::Number)
}

/// JSON with numbers normalised like [`to_json`].
pub fn normalise(v: Value) -> Value {
    match v {
        Value::Number(n) => num(n.as_f64().unwrap_or(f64::NAN)),
        Value::Array(a) => Value::Array(a.into_iter().map(normalise).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, normalise(v))).collect()),
        other => other,
    }
}

/// Renames every string (key or value) found in `renamed`.
pub fn rename_strings(v: &Value, renamed: &BTreeMap<String, String>) -> Value {
    let r = |s: &String| renamed.get(s).cloned().unwrap_or_else(|| s.clone());
    match v {
        Value::String(s) => Value::String(r(s)),
        Value::Array(a) => Value::Array(a.iter().map(|x| rename_strings(x, renamed)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (r(k), rename_strings(x, renamed)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The documents of a YAML text as JSON values.
pub fn load(src: &str) -> Result<Vec<Value>, String> {
    let text = src.strip_prefix('\u{feff}').unwrap_or(src);
    let docs = YamlLoader::load_from_str(text).map_err(|e| e.to_string())?;
    Ok(docs.iter().map(to_json).collect())
}

/// A stream of JSON texts.
pub fn json_stream(text: &str) -> Result<Vec<Value>, String> {
    serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .map(|r| r.map(normalise).map_err(|e| e.to_string()))
        .collect()
}

/// Checks that `new` reads as `old` with `renamed` applied to every string.
pub fn data_renamed(
    old: &str,
    new: &str,
    renamed: &BTreeMap<String, String>,
) -> Result<(), String> {
    let Ok(old_docs) = load(old) else {
        // yaml-rust2's loader rejects some valid files (e.g. duplicate keys);
        // the event comparison in `verify` already covered them.
        return Ok(());
    };
    let before: Vec<Value> = old_docs
        .iter()
        .map(|d| rename_strings(d, renamed))
        .collect();
    let after = load(new)?;
    if before != after {
        return Err(format!(
            "data differs:\nexpected {before:?}\nfound    {after:?}"
        ));
    }
    Ok(())
}

pub fn span_text<'a>(src: &'a str, s: &Scalar) -> &'a str {
    src.get(s.span.clone()).unwrap_or("")
}

pub fn ranges(edits: &[Edit]) -> Vec<Range<usize>> {
    edits.iter().map(|e| e.range.clone()).collect()
}

pub fn all_values(src: &str) -> BTreeSet<String> {
    event_values(src).into_keys().collect()
}

/// Rule text that renames each `from` to `to`, governing every value and key.
pub fn rule_text(renamed: &BTreeMap<String, String>) -> String {
    let mut t = String::from("version = 1\n");
    for (from, to) in renamed {
        t.push_str(&format!(
            "[[canonical]]\nname = {to:?}\naliases = [{from:?}]\n"
        ));
    }
    t.push_str("[[field]]\nselect = [\"**\"]\nkeys_of = [\"**\"]\n");
    t
}

/// Runs the real pipeline (`plan_bytes`) with [`rule_text`]; returns the new
/// text (the original when nothing is fixed) and the number of fix findings.
pub fn plan(src: &str, renamed: &BTreeMap<String, String>) -> Result<(String, usize), String> {
    use driftfix::formats::FileType;
    use driftfix::plan::Action;
    use driftfix::rules::{Role, RuleSet};
    let rules = RuleSet::from_toml_str(
        &rule_text(renamed),
        std::path::Path::new("conformance.toml"),
    )
    .map_err(|e| format!("rules: {e}"))?;
    let plan = driftfix::plan::plan_bytes(
        "case/in.yaml",
        FileType::Yaml,
        Role::Editable,
        src.as_bytes(),
        &rules,
    )
    .map_err(|e| format!("plan: {e}"))?;
    if let Some(f) = plan.findings.iter().find(|f| f.action != Action::Fix) {
        return Err(format!(
            "finding not fixable at {}:{} ({}): {:?}",
            f.line, f.column, f.field, f.reason
        ));
    }
    let n = plan.findings.len();
    Ok((plan.new_text.unwrap_or_else(|| src.to_string()), n))
}

/// Every identifier-like word of a text (for error cases, which do not parse).
pub fn words(src: &str) -> BTreeSet<String> {
    src.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .filter(|w| identifier_like(w))
        .map(str::to_string)
        .collect()
}
