//! Verification: the edited text, read again with the same model, must be
//! the original model with exactly the planned substitutions — same facts
//! (sections, ports, non-string values, line structure), same scalars in
//! the same order, each with its old value or its planned new one, and the
//! same comments byte for byte. Renamed hosts and groups are checked
//! through their keys like any other scalar.
//!
//! The independent check is `ansible-inventory` itself, in the tests
//! (`tests/ansible_ini.rs`): Python is not run at fix time.

use crate::formats::{Substitution, path_to_string};

use super::parse;

/// `kept`: the scan's reading of `old`, when the planner kept it.
pub fn verify(
    old: &str,
    kept: Option<&parse::Doc>,
    new: &str,
    subs: &[Substitution],
) -> Result<(), String> {
    let fresh;
    let before = match kept {
        Some(doc) => doc,
        None => {
            fresh =
                parse::read(old).map_err(|e| format!("the original text does not parse: {e}"))?;
            &fresh
        }
    };
    let after =
        parse::read(new).map_err(|e| format!("the edited text is not a valid inventory: {e}"))?;
    let mut expected: Vec<&str> = before.scalars.iter().map(|s| s.value.as_str()).collect();
    for sub in subs {
        let i = before
            .scalars
            .binary_search_by_key(&sub.scalar.span.start, |s| s.span.start)
            .ok()
            .filter(|&i| {
                before
                    .scalars
                    .get(i)
                    .is_some_and(|s| s.span == sub.scalar.span && s.kind == sub.scalar.kind)
            })
            .ok_or_else(|| {
                format!(
                    "no scalar at bytes {}..{} of the original text",
                    sub.scalar.span.start, sub.scalar.span.end
                )
            })?;
        if before.scalars.get(i).map(|s| &s.value) != Some(&sub.scalar.value) {
            return Err(format!(
                "the substitution for {} does not match the original text",
                path_to_string(&sub.scalar.path)
            ));
        }
        if let Some(e) = expected.get_mut(i) {
            *e = &sub.new_value;
        }
    }
    if before.facts != after.facts {
        let n = before
            .facts
            .iter()
            .zip(&after.facts)
            .position(|(a, b)| a != b)
            .unwrap_or(before.facts.len().min(after.facts.len()));
        return Err(format!(
            "the edited inventory's structure differs (at item {}: expected {:?}, found {:?})",
            n + 1,
            before.facts.get(n),
            after.facts.get(n)
        ));
    }
    if before.scalars.len() != after.scalars.len() {
        return Err(format!(
            "the edited inventory has {} names and values, expected {}",
            after.scalars.len(),
            before.scalars.len()
        ));
    }
    for ((want, got), old_scalar) in expected.iter().zip(&after.scalars).zip(&before.scalars) {
        if got.value != *want || got.kind != old_scalar.kind {
            return Err(format!(
                "{} reads {:?} after editing, expected {:?}",
                path_to_string(&old_scalar.path),
                got.value,
                want
            ));
        }
    }
    let comment_texts = |text: &str, doc: &parse::Doc| -> Vec<String> {
        doc.comments
            .iter()
            .map(|r| text.get(r.clone()).unwrap_or("").to_string())
            .collect()
    };
    if comment_texts(old, before) != comment_texts(new, &after) {
        return Err("a comment changed".to_string());
    }
    Ok(())
}
