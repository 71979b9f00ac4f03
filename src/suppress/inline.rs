//! Inline suppression markers (SPEC §11), recognised only inside a real
//! comment of the file's format (the engines' [`crate::formats::Scan`]
//! comment ranges), or anywhere on a line of a lines-only format (text),
//! where `<!-- driftfix: ignore -->` is the way to write one.
//!
//! Grammar (ASCII case ignored):
//!
//! ```text
//! marker    = "driftfix:" *WS directive [ *WS "[" name *( "," name ) "]" ]
//! directive = "ignore" | "ignore-next-line" | "ignore-file"
//! name      = an alias as the rules spell it (spaces around it trimmed)
//! ```
//!
//! `driftfix` must not follow a letter, digit, `_` or `-`. `ignore` covers
//! the lines of the finding's scalar (a marker after the closing quote of a
//! multi-line string, or on a block scalar's header line, counts),
//! `ignore-next-line` the line after the marker, `ignore-file` the whole
//! file. Without a list every alias is covered, with one only those named.
//!
//! A comment that says `driftfix:` followed by another word is no marker
//! and passes silently, except when the word starts with `ignore`
//! (`ignore-line`, `ignored`): that is a misspelt marker, and warned about
//! like an unclosed or empty list. A malformed marker suppresses nothing.

use std::ops::Range;

use crate::text::LineIndex;

/// What a marker covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// `driftfix: ignore`: findings on its own line.
    Line,
    /// `driftfix: ignore-next-line`: findings on the line below.
    NextLine,
    /// `driftfix: ignore-file`: every finding of the file.
    File,
}

/// One well-formed marker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    pub scope: Scope,
    /// The aliases it names; empty for every alias.
    pub aliases: Vec<String>,
    /// 1-based line of the marker.
    pub line: usize,
    /// Its bytes in the file (`driftfix:` to the closing `]` or the end of
    /// the directive): alias names written here are not occurrences.
    pub range: Range<usize>,
    /// As written, for messages.
    pub text: String,
}

impl Marker {
    /// Whether it covers a finding whose scalar spans lines `first..=last`
    /// and whose alias (or, for an unknown value, value) is `name`.
    pub fn covers(&self, first: usize, last: usize, name: &str) -> bool {
        let here = match self.scope {
            Scope::Line => first <= self.line && self.line <= last,
            Scope::NextLine => first <= self.line + 1 && self.line < last,
            Scope::File => true,
        };
        here && (self.aliases.is_empty()
            || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(name)))
    }
}

/// A marker that could not be read: warned about, never applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed {
    pub line: usize,
    pub message: String,
    /// Its bytes in the file (a list's names are not occurrences either).
    pub range: Range<usize>,
}

/// Every marker of a file: in `regions` (comment ranges, sorted), or, with
/// `lines_only`, anywhere in the text.
pub fn find(
    text: &str,
    regions: &[Range<usize>],
    lines_only: bool,
    index: &LineIndex,
) -> (Vec<Marker>, Vec<Malformed>) {
    let mut markers = Vec::new();
    let mut malformed = Vec::new();
    // Only comments are searched (a 30 MB scalar costs nothing); a
    // lines-only text is searched whole.
    let whole = 0..text.len();
    let searched = if lines_only {
        std::slice::from_ref(&whole)
    } else {
        regions
    };
    let starts = searched.iter().flat_map(|r| {
        let body = text.get(r.clone()).unwrap_or_default();
        occurrences(body).map(move |k| (r.start + k, r.end))
    });
    for (at, region_end) in starts {
        let end = if lines_only {
            let rest = text.get(at..).unwrap_or_default();
            at + rest.find('\n').unwrap_or(rest.len())
        } else {
            region_end
        };
        let (line, _) = index.line_col(at);
        match parse(text, at, end) {
            Parsed::None => {}
            Parsed::Marker {
                scope,
                aliases,
                end,
            } => markers.push(Marker {
                scope,
                aliases,
                line,
                range: at..end,
                text: text.get(at..end).unwrap_or_default().to_string(),
            }),
            Parsed::Malformed { message, end } => malformed.push(Malformed {
                line,
                message,
                range: at..end,
            }),
        }
    }
    (markers, malformed)
}

/// Byte offsets of `driftfix` (ASCII case ignored) not preceded by a
/// word character.
fn occurrences(text: &str) -> impl Iterator<Item = usize> + '_ {
    const WORD: &[u8] = b"driftfix";
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(WORD.len() - 1)).filter(move |&i| {
        bytes
            .get(i..i + WORD.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(WORD))
            && !i
                .checked_sub(1)
                .and_then(|p| bytes.get(p))
                .is_some_and(|&b| is_word(b))
    })
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

enum Parsed {
    /// Not a marker at all (`driftfix: rewrites labels`).
    None,
    Marker {
        scope: Scope,
        aliases: Vec<String>,
        end: usize,
    },
    Malformed {
        message: String,
        end: usize,
    },
}

