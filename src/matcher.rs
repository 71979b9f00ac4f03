//! Alias matching inside one value (exact or token), and the byte-level
//! prefilter that lets files without any alias skip parsing altogether.
//!
//! Case-insensitive matching (`ignore_case = true`) folds ASCII case only:
//! host labels are ASCII, and ASCII folding keeps byte offsets stable.

use std::collections::HashMap;
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind, packed};

use crate::rules::{MatchMode, RuleSet};

/// One alias occurrence in a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Byte range in the value.
    pub range: Range<usize>,
    /// The alias as written in the rules.
    pub alias: String,
    /// Index into [`RuleSet::canonicals`].
    pub canonical: usize,
}

/// Matches the aliases of a rule set.
pub struct Matcher {
    /// `(alias, canonical index)` in automaton pattern order.
    patterns: Vec<(String, usize)>,
    exact: HashMap<String, usize>,
    exact_folded: HashMap<String, usize>,
    token: Option<AhoCorasick>,
    token_folded: Option<AhoCorasick>,
    prefilter: Prefilter,
}

/// The "could this file hold any alias at all?" test, run over every file's
/// bytes, so it has to run at memory speed.
enum Prefilter {
    /// No aliases: nothing can match.
    Nothing,
    /// Teddy (SIMD) over all aliases: up to 64 aliases, case-sensitive. The
    /// general automaton's own prefilter picks "rare bytes" once there are
    /// more than 16 patterns, which on inventories (full of digits and `-`)
    /// fires every few bytes and ran 3-4x slower on the benchmark trees.
    Packed(packed::Searcher),
    /// Anything else (more than 64 aliases, or ASCII case folding).
    Automaton(AhoCorasick),
    /// The automaton could not be built: parse every file (slow, but never
    /// misses a finding).
    Everything,
}

impl Matcher {
    pub fn new(rules: &RuleSet) -> Matcher {
        let mut patterns = Vec::new();
        for (i, c) in rules.canonicals.iter().enumerate() {
            for a in &c.aliases {
                patterns.push((a.clone(), i));
            }
        }
        let exact = patterns.iter().map(|(a, i)| (a.clone(), *i)).collect();
        let exact_folded = patterns
            .iter()
            .map(|(a, i)| (a.to_ascii_lowercase(), *i))
            .collect();
        let build = |fold: bool, kind: MatchKind| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(fold)
                .match_kind(kind)
                .build(patterns.iter().map(|(a, _)| a.as_str()))
                .ok()
        };
        let any_fold = rules.any_ignore_case();
        Matcher {
            token: build(false, MatchKind::Standard),
            token_folded: build(true, MatchKind::Standard),
            prefilter: Prefilter::new(&patterns, any_fold),
            patterns,
            exact,
            exact_folded,
        }
    }

    /// `false` only when `bytes` cannot hold any alias, so the file need not
    /// be parsed (SPEC §6).
    pub fn may_match(&self, bytes: &[u8]) -> bool {
        match &self.prefilter {
            Prefilter::Nothing => false,
            Prefilter::Packed(s) => s.find(bytes).is_some(),
            Prefilter::Automaton(ac) => ac.is_match(bytes),
            Prefilter::Everything => true,
        }
    }

    /// Every alias occurrence in `value` under the given mode. Occurrences
    /// whose text already equals the canonical name (possible when folding
    /// case) are not drift and are left out.
    pub fn find(
        &self,
        value: &str,
        mode: MatchMode,
        ignore_case: bool,
        rules: &RuleSet,
    ) -> Vec<Hit> {
        let hits = match mode {
            MatchMode::Exact => self.find_exact(value, ignore_case),
            MatchMode::Token => self.find_tokens(value, ignore_case),
        };
        hits.into_iter()
            .filter(|h| {
                let canonical = rules.canonicals.get(h.canonical).map(|c| c.name.as_str());
                value.get(h.range.clone()) != canonical
            })
            .collect()
    }

    fn find_exact(&self, value: &str, ignore_case: bool) -> Vec<Hit> {
        let found = if ignore_case {
            self.exact_folded.get(&value.to_ascii_lowercase())
        } else {
            self.exact.get(value)
        };
        let Some(&canonical) = found else {
            return Vec::new();
        };
        let alias = self
            .patterns
            .iter()
            .find(|(a, i)| {
                *i == canonical && (a == value || (ignore_case && a.eq_ignore_ascii_case(value)))
            })
            .map(|(a, _)| a.clone())
            .unwrap_or_else(|| value.to_string());
        vec![Hit {
            range: 0..value.len(),
            alias,
            canonical,
        }]
    }

    /// Token matches: the alias with no `[A-Za-z0-9_-]` directly before or
    /// after; at one position the longest alias that fits wins, and matches
    /// never overlap (leftmost first).
    fn find_tokens(&self, value: &str, ignore_case: bool) -> Vec<Hit> {
        let ac = if ignore_case {
            &self.token_folded
        } else {
            &self.token
        };
        let Some(ac) = ac else {
            return Vec::new();
        };
        let bytes = value.as_bytes();
        let mut cands: Vec<(usize, usize, usize)> = ac
            .find_overlapping_iter(value)
            .filter(|m| is_boundary(bytes, m.start(), m.end()))
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect();
        cands.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut hits: Vec<Hit> = Vec::new();
        let mut next_free = 0;
        for (start, end, pat) in cands {
            if start < next_free {
                continue;
            }
            if let Some((alias, canonical)) = self.patterns.get(pat) {
                hits.push(Hit {
                    range: start..end,
                    alias: alias.clone(),
                    canonical: *canonical,
                });
                next_free = end;
            }
        }
        hits
    }
}

