//! `scan --format gitlab`: a GitLab Code Quality report, the JSON array a
//! job publishes as `artifacts:reports:codequality` and GitLab shows in
//! merge requests (SPEC §13). Each finding is one issue:
//!
//! ```json
//! {"description": "`pve-shop` is an alias of `pve` (…)", "check_name": "non-canonical-label",
//!  "fingerprint": "…", "severity": "minor",
//!  "location": {"path": "infra/inv/a.yaml", "lines": {"begin": 7, "end": 7}}}
//! ```
//!
//! - `check_name`: the rule id ([`crate::plan::Check::id`]), as in SARIF.
//! - `fingerprint`: the SARIF `driftfix/v1` fingerprint (content-based,
//!   no line numbers): unique within a report and stable across
//!   unrelated edits, which is what GitLab compares between pipelines.
//! - `severity`: critical → `critical`, high → `major`, medium → `minor`,
//!   low → `info`. `blocker` is never used: whether drift blocks a
//!   pipeline is the exit code's business (`--fail-on`).
//! - `location.path`: relative to the git work tree (GitLab resolves it
//!   against the repository), else to the base directory.
//!
//! Streamed: one issue at a time into the output.

use std::io::{self, Write};

use serde::ser::SerializeSeq as _;
use serde::{Serialize, Serializer};

use super::sarif::Fingerprints;
use super::{Report, SourceRoot, checks};
use crate::rules::Severity;
use crate::run::Run;

/// Writes the report (a JSON array, pretty, final newline).
pub fn write(r: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut out = super::buffered(out);
    super::pretty::to_writer(
        &mut out,
        &Issues {
            run: r.run,
            root: r.root,
        },
    )?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The Code Quality severity of a driftfix severity.
pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::High => "major",
        Severity::Medium => "minor",
        Severity::Low => "info",
    }
}

struct Issues<'a> {
    run: &'a Run,
    root: &'a SourceRoot,
}

impl Serialize for Issues<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        let mut prints = Fingerprints::default();
        for f in self.run.findings() {
            seq.serialize_element(&Issue {
                description: self.root.scrub(&checks::message(f)).into_owned(),
                check_name: f.check.id(),
                fingerprint: prints.next(f),
                severity: severity(f.severity),
                location: Location {
                    path: self.root.path(&f.path).into_owned(),
                    lines: Lines {
                        begin: f.line,
                        end: f.end_line,
                    },
                },
            })?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct Issue {
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::report::{Format, testkit};

    #[test]
    fn one_issue_per_finding() {
        let run = testkit::homelab();
        let rules = testkit::rules();
        let root = SourceRoot::in_work_tree("infra");
        let text = Format::Gitlab.render(&testkit::report(&run, &rules, &root));
        let issues: Value = serde_json::from_str(&text).unwrap();
        let issues = issues.as_array().unwrap();
        assert_eq!(issues.len(), 6);
        let high = issues
            .iter()
            .find(|i| i["location"]["path"] == "infra/workbench/backup_inventory.json")
            .unwrap();
        assert_eq!(high["severity"], "major");
        assert_eq!(high["check_name"], "non-canonical-label");
        assert_eq!(high["location"]["lines"]["begin"], 5);
        let mut prints: Vec<&str> = issues
            .iter()
            .map(|i| i["fingerprint"].as_str().unwrap())
            .collect();
        prints.sort();
        prints.dedup();
        assert_eq!(prints.len(), 6);
    }

    #[test]
    fn empty_report_is_an_empty_array() {
        let run = testkit::run(Vec::new());
        let rules = testkit::rules();
        let root = SourceRoot::base();
        assert_eq!(
            Format::Gitlab.render(&testkit::report(&run, &rules, &root)),
            "[]\n"
        );
    }
}
