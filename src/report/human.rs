//! The terminal report: findings grouped by canonical name, one aligned line
//! each (`path:line:column  field  actual → expected  SEVERITY  action`),
//! then a closing summary line.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};

use super::{Paint, Report, Summary, plural};
use crate::plan::{Action, Finding};
use crate::rules::RuleSet;
use crate::run::Run;

/// `scan --format human` (the default).
pub fn render(r: &Report<'_>) -> String {
    let mut out = render_run(r.run, r.rules, r.paint, r.quiet);
    if r.show_suppressed {
        out.push_str(&suppressed_section(r.run, r.paint));
    }
    out
}

/// `--show-suppressed`: the suppressed findings, one line each with the
/// suppression that covers it.
fn suppressed_section(run: &Run, paint: Paint) -> String {
    let all: Vec<_> = super::listed(run, true)
        .into_iter()
        .filter_map(|(f, why)| Some((f, why?)))
        .collect();
    if all.is_empty() {
        return String::new();
    }
    let cells: Vec<Cells> = all.iter().map(|(f, _)| Cells::of(f)).collect();
    let widths = Widths::of(&cells);
    let mut out = format!(
        "\n{}\n",
        paint.paint(Style::new().bold(), &format!("suppressed ({})", all.len()))
    );
    for ((f, why), c) in all.iter().zip(&cells) {
        out.push_str("  ");
        push_line(&mut out, f, c, &widths, paint);
        let _ = writeln!(
            out,
            "  [{}: {}]",
            why.source.name(),
            super::visible(&why.by)
        );
    }
    out
}

