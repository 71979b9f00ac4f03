//! The machine-readable report (SPEC §4): one JSON object, schema
//! `driftfix/v1`, findings sorted by path, line, column.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::{Serialize, Serializer};
use serde_json::Value;

use super::{Report, Summary};
use crate::plan::Finding;
use crate::run::Run;

/// Per-file status for `fix --format json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileStatus {
    pub path: String,
    pub status: Status,
    pub changes: usize,
    pub message: Option<String>,
}

/// What `fix` did (or, in a dry run, would do) with one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Fixes were written (or are pending, in a dry run).
    Changed,
    /// Nothing to fix.
    Unchanged,
    /// Not written by design: a read-only or authority file, or a file
    /// skipped with a warning (binary, not UTF-8, too large).
    Skipped,
    /// The file could not be read, parsed, verified or written.
    Error,
}

impl Status {
    /// The name in the JSON report.
    pub fn name(self) -> &'static str {
        match self {
            Status::Changed => "changed",
            Status::Unchanged => "unchanged",
            Status::Skipped => "skipped",
            Status::Error => "error",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// `--format json`: the report as pretty JSON with a final newline (with
/// `files` for `fix`), streamed finding by finding.
///
/// Serialized from structs whose fields are declared in alphabetical order:
/// the bytes are exactly those of the `serde_json::Value` tree this report
/// used to build (whose maps sort their keys), without holding that tree —
/// a copy of every finding — in memory.
pub fn write(r: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut out = super::buffered(out);
    super::pretty::to_writer(&mut out, &Document::of(r.run, r.files, r.show_suppressed))?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The report as a `serde_json::Value` (for tests and callers that want to
/// look inside it); `files` is added for `fix`.
pub fn report(run: &Run, files: Option<&[FileStatus]>) -> Value {
    report_with(run, files, false)
}

/// The report as a `serde_json::Value`; with `show_suppressed` the
/// suppressed findings are listed among the others, every finding then
/// saying whether it is suppressed (`"suppressed": "inline" | "rule" |
/// "baseline" | null`) and by what (`"suppressed_by"`).
pub fn report_with(run: &Run, files: Option<&[FileStatus]>, show_suppressed: bool) -> Value {
    serde_json::to_value(Document::of(run, files, show_suppressed)).unwrap_or(Value::Null)
}

/// The top-level object.
#[derive(Serialize)]
struct Document<'a> {
    errors: Vec<ErrorJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    files: Option<Vec<FileJson<'a>>>,
    findings: Findings<'a>,
    schema: &'static str,
    skipped: Vec<SkippedJson>,
    summary: SummaryJson,
}

impl<'a> Document<'a> {
    fn of(run: &'a Run, files: Option<&'a [FileStatus]>, show_suppressed: bool) -> Document<'a> {
        let s = Summary::of(run);
        Document {
            errors: run
                .errors_with_positions()
                .into_iter()
                .map(|e| ErrorJson {
                    column: e.column,
                    line: e.line,
                    message: e.message,
                    path: e.path,
                })
                .collect(),
            files: files.map(|files| {
                files
                    .iter()
                    .map(|f| FileJson {
                        changes: f.changes,
                        message: f.message.as_deref(),
                        path: &f.path,
                        status: f.status.name(),
                    })
                    .collect()
            }),
            findings: Findings {
                run,
                show_suppressed,
            },
            schema: SCHEMA,
            skipped: run
                .skipped()
                .into_iter()
                .map(|s| SkippedJson {
                    message: s.message,
                    path: s.path,
                    reason: s.reason.name(),
                })
                .collect(),
            summary: SummaryJson {
                by_action: s.by_action,
                by_severity: s.by_severity,
                files_scanned: s.files_scanned,
                files_with_findings: s.files_with_findings,
                findings: s.findings,
                suppressed: s.suppressed,
                ungoverned: s.ungoverned,
            },
        }
    }
}

/// The `schema` of the report.
pub const SCHEMA: &str = "driftfix/v1";

/// Every finding of the run (and with `show_suppressed` the suppressed
/// ones, in place), serialized one at a time.
struct Findings<'a> {
    run: &'a Run,
    show_suppressed: bool,
}

impl Serialize for Findings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if !self.show_suppressed {
            return s.collect_seq(self.run.findings().map(FindingJson::of));
        }
        s.collect_seq(
            super::listed(self.run, true)
                .into_iter()
                .map(|(f, why)| FindingJson {
                    suppressed: Some(why.map(|w| w.source.name())),
                    suppressed_by: Some(why.map(|w| w.by.as_str())),
                    ..FindingJson::of(f)
                }),
        )
    }
}

