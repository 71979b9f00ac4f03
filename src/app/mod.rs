//! The commands: each turns parsed arguments into a run, its output and an
//! [`Exit`] (SPEC §3). Failures are [`Error`]s, printed once as
//! `error: …` by [`main`], and exit 2.

use std::io::Write as _;
use std::path::{Path, PathBuf};

mod apply;
mod output;

pub use output::OutputError;

use crate::cli::{Cli, Command, DiscoverArgs, FilterArgs, FixArgs, RulesCommand, ScanArgs};
use crate::discover::output::{self as discover_output, DiscoverError};
use crate::exit::{self, Exit};
use crate::fix::preview::{self, PreviewError};
use crate::fix::{signals, write};
use crate::fs::{BaseLock, FileId, FsError, LOCK_TIMEOUT, Output};
use crate::plan::{Keep, PlanOptions};
use crate::report::json::Status;
use crate::report::{self, Format, Paint, Report, SourceRoot, human, plural, visible};
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
    /// Another driftfix holds the base directory (SPEC §14), or the lock
    /// could not be taken.
    #[error("{0}")]
    Lock(FsError),
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
            e => eprintln!("error: {}", visible(&e.to_string())),
        }
        Exit::Error
    })
}

/// What a run reads besides the rules: its roots, its own files (never
/// targets: `--output`, the baselines) and its filters.
struct Scope<'a> {
    roots: &'a [PathBuf],
    strict: bool,
    /// What the command's outputs read of each plan besides its findings.
    keep: Keep,
    output: Option<&'a Path>,
    write_baseline: Option<&'a Path>,
    filter: &'a FilterArgs,
    /// `scan -q`: warnings are not printed.
    quiet: bool,
}

/// Loads the baseline, asks git what changed, walks and plans through the
/// base directory's handle.
fn start_run(cli: &Cli, setup: &Setup, scope: &Scope) -> Result<Run, Error> {
    let own_files = ids_of(&[scope.output, scope.write_baseline]);
    let never = ids_of(&[scope.filter.baseline.as_deref()]);
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
        base: &setup.base_dir,
        roots: scope.roots,
        rules: &setup.rules,
        options: PlanOptions {
            strict: scope.strict,
            keep: scope.keep,
        },
        max_file_size: cli.max_file_size,
        own_files: &own_files,
        never: &never,
        baseline: baseline.as_ref(),
        only: only.as_ref(),
    });
    report::stderr::diagnostics(&setup.rules, &r, scope.quiet);
    Ok(r)
}

/// The identities of those of `paths` that exist (following links), by
/// which the run knows them whatever name reaches them.
fn ids_of(paths: &[Option<&Path>]) -> Vec<FileId> {
    paths
        .iter()
        .flatten()
        .filter(|p| **p != Path::new("-"))
        .filter_map(|p| FileId::of_path(p).ok())
        .collect()
}

