//! Alias matching inside one value (exact or token). The byte-level
//! prefilter that lets files without any alias skip parsing altogether is
//! [`crate::prefilter`]; it shares this module's token rule.
//!
//! Case-insensitive matching (`ignore_case = true`) folds ASCII case only:
//! host labels are ASCII, and ASCII folding keeps byte offsets stable.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use crate::prefilter::Prefilter;
use crate::rules::{MatchMode, RuleSet};
use crate::token::{Trie, is_label_byte};

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

/// Matches the aliases of a rule set (and, for the "source of authority"
/// report, its canonical names).
pub struct Matcher {
    aliases: Patterns,
    prefilter: Prefilter,
    /// The canonical names as patterns, built on first use: only authority
    /// files are searched for them.
    names: OnceLock<(Patterns, Prefilter)>,
    /// `(name, canonical index)` of every canonical name.
    name_list: Vec<(String, usize)>,
    fold: bool,
}

/// A set of patterns, each standing for a canonical name (by index), and
/// the lookups over them.
struct Patterns {
    /// `(pattern, canonical index)` in rule order.
    patterns: Vec<(String, usize)>,
    /// pattern → index into `patterns`.
    exact: HashMap<String, usize>,
    /// ASCII-lowercased pattern → index into `patterns` (the first one).
    exact_folded: HashMap<String, usize>,
    /// Tries for token search, built on first use (plain and ASCII-case-
    /// folded): rule sets without token fields never pay.
    token: OnceLock<Trie>,
    token_folded: OnceLock<Trie>,
}

impl Matcher {
    pub fn new(rules: &RuleSet) -> Matcher {
        let mut aliases = Vec::new();
        for (i, c) in rules.canonicals.iter().enumerate() {
            for a in &c.aliases {
                aliases.push((a.clone(), i));
            }
        }
        let fold = rules.any_ignore_case();
        Matcher {
            prefilter: Prefilter::new(&aliases, fold),
            aliases: Patterns::new(aliases),
            names: OnceLock::new(),
            name_list: rules
                .canonicals
                .iter()
                .enumerate()
                .map(|(i, c)| (c.name.clone(), i))
                .collect(),
            fold,
        }
    }

    /// `false` only when `bytes` cannot hold any alias, so the file need not
    /// be parsed (SPEC §6).
    pub fn may_match(&self, bytes: &[u8]) -> bool {
        self.prefilter.may_match(bytes)
    }

    /// The prefilter of the aliases (what a chunked search of a large file
    /// asks, [`crate::prefilter::stream`]).
    pub(crate) fn alias_prefilter(&self) -> &Prefilter {
        &self.prefilter
    }

    fn names(&self) -> &(Patterns, Prefilter) {
        self.names.get_or_init(|| {
            (
                Patterns::new(self.name_list.clone()),
                Prefilter::new(&self.name_list, self.fold),
            )
        })
    }

    /// `false` only when `bytes` cannot hold any canonical name.
    pub fn may_hold_name(&self, bytes: &[u8]) -> bool {
        self.names().1.may_match(bytes)
    }

    /// The canonical names (indexes) that occur in `value` under the given
    /// mode: the same exact and token rules as alias matching.
    pub fn find_names(&self, value: &str, mode: MatchMode, ignore_case: bool) -> Vec<usize> {
        self.names()
            .0
            .find(value, mode, ignore_case)
            .into_iter()
            .map(|h| h.canonical)
            .collect()
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
        let hits = self.aliases.find(value, mode, ignore_case);
        let canonical_of = |h: &Hit| rules.canonicals.get(h.canonical).map(|c| c.name.as_str());
        let mut hits: Vec<Hit> = hits
            .into_iter()
            .filter(|h| value.get(h.range.clone()) != canonical_of(h))
            .collect();
        if mode == MatchMode::Token && !hits.is_empty() {
            let mut inside = Occurrences::new(value, ignore_case);
            hits.retain(|h| {
                !canonical_of(h).is_some_and(|c| inside.covers(h.canonical, c, &h.range))
            });
        }
        hits
    }
}

