//! The commands: each turns parsed arguments into a run, its output and an
//! exit code (SPEC §3: 0 clean/done, 1 drift remains, 2 error).

use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};

use clap::CommandFactory;

use crate::cli::{
    Cli, ColorWhen, Command, FailOn, FixArgs, FixFormat, RulesCommand, ScanArgs, ScanFormat,
};
use crate::fix::write::{Job, WriteContext, atomic_replace};
use crate::plan::{Action, FilePlan, PlanOptions};
use crate::report::human::{self, Paint};
use crate::report::json::{self, FileStatus};
use crate::report::patch;
use crate::rules::{RuleSet, Severity};
use crate::run::{Run, RunInput, run};

/// Exit codes.
pub const OK: i32 = 0;
pub const DRIFT: i32 = 1;
pub const ERROR: i32 = 2;

/// The name of the rule file that is discovered and that `init` writes.
pub const RULE_FILE_NAME: &str = "driftfix.toml";

/// Runs one command line; returns the exit code.
pub fn main(cli: Cli) -> i32 {
    let result = match &cli.command {
        Command::Init => init(&cli),
        Command::Completions { shell } => {
            clap_complete::generate(
                *shell,
                &mut Cli::command(),
                "driftfix",
                &mut std::io::stdout(),
            );
            Ok(OK)
        }
        Command::Rules {
            command: RulesCommand::Check,
        } => rules_check(&cli),
        Command::Scan(args) => scan(&cli, args),
        Command::Fix(args) => fix(&cli, args),
    };
    result.unwrap_or_else(|message| {
        eprintln!("error: {message}");
        ERROR
    })
}

/// Rules and base directory of a run.
pub struct Setup {
    pub rules: RuleSet,
    pub base: PathBuf,
}

/// Finds and loads the rule files, and decides the base directory.
pub fn setup(cli: &Cli) -> Result<Setup, String> {
    let files = if cli.rules.is_empty() {
        vec![discover_rules()?]
    } else {
        cli.rules.clone()
    };
    let rules = RuleSet::load(&files).map_err(|e| e.to_string())?;
    let base = match &cli.base {
        Some(b) => b.clone(),
        None => files
            .first()
            .and_then(|f| {
                crate::fs::paths::absolute(f)
                    .parent()
                    .map(Path::to_path_buf)
            })
            .unwrap_or_else(|| PathBuf::from(".")),
    };
    if !base.is_dir() {
        return Err(format!("base directory {} does not exist", base.display()));
    }
    Ok(Setup {
        rules,
        base: crate::fs::paths::absolute(&base),
    })
}

/// `driftfix.toml` in the current directory or its nearest ancestor.
fn discover_rules() -> Result<PathBuf, String> {
    let cwd = std::env::current_dir().map_err(|e| format!("cannot read current directory: {e}"))?;
    cwd.ancestors()
        .map(|d| d.join(RULE_FILE_NAME))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            format!("no rule file: pass --rules FILE or create {RULE_FILE_NAME} (driftfix init)")
        })
}

/// Color on stdout: never into a file, never with `NO_COLOR` set (non-empty,
/// as no-color.org defines it; SPEC §3 puts it above `--color always`),
/// never with `--color never`; `always` forces it into pipes too, `auto`
/// colors a terminal only.
pub(crate) fn color_for_stdout(cli: &Cli, to_file: bool) -> Paint {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = !to_file
        && !no_color
        && match cli.color {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => std::io::stdout().is_terminal(),
        };
    Paint { color }
}

fn start_run(cli: &Cli, setup: &Setup, roots: &[PathBuf], strict: bool) -> Run {
    let r = run(&RunInput {
        base: &setup.base,
        roots,
        rules: &setup.rules,
        options: PlanOptions { strict },
        max_file_size: cli.max_file_size,
    });
    print_diagnostics(&setup.rules, &r);
    r
}

