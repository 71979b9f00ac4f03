//! Verification: the edited text, read again with the same model, must be
//! the original model with exactly the planned substitutions — same facts
//! (sections, ports, non-string values, line structure), same scalars in
//! the same order, each with its old value or its planned new one, and the
//! same comments byte for byte. Renamed hosts and groups are checked
//! through their keys like any other scalar.
//!
//! The independent check is `ansible-inventory` itself, in the tests
//! (`tests/ansible_ini.rs`): Python is not run at fix time.

use std::ops::Range;

use crate::formats::{ScalarKind, Substitution, path_to_string};

use super::parse::{self, Doc, Fact};

/// What verification compares of a reading: each string scalar's place,
/// kind and value, the structural facts, the comments. Kept by the scan in
/// place of a second copy of its scalars (paths, links and pieces, ten
/// allocations a host variable: 37% of a 6 MB inventory's run, issue 19).
#[derive(Debug, Default)]
pub struct Model {
    slots: Vec<Slot>,
    facts: Vec<Fact>,
    comments: Vec<Range<usize>>,
}

#[derive(Debug)]
struct Slot {
    span: Range<usize>,
    kind: ScalarKind,
    value: String,
}

impl Model {
    /// The model of a reading whose scalars are kept elsewhere: their
    /// values are copied.
    pub fn copied(doc: &Doc) -> Model {
        Model {
            slots: doc
                .scalars
                .iter()
                .map(|s| Slot {
                    span: s.span.clone(),
                    kind: s.kind,
                    value: s.value.clone(),
                })
                .collect(),
            facts: doc.facts.clone(),
            comments: doc.comments.clone(),
        }
    }

    /// The model of `text`, read without paths ([`parse::read_lean`]).
    fn read(text: &str) -> Result<Model, crate::formats::ParseError> {
        let doc = parse::read_lean(text)?;
        Ok(Model {
            slots: doc
                .scalars
                .into_iter()
                .map(|s| Slot {
                    span: s.span,
                    kind: s.kind,
                    value: s.value,
                })
                .collect(),
            facts: doc.facts,
            comments: doc.comments,
        })
    }
}

/// `kept`: the scan's model of `old`, when the planner kept it.
pub fn verify(
    old: &str,
    kept: Option<&Model>,
    new: &str,
    subs: &[Substitution],
) -> Result<(), String> {
    let fresh;
    let before = match kept {
        Some(model) => model,
        None => {
            fresh =
                Model::read(old).map_err(|e| format!("the original text does not parse: {e}"))?;
            &fresh
        }
    };
    let after =
        Model::read(new).map_err(|e| format!("the edited text is not a valid inventory: {e}"))?;
    let mut expected: Vec<&str> = before.slots.iter().map(|s| s.value.as_str()).collect();
    for sub in subs {
        let i = before
            .slots
            .binary_search_by_key(&sub.scalar.span.start, |s| s.span.start)
            .ok()
            .filter(|&i| {
                before
                    .slots
                    .get(i)
                    .is_some_and(|s| s.span == sub.scalar.span && s.kind == sub.scalar.kind)
            })
            .ok_or_else(|| {
                format!(
                    "no scalar at bytes {}..{} of the original text",
                    sub.scalar.span.start, sub.scalar.span.end
                )
            })?;
        if before.slots.get(i).map(|s| &s.value) != Some(&sub.scalar.value) {
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
    if before.slots.len() != after.slots.len() {
        return Err(format!(
            "the edited inventory has {} names and values, expected {}",
            after.slots.len(),
            before.slots.len()
        ));
    }
    let differs = expected
        .iter()
        .zip(&after.slots)
        .zip(&before.slots)
        .position(|((want, got), old)| got.value != *want || got.kind != old.kind);
    if let Some(i) = differs {
        return Err(format!(
            "{} reads {:?} after editing, expected {:?}",
            path_of(old, i),
            after.slots.get(i).map_or("", |s| s.value.as_str()),
            expected.get(i).copied().unwrap_or("")
        ));
    }
    if !comment_texts(old, before).eq(comment_texts(new, &after)) {
        return Err("a comment changed".to_string());
    }
    Ok(())
}

/// The text of each comment of `model`, read from `text`.
fn comment_texts<'a>(text: &'a str, model: &'a Model) -> impl Iterator<Item = &'a str> {
    model
        .comments
        .iter()
        .map(|r| text.get(r.clone()).unwrap_or(""))
}

/// The path of the `i`th scalar of `old`, for a message: the models hold
/// none, so `old` is read again in full, once, on this failure only.
fn path_of(old: &str, i: usize) -> String {
    parse::read(old)
        .ok()
        .and_then(|doc| doc.scalars.get(i).map(|s| path_to_string(&s.path)))
        .unwrap_or_else(|| format!("name or value {}", i + 1))
}
