//! Roots → the target files of a run, each with its role and file type.
//!
//! Uses the `ignore` crate's parallel walker: `.gitignore` (also outside a git
//! repository), `.ignore` and the global git excludes are honoured, `.git` is
//! skipped, hidden files are *not* skipped (inventories such as
//! `.gitlab-ci.yml` matter). Symlinks are not followed while walking; a
//! symlinked *file* is a target (read through the link), a symlinked
//! directory is not descended into. Directories, FIFOs, sockets and devices
//! are never opened.
//!
//! Where a ROOT or a symlinked file really is, is asked of the kernel
//! through the base directory's handle ([`BaseDir::place_of`],
//! [`BaseDir::locate`]), never computed from path strings (SPEC §14): a
//! ROOT reached through a symlinked directory (`alias/` → `.`) is walked
//! at its real path, so every file under it gets the role, type and
//! excludes of its real path; it keeps the name the user gave
//! (`alias/spine/a.yaml`), and patches and writes name the real file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::{WalkBuilder, WalkState};

use crate::formats::FileType;
use crate::fs::paths::{absolute, relative_to};
use crate::fs::{BaseDir, FileId, FileKind, FsError, Place};
use crate::plan::SkipReason;
use crate::rules::{Role, RuleSet, TypeMap, TypeSource};
use crate::warning::Warning;

/// A file to scan.
#[derive(Clone, Debug)]
pub struct Target {
    /// Path relative to the base directory, with `/` separators, as the
    /// walk reached it: under a ROOT given through a symlinked directory,
    /// with the name the user gave (`alias/spine/a.yaml`).
    pub rel_path: String,
    /// The path beneath the base directory with no symlinked directory on
    /// the way (its last component may be a symlinked file): what the file
    /// is read and written through. `rel_path` itself unless the ROOT was
    /// reached through a symlinked directory.
    pub open_path: String,
    pub file_type: FileType,
    pub role: Role,
    /// For a symlinked file, or a file under a ROOT reached through a
    /// symlinked directory: where the file really is.
    pub link: Option<LinkTo>,
}

/// The file a symlinked target leads to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkTo {
    /// Under the base directory, at this relative path (no symlink on the
    /// way): its role is this path's, the writer writes it there, and
    /// patches name it.
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

/// [`walk`], handing each target that is no link to `take` on the walker
/// thread that found it, while the file's directory entry is fresh and
/// the other threads go on walking (issue 19: the walk and the reading of
/// files were two phases, each one with its own start and end). Only with
/// one root: several roots may list one file twice, and the first of them
/// is kept, which is known only at the end. Returns what `take` made of
/// the targets it took (`None`: nothing to show), in no particular order,
/// and the relative path of every target taken.
pub fn walk_with<T: Send>(
    base: &BaseDir,
    roots: &[PathBuf],
    rules: &RuleSet,
    never: &[FileId],
    take: &(dyn Fn(Target) -> Option<T> + Sync),
) -> (WalkResult, Vec<T>, Vec<String>) {
    let sink = Sink::new((roots.len() <= 1).then_some(take));
    let result = walk_into(base, roots, rules, never, &sink);
    let done = sink.done.into_inner().unwrap_or_default();
    let taken = sink.taken.into_inner().unwrap_or_default();
    (result, done, taken)
}

/// Walks `roots` (absolute, or relative to the current directory) and returns
/// the targets under `base`. A symlinked file that leads to one of `never`
/// (the rule files, the run's `--output` and baseline, by device and inode)
/// is not a target; plain files are compared when they are read
/// (`run::read_target`), where their identity comes free.
pub fn walk(base: &BaseDir, roots: &[PathBuf], rules: &RuleSet, never: &[FileId]) -> WalkResult {
    walk_into(base, roots, rules, never, &Sink::<()>::new(None))
}

/// Where the walker threads put what they find.
struct Sink<'a, T> {
    /// Takes targets on the walker threads ([`walk_with`]).
    take: Option<&'a (dyn Fn(Target) -> Option<T> + Sync)>,
    /// Targets left for the caller.
    found: Mutex<Vec<Target>>,
    /// What `take` made of the targets it took.
    done: Mutex<Vec<T>>,
    /// The paths of the targets taken.
    taken: Mutex<Vec<String>>,
}