impl Prefilter {
    fn new(patterns: &[(String, usize)], fold: bool) -> Prefilter {
        if patterns.is_empty() {
            return Prefilter::Nothing;
        }
        if !fold {
            let mut b = packed::Config::new()
                .match_kind(packed::MatchKind::LeftmostFirst)
                .builder();
            b.extend(patterns.iter().map(|(a, _)| a.as_bytes()));
            if let Some(s) = b.build() {
                return Prefilter::Packed(s);
            }
        }
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(fold)
            .match_kind(MatchKind::LeftmostFirst)
            .build(patterns.iter().map(|(a, _)| a.as_str()))
            .map_or(Prefilter::Everything, Prefilter::Automaton)
    }
}

fn is_label_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

fn is_boundary(bytes: &[u8], start: usize, end: usize) -> bool {
    let before = start
        .checked_sub(1)
        .and_then(|i| bytes.get(i))
        .is_some_and(|&b| is_label_byte(b));
    let after = bytes.get(end).is_some_and(|&b| is_label_byte(b));
    !before && !after
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(extra: &str) -> RuleSet {
        let text = format!(
            r#"version = 1
[[canonical]]
name = "pve"
aliases = ["pve-shop", "proxmox-shop", "a", "a.b"]
[[canonical]]
name = "proxmox-home"
aliases = ["pve-home"]
[[field]]
select = ["host"]
{extra}"#
        );
        RuleSet::from_toml_str(&text, std::path::Path::new("t.toml")).unwrap()
    }

    fn ranges(value: &str, mode: MatchMode, fold: bool) -> Vec<(usize, usize, String)> {
        let r = rules("");
        Matcher::new(&r)
            .find(value, mode, fold, &r)
            .into_iter()
            .map(|h| (h.range.start, h.range.end, h.alias))
            .collect()
    }

    #[test]
    fn exact_matches_whole_values_only() {
        assert_eq!(
            ranges("pve-shop", MatchMode::Exact, false),
            vec![(0, 8, "pve-shop".into())]
        );
        assert!(ranges("pve-shop ", MatchMode::Exact, false).is_empty());
        assert!(ranges("PVE-SHOP", MatchMode::Exact, false).is_empty());
        assert_eq!(
            ranges("PVE-SHOP", MatchMode::Exact, true),
            vec![(0, 8, "pve-shop".into())]
        );
    }

    #[test]
    fn token_boundaries() {
        assert_eq!(
            ranges("https://pve-shop.lan:8006", MatchMode::Token, false),
            vec![(8, 16, "pve-shop".into())]
        );
        assert!(ranges("pve-shop-2", MatchMode::Token, false).is_empty());
        assert!(ranges("xpve-shop", MatchMode::Token, false).is_empty());
        assert!(ranges("my_pve-shop", MatchMode::Token, false).is_empty());
        assert_eq!(
            ranges("pve-shop,pve-home", MatchMode::Token, false),
            vec![(0, 8, "pve-shop".into()), (9, 17, "pve-home".into())]
        );
    }

    #[test]
    fn longest_alias_wins_and_shorter_one_fits_when_longer_does_not() {
        assert_eq!(
            ranges("a.b c", MatchMode::Token, false),
            vec![(0, 3, "a.b".into())]
        );
        assert_eq!(
            ranges("a.bc", MatchMode::Token, false),
            vec![(0, 1, "a".into())]
        );
    }

    #[test]
    fn case_insensitive_tokens_and_canonical_text_is_not_drift() {
        assert_eq!(
            ranges("see PVE-Home now", MatchMode::Token, true),
            vec![(4, 12, "pve-home".into())]
        );
        let r = RuleSet::from_toml_str(
            "[[canonical]]\nname = \"pve\"\naliases = [\"PVE\"]\n[[field]]\nselect = [\"h\"]\nignore_case = true\n",
            std::path::Path::new("t.toml"),
        )
        .unwrap();
        assert!(
            Matcher::new(&r)
                .find("pve", MatchMode::Exact, true, &r)
                .is_empty()
        );
    }

    #[test]
    fn prefilter() {
        let r = rules("");
        let m = Matcher::new(&r);
        assert!(m.may_match(b"x: pve-home\n"));
        assert!(!m.may_match(b"x: pve\n"));
        let folded = rules("ignore_case = true");
        assert!(Matcher::new(&folded).may_match(b"x: PVE-HOME\n"));
    }

    /// Past 64 aliases the SIMD searcher gives way to the automaton: same
    /// answers, first and last alias alike.
    #[test]
    fn prefilter_with_many_aliases() {
        let mut text = String::from("version = 1\n");
        for i in 0..100 {
            text.push_str(&format!(
                "[[canonical]]\nname = \"c{i}\"\naliases = [\"host-{i}-old\"]\n"
            ));
        }
        text.push_str("[[field]]\nselect = [\"host\"]\n");
        let r = RuleSet::from_toml_str(&text, std::path::Path::new("t.toml")).unwrap();
        let m = Matcher::new(&r);
        assert!(matches!(m.prefilter, Prefilter::Automaton(_)));
        assert!(m.may_match(b"a: host-0-old\n"));
        assert!(m.may_match(b"a: [x, host-99-old]"));
        assert!(!m.may_match(b"a: host-99-new, c0, c99\n"));
        assert!(matches!(
            Matcher::new(&rules("")).prefilter,
            Prefilter::Packed(_)
        ));
    }
}
