//! The machine-readable report (SPEC §4): one JSON object, schema
//! `driftfix/v1`, findings sorted by path, line, column.

use serde_json::{Value, json};

use super::Summary;
use crate::plan::Finding;
use crate::run::Run;

/// Per-file status for `fix --format json`.
#[derive(Clone, Debug)]
pub struct FileStatus {
    pub path: String,
    /// `changed`, `unchanged`, `skipped` or `error`.
    pub status: &'static str,
    pub changes: usize,
    pub message: Option<String>,
}

/// The report object; `files` is added for `fix`.
pub fn report(run: &Run, files: Option<&[FileStatus]>) -> Value {
    let findings: Vec<Value> = run.findings().map(finding).collect();
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
        },
    });
    if let (Some(files), Some(map)) = (files, obj.as_object_mut()) {
        let list: Vec<Value> = files
            .iter()
            .map(|f| {
                json!({"path": f.path, "status": f.status, "changes": f.changes, "message": f.message})
            })
            .collect();
        map.insert("files".into(), Value::Array(list));
    }
    obj
}

/// Renders the report as pretty JSON with a final newline.
pub fn render(run: &Run, files: Option<&[FileStatus]>) -> String {
    let mut out = serde_json::to_string_pretty(&report(run, files)).unwrap_or_default();
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
