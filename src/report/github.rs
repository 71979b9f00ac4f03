//! `scan --format github`: one GitHub Actions workflow command per finding,
//! which the runner turns into an inline annotation on the pull request —
//! free on every plan, unlike code scanning (SPEC §13):
//!
//! ```text
//! ::warning file=infra/inv/a.yaml,line=7,col=15,endLine=7,endColumn=23,title=driftfix%3A pve-shop → pve::infra/inv/a.yaml:7:15: `pve-shop` is an alias of `pve` (…).
//! ```
//!
//! Level by severity: critical and high → `error`, medium → `warning`,
//! low → `notice`. `file` is relative to the git work tree (the
//! workspace the runner resolves it against; [`super::root`]), else to the
//! base directory. The message starts with `PATH:LINE:COL:` (as ruff's
//! does) so the raw log reads on its own. Values are escaped exactly as
//! `@actions/core` escapes them (`command.ts`): in the message `%`, CR and
//! LF become `%25`, `%0D`, `%0A` (`%` first, so an escape is never escaped
//! twice); property values additionally get `:` → `%3A` and `,` → `%2C`.
//! Nothing else is printed on stdout; the summary goes to stderr.

use std::io::{self, Write};

use super::{Report, checks};
use crate::rules::Severity;

/// Writes one command per finding.
pub fn write(r: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut out = super::buffered(out);
    for f in r.run.findings() {
        let path = r.root.path(&f.path);
        let message = format!(
            "{path}:{}:{}: {}",
            f.line,
            f.column,
            r.root.scrub(&checks::message(f))
        );
        writeln!(
            out,
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            level(f.severity),
            escape_property(&path),
            f.line,
            f.column,
            f.end_line,
            f.end_column,
            escape_property(&checks::title(f)),
            escape_data(&message),
        )?;
    }
    out.flush()
}

/// The workflow command of a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "notice",
    }
}

/// `@actions/core`'s `escapeData`: `%`, CR, LF.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// `@actions/core`'s `escapeProperty`: as [`escape_data`], then `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Format, SourceRoot, testkit};

    #[test]
    fn escaping_follows_actions_core() {
        assert_eq!(escape_data("50% a:b,c\r\nd"), "50%25 a:b,c%0D%0Ad");
        assert_eq!(escape_property("50% a:b,c\r\nd"), "50%25 a%3Ab%2Cc%0D%0Ad");
        // `%` first: an existing `%0A` is escaped, not decoded later.
        assert_eq!(escape_data("%0A"), "%250A");
    }

    #[test]
    fn one_command_per_finding() {
        let run = testkit::homelab();
        let rules = testkit::rules();
        let root = SourceRoot::in_work_tree("infra");
        let text = Format::Github.render(&testkit::report(&run, &rules, &root));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 6, "{text}");
        assert!(lines.contains(&"::error file=infra/workbench/backup_inventory.json,line=5,col=15,endLine=5,endColumn=23,title=driftfix%3A pve-home → proxmox-home::infra/workbench/backup_inventory.json:5:15: `pve-home` is an alias of `proxmox-home` (value `backups[1].host`); `driftfix fix` rewrites `pve-home` to `proxmox-home`."), "{text}");
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("::notice file=infra/legacy/old.yaml,"))
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("::warning file=infra/workbench/inventory.yaml,"))
        );
    }
}