/// Streams the output into the opened `--output` (replaced atomically, or
/// a stream), or to stdout.
fn emit(
    output: Option<(Output<'_>, &Path)>,
    write: &dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    if let Some((out, path)) = output {
        return Ok(output::emit(out, "--output", path, write)?);
    }
    let mut out = std::io::stdout().lock();
    match write(&mut out).and_then(|_| out.flush()) {
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
    if args.statistics && !matches!(args.format, Format::Human | Format::Json) {
        return Err(Error::Usage(format!(
            "--statistics prints human or json, not {}",
            args.format
        )));
    }
    let setup = setup(cli)?;
    if let (Some(b), Some(o)) = (&args.write_baseline, &args.output)
        && (crate::fs::paths::absolute(b) == crate::fs::paths::absolute(o)
            || ids_of(&[Some(b)])
                .iter()
                .any(|id| ids_of(&[Some(o)]).contains(id)))
    {
        return Err(Error::SameFile(b.clone()));
    }
    let forbidden = output::Forbidden::new(&setup);
    let check = |id: FileId| forbidden.reason(id);
    let path = args.output.as_deref();
    let out = path
        .map(|p| output::open("--output", p, &setup, &check, &write::hold_signals))
        .transpose()?;
    let baseline_out = args
        .write_baseline
        .as_deref()
        .map(|p| output::open("--write-baseline", p, &setup, &check, &write::hold_signals))
        .transpose()?;
    let r = start_run(
        cli,
        &setup,
        &Scope {
            roots: &args.roots,
            strict: args.strict,
            // `--statistics` reads the findings alone.
            keep: Keep {
                fingerprints: args.write_baseline.is_some(),
                ..args.format.spec().reads
            },
            output: args.output.as_deref(),
            write_baseline: args.write_baseline.as_deref(),
            filter: &args.filter,
            quiet: args.quiet,
        },
    )?;
    // Only an output file asks what it may not replace: a run without one
    // does not list every scanned file (issue 19: a formatted reason per
    // file, on one thread, after the scan).
    if out.is_some() || baseline_out.is_some() {
        forbidden.add_run(&r);
    }
    if let (Some(o), Some(p)) = (&out, path) {
        output::check_after_run(o, "--output", p, &r)?;
    }
    if let (Some(o), Some(p)) = (&baseline_out, args.write_baseline.as_deref()) {
        output::check_after_run(o, "--write-baseline", p, &r)?;
    }
    let out = out.zip(path);
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
        emit(out, &|out| match args.format {
            Format::Json => report::statistics::write_json(&r, out),
            _ => out.write_all(report::statistics::text(&r).as_bytes()),
        })?;
    } else {
        emit(out, &|out| args.format.write(&report, out))?;
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
    if let (Some(o), Some(path)) = (baseline_out, &args.write_baseline) {
        return write_baseline(o, path, &r);
    }
    Ok(exit::scan(&r, args.fail_on))
}

/// `scan --write-baseline FILE`: records every finding that no marker or
/// `[[ignore]]` rule suppresses (those of an older `--baseline` included,
/// so a baseline can be refreshed in place), atomically, through the
/// `--output` writer. The recorded findings are accepted from now on, so
/// the run exits 0 unless it had errors.
fn write_baseline(out: Output<'_>, path: &Path, r: &Run) -> Result<Exit, Error> {
    let entries: Vec<_> = r
        .plans()
        .flat_map(|p| p.suppressed.fingerprints.iter().cloned())
        .collect();
    let n = entries.len();
    let text = baseline::render(entries);
    output::emit(out, "--write-baseline", path, &|w| {
        w.write_all(text.as_bytes())
    })?;
    eprintln!(
        "wrote baseline {}: {n} finding{}",
        visible(&path.display().to_string()),
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
    let path = discover_output::file(args.output.as_deref());
    let forbidden = output::Forbidden::new(&setup);
    let check = |id: FileId| forbidden.reason(id);
    let out = match path {
        Some(p) => {
            discover_output::check_absent(p, args.force)?;
            let o = output::open("--output", p, &setup, &check, &write::hold_signals)?;
            // Without --force a draft is created, never written over one
            // that appears meanwhile. A stream (`/dev/null`, a FIFO) is
            // written, never replaced: nothing to protect there.
            Some(
                if args.force || o.kind() != crate::fs::OutputKind::Replace {
                    o
                } else {
                    output::create_only(o, "--output", p)?
                },
            )
        }
        None => None,
    };
    let own_files = ids_of(&[path]);
    let outcome = crate::discover::run(&crate::discover::Input {
        base: &setup.base_dir,
        roots: &args.roots,
        rules: &setup.rules,
        max_file_size: cli.max_file_size,
        own_files: &own_files,
    });
    crate::discover::render::stderr::diagnostics(&setup.rules, &outcome);
    if let Some(p) = path {
        discover_output::check_not_read(p, &setup.base, &setup.rules, cli.max_file_size)?;
    }
    let text = args
        .format
        .render(&outcome, &setup.rules)
        .map_err(DiscoverError::from)?;
    emit(out.zip(path), &|w| w.write_all(text.as_bytes()))?;
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
    let forbidden = output::Forbidden::new(&setup);
    let check = |id: FileId| forbidden.reason(id);
    let path = args.output.as_deref();
    let out = path
        .map(|p| output::open("--output", p, &setup, &check, &write::hold_signals))
        .transpose()?;
    let lock = if args.apply || args.preview {
        Some(lock(&setup)?)
    } else {
        None
    };
    let r = start_run(
        cli,
        &setup,
        &Scope {
            roots: &args.roots,
            strict: false,
            // Writing, preview and the patch read the texts.
            keep: Keep::ALL,
            output: path,
            write_baseline: None,
            filter: &args.filter,
            quiet: false,
        },
    )?;
    if out.is_some() {
        forbidden.add_run(&r);
    }
    if let (Some(o), Some(p)) = (&out, path) {
        output::check_after_run(o, "--output", p, &r)?;
    }
    let mut journal = if (args.apply || args.preview) && !args.no_journal && apply::has_fixes(&r) {
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
            base: &setup.base_dir,
            rules: &setup.rules,
        };
        let exit = preview::run(&options, &r, journal.as_mut());
        if let Some(j) = journal {
            j.finish();
        }
        return Ok(exit?);
    }
    // While files are written, a stop signal lets the files being written
    // finish and starts no new one; the report and the closing lines then
    // say what was written (SPEC §14).
    let stopping = args.apply.then(signals::Stopping::install);
    let statuses = if args.apply {
        let statuses = apply::apply_all(&setup, &r, journal.as_mut());
        if let Some(j) = journal {
            j.finish();
        }
        statuses?
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
            show_suppressed: args.filter.show_suppressed,
            root: &SourceRoot::base(),
            quiet: false,
        });
        if !text.is_empty() {
            emit(out.zip(path), &|out| out.write_all(text.as_bytes()))?;
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
    if let Some(sig) = signals::stop_requested() {
        for line in apply::interrupted_lines(signals::name(sig), &statuses) {
            eprintln!("{line}");
        }
        // Ends the process by the signal; returns only if it did not.
        drop(lock);
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
        .chain(&crate::rules::dead::dead_selectors(
            rules,
            &setup.base,
            cli.max_file_size,
        ))
    {
        eprintln!("{}", visible(&w.to_string()));
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
