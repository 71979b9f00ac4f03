//! Which authority files use each canonical name, for the markdown report's
//! "source of authority" column.
//!
//! Findings only record aliases, and the prefilter lets alias-free files skip
//! parsing, so a plan alone cannot say where a canonical name *is* used. This
//! module answers that for authority files only (the source of truth is
//! usually small): it takes the planned text when the file was parsed, else
//! reads the file again, scans it with its format engine and looks for the
//! canonical names in governed scalars, with each field rule's match mode and
//! case rule. A file that cannot be read or scanned simply counts as not
//! using any name (its error is already reported by the run).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use crate::rules::{MatchMode, Role, RuleSet};
use crate::run::{Outcome, Run, read_target};

/// Canonical name → sorted paths of the authority files that use it in a
/// governed field.
pub fn authority_uses(run: &Run, rules: &RuleSet) -> BTreeMap<String, BTreeSet<String>> {
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for o in run
        .outcomes
        .iter()
        .filter(|o| o.target.role == Role::Authority)
    {
        for name in names_used(o, rules) {
            uses.entry(name)
                .or_default()
                .insert(o.target.rel_path.clone());
        }
    }
    uses
}

/// The canonical names that one file uses in governed scalars.
fn names_used(o: &Outcome, rules: &RuleSet) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let Ok(plan) = &o.result else {
        return found;
    };
    let fields: Vec<_> = rules
        .fields
        .iter()
        .filter(|f| f.applies_to(plan.file_type, &plan.rel_path))
        .collect();
    if fields.is_empty() {
        return found;
    }
    let text: Cow<str> = if plan.parsed {
        Cow::Borrowed(plan.original.as_str())
    } else {
        match read_target(&o.target, u64::MAX)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
        {
            Some(t) => Cow::Owned(t),
            None => return found,
        }
    };
    let folded = text.to_ascii_lowercase();
    let candidates: Vec<&str> = rules
        .canonicals
        .iter()
        .map(|c| c.name.as_str())
        .filter(|n| folded.contains(&n.to_ascii_lowercase()))
        .collect();
    if candidates.is_empty() {
        return found;
    }
    let Ok(scan) = plan.file_type.format().scan(&text) else {
        return found;
    };
    for s in scan.scalars.iter().filter(|s| !s.is_reference()) {
        let Some(field) = fields.iter().find(|f| f.governs(&s.path, s.kind)) else {
            continue;
        };
        for name in &candidates {
            if uses_name(&s.value, name, field.mode, field.ignore_case) {
                found.insert((*name).to_string());
            }
        }
    }
    found
}

/// Whether `value` holds `name` under a match mode (the same boundary rule
/// as alias matching: no `[A-Za-z0-9_-]` directly around a token).
pub fn uses_name(value: &str, name: &str, mode: MatchMode, ignore_case: bool) -> bool {
    let eq = |a: &str, b: &str| {
        if ignore_case {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    };
    match mode {
        MatchMode::Exact => eq(value, name),
        MatchMode::Token => {
            if name.is_empty() {
                return false;
            }
            let (hay, needle) = if ignore_case {
                (value.to_ascii_lowercase(), name.to_ascii_lowercase())
            } else {
                (value.to_string(), name.to_string())
            };
            let bytes = hay.as_bytes();
            let is_word = |b: Option<&u8>| {
                b.is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
            };
            hay.match_indices(&needle).any(|(start, m)| {
                let end = start + m.len();
                let before = start.checked_sub(1).and_then(|i| bytes.get(i));
                !is_word(before) && !is_word(bytes.get(end))
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_and_token_use() {
        assert!(uses_name("pve", "pve", MatchMode::Exact, false));
        assert!(!uses_name("PVE", "pve", MatchMode::Exact, false));
        assert!(uses_name("PVE", "pve", MatchMode::Exact, true));
        assert!(!uses_name("pve-shop", "pve", MatchMode::Exact, false));
        assert!(uses_name(
            "https://pve.lan:8006",
            "pve",
            MatchMode::Token,
            false
        ));
        assert!(!uses_name("pve-shop.lan", "pve", MatchMode::Token, false));
        assert!(!uses_name("xpve", "pve", MatchMode::Token, false));
        assert!(uses_name("a xpve pve", "pve", MatchMode::Token, false));
        assert!(uses_name("at PVE.", "pve", MatchMode::Token, true));
        assert!(!uses_name("anything", "", MatchMode::Token, false));
    }
}
