//! `scan --statistics`: instead of the report, one line per alias — how
//! often it occurs, in how many files, and how many of those `fix` would
//! rewrite — most frequent first (as ruff's `--statistics` counts per
//! rule). `--strict` findings get lines of their own: an unknown value per
//! value, an alias outside governed fields apart from the governed ones.
//!
//! ```text
//! 10  pve-shop → pve                          4 files  9 fixable
//!  4  pve-home → proxmox-home                 3 files  3 fixable
//!  1  pve2 (unknown label)                    1 file   0 fixable
//! ```
//!
//! With `--format json`: an array of `{"rule", "alias", "canonical",
//! "count", "files", "fixable"}` in the same order (`alias` holds the value
//! itself for `unknown-label`, `canonical` its closest canonical name or
//! null).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;

use super::{plural, visible};
use crate::plan::{Action, Check};
use crate::run::Run;

/// One line: an alias (or unknown value) and its counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    pub rule: &'static str,
    pub alias: String,
    pub canonical: Option<String>,
    pub count: usize,
    pub files: usize,
    pub fixable: usize,
    #[serde(skip)]
    check: Check,
}

/// The rows of a run, most frequent first, then by rule and alias.
pub fn rows(run: &Run) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    // Row index, and the last path counted for it (findings come sorted by
    // path, so a new path is a new file).
    let mut at: HashMap<(Check, &str, Option<&str>), (usize, &str)> = HashMap::new();
    for f in run.findings() {
        let label = match f.check {
            Check::Unknown => &*f.actual,
            _ => f.alias.as_deref().unwrap_or(&f.actual),
        };
        let key = (f.check, label, f.canonical.as_deref());
        let (i, last) = at.entry(key).or_insert_with(|| {
            rows.push(Row {
                rule: f.check.id(),
                alias: label.to_string(),
                canonical: f.canonical.as_deref().map(str::to_string),
                count: 0,
                files: 0,
                fixable: 0,
                check: f.check,
            });
            (rows.len() - 1, "")
        });
        let Some(row) = rows.get_mut(*i) else {
            continue;
        };
        row.count += 1;
        if **last != *f.path {
            row.files += 1;
            *last = &f.path;
        }
        if f.action == Action::Fix {
            row.fixable += 1;
        }
    }
    rows.sort_by(|a, b| {
        (b.count, a.check, &a.alias, &a.canonical).cmp(&(a.count, b.check, &b.alias, &b.canonical))
    });
    rows
}

/// The text of `row`'s label: `pve-shop → pve`.
fn label(row: &Row) -> String {
    let canonical = row.canonical.as_deref().map(visible);
    match (row.check, canonical) {
        (Check::Unknown, _) => format!("{} (unknown label)", visible(&row.alias)),
        (Check::Ungoverned, Some(c)) => {
            format!("{} → {c} (outside governed fields)", visible(&row.alias))
        }
        (_, Some(c)) => format!("{} → {c}", visible(&row.alias)),
        (_, None) => visible(&row.alias),
    }
}

/// The lines, aligned; empty when there are no findings.
pub fn text(run: &Run) -> String {
    let rows = rows(run);
    let labels: Vec<String> = rows.iter().map(label).collect();
    let count_w = rows
        .iter()
        .map(|r| r.count.to_string().len())
        .max()
        .unwrap_or(1);
    let label_w = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let files_w = rows
        .iter()
        .map(|r| r.files.to_string().len())
        .max()
        .unwrap_or(1);
    let mut out = String::new();
    for (row, label) in rows.iter().zip(&labels) {
        let pad = label_w.saturating_sub(label.chars().count());
        let files = format!("{:>files_w$} file{}", row.files, plural(row.files));
        let _ = writeln!(
            out,
            "{:>count_w$}  {label}{}  {files:<w$}  {} fixable",
            row.count,
            " ".repeat(pad),
            row.fixable,
            w = files_w + 6,
        );
    }
    out
}

/// The rows as a pretty JSON array with a final newline.
pub fn write_json(run: &Run, out: &mut dyn Write) -> io::Result<()> {
    let mut out = super::buffered(out);
    super::pretty::to_writer(&mut out, &rows(run))?;
    out.write_all(b"\n")?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testkit;

    #[test]
    fn one_row_per_alias_most_frequent_first() {
        let run = testkit::homelab();
        let rows = rows(&run);
        let summary: Vec<(&str, usize, usize, usize)> = rows
            .iter()
            .map(|r| (r.alias.as_str(), r.count, r.files, r.fixable))
            .collect();
        assert_eq!(
            summary,
            [
                ("pve-shop", 3, 2, 2),
                ("pve-home", 2, 1, 2),
                ("proxmox-shop", 1, 1, 0),
            ]
        );
        let text = text(&run);
        assert_eq!(
            text,
            "3  pve-shop → pve           2 files  2 fixable\n\
             2  pve-home → proxmox-home  1 file   2 fixable\n\
             1  proxmox-shop → pve       1 file   0 fixable\n"
        );
    }

    #[test]
    fn unknown_values_get_their_own_rows() {
        let mut run = testkit::homelab();
        for o in &mut run.outcomes {
            if let Ok(p) = &mut o.result {
                for f in &mut p.findings {
                    if &*f.path == "legacy/old.yaml" {
                        f.check = Check::Unknown;
                        f.alias = None;
                        f.actual = "pve2".into();
                    }
                }
            }
        }
        let text = text(&run);
        assert!(text.contains("1  pve2 (unknown label)"), "{text}");
        let mut json = Vec::new();
        write_json(&run, &mut json).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(v[0]["rule"], "non-canonical-label");
        assert_eq!(v[2]["rule"], "unknown-label");
        assert_eq!(v[2]["alias"], "pve2");
    }
}
