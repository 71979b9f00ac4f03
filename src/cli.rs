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
    /// current directory when --rules is given, else the directory of the
    /// discovered driftfix.toml.
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
        use clap::FromArgMatches;
        let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
        let mut cmd = command().color(color_choice(&args));
        let parsed = cmd
            .try_get_matches_from_mut(&args)
            .and_then(|m| Cli::from_arg_matches(&m));
        match parsed {
            Ok(cli) => cli,
            Err(e) => e.format(&mut cmd).exit(),
        }
    }
}

/// The examples `--help` and the man page show: (command line, what it
/// does).
pub const EXAMPLES: [(&str, &str); 14] = [
    ("driftfix init", "write a commented starter driftfix.toml"),
    (
        "driftfix discover --output draft.toml",
        "draft the aliases from the authority files, with evidence",
    ),
    ("driftfix rules check", "validate the rule files"),
    (
        "driftfix scan",
        "report every alias, grouped by canonical name",
    ),
    (
        "driftfix scan -q --fail-on high",
        "findings and errors only; fail on high or critical",
    ),
    (
        "driftfix scan --statistics",
        "one line per alias: occurrences, files, fixable",
    ),
    (
        "driftfix scan --format markdown --output drift.md",
        "the review report",
    ),
    (
        "driftfix scan --format github",
        "inline annotations in GitHub Actions",
    ),
    (
        "driftfix scan --format sarif --output driftfix.sarif",
        "for GitHub code scanning",
    ),
    (
        "driftfix scan --format gitlab --output gl-code-quality.json",
        "GitLab Code Quality",
    ),
    (
        "driftfix fix",
        "show the fix as a unified diff (writes nothing)",
    ),
    ("driftfix fix --apply", "write it"),
    ("driftfix undo", "restore what the last fix --apply wrote"),
    ("driftfix man | man -l -", "read this manual"),
];

/// The exit codes (SPEC §3): (code, meaning).
pub const EXIT_CODES: [(u8, &str); 3] = [
    (
        0,
        "clean: no finding at or above --fail-on (scan); nothing left to change (fix)",
    ),
    (
        1,
        "drift remains: a finding at or above --fail-on (scan); changes pending (fix --dry-run); editable findings left unfixed (fix --apply, --preview)",
    ),
    (
        2,
        "error: invalid rules or arguments, a missing root, or a file that could not be read, parsed or written (every other file is still processed)",
    ),
];

/// The command-line definition with its examples and exit codes (`--help`
/// of driftfix and of `scan`, completions and the man page all read this).
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    Cli::command()
        .after_help(help_footer(&EXAMPLES))
        .mut_subcommand("scan", |c| {
            c.after_help(help_footer(
                &EXAMPLES
                    .into_iter()
                    .filter(|(cmd, _)| cmd.starts_with("driftfix scan"))
                    .collect::<Vec<_>>(),
            ))
        })
}

/// `Examples:` and `Exit codes:`, every entry indented (so that the man
/// page keeps one entry per line).
fn help_footer(examples: &[(&str, &str)]) -> String {
    let width = examples.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
    let mut out = String::from("Examples:\n");
    for (cmd, what) in examples {
        out.push_str(&format!("  {cmd:<width$}  {what}\n"));
    }
    out.push_str("\nExit codes:\n");
    for (code, what) in EXIT_CODES {
        out.push_str(&format!("  {code}  {what}\n"));
    }
    out
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
    /// Draft the rule file from the authority files: propose aliases, with
    /// evidence (writes nothing but --output).
    Discover(DiscoverArgs),
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
    /// Print the manual page (roff): `driftfix man | man -l -`.
    Man {
        /// A command's own page (driftfix-scan(1), ...) instead of
        /// driftfix(1).
        #[arg(value_parser = MAN_PAGES)]
        command: Option<String>,
    },
}

/// The commands with a man page of their own.
pub const MAN_PAGES: [&str; 8] = [
    "scan",
    "fix",
    "discover",
    "rules",
    "init",
    "undo",
    "completions",
    "man",
];

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// Validate the rule files and summarise them.
    Check,
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Files or directories to scan (default: the base directory).
    pub roots: Vec<PathBuf>,

    /// Report format: github and gitlab print CI annotations and Code
    /// Quality JSON, sarif is for code scanning (paths relative to the git
    /// work tree).
    #[arg(long, default_value_t = Format::Human, value_parser = report::Command::Scan.format_parser())]
    pub format: Format,

    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit 1 when a finding is at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Low)]
    pub fail_on: FailOn,

    /// Also report governed values that are neither canonical nor alias,
    /// and aliases outside governed fields; warn about suppressions that
    /// suppress nothing.
    #[arg(long)]
    pub strict: bool,

    /// Print findings and errors only: no warnings, no summary lines, no
    /// group titles.
    #[arg(short, long)]
    pub quiet: bool,

    /// Instead of the report, one line per alias: occurrences, files,
    /// fixable (human), or a JSON array (--format json).
    #[arg(long)]
    pub statistics: bool,

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

#[derive(Args, Debug)]
pub struct DiscoverArgs {
    /// Files or directories to read (default: the base directory).
    pub roots: Vec<PathBuf>,

    /// `toml`: a draft rule file; `markdown`: the alignment and
    /// cross-reference tables; `json`: the same data for tools.
    #[arg(long, value_enum, default_value_t = crate::discover::render::Format::Toml)]
    pub format: crate::discover::render::Format,

    /// Write to FILE (atomically; `-` is stdout) instead of stdout. An
    /// existing FILE is refused unless --force.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Replace an existing --output file.
    #[arg(long)]
    pub force: bool,
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
        command().debug_assert();
    }

    #[test]
    fn man_pages_name_every_command() {
        let names: Vec<String> = Cli::command()
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .filter(|n| n != "help")
            .collect();
        assert_eq!(names, MAN_PAGES);
    }

    #[test]
    fn help_shows_examples_and_exit_codes() {
        let help = command().render_long_help().to_string();
        assert!(help.contains("Examples:\n  driftfix init"), "{help}");
        assert!(help.contains("Exit codes:\n  0  clean"), "{help}");
        let mut cmd = command();
        let scan = cmd.find_subcommand_mut("scan").unwrap();
        let help = scan.render_long_help().to_string();
        assert!(help.contains("driftfix scan --format github"), "{help}");
        assert!(!help.contains("driftfix fix --apply"), "{help}");
        assert!(help.contains("-q, --quiet"), "{help}");
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
