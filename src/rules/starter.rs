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
            &quoted(FileType::ALL.iter().map(|t| t.name()).collect()),
        )
}

const TEMPLATE: &str = r#"# driftfix rules: which labels are canonical, which aliases drifted from them,
# and where labels live in your inventories. Docs: driftfix --help, README.
version = 1

[paths]
# Files to read (globs relative to this file's directory, or --base DIR).
include   = [{include}]
# Never read (.git and .gitignore'd files are skipped too).
exclude   = ["**/node_modules/**"]
# The source of truth: reported as critical, never written.
authority = []          # e.g. ["spine/**"]
# Legacy trees: reported, never written.
readonly  = []          # e.g. ["legacy/**"]

# One [[canonical]] per real thing; aliases are the names that drifted.
[[canonical]]
name = "pve"
aliases = ["pve-shop", "proxmox-shop"]
description = "Shop cluster"          # optional, shown in reports

[[canonical]]
name = "proxmox-home"
aliases = ["pve-home"]

# Which scalars are labels. Selectors: a.b.c, [N], [*], *, **, "odd.key";
# a bare name (location) means that key at any depth.
[[field]]
types = [{types}]      # default: all of them
select = ["location", "proxmox_host", "host"]
keys_of = []                          # mappings whose KEYS are labels, e.g. ["hosts"]
match = "exact"                       # exact | token (alias inside a longer value)
ignore_case = false

# Severity overrides (default: critical for authority, medium for editable,
# low for readonly); the first matching rule wins.
# [[severity]]
# files = ["**/backup_inventory.json"]
# level = "high"                      # critical | high | medium | low
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starter_is_valid() {
        let rules =
            crate::rules::RuleSet::from_toml_str(&starter(), std::path::Path::new("driftfix.toml"))
                .unwrap();
        assert_eq!(rules.canonicals.len(), 2);
    }
}
