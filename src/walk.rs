//! Roots → the target files of a run, each with its role and file type.
//!
//! Uses the `ignore` crate's parallel walker: `.gitignore` (also outside a git
//! repository), `.ignore` and the global git excludes are honoured, `.git` is
//! skipped, hidden files are *not* skipped (inventories such as
//! `.gitlab-ci.yml` matter). Symlinks are not followed while walking; a
//! symlinked *file* is a target (read through the link), a symlinked
//! directory is not descended into. Directories, FIFOs, sockets and devices
//! are never opened.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

use crate::formats::FileType;
use crate::fs::paths::{absolute, relative_to};
use crate::rules::{Role, RuleSet};
use crate::warning::Warning;

/// A file to scan.
#[derive(Clone, Debug)]
pub struct Target {
    /// Path relative to the base directory, with `/` separators.
    pub rel_path: String,
    /// The path to open (may be a symlink).
    pub abs_path: PathBuf,
    pub file_type: FileType,
    pub role: Role,
    /// For a symlinked file: where the file it leads to is.
    pub link: Option<LinkTo>,
}

/// The file a symlinked target leads to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkTo {
    /// Under the base directory, at this relative path: the writer writes
    /// it there, so patches name it.
    Inside(String),
    /// Outside the base directory: read through the link, never written.
    Outside(PathBuf),
}

impl Target {
    /// The path a patch names for this file: the file a symlink leads to
    /// (`git apply` and `patch` refuse to patch through a link), else the
    /// target's own path.
    pub fn patch_path(&self) -> &str {
        match &self.link {
            Some(LinkTo::Inside(real)) => real,
            _ => &self.rel_path,
        }
    }
}

/// What a walk found, plus what it had to say about the rest.
#[derive(Debug, Default)]
pub struct WalkResult {
    /// Sorted by `rel_path`.
    pub targets: Vec<Target>,
    /// Things skipped that the user should know about (stderr).
    pub warnings: Vec<Warning>,
    /// Problems that make the run fail (exit 2): a missing root, say.
    pub errors: Vec<(String, String)>,
}

/// Walks `roots` (absolute, or relative to the current directory) and returns
/// the targets under `base`.
pub fn walk(base: &Path, roots: &[PathBuf], rules: &RuleSet) -> WalkResult {
    let base = absolute(base);
    let real_base = std::fs::canonicalize(&base).unwrap_or_else(|_| base.clone());
    let rule_files = rules.real_sources();
    let mut result = WalkResult::default();
    let found = Mutex::new(Vec::new());
    let notes = Mutex::new(Vec::new());
    // Each root to walk, with the name the user gave it (for messages).
    let roots: Vec<(PathBuf, String)> = if roots.is_empty() {
        vec![(base.clone(), base.display().to_string())]
    } else {
        roots
            .iter()
            .map(|r| (resolve_root(&base, r), r.display().to_string()))
            .collect()
    };
    for (root, given) in roots {
        if std::fs::symlink_metadata(&root).is_err() {
            result.errors.push((given, "root does not exist".into()));
            continue;
        }
        // Under the base by name, or by what the names lead to (a base
        // given through a symlink).
        let root = match relative_to(&base, &root) {
            Some(_) => root,
            None => match real_relative(&real_base, &root) {
                Some(rel) => base.join(rel),
                None => {
                    result.errors.push((
                        given,
                        format!("root is outside the base directory {}", base.display()),
                    ));
                    continue;
                }
            },
        };
        let explicit_file = root.is_file();
        if explicit_file && FileType::from_path(&root).is_none() {
            push(
                &notes,
                Warning::new(format!(
                    "{given}: skipped: not a {} file",
                    FileType::extensions_list()
                )),
            );
            continue;
        }
        let ctx = Ctx {
            base: &base,
            real_base: &real_base,
            rules,
            rule_files: &rule_files,
            explicit_file,
        };
        walk_root(&root, &ctx, &found, &notes);
    }
    let mut targets = found.into_inner().unwrap_or_default();
    targets.sort_by(|a: &Target, b| a.rel_path.cmp(&b.rel_path));
    targets.dedup_by(|a, b| a.rel_path == b.rel_path);
    result.targets = drop_links_to_targets(targets);
    let mut warnings = notes.into_inner().unwrap_or_default();
    warnings.sort();
    warnings.dedup();
    result.warnings = warnings;
    result
}

struct Ctx<'a> {
    base: &'a Path,
    /// The base with symlinks resolved, to place what a symlink leads to.
    real_base: &'a Path,
    rules: &'a RuleSet,
    rule_files: &'a [PathBuf],
    explicit_file: bool,
}

