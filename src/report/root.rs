//! Where CI paths start: the git work tree that holds the base directory,
//! else the base directory itself.
//!
//! GitHub annotations, GitLab Code Quality reports and code-scanning SARIF
//! are read against the repository, not against driftfix's base directory:
//! with `infra/driftfix.toml` (base `infra/`), the file `infra/inv/a.yaml`
//! must be printed as `infra/inv/a.yaml`, or GitHub shows no annotation.
//! Every other output (human, markdown, json, patch) keeps paths relative
//! to the base directory (SPEC §1).
//!
//! The work tree is found by looking for `.git` (a directory, or the file a
//! worktree or submodule has) in the real base directory and its ancestors,
//! as `git rev-parse --show-toplevel` does without `GIT_DIR` and
//! `GIT_WORK_TREE`. No `git` process is run: CI images without git (a
//! `container:` job, a tarball checkout) still get a report, and the result
//! does not depend on git's configuration (`safe.directory`). Outside a
//! work tree the base directory is the root.

use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};

/// The root CI paths are relative to, as the prefix that turns a
/// base-relative path into a root-relative one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceRoot {
    /// The base directory relative to the root, `/`-separated, ending in
    /// `/`; empty when the base directory is the root.
    prefix: String,
    /// Whether the root is a git work tree (else it is the base directory).
    git: bool,
    /// The base directory's absolute spellings (as given, and real), for
    /// [`SourceRoot::scrub`].
    base: Vec<PathBuf>,
}

impl SourceRoot {
    /// The base directory itself (no git work tree around it).
    pub fn base() -> SourceRoot {
        SourceRoot::default()
    }

    /// The work tree holding `base`, else `base` (see the module docs).
    pub fn find(base: &Path) -> SourceRoot {
        let Ok(real) = std::fs::canonicalize(base) else {
            return SourceRoot::base();
        };
        let mut spellings = vec![crate::fs::paths::absolute(base)];
        if !spellings.contains(&real) {
            spellings.push(real.clone());
        }
        // Longest first: one spelling may hold the other (`/private/tmp/x`
        // and `/tmp/x`).
        spellings.sort_by_key(|p| std::cmp::Reverse(p.as_os_str().len()));
        let outside = SourceRoot {
            base: spellings.clone(),
            ..SourceRoot::base()
        };
        for top in real.ancestors() {
            if std::fs::symlink_metadata(top.join(".git")).is_ok() {
                return match real.strip_prefix(top).ok().and_then(prefix_of) {
                    Some(prefix) => SourceRoot {
                        prefix,
                        git: true,
                        base: spellings,
                    },
                    None => outside,
                };
            }
        }
        outside
    }

    /// `text` with the base directory's absolute path turned relative
    /// (`/home/u/repo/infra/x` → `x`, the base itself → `.`): messages
    /// of CI reports (roots, rule files and warnings named by an absolute
    /// path) hold no absolute path of the machine that ran the scan.
    pub fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        // Most messages hold no `/` at all: no substring search for a
        // path that has one (one per SARIF result).
        let slash = text.contains('/');
        for base in &self.base {
            let Some(base) = base.to_str().filter(|b| b.len() > 1) else {
                continue;
            };
            if (slash || !base.contains('/')) && out.contains(base) {
                let with_slash = format!("{base}/");
                out = Cow::Owned(out.replace(&with_slash, "").replace(base, "."));
            }
        }
        out
    }

    /// A root whose base directory is at `prefix` (`infra/`) in a work tree
    /// (for tests).
    pub fn in_work_tree(prefix: &str) -> SourceRoot {
        let mut prefix = prefix.trim_end_matches('/').to_string();
        if !prefix.is_empty() {
            prefix.push('/');
        }
        SourceRoot {
            prefix,
            git: true,
            base: Vec::new(),
        }
    }

    /// A base-relative path, relative to the root.
    pub fn path<'a>(&self, rel: &'a str) -> Cow<'a, str> {
        if self.prefix.is_empty() {
            Cow::Borrowed(rel)
        } else {
            Cow::Owned(format!("{}{rel}", self.prefix))
        }
    }

    /// The base directory relative to the root (`infra/`, or empty).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Whether the root is a git work tree.
    pub fn is_git(&self) -> bool {
        self.git
    }
}

/// `a/b` → `a/b/`, `` → ``; `None` for a path that is not plain UTF-8
/// names (then paths stay base-relative rather than wrong).
fn prefix_of(rel: &Path) -> Option<String> {
    let mut out = String::new();
    for c in rel.components() {
        let Component::Normal(name) = c else {
            return None;
        };
        out.push_str(name.to_str()?);
        out.push('/');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_base_in_a_work_tree_gets_its_prefix() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join(".git")).unwrap();
        std::fs::create_dir_all(t.path().join("infra/sub")).unwrap();
        let root = SourceRoot::find(&t.path().join("infra/sub"));
        assert_eq!(root.prefix(), "infra/sub/");
        assert!(root.is_git());
        assert_eq!(root.path("inv/a.yaml"), "infra/sub/inv/a.yaml");
        let top = SourceRoot::find(t.path());
        assert_eq!(top.prefix(), "");
        assert!(top.is_git());
    }

    #[test]
    fn outside_a_work_tree_the_base_is_the_root() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir(t.path().join("infra")).unwrap();
        let root = SourceRoot::find(&t.path().join("infra"));
        assert_eq!(root.prefix(), "");
        assert!(!root.is_git());
    }

    #[test]
    fn a_git_file_marks_a_worktree_too() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join(".git"), "gitdir: /elsewhere\n").unwrap();
        std::fs::create_dir(t.path().join("infra")).unwrap();
        assert_eq!(SourceRoot::find(&t.path().join("infra")).prefix(), "infra/");
    }

    #[test]
    fn scrub_turns_the_base_relative() {
        let t = tempfile::tempdir().unwrap();
        let root = SourceRoot::find(t.path());
        let base = t.path().to_str().unwrap();
        assert_eq!(
            root.scrub(&format!("{base}/a/b.yaml: x; root {base}")),
            "a/b.yaml: x; root ."
        );
        assert_eq!(root.scrub("nothing here"), "nothing here");
    }

    #[test]
    fn helpers() {
        assert_eq!(SourceRoot::base().path("a.yaml"), "a.yaml");
        assert_eq!(
            SourceRoot::in_work_tree("infra").path("a.yaml"),
            "infra/a.yaml"
        );
        assert_eq!(SourceRoot::in_work_tree("").path("a.yaml"), "a.yaml");
    }
}
