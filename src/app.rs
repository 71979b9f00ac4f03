//! The commands: each turns parsed arguments into a run, its output and an
//! [`Exit`] (SPEC §3). Failures are [`Error`]s, printed once as
//! `error: …` by [`main`], and exit 2.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::cli::{Cli, Command, DiscoverArgs, FilterArgs, FixArgs, RulesCommand, ScanArgs};
use crate::discover::output::{self as discover_output, DiscoverError};
use crate::exit::{self, Exit};
use crate::fix::preview::{self, PreviewError};
use crate::fix::write::{
    Job, WriteContext, WriteError, output_dir, write_new_output, write_output,
};
use crate::plan::{FileError, FilePlan, PlanOptions};
use crate::report::json::{FileStatus, Status};
use crate::report::{self, Format, Paint, Report, SourceRoot, human, plural};
use crate::rules::Role;
use crate::run::{Run, RunInput, run};
use crate::setup::{RULE_FILE_NAME, Setup, SetupError, setup};
use crate::suppress::baseline::{self, Baseline, BaselineError};

/// Why a command failed (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Setup(#[from] SetupError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Preview(#[from] PreviewError),
    /// `fix --apply` could not set up the writer.
    #[error(transparent)]
    Apply(WriteError),
    /// Writing the report to stdout failed (other than a closed pipe).
    #[error("{0}")]
    Stdout(std::io::Error),
    #[error(transparent)]
    Init(#[from] InitError),
    #[error(transparent)]
    Baseline(#[from] BaselineError),
    #[error(transparent)]
    Since(#[from] crate::since::SinceError),
    #[error(transparent)]
    Journal(#[from] crate::journal::JournalError),
    #[error(transparent)]
    Undo(#[from] crate::undo::UndoError),
    #[error("--write-baseline and --output name the same file {}", .0.display())]
    SameFile(PathBuf),
    #[error(transparent)]
    Man(#[from] crate::man::ManError),
    /// Options that do not go together.
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Discover(#[from] DiscoverError),
}

/// `--output FILE` (or `--write-baseline FILE`: `flag` names which) may not
/// be used or written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{flag} {}: directory {} does not exist", .path.display(), .dir.display())]
    NoDirectory {
        flag: &'static str,
        path: PathBuf,
        dir: PathBuf,
    },
    #[error("{flag} {} is a directory", .path.display())]
    Directory { flag: &'static str, path: PathBuf },
    #[error("{flag} {} is a rule file; not overwritten", .path.display())]
    RuleFile { flag: &'static str, path: PathBuf },
    #[error(
        "{flag} {} is {} ({rel}); driftfix never writes those",
        .path.display(),
        .role.name()
    )]
    Governed {
        flag: &'static str,
        path: PathBuf,
        role: Role,
        rel: String,
    },
    #[error("{}: {source}", .path.display())]
    Write { path: PathBuf, source: WriteError },
}

/// `init` could not write the starter rule file.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("{} already exists; not overwritten", .0.display())]
    Exists(PathBuf),
    #[error("cannot create {}: {source}", .path.display())]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Runs one command line.
pub fn main(cli: Cli) -> Exit {
    let result = match &cli.command {
        Command::Init => init(&cli),
        Command::Completions { shell } => {
            clap_complete::generate(
                *shell,
                &mut crate::cli::command(),
                "driftfix",
                &mut std::io::stdout(),
            );
            Ok(Exit::Ok)
        }
        Command::Man { command } => crate::man::write(command.as_deref(), &mut std::io::stdout())
            .map(|()| Exit::Ok)
            .map_err(Error::from),
        Command::Rules {
            command: RulesCommand::Check,
        } => rules_check(&cli),
        Command::Scan(args) => scan(&cli, args),
        Command::Fix(args) => fix(&cli, args),
        Command::Undo(args) => crate::undo::undo(&cli, args).map_err(Error::from),
        Command::Discover(args) => discover(&cli, args),
    };
    result.unwrap_or_else(|e| {
        match e {
            // Each with its code frame.
            Error::Setup(SetupError::Rules(errors)) => report::stderr::rule_errors(&errors),
            e => eprintln!("error: {e}"),
        }
        Exit::Error
    })
}

/// What a run reads besides the rules: its roots, its own files (never
/// targets: `--output`, the baselines) and its filters.
struct Scope<'a> {
    roots: &'a [PathBuf],
    strict: bool,
    output: Option<&'a Path>,
    write_baseline: Option<&'a Path>,
    filter: &'a FilterArgs,
    /// `scan -q`: warnings are not printed.
    quiet: bool,
}

/// Loads the baseline, asks git what changed, walks and plans.
fn start_run(cli: &Cli, setup: &Setup, scope: &Scope) -> Result<Run, Error> {
    let own_files: Vec<PathBuf> = [
        scope.output,
        scope.write_baseline,
        scope.filter.baseline.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(Path::to_path_buf)
    .collect();
    let baseline = scope
        .filter
        .baseline
        .as_deref()
        .map(Baseline::load)
        .transpose()?;
    let only = match &scope.filter.since {
        Some(rev) => {
            let files = crate::since::changed_files(&setup.base, rev)?;
            if !scope.quiet {
                eprintln!(
                    "--since {rev}: {} changed file{} under the base directory",
                    files.len(),
                    plural(files.len())
                );
            }
            Some(files)
        }
        None => None,
    };
    let r = run(&RunInput {
        base: &setup.base,
        roots: scope.roots,
        rules: &setup.rules,
        options: PlanOptions {
            strict: scope.strict,
        },
        max_file_size: cli.max_file_size,
        own_files: &own_files,
        baseline: baseline.as_ref(),
        only: only.as_ref(),
    });
    report::stderr::diagnostics(&setup.rules, &r, scope.quiet);
    Ok(r)
}

/// Writes the output to `--output FILE` atomically (whole), or streams it
/// to stdout.
fn emit(
    output: Option<&Path>,
    write: &dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    let Some(path) = output else {
        let mut out = std::io::stdout().lock();
        return match write(&mut out).and_then(|_| out.flush()) {
            // A closed pipe (`| head`) is not an error worth reporting.
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Stdout(e)),
            _ => Ok(()),
        };
    };
    let mut bytes = Vec::new();
    write(&mut bytes).map_err(Error::Stdout)?;
    write_output(path, &bytes).map_err(|source| {
        OutputError::Write {
            path: path.to_path_buf(),
            source,
        }
        .into()
    })
}

/// Checks `--output` before anything is read or written: its directory
/// must exist, and it may not be a rule file or a read-only or authority
/// file (SPEC §6: those are never opened for writing, whatever else
/// happens).
fn check_output(flag: &'static str, path: Option<&Path>, setup: &Setup) -> Result<(), OutputError> {
    let Some(path) = path else { return Ok(()) };
    let dir = output_dir(path);
    let real_dir = std::fs::canonicalize(&dir)
        .ok()
        .filter(|d| d.is_dir())
        .ok_or_else(|| OutputError::NoDirectory {
            flag,
            path: path.to_path_buf(),
            dir: dir.clone(),
        })?;
    if path.is_dir() {
        return Err(OutputError::Directory {
            flag,
            path: path.to_path_buf(),
        });
    }
    let real = std::fs::canonicalize(path)
        .unwrap_or_else(|_| real_dir.join(path.file_name().unwrap_or_default()));
    if setup.rules.real_sources().contains(&real) {
        return Err(OutputError::RuleFile {
            flag,
            path: path.to_path_buf(),
        });
    }
    let real_base = std::fs::canonicalize(&setup.base).unwrap_or_else(|_| setup.base.clone());
    if let Some(rel) = crate::fs::paths::relative_to(&real_base, &real) {
        let role = setup.rules.role_of(&rel);
        if !role.writable() {
            return Err(OutputError::Governed {
                flag,
                path: path.to_path_buf(),
                role,
                rel,
            });
        }
    }
    Ok(())
}

fn scan(cli: &Cli, args: &ScanArgs) -> Result<Exit, Error> {
    if args.statistics && !matches!(args.format, Format::Human | Format::Json) {
        return Err(Error::Usage(format!(
            "--statistics prints human or json, not {}",
            args.format
        )));
    }
    let setup = setup(cli)?;
    check_output("--output", args.output.as_deref(), &setup)?;
    check_output("--write-baseline", args.write_baseline.as_deref(), &setup)?;
    if let (Some(b), Some(o)) = (&args.write_baseline, &args.output)
        && crate::fs::paths::absolute(b) == crate::fs::paths::absolute(o)
    {
        return Err(Error::SameFile(b.clone()));
    }
    let r = start_run(
        cli,
        &setup,
        &Scope {
            roots: &args.roots,
            strict: args.strict,
            output: args.output.as_deref(),
            write_baseline: args.write_baseline.as_deref(),
            filter: &args.filter,
            quiet: args.quiet,
        },
    )?;
    let root = SourceRoot::find(&setup.base);
    let report = Report {
        command: report::Command::Scan,
        run: &r,
        rules: &setup.rules,
        paint: Paint::for_stdout(cli.color, args.output.is_some()),
        files: None,
        show_suppressed: args.filter.show_suppressed,
        root: &root,
        quiet: args.quiet,
    };
    if args.statistics {
        emit(args.output.as_deref(), &|out| match args.format {
            Format::Json => report::statistics::write_json(&r, out),
            _ => out.write_all(report::statistics::text(&r).as_bytes()),
        })?;
    } else {
        emit(args.output.as_deref(), &|out| {
            args.format.write(&report, out)
        })?;
    }
    if !args.quiet {
        if !args.statistics {
            for w in args.format.warnings(&report) {
                eprintln!("{w}");
            }
        }
        if args.statistics || !args.format.spec().has_summary {
            eprintln!("{}", human::summary_line(&r));
            let summary = report::Summary::of(&r);
            for line in [
                report::ungoverned_line(&summary),
                report::suppressed_line(&summary),
            ]
            .into_iter()
            .flatten()
            {
                eprintln!("{line}");
            }
        }
    }
    if let Some(path) = &args.write_baseline {
        return write_baseline(path, &r);
    }
    Ok(exit::scan(&r, args.fail_on))
}

/// `scan --write-baseline FILE`: records every finding that no marker or
/// `[[ignore]]` rule suppresses (those of an older `--baseline` included,
/// so a baseline can be refreshed in place), atomically, through the
/// `--output` writer. The recorded findings are accepted from now on, so
/// the run exits 0 unless it had errors.
fn write_baseline(path: &Path, r: &Run) -> Result<Exit, Error> {
    let entries: Vec<_> = r
        .plans()
        .flat_map(|p| p.suppressed.fingerprints.iter().cloned())
        .collect();
    let n = entries.len();
    write_output(path, baseline::render(entries).as_bytes()).map_err(|source| {
        OutputError::Write {
            path: path.to_path_buf(),
            source,
        }
    })?;
    eprintln!(
        "wrote baseline {}: {n} finding{}",
        path.display(),
        plural(n)
    );
    Ok(Exit::of(!r.error_list().is_empty(), false))
}

/// `discover` (SPEC §12): reads the tree, writes the draft rule file or
/// report to stdout or `--output` (an existing one only with `--force`),
/// and nothing else. 2 when a file could not be read or parsed (the output
/// is still written, from everything else), else 0.
fn discover(cli: &Cli, args: &DiscoverArgs) -> Result<Exit, Error> {
    let setup = setup(cli)?;
    let output = discover_output::file(args.output.as_deref());
    if let Some(path) = output {
        discover_output::check_absent(path, args.force)?;
        check_output("--output", Some(path), &setup)?;
    }
    let own_files: Vec<PathBuf> = output.map(Path::to_path_buf).into_iter().collect();
    let outcome = crate::discover::run(&crate::discover::Input {
        base: &setup.base,
        roots: &args.roots,
        rules: &setup.rules,
        max_file_size: cli.max_file_size,
        own_files: &own_files,
    });
    crate::discover::render::stderr::diagnostics(&setup.rules, &outcome);
    if let Some(path) = output {
        discover_output::check_not_read(path, &setup.base, &setup.rules)?;
    }
    let text = args
        .format
        .render(&outcome, &setup.rules)
        .map_err(DiscoverError::from)?;
    match output {
        Some(path) if !args.force => {
            write_new_output(path, text.as_bytes()).map_err(|source| OutputError::Write {
                path: path.to_path_buf(),
                source,
            })?
        }
        _ => emit(output, &|w| w.write_all(text.as_bytes()))?,
    }
    eprintln!(
        "{}",
        crate::discover::render::stderr::summary_line(&outcome)
    );
    Ok(Exit::of(!outcome.errors.is_empty(), false))
}

fn fix(cli: &Cli, args: &FixArgs) -> Result<Exit, Error> {
    if args.preview {
        preview::preflight(args.format.is_some() || args.output.is_some())?;
    }
    let setup = setup(cli)?;
    check_output("--output", args.output.as_deref(), &setup)?;
    let r = start_run(
        cli,
        &setup,
        &Scope {
            roots: &args.roots,
            strict: false,
            output: args.output.as_deref(),
            write_baseline: None,
            filter: &args.filter,
            quiet: false,
        },
    )?;
    let mut journal = if (args.apply || args.preview) && !args.no_journal && has_fixes(&r) {
        let root = crate::journal::dir(args.journal.journal.as_deref())?;
        let command = if args.apply {
            "fix --apply"
        } else {
            "fix --preview"
        };
        Some(crate::journal::Journal::begin(&root, &setup.base, command)?)
    } else {
        None
    };
    if args.preview {
        let options = preview::Options {
            paint: Paint::for_stdout(cli.color, false),
            base: &setup.base,
            rules: &setup.rules,
        };
        let exit = preview::run(&options, &r, journal.as_mut());
        if let Some(j) = journal {
            j.finish();
        }
        return Ok(exit?);
    }
    let statuses = if args.apply {
        let statuses = apply_all(&setup, &r, journal.as_mut());
        if let Some(j) = journal {
            j.finish();
        }
        statuses?
    } else {
        dry_statuses(&r)
    };
    // `--apply` is quiet on stdout unless a format is asked for.
    let format = args.format.or((!args.apply).then_some(Format::Patch));
    if let Some(format) = format {
        let text = format.render(&Report {
            command: report::Command::Fix,
            run: &r,
            rules: &setup.rules,
            paint: Paint::for_stdout(cli.color, args.output.is_some()),
            files: Some(&statuses),
            show_suppressed: args.filter.show_suppressed,
            root: &SourceRoot::base(),
            quiet: false,
        });
        if !text.is_empty() {
            emit(args.output.as_deref(), &|out| {
                out.write_all(text.as_bytes())
            })?;
        }
    }
    report::stderr::leftovers(&r);
    let failed = statuses.iter().any(|s| s.status == Status::Error);
    let changed = statuses.iter().filter(|s| s.status == Status::Changed);
    let files = changed.clone().count();
    let changes: usize = changed.map(|s| s.changes).sum();
    if args.apply {
        eprintln!(
            "wrote {changes} change{} in {files} file{}",
            plural(changes),
            plural(files)
        );
    } else {
        eprintln!(
            "{changes} change{} pending in {files} file{} (dry run: nothing written; use --apply or --preview)",
            plural(changes),
            plural(files)
        );
    }
    // Never written, so say so (SPEC §11).
    if let Some(line) = report::suppressed_line(&report::Summary::of(&r)) {
        eprintln!("{line}");
    }
    Ok(exit::fix(&r, failed, !args.apply && changes > 0))
}

/// What a dry run would do with each target.
fn dry_statuses(r: &Run) -> Vec<FileStatus> {
    r.outcomes
        .iter()
        .map(|o| dry_status(o.target.rel_path.clone(), &o.result))
        .collect()
}

fn dry_status(path: String, result: &Result<FilePlan, FileError>) -> FileStatus {
    let (status, changes, message) = match result {
        Ok(FilePlan {
            refused: Some(e), ..
        }) => (Status::Error, 0, Some(e.to_string())),
        Ok(p) if p.new_text.is_some() => (Status::Changed, p.fix_count(), None),
        Ok(p) if !p.role.writable() && !p.findings.is_empty() => (
            Status::Skipped,
            0,
            Some(format!("{} file: reported, never written", p.role.name())),
        ),
        Ok(_) => (Status::Unchanged, 0, None),
        Err(e) if e.is_skip() => (Status::Skipped, 0, Some(e.to_string())),
        Err(e) => (Status::Error, 0, Some(e.to_string())),
    };
    FileStatus {
        path,
        status,
        changes,
        message,
    }
}

/// Whether any file of the run has a fix to write.
fn has_fixes(r: &Run) -> bool {
    r.plans().any(|p| p.new_text.is_some())
}

/// `--apply`: writes every planned file; one status per target. A writer
/// that cannot be set up, or a journal that cannot record the files before
/// they are written, is an error of the command (exit 2) and nothing is
/// written.
fn apply_all(
    setup: &Setup,
    r: &Run,
    journal: Option<&mut crate::journal::Journal>,
) -> Result<Vec<FileStatus>, Error> {
    let ctx = WriteContext::new(&setup.base, &setup.rules).map_err(Error::Apply)?;
    let mut statuses = dry_statuses(r);
    // (index into statuses, plan, new text) of every file to write.
    let to_write: Vec<_> = r
        .outcomes
        .iter()
        .zip(&statuses)
        .enumerate()
        .filter_map(|(i, (o, status))| match (&o.result, status.status) {
            (Ok(plan), Status::Changed) => Some((
                i,
                &o.target.abs_path,
                plan,
                plan.new_text.as_ref()?,
                o.target.patch_path(),
            )),
            _ => None,
        })
        .collect();
    let mut journal = journal;
    if let Some(j) = journal.as_deref_mut() {
        let intents: Vec<crate::journal::Intent> = to_write
            .iter()
            .map(|(_, _, plan, new, real)| crate::journal::Intent {
                path: real,
                before: plan.original.as_bytes(),
                after: new.as_bytes(),
            })
            .collect();
        j.intend(&intents)?;
    }
    let jobs: Vec<Job> = to_write
        .iter()
        .map(|(_, path, plan, new, _)| Job {
            path,
            role: plan.role,
            planned_from: plan.original.as_bytes(),
            new: new.as_bytes(),
        })
        .collect();
    let results = ctx.write_all(&jobs, WRITE_THREADS);
    for ((i, _, plan, _, real), result) in to_write.iter().zip(results) {
        if let Some(j) = journal.as_deref_mut() {
            j.done(real, result.as_ref().is_ok_and(|w| !w.already));
        }
        match result {
            Ok(w) => {
                if let Some(note) = w.hard_link_note(&plan.rel_path) {
                    eprintln!("{note}");
                }
            }
            Err(e) => {
                eprintln!("error: {}: {e}", plan.rel_path);
                if let Some(status) = statuses.get_mut(*i) {
                    status.status = Status::Error;
                    status.message = Some(e.to_string());
                }
            }
        }
    }
    Ok(statuses)
}

/// Files written at once by `fix --apply`: a write mostly waits for `fsync`,
/// so more writers than cores pay off.
const WRITE_THREADS: usize = 8;

fn rules_check(cli: &Cli) -> Result<Exit, Error> {
    let setup = setup(cli)?;
    let rules = &setup.rules;
    let aliases = rules.aliases().count();
    for w in rules
        .warnings
        .iter()
        .chain(&crate::rules::lint::warnings(rules, &setup.base))
        .chain(&crate::rules::dead::dead_selectors(
            rules,
            &setup.base,
            cli.max_file_size,
        ))
    {
        eprintln!("{w}");
    }
    let ignores = if rules.ignores.is_empty() {
        String::new()
    } else {
        format!(
            ", {} ignore rule{}",
            rules.ignores.len(),
            plural(rules.ignores.len())
        )
    };
    println!(
        "rules ok: {} file{}, {} canonical name{}, {} alias{}, {} field rule{}, {} severity rule{}{ignores}",
        rules.sources.len(),
        plural(rules.sources.len()),
        rules.canonicals.len(),
        plural(rules.canonicals.len()),
        aliases,
        if aliases == 1 { "" } else { "es" },
        rules.fields.len(),
        plural(rules.fields.len()),
        rules.severities.len(),
        plural(rules.severities.len()),
    );
    Ok(Exit::Ok)
}

/// `init`: the starter rule file goes to the first `--rules FILE` when one
/// is given, else to `driftfix.toml` in `--base DIR` or the current
/// directory. An existing file is never overwritten.
fn init(cli: &Cli) -> Result<Exit, Error> {
    let path = match (cli.rules.first(), &cli.base) {
        (Some(rules), _) => rules.clone(),
        (None, Some(base)) => base.join(RULE_FILE_NAME),
        (None, None) => PathBuf::from(RULE_FILE_NAME),
    };
    if std::fs::symlink_metadata(&path).is_ok() {
        return Err(InitError::Exists(path).into());
    }
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
    {
        Ok(f) => f,
        Err(source) => return Err(InitError::Create { path, source }.into()),
    };
    if let Err(source) = file.write_all(crate::rules::starter().as_bytes()) {
        return Err(InitError::Write { path, source }.into());
    }
    let shown = path.display();
    let check = if cli.rules.is_empty() {
        String::new()
    } else {
        format!(" --rules {shown}")
    };
    eprintln!(
        "wrote {shown}: edit it, then run `driftfix rules check{check}` and `driftfix scan{check}`"
    );
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::rules::RuleSet;

    /// A writer that cannot be set up (the base directory is gone by the
    /// time `--apply` writes) is an error that exits 2, not an `error:`
    /// line followed by exit 0.
    #[test]
    fn apply_without_a_writer_is_an_error() {
        let gone = tempfile::tempdir().unwrap();
        let setup = Setup {
            rules: RuleSet::from_toml_str(
                "[[canonical]]\nname = \"pve\"\naliases = [\"pve-shop\"]\n[[field]]\nselect = [\"host\"]\n",
                Path::new("driftfix.toml"),
            )
            .unwrap(),
            base: gone.path().join("removed"),
        };
        let r = Run {
            outcomes: Vec::new(),
            walk_skipped: Vec::new(),
            warnings: Vec::new(),
            errors: Vec::new(),
            elapsed: Duration::ZERO,
        };
        let err = apply_all(&setup, &r, None).unwrap_err();
        assert!(matches!(err, Error::Apply(_)), "{err:?}");
        assert!(err.to_string().starts_with("base directory "), "{err}");
    }
}
