//! The alignment report in GitHub-flavoured markdown (being written).

use crate::rules::RuleSet;
use crate::run::Run;

/// `scan --format markdown`.
pub fn scan(run: &Run, _rules: &RuleSet) -> String {
    format!(
        "# driftfix alignment report\n\n{}\n",
        crate::report::human::summary_line(run)
    )
}

/// `fix --format markdown`: the report plus the diff.
pub fn fix(run: &Run, rules: &RuleSet, patch: &str) -> String {
    format!("{}\n```diff\n{patch}```\n", scan(run, rules))
}
