//! One file as discover reads it: every scalar (strings and, through
//! [`Format::scan_values`], numbers too) with a normalised value, and which
//! of them are labels.
//!
//! A *label* is a string scalar (value or key) governed by an `exact`
//! field rule: a whole value that names a host. Scalars governed by a
//! `token` rule and the lines of text files hold free text (URLs, notes);
//! they never define a label, but their words are kept as *mentions* so
//! that the counts discover prints are the findings `scan` will report once
//! an alias is accepted. A governed text line is also kept as an item: the
//! records module makes it a record of its own (see there).

use crate::formats::{DocPath, FileType, ParseError, Scalar, ScalarKind, source_offset};
use crate::rules::{FieldRule, MatchMode, RuleSet};

/// What a scalar holds, as far as telling records apart goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// A string.
    Str,
    /// An integer (`vmid: 200`), written in decimal in [`Val::text`] so that
    /// YAML `200`, JSON `200`, TOML `2_00` and the string `"200"` agree.
    Int,
    /// A boolean, float, date or custom-tagged scalar: never identifies
    /// anything.
    Other,
}

/// A scalar's value, normalised for comparison.
#[derive(Clone, Debug)]
pub struct Val {
    pub text: String,
    pub class: Class,
    /// 1-based line where the scalar starts.
    pub line: usize,
}

/// Shortest value (in characters) that can identify a record: `12` or `ok`
/// are shared by too many unrelated things.
const MIN_CHARS: usize = 3;
/// Longest: beyond this a value is prose, not an identifier.
const MAX_CHARS: usize = 200;
/// A single word without digits identifies only when at least this long
/// (`homeassistant` does; `active`, `shop`, `daily` never do).
const MIN_WORD_CHARS: usize = 10;

impl Val {
    /// Whether this value is shaped like an identifier: an integer of three
    /// or more digits (VM ids, serials), or a one-line string that holds a
    /// digit (IPs, MACs, serials), several words (`docker-host`, a
    /// description), or one long word. Short words (`active`, `shop`,
    /// `stable`) and booleans never are: two records sharing them say
    /// nothing about being the same thing. Uniqueness among the authority's
    /// records is checked separately (see [`super::authority`]).
    pub fn distinctive(&self) -> bool {
        let chars = self.text.chars().count();
        match self.class {
            Class::Other => false,
            Class::Int => self.text.trim_start_matches('-').len() >= MIN_CHARS,
            Class::Str => {
                let t = self.text.trim();
                if !(MIN_CHARS..=MAX_CHARS).contains(&chars) || t.len() != self.text.len() {
                    return false;
                }
                if t.contains(['\n', '\r']) || !t.chars().any(char::is_alphanumeric) {
                    return false;
                }
                let words = t
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .count();
                t.chars().any(|c| c.is_ascii_digit()) || words >= 2 || chars >= MIN_WORD_CHARS
            }
        }
    }
}

/// A governed string scalar: a host label as written.
#[derive(Clone, Debug)]
pub struct Label {
    pub text: String,
    /// Governed by an `ignore_case` rule: compared with ASCII case folded.
    pub fold: bool,
    pub line: usize,
    /// Selector path of the scalar (of the key, for a key).
    pub field: String,
    pub kind: ScalarKind,
}

/// One scalar of a file.
#[derive(Debug)]
pub struct Item {
    pub document: usize,
    pub path: DocPath,
    pub kind: ScalarKind,
    pub val: Val,
    /// Set when the scalar is a label.
    pub label: Option<Label>,
}

/// A word of `token`-governed scalars (a maximal run of `[A-Za-z0-9_-]`,
/// the characters that SPEC §2 says may not touch a token match), counted
/// once per file with its first places.
#[derive(Clone, Debug)]
pub struct Mention {
    pub token: String,
    pub fold: bool,
    pub count: usize,
    /// `(line, field)` of the first [`MAX_PLACES`] occurrences.
    pub places: Vec<(usize, String)>,
}

