//! Roots → the target files of a run, each with its role and file type.
//!
//! Uses the `ignore` crate's parallel walker: `.gitignore` (also outside a git
//! repository), `.ignore` and the global git excludes are honoured, `.git` is
//! skipped, hidden files are *not* skipped (inventories such as
//! `.gitlab-ci.yml` matter). Symlinks are not followed while walking; a
//! symlinked *file* is a target (read through the link), a symlinked
//! directory is not descended into. Directories, FIFOs, sockets and devices
//! are never opened.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::{WalkBuilder, WalkState};

use crate::formats::FileType;
use crate::fs::paths::{absolute, relative_to};
use crate::plan::SkipReason;
use crate::rules::{Role, RuleSet, TypeMap, TypeSource};
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

/// A file the walk saw and did not scan (SPEC §8: nothing silently
/// dropped): listed in reports and warned about on stderr.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub path: String,
    pub reason: SkipReason,
    /// What to tell the user (`not a regular file (FIFO, …)`).
    pub message: String,
}

/// What a walk found, plus what it had to say about the rest.
#[derive(Debug, Default)]
pub struct WalkResult {
    /// Sorted by `rel_path`.
    pub targets: Vec<Target>,
    /// Files seen and not scanned, sorted by path.
    pub skipped: Vec<Skipped>,
    /// Other things the user should know about (stderr).
    pub warnings: Vec<Warning>,
    /// Problems that make the run fail (exit 2): a missing root, say.
    pub errors: Vec<(String, String)>,
    /// Indexes of the `exclude` patterns that matched something.
    pub excluded_by: BTreeSet<usize>,
}

/// Walks `roots` (absolute, or relative to the current directory) and returns
/// the targets under `base`. `own_files` (the run's `--output`, its
/// baseline) are never targets, like the rule files.
pub fn walk(base: &Path, roots: &[PathBuf], rules: &RuleSet, own_files: &[PathBuf]) -> WalkResult {
    let base = absolute(base);
    let real_base = std::fs::canonicalize(&base).unwrap_or_else(|_| base.clone());
    let mut never = rules.real_sources();
    never.extend(
        own_files
            .iter()
            .filter_map(|p| std::fs::canonicalize(p).ok()),
    );
    let mut result = WalkResult::default();
    let found = Mutex::new(Vec::new());
    let notes = Mutex::new(Vec::new());
    let skipped = Mutex::new(Vec::new());
    let excluded_by = Arc::new(Mutex::new(BTreeSet::new()));
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
        let rel_root = relative_to(&base, &root).unwrap_or_default();
        if !rel_root.is_empty() {
            let excluded = if explicit_file {
                rules.paths.exclude.first_match(&rel_root)
            } else {
                rules.paths.exclude.first_dir_match(&rel_root)
            };
            if let Some(i) = excluded {
                let glob = rules.paths.exclude.pattern(i).unwrap_or_default();
                push(
                    &skipped,
                    Skipped {
                        path: rel_root.clone(),
                        reason: SkipReason::Excluded,
                        message: format!("excluded by the exclude glob `{glob}`"),
                    },
                );
                if let Ok(mut hits) = excluded_by.lock() {
                    hits.insert(i);
                }
                continue;
            }
        }
        if explicit_file && rules.type_of(&rel_root).is_none() {
            result.errors.push((
                given,
                format!(
                    "has no file type: add a [types] line such as {}",
                    TypeMap::suggestion(&rel_root)
                ),
            ));
            continue;
        }
        let ctx = Ctx {
            base: &base,
            real_base: &real_base,
            rules,
            never: &never,
            explicit_file,
            skipped: &skipped,
            excluded_by: &excluded_by,
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
    let mut skipped = skipped.into_inner().unwrap_or_default();
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    skipped.dedup_by(|a, b| a.path == b.path);
    result.skipped = skipped;
    result.excluded_by = excluded_by.lock().map(|h| h.clone()).unwrap_or_default();
    result
}

struct Ctx<'a> {
    base: &'a Path,
    /// The base with symlinks resolved, to place what a symlink leads to.
    real_base: &'a Path,
    rules: &'a RuleSet,
    /// Files that are never targets (rule files, `--output`, baseline),
    /// resolved.
    never: &'a [PathBuf],
    explicit_file: bool,
    skipped: &'a Mutex<Vec<Skipped>>,
    excluded_by: &'a Arc<Mutex<BTreeSet<usize>>>,
}

