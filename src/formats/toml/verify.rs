//! Verification with the `toml` crate: the new text's data must equal the old
//! text's data with exactly the planned substitutions applied.
//!
//! Substitutions are applied to the old data by path: values first (their
//! paths use the old key names), then key renames from the deepest path up,
//! so every path still names old keys when it is used; a renamed key takes
//! its whole subtree along. Comparison is iterative (explicit stack) and reads
//! NaN as equal to NaN, so a document holding `nan` can be verified.

use std::collections::BTreeMap;

use toml::{Table, Value};

use crate::formats::{DocPath as Path, ScalarKind, Seg, Substitution, path_to_string};

pub(super) fn verify(old: &str, new: &str, subs: &[Substitution]) -> Result<(), String> {
    let mut expected: Table = old
        .parse()
        .map_err(|e| format!("the original text does not parse: {e}"))?;
    let actual: Table = new
        .parse()
        .map_err(|e| format!("the rewritten text does not parse: {e}"))?;
    apply_values(&mut expected, subs)?;
    apply_key_renames(&mut expected, subs)?;
    compare(&expected, &actual)
}

fn apply_values(root: &mut Table, subs: &[Substitution]) -> Result<(), String> {
    for s in subs.iter().filter(|s| s.scalar.kind == ScalarKind::Value) {
        let at = path_to_string(&s.scalar.path);
        match value_at(root, &s.scalar.path) {
            Some(Value::String(v)) if *v == s.scalar.value => *v = s.new_value.clone(),
            _ => {
                return Err(format!(
                    "no string {:?} at {at} in the original data",
                    s.scalar.value
                ));
            }
        }
    }
    Ok(())
}

/// Each key path is renamed once, however many times it is written
/// (headers, dotted keys); two different new names for one key are refused.
fn apply_key_renames(root: &mut Table, subs: &[Substitution]) -> Result<(), String> {
    let mut renames: BTreeMap<&Path, &str> = BTreeMap::new();
    for s in subs.iter().filter(|s| s.scalar.kind == ScalarKind::Key) {
        match renames.insert(&s.scalar.path, &s.new_value) {
            Some(other) if other != s.new_value => {
                return Err(format!(
                    "key {} renamed two ways",
                    path_to_string(&s.scalar.path)
                ));
            }
            _ => {}
        }
    }
    let mut ordered: Vec<(&Path, &str)> = renames.into_iter().collect();
    ordered.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    for (path, new_name) in ordered {
        let at = path_to_string(path);
        let (Some(Seg::Key(old_name)), Some(parent_path)) =
            (path.last(), path.get(..path.len().saturating_sub(1)))
        else {
            return Err(format!("key path {at} does not end with a key"));
        };
        let parent = if parent_path.is_empty() {
            Some(&mut *root)
        } else {
            match value_at(root, parent_path) {
                Some(Value::Table(t)) => Some(t),
                _ => None,
            }
        };
        let parent = parent.ok_or_else(|| format!("no table holds the key {at}"))?;
        if old_name == new_name {
            continue;
        }
        if parent.contains_key(new_name) {
            return Err(format!(
                "renaming {at} to {new_name:?} collides with an existing key"
            ));
        }
        let item = parent
            .remove(old_name)
            .ok_or_else(|| format!("no key {at} in the original data"))?;
        parent.insert(new_name.to_string(), item);
    }
    Ok(())
}

/// The value at `path` (non-empty).
fn value_at<'a>(root: &'a mut Table, path: &[Seg]) -> Option<&'a mut Value> {
    let (first, rest) = path.split_first()?;
    let Seg::Key(k) = first else { return None };
    let mut cur = root.get_mut(k)?;
    for seg in rest {
        cur = match (seg, cur) {
            (Seg::Key(k), Value::Table(t)) => t.get_mut(k)?,
            (Seg::Index(i), Value::Array(a)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// Compares two tables, reporting the path of the first difference.
fn compare(expected: &Table, actual: &Table) -> Result<(), String> {
    let mut stack: Vec<(Path, Node<'_>, Node<'_>)> =
        vec![(Vec::new(), Node::Table(expected), Node::Table(actual))];
    while let Some((path, e, a)) = stack.pop() {
        let at = || {
            if path.is_empty() {
                "the document root".to_string()
            } else {
                path_to_string(&path)
            }
        };
        match (e, a) {
            (Node::Table(e), Node::Table(a)) => {
                if let Some(k) = e.keys().find(|k| !a.contains_key(*k)) {
                    return Err(format!(
                        "key {k:?} missing under {} after the rewrite",
                        at()
                    ));
                }
                if let Some(k) = a.keys().find(|k| !e.contains_key(*k)) {
                    return Err(format!(
                        "unexpected key {k:?} under {} after the rewrite",
                        at()
                    ));
                }
                for (k, ev) in e {
                    if let Some(av) = a.get(k) {
                        let mut p = path.clone();
                        p.push(Seg::Key(k.clone()));
                        stack.push((p, Node::Value(ev), Node::Value(av)));
                    }
                }
            }
            (Node::Value(Value::Table(e)), Node::Value(Value::Table(a))) => {
                stack.push((path, Node::Table(e), Node::Table(a)));
            }
            (Node::Value(Value::Array(e)), Node::Value(Value::Array(a))) => {
                if e.len() != a.len() {
                    return Err(format!("array {} changed length after the rewrite", at()));
                }
                for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                    let mut p = path.clone();
                    p.push(Seg::Index(i));
                    stack.push((p, Node::Value(ev), Node::Value(av)));
                }
            }
            (Node::Value(e), Node::Value(a)) if leaf_eq(e, a) => {}
            _ => return Err(format!("value at {} differs after the rewrite", at())),
        }
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Node<'a> {
    Table(&'a Table),
    Value(&'a Value),
}

fn leaf_eq(e: &Value, a: &Value) -> bool {
    match (e, a) {
        (Value::String(e), Value::String(a)) => e == a,
        (Value::Integer(e), Value::Integer(a)) => e == a,
        (Value::Float(e), Value::Float(a)) => {
            e.to_bits() == a.to_bits() || (e.is_nan() && a.is_nan())
        }
        (Value::Boolean(e), Value::Boolean(a)) => e == a,
        (Value::Datetime(e), Value::Datetime(a)) => e == a,
        _ => false,
    }
}
