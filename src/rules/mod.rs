//! The rule file (SPEC §2): which labels are canonical, which are aliases,
//! which scalars of which files are labels, and how severe drift is where.
//!
//! Loading goes through `toml` with [`toml::Spanned`] fields and
//! `deny_unknown_fields`, so every validation error can name the file, line
//! and column of the offending value.

pub mod dead;
pub mod globs;
pub mod ignore;
pub mod lint;
mod load;
pub mod selector;
mod starter;
pub mod types;

pub use starter::starter;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::formats::{DocPath, FileType, ScalarKind};
use crate::fs::FileId;
use crate::warning::Warning;
use globs::PathGlobs;
pub use load::parse_rule_text;
use selector::Selector;
pub use types::{TypeMap, TypeSource};

/// The role of a file, first of: authority, readonly, editable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Authority,
    Readonly,
    Editable,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Authority => "authority",
            Role::Readonly => "readonly",
            Role::Editable => "editable",
        }
    }

    /// Authority and read-only files are reported, never written.
    pub fn writable(self) -> bool {
        self == Role::Editable
    }

    fn default_severity(self) -> Severity {
        match self {
            Role::Authority => Severity::Critical,
            Role::Readonly => Severity::Low,
            Role::Editable => Severity::Medium,
        }
    }
}

/// Severity of a finding, most severe first (so `Ord` sorts critical first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }

    pub fn from_name(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|l| l.name() == s)
    }
}

/// How an alias must appear in a governed value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchMode {
    /// The whole value equals the alias.
    Exact,
    /// The alias occurs with no `[A-Za-z0-9_-]` directly before or after.
    Token,
}

impl MatchMode {
    pub fn name(self) -> &'static str {
        match self {
            MatchMode::Exact => "exact",
            MatchMode::Token => "token",
        }
    }
}

/// A canonical name and the aliases that mean it.
#[derive(Clone, Debug)]
pub struct Canonical {
    pub name: String,
    pub aliases: Vec<String>,
    pub description: Option<String>,
}

/// A `[[field]]` rule: which scalars of which files are labels.
#[derive(Clone, Debug)]
pub struct FieldRule {
    /// The types it governs, as `[[field]]` names them (a jsonc file is
    /// governed as `json`).
    pub types: Vec<FileType>,
    pub files: Option<PathGlobs>,
    pub select: Vec<Selector>,
    pub keys_of: Vec<Selector>,
    pub mode: MatchMode,
    pub ignore_case: bool,
    /// `file:line` of the `[[field]]`, for messages.
    pub origin: String,
}

impl FieldRule {
    /// Whether this rule can govern anything in a file of this type and path.
    pub fn applies_to(&self, file_type: FileType, rel_path: &str) -> bool {
        self.types.contains(&file_type.governed_as())
            && self.files.as_ref().is_none_or(|g| g.is_match(rel_path))
    }

    /// Whether a scalar at `path` of this `kind` is a label under this rule.
    pub fn governs(&self, path: &DocPath, kind: ScalarKind) -> bool {
        match kind {
            ScalarKind::Value => self.select.iter().any(|s| s.matches(path)),
            ScalarKind::Key => match path.split_last() {
                Some((_, parent)) => self.keys_of.iter().any(|s| s.matches(parent)),
                None => false,
            },
            // Every line of a text file a rule applies to is governed.
            ScalarKind::Text => true,
            ScalarKind::Comment => false,
        }
    }
}

/// A `[[severity]]` rule.
#[derive(Clone, Debug)]
pub struct SeverityRule {
    pub files: PathGlobs,
    pub level: Severity,
}

/// Globs of `[paths]`, matched against paths relative to the base directory.
#[derive(Clone, Debug)]
pub struct PathRules {
    pub include: PathGlobs,
    pub exclude: PathGlobs,
    pub authority: PathGlobs,
    pub readonly: PathGlobs,
    /// `(where, glob text)` of every glob the user wrote, for "matches
    /// nothing" warnings.
    pub patterns: Vec<(String, String)>,
}

/// The merged, validated rules of one run.
#[derive(Clone, Debug)]
pub struct RuleSet {
    /// The rule files this set came from (never scanned as targets).
    pub sources: Vec<PathBuf>,
    /// The identities (device and inode) of the rule files as they were
    /// read: how a rule file is recognised whatever path, link or bind
    /// mount leads to it (SPEC §14). Empty for rules parsed from a string.
    pub source_ids: Vec<FileId>,
    pub paths: PathRules,
    /// `[types]` entries, then the built-in type map.
    pub types: TypeMap,
    pub canonicals: Vec<Canonical>,
    pub fields: Vec<FieldRule>,
    pub severities: Vec<SeverityRule>,
    /// `[[ignore]]` rules (SPEC §11), in file order.
    pub ignores: Vec<ignore::IgnoreRule>,
    /// alias → index into `canonicals`.
    alias_index: HashMap<String, usize>,
    /// Valid but suspicious entries found while loading, with their
    /// positions (`file:line:column: message`): selectors that can never
    /// match. Printed by `rules check`, `scan` and `fix`.
    pub warnings: Vec<Warning>,
    /// Rule files with no `[[canonical]]` / no `[[field]]` (a starter left
    /// untouched, a file meant to be merged): warned about.
    pub without_canonicals: Vec<String>,
    pub without_fields: Vec<String>,
}

