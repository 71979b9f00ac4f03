//! What goes to stderr, never to the report stream: warnings, errors, and
//! the findings that need a manual fix. File names and values are shown one
//! line each, whatever they hold ([`super::visible`]).

use std::io::Write as _;

use super::visible;
use crate::plan::Action;
use crate::rules::{RuleErrors, RuleSet};
use crate::run::Run;
use crate::warning::Warning;

/// The rules' warnings, then the run's: skipped walk entries, unmatched
/// globs, skipped files, and the errors of the run, each error with its
/// code frame ([`super::frame`]). `quiet` (`scan -q`): the errors only.
pub fn diagnostics(rules: &RuleSet, r: &Run, quiet: bool) {
    let mut err = std::io::stderr().lock();
    if !quiet {
        for w in &rules.warnings {
            let _ = writeln!(err, "{}", visible(&w.to_string()));
        }
        for w in &r.warnings {
            let _ = writeln!(err, "{}", visible(&w.to_string()));
        }
        for s in r.skipped() {
            let w = Warning::new(format!("{}: skipped: {}", s.path, s.message));
            let _ = writeln!(err, "{}", visible(&w.to_string()));
        }
        for w in hints(r) {
            let _ = writeln!(err, "{}", visible(&w.to_string()));
        }
    }
    for (line, e) in r.error_lines().iter().zip(r.errors_with_positions()) {
        let _ = writeln!(err, "{}", visible(line));
        if let Some(source) = &e.source {
            let _ = write!(err, "{}", super::frame::render(source));
        }
    }
}

/// Rule-file errors, one `error: FILE:LINE:COL: message` line each (as
/// [`crate::rules::RuleError`] displays it), followed by its code frame.
pub fn rule_errors(errors: &RuleErrors) {
    let mut err = std::io::stderr().lock();
    for e in &errors.0 {
        let _ = writeln!(err, "error: {e}");
        if let Some(source) = &e.source {
            let _ = write!(err, "{}", super::frame::render(source));
        }
    }
}

/// "Did you mean": an alias outside governed fields that a selector
/// almost governs (SPEC §8), next to where it is.
fn hints(r: &Run) -> Vec<Warning> {
    r.plans()
        .flat_map(|p| {
            p.ungoverned.iter().filter_map(move |o| {
                Some(Warning::new(format!(
                    "{}:{}:{}: `{}` at `{}` is outside governed fields; did you mean `{}`?",
                    p.rel_path,
                    o.line,
                    o.column,
                    o.alias,
                    o.field.as_deref().unwrap_or("."),
                    o.hint.as_deref()?
                )))
            })
        })
        .collect()
}

/// Manual findings in editable files: always on stderr (never hidden by a
/// diff).
pub fn leftovers(r: &Run) {
    let mut err = std::io::stderr().lock();
    for f in r.findings().filter(|f| f.action == Action::Manual) {
        let _ = writeln!(
            err,
            "manual: {}:{}:{}: {} `{}`: {}",
            visible(&f.path),
            f.line,
            f.column,
            super::field_shown(f),
            super::actual_excerpt(f),
            f.reason.as_deref().unwrap_or("not safely fixable")
        );
    }
}
