//! The baseline (SPEC §11): the findings a tree had when it was recorded
//! (`scan --write-baseline FILE`), accepted by `scan|fix --baseline FILE`,
//! so that only new drift is reported.
//!
//! # Fingerprint
//!
//! A finding is recorded as `path` + `field` with every sequence index
//! written `[*]` + `alias` + `ordinal`, its place among the findings of that
//! file with the same three (in line, column order). No line, column or
//! index is part of it, so inserting unrelated lines or sequence items
//! above a finding, or re-indenting the file, keeps it; a finding in a
//! comment or a text line has `"field": null`; a `--strict` unknown value
//! has `"alias": null` and its `"value"`. When a file gains a finding with
//! the same field and alias as recorded ones, the ordinals decide which one
//! is new: the last.
//!
//! # File
//!
//! ```json
//! {
//!   "schema": "driftfix-baseline/v1",
//!   "findings": [
//!     {"path": "workbench/a.yaml", "field": "containers[*].location", "alias": "pve-shop", "ordinal": 0},
//!     {"path": "workbench/a.yaml", "field": "containers[*].location", "alias": "pve-shop", "ordinal": 1}
//!   ]
//! }
//! ```
//!
//! One entry per finding and per line (so a diff of two baselines reads
//! well and `--strict` can name the line of a stale entry), sorted by path,
//! field, alias, value, ordinal. The file is JSON whose `schema` starts with
//! `driftfix`, so a scan never takes it for an inventory (SPEC §8).

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::formats::{FileType, Seg};
use crate::text::LineIndex;

/// The `schema` of a baseline file.
pub const SCHEMA: &str = "driftfix-baseline/v1";

/// One recorded finding: its fingerprint.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    pub path: String,
    /// The field with sequence indexes as `[*]`; `None` for a comment or a
    /// text line.
    pub field: Option<String>,
    /// `None` for a `--strict` unknown value.
    pub alias: Option<String>,
    /// The value, for a finding without an alias.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    pub ordinal: usize,
}

/// What identifies a finding before its ordinal is known.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub field: Option<String>,
    pub alias: Option<String>,
    pub value: Option<String>,
}

impl Key {
    /// The key of a finding: `field` as reported (`None` when it has none),
    /// its alias, and its value (kept only when there is no alias).
    pub fn new(field: Option<&str>, alias: Option<&str>, value: &str) -> Key {
        Key {
            field: field.map(crate::rules::selector::any_index),
            alias: alias.map(str::to_string),
            value: alias.is_none().then(|| value.to_string()),
        }
    }
}

/// The fingerprints of one file's findings, given in line, column order:
/// each key with its ordinal among the equal keys before it.
pub fn fingerprints(path: &str, keys: impl IntoIterator<Item = Key>) -> Vec<Entry> {
    let mut seen: HashMap<Key, usize> = HashMap::new();
    keys.into_iter()
        .map(|k| {
            let n = seen.entry(k.clone()).or_default();
            let ordinal = *n;
            *n += 1;
            Entry {
                path: path.to_string(),
                field: k.field,
                alias: k.alias,
                value: k.value,
                ordinal,
            }
        })
        .collect()
}

/// A loaded baseline.
#[derive(Clone, Debug, Default)]
pub struct Baseline {
    /// The file as the user named it, for messages.
    pub name: String,
    entries: Vec<Entry>,
    /// 1-based line of each entry in the file (0 when unknown).
    lines: Vec<usize>,
    index: HashMap<Entry, usize>,
}

/// A baseline that cannot be used (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("--baseline {name}: cannot read: {source}")]
    Read {
        name: String,
        source: crate::fs::FsError,
    },
    #[error("--baseline {name}:{line}:{column}: not a baseline: {message}")]
    Parse {
        name: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "--baseline {name}: schema is {found:?}, expected \"{SCHEMA}\" (write one with scan --write-baseline)"
    )]
    Schema { name: String, found: String },
}

#[derive(Deserialize)]
struct RawFile {
    schema: String,
    findings: Vec<Entry>,
}

/// The largest baseline driftfix reads (a fingerprint is under 200 bytes:
/// this is a few hundred thousand findings).
const MAX_BASELINE: u64 = 256 << 20;

