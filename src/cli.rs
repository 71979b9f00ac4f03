//! Command-line definitions (clap derive) and nothing else. The values of
//! `--format` come from the output registry ([`crate::report::Format`]).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::report::ColorWhen;
use crate::report::{self, Format};

/// Find non-canonical host labels in YAML, JSON and TOML inventories and
/// rewrite them to their canonical names, changing nothing else.
#[derive(Parser, Debug)]
#[command(name = "driftfix", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Rule file (repeatable; merged in order). Default: driftfix.toml in the
    /// current directory or its nearest ancestor.
    #[arg(long = "rules", value_name = "FILE", global = true)]
    pub rules: Vec<PathBuf>,

    /// Directory that globs and printed paths are relative to. Default: the
    /// directory holding the (first) rule file.
    #[arg(long, value_name = "DIR", global = true)]
    pub base: Option<PathBuf>,

    /// When to use color: `auto` colors a terminal; a set NO_COLOR always
    /// turns color off.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, global = true)]
    pub color: ColorWhen,

    /// Files larger than this are skipped with a warning (bytes, or K/M/G).
    #[arg(long, value_name = "SIZE", default_value = "64M", value_parser = parse_size, global = true)]
    pub max_file_size: u64,
}

impl Cli {
    /// Parses the process arguments. Usage errors and help are colored as
    /// the run would be: `--color` and NO_COLOR are read from the raw
    /// arguments first, since clap prints its errors before any value is
    /// parsed. A usage error exits 2 (SPEC §3).
    pub fn parse_args() -> Cli {
        use clap::{CommandFactory, FromArgMatches};
        let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
        let mut cmd = Cli::command().color(color_choice(&args));
        let parsed = cmd
            .try_get_matches_from_mut(&args)
            .and_then(|m| Cli::from_arg_matches(&m));
        match parsed {
            Ok(cli) => cli,
            Err(e) => e.format(&mut cmd).exit(),
        }
    }
}

/// The color for clap's own messages, from the raw arguments.
fn color_choice(args: &[std::ffi::OsString]) -> clap::ColorChoice {
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return clap::ColorChoice::Never;
    }
    let mut value = None;
    let mut it = args.iter().filter_map(|a| a.to_str());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        if a == "--color" {
            value = it.next();
        } else if let Some(v) = a.strip_prefix("--color=") {
            value = Some(v);
        }
    }
    match value {
        Some("never") => clap::ColorChoice::Never,
        Some("always") => clap::ColorChoice::Always,
        _ => clap::ColorChoice::Auto,
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Report every alias occurrence (like a linter).
    Scan(ScanArgs),
    /// Show the fix as a diff (default), write it, or review it file by file.
    Fix(FixArgs),
    /// Work with rule files.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Write a commented starter driftfix.toml (never overwrites).
    Init,
    /// Restore the files the last `fix --apply` or `--preview` wrote under
    /// the base directory, where they still hold what that run wrote.
    Undo(UndoArgs),
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// Validate the rule files and summarise them.
    Check,
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Files or directories to scan (default: the base directory).
    pub roots: Vec<PathBuf>,

    #[arg(long, default_value_t = Format::Human, value_parser = report::Command::Scan.format_parser())]
    pub format: Format,

    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit 1 when a finding is at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Low)]
    pub fail_on: FailOn,

    /// Also report governed values that are neither canonical nor alias,
    /// and warn about suppressions that suppress nothing.
    #[arg(long)]
    pub strict: bool,

    /// Record the current findings in FILE (a baseline for --baseline);
    /// the run then exits 0 unless it had errors. A baseline records the
    /// whole tree, so not with --since.
    #[arg(long, value_name = "FILE", conflicts_with = "since")]
    pub write_baseline: Option<PathBuf>,

    #[command(flatten)]
    pub filter: FilterArgs,
}

/// What `scan` and `fix` look at: suppressions and the files in scope.
#[derive(Args, Debug, Default)]
pub struct FilterArgs {
    /// Findings recorded in FILE (scan --write-baseline) are suppressed.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Also list suppressed findings, with what suppresses each.
    #[arg(long)]
    pub show_suppressed: bool,

    /// Only files that differ from git REF: committed since, staged,
    /// unstaged, and untracked files that are not ignored.
    #[arg(long, value_name = "REF")]
    pub since: Option<String>,
}

/// Where the undo journal is kept.
#[derive(Args, Debug, Default)]
pub struct JournalArgs {
    /// Journal directory (default: $XDG_STATE_HOME/driftfix, else
    /// ~/.local/state/driftfix); never inside the base directory.
    #[arg(long, value_name = "DIR")]
    pub journal: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct UndoArgs {
    /// List the recorded runs (newest first) instead of undoing one.
    #[arg(long)]
    pub list: bool,

    /// Undo this run (an id from --list) instead of the last one for the
    /// base directory.
    #[arg(long, value_name = "ID", conflicts_with = "list")]
    pub run: Option<String>,

    #[command(flatten)]
    pub journal: JournalArgs,
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("mode").args(["preview", "apply", "dry_run"])))]
pub struct FixArgs {
    /// Files or directories to fix (default: the base directory).
    pub roots: Vec<PathBuf>,

    /// Show each file's diff and ask (y/n/a/q/s) before writing it.
    #[arg(long)]
    pub preview: bool,

    /// Write every fix without asking.
    #[arg(long)]
    pub apply: bool,

    /// Print the fix as a unified diff and write nothing (the default).
    #[arg(long)]
    pub dry_run: bool,

    #[arg(long, value_parser = report::Command::Fix.format_parser())]
    pub format: Option<Format>,

    /// Write the patch or report to FILE (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub filter: FilterArgs,

    #[command(flatten)]
    pub journal: JournalArgs,

    /// Write without recording the files' previous bytes for `undo`.
    #[arg(long, conflicts_with = "journal")]
    pub no_journal: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Never,
}

/// Parses `123`, `10K`, `64M`, `1G` (binary multiples; `KB`/`KiB` too).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a size (e.g. 500K, 64M, 1G)"))?;
    let mult: u64 = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        _ => return Err(format!("`{s}`: unknown size unit (use K, M or G)")),
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("`{s}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("123"), Ok(123));
        assert_eq!(parse_size("10K"), Ok(10 * 1024));
        assert_eq!(parse_size("64M"), Ok(64 << 20));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert!(parse_size("12X").is_err());
        assert!(parse_size("M").is_err());
    }
}