/// Warnings and errors go to stderr, never to the report stream.
fn print_diagnostics(rules: &RuleSet, r: &Run) {
    let mut err = std::io::stderr().lock();
    for w in &rules.warnings {
        let _ = writeln!(err, "warning: {w}");
    }
    // One line each, whatever the file names hold (see report::visible).
    let visible = crate::report::visible;
    for w in &r.warnings {
        let _ = writeln!(err, "{}", visible(w));
    }
    for (path, e) in r.skipped() {
        let _ = writeln!(
            err,
            "{}",
            visible(&format!("warning: {path}: skipped: {e}"))
        );
    }
    for line in r.error_lines() {
        let _ = writeln!(err, "{}", visible(&line));
    }
}

/// Writes the output to `--output FILE` atomically, or to stdout.
fn emit(output: Option<&Path>, text: &str) -> Result<(), String> {
    match output {
        Some(path) => write_output(path, text),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|_| out.flush())
                .or_else(|e| {
                    // A closed pipe (`| head`) is not an error worth reporting.
                    if e.kind() == std::io::ErrorKind::BrokenPipe {
                        Ok(())
                    } else {
                        Err(e.to_string())
                    }
                })
        }
    }
}

fn write_output(path: &Path, text: &str) -> Result<(), String> {
    let shown = path.display();
    if path.is_file() {
        return atomic_replace(path, text.as_bytes()).map_err(|e| format!("{shown}: {e}"));
    }
    let dir = output_dir(path);
    let mut tmp = tempfile::Builder::new()
        .prefix(".driftfix-")
        .tempfile_in(&dir)
        .map_err(|e| format!("{shown}: {e}"))?;
    use std::os::unix::fs::PermissionsExt;
    tmp.write_all(text.as_bytes())
        .and_then(|_| {
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644))
        })
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| format!("{shown}: {e}"))?;
    tmp.persist(path)
        .map_err(|e| format!("{shown}: {}", e.error))?;
    Ok(())
}

/// The directory an `--output` file goes to (`.` for a bare name).
fn output_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Checks `--output` before anything is read or written: its directory
/// must exist, and it may not be a rule file or a read-only or authority
/// file (SPEC §6: those are never opened for writing, whatever else
/// happens).
fn check_output(path: Option<&Path>, setup: &Setup) -> Result<(), String> {
    let Some(path) = path else { return Ok(()) };
    let shown = path.display();
    let dir = output_dir(path);
    let real_dir = std::fs::canonicalize(&dir)
        .ok()
        .filter(|d| d.is_dir())
        .ok_or_else(|| {
            format!(
                "--output {shown}: directory {} does not exist",
                dir.display()
            )
        })?;
    if path.is_dir() {
        return Err(format!("--output {shown} is a directory"));
    }
    let real = std::fs::canonicalize(path)
        .unwrap_or_else(|_| real_dir.join(path.file_name().unwrap_or_default()));
    if setup.rules.real_sources().contains(&real) {
        return Err(format!("--output {shown} is a rule file; not overwritten"));
    }
    let real_base = std::fs::canonicalize(&setup.base).unwrap_or_else(|_| setup.base.clone());
    if let Some(rel) = crate::fs::paths::relative_to(&real_base, &real) {
        let role = setup.rules.role_of(&rel);
        if !role.writable() {
            return Err(format!(
                "--output {shown} is {} ({rel}); driftfix never writes those",
                role.name()
            ));
        }
    }
    Ok(())
}

fn scan(cli: &Cli, args: &ScanArgs) -> Result<i32, String> {
    let setup = setup(cli)?;
    check_output(args.output.as_deref(), &setup)?;
    let r = start_run(cli, &setup, &args.roots, args.strict);
    let paint = color_for_stdout(cli, args.output.is_some());
    let text = match args.format {
        ScanFormat::Human => human::render(&r, &setup.rules, paint),
        ScanFormat::Json => json::render(&r, None),
        ScanFormat::Markdown => crate::report::markdown::scan(&r, &setup.rules),
        ScanFormat::Sarif => crate::report::sarif::render(&r, &setup.rules),
    };
    emit(args.output.as_deref(), &text)?;
    if args.format != ScanFormat::Human {
        eprintln!("{}", human::summary_line(&r));
    }
    Ok(scan_exit(&r, args.fail_on))
}