impl Baseline {
    /// Reads a baseline file (`name` is how the user wrote its path).
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let name = path.display().to_string();
        // A regular file only, bounded: a FIFO named by mistake never
        // blocks, `/dev/zero` is never read (SPEC §14).
        let bytes = crate::fs::read_regular_path(path, MAX_BASELINE)
            .map_err(|source| BaselineError::Read {
                name: name.clone(),
                source,
            })?
            .bytes;
        let text = String::from_utf8_lossy(&bytes);
        Baseline::parse(&text, &name)
    }

    /// Parses a baseline's text.
    pub fn parse(text: &str, name: &str) -> Result<Baseline, BaselineError> {
        let raw: RawFile = serde_json::from_str(text).map_err(|e| BaselineError::Parse {
            name: name.to_string(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        if raw.schema != SCHEMA {
            return Err(BaselineError::Schema {
                name: name.to_string(),
                found: raw.schema,
            });
        }
        let lines = entry_lines(text, raw.findings.len());
        let mut index = HashMap::new();
        for (i, e) in raw.findings.iter().enumerate() {
            index.entry(e.clone()).or_insert(i);
        }
        Ok(Baseline {
            name: name.to_string(),
            entries: raw.findings,
            lines,
            index,
        })
    }

    /// The index of the entry recording this fingerprint, if any.
    pub fn lookup(&self, e: &Entry) -> Option<usize> {
        self.index.get(e).copied()
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The 1-based line of entry `i` in the file (0 when unknown).
    pub fn line_of(&self, i: usize) -> usize {
        self.lines.get(i).copied().unwrap_or(0)
    }
}

/// The line of each entry: where its `"path"` string stands, found with
/// driftfix's own JSON reader (serde keeps no positions).
fn entry_lines(text: &str, n: usize) -> Vec<usize> {
    let mut lines = vec![0; n];
    let Ok(scalars) = FileType::Json.format().scalars(text) else {
        return lines;
    };
    let index = LineIndex::new(text);
    for s in scalars {
        if let [Seg::Key(top), Seg::Index(i), Seg::Key(k)] = s.path.as_slice()
            && top == "findings"
            && k == "path"
            && let Some(slot) = lines.get_mut(*i)
        {
            *slot = index.line_col(s.span.start).0;
        }
    }
    lines
}

/// The text of a baseline file: sorted, duplicates dropped, one entry per
/// line.
pub fn render(mut entries: Vec<Entry>) -> String {
    entries.sort();
    entries.dedup();
    let mut out = format!("{{\n  \"schema\": \"{SCHEMA}\",\n  \"findings\": [");
    for (i, e) in entries.iter().enumerate() {
        out.push_str(if i == 0 { "\n    " } else { ",\n    " });
        out.push_str(&serde_json::to_string(e).unwrap_or_default());
    }
    out.push_str(if entries.is_empty() {
        "]\n}\n"
    } else {
        "\n  ]\n}\n"
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(field: &str, alias: &str) -> Key {
        Key::new(Some(field), Some(alias), alias)
    }

    #[test]
    fn indexes_become_wildcards_and_ordinals_count_equal_keys() {
        let e = fingerprints(
            "a.yaml",
            [
                key("c[0].location", "pve-shop"),
                key("c[3].location", "pve-home"),
                key("c[7].location", "pve-shop"),
            ],
        );
        let got: Vec<_> = e
            .iter()
            .map(|e| (e.field.clone().unwrap(), e.ordinal))
            .collect();
        assert_eq!(
            got,
            [
                ("c[*].location".to_string(), 0),
                ("c[*].location".to_string(), 0),
                ("c[*].location".to_string(), 1)
            ]
        );
    }

    #[test]
    fn render_and_parse_round_trip_with_lines() {
        let mut entries = fingerprints("b.json", [key("x", "pve-shop"), key("x", "pve-shop")]);
        entries.extend(fingerprints(
            "a.yaml",
            [Key::new(None, None, "pve2"), key("y", "pve-home")],
        ));
        let text = render(entries.clone());
        assert!(text.starts_with("{\n  \"schema\": \"driftfix-baseline/v1\",\n  \"findings\": [\n    {\"path\":\"a.yaml\",\"field\":null,\"alias\":null,\"value\":\"pve2\",\"ordinal\":0},\n"), "{text}");
        let b = Baseline::parse(&text, "b.json").unwrap();
        assert_eq!(b.entries().len(), 4);
        assert_eq!(b.line_of(0), 4);
        assert_eq!(b.line_of(3), 7);
        for e in &entries {
            assert!(b.lookup(e).is_some(), "{e:?}");
        }
        assert_eq!(
            render(Vec::new()),
            "{\n  \"schema\": \"driftfix-baseline/v1\",\n  \"findings\": []\n}\n"
        );
        assert!(Baseline::parse(&render(Vec::new()), "x").is_ok());
    }

    #[test]
    fn wrong_files_are_errors() {
        let e = Baseline::parse("{\"schema\": \"driftfix/v1\", \"findings\": []}", "r.json")
            .unwrap_err();
        assert!(e.to_string().contains("schema is \"driftfix/v1\""), "{e}");
        let e = Baseline::parse("{\"schema\": ", "r.json").unwrap_err();
        assert!(e.to_string().starts_with("--baseline r.json:1:"), "{e}");
    }
}
