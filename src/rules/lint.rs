//! Warnings about rules that are valid but probably not what was meant:
//! globs that match no file under the base directory. `include` and
//! `exclude` are left out: a defensive `**/node_modules/**` or an unused
//! `**/*.yml` is normal, while an `authority` glob that matches nothing is a
//! typo that would silently make the source of truth editable.

use std::path::Path;

use ignore::WalkBuilder;

use super::RuleSet;
use super::load::compile_glob;
use crate::fs::paths::relative_to;
use crate::warning::Warning;

/// One line per glob that matches no file under `base`.
pub fn warnings(rules: &RuleSet, base: &Path) -> Vec<Warning> {
    let files: Vec<String> = WalkBuilder::new(base)
        .hidden(false)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build()
        .flatten()
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter_map(|e| relative_to(base, e.path()))
        .collect();
    unmatched_globs(rules, &files, &format!("file under {}", base.display()))
}

/// One line per `authority`, `readonly`, field `files` or severity `files`
/// glob that matches none of `files` (paths relative to the base directory);
/// `what` names the files in the message ("file under DIR").
pub fn unmatched_globs(rules: &RuleSet, files: &[String], what: &str) -> Vec<Warning> {
    rules
        .paths
        .patterns
        .iter()
        .filter(|(place, _)| place != "include" && place != "exclude")
        .filter_map(|(place, glob)| {
            let matcher = compile_glob(glob).ok()?.compile_matcher();
            (!files.iter().any(|f| matcher.is_match(f)))
                .then(|| Warning::new(format!("{place} glob `{glob}` matches no {what}")))
        })
        .collect()
}
