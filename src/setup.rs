//! What every command that reads rules starts from: the rule files (given
//! or discovered) and the base directory.

use std::path::{Path, PathBuf};

use crate::cli::Cli;
use crate::fs::paths::absolute;
use crate::rules::{RuleError, RuleSet};

/// The name of the rule file that is discovered and that `init` writes.
pub const RULE_FILE_NAME: &str = "driftfix.toml";

/// Rules and base directory of a run.
pub struct Setup {
    pub rules: RuleSet,
    /// Absolute.
    pub base: PathBuf,
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("cannot read current directory: {0}")]
    CurrentDir(std::io::Error),
    #[error("no rule file: pass --rules FILE or create {RULE_FILE_NAME} (driftfix init)")]
    NoRuleFile,
    #[error(transparent)]
    Rules(#[from] RuleError),
    #[error("base directory {} does not exist", .0.display())]
    NoBase(PathBuf),
}

/// Finds and loads the rule files, and decides the base directory.
pub fn setup(cli: &Cli) -> Result<Setup, SetupError> {
    let files = if cli.rules.is_empty() {
        vec![discover_rules()?]
    } else {
        cli.rules.clone()
    };
    let rules = RuleSet::load(&files)?;
    let base = match &cli.base {
        Some(b) => b.clone(),
        None => files
            .first()
            .and_then(|f| absolute(f).parent().map(Path::to_path_buf))
            .unwrap_or_else(|| PathBuf::from(".")),
    };
    if !base.is_dir() {
        return Err(SetupError::NoBase(base));
    }
    Ok(Setup {
        rules,
        base: absolute(&base),
    })
}

/// `driftfix.toml` in the current directory or its nearest ancestor.
fn discover_rules() -> Result<PathBuf, SetupError> {
    let cwd = std::env::current_dir().map_err(SetupError::CurrentDir)?;
    cwd.ancestors()
        .map(|d| d.join(RULE_FILE_NAME))
        .find(|p| p.is_file())
        .ok_or(SetupError::NoRuleFile)
}
