//! The commands: each turns parsed arguments into a run, its output and an
//! [`Exit`] (SPEC §3). Failures are [`Error`]s, printed once as
//! `error: …` by [`main`], and exit 2.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::CommandFactory;

mod apply;
mod output;

pub use output::OutputError;

use crate::cli::{Cli, Command, FixArgs, RulesCommand, ScanArgs};
use crate::exit::{self, Exit};
use crate::fix::preview::{self, PreviewError};
use crate::fix::{signals, write};
use crate::fs::{BaseLock, FileId, FsError, LOCK_TIMEOUT, Output};
use crate::plan::PlanOptions;
use crate::report::json::Status;
use crate::report::{self, Format, Paint, Report, human, plural, visible};
use crate::run::{Run, RunInput, run};
use crate::setup::{RULE_FILE_NAME, Setup, SetupError, setup};

/// Why a command failed (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Setup(#[from] SetupError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Preview(#[from] PreviewError),
    /// Another driftfix holds the base directory (SPEC §14), or the lock
    /// could not be taken.
    #[error("{0}")]
    Lock(FsError),
    /// Writing the report to stdout failed (other than a closed pipe).
    #[error("{0}")]
    Stdout(std::io::Error),
    #[error(transparent)]
    Init(#[from] InitError),
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
                &mut Cli::command(),
                "driftfix",
                &mut std::io::stdout(),
            );
            Ok(Exit::Ok)
        }
        Command::Rules {
            command: RulesCommand::Check,
        } => rules_check(&cli),
        Command::Scan(args) => scan(&cli, args),
        Command::Fix(args) => fix(&cli, args),
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {}", visible(&e.to_string()));
        Exit::Error
    })
}

/// Walks and plans through the base directory's handle; `own` (the run's
/// `--output`, when it exists) is never planned.
fn start_run(cli: &Cli, setup: &Setup, roots: &[PathBuf], strict: bool, own: &[FileId]) -> Run {
    let r = run(&RunInput {
        base: &setup.base_dir,
        roots,
        rules: &setup.rules,
        options: PlanOptions { strict },
        max_file_size: cli.max_file_size,
        own_files: own,
    });
    report::stderr::diagnostics(&setup.rules, &r);
    r
}

/// The identity of an existing `--output` file (following links), so the
/// run never plans it.
fn own_files(output: Option<&Path>) -> Vec<FileId> {
    output
        .filter(|p| *p != Path::new("-"))
        .and_then(|p| FileId::of_path(p).ok())
        .into_iter()
        .collect()
}

/// Writes the report to stdout, or into the opened `--output`.
fn emit(output: Option<(Output<'_>, &Path)>, text: &str) -> Result<(), Error> {
    if let Some((out, path)) = output {
        return Ok(output::emit(out, path, text)?);
    }
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        // A closed pipe (`| head`) is not an error worth reporting.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Stdout(e)),
        _ => Ok(()),
    }
}

/// `fix --apply` and `--preview` hold the base directory's lock from
/// before the first read to the end (SPEC §14): a second run waits up to
/// [`LOCK_TIMEOUT`], saying so, then fails naming the holder.
fn lock(setup: &Setup) -> Result<BaseLock, Error> {
    let waiting = |pid: Option<u32>| {
        let holder = pid.map(|p| format!(" (pid {p})")).unwrap_or_default();
        eprintln!(
            "waiting for another driftfix{holder} that holds the base directory {}…",
            visible(&setup.base.display().to_string())
        );
    };
    setup
        .base_dir
        .lock(LOCK_TIMEOUT, &waiting)
        .map_err(Error::Lock)
}

fn scan(cli: &Cli, args: &ScanArgs) -> Result<Exit, Error> {
    let setup = setup(cli)?;
    let forbidden = output::Forbidden::new(&setup);
    let check = |id: FileId| forbidden.reason(id);
    let path = args.output.as_deref();
    let out = path
        .map(|p| output::open(p, &setup, &check, &write::hold_signals))
        .transpose()?;
    let r = start_run(cli, &setup, &args.roots, args.strict, &own_files(path));
    forbidden.add_run(&r);
    if let (Some(o), Some(p)) = (&out, path) {
        output::check_after_run(o, p, &r)?;
    }
    let text = args.format.render(&Report {
        command: report::Command::Scan,
        run: &r,
        rules: &setup.rules,
        paint: Paint::for_stdout(cli.color, args.output.is_some()),
        files: None,
    });
    emit(out.zip(path), &text)?;
    if !args.format.spec().has_summary {
        eprintln!("{}", human::summary_line(&r));
        if let Some(line) = report::ungoverned_line(&report::Summary::of(&r)) {
            eprintln!("{line}");
        }
    }
    Ok(exit::scan(&r, args.fail_on))
}

fn fix(cli: &Cli, args: &FixArgs) -> Result<Exit, Error> {
    if args.preview {
        preview::preflight(args.format.is_some() || args.output.is_some())?;
    }
    let setup = setup(cli)?;
    let forbidden = output::Forbidden::new(&setup);
    let check = |id: FileId| forbidden.reason(id);
    let path = args.output.as_deref();
    let out = path
        .map(|p| output::open(p, &setup, &check, &write::hold_signals))
        .transpose()?;
    let _lock = if args.apply || args.preview {
        Some(lock(&setup)?)
    } else {
        None
    };
    let r = start_run(cli, &setup, &args.roots, false, &own_files(path));
    forbidden.add_run(&r);
    if let (Some(o), Some(p)) = (&out, path) {
        output::check_after_run(o, p, &r)?;
    }
    if args.preview {
        let options = preview::Options {
            paint: Paint::for_stdout(cli.color, false),
            base: &setup.base_dir,
            rules: &setup.rules,
        };
        return Ok(preview::run(&options, &r)?);
    }
    // While files are written, a stop signal lets the files being written
    // finish and starts no new one; the report and the closing lines then
    // say what was written (SPEC §14).
    let stopping = args.apply.then(signals::Stopping::install);
    let statuses = if args.apply {
        apply::apply_all(&setup, &r)
    } else {
        apply::dry_statuses(&r)
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
        });
        if !text.is_empty() {
            emit(out.zip(path), &text)?;
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
    if let Some(sig) = signals::stop_requested() {
        for line in apply::interrupted_lines(signals::name(sig), &statuses) {
            eprintln!("{line}");
        }
        // Ends the process by the signal; here only if it did not.
        drop(_lock);
        if let Some(s) = stopping {
            s.finish();
        }
        return Ok(Exit::Error);
    }
    drop(stopping);
    Ok(exit::fix(&r, failed, !args.apply && changes > 0))
}

fn rules_check(cli: &Cli) -> Result<Exit, Error> {
    let setup = setup(cli)?;
    let rules = &setup.rules;
    let aliases = rules.aliases().count();
    for w in rules
        .warnings
        .iter()
        .chain(&crate::rules::lint::warnings(rules, &setup.base))
    {
        eprintln!("{}", visible(&w.to_string()));
    }
    println!(
        "rules ok: {} file{}, {} canonical name{}, {} alias{}, {} field rule{}, {} severity rule{}",
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
    let shown = visible(&path.display().to_string());
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
