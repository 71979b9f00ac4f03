//! `driftfix discover` (SPEC §12): the rule file from the source of truth.
//!
//! The example alignment report's author knew only that the spine is right;
//! they found that `pve-shop` and `proxmox-shop` mean `pve` because the same
//! VMs and the same Tailscale IP appear under both names. This module does
//! that from the files alone, with the walker, roles, field rules and
//! format engines of `scan`, in one pass over the tree:
//!
//! ```text
//! walk ─► authority files ─► values ─► records ─► authority (canonical names,
//!                                                  identifying values)
//!      ─► other files     ─► values ─► records ─► evidence ─► propose ─► render
//!                                                                toml | markdown | json
//! ```
//!
//! - [`values`]: a file's scalars (numbers too, via
//!   [`crate::formats::Format::scan_values`]) and which are labels;
//! - [`records`]: the mappings of a file, with fields and labels;
//! - [`authority`]: canonical names, and the values that single out one
//!   authority record;
//! - [`evidence`]: record links and shared context for each unknown label;
//! - [`propose`]: the proposal rule, name likeness, the result model;
//! - [`render`]: the draft rule file, the markdown cross-reference, JSON;
//! - [`output`]: where the output may go (`--output`, `--force`); the
//!   command itself is in [`crate::app`], like every command.
//!
//! Files are read once each. Authority files are read first (their names
//! decide what is a candidate elsewhere); the others follow in chunks, so
//! memory holds one chunk's records, never the tree's.

pub mod authority;
pub mod evidence;
pub mod output;
pub mod propose;
pub mod records;
pub mod render;
pub mod values;

#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::path::PathBuf;

use rayon::prelude::*;

pub use propose::Discovery;

use crate::formats::FileType;
use crate::fs::{BaseDir, FileId};
use crate::plan::{FileError, SkipReason};
use crate::rules::{Role, RuleSet};
use crate::walk::{Skipped, Target, walk};
use crate::warning::Warning;

/// What a discovery needs.
pub struct Input<'a> {
    /// The base directory, held open: every file is read through it.
    pub base: &'a BaseDir,
    pub roots: &'a [PathBuf],
    pub rules: &'a RuleSet,
    pub max_file_size: u64,
    /// Files of driftfix's own that are never read (the `--output`), by
    /// device and inode.
    pub own_files: &'a [FileId],
}

/// A file that could not be read or parsed, or a missing root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: {}", self.path, self.message),
            _ => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// A discovery and what the run had to say about the tree.
#[derive(Debug, Default)]
pub struct Outcome {
    pub discovery: Discovery,
    /// Files that could not be read or parsed, and missing roots (exit 2).
    pub errors: Vec<Problem>,
    /// Files not read on purpose (SPEC §8: every one is listed), by path.
    pub skipped: Vec<Skipped>,
    /// For stderr: the walk's warnings.
    pub warnings: Vec<Warning>,
}

/// One file given directly (tests, and callers that hold the text).
pub struct TextFile {
    pub rel_path: String,
    pub role: Role,
    pub file_type: FileType,
    pub text: String,
}

/// Files outside the authority read at a time: bounds memory to a chunk's
/// records while keeping every core busy.
const CHUNK: usize = 512;

/// Walks the tree and discovers.
pub fn run(input: &Input) -> Outcome {
    let never: Vec<FileId> = input
        .rules
        .source_ids
        .iter()
        .chain(input.own_files)
        .copied()
        .collect();
    let mut walked = walk(input.base, input.roots, input.rules, &never);
    // ROOTS narrow where candidates are sought, not the source of truth:
    // the authority files under the base are read all the same (SPEC §12:
    // canonical names are the authority's).
    if !input.roots.is_empty() {
        let seen: HashSet<String> = walked.targets.iter().map(|t| t.open_path.clone()).collect();
        let whole = walk(input.base, &[], input.rules, &never);
        walked.targets.extend(
            whole
                .targets
                .into_iter()
                .filter(|t| t.role == Role::Authority && !seen.contains(&t.open_path)),
        );
        walked.targets.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    }
    // A rule file or the `--output` reached by its own name (or through a
    // hard link or bind mount) is not read: told by device and inode.
    walked.targets.retain(|t| {
        !input
            .base
            .locate(&t.open_path)
            .is_ok_and(|l| never.contains(&l.id))
    });
    let mut outcome = Outcome {
        warnings: walked.warnings,
        skipped: walked.skipped,
        errors: walked
            .errors
            .into_iter()
            .map(|(path, message)| Problem {
                path,
                line: None,
                column: None,
                message,
            })
            .collect(),
        ..Outcome::default()
    };
    let (authority, others): (Vec<Target>, Vec<Target>) = walked
        .targets
        .into_iter()
        .partition(|t| t.role == Role::Authority);
    let open = |t: &&Target| -> Opened {
        let (_, read) = crate::run::read_target(input.base, t, input.max_file_size);
        let bytes = read.and_then(|bytes| {
            if crate::run::is_driftfix_output(t.file_type, &bytes) {
                Err(FileError::skipped(
                    SkipReason::DriftfixOutput,
                    "driftfix's own output (top-level \"schema\" starts with `driftfix`)",
                ))
            } else {
                Ok(bytes)
            }
        });
        (t.rel_path.clone(), t.file_type, bytes)
    };
    let discovery = discover(
        input.rules,
        authority.iter().map(|t| (t, t.role)),
        others.iter().map(|t| (t, t.role)),
        &open,
        &mut outcome,
    );
    outcome.discovery = discovery;
    outcome.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    outcome
}

