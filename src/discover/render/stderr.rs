//! What discover prints on stderr, never on its output stream: warnings,
//! skipped files, errors, and the closing summary line.

use std::io::Write as _;

use super::Outcome;
use crate::report::{plural, visible};
use crate::rules::RuleSet;
use crate::warning::Warning;

/// The rules' warnings, then the walk's, skipped files and errors.
pub fn diagnostics(rules: &RuleSet, outcome: &Outcome) {
    let mut err = std::io::stderr().lock();
    for w in &rules.warnings {
        let _ = writeln!(err, "{w}");
    }
    for w in &outcome.warnings {
        let _ = writeln!(err, "{}", visible(&w.to_string()));
    }
    for s in &outcome.skipped {
        let w = Warning::new(format!("{}: skipped: {}", s.path, s.message));
        let _ = writeln!(err, "{}", visible(&w.to_string()));
    }
    for e in &outcome.errors {
        let _ = writeln!(err, "error: {}", visible(&e.to_string()));
    }
    if outcome.discovery.authority.files.is_empty() {
        let w = Warning::new(
            "no authority file was read: canonical names come from the files `[paths] authority` names",
        );
        let _ = writeln!(err, "{w}");
    }
}

/// `discover: 5 canonical names from 3 authority files; 3 aliases
/// proposed, 1 unresolved (11 files read)`.
pub fn summary_line(outcome: &Outcome) -> String {
    let d = &outcome.discovery;
    let proposed = d.proposed().count();
    format!(
        "discover: {} canonical name{} from {} authority file{}; {} alias{} proposed, {} unresolved ({} file{} read)",
        d.canonicals.len(),
        plural(d.canonicals.len()),
        d.authority.files.len(),
        plural(d.authority.files.len()),
        proposed,
        if proposed == 1 { "" } else { "es" },
        d.unresolved.len(),
        d.files_read,
        plural(d.files_read),
    )
}
