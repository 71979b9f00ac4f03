//! Reports: printers over one result model ([`crate::run::Run`]).
//! Each format is its own module; none recomputes the plans. One exception
//! reads files: [`usage`] re-scans authority files for the markdown report's
//! "source of authority" column (plans only record aliases).

pub mod human;
pub mod json;
pub mod markdown;
pub mod patch;
pub mod sarif;
#[cfg(test)]
mod testkit;
pub mod usage;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::plan::Action;
use crate::rules::Severity;
use crate::run::Run;

/// Counts every report closes with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub files_scanned: usize,
    pub files_with_findings: usize,
    pub findings: usize,
    pub by_action: BTreeMap<&'static str, usize>,
    pub by_severity: BTreeMap<&'static str, usize>,
}

impl Summary {
    pub fn of(run: &Run) -> Summary {
        let mut s = Summary {
            files_scanned: run.files_scanned(),
            ..Summary::default()
        };
        for a in [Action::Fix, Action::Report, Action::Manual] {
            s.by_action.insert(a.name(), 0);
        }
        for l in Severity::ALL {
            s.by_severity.insert(l.name(), 0);
        }
        for plan in run.plans() {
            if !plan.findings.is_empty() {
                s.files_with_findings += 1;
            }
            for f in &plan.findings {
                s.findings += 1;
                *s.by_action.entry(f.action.name()).or_default() += 1;
                *s.by_severity.entry(f.severity.name()).or_default() += 1;
            }
        }
        s
    }

    pub fn action(&self, a: Action) -> usize {
        self.by_action.get(a.name()).copied().unwrap_or(0)
    }

    pub fn severity(&self, l: Severity) -> usize {
        self.by_severity.get(l.name()).copied().unwrap_or(0)
    }

    /// `fix 4, report 2, manual 1; critical 0, high 2, medium 3, low 2`:
    /// the counts every report's summary shows.
    pub fn counts(&self) -> String {
        format!(
            "fix {}, report {}, manual {}; critical {}, high {}, medium {}, low {}",
            self.action(Action::Fix),
            self.action(Action::Report),
            self.action(Action::Manual),
            self.severity(Severity::Critical),
            self.severity(Severity::High),
            self.severity(Severity::Medium),
            self.severity(Severity::Low),
        )
    }
}

/// `""` for one, `"s"` otherwise.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Control characters made visible (`\n`, `\r`, `\t`, `\u{..}`), so a value
/// always stays on one line.
pub(crate) fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Longest value a one-line report shows in full.
pub const MAX_VALUE_CHARS: usize = 120;

/// A value for a one-line report: control characters made visible, and cut
/// to [`MAX_VALUE_CHARS`] characters (the last one `…`) when longer.
pub(crate) fn one_line(value: &str) -> String {
    let shown = visible(value);
    if shown.chars().count() > MAX_VALUE_CHARS {
        let cut: String = shown.chars().take(MAX_VALUE_CHARS - 1).collect();
        format!("{cut}…")
    } else {
        shown
    }
}