/// Discovers from files given with their text (roles and types decided by
/// the caller), without touching the disk.
pub fn discover_texts(rules: &RuleSet, files: Vec<TextFile>) -> Outcome {
    let mut outcome = Outcome::default();
    let (authority, others): (Vec<&TextFile>, Vec<&TextFile>) =
        files.iter().partition(|f| f.role == Role::Authority);
    let open = |f: &&TextFile| -> Opened {
        (
            f.rel_path.clone(),
            f.file_type,
            Ok(f.text.as_bytes().to_vec()),
        )
    };
    let discovery = discover(
        rules,
        authority.into_iter().map(|f| (f, f.role)),
        others.into_iter().map(|f| (f, f.role)),
        &open,
        &mut outcome,
    );
    outcome.discovery = discovery;
    outcome
}

/// How a file is opened: its path, type and bytes.
type Opened = (String, FileType, Result<Vec<u8>, FileError>);

/// The pipeline over any kind of file handle `F`.
fn discover<F: Sync>(
    rules: &RuleSet,
    authority: impl Iterator<Item = (F, Role)>,
    others: impl Iterator<Item = (F, Role)>,
    open: &(dyn Fn(&F) -> Opened + Sync),
    outcome: &mut Outcome,
) -> Discovery {
    let authority: Vec<(F, Role)> = authority.collect();
    let others: Vec<(F, Role)> = others.collect();
    // Authority files: names and identifying values.
    let parsed: Vec<(String, Result<Option<records::FileRecords>, Failure>)> = authority
        .par_iter()
        .map(|(f, _)| {
            let (path, file_type, bytes) = open(f);
            let records = parse(rules, &path, file_type, bytes);
            (path, records)
        })
        .collect();
    let mut auth = authority::Authority::from_rules(rules);
    let mut files = Vec::new();
    let mut mentions = Vec::new();
    let mut read = 0;
    for (path, result) in parsed {
        match result {
            Ok(Some(mut fr)) => {
                read += 1;
                mentions.push((path.clone(), std::mem::take(&mut fr.mentions)));
                files.push((path, fr));
            }
            Ok(None) => {}
            Err(failure) => note(outcome, path, failure),
        }
    }
    auth.add_files(files);
    let mut merger = propose::Merger::new(auth);
    for _ in 0..read {
        merger.count_file();
    }
    for (path, m) in mentions {
        merger.add_mentions(&path, Role::Authority, m);
    }
    // Everything else, a chunk at a time.
    for chunk in others.chunks(CHUNK) {
        let auth = merger.authority();
        type Found = (
            String,
            Role,
            Result<Option<evidence::FileEvidence>, Failure>,
        );
        let found: Vec<Found> = chunk
            .par_iter()
            .map(|(f, role)| {
                let (path, file_type, bytes) = open(f);
                let ev = parse(rules, &path, file_type, bytes)
                    .map(|fr| fr.map(|fr| evidence::file(auth, &path, fr)));
                (path, *role, ev)
            })
            .collect();
        for (path, role, result) in found {
            match result {
                Ok(Some(ev)) => {
                    merger.count_file();
                    merger.add(&path, role, ev);
                }
                Ok(None) => {}
                Err(failure) => note(outcome, path, failure),
            }
        }
    }
    merger.finish(rules)
}

/// Why a file gave nothing.
enum Failure {
    /// Not read on purpose (binary, not UTF-8, too large, driftfix's own).
    Skipped(SkipReason, String),
    Error(Problem),
}

/// Records a failure as an error or, for a skip, in the skipped list.
fn note(outcome: &mut Outcome, path: String, failure: Failure) {
    match failure {
        Failure::Skipped(reason, message) => outcome.skipped.push(Skipped {
            path,
            reason,
            message,
        }),
        Failure::Error(p) => outcome.errors.push(p),
    }
}

/// Reads one file's records; `Ok(None)` when no field rule applies.
fn parse(
    rules: &RuleSet,
    path: &str,
    file_type: FileType,
    bytes: Result<Vec<u8>, FileError>,
) -> Result<Option<records::FileRecords>, Failure> {
    let failed = |e: FileError| match e.skip_reason() {
        Some(reason) => Failure::Skipped(reason, e.message),
        None => Failure::Error(Problem {
            path: path.to_string(),
            line: e.line,
            column: e.column,
            message: e.message,
        }),
    };
    let bytes = bytes.map_err(failed)?;
    let text = crate::plan::decode(&bytes).map_err(failed)?;
    let read = values::read(rules, path, file_type, text).map_err(|e| {
        Failure::Error(Problem {
            path: path.to_string(),
            line: Some(e.line),
            column: Some(e.column),
            message: format!("{} parse error: {}", file_type.name(), e.message),
        })
    })?;
    Ok(read.map(records::build))
}