/// Places kept per name and file (counts are always complete).
pub const MAX_PLACES: usize = 25;

/// Everything discover keeps of one parsed file.
#[derive(Debug, Default)]
pub struct Read {
    pub items: Vec<Item>,
    pub mentions: Vec<Mention>,
}

/// Line numbers of byte offsets: a binary search over line starts, without
/// the column counting of [`crate::text::LineIndex`] (discover shows lines
/// only, for every scalar of every file).
struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { starts }
    }

    /// 1-based line of byte `offset`.
    fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).max(1)
    }
}

/// Parses `text` with its format engine and classifies every scalar.
/// `Ok(None)` when no field rule applies to the file (it is not parsed).
pub fn read(
    rules: &RuleSet,
    rel_path: &str,
    file_type: FileType,
    text: &str,
) -> Result<Option<Read>, ParseError> {
    let fields: Vec<&FieldRule> = rules
        .fields
        .iter()
        .filter(|f| f.applies_to(file_type, rel_path))
        .collect();
    if fields.is_empty() {
        return Ok(None);
    }
    let scan = file_type.format().scan_values(text)?;
    let index = Lines::new(text);
    let mut out = Read::default();
    let mut words = Words::default();
    for s in scan.scalars {
        let line = index.line(s.span.start);
        // The first rule that governs a path decides (as in scan); a YAML
        // reference (`*a`) is read where its anchor is.
        let rule = (!s.not_string && !s.is_reference())
            .then(|| fields.iter().find(|f| f.governs(&s.path, s.kind)))
            .flatten();
        let label = match rule {
            // Text lines always match by token (SPEC §10), like `scan`.
            Some(f) if f.mode == MatchMode::Token || s.kind == ScalarKind::Text => {
                words.add(&s, f.ignore_case, &index);
                None
            }
            Some(f) if !s.value.trim().is_empty() => Some(Label {
                text: s.value.clone(),
                fold: f.ignore_case,
                line,
                field: crate::formats::path_to_string(&s.path),
                kind: s.kind,
            }),
            _ => None,
        };
        out.items.push(Item {
            document: s.document,
            kind: s.kind,
            val: normalise(s.value, s.not_string, line),
            path: s.path,
            label,
        });
    }
    out.mentions = words.mentions;
    Ok(Some(out))
}

/// The value of a scalar for comparison: integers in decimal, strings as
/// they are, anything else tagged [`Class::Other`].
fn normalise(value: String, not_string: bool, line: usize) -> Val {
    if !not_string {
        return Val {
            text: value,
            class: Class::Str,
            line,
        };
    }
    match integer(&value) {
        Some(n) => Val {
            text: n.to_string(),
            class: Class::Int,
            line,
        },
        None => Val {
            text: value,
            class: Class::Other,
            line,
        },
    }
}

/// Reads YAML, JSON and TOML integer syntax (`200`, `+200`, `2_00`,
/// `0x1F`, `0o17`, `0b101`).
fn integer(text: &str) -> Option<i128> {
    let t: String = text.trim().chars().filter(|&c| c != '_').collect();
    let (negative, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(&t)),
    };
    let (radix, digits) = if let Some(h) = body.strip_prefix("0x") {
        (16, h)
    } else if let Some(o) = body.strip_prefix("0o") {
        (8, o)
    } else if let Some(b) = body.strip_prefix("0b") {
        (2, b)
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let n = i128::from_str_radix(digits, radix).ok()?;
    Some(if negative { -n } else { n })
}

/// The words of a file's token-governed scalars, counted per word.
#[derive(Default)]
struct Words {
    mentions: Vec<Mention>,
    /// Word → index into `mentions`, for case-sensitive and for
    /// `ignore_case` fields.
    index: [std::collections::HashMap<String, usize>; 2],
}

