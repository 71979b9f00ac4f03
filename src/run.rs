//! One run over a tree: walk, then read and plan every target in parallel.
//! The result is sorted by path, so every output is deterministic.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::matcher::Matcher;
use crate::plan::{Context, FileError, FilePlan, PlanOptions, plan_with};
use crate::rules::RuleSet;
use crate::walk::{Target, walk};

/// What a run needs to know.
pub struct RunInput<'a> {
    pub base: &'a Path,
    pub roots: &'a [PathBuf],
    pub rules: &'a RuleSet,
    pub options: PlanOptions,
    pub max_file_size: u64,
}

/// One target and what planning made of it.
#[derive(Debug)]
pub struct Outcome {
    pub target: Target,
    pub result: Result<FilePlan, FileError>,
}

/// Everything a run found.
#[derive(Debug)]
pub struct Run {
    /// Sorted by path.
    pub outcomes: Vec<Outcome>,
    /// Warnings from the walk (skipped entries).
    pub warnings: Vec<String>,
    /// Errors outside any one file (a missing root): `(path, message)`.
    pub errors: Vec<(String, String)>,
    pub elapsed: Duration,
}

impl Run {
    /// Files that were read and planned (skipped files excluded).
    pub fn plans(&self) -> impl Iterator<Item = &FilePlan> {
        self.outcomes.iter().filter_map(|o| o.result.as_ref().ok())
    }

    /// Every finding of the run, sorted by path, line, column.
    pub fn findings(&self) -> impl Iterator<Item = &crate::plan::Finding> {
        self.plans().flat_map(|p| p.findings.iter())
    }

    /// Every error of the run as `(path, message)`, sorted by path: files
    /// that could not be read, parsed or verified, and missing roots.
    pub fn error_list(&self) -> Vec<(String, String)> {
        let mut errs: Vec<(String, String)> = self.errors.clone();
        errs.extend(self.outcomes.iter().filter_map(|o| match &o.result {
            Err(e) if !e.skip => Some((o.target.rel_path.clone(), e.to_string())),
            _ => None,
        }));
        errs.sort();
        errs
    }

    /// Files skipped with a warning (binary, not UTF-8, too large).
    pub fn skipped(&self) -> impl Iterator<Item = (&str, &FileError)> {
        self.outcomes.iter().filter_map(|o| match &o.result {
            Err(e) if e.skip => Some((o.target.rel_path.as_str(), e)),
            _ => None,
        })
    }

    pub fn files_scanned(&self) -> usize {
        self.plans().count()
    }
}

/// Walks and plans.
pub fn run(input: &RunInput) -> Run {
    let start = Instant::now();
    let walked = walk(input.base, input.roots, input.rules);
    let matcher = Matcher::new(input.rules);
    let ctx = Context {
        rules: input.rules,
        matcher: &matcher,
        options: input.options,
    };
    let outcomes: Vec<Outcome> = walked
        .targets
        .into_par_iter()
        .map(|target| {
            let result = read_target(&target, input.max_file_size).and_then(|bytes| {
                plan_with(
                    &ctx,
                    &target.rel_path,
                    target.file_type,
                    target.role,
                    &bytes,
                )
            });
            Outcome { target, result }
        })
        .collect();
    Run {
        outcomes,
        warnings: walked.warnings,
        errors: walked.errors,
        elapsed: start.elapsed(),
    }
}

/// Reads a target's bytes, refusing files over the size limit before reading.
pub fn read_target(target: &Target, max_size: u64) -> Result<Vec<u8>, FileError> {
    let meta = std::fs::metadata(&target.abs_path)
        .map_err(|e| FileError::error(format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return Err(FileError::skip("not a regular file"));
    }
    if meta.len() > max_size {
        return Err(FileError::skip(format!(
            "larger than --max-file-size ({} bytes > {max_size})",
            meta.len()
        )));
    }
    std::fs::read(&target.abs_path).map_err(|e| FileError::error(format!("cannot read: {e}")))
}