/// Reads the marker starting at `at` (`driftfix`), within `..limit`.
fn parse(text: &str, at: usize, limit: usize) -> Parsed {
    let bytes = text.as_bytes();
    let at_byte = |i: usize| {
        if i < limit {
            bytes.get(i).copied()
        } else {
            None
        }
    };
    let mut i = at + "driftfix".len();
    if at_byte(i) != Some(b':') {
        return Parsed::None;
    }
    i += 1;
    while matches!(at_byte(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    let word_start = i;
    while at_byte(i).is_some_and(|b| b.is_ascii_alphabetic() || b == b'-') {
        i += 1;
    }
    let word = text
        .get(word_start..i)
        .unwrap_or_default()
        .to_ascii_lowercase();
    let glued = at_byte(i).is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
    let scope = match word.as_str() {
        "ignore" if !glued => Scope::Line,
        "ignore-next-line" if !glued => Scope::NextLine,
        "ignore-file" if !glued => Scope::File,
        w if w.starts_with("ignore") => {
            let mut end = i;
            while at_byte(end).is_some_and(|b| !b.is_ascii_whitespace()) {
                end += 1;
            }
            return Parsed::Malformed {
                message: format!(
                    "unknown suppression `driftfix: {}` (expected ignore, ignore-next-line or ignore-file); it suppresses nothing",
                    text.get(word_start..end).unwrap_or_default()
                ),
                end,
            };
        }
        _ => return Parsed::None,
    };
    let word_end = i;
    while matches!(at_byte(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    if at_byte(i) != Some(b'[') {
        return Parsed::Marker {
            scope,
            aliases: Vec::new(),
            end: word_end,
        };
    }
    let open = i;
    let Some(close) = text
        .get(open..limit)
        .and_then(|s| s.find(']'))
        .map(|k| open + k)
    else {
        return Parsed::Malformed {
            message: format!("`driftfix: {word}[` has no closing `]`; it suppresses nothing"),
            end: limit,
        };
    };
    let aliases: Vec<String> = text
        .get(open + 1..close)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect();
    if aliases.is_empty() {
        return Parsed::Malformed {
            message: format!(
                "`driftfix: {word}[]` names no alias (leave out the brackets to cover every alias); it suppresses nothing"
            ),
            end: close + 1,
        };
    }
    Parsed::Marker {
        scope,
        aliases,
        end: close + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn markers(
        text: &str,
        regions: &[Range<usize>],
        lines_only: bool,
    ) -> (Vec<Marker>, Vec<Malformed>) {
        find(text, regions, lines_only, &LineIndex::new(text))
    }

    /// Markers in a text whose comments start at `#` and run to the end of
    /// the line (a stand-in for an engine's comment ranges).
    fn hash_comments(text: &str) -> (Vec<Marker>, Vec<Malformed>) {
        let mut regions = Vec::new();
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            if let Some(k) = line.find('#') {
                regions.push(start + k..start + line.trim_end_matches('\n').len());
            }
            start += line.len();
        }
        markers(text, &regions, false)
    }

    #[test]
    fn every_form() {
        let text = "a: x # driftfix: ignore\n# driftfix: ignore-next-line\nb: y\n# DriftFix:ignore-file[pve-shop , pve-home]\nc: z # driftfix: ignore [pve-shop]\n";
        let (m, bad) = hash_comments(text);
        assert!(bad.is_empty(), "{bad:?}");
        let got: Vec<_> = m
            .iter()
            .map(|m| (m.scope, m.line, m.aliases.clone()))
            .collect();
        assert_eq!(
            got,
            [
                (Scope::Line, 1, vec![]),
                (Scope::NextLine, 2, vec![]),
                (
                    Scope::File,
                    4,
                    vec!["pve-shop".to_string(), "pve-home".to_string()]
                ),
                (Scope::Line, 5, vec!["pve-shop".to_string()]),
            ]
        );
        assert_eq!(m[3].text, "driftfix: ignore [pve-shop]");
        assert_eq!(&text[m[0].range.clone()], "driftfix: ignore");
    }

    #[test]
    fn only_inside_comments() {
        let text = "a: \"driftfix: ignore\" # plain\n";
        let (m, bad) = hash_comments(text);
        assert!(m.is_empty() && bad.is_empty(), "{m:?} {bad:?}");
    }

    #[test]
    fn text_lines_anywhere() {
        let text = "host pve-shop <!-- driftfix: ignore -->\nnext\n";
        let (m, _) = markers(text, &[], true);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].line, 1);
        assert_eq!(m[0].text, "driftfix: ignore");
    }

    #[test]
    fn not_markers_and_misspelt_ones() {
        let (m, bad) = hash_comments(
            "# see driftfix: it rewrites labels\n# xdriftfix: ignore\n# driftfix ignore\n",
        );
        assert!(m.is_empty() && bad.is_empty(), "{m:?} {bad:?}");
        let (m, bad) = hash_comments(
            "# driftfix: ignore-line\n# driftfix: ignore[pve-shop\n# driftfix: ignore[ ]\n# driftfix: ignore2\n",
        );
        assert!(m.is_empty(), "{m:?}");
        let lines: Vec<usize> = bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, [1, 2, 3, 4], "{bad:?}");
        assert!(
            bad[0]
                .message
                .contains("unknown suppression `driftfix: ignore-line`")
        );
        assert!(bad[1].message.contains("no closing `]`"));
        assert!(bad[2].message.contains("names no alias"));
    }

    #[test]
    fn coverage() {
        let m = |scope, aliases: &[&str]| Marker {
            scope,
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            line: 5,
            range: 0..0,
            text: String::new(),
        };
        assert!(m(Scope::Line, &[]).covers(5, 5, "pve-shop"));
        assert!(m(Scope::Line, &[]).covers(3, 5, "pve-shop"));
        assert!(!m(Scope::Line, &[]).covers(6, 6, "pve-shop"));
        assert!(m(Scope::NextLine, &[]).covers(6, 6, "pve-shop"));
        assert!(m(Scope::NextLine, &[]).covers(6, 8, "pve-shop"));
        assert!(!m(Scope::NextLine, &[]).covers(5, 5, "pve-shop"));
        assert!(!m(Scope::NextLine, &[]).covers(7, 7, "pve-shop"));
        assert!(m(Scope::File, &[]).covers(1, 1, "x"));
        assert!(m(Scope::Line, &["PVE-shop"]).covers(5, 5, "pve-shop"));
        assert!(!m(Scope::Line, &["pve-home"]).covers(5, 5, "pve-shop"));
    }
}
