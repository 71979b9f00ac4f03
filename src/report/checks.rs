//! What each check ([`Check`]) means, for people: the SARIF rule
//! descriptors (short and full description, help as text and markdown) and
//! the titles of CI annotations. One rule per kind of finding — never one
//! per canonical name — so a rule file with 25,000 canonical names still
//! gives a log of three rules, and every description has a fixed length
//! (GitHub truncates a `fullDescription` over 1,024 characters).

use std::fmt::Write as _;

use super::markdown;
use crate::formats::ScalarKind;
use crate::plan::{Action, Check, Finding};
use crate::rules::RuleSet;

/// The texts of one check.
pub struct Doc {
    /// PascalCase name (SARIF `name`).
    pub name: &'static str,
    /// One line.
    pub short: &'static str,
    /// At most [`MAX_FULL_DESCRIPTION`] characters.
    pub full: &'static str,
    /// What to do about it.
    pub help: &'static str,
}

/// GitHub's limit on a rule's `fullDescription`.
pub const MAX_FULL_DESCRIPTION: usize = 1024;

/// Canonical names listed in the `non-canonical-label` help (the rest are
/// counted): the help stays readable and bounded with any rule file.
pub const MAX_LISTED_CANONICALS: usize = 50;

/// The texts of `check`.
pub fn doc(check: Check) -> Doc {
    match check {
        Check::NonCanonical => Doc {
            name: "NonCanonicalLabel",
            short: "Non-canonical host label (an alias of a canonical name)",
            full: "A governed field holds an alias of a canonical host name instead of the \
                   name itself. Tools, dashboards and scripts that key on the canonical name \
                   miss such entries, and the inventories drift apart. The rule file's \
                   [[canonical]] tables list each canonical name with its aliases; its \
                   [[field]] rules say which fields hold host labels.",
            help: "Replace the alias with its canonical name. In editable files `driftfix fix \
                   --apply` does it, changing only the label's bytes (`driftfix fix` shows the \
                   diff first). Read-only and authority files are reported, never written: \
                   correct them by hand, the source of truth first. A finding whose action is \
                   `manual` needs a hand edit; its message says why.",
        },
        Check::Unknown => Doc {
            name: "UnknownLabel",
            short: "Governed label that is neither a canonical name nor an alias",
            full: "Reported with --strict: a governed field holds a value that no rule knows, \
                   neither a canonical name nor one of its aliases. It may be a new host, a \
                   typo, or an alias the rule file does not list yet. When a canonical name is \
                   close, it is given as the expected value.",
            help: "Check the value. If it names a known host, add it as an alias of that \
                   canonical name in the rule file (`driftfix fix` then rewrites it); if it is \
                   a new host, add a [[canonical]] table for it; otherwise correct it by hand.",
        },
        Check::Ungoverned => Doc {
            name: "UngovernedAlias",
            short: "Alias outside governed fields",
            full: "Reported with --strict: an alias occurs where no [[field]] rule governs it: \
                   in a value or key that no selector names, in a comment, or inside a value \
                   that an exact-match field matches only as a whole. Such occurrences are \
                   counted in every report but never rewritten, so drift can hide there.",
            help: "If the place holds a host label, govern it: add the field path the finding \
                   names to a [[field]] rule's `select` (or `keys_of` for a key), or use \
                   `match = \"token\"` for labels inside longer values; `driftfix fix` then \
                   rewrites it. Comments are never rewritten: edit them by hand.",
        },
    }
}

/// The help as markdown: the text, and for `non-canonical-label` the
/// canonical names with their aliases (at most
/// [`MAX_LISTED_CANONICALS`]).
pub fn help_markdown(check: Check, rules: &RuleSet) -> String {
    let mut out = doc(check).help.to_string();
    if check != Check::NonCanonical || rules.canonicals.is_empty() {
        return out;
    }
    out.push_str("\n\n| canonical name | aliases |\n| --- | --- |\n");
    for c in rules.canonicals.iter().take(MAX_LISTED_CANONICALS) {
        let aliases: Vec<String> = c.aliases.iter().map(|a| markdown::cell_code(a)).collect();
        let _ = writeln!(
            out,
            "| {} | {} |",
            markdown::cell_code(&c.name),
            aliases.join(", ")
        );
    }
    let more = rules.canonicals.len().saturating_sub(MAX_LISTED_CANONICALS);
    if more > 0 {
        let _ = writeln!(
            out,
            "\n…and {more} more canonical name{} (see the rule file).",
            super::plural(more)
        );
    }
    out
}