/// 2 on any error; 1 when a finding is at or above `fail_on`; else 0.
pub fn scan_exit(r: &Run, fail_on: FailOn) -> i32 {
    if !r.error_list().is_empty() {
        return ERROR;
    }
    let threshold = match fail_on {
        FailOn::Never => return OK,
        FailOn::Critical => Severity::Critical,
        FailOn::High => Severity::High,
        FailOn::Medium => Severity::Medium,
        FailOn::Low => Severity::Low,
    };
    if r.findings().any(|f| f.severity <= threshold) {
        DRIFT
    } else {
        OK
    }
}

fn fix(cli: &Cli, args: &FixArgs) -> Result<i32, String> {
    if args.preview {
        crate::fix::preview::preflight(args)?;
    }
    let setup = setup(cli)?;
    check_output(args.output.as_deref(), &setup)?;
    let r = start_run(cli, &setup, &args.roots, false);
    if args.preview {
        return crate::fix::preview::run(cli, &setup, &r);
    }
    let paint = color_for_stdout(cli, args.output.is_some());
    let format = args.format.unwrap_or(FixFormat::Patch);
    let statuses = if args.apply {
        apply_all(&setup, &r)
    } else {
        r.outcomes
            .iter()
            .map(|o| dry_status(o.target.rel_path.clone(), &o.result))
            .collect()
    };
    let text = match format {
        // `--apply` is quiet on stdout unless a format is asked for.
        FixFormat::Patch if args.apply && args.format.is_none() => String::new(),
        FixFormat::Patch => patch::colorize(&full_patch(&r), paint),
        FixFormat::Json => json::render(&r, Some(&statuses)),
        FixFormat::Markdown => crate::report::markdown::fix(&r, &setup.rules),
    };
    if !text.is_empty() {
        emit(args.output.as_deref(), &text)?;
    }
    report_leftovers(&r);
    let failed = statuses.iter().any(|s| s.status == "error");
    let changed: usize = statuses.iter().filter(|s| s.status == "changed").count();
    let changes: usize = statuses
        .iter()
        .filter(|s| s.status == "changed")
        .map(|s| s.changes)
        .sum();
    if args.apply {
        eprintln!(
            "wrote {changes} change{} in {changed} file{}",
            plural(changes),
            plural(changed)
        );
    } else {
        eprintln!(
            "{changes} change{} pending in {changed} file{} (dry run: nothing written; use --apply or --preview)",
            plural(changes),
            plural(changed)
        );
    }
    Ok(fix_exit(&r, failed, !args.apply && changes > 0))
}

pub(crate) use crate::report::plural;

/// The patch of every file with fixes, in path order.
pub fn full_patch(r: &Run) -> String {
    r.patches()
        .map(|(path, p, new)| patch::file_diff(path, &p.original, new))
        .collect()
}

fn dry_status(path: String, result: &Result<FilePlan, crate::plan::FileError>) -> FileStatus {
    match result {
        Ok(FilePlan {
            refused: Some(e), ..
        }) => FileStatus {
            path,
            status: "error",
            changes: 0,
            message: Some(e.to_string()),
        },
        Ok(p) if p.new_text.is_some() => FileStatus {
            path,
            status: "changed",
            changes: p.fix_count(),
            message: None,
        },
        Ok(p) if !p.role.writable() && !p.findings.is_empty() => FileStatus {
            path,
            status: "skipped",
            changes: 0,
            message: Some(format!("{} file: reported, never written", p.role.name())),
        },
        Ok(_) => FileStatus {
            path,
            status: "unchanged",
            changes: 0,
            message: None,
        },
        Err(e) => FileStatus {
            path,
            status: if e.is_skip() { "skipped" } else { "error" },
            changes: 0,
            message: Some(e.to_string()),
        },
    }
}

