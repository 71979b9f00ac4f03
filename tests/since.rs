//! SPEC §11: `--since REF` reads only the files that differ from a git
//! revision — committed since, staged, unstaged, untracked and not ignored
//! — in a temporary repository driven by the `git` binary.

use std::fs;
use std::path::Path;
use std::process::Command as StdCommand;

use serde_json::Value;

mod common;
use common::driftfix;

const RULES: &str = "version = 1\n[[canonical]]\nname = \"pve\"\naliases = [\"pve-shop\"]\n[[field]]\nselect = [\"host\"]\n";
const DRIFT: &str = "host: pve-shop\n";

fn git(dir: &Path, args: &[&str]) {
    let out = StdCommand::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn write(dir: &Path, path: &str, text: &str) {
    let p = dir.join(path);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

/// The paths of the findings of `scan --format json ARGS` run in `dir`,
/// and the exit code.
fn scanned(dir: &Path, args: &[&str]) -> (i32, Vec<String>, String) {
    let out = driftfix()
        .current_dir(dir)
        .args(["scan", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out.status.code().unwrap();
    if code == 2 {
        return (code, Vec::new(), err);
    }
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut paths: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    paths.dedup();
    (code, paths, err)
}

/// A repository with a file in every state relative to the tag `base`.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    git(p, &["init", "-q", "-b", "main"]);
    git(p, &["config", "user.email", "t@example.invalid"]);
    git(p, &["config", "user.name", "t"]);
    write(p, "driftfix.toml", RULES);
    write(p, ".gitignore", "ignored.yaml\n");
    for f in [
        "same.yaml",
        "committed.yaml",
        "staged.yaml",
        "unstaged.yaml",
        "renamed-from.yaml",
        "deleted.yaml",
        "sub/same.yaml",
        "sub/unstaged.yaml",
    ] {
        write(p, f, DRIFT);
    }
    git(p, &["add", "-A"]);
    git(p, &["commit", "-q", "-m", "base"]);
    git(p, &["tag", "base"]);
    write(p, "committed.yaml", "# changed\nhost: pve-shop\n");
    git(p, &["commit", "-q", "-am", "later"]);
    write(p, "staged.yaml", "# staged\nhost: pve-shop\n");
    git(p, &["add", "staged.yaml"]);
    write(p, "unstaged.yaml", "# unstaged\nhost: pve-shop\n");
    write(p, "sub/unstaged.yaml", "# unstaged\nhost: pve-shop\n");
    git(p, &["mv", "renamed-from.yaml", "renamed-to.yaml"]);
    git(p, &["rm", "-q", "deleted.yaml"]);
    write(p, "untracked.yaml", DRIFT);
    write(p, "ignored.yaml", DRIFT);
    dir
}

#[test]
#[cfg_attr(no_git, ignore = "NOTICE: git not found")]
fn only_files_that_differ_from_the_revision() {
    let dir = repo();
    let (code, all, _) = scanned(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        all.len(),
        8,
        "without --since: every file but the ignored one: {all:?}"
    );
    let (code, paths, err) = scanned(dir.path(), &["--since", "base"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        paths,
        [
            "committed.yaml",
            "renamed-to.yaml",
            "staged.yaml",
            "sub/unstaged.yaml",
            "unstaged.yaml",
            "untracked.yaml"
        ],
        "{err}"
    );
    assert!(
        err.contains("--since base: 8 changed files under the base directory"),
        "the deleted and the renamed-away files count, though nothing reads them: {err}"
    );
    // HEAD: only what is not committed yet.
    let (_, paths, _) = scanned(dir.path(), &["--since", "HEAD"]);
    assert_eq!(
        paths,
        [
            "renamed-to.yaml",
            "staged.yaml",
            "sub/unstaged.yaml",
            "unstaged.yaml",
            "untracked.yaml"
        ]
    );
    // A commit id works as well as a name.
    let (_, by_id, _) = scanned(dir.path(), &["--since", "HEAD~1"]);
    assert_eq!(by_id, paths_since_base());
}

fn paths_since_base() -> Vec<&'static str> {
    vec![
        "committed.yaml",
        "renamed-to.yaml",
        "staged.yaml",
        "sub/unstaged.yaml",
        "unstaged.yaml",
        "untracked.yaml",
    ]
}

/// The base directory may be a subdirectory of the work tree: git's paths
/// (relative to the work-tree root) become paths relative to the base, and
/// files outside it are out of scope.
#[test]
#[cfg_attr(no_git, ignore = "NOTICE: git not found")]
fn a_base_below_the_work_tree_root() {
    let dir = repo();
    let sub = dir.path().join("sub");
    let rules = dir.path().join("driftfix.toml");
    let (code, paths, err) = scanned(
        &sub,
        &["--rules", rules.to_str().unwrap(), "--since", "base"],
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(paths, ["unstaged.yaml"]);
    // fix --since too: only the changed file is rewritten.
    let out = driftfix()
        .current_dir(&sub)
        .args([
            "--rules",
            rules.to_str().unwrap(),
            "fix",
            "--apply",
            "--since",
            "base",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        fs::read_to_string(sub.join("unstaged.yaml")).unwrap(),
        "# unstaged\nhost: pve\n"
    );
    assert_eq!(fs::read_to_string(sub.join("same.yaml")).unwrap(), DRIFT);
}

#[test]
#[cfg_attr(no_git, ignore = "NOTICE: git not found")]
fn not_a_repository_or_an_unknown_revision_is_exit_2() {
    let plain = tempfile::tempdir().unwrap();
    write(plain.path(), "driftfix.toml", RULES);
    write(plain.path(), "a.yaml", DRIFT);
    let (code, _, err) = scanned(plain.path(), &["--since", "HEAD"]);
    assert_eq!(code, 2);
    assert!(err.contains("is not in a git work tree"), "{err}");

    let dir = repo();
    for rev in ["no-such-ref", "--output=x", "base~99"] {
        let (code, _, err) = scanned(dir.path(), &[&format!("--since={rev}")]);
        assert_eq!(code, 2, "{rev}: {err}");
        assert!(err.contains(&format!("unknown revision `{rev}`")), "{err}");
    }
    let out = driftfix()
        .current_dir(dir.path())
        .args(["fix", "--since", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