/// A short title for an annotation: `driftfix: pve-shop → pve`,
/// `driftfix: unknown label pve2`, `driftfix: pve-shop → pve outside
/// governed fields`.
pub fn title(f: &Finding) -> String {
    let alias = f.alias.as_deref().map(super::visible);
    let canonical = f.canonical.as_deref().map(super::visible);
    match (f.check, alias, canonical) {
        (Check::Unknown, _, _) => {
            format!("driftfix: unknown label {}", super::actual_excerpt(f))
        }
        (Check::Ungoverned, Some(a), Some(c)) => {
            format!("driftfix: {a} → {c} outside governed fields")
        }
        (_, Some(a), Some(c)) => format!("driftfix: {a} → {c}"),
        _ => format!("driftfix: {}", super::actual_excerpt(f)),
    }
}

/// What a finding is and what to do about it, in one line (the SARIF
/// message, the GitLab description, the GitHub annotation): values longer
/// than a line are shown as a window around the alias
/// ([`super::excerpt`], SPEC §8).
pub fn message(f: &Finding) -> String {
    let what = match (f.check, &f.alias, &f.canonical) {
        (Check::Unknown, _, Some(c)) => format!(
            "`{}` is not a known label (closest: `{c}`)",
            super::actual_excerpt(f)
        ),
        (Check::Unknown, _, None) | (_, None, _) | (_, _, None) => {
            format!("`{}` is not a known label", super::actual_excerpt(f))
        }
        (Check::Ungoverned, Some(a), Some(c)) => {
            format!("`{a}` is an alias of `{c}`, outside governed fields")
        }
        (Check::NonCanonical, Some(a), Some(c)) => format!("`{a}` is an alias of `{c}`"),
    };
    let place = match f.kind {
        ScalarKind::Value | ScalarKind::Key => {
            format!(" ({} `{}`)", f.kind.name(), super::visible(&f.field))
        }
        ScalarKind::Comment => format!(" (in a comment: `{}`)", super::actual_excerpt(f)),
        ScalarKind::Text => format!(" (in `{}`)", super::actual_excerpt(f)),
    };
    let todo = match f.action {
        Action::Fix => format!(
            "; `driftfix fix` rewrites `{}` to `{}`",
            super::actual_excerpt(f),
            super::expected_excerpt(f).unwrap_or_default()
        ),
        Action::Report => format!("; {} file: reported, never written", f.role.name()),
        Action::Manual => format!(
            "; fix by hand: {}",
            super::visible(f.reason.as_deref().unwrap_or("not safely fixable"))
        ),
    };
    format!("{what}{place}{todo}.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testkit;

    #[test]
    fn descriptions_fit_githubs_limits() {
        for c in Check::ALL {
            let d = doc(c);
            assert!(d.full.chars().count() <= MAX_FULL_DESCRIPTION, "{}", c.id());
            assert!(!d.help.is_empty() && !d.short.is_empty());
            assert!(!d.full.contains("  "), "{}: doubled space", c.id());
        }
    }

    #[test]
    fn help_lists_a_bounded_number_of_canonicals() {
        let mut text = String::from("[[field]]\nselect = [\"host\"]\n");
        for i in 0..60 {
            let _ = write!(
                text,
                "[[canonical]]\nname = \"n{i}\"\naliases = [\"a{i}\"]\n"
            );
        }
        let rules = RuleSet::from_toml_str(&text, std::path::Path::new("t.toml")).unwrap();
        let md = help_markdown(Check::NonCanonical, &rules);
        assert!(md.contains("| `n0` | `a0` |"), "{md}");
        assert!(!md.contains("`n50`"), "{md}");
        assert!(md.contains("…and 10 more canonical names"), "{md}");
        assert_eq!(
            help_markdown(Check::Unknown, &rules),
            doc(Check::Unknown).help
        );
    }

    #[test]
    fn messages() {
        let run = testkit::homelab();
        let texts: Vec<String> = run.findings().map(message).collect();
        assert!(
            texts.contains(&"`pve-home` is an alias of `proxmox-home` (value `backups[1].host`); `driftfix fix` rewrites `pve-home` to `proxmox-home`.".to_string()),
            "{texts:#?}"
        );
        assert!(
            texts
                .iter()
                .any(|t| t.ends_with("; readonly file: reported, never written.")),
            "{texts:#?}"
        );
        assert!(
            texts
                .iter()
                .any(|t| t.contains("; fix by hand: renaming this key")),
            "{texts:#?}"
        );
    }

    #[test]
    fn titles() {
        let run = testkit::homelab();
        let f = run.findings().next().unwrap();
        assert_eq!(title(f), "driftfix: proxmox-shop → pve");
        let mut u = f.clone();
        u.check = Check::Unknown;
        u.actual = "pve2".into();
        assert_eq!(title(&u), "driftfix: unknown label pve2");
        u.check = Check::Ungoverned;
        assert_eq!(
            title(&u),
            "driftfix: proxmox-shop → pve outside governed fields"
        );
    }
}
