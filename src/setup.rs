//! What every command that reads rules starts from: the rule files (given
//! or discovered) and the base directory.

use std::path::{Path, PathBuf};

use crate::cli::Cli;
use crate::fs::BaseDir;
use crate::fs::paths::absolute;
use crate::rules::{RuleErrors, RuleSet};

/// The name of the rule file that is discovered and that `init` writes.
pub const RULE_FILE_NAME: &str = "driftfix.toml";

/// Rules and base directory of a run.
pub struct Setup {
    pub rules: RuleSet,
    /// Absolute.
    pub base: PathBuf,
    /// The base directory, held open: every target is read and written
    /// through it (SPEC §14).
    pub base_dir: BaseDir,
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("cannot read current directory: {0}")]
    CurrentDir(std::io::Error),
    #[error("no rule file: pass --rules FILE or create {RULE_FILE_NAME} (driftfix init)")]
    NoRuleFile,
    #[error(transparent)]
    Rules(#[from] RuleErrors),
    #[error("base directory {} does not exist", .0.display())]
    NoBase(PathBuf),
    #[error("base directory {}: {source}", .path.display())]
    OpenBase {
        path: PathBuf,
        source: crate::fs::FsError,
    },
}

/// Finds and loads the rule files, and decides the base directory (SPEC
/// §8): `--base DIR`; else, when `--rules` is given, the current directory
/// (a shared rule file elsewhere never moves the scan to its folder, and
/// several `--rules` never change the base); else the directory of the
/// discovered `driftfix.toml`.
pub fn setup(cli: &Cli) -> Result<Setup, SetupError> {
    let (files, discovered_in) = if cli.rules.is_empty() {
        let found = discover_rules()?;
        let dir = absolute(&found).parent().map(Path::to_path_buf);
        (vec![found], dir)
    } else {
        (cli.rules.clone(), None)
    };
    let rules = RuleSet::load(&files)?;
    let base = match (&cli.base, discovered_in) {
        (Some(b), _) => b.clone(),
        (None, Some(dir)) => dir,
        (None, None) => PathBuf::from("."),
    };
    Setup::open(rules, &base)
}

impl Setup {
    /// The setup of `rules` over `base`, which must be a directory: opened
    /// once, here, so every later read and write goes through its handle.
    pub fn open(rules: RuleSet, base: &Path) -> Result<Setup, SetupError> {
        if !base.is_dir() {
            return Err(SetupError::NoBase(base.to_path_buf()));
        }
        let base = absolute(base);
        let base_dir = BaseDir::open(&base).map_err(|source| SetupError::OpenBase {
            path: base.clone(),
            source,
        })?;
        Ok(Setup {
            rules,
            base,
            base_dir,
        })
    }
}

/// `driftfix.toml` in the current directory or its nearest ancestor.
fn discover_rules() -> Result<PathBuf, SetupError> {
    let cwd = std::env::current_dir().map_err(SetupError::CurrentDir)?;
    cwd.ancestors()
        .map(|d| d.join(RULE_FILE_NAME))
        .find(|p| p.is_file())
        .ok_or(SetupError::NoRuleFile)
}
