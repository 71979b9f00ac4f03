//! `--since REF` (SPEC §11): the files that differ from a git revision, so
//! a CI job on a large repository reads only what a change touched.
//!
//! Asks the `git` binary (a subprocess: git's own rules for ignores,
//! renames, sparse checkouts and index state, not a reimplementation):
//!
//! 1. `git rev-parse --show-toplevel` in the base directory: not a work
//!    tree (or no git) is an error;
//! 2. `git rev-parse --verify --quiet REF^{commit}`: an unknown REF is an
//!    error;
//! 3. `git diff --name-only -z --no-renames COMMIT --`: tracked files that
//!    differ between that commit and the work tree — committed since,
//!    staged and unstaged alike (a rename is its new path; a deleted file
//!    is gone and so not scanned);
//! 4. `git ls-files --others --exclude-standard -z`: untracked files that
//!    are not ignored.
//!
//! git names paths relative to the work-tree root; they are turned into
//! paths relative to the base directory, which may be a subdirectory (files
//! outside it are out of scope).

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::fs::paths::relative_to;

/// Why `--since` cannot tell which files changed (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum SinceError {
    #[error("--since needs git: cannot run `git`: {0}")]
    NoGit(std::io::Error),
    #[error("--since: {} is not in a git work tree", .0.display())]
    NotARepo(PathBuf),
    #[error("--since: unknown revision `{0}` (not a commit in this repository)")]
    UnknownRef(String),
    #[error("--since: `git {args}` failed: {message}")]
    Git { args: String, message: String },
}

/// The files under `base` that differ from `rev`, relative to `base` with
/// `/` separators.
pub fn changed_files(base: &Path, rev: &str) -> Result<BTreeSet<String>, SinceError> {
    let top = git(base, &["rev-parse", "--show-toplevel"]).map_err(|e| match e {
        SinceError::Git { .. } => SinceError::NotARepo(base.to_path_buf()),
        other => other,
    })?;
    let top = PathBuf::from(String::from_utf8_lossy(&top).trim_end_matches(['\n', '\r']));
    if rev.starts_with('-') || rev.is_empty() {
        return Err(SinceError::UnknownRef(rev.to_string()));
    }
    let commit = git(
        &top,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .map_err(|e| match e {
        SinceError::Git { .. } => SinceError::UnknownRef(rev.to_string()),
        other => other,
    })?;
    let commit = String::from_utf8_lossy(&commit).trim().to_string();
    let diff = git(
        &top,
        &[
            "-c",
            "diff.relative=false",
            "diff",
            "--name-only",
            "-z",
            "--no-renames",
            "--no-ext-diff",
            &commit,
            "--",
        ],
    )?;
    let untracked = git(&top, &["ls-files", "--others", "--exclude-standard", "-z"])?;
    let real_top = std::fs::canonicalize(&top).unwrap_or(top);
    let real_base = std::fs::canonicalize(base).unwrap_or_else(|_| base.to_path_buf());
    Ok(diff
        .split(|&b| b == 0)
        .chain(untracked.split(|&b| b == 0))
        .filter(|p| !p.is_empty())
        .filter_map(|p| {
            let path = real_top.join(os_str(p));
            relative_to(&real_base, &path)
        })
        .collect())
}

fn os_str(bytes: &[u8]) -> &OsStr {
    use std::os::unix::ffi::OsStrExt as _;
    OsStr::from_bytes(bytes)
}

/// Runs `git ARGS` in `dir` and returns its stdout; a non-zero exit is
/// [`SinceError::Git`] with git's message.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, SinceError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(SinceError::NoGit)?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(SinceError::Git {
            args: args.join(" "),
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}
