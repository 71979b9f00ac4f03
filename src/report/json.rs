//! The machine-readable report (SPEC §4): one JSON object, schema
//! `driftfix/v1`, findings sorted by path, line, column.

use serde_json::{Value, json};

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

/// The report object; `files` is added for `fix`.
pub fn report(run: &Run, files: Option<&[FileStatus]>) -> Value {
    report_with(run, files, false)
}

/// The report object; with `show_suppressed` the suppressed findings are
/// listed among the others, every finding then saying whether it is
/// suppressed (`"suppressed": "inline" | "rule" | "baseline" | null`) and
/// by what (`"suppressed_by"`).
pub fn report_with(run: &Run, files: Option<&[FileStatus]>, show_suppressed: bool) -> Value {
    let findings: Vec<Value> = super::listed(run, show_suppressed)
        .into_iter()
        .map(|(f, why)| {
            let mut v = finding(f);
            if show_suppressed && let Some(map) = v.as_object_mut() {
                map.insert("suppressed".into(), json!(why.map(|w| w.source.name())));
                map.insert("suppressed_by".into(), json!(why.map(|w| &w.by)));
            }
            v
        })
        .collect();
    let errors: Vec<Value> = run
        .errors_with_positions()
        .into_iter()
        .map(|e| json!({"path": e.path, "line": e.line, "column": e.column, "message": e.message}))
        .collect();
    let skipped: Vec<Value> = run
        .skipped()
        .into_iter()
        .map(|s| json!({"path": s.path, "reason": s.reason.name(), "message": s.message}))
        .collect();
    let s = Summary::of(run);
    let mut obj = json!({
        "schema": "driftfix/v1",
        "findings": findings,
        "errors": errors,
        "skipped": skipped,
        "summary": {
            "files_scanned": s.files_scanned,
            "files_with_findings": s.files_with_findings,
            "findings": s.findings,
            "by_action": s.by_action,
            "by_severity": s.by_severity,
            "ungoverned": s.ungoverned,
            "suppressed": s.suppressed,
        },
    });
    if let (Some(files), Some(map)) = (files, obj.as_object_mut()) {
        let list: Vec<Value> = files
            .iter()
            .map(|f| {
                json!({"path": f.path, "status": f.status.name(), "changes": f.changes, "message": f.message})
            })
            .collect();
        map.insert("files".into(), Value::Array(list));
    }
    obj
}

/// `--format json`: the report as pretty JSON with a final newline (with
/// `files` for `fix`).
pub fn render(r: &Report<'_>) -> String {
    let mut out = serde_json::to_string_pretty(&report_with(r.run, r.files, r.show_suppressed))
        .unwrap_or_default();
    out.push('\n');
    out
}

fn finding(f: &Finding) -> Value {
    json!({
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line,
        "end_column": f.end_column,
        "document": f.document,
        "field": f.kind.has_field().then_some(&f.field),
        "kind": f.kind.name(),
        "actual": f.actual,
        "expected": f.expected,
        "alias": f.alias,
        "canonical": f.canonical,
        "match": f.mode.name(),
        "severity": f.severity.name(),
        "role": f.role.name(),
        "action": f.action.name(),
        "reason": f.reason,
    })
}