impl<'a, T> Sink<'a, T> {
    fn new(take: Option<&'a (dyn Fn(Target) -> Option<T> + Sync)>) -> Sink<'a, T> {
        Sink {
            take,
            found: Mutex::new(Vec::new()),
            done: Mutex::new(Vec::new()),
            taken: Mutex::new(Vec::new()),
        }
    }
}

fn walk_into<T: Send>(
    base: &BaseDir,
    roots: &[PathBuf],
    rules: &RuleSet,
    never: &[FileId],
    sink: &Sink<'_, T>,
) -> WalkResult {
    let base_path = absolute(base.path());
    let mut result = WalkResult::default();
    let found = &sink.found;
    let notes = Mutex::new(Vec::new());
    let skipped = Mutex::new(Vec::new());
    let excluded_by = Arc::new(Mutex::new(BTreeSet::new()));
    // Each root to walk, with the name the user gave it (for messages).
    let roots: Vec<(PathBuf, String)> = if roots.is_empty() {
        vec![(base_path.clone(), base_path.display().to_string())]
    } else {
        roots
            .iter()
            .map(|r| (resolve_root(&base_path, r), r.display().to_string()))
            .collect()
    };
    let single_root = roots.len() == 1;
    for (root, given) in roots {
        if std::fs::symlink_metadata(&root).is_err() {
            result.errors.push((given, "root does not exist".into()));
            continue;
        }
        // Where the root really is, as the kernel resolves it.
        let real_root = match place_root(base, &root) {
            Ok(Place::Inside(rel)) => rel,
            Ok(Place::Outside(_)) => {
                result.errors.push((
                    given,
                    format!("root is outside the base directory {}", base_path.display()),
                ));
                continue;
            }
            Err(e) => {
                result.errors.push((given, e.to_string()));
                continue;
            }
        };
        // The name the user gave it, when it is under the base by name.
        let shown_root = relative_to(&base_path, &root).unwrap_or_else(|| real_root.clone());
        let root = if real_root.is_empty() {
            base_path.clone()
        } else {
            base_path.join(&real_root)
        };
        let explicit_file = root.is_file();
        let rel_root = real_root;
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
                        path: shown_root.clone(),
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
            base: &base_path,
            dir: base,
            rules,
            never,
            explicit_file,
            renamed: (shown_root != rel_root).then_some((rel_root.as_str(), shown_root.as_str())),
            skipped: &skipped,
            excluded_by: &excluded_by,
        };
        walk_root(&root, &ctx, sink, &notes);
    }
    let mut targets = found
        .lock()
        .map(|mut f| std::mem::take(&mut *f))
        .unwrap_or_default();
    if single_root {
        // One walk lists each path once: nothing to keep first.
        targets.sort_unstable_by(|a: &Target, b| a.rel_path.cmp(&b.rel_path));
    } else {
        targets.sort_by(|a: &Target, b| a.rel_path.cmp(&b.rel_path));
        targets.dedup_by(|a, b| a.rel_path == b.rel_path);
    }
    let taken = sink.taken.lock();
    let taken = taken.as_deref().map(Vec::as_slice).unwrap_or_default();
    result.targets = drop_links_to_targets(targets, taken);
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

/// Where a root really is under the base (`""` for the base itself). A
/// root that is a symlinked *file* is placed by its directory and keeps its
/// own name: the link is the target, and the walk looks at where it leads
/// like any other link's. Anything else (a directory, a symlinked
/// directory such as `alias/` → `.`, a plain file) is placed where the
/// kernel resolves it.
fn place_root(base: &BaseDir, root: &Path) -> Result<Place, FsError> {
    let is_link = std::fs::symlink_metadata(root).is_ok_and(|m| m.file_type().is_symlink());
    let place = match (is_link && !root.is_dir(), root.parent(), root.file_name()) {
        (true, Some(dir), Some(name)) => match base.place_of(dir)? {
            Place::Inside(d) => {
                let name = name.to_str().ok_or_else(|| {
                    FsError::Refused(format!("{}: the name is not UTF-8", root.display()))
                })?;
                Place::Inside(if d == "." {
                    name.to_string()
                } else {
                    format!("{d}/{name}")
                })
            }
            outside => outside,
        },
        _ => base.place_of(root)?,
    };
    Ok(match place {
        Place::Inside(rel) if rel == "." => Place::Inside(String::new()),
        other => other,
    })
}

struct Ctx<'a> {
    /// The base directory as named (absolute): walked paths are relative
    /// to it.
    base: &'a Path,
    /// The base directory's handle, to ask where a symlink leads.
    dir: &'a BaseDir,
    rules: &'a RuleSet,
    /// Files that are never targets (rule files, `--output`, baseline).
    never: &'a [FileId],
    explicit_file: bool,
    /// For a root reached through a symlinked directory: its real path and
    /// the path the user named it by, both relative to the base.
    renamed: Option<(&'a str, &'a str)>,
    skipped: &'a Mutex<Vec<Skipped>>,
    excluded_by: &'a Arc<Mutex<BTreeSet<usize>>>,
}

fn walk_root<T: Send>(root: &Path, ctx: &Ctx, sink: &Sink<'_, T>, notes: &Mutex<Vec<Warning>>) {
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
        // Each walker thread gathers its targets and hands them over once,
        // when it is done (a lock per file contended between threads).
        let mut mine = Gathered {
            targets: Vec::new(),
            done: Vec::new(),
            taken: Vec::new(),
            into: sink,
        };
        Box::new(move |entry| {
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
                        mine.add(t);
                    }
                }
                Err(e) => push(notes, Warning::new(e.to_string())),
            }
            WalkState::Continue
        })
    });
}

