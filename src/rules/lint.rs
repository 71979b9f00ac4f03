//! Warnings about rules that are valid but probably not what was meant
//! (SPEC §8): globs that match no file under the base directory (an
//! `authority` glob that matches nothing would silently make the source of
//! truth editable; an `exclude` written `platform/` used to match nothing),
//! rule files without a canonical or a field, and selectors that match no
//! scalar (see [`crate::rules::dead`]).

use std::collections::BTreeSet;
use std::path::Path;

use ignore::WalkBuilder;

use super::RuleSet;
use super::globs::{GlobOptions, PathGlobs};
use crate::formats::FileType;
use crate::fs::paths::relative_to;
use crate::warning::Warning;

/// Every file under `base` (`.gitignore` honoured, `exclude` not applied).
pub fn files_under(base: &Path) -> Vec<String> {
    WalkBuilder::new(base)
        .hidden(false)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build()
        .flatten()
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter_map(|e| relative_to(base, e.path()))
        .collect()
}

/// One line per glob that matches no file under `base`, and per rule file
/// without a canonical or a field.
pub fn warnings(rules: &RuleSet, base: &Path) -> Vec<Warning> {
    let files = files_under(base);
    let mut out = unmatched_globs(
        rules,
        &files,
        None,
        &format!("file under {}", base.display()),
    );
    out.extend(empty_files(rules));
    out.extend(dead_ignore_selectors(rules, base, &files));
    out
}

/// One line per `[[ignore]]` selector that matches no scalar of the files
/// its rule covers (read and parsed here; `rules check` only): it could
/// never suppress anything.
pub fn dead_ignore_selectors(rules: &RuleSet, base: &Path, files: &[String]) -> Vec<Warning> {
    let mut out = Vec::new();
    for rule in rules.ignores.iter().filter(|r| !r.select.is_empty()) {
        let mut alive = vec![false; rule.select.len()];
        for rel in files.iter().filter(|f| rule.applies_to(f)) {
            let Some((file_type, _)) = rules.type_of(rel) else {
                continue;
            };
            let Ok(text) = std::fs::read_to_string(base.join(rel)) else {
                continue;
            };
            let Ok(scalars) = file_type.format().scalars(&text) else {
                continue;
            };
            for (sel, seen) in rule.select.iter().zip(alive.iter_mut()) {
                *seen = *seen || scalars.iter().any(|s| sel.matches(&s.path));
            }
            if alive.iter().all(|a| *a) {
                break;
            }
        }
        for (sel, seen) in rule.select.iter().zip(&alive) {
            if !seen {
                out.push(Warning::new(format!(
                    "{}: [[ignore]] select `{}` matches no value or key in the files it covers",
                    rule.origin, sel.text
                )));
            }
        }
    }
    out
}

/// Rule files that define no canonical or no field: scanning with them
/// finds nothing, which would read as "aligned".
pub fn empty_files(rules: &RuleSet) -> Vec<Warning> {
    let mut out = Vec::new();
    for f in &rules.without_canonicals {
        out.push(Warning::new(format!(
            "{f}: defines no [[canonical]]: no alias can be found with it alone"
        )));
    }
    for f in &rules.without_fields {
        out.push(Warning::new(format!(
            "{f}: defines no [[field]]: no value is governed by it alone"
        )));
    }
    // Merged files may complete each other: only the set counts then.
    if rules.sources.len() > 1 {
        out.clear();
        if rules.canonicals.is_empty() {
            out.push(Warning::new(
                "the rule files define no [[canonical]]: no alias can be found",
            ));
        }
        if rules.fields.is_empty() {
            out.push(Warning::new(
                "the rule files define no [[field]]: no value is governed",
            ));
        }
    }
    out
}

