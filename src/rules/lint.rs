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
    let mut exclude_index = 0;
    let mut out = Vec::new();
    for (place, glob) in &rules.paths.patterns {
        let hit = if place == "exclude" {
            let i = exclude_index;
            exclude_index += 1;
            match excluded {
                Some(seen) => seen.contains(&i),
                None => any_match(glob, files),
            }
        } else {
            any_match(glob, files)
        };
        if !hit {
            out.push(Warning::new(format!(
                "{place} glob `{glob}` matches no {what}"
            )));
        }
    }
    for e in rules.types.entries() {
        if !files.iter().any(|f| e.globs.is_match(f)) {
            out.push(Warning::new(format!(
                "{}: [types] glob `{}` matches no {what}",
                e.origin, e.text
            )));
        }
    }
    // `text` is never assigned by default: a rule for text files alone
    // with no `[types]` line that maps a file to text governs nothing.
    let any_text = || {
        files
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

fn any_match(glob: &str, files: &[String]) -> bool {
    match PathGlobs::new(&[glob], GlobOptions::default()) {
        Ok(g) => files.iter().any(|f| g.is_match(f)),
        // Validated when loading; an unreadable one is not reported twice.
        Err(_) => true,
    }
}