/// One finding (SPEC §4; `end_line`, `end_column` and `rule` are
/// additions of SPEC §13).
#[derive(Serialize)]
struct FindingJson<'a> {
    action: &'static str,
    actual: &'a str,
    alias: Option<&'a str>,
    canonical: Option<&'a str>,
    column: usize,
    document: usize,
    end_column: usize,
    end_line: usize,
    /// Rendered when serialized: findings of one scalar share its value.
    expected: Option<&'a crate::plan::ScalarText>,
    field: Option<&'a str>,
    kind: &'static str,
    line: usize,
    #[serde(rename = "match")]
    mode: &'static str,
    path: &'a str,
    reason: Option<&'a str>,
    role: &'static str,
    rule: &'static str,
    severity: &'static str,
    /// `--show-suppressed` only: `inline`, `rule`, `baseline` or null.
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<Option<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed_by: Option<Option<&'a str>>,
}

impl<'a> FindingJson<'a> {
    fn of(f: &'a Finding) -> FindingJson<'a> {
        FindingJson {
            action: f.action.name(),
            actual: &f.actual,
            alias: f.alias.as_deref(),
            canonical: f.canonical.as_deref(),
            column: f.column,
            document: f.document,
            end_column: f.end_column,
            end_line: f.end_line,
            expected: f.expected.as_ref(),
            field: f.kind.has_field().then_some(f.field.as_str()),
            kind: f.kind.name(),
            line: f.line,
            mode: f.mode.name(),
            path: &f.path,
            reason: f.reason.as_deref(),
            role: f.role.name(),
            rule: f.check.id(),
            severity: f.severity.name(),
            suppressed: None,
            suppressed_by: None,
        }
    }
}

#[derive(Serialize)]
struct ErrorJson {
    column: Option<usize>,
    line: Option<usize>,
    message: String,
    path: String,
}

#[derive(Serialize)]
struct SkippedJson {
    message: String,
    path: String,
    reason: &'static str,
}

#[derive(Serialize)]
struct SummaryJson {
    by_action: BTreeMap<&'static str, usize>,
    by_severity: BTreeMap<&'static str, usize>,
    files_scanned: usize,
    files_with_findings: usize,
    findings: usize,
    suppressed: usize,
    ungoverned: usize,
}

#[derive(Serialize)]
struct FileJson<'a> {
    changes: usize,
    message: Option<&'a str>,
    path: &'a str,
    status: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testkit;

    /// The streamed bytes are those of the same report built as a
    /// `serde_json::Value` tree (sorted keys) and pretty-printed.
    #[test]
    fn streamed_bytes_equal_the_value_tree_s() {
        let run = testkit::homelab();
        let files = [FileStatus {
            path: "a.yaml".into(),
            status: Status::Changed,
            changes: 2,
            message: None,
        }];
        for (files, shown) in [(None, false), (Some(&files[..]), false), (None, true)] {
            let mut streamed = Vec::new();
            let doc = Document::of(&run, files, shown);
            crate::report::pretty::to_writer(&mut streamed, &doc).unwrap();
            let tree: Value = serde_json::to_value(&doc).unwrap();
            assert_eq!(
                String::from_utf8(streamed).unwrap(),
                serde_json::to_string_pretty(&tree).unwrap()
            );
        }
        let v = report(&run, None);
        assert_eq!(v["findings"][0]["rule"], "non-canonical-label");
        assert_eq!(v["schema"], "driftfix/v1");
    }
}