impl Patterns {
    fn new(patterns: Vec<(String, usize)>) -> Patterns {
        let exact = patterns
            .iter()
            .enumerate()
            .map(|(p, (a, _))| (a.clone(), p))
            .collect();
        let mut exact_folded = HashMap::new();
        for (p, (a, _)) in patterns.iter().enumerate() {
            exact_folded.entry(a.to_ascii_lowercase()).or_insert(p);
        }
        Patterns {
            token: OnceLock::new(),
            token_folded: OnceLock::new(),
            patterns,
            exact,
            exact_folded,
        }
    }

    fn find(&self, value: &str, mode: MatchMode, ignore_case: bool) -> Vec<Hit> {
        match mode {
            MatchMode::Exact => self.find_exact(value, ignore_case),
            MatchMode::Token => self.find_tokens(value, ignore_case),
        }
    }

    fn find_exact(&self, value: &str, ignore_case: bool) -> Vec<Hit> {
        // An exact-case hit first; folded only when that fails. Both maps
        // give the pattern index, so the lookup stays O(1) however many
        // aliases there are.
        let found = self.exact.get(value).or_else(|| {
            ignore_case
                .then(|| self.exact_folded.get(&value.to_ascii_lowercase()))
                .flatten()
        });
        let Some((alias, canonical)) = found.and_then(|&p| self.patterns.get(p)) else {
            return Vec::new();
        };
        vec![Hit {
            range: 0..value.len(),
            alias: alias.clone(),
            canonical: *canonical,
        }]
    }

    /// Token matches: the alias with no `[A-Za-z0-9_-]` directly before or
    /// after; at one position the longest alias that fits wins, and matches
    /// never overlap (leftmost first).
    ///
    /// At each position that may start a token, one walk down the alias trie
    /// finds every alias there; the longest that ends on a boundary wins
    /// (`a` in `a.bc` with aliases `a` and `a.b`). Linear in the value times
    /// the longest alias, and the trie builds in milliseconds even for
    /// 100,000 aliases (an Aho-Corasick automaton with overlapping or
    /// leftmost-longest semantics took 3.6 s in release, 23 s in debug).
    fn find_tokens(&self, value: &str, ignore_case: bool) -> Vec<Hit> {
        let cell = if ignore_case {
            &self.token_folded
        } else {
            &self.token
        };
        let trie = cell.get_or_init(|| Trie::new(&self.patterns, ignore_case));
        let bytes = value.as_bytes();
        let mut hits: Vec<Hit> = Vec::new();
        let mut p = 0;
        while p < bytes.len() {
            let may_start = p
                .checked_sub(1)
                .and_then(|i| bytes.get(i))
                .is_none_or(|&b| !is_label_byte(b));
            let found = if may_start {
                trie.longest_token_at(bytes, p)
            } else {
                None
            };
            match found.and_then(|(end, pat)| Some((end, self.patterns.get(pat)?))) {
                Some((end, (alias, canonical))) => {
                    hits.push(Hit {
                        range: p..end,
                        alias: alias.clone(),
                        canonical: *canonical,
                    });
                    p = end.max(p + 1);
                }
                None => p += 1,
            }
        }
        hits
    }
}

/// Where canonical names occur in one value, found once per name (keyed by
/// its index in [`RuleSet::canonicals`]). An alias
/// hit inside an occurrence of its own canonical name (`pve` in
/// `pve.example.com`) is already canonical: rewriting it would grow the name
/// on every run.
struct Occurrences<'v> {
    value: std::borrow::Cow<'v, str>,
    fold: bool,
    starts: HashMap<usize, Vec<usize>>,
}

impl<'v> Occurrences<'v> {
    fn new(value: &'v str, fold: bool) -> Self {
        let value = if fold {
            std::borrow::Cow::Owned(value.to_ascii_lowercase())
        } else {
            std::borrow::Cow::Borrowed(value)
        };
        Occurrences {
            value,
            fold,
            starts: HashMap::new(),
        }
    }

    /// Whether an occurrence of `canonical` (number `index`) covers `range`.
    fn covers(&mut self, index: usize, canonical: &str, range: &Range<usize>) -> bool {
        if canonical.len() <= range.len() {
            return false;
        }
        let (value, fold) = (&self.value, self.fold);
        let starts = self.starts.entry(index).or_insert_with(|| {
            let needle = if fold {
                canonical.to_ascii_lowercase()
            } else {
                canonical.to_string()
            };
            let mut found = Vec::new();
            let mut from = 0;
            while let Some(i) = value
                .get(from..)
                .and_then(|rest| rest.find(needle.as_str()))
            {
                found.push(from + i);
                // Overlapping occurrences count too: go on one character on.
                from += i + value
                    .get(from + i..)
                    .and_then(|r| r.chars().next())
                    .map_or(1, char::len_utf8);
            }
            found
        });
        // The last occurrence starting at or before the hit reaches furthest.
        let n = starts.partition_point(|&s| s <= range.start);
        n > 0
            && starts
                .get(n - 1)
                .is_some_and(|&s| range.end <= s + canonical.len())
    }
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