/// One walker thread's share of the [`Sink`], appended to it when the
/// thread's visitor is dropped.
struct Gathered<'a, 's, T> {
    targets: Vec<Target>,
    done: Vec<T>,
    taken: Vec<String>,
    into: &'a Sink<'s, T>,
}

impl<T> Gathered<'_, '_, T> {
    fn add(&mut self, target: Target) {
        // Links wait for the end: one that leads to another target is
        // dropped (`drop_links_to_targets`).
        let Some(take) = self.into.take.filter(|_| target.link.is_none()) else {
            self.targets.push(target);
            return;
        };
        self.taken.push(target.rel_path.clone());
        self.done.extend(take(target));
    }
}

impl<T> Drop for Gathered<'_, '_, T> {
    fn drop(&mut self) {
        if let Ok(mut all) = self.into.found.lock() {
            all.append(&mut self.targets);
        }
        if let Ok(mut all) = self.into.done.lock() {
            all.append(&mut self.done);
        }
        if let Ok(mut all) = self.into.taken.lock() {
            all.append(&mut self.taken);
        }
    }
}

fn push<T>(list: &Mutex<Vec<T>>, item: T) {
    if let Ok(mut l) = list.lock() {
        l.push(item);
    }
}

/// Decides what one walked path is: a target, a skipped file, or nothing.
/// `file_type` is what the directory listing said (no `stat`); only when it
/// is missing or not a plain file is the path looked at again, through the
/// base directory's handle.
fn classify(path: &Path, file_type: Option<std::fs::FileType>, ctx: &Ctx) -> Option<Target> {
    let rel = relative_to(ctx.base, path)?;
    let shown = ctx.shown(&rel);
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
                    &shown,
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
        // A symlink, or an entry type the listing did not tell.
        let located = match ctx.dir.locate(&rel) {
            Ok(l) => l,
            // Vanished since the listing.
            Err(FsError::NotFound(_)) => return None,
            Err(FsError::BadLink(_)) => {
                skip(
                    ctx,
                    &shown,
                    SkipReason::BrokenLink,
                    "symlink cannot be followed (dangling or a loop)".into(),
                );
                return None;
            }
            Err(e) => {
                skip(
                    ctx,
                    &shown,
                    SkipReason::BrokenLink,
                    format!("symlink cannot be followed: {e}"),
                );
                return None;
            }
        };
        match located.kind {
            FileKind::Regular => {}
            FileKind::Directory => return None,
            kind => {
                skip(
                    ctx,
                    &shown,
                    SkipReason::NotRegular,
                    format!("not a regular file ({kind})"),
                );
                return None;
            }
        }
        if ctx.never.contains(&located.id) {
            return None;
        }
        if located.via_link {
            let to = match located.place {
                Place::Inside(real) => LinkTo::Inside(real),
                Place::Outside(real) => LinkTo::Outside(real),
            };
            if let LinkTo::Inside(real_rel) = &to {
                if rules.paths.exclude.is_match(real_rel) {
                    skip(
                        ctx,
                        &shown,
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
    }
    if link.is_none() && shown != rel {
        // Reached through a symlinked directory: the real path is where it
        // is written and what patches name.
        link = Some(LinkTo::Inside(rel.clone()));
    }
    Some(Target {
        role,
        rel_path: shown,
        open_path: rel,
        file_type: format,
        link,
    })
}

impl Ctx<'_> {
    /// The name the user knows a walked path by: its real path, or under a
    /// root reached through a symlinked directory, the root's given name
    /// followed by the rest.
    fn shown(&self, rel: &str) -> String {
        let Some((real, given)) = self.renamed else {
            return rel.to_string();
        };
        let rest = if real.is_empty() {
            Some(rel)
        } else if rel == real {
            Some("")
        } else {
            rel.strip_prefix(real).and_then(|r| r.strip_prefix('/'))
        };
        match rest {
            Some("") => given.to_string(),
            Some(rest) if given.is_empty() => rest.to_string(),
            Some(rest) => format!("{given}/{rest}"),
            None => rel.to_string(),
        }
    }
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
/// written once (under its own path when it is a target; `taken` are the
/// paths of the targets [`walk_with`] took, none of them a link).
fn drop_links_to_targets(mut targets: Vec<Target>, taken: &[String]) -> Vec<Target> {
    if !targets
        .iter()
        .any(|t| matches!(t.link, Some(LinkTo::Inside(_))))
    {
        // No link among them (the usual tree): no set of every path.
        return targets;
    }
    let mut seen: std::collections::HashSet<String> = targets
        .iter()
        .filter(|t| t.link.is_none())
        .map(|t| t.rel_path.clone())
        .chain(taken.iter().cloned())
        .collect();
    targets.retain(|t| match &t.link {
        Some(LinkTo::Inside(real)) => seen.insert(real.clone()),
        _ => true,
    });
    targets
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
