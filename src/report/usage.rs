//! Which authority files use each canonical name, for the markdown report's
//! "source of authority" column: gathered from what planning recorded
//! ([`crate::plan::FilePlan::canonical_uses`]), never by reading a file
//! again.

use std::collections::{BTreeMap, BTreeSet};

use crate::rules::{Role, RuleSet};
use crate::run::Run;

/// Canonical name → sorted paths of the authority files that use it in a
/// governed field.
pub fn authority_uses(run: &Run, rules: &RuleSet) -> BTreeMap<String, BTreeSet<String>> {
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for plan in run.plans().filter(|p| p.role == Role::Authority) {
        for name in plan
            .canonical_uses
            .iter()
            .filter_map(|&i| rules.canonicals.get(i))
        {
            uses.entry(name.name.clone())
                .or_default()
                .insert(plan.rel_path.clone());
        }
    }
    uses
}