    /// An alias inside an occurrence of its own canonical name is left
    /// alone, so a fix never grows the name run after run.
    #[test]
    fn a_token_inside_its_canonical_name_is_not_drift() {
        let r = RuleSet::from_toml_str(
            "[[canonical]]\nname = \"pve.example.com\"\naliases = [\"pve\", \"shop\"]\n[[canonical]]\nname = \"aa\"\naliases = [\"a\"]\n[[field]]\nselect = [\"url\"]\n",
            std::path::Path::new("t.toml"),
        )
        .unwrap();
        let m = Matcher::new(&r);
        let hits = |v: &str, fold: bool| -> Vec<(usize, usize)> {
            m.find(v, MatchMode::Token, fold, &r)
                .into_iter()
                .map(|h| (h.range.start, h.range.end))
                .collect()
        };
        assert!(hits("https://pve.example.com:8006", false).is_empty());
        assert!(hits("https://PVE.Example.COM:8006", true).is_empty());
        assert_eq!(hits("https://PVE.other.com", true), [(8, 11)]);
        assert_eq!(
            hits("https://pve:8006 and pve.example.com", false),
            [(8, 11)]
        );
        assert_eq!(hits("pve.example.com.au", false), []);
        assert_eq!(hits("a.aa", false), [(0, 1)]);
        // Exact matches are whole values: never inside anything.
        assert_eq!(m.find("pve", MatchMode::Exact, false, &r).len(), 1);
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

    /// The trie search agrees with a naive reading of the token rule.
    #[test]
    fn token_search_matches_a_naive_reference() {
        use proptest::prelude::*;
        let r = rules("");
        let m = Matcher::new(&r);
        let aliases: Vec<(String, usize)> = m.aliases.patterns.clone();
        let naive = |value: &str, fold: bool| -> Vec<(usize, usize, String)> {
            let b = value.as_bytes();
            let eq = |x: &[u8], y: &[u8]| {
                if fold {
                    x.eq_ignore_ascii_case(y)
                } else {
                    x == y
                }
            };
            let mut out = Vec::new();
            let mut p = 0;
            while p < b.len() {
                let start_ok = p == 0 || !is_label_byte(b[p - 1]);
                let best = aliases
                    .iter()
                    .filter(|(a, _)| {
                        let end = p + a.len();
                        start_ok
                            && end <= b.len()
                            && eq(&b[p..end], a.as_bytes())
                            && !b.get(end).is_some_and(|&c| is_label_byte(c))
                    })
                    .max_by_key(|(a, _)| a.len());
                match best {
                    Some((a, _)) => {
                        out.push((p, p + a.len(), a.clone()));
                        p += a.len();
                    }
                    None => p += 1,
                }
            }
            out
        };
        let parts = prop::sample::select(vec![
            "a", "a.b", "pve-shop", "PVE-shop", "pve-home", "x", "-", ".", " ", "_", "é", "c",
        ]);
        proptest!(|(picks in prop::collection::vec(parts, 0..12), fold in any::<bool>())| {
            let value: String = picks.concat();
            let got: Vec<(usize, usize, String)> = m
                .aliases.find_tokens(&value, fold)
                .into_iter()
                .map(|h| (h.range.start, h.range.end, h.alias))
                .collect();
            prop_assert_eq!(got, naive(&value, fold));
        });
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
        assert!(matches!(
            m.prefilter.search,
            crate::prefilter::Search::Automaton(_)
        ));
        assert!(m.may_match(b"a: host-0-old\n"));
        assert!(m.may_match(b"a: [x, host-99-old]"));
        assert!(!m.may_match(b"a: host-99-new, c0, c99\n"));
        assert!(matches!(
            Matcher::new(&rules("")).prefilter.search,
            crate::prefilter::Search::Packed(_)
        ));
    }
}