/// The whole human report; `quiet` (`scan -q`): the finding lines (and
/// their reasons) only, without group titles or the summary.
fn render_run(run: &Run, rules: &RuleSet, paint: Paint, quiet: bool) -> String {
    let mut groups: BTreeMap<(usize, String), Vec<&Finding>> = BTreeMap::new();
    for f in run.findings() {
        // `--strict` findings (no alias) get their own group, even when a
        // closest canonical name is known.
        let key = match f.canonical.as_ref().filter(|_| f.alias.is_some()) {
            Some(c) => (
                rules
                    .canonicals
                    .iter()
                    .position(|k| *k.name == **c)
                    .unwrap_or(usize::MAX),
                c.to_string(),
            ),
            None => (usize::MAX, String::new()),
        };
        groups.entry(key).or_default().push(f);
    }
    let cells: Vec<Cells> = groups.values().flatten().map(|f| Cells::of(f)).collect();
    let widths = Widths::of(&cells);
    let mut cells = cells.iter();
    let mut out = String::new();
    for ((_, name), findings) in &groups {
        let title = if name.is_empty() {
            "unknown values (--strict: neither canonical nor alias)".to_string()
        } else {
            let desc = rules
                .canonicals
                .iter()
                .find(|c| &c.name == name)
                .and_then(|c| c.description.as_deref())
                .map(|d| format!("  ({})", super::visible(d)))
                .unwrap_or_default();
            format!("{}{desc}", super::visible(name))
        };
        if !quiet {
            let _ = writeln!(out, "{}", paint.paint(Style::new().bold(), &title));
        }
        for (f, c) in findings.iter().zip(cells.by_ref()) {
            out.push_str("  ");
            push_line(&mut out, f, c, &widths, paint);
            out.push('\n');
            if let Some(r) = &f.reason {
                let r = super::visible(r);
                let _ = writeln!(out, "      {}", paint.paint(Style::new().dimmed(), &r));
            }
        }
        if !quiet {
            out.push('\n');
        }
    }
    if quiet {
        return out;
    }
    out.push_str(&summary_line(run));
    out.push('\n');
    let summary = Summary::of(run);
    for line in [
        super::ungoverned_line(&summary),
        super::suppressed_line(&summary),
    ]
    .into_iter()
    .flatten()
    {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The three padded columns of one finding's line, each built once: the
/// widths and the line read the same strings (issue 19: both built them,
/// 8.5% of a 100,000-finding report).
struct Cells {
    location: String,
    field: String,
    change: String,
    /// Their widths in characters.
    chars: [usize; 3],
}

impl Cells {
    fn of(f: &Finding) -> Cells {
        let location = location(f);
        let field = super::field_shown(f);
        let change = change(f);
        let chars = [width(&location), width(&field), width(&change)];
        Cells {
            location,
            field,
            change,
            chars,
        }
    }
}

/// Characters of `s` (its length when ASCII, the usual cell).
fn width(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// The column widths of a set of lines: the widest cell of each column.
struct Widths {
    location: usize,
    field: usize,
    change: usize,
}

impl Widths {
    fn of(cells: &[Cells]) -> Widths {
        let max = |i: usize| {
            cells
                .iter()
                .filter_map(|c| c.chars.get(i).copied())
                .max()
                .unwrap_or(0)
        };
        Widths {
            location: max(0),
            field: max(1),
            change: max(2),
        }
    }
}

fn location(f: &Finding) -> String {
    format!("{}:{}:{}", super::visible(&f.path), f.line, f.column)
}

/// `actual → expected`, each on one line: a value longer than one line or
/// [`super::MAX_VALUE_CHARS`] characters shows a window around the alias
/// ([`super::excerpt`]).
fn change(f: &Finding) -> String {
    format!(
        "{} → {}",
        super::actual_excerpt(f),
        super::expected_excerpt(f).unwrap_or_else(|| "?".into())
    )
}

/// Appends `s` and the spaces that make it `width` characters wide, its
/// own width being `chars`.
fn push_padded(out: &mut String, s: &str, chars: usize, width: usize) {
    out.push_str(s);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(chars)));
}

/// Appends one finding's line (without the line break).
fn push_line(out: &mut String, f: &Finding, c: &Cells, w: &Widths, paint: Paint) {
    let action_style = match f.action {
        Action::Fix => Style::new().fg_color(Some(AnsiColor::Green.into())),
        Action::Report => Style::new().dimmed(),
        Action::Manual => Style::new().fg_color(Some(AnsiColor::Yellow.into())).bold(),
    };
    let [location_chars, field_chars, change_chars] = c.chars;
    if !paint.color {
        push_padded(out, &c.location, location_chars, w.location);
    } else {
        let mut cell = String::with_capacity(w.location);
        push_padded(&mut cell, &c.location, location_chars, w.location);
        out.push_str(&paint.paint(Style::new().bold(), &cell));
    }
    out.push_str("  ");
    push_padded(out, &c.field, field_chars, w.field);
    out.push_str("  ");
    push_padded(out, &c.change, change_chars, w.change);
    out.push_str("  ");
    let sev = f.severity.name();
    out.push_str(&paint.severity(f.severity));
    out.extend(std::iter::repeat_n(' ', 8usize.saturating_sub(sev.len())));
    out.push_str("  ");
    out.push_str(&paint.paint(action_style, f.action.name()));
}

/// `12 files scanned, 3 with findings: 7 findings (fix 4, report 2, manual 1;
/// critical 0, high 2, medium 3, low 2), 1 error in 0.01s`
pub fn summary_line(run: &Run) -> String {
    let s = Summary::of(run);
    let errors = run.error_list().len();
    let mut line = format!(
        "{} file{} scanned, {} with findings: {} finding{} ({})",
        s.files_scanned,
        plural(s.files_scanned),
        s.files_with_findings,
        s.findings,
        plural(s.findings),
        s.counts(),
    );
    if errors > 0 {
        let _ = write!(line, ", {errors} error{}", plural(errors));
    }
    let _ = write!(line, " in {:.2}s", run.elapsed.as_secs_f64());
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testkit;

    fn plain() -> String {
        render_run(
            &testkit::homelab(),
            &testkit::rules(),
            Paint { color: false },
            false,
        )
    }

    #[test]
    fn grouped_by_canonical_in_rule_order() {
        let out = plain();
        let pve = out.find("pve  (Shop cluster | Dell R730XD)\n").unwrap();
        let home = out.find("\nproxmox-home\n").unwrap();
        assert!(pve < home, "{out}");
        let backup = out.find("workbench/backup_inventory.json:5:15").unwrap();
        assert!(backup > home, "{out}");
    }

    #[test]
    fn columns_are_aligned() {
        let out = plain();
        let lines: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with("  ") && l.contains(" → "))
            .collect();
        assert_eq!(lines.len(), 6, "{out}");
        let col = |l: &str, needle: &str| l.find(needle).map(|i| l[..i].chars().count());
        let arrows: Vec<_> = lines
            .iter()
            .map(|l| {
                col(l, "  backups")
                    .or(col(l, "  containers"))
                    .or(col(l, "  nodes"))
                    .or(col(l, "  hosts"))
            })
            .collect();
        assert!(
            arrows.iter().all(|a| *a == arrows[0] && a.is_some()),
            "{out}"
        );
        let sev: Vec<_> = lines
            .iter()
            .map(|l| ["MEDIUM", "HIGH", "LOW"].iter().find_map(|s| col(l, s)))
            .collect();
        assert!(sev.iter().all(|s| *s == sev[0] && s.is_some()), "{out}");
        assert!(out.contains("  legacy/old.yaml:3:11                  nodes[0].host           proxmox-shop → pve       LOW       report\n"), "{out}");
    }

    #[test]
    fn manual_reason_follows_its_line_and_summary_closes() {
        let out = plain();
        assert!(
            out.contains(
                "MEDIUM    manual\n      renaming this key to `pve` would collide | twice\n"
            ),
            "{out}"
        );
        assert!(out.ends_with(
            "6 files scanned, 4 with findings: 6 findings (fix 4, report 1, manual 1; critical 0, high 2, medium 3, low 1), 1 error in 1.23s\n"
        ), "{out}");
        assert!(!out.contains('\u{1b}'), "no color when off");
    }

    #[test]
    fn quiet_prints_the_finding_lines_only() {
        let out = render_run(
            &testkit::homelab(),
            &testkit::rules(),
            Paint { color: false },
            true,
        );
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 7, "6 findings and one reason:\n{out}");
        assert!(lines.iter().all(|l| l.starts_with("  ")), "{out}");
        assert!(!out.contains("files scanned"), "{out}");
    }

    #[test]
    fn color_only_when_asked() {
        let out = render_run(
            &testkit::homelab(),
            &testkit::rules(),
            Paint { color: true },
            false,
        );
        assert!(out.contains("\u{1b}["), "{out}");
        assert!(out.contains("HIGH"));
    }

    #[test]
    fn strict_findings_get_their_own_group() {
        let mut f = testkit::finding("workbench/a.yaml", 1, "host", "pve2", "pve");
        f.alias = None;
        f.action = Action::Manual;
        f.reason = Some("`pve2` is neither a canonical name nor a known alias".into());
        let run = testkit::run(vec![testkit::planned("workbench/a.yaml", "", vec![f])]);
        let out = render_run(&run, &testkit::rules(), Paint { color: false }, false);
        assert!(out.starts_with("unknown values (--strict: neither canonical nor alias)\n  workbench/a.yaml:1:11  host  pve2 → pve  MEDIUM    manual\n"), "{out}");
    }

    /// SPEC §8: each finding stays on one line, and a value longer than
    /// one line or 120 characters shows a window around the alias (never a
    /// cut that hides it).
    #[test]
    fn every_finding_stays_on_one_line_with_the_alias_in_sight() {
        let value = "first line\nsecond pve-shop\u{1}line\n";
        let mut f = testkit::finding("workbench/a\tb.yaml", 1, "notes", value, "pve");
        let at = value.find("pve-shop").unwrap();
        f.range = at..at + 8;
        f.alias = Some("pve-shop".into());
        f.expected = Some("first line\nsecond pve\u{1}line\n".into());
        let long_value = format!("{}pve-shop{}", "x ".repeat(100), " y".repeat(100));
        let mut long = testkit::finding("workbench/c.yaml", 2, "x", &long_value, "pve");
        let at = long_value.find("pve-shop").unwrap();
        long.range = at..at + 8;
        long.alias = Some("pve-shop".into());
        long.expected = Some(long_value.replace("pve-shop", "pve").as_str().into());
        let run = testkit::run(vec![
            testkit::planned("workbench/a\tb.yaml", "", vec![f]),
            testkit::planned("workbench/c.yaml", "", vec![long]),
        ]);
        let out = render_run(&run, &testkit::rules(), Paint { color: false }, false);
        let lines: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with("  workbench/"))
            .collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert!(
            lines[0].starts_with(
                "  workbench/a\\tb.yaml:1:11  notes  …second pve-shop\\u{1}line… → …second pve\\u{1}line…"
            ),
            "{out}"
        );
        let window = format!(
            "…{}pve-shop{}… → …{}pve{}…",
            "x ".repeat(20),
            " y".repeat(20),
            "x ".repeat(20),
            " y".repeat(20)
        );
        assert!(lines[1].contains(&window), "{out}");
    }
}
