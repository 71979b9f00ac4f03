//! Renames that would merge two names into one: a key renamed onto a key
//! that already exists in the same mapping (or onto the same new name as
//! another rename there), and a linked name renamed onto another name of its
//! namespace (an INI host onto another host of the file). Such candidates
//! become `manual`.

use std::collections::{HashMap, HashSet};

use super::govern::Candidate;
use crate::formats::{Scalar, ScalarKind, Seg};

/// Marks colliding renames manual; `new_value` gives a candidate's value
/// after its replacements.
pub(super) fn mark(
    scalars: &[Scalar],
    candidates: &mut [Candidate],
    new_value: &dyn Fn(&Candidate) -> String,
) {
    mark_keys(scalars, candidates, new_value);
    mark_links(scalars, candidates, new_value);
    mark_link_groups(candidates);
}

/// A linked name is renamed in all its places or in none (SPEC §9: an INI
/// host in every group that lists it; a group in `[g]`, `[g:vars]`,
/// `[g:children]` and every `[x:children]`): when one place cannot be
/// renamed (a collision, a blocked scalar), none is, or ansible-core would
/// read a different inventory (a `[g:vars]` for an undeclared group).
fn mark_link_groups(candidates: &mut [Candidate]) {
    let mut blocked: HashMap<crate::formats::Link, String> = HashMap::new();
    for c in candidates.iter().filter(|c| !c.hits.is_empty()) {
        if let (Some(link), Some(reason)) = (c.scalar.link(), &c.manual) {
            blocked
                .entry(link.clone())
                .or_insert_with(|| reason.clone());
        }
    }
    if blocked.is_empty() {
        return;
    }
    for c in candidates.iter_mut().filter(|c| c.manual.is_none()) {
        if let Some(reason) = c.scalar.link().and_then(|l| blocked.get(l)) {
            c.manual = Some(format!(
                "`{}` is one name written in several places, renamed together or not at all; another place cannot be renamed: {reason}",
                c.scalar.value
            ));
        }
    }
}

fn mark_keys(
    scalars: &[Scalar],
    candidates: &mut [Candidate],
    new_value: &dyn Fn(&Candidate) -> String,
) {
    let is_key = |c: &Candidate| c.scalar.kind == ScalarKind::Key && !c.hits.is_empty();
    if !candidates.iter().any(is_key) {
        return;
    }
    let mut keys: HashMap<(usize, &[Seg]), HashSet<&str>> = HashMap::new();
    for s in scalars.iter().filter(|s| s.kind == ScalarKind::Key) {
        if let Some((_, parent)) = s.path.split_last() {
            keys.entry((s.document, parent))
                .or_default()
                .insert(&s.value);
        }
    }
    let mut targets: HashMap<(usize, Vec<Seg>, String), HashSet<String>> = HashMap::new();
    for c in candidates.iter().filter(|c| is_key(c)) {
        if let Some((_, parent)) = c.scalar.path.split_last() {
            targets
                .entry((c.scalar.document, parent.to_vec(), new_value(c)))
                .or_default()
                .insert(c.scalar.value.clone());
        }
    }
    for c in candidates.iter_mut().filter(|c| is_key(c)) {
        let new = new_value(c);
        let Some((_, parent)) = c.scalar.path.split_last() else {
            continue;
        };
        let exists = keys
            .get(&(c.scalar.document, parent))
            .is_some_and(|k| k.contains(new.as_str()));
        let renamed_twice = targets
            .get(&(c.scalar.document, parent.to_vec(), new.clone()))
            .is_some_and(|olds| olds.len() > 1);
        if c.manual.is_none() && (exists || renamed_twice) {
            c.manual = Some(if exists {
                format!(
                    "renaming this key to `{new}` would collide with the existing key `{new}` in the same mapping"
                )
            } else {
                format!("another key of the same mapping is also renamed to `{new}`")
            });
        }
    }
}

fn mark_links(
    scalars: &[Scalar],
    candidates: &mut [Candidate],
    new_value: &dyn Fn(&Candidate) -> String,
) {
    let linked = |c: &Candidate| c.scalar.link().is_some() && !c.hits.is_empty();
    if !candidates.iter().any(linked) {
        return;
    }
    let mut names: HashMap<&str, HashSet<&str>> = HashMap::new();
    for link in scalars.iter().filter_map(|s| s.link()) {
        names
            .entry(link.namespace.as_str())
            .or_default()
            .insert(link.name.as_str());
    }
    let mut targets: HashMap<(String, String), HashSet<String>> = HashMap::new();
    for c in candidates.iter().filter(|c| linked(c)) {
        if let Some(link) = c.scalar.link() {
            targets
                .entry((link.namespace.clone(), new_value(c)))
                .or_default()
                .insert(link.name.clone());
        }
    }
    for c in candidates.iter_mut().filter(|c| linked(c)) {
        let Some(link) = c.scalar.link() else {
            continue;
        };
        let new = new_value(c);
        let exists = new != link.name
            && names
                .get(link.namespace.as_str())
                .is_some_and(|n| n.contains(new.as_str()));
        let renamed_twice = targets
            .get(&(link.namespace.clone(), new.clone()))
            .is_some_and(|olds| olds.len() > 1);
        if c.manual.is_none() && (exists || renamed_twice) {
            c.manual = Some(if exists {
                format!(
                    "renaming `{}` to `{new}` would merge it with the existing `{new}` in this file",
                    link.name
                )
            } else {
                format!("another name in this file is also renamed to `{new}`")
            });
        }
    }
}