impl Words {
    fn add(&mut self, s: &Scalar, fold: bool, lines: &Lines) {
        let mut field = None;
        let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        let mut start = None;
        for (i, c) in s
            .value
            .char_indices()
            .chain(std::iter::once((s.value.len(), ' ')))
        {
            match (start, is_word(c)) {
                (None, true) => start = Some(i),
                (Some(from), false) => {
                    start = None;
                    let Some(token) = s.value.get(from..i) else {
                        continue;
                    };
                    let Some(index) = self.index.get_mut(usize::from(fold)) else {
                        continue;
                    };
                    let at = match index.get(token) {
                        Some(&at) => at,
                        None => {
                            index.insert(token.to_string(), self.mentions.len());
                            self.mentions.push(Mention {
                                token: token.to_string(),
                                fold,
                                count: 0,
                                places: Vec::new(),
                            });
                            self.mentions.len() - 1
                        }
                    };
                    let Some(m) = self.mentions.get_mut(at) else {
                        continue;
                    };
                    m.count += 1;
                    if m.places.len() < MAX_PLACES {
                        let offset = source_offset(s, from).unwrap_or(s.span.start);
                        let field = field.get_or_insert_with(|| match s.kind {
                            ScalarKind::Text => "(text)".to_string(),
                            _ => crate::formats::path_to_string(&s.path),
                        });
                        m.places.push((lines.line(offset), field.clone()));
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn val(text: &str, class: Class) -> Val {
        Val {
            text: text.into(),
            class,
            line: 1,
        }
    }

    #[test]
    fn identifiers_are_distinctive_words_are_not() {
        for (text, class) in [
            ("200", Class::Int),
            ("100.96.211.33", Class::Str),
            ("docker-host", Class::Str),
            ("homeassistant", Class::Str),
            ("aa:bb:cc:dd:ee:ff", Class::Str),
            ("Proxmox VE - shop location", Class::Str),
        ] {
            assert!(val(text, class).distinctive(), "{text}");
        }
        for (text, class) in [
            ("12", Class::Int),
            ("true", Class::Other),
            ("active", Class::Str),
            ("shop", Class::Str),
            ("immich", Class::Str),
            ("--", Class::Str),
            (" padded-value", Class::Str),
            ("two\nlines", Class::Str),
        ] {
            assert!(!val(text, class).distinctive(), "{text:?}");
        }
    }

    #[test]
    fn integers_in_every_syntax() {
        assert_eq!(integer("200"), Some(200));
        assert_eq!(integer("+200"), Some(200));
        assert_eq!(integer("2_00"), Some(200));
        assert_eq!(integer("0xC8"), Some(200));
        assert_eq!(integer("-5"), Some(-5));
        assert_eq!(integer("1.5"), None);
        assert_eq!(integer("true"), None);
        assert_eq!(integer("0x"), None);
    }

    #[test]
    fn numbers_are_read_as_values_and_labels_as_labels() {
        let rules = crate::rules::RuleSet::from_toml_str(
            "[[field]]\nselect = [\"host\"]\n[[field]]\nselect = [\"url\"]\nmatch = \"token\"\n",
            std::path::Path::new("r.toml"),
        )
        .unwrap();
        let text = "{\"vmid\": 200, \"host\": \"pve-shop\", \"url\": \"https://pve-shop.lan:8006\", \"on\": true}";
        let read = read(&rules, "a.json", FileType::Json, text)
            .unwrap()
            .unwrap();
        let vmid = read.items.iter().find(|i| i.val.text == "200").unwrap();
        assert_eq!(vmid.val.class, Class::Int);
        let labels: Vec<&str> = read
            .items
            .iter()
            .filter_map(|i| i.label.as_ref().map(|l| l.text.as_str()))
            .collect();
        assert_eq!(labels, ["pve-shop"]);
        let words: Vec<&str> = read.mentions.iter().map(|m| m.token.as_str()).collect();
        assert_eq!(words, ["https", "pve-shop", "lan", "8006"]);
        assert!(
            read.mentions
                .iter()
                .all(|m| m.count == 1 && m.places[0].0 == 1)
        );
        assert!(read.items.iter().any(|i| i.val.class == Class::Other));
    }
}