fn walk_root(root: &Path, ctx: &Ctx, found: &Mutex<Vec<Target>>, notes: &Mutex<Vec<Warning>>) {
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(true)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build_parallel();
    walker.run(|| {
        Box::new(|entry| {
            match entry {
                Ok(entry) => {
                    // A root is listed with the kind of what it leads to:
                    // look at the root itself.
                    let link = entry.path_is_symlink()
                        || (entry.depth() == 0
                            && std::fs::symlink_metadata(entry.path())
                                .is_ok_and(|m| m.file_type().is_symlink()));
                    let kind = entry.file_type().filter(|_| !link);
                    if let Some(outcome) = classify(entry.path(), kind, ctx) {
                        match outcome {
                            Ok(t) => push(found, t),
                            Err(w) => push(notes, w),
                        }
                    }
                }
                Err(e) => push(notes, Warning::new(e.to_string())),
            }
            WalkState::Continue
        })
    });
}

fn push<T>(list: &Mutex<Vec<T>>, item: T) {
    if let Ok(mut l) = list.lock() {
        l.push(item);
    }
}

/// Decides what one walked path is: a target, a warning, or nothing.
/// `file_type` is what the directory listing said (no `stat`); only when it
/// is missing or not a plain file is the path looked at again.
fn classify(
    path: &Path,
    file_type: Option<std::fs::FileType>,
    ctx: &Ctx,
) -> Option<Result<Target, Warning>> {
    let format = FileType::from_path(path)?;
    let rel = relative_to(ctx.base, path)?;
    let rules = ctx.rules;
    if !ctx.explicit_file && !rules.paths.include.is_match(&rel) {
        return None;
    }
    if rules.paths.exclude.is_match(&rel) {
        return None;
    }
    let mut role = rules.role_of(&rel);
    let mut link = None;
    if !file_type.is_some_and(|t| t.is_file()) {
        if let Err(skip) = regular_file_behind(path, &rel) {
            return skip.map(Err);
        }
        // A symlink (or an unknown entry type) leading to a regular file.
        if let Ok(real) = std::fs::canonicalize(path) {
            if ctx.rule_files.contains(&real) {
                return None;
            }
            let to = match relative_to(ctx.real_base, &real) {
                Some(r) => LinkTo::Inside(r),
                None => LinkTo::Outside(real),
            };
            if let LinkTo::Inside(real_rel) = &to {
                if rules.paths.exclude.is_match(real_rel) {
                    return Some(Err(Warning::new(format!(
                        "{rel}: skipped: symlink to the excluded file {real_rel}"
                    ))));
                }
                // A link is as writable as the less writable of its own
                // path and the file it leads to.
                if role.writable() {
                    role = rules.role_of(real_rel);
                }
            }
            link = Some(to);
        }
    } else if is_rule_file(path, ctx.rule_files) {
        return None;
    }
    Some(Ok(Target {
        role,
        rel_path: rel,
        abs_path: path.to_path_buf(),
        file_type: format,
        link,
    }))
}

/// Drops symlinks to files that are targets themselves, and all but the
/// first of several links to one file: each file is scanned, reported and
/// written once (under its own path when it is a target).
fn drop_links_to_targets(targets: Vec<Target>) -> Vec<Target> {
    let mut seen: std::collections::HashSet<String> = targets
        .iter()
        .filter(|t| t.link.is_none())
        .map(|t| t.rel_path.clone())
        .collect();
    targets
        .into_iter()
        .filter(|t| match &t.link {
            Some(LinkTo::Inside(real)) => seen.insert(real.clone()),
            _ => true,
        })
        .collect()
}

/// `path` relative to `real_base` once both are resolved, when under it.
fn real_relative(real_base: &Path, path: &Path) -> Option<String> {
    relative_to(real_base, &std::fs::canonicalize(path).ok()?)
}

/// For a path that the listing did not show as a plain file: `Ok` when it is
/// a (link to a) regular file after all, else `Err` with the warning to give,
/// if any (a directory is passed over silently).
fn regular_file_behind(path: &Path, rel: &str) -> Result<(), Option<Warning>> {
    let link = std::fs::symlink_metadata(path).map_err(|_| None)?;
    let meta = if link.file_type().is_symlink() {
        match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                return Err(Some(Warning::new(format!(
                    "{rel}: skipped: symlink cannot be followed (dangling or a loop): {e}"
                ))));
            }
        }
    } else {
        link
    };
    if meta.is_dir() {
        return Err(None);
    }
    if !meta.is_file() {
        return Err(Some(Warning::new(format!(
            "{rel}: skipped: not a regular file (FIFO, socket or device)"
        ))));
    }
    Ok(())
}

fn is_rule_file(path: &Path, rule_files: &[PathBuf]) -> bool {
    let same_name = rule_files.iter().any(|r| r.file_name() == path.file_name());
    same_name
        && std::fs::canonicalize(path)
            .map(|c| rule_files.contains(&c))
            .unwrap_or(false)
}

/// A root as given: absolute, or relative to the current directory; when
/// it does not exist there but does under the base directory, the latter
/// (so `--base tree workbench` means `tree/workbench` from anywhere).
fn resolve_root(base: &Path, root: &Path) -> PathBuf {
    let from_cwd = absolute(root);
    if root.is_absolute() || std::fs::symlink_metadata(&from_cwd).is_ok() {
        return from_cwd;
    }
    let from_base = absolute(&base.join(root));
    if std::fs::symlink_metadata(&from_base).is_ok() {
        from_base
    } else {
        from_cwd
    }
}
