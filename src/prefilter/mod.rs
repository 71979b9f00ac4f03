//! The byte-level prefilter: "could this file (or this scalar's bytes) hold
//! an alias at all?", run over every file, so it has to run at memory speed,
//! and must never say no to a file whose parsed values hold an alias.
//!
//! Two refinements over a plain substring search, both derived from how
//! [`crate::matcher`] matches values:
//!
//! * **Token boundaries.** A value only ever matches an alias that no
//!   `[A-Za-z0-9_-]` byte touches (exact mode: the whole value; token mode:
//!   the matcher's token rule). So `pve-shop` inside `pve-shop-backup` is not
//!   a hit, and a tree full of near-miss names is not parsed file by file
//!   (issue 19: 39.5x rg before). Escapes can hide a boundary (`"\tpve-shop"`
//!   has `t` before the alias in its bytes, a tab in its value): a
//!   backslash within [`LONGEST_ESCAPE`] bytes before a candidate lets it
//!   through.
//! * **Escapes.** An alias written with escapes (`"pve\u002dshop"`) is not
//!   in the bytes at all. A file holding a backslash is also searched in its
//!   escape-decoded form ([`escapes::decode`]), a superset of what JSON,
//!   YAML, TOML and Python literals decode to.

mod escapes;
pub mod stream;

use std::cell::RefCell;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Input, MatchKind, packed};

use crate::token::{Trie, is_label_byte};

/// The longest escape that can sit between a token boundary and an alias:
/// `\UXXXXXXXX`.
const LONGEST_ESCAPE: usize = 10;

/// The prefilter of one pattern set (the aliases, or the canonical names).
pub(crate) struct Prefilter {
    pub(crate) search: Search,
    /// Checks a candidate position the way the matcher would: some pattern
    /// starts there and ends on a token boundary.
    trie: Trie,
    /// The length in bytes of the longest pattern.
    longest: usize,
    /// Per pattern of a [`Search::Packed`] search: no other pattern starts
    /// with it or is a start of it. Such a pattern is the only one that can
    /// match where it is found, so its candidate ends on a boundary exactly
    /// when the byte after it is no label byte: no trie walk (on a tree of
    /// near-misses, every candidate). Empty for other searches.
    alone: Vec<bool>,
}

/// Where the search found a pattern.
struct Candidate {
    start: usize,
    end: usize,
    pattern: usize,
}

/// The substring search that finds candidate positions.
pub(crate) enum Search {
    /// No patterns: nothing can match.
    Nothing,
    /// Teddy (SIMD) over all patterns: up to 64, case-sensitive. The
    /// general automaton's own prefilter picks "rare bytes" once there are
    /// more than 16 patterns, which on inventories (full of digits and `-`)
    /// fires every few bytes and ran 3-4x slower on the benchmark trees.
    Packed(packed::Searcher),
    /// Anything else (more than 64 patterns, or ASCII case folding).
    Automaton(AhoCorasick),
    /// The automaton could not be built: parse every file (slow, but never
    /// misses a finding).
    Everything,
}