/// One line per user-written glob that matches none of `files` (paths
/// relative to the base directory). `excluded` is the set of `exclude`
/// patterns (indexes) that the walk saw match something, when the walk
/// applied them (then `files` holds no excluded file); `what` names the
/// files in the message ("file under DIR").
pub fn unmatched_globs(
    rules: &RuleSet,
    files: &[String],
    excluded: Option<&BTreeSet<usize>>,
    what: &str,
) -> Vec<Warning> {
    // Every glob to look for, with the warning it gives when nothing
    // matches it: `exclude` globs the walk already saw match are known.
    let mut wanted: Vec<(&str, String)> = Vec::new();
    let mut exclude_index = 0;
    for (place, glob) in &rules.paths.patterns {
        if place == "exclude" {
            let i = exclude_index;
            exclude_index += 1;
            if excluded.is_some_and(|seen| seen.contains(&i)) {
                continue;
            }
        }
        wanted.push((glob, format!("{place} glob `{glob}` matches no {what}")));
    }
    for e in rules.types.entries() {
        wanted.push((
            &e.text,
            format!("{}: [types] glob `{}` matches no {what}", e.origin, e.text),
        ));
    }
    let globs: Vec<&str> = wanted.iter().map(|(g, _)| *g).collect();
    let matched = matched_globs(&globs, files);
    // Only a `[types]` line gives the type text (the registry has no glob
    // for it): with none that matched a file, no file is text.
    let first_type_entry = wanted.len() - rules.types.entries().len();
    let maybe_text = rules
        .types
        .entries()
        .iter()
        .zip(matched.get(first_type_entry..).unwrap_or_default())
        .any(|(e, hit)| *hit && e.file_type == FileType::Text);
    let mut out: Vec<Warning> = wanted
        .into_iter()
        .zip(matched)
        .filter(|(_, hit)| !hit)
        .map(|((_, warning), _)| Warning::new(warning))
        .collect();
    // `text` is never assigned by default: a rule for text files alone
    // with no `[types]` line that maps a file to text governs nothing.
    let any_text = || {
        maybe_text
            && files
                .iter()
                .any(|f| matches!(rules.type_of(f), Some((FileType::Text, _))))
    };
    for f in rules.fields.iter().filter(|f| f.types == [FileType::Text]) {
        if !any_text() {
            out.push(Warning::new(format!(
                "{}: this [[field]] for text files governs nothing: no {what} has the type text (add a [types] line such as \"**/*.md\" = \"text\")",
                f.origin
            )));
        }
    }
    out
}

/// Which of `globs` match at least one of `files`, in one pass over the
/// files: the globs not matched yet are one set, tried with a plain
/// "any match?" per file and rebuilt each time a file matches some of
/// them (issue 19: a pass per glob, each one a regex over every path, was
/// 7% of a scan of 40,000 tiny files).
fn matched_globs(globs: &[&str], files: &[String]) -> Vec<bool> {
    let mut seen = vec![false; globs.len()];
    let mut left: Vec<usize> = (0..globs.len()).collect();
    let mut files = files.iter();
    let mut hits = Vec::new();
    while !left.is_empty() {
        let patterns: Vec<&str> = left.iter().filter_map(|&i| globs.get(i).copied()).collect();
        let Ok(set) = PathGlobs::new(&patterns, GlobOptions::default()) else {
            // Validated when loading; an unreadable one is not reported twice.
            for &i in &left {
                if let Some(s) = seen.get_mut(i) {
                    *s = true;
                }
            }
            break;
        };
        let Some(file) = files.by_ref().find(|f| set.is_match(f)) else {
            break;
        };
        set.matching_patterns_into(file, &mut hits);
        for &j in &hits {
            if let Some(s) = left.get(j).and_then(|&i| seen.get_mut(i)) {
                *s = true;
            }
        }
        left.retain(|&i| seen.get(i) == Some(&false));
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::matched_globs;

    #[test]
    fn each_glob_is_matched_by_any_file_in_one_pass() {
        let files: Vec<String> = ["a/x.yaml", "c/b/d.txt", "e.json"]
            .iter()
            .map(|f| f.to_string())
            .collect();
        // `b` names a directory at any depth: everything under it matches.
        let globs = ["**/*.yaml", "a/**", "**/*.ini", "b", "*.json", "x/**"];
        assert_eq!(
            matched_globs(&globs, &files),
            [true, true, false, true, true, false]
        );
        assert_eq!(matched_globs(&globs, &[]), [false; 6]);
        assert!(matched_globs(&[], &files).is_empty());
    }
}
