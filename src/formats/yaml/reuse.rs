//! Where a scalar is read a second time: through an alias (`*b`) of an
//! anchored collection (`&b {host: pve-shop}`) that holds it, or a merge key
//! (`<<: *b`) of one.
//!
//! Aliases are never expanded in the text, so rewriting the scalar once
//! changes what every such alias reads. The planner needs those paths to
//! decide whether each of them is governed (else the finding is `manual`).
//! Paths are derived from the anchored collection's uses, also through
//! aliases nested in other aliased collections, up to [`MAX_PATHS`] per
//! scalar (an alias bomb would otherwise make them explode).

use std::collections::HashMap;

use crate::formats::{DocPath as Path, Seg};

/// Anchored collections around a node, innermost last: `(anchor id, number
/// of path segments up to and including that collection)`.
pub(crate) type Enclosing = Vec<(usize, usize)>;

/// Most reuse paths followed for one scalar.
pub(crate) const MAX_PATHS: usize = 256;

/// One alias of an anchored collection: where it stands, and the anchored
/// collections around it (which may be aliased in turn).
struct Use {
    path: Path,
    enclosing: Enclosing,
}

/// The uses of every anchored collection of a stream.
#[derive(Default)]
pub(crate) struct Uses {
    by_anchor: HashMap<usize, Vec<Use>>,
}

impl Uses {
    /// Records an alias of collection `anchor` at `path`. A merge key
    /// (`<<: *b`) brings the collection's keys into the mapping that holds
    /// it, so its use stands at that mapping's path.
    pub fn add(&mut self, anchor: usize, mut path: Path, enclosing: Enclosing) {
        if path.last() == Some(&Seg::Key("<<".into())) {
            path.pop();
        }
        let enclosing = enclosing
            .into_iter()
            .filter(|&(_, len)| len <= path.len())
            .collect();
        self.by_anchor
            .entry(anchor)
            .or_default()
            .push(Use { path, enclosing });
    }

    pub fn is_empty(&self) -> bool {
        self.by_anchor.is_empty()
    }

    /// Every other path where the node at `path` (inside `enclosing`) is
    /// read; `None` when there are more than [`MAX_PATHS`].
    pub fn paths(&self, path: &[Seg], enclosing: &[(usize, usize)]) -> Option<Vec<Path>> {
        let mut out = Vec::new();
        let mut todo: Vec<(Path, Enclosing)> = vec![(path.to_vec(), enclosing.to_vec())];
        while let Some((path, enclosing)) = todo.pop() {
            for &(anchor, len) in &enclosing {
                let rel = path.get(len..).unwrap_or_default();
                for u in self.by_anchor.get(&anchor).into_iter().flatten() {
                    let mut p = u.path.clone();
                    p.extend_from_slice(rel);
                    if out.len() >= MAX_PATHS {
                        return None;
                    }
                    out.push(p.clone());
                    if !u.enclosing.is_empty() {
                        todo.push((p, u.enclosing.clone()));
                    }
                }
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Seg {
        Seg::Key(k.into())
    }

    #[test]
    fn paths_follow_uses_merge_keys_and_nested_aliases() {
        let mut u = Uses::default();
        // a: &1 {x: &2 {host: …}}; c: *2; d: *1; e: {<<: *1}; f: &3 [*2]; g: *3
        u.add(2, vec![key("c")], vec![]);
        u.add(1, vec![key("d")], vec![]);
        u.add(1, vec![key("e"), key("<<")], vec![]);
        u.add(2, vec![key("f"), Seg::Index(0)], vec![(3, 1)]);
        u.add(3, vec![key("g")], vec![]);
        let mut got = u
            .paths(&[key("a"), key("x"), key("host")], &[(1, 1), (2, 2)])
            .unwrap();
        got.sort();
        let want: Vec<Path> = vec![
            vec![key("c"), key("host")],
            vec![key("d"), key("x"), key("host")],
            vec![key("e"), key("x"), key("host")],
            vec![key("f"), Seg::Index(0), key("host")],
            vec![key("g"), Seg::Index(0), key("host")],
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn a_self_referencing_collection_stops_at_the_limit() {
        let mut u = Uses::default();
        // a: &1 [*1]
        u.add(1, vec![key("a"), Seg::Index(0)], vec![(1, 1)]);
        assert!(u.paths(&[key("a"), key("x")], &[(1, 1)]).is_none());
    }
}
