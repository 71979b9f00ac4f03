//! The commented starter rule file that `driftfix init` writes.

use crate::formats::FileType;

/// The starter rule file, with the include globs and type names of the
/// format registry filled in. Accepted by `driftfix rules check` as it is (a
/// test makes sure).
pub fn starter() -> String {
    let quoted = |items: Vec<&str>| {
        items
            .iter()
            .map(|i| format!("\"{i}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    TEMPLATE
        .replace("{include}", &quoted(FileType::default_include()))
        .replace(
            "{types}",
            &quoted(
                FileType::default_field_types()
                    .iter()
                    .map(|t| t.name())
                    .collect(),
            ),
        )
}

const TEMPLATE: &str = r#"# driftfix rules: which labels are canonical, which aliases drifted from them,
# and where labels live in your inventories.
# Docs: driftfix --help, driftfix man, docs/rules.md.
#
# Until you fill in at least one [[canonical]] and one [[field]] below,
# `driftfix rules check` and `driftfix scan` warn that nothing can be found.
version = 1

[paths]
# Files to read, as globs relative to the base directory (the current
# directory with --rules, else this file's). Default: every built-in type:
# include = [{include}]
# Never read (.git and .gitignore'd files are skipped too); a name without
# `/` matches at any depth, like .gitignore:
# exclude = ["node_modules"]
# The source of truth: reported as critical, never written.
authority = []          # e.g. ["spine/**"]
# Legacy trees: reported, never written.
readonly  = []          # e.g. ["legacy/**"]

# Files whose type their name does not tell (checked first, in order).
# [types]
# "**/*.rules" = "yaml"               # Prometheus rule files are YAML
# "**/hosts"   = "ini"                # Ansible INI inventory without an extension
# "**/*.md"    = "text"               # notes: every line, by token

# One [[canonical]] per real thing; aliases are the names that drifted.
# [[canonical]]
# name = "pve"
# aliases = ["pve-shop", "proxmox-shop"]
# description = "Shop cluster"          # optional, shown in reports

# Which scalars are labels. Selectors: a.b.c, [N], [*], *, **, "odd.key",
# `.` for the document root; a bare name (location) means that key at any
# depth. `driftfix discover` drafts these from your source of truth.
# [[field]]
# types = [{types}]      # default: all but text
# select = ["location", "proxmox_host", "host"]
# keys_of = ["hosts"]                 # mappings whose KEYS are labels
# match = "exact"                     # exact | token (alias inside a longer value)
# ignore_case = false

# Severity overrides (default: critical for authority, medium for editable,
# low for readonly); the first matching rule wins.
# [[severity]]
# files = ["**/backup_inventory.json"]
# level = "high"                      # critical | high | medium | low
"#;

#[cfg(test)]
mod tests {
    use super::*;

    /// Valid as it is, and it says so when left untouched (SPEC §8: no
    /// rule file that can find nothing passes silently).
    #[test]
    fn starter_is_valid_and_warns_until_filled_in() {
        let rules =
            crate::rules::RuleSet::from_toml_str(&starter(), std::path::Path::new("driftfix.toml"))
                .unwrap();
        let warnings: Vec<String> = crate::rules::lint::empty_files(&rules)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        // Uncommented, the examples are a complete rule file.
        let filled: String = starter()
            .lines()
            .map(|l| {
                let l = l.strip_prefix("# ").unwrap_or(l);
                if l.starts_with('[') || l.contains(" = ") {
                    l
                } else {
                    ""
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let rules = crate::rules::RuleSet::from_toml_str(&filled, std::path::Path::new("x.toml"))
            .unwrap_or_else(|e| panic!("{e}\n{filled}"));
        assert_eq!(rules.canonicals.len(), 1);
        assert_eq!(rules.fields.len(), 1);
        assert!(crate::rules::lint::empty_files(&rules).is_empty());
    }
}