impl RuleSet {
    /// Loads and merges rule files (`--rules F`, repeatable). Every
    /// problem of every file is reported, not only the first.
    pub fn load(files: &[PathBuf]) -> Result<RuleSet, RuleErrors> {
        let mut parsed = Vec::new();
        let mut errors = Vec::new();
        let mut ids = Vec::new();
        for f in files {
            let text = match read_rule_file(f) {
                Ok((id, t)) => {
                    ids.push(id);
                    t
                }
                Err(message) => {
                    errors.push(RuleError {
                        file: f.display().to_string(),
                        line: None,
                        column: None,
                        message,
                        source: None,
                    });
                    continue;
                }
            };
            match parse_rule_text(&text, f) {
                Ok(p) => parsed.push(p),
                Err(e) => errors.push(e),
            }
        }
        match load::merge(parsed) {
            Ok(rules) if errors.is_empty() => Ok(RuleSet {
                source_ids: ids,
                ..rules
            }),
            Ok(_) => Err(RuleErrors(errors)),
            Err(RuleErrors(more)) => {
                errors.extend(more);
                Err(RuleErrors(errors))
            }
        }
    }

    /// Parses one rule file's text (`origin` names it in errors).
    pub fn from_toml_str(text: &str, origin: &Path) -> Result<RuleSet, RuleErrors> {
        load::merge(vec![
            parse_rule_text(text, origin).map_err(|e| RuleErrors(vec![e]))?,
        ])
    }

    /// The type of a file by its path relative to the base directory.
    pub fn type_of(&self, rel_path: &str) -> Option<(FileType, TypeSource)> {
        self.types.type_of(rel_path)
    }

    /// The role of a file by its path relative to the base directory.
    pub fn role_of(&self, rel_path: &str) -> Role {
        if self.paths.authority.is_match(rel_path) {
            Role::Authority
        } else if self.paths.readonly.is_match(rel_path) {
            Role::Readonly
        } else {
            Role::Editable
        }
    }

    /// Severity for a finding in this file: the first `[[severity]]` whose
    /// `files` match, else the role's default.
    pub fn severity_of(&self, rel_path: &str, role: Role) -> Severity {
        self.severities
            .iter()
            .find(|s| s.files.is_match(rel_path))
            .map(|s| s.level)
            .unwrap_or_else(|| role.default_severity())
    }

    /// The canonical an alias (exactly as written in the rules) belongs to.
    pub fn canonical_of(&self, alias: &str) -> Option<&Canonical> {
        self.alias_index
            .get(alias)
            .and_then(|&i| self.canonicals.get(i))
    }

    /// Every alias with its canonical, in rule order.
    pub fn aliases(&self) -> impl Iterator<Item = (&str, &Canonical)> {
        self.canonicals
            .iter()
            .flat_map(|c| c.aliases.iter().map(move |a| (a.as_str(), c)))
    }

    /// Whether any field rule matches case-insensitively.
    pub fn any_ignore_case(&self) -> bool {
        self.fields.iter().any(|f| f.ignore_case)
    }
}

/// A rule-file problem, with the position of the offending text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    /// The line the position is on, for the code frame on stderr (boxed:
    /// errors travel in `Result`s and stay small).
    pub source: Option<Box<crate::text::SourceLine>>,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{}:{}: {}", self.file, l, c, self.message),
            (Some(l), None) => write!(f, "{}:{}: {}", self.file, l, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for RuleError {}

/// Every problem found in the rule files, in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleErrors(pub Vec<RuleError>);

impl RuleErrors {
    /// The first error (there is always one).
    pub fn first(&self) -> Option<&RuleError> {
        self.0.first()
    }
}

/// One error per line; lines after the first carry their own `error: `
/// (the caller prints the first one's).
impl fmt::Display for RuleErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                write!(f, "\nerror: ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RuleErrors {}

/// The largest rule file driftfix reads (a rule file is a few kilobytes;
/// 100,000 aliases are a few megabytes).
const MAX_RULE_FILE: u64 = 64 << 20;

/// Reads a rule file through the fs layer: a regular file only (a FIFO
/// named by mistake never blocks, `/dev/zero` is never read), bounded, and
/// its identity taken from the file actually read.
fn read_rule_file(path: &Path) -> Result<(FileId, String), String> {
    use crate::fs::FsError;
    let contents = crate::fs::read_regular_path(path, MAX_RULE_FILE).map_err(|e| {
        let why = match e {
            // The path is already named by the error's file.
            FsError::NotFound(_) => "it does not exist".to_string(),
            FsError::BadLink(_) => "symlink loop or dangling symlink".to_string(),
            e => e.to_string(),
        };
        format!("cannot read rule file: {why}")
    })?;
    let text = String::from_utf8(contents.bytes)
        .map_err(|_| "cannot read rule file: not UTF-8".to_string())?;
    Ok((contents.meta.id, text))
}