thread_local! {
    /// The escape-decoded copy of the bytes being searched, reused: only
    /// files holding a backslash pay for it.
    static DECODED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// A decoded buffer larger than this is given back after use, so one huge
/// file does not pin its size per thread for the rest of the run.
const KEEP_DECODED: usize = 4 << 20;

impl Prefilter {
    pub(crate) fn new(patterns: &[(String, usize)], fold: bool) -> Prefilter {
        let search = Search::new(patterns, fold);
        let alone = match search {
            Search::Packed(_) => alone(patterns),
            _ => Vec::new(),
        };
        Prefilter {
            search,
            trie: Trie::new(patterns, fold),
            longest: patterns.iter().map(|(p, _)| p.len()).max().unwrap_or(0),
            alone,
        }
    }

    /// The length in bytes of the longest pattern (what a search through a
    /// file in chunks must see across each boundary).
    pub(crate) fn longest_pattern(&self) -> usize {
        self.longest
    }

    /// `false` only when no value held in `bytes` can match a pattern.
    pub(crate) fn may_match(&self, bytes: &[u8]) -> bool {
        match self.search {
            Search::Nothing => return false,
            Search::Everything => return true,
            _ => {}
        }
        if self.bounded_hit(bytes) {
            return true;
        }
        if !crate::text::has_byte(bytes, b'\\') {
            return false;
        }
        DECODED.with(|cell| {
            let Ok(mut buf) = cell.try_borrow_mut() else {
                // Re-entered (never expected): decode into a fresh buffer.
                let mut own = Vec::new();
                return !escapes::decode(bytes, &mut own) || self.bounded_hit(&own);
            };
            let hit = !escapes::decode(bytes, &mut buf) || self.bounded_hit(&buf);
            if buf.capacity() > KEEP_DECODED {
                *buf = Vec::new();
            }
            hit
        })
    }

    /// Whether some pattern occurs in `bytes` on token boundaries (or with
    /// an escape just before it).
    fn bounded_hit(&self, bytes: &[u8]) -> bool {
        let mut from = 0;
        while let Some(found) = self.search.next_candidate(bytes, from) {
            if self.bounded_at(bytes, &found) {
                return true;
            }
            from = found.start + 1;
        }
        false
    }

    /// Whether the pattern found at `c.start` could be a match of the
    /// matcher: no label byte right before it (unless an escape may end
    /// there) and some pattern there ends on a boundary.
    fn bounded_at(&self, bytes: &[u8], c: &Candidate) -> bool {
        let before_ok = match c.start.checked_sub(1).and_then(|i| bytes.get(i)) {
            None => true,
            Some(&b) if !is_label_byte(b) => true,
            Some(_) => bytes
                .get(c.start.saturating_sub(LONGEST_ESCAPE)..c.start)
                .is_some_and(|w| w.contains(&b'\\')),
        };
        before_ok
            && match self.alone.get(c.pattern) {
                Some(true) => !bytes.get(c.end).is_some_and(|&b| is_label_byte(b)),
                _ => self.trie.longest_token_at(bytes, c.start).is_some(),
            }
    }
}

impl Search {
    fn new(patterns: &[(String, usize)], fold: bool) -> Search {
        if patterns.is_empty() {
            return Search::Nothing;
        }
        if !fold {
            let mut b = packed::Config::new()
                .match_kind(packed::MatchKind::LeftmostFirst)
                .builder();
            b.extend(patterns.iter().map(|(a, _)| a.as_bytes()));
            if let Some(s) = b.build() {
                return Search::Packed(s);
            }
        }
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(fold)
            .match_kind(MatchKind::LeftmostFirst)
            .build(patterns.iter().map(|(a, _)| a.as_str()))
            .map_or(Search::Everything, Search::Automaton)
    }

    /// The leftmost position at or after `from` where some pattern starts.
    fn next_candidate(&self, bytes: &[u8], from: usize) -> Option<Candidate> {
        if from >= bytes.len() {
            return None;
        }
        let m = match self {
            Search::Packed(s) => s.find_in(bytes, aho_corasick::Span::from(from..bytes.len())),
            Search::Automaton(ac) => ac.find(Input::new(bytes).range(from..)),
            Search::Nothing | Search::Everything => None,
        }?;
        Some(Candidate {
            start: m.start(),
            end: m.end(),
            pattern: m.pattern().as_usize(),
        })
    }
}

/// [`Prefilter::alone`] of each pattern: `false` when another pattern
/// starts with it or it starts with another (equal ones included).
fn alone(patterns: &[(String, usize)]) -> Vec<bool> {
    patterns
        .iter()
        .enumerate()
        .map(|(i, (p, _))| {
            patterns.iter().enumerate().all(|(j, (q, _))| {
                i == j || !(p.starts_with(q.as_str()) || q.starts_with(p.as_str()))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pf(aliases: &[&str], fold: bool) -> Prefilter {
        let p: Vec<(String, usize)> = aliases.iter().map(|a| (a.to_string(), 0)).collect();
        Prefilter::new(&p, fold)
    }

    #[test]
    fn near_misses_are_not_hits() {
        let p = pf(&["pve-shop", "pve"], false);
        assert!(!p.may_match(b"x: pve-shop-backup\ny: xpve-shop\nz: pve_shop\n"));
        assert!(!p.may_match(b"url: https://pve-homelab.lan/\n"));
        assert!(p.may_match(b"x: pve-shop-backup\ny: pve-shop\n"));
        assert!(p.may_match(b"pve"));
        assert!(p.may_match(b"url: https://pve.lan/"));
        assert!(p.may_match(b"\"pve-shop\""));
        // The shorter alias first in rule order: the longer one still counts.
        assert!(p.may_match(b"x: pve-shop\n"));
    }

    #[test]
    fn overlapping_candidates_are_all_tried() {
        // `a.b` is rejected (x before it), `b` inside it is a token.
        let p = pf(&["a.b", "b"], false);
        assert!(p.may_match(b"xa.b"));
        assert!(!p.may_match(b"xa.bc"));
    }

    /// The shortcut for patterns in no prefix chain answers what the trie
    /// answers, at every position of texts built from the patterns' pieces
    /// and boundary bytes.
    #[test]
    fn alone_patterns_answer_as_the_trie_does() {
        let sets: [&[&str]; 4] = [
            &["pve-shop", "pve", "shop-pve", "nas01"],
            &["a.b", "b", "ab", "ba"],
            &["db01", "db02", "db0", "x"],
            &["k8s", "prod-k8s", "k8s-prod"],
        ];
        let pieces = [
            "pve", "-shop", "shop", "a", ".b", "b", "db0", "1", "2", "x", "k8s", "prod-", "-", "_",
            " ", "\\", ":", "\n",
        ];
        for set in sets {
            let p = pf(set, false);
            assert!(matches!(p.search, Search::Packed(_)));
            assert!(
                p.alone.iter().any(|&a| a) && p.alone.iter().any(|&a| !a),
                "{set:?}"
            );
            let mut seed = 7u64;
            for _ in 0..3_000 {
                let mut text = Vec::new();
                for _ in 0..(seed % 9) {
                    seed = seed
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    text.extend_from_slice(pieces[(seed >> 33) as usize % pieces.len()].as_bytes());
                }
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let by_trie = (0..text.len()).any(|start| {
                    let before_ok = start == 0
                        || !is_label_byte(text[start - 1])
                        || text[start.saturating_sub(LONGEST_ESCAPE)..start].contains(&b'\\');
                    before_ok && p.trie.longest_token_at(&text, start).is_some()
                });
                assert_eq!(
                    p.bounded_hit(&text),
                    by_trie,
                    "{set:?} {:?}",
                    String::from_utf8_lossy(&text)
                );
            }
        }
    }

    #[test]
    fn escapes_are_seen_through() {
        let p = pf(&["pve-shop"], false);
        assert!(p.may_match(br#"{"h": "pve\u002dshop"}"#));
        assert!(p.may_match(br#"h = "\u0070ve-shop""#));
        assert!(p.may_match(br#"h: "pve\x2dshop""#));
        assert!(p.may_match(b"h: \"pve-\\\n    shop\"\n"));
        // An escape right before the alias: a boundary in the value.
        assert!(p.may_match(br#"{"h": "a\tpve-shop"}"#));
        assert!(p.may_match(br#"{"h": "a\u0020pve-shop"}"#));
        assert!(!p.may_match(br#"{"h": "pve\u002dshop-backup"}"#));
        assert!(!p.may_match(br#"{"h": "C:\\pve"}"#));
    }

    #[test]
    fn case_folding_keeps_the_boundaries() {
        let p = pf(&["pve-shop"], true);
        assert!(p.may_match(b"x: PVE-Shop\n"));
        assert!(!p.may_match(b"x: PVE-Shop-2\n"));
    }
}
