//! `[[ignore]]` rules (SPEC §11): findings accepted on purpose, for files
//! that cannot hold a comment (JSON) or for whole trees.
//!
//! ```toml
//! [[ignore]]
//! files = ["workbench/infra/data/backup_inventory.json"]
//! select = ["backups[0].host"]      # optional; default every field
//! aliases = ["pve-home"]            # optional; default every alias
//! reason = "archived job, kept for audit"
//! ```
//!
//! A rule is validated like every other (globs, selectors, aliases that the
//! rules define, a non-empty reason), and remembers where it was written so
//! that `scan --strict` can name the line of one that suppressed nothing.

use super::globs::PathGlobs;
use super::selector::Selector;
use crate::formats::DocPath;

/// One `[[ignore]]` rule.
#[derive(Clone, Debug)]
pub struct IgnoreRule {
    pub files: PathGlobs,
    /// Empty: every field (and findings without one: comments, text lines).
    pub select: Vec<Selector>,
    /// Empty: every alias. Compared with ASCII case ignored.
    pub aliases: Vec<String>,
    /// Why these findings are accepted (required: a suppression without a
    /// reason is a finding nobody can judge later).
    pub reason: String,
    /// `FILE:LINE` of the `[[ignore]]` header, for messages.
    pub origin: String,
}

impl IgnoreRule {
    /// Whether this rule can suppress anything in the file at `rel_path`.
    pub fn applies_to(&self, rel_path: &str) -> bool {
        self.files.is_match(rel_path)
    }

    /// Whether it suppresses a finding in a file it applies to: `path` is
    /// the finding's scalar path (`None` for a comment or a text line, which
    /// only a rule without `select` covers), `name` its alias (or, for an
    /// unknown value of `--strict`, the value).
    pub fn covers(&self, path: Option<&DocPath>, name: &str) -> bool {
        let field_ok = self.select.is_empty()
            || path.is_some_and(|p| self.select.iter().any(|s| s.matches(p)));
        let alias_ok =
            self.aliases.is_empty() || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(name));
        field_ok && alias_ok
    }
}