fn walk_root(root: &Path, ctx: &Ctx, found: &Mutex<Vec<Target>>, notes: &Mutex<Vec<Warning>>) {
    // Excluded files and directories are never read, nor listed (SPEC §8);
    // which `exclude` globs matched is kept for the "matches nothing"
    // warnings.
    let exclude = Arc::new(ctx.rules.paths.exclude.clone());
    let hits = Arc::clone(ctx.excluded_by);
    let base = ctx.base.to_path_buf();
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(true)
        .require_git(false)
        .follow_links(false)
        .filter_entry(move |e| {
            if e.file_name() == ".git" {
                return false;
            }
            if e.depth() == 0 || exclude.is_empty() {
                return true;
            }
            let Some(rel) = relative_to(&base, e.path()) else {
                return true;
            };
            let matched = if e.file_type().is_some_and(|t| t.is_dir()) {
                exclude.first_dir_match(&rel)
            } else {
                exclude.first_match(&rel)
            };
            match matched {
                Some(i) => {
                    if let Ok(mut h) = hits.lock() {
                        h.insert(i);
                    }
                    false
                }
                None => true,
            }
        })
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
                    if let Some(t) = classify(entry.path(), kind, ctx) {
                        push(found, t);
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

/// Decides what one walked path is: a target, a skipped file, or nothing.
/// `file_type` is what the directory listing said (no `stat`); only when it
/// is missing or not a plain file is the path looked at again.
fn classify(path: &Path, file_type: Option<std::fs::FileType>, ctx: &Ctx) -> Option<Target> {
    let rel = relative_to(ctx.base, path)?;
    let rules = ctx.rules;
    let included = ctx.explicit_file || rules.paths.include.is_match(&rel);
    let format = match rules.type_of(&rel) {
        Some((t, TypeSource::Rules(_))) => t,
        Some((t, TypeSource::BuiltIn)) if included => t,
        Some(_) => return None,
        None => {
            // Included but of no known type: never dropped silently.
            if included && file_type.is_none_or(|t| !t.is_dir()) {
                skip(
                    ctx,
                    &rel,
                    SkipReason::NoType,
                    format!(
                        "included but has no file type; add a [types] line such as {}",
                        TypeMap::suggestion(&rel)
                    ),
                );
            }
            return None;
        }
    };
    let mut role = rules.role_of(&rel);
    let mut link = None;
    if !file_type.is_some_and(|t| t.is_file()) {
        if let Err(skipped) = regular_file_behind(path) {
            if let Some((reason, message)) = skipped {
                skip(ctx, &rel, reason, message);
            }
            return None;
        }
        // A symlink (or an unknown entry type) leading to a regular file.
        if let Ok(real) = std::fs::canonicalize(path) {
            if ctx.never.contains(&real) {
                return None;
            }
            let to = match relative_to(ctx.real_base, &real) {
                Some(r) => LinkTo::Inside(r),
                None => LinkTo::Outside(real),
            };
            if let LinkTo::Inside(real_rel) = &to {
                if rules.paths.exclude.is_match(real_rel) {
                    skip(
                        ctx,
                        &rel,
                        SkipReason::Excluded,
                        format!("symlink to the excluded file {real_rel}"),
                    );
                    return None;
                }
                // A link is as writable as the less writable of its own
                // path and the file it leads to.
                if role.writable() {
                    role = rules.role_of(real_rel);
                }
            }
            link = Some(to);
        }
    } else if is_never(path, ctx.never) {
        return None;
    }
    Some(Target {
        role,
        rel_path: rel,
        abs_path: path.to_path_buf(),
        file_type: format,
        link,
    })
}

fn skip(ctx: &Ctx, rel: &str, reason: SkipReason, message: String) {
    push(
        ctx.skipped,
        Skipped {
            path: rel.to_string(),
            reason,
            message,
        },
    );
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
/// a (link to a) regular file after all, else `Err` with the reason to skip
/// it, if any (a directory is passed over silently).
fn regular_file_behind(path: &Path) -> Result<(), Option<(SkipReason, String)>> {
    let link = std::fs::symlink_metadata(path).map_err(|_| None)?;
    let meta = if link.file_type().is_symlink() {
        match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                return Err(Some((
                    SkipReason::BrokenLink,
                    format!("symlink cannot be followed (dangling or a loop): {e}"),
                )));
            }
        }
    } else {
        link
    };
    if meta.is_dir() {
        return Err(None);
    }
    if !meta.is_file() {
        return Err(Some((
            SkipReason::NotRegular,
            "not a regular file (FIFO, socket or device)".into(),
        )));
    }
    Ok(())
}

/// Whether a plain file is one that is never a target (a rule file,
/// `--output`, the baseline). Names are compared first: resolving every
/// walked file would cost a `realpath` each.
fn is_never(path: &Path, never: &[PathBuf]) -> bool {
    let same_name = never.iter().any(|r| r.file_name() == path.file_name());
    same_name
        && std::fs::canonicalize(path)
            .map(|c| never.contains(&c))
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