/// `--apply`: writes every planned file; one status per target.
fn apply_all(setup: &Setup, r: &Run) -> Vec<FileStatus> {
    let ctx = match WriteContext::new(&setup.base, &setup.rules) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return Vec::new();
        }
    };
    let mut statuses: Vec<FileStatus> = r
        .outcomes
        .iter()
        .map(|o| dry_status(o.target.rel_path.clone(), &o.result))
        .collect();
    // (index into statuses, plan, new text) of every file to write.
    let to_write: Vec<_> = r
        .outcomes
        .iter()
        .zip(&statuses)
        .enumerate()
        .filter_map(|(i, (o, status))| match (&o.result, status.status) {
            (Ok(plan), "changed") => Some((i, &o.target.abs_path, plan, plan.new_text.as_ref()?)),
            _ => None,
        })
        .collect();
    let jobs: Vec<Job> = to_write
        .iter()
        .map(|(_, path, plan, new)| Job {
            path,
            role: plan.role,
            planned_from: plan.original.as_bytes(),
            new: new.as_bytes(),
        })
        .collect();
    let results = ctx.write_all(&jobs, WRITE_THREADS);
    for ((i, _, plan, _), result) in to_write.iter().zip(results) {
        match result {
            Ok(w) => {
                if let Some(note) = w.hard_link_note(&plan.rel_path) {
                    eprintln!("{note}");
                }
            }
            Err(e) => {
                eprintln!("error: {}: {e}", plan.rel_path);
                if let Some(status) = statuses.get_mut(*i) {
                    status.status = "error";
                    status.message = Some(e.to_string());
                }
            }
        }
    }
    statuses
}

/// Files written at once by `fix --apply`: a write mostly waits for `fsync`,
/// so more writers than cores pay off.
const WRITE_THREADS: usize = 8;

/// Manual findings in editable files always reach stderr (never hidden by a
/// diff).
pub(crate) fn report_leftovers(r: &Run) {
    let mut err = std::io::stderr().lock();
    for f in r.findings().filter(|f| f.action == Action::Manual) {
        let _ = writeln!(
            err,
            "manual: {}:{}:{}: {} `{}`: {}",
            crate::report::visible(&f.path),
            f.line,
            f.column,
            crate::report::visible(&f.field),
            crate::report::one_line(&f.actual),
            f.reason.as_deref().unwrap_or("not safely fixable")
        );
    }
}

/// `fix`: 2 on error; 1 when changes are pending (dry run) or editable
/// findings are left unfixed (manual); else 0. Report-only findings in
/// read-only and authority files never change it.
pub fn fix_exit(r: &Run, failed: bool, pending: bool) -> i32 {
    if failed || !r.error_list().is_empty() {
        ERROR
    } else if pending || r.findings().any(|f| f.action == Action::Manual) {
        DRIFT
    } else {
        OK
    }
}

fn rules_check(cli: &Cli) -> Result<i32, String> {
    let setup = setup(cli)?;
    let rules = &setup.rules;
    let aliases = rules.aliases().count();
    for w in rules
        .warnings
        .iter()
        .chain(&crate::rules::lint::warnings(rules, &setup.base))
    {
        eprintln!("warning: {w}");
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
    Ok(OK)
}

/// `init`: the starter rule file goes to the first `--rules FILE` when one
/// is given, else to `driftfix.toml` in `--base DIR` or the current
/// directory. An existing file is never overwritten.
fn init(cli: &Cli) -> Result<i32, String> {
    let path = match (cli.rules.first(), &cli.base) {
        (Some(rules), _) => rules.clone(),
        (None, Some(base)) => base.join(RULE_FILE_NAME),
        (None, None) => PathBuf::from(RULE_FILE_NAME),
    };
    let shown = path.display();
    if std::fs::symlink_metadata(&path).is_ok() {
        return Err(format!("{shown} already exists; not overwritten"));
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| format!("cannot create {shown}: {e}"))?;
    file.write_all(crate::rules::starter().as_bytes())
        .map_err(|e| format!("cannot write {shown}: {e}"))?;
    let check = if cli.rules.is_empty() {
        String::new()
    } else {
        format!(" --rules {shown}")
    };
    eprintln!(
        "wrote {shown}: edit it, then run `driftfix rules check{check}` and `driftfix scan{check}`"
    );
    Ok(OK)
}
