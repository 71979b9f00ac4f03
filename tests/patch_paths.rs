//! The dry-run patch gives exactly what `--apply` writes (SPEC §4 *patch*)
//! also for file names git has to spell specially and for symlinks: `git
//! apply` and `patch -p1`, run from the base directory, must agree with
//! `fix --apply` on every byte and every link.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command as StdCommand;

mod common;
use common::{driftfix, snapshot};

const RULES: &str = "[paths]\nreadonly = [\"legacy/**\"]\n[[canonical]]\nname = \"pve\"\naliases = [\"pve-shop\"]\n[[field]]\nselect = [\"host\"]\n";
const OLD: &str = "# inventory\nhost: pve-shop\n";

/// Builds the tree three times; applies the dry-run patch (of `roots`) with
/// git and with patch, and `fix --apply` to the third; all must agree.
/// Returns the patch.
fn patch_matches_apply(build: &dyn Fn(&Path), roots: &[&str]) -> String {
    let [applied, via_git, via_patch] = [(); 3].map(|_| {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir(d.path().join("base")).unwrap();
        fs::write(d.path().join("base/driftfix.toml"), RULES).unwrap();
        build(&d.path().join("base"));
        d
    });
    let base = |d: &tempfile::TempDir| d.path().join("base");
    let before = snapshot(&base(&applied));
    let out = driftfix()
        .current_dir(base(&applied))
        .arg("fix")
        .args(roots)
        .output()
        .unwrap();
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(!diff.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = driftfix()
        .current_dir(base(&applied))
        .args(["fix", "--apply"])
        .args(roots)
        .output()
        .unwrap();
    assert_ne!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = snapshot(&base(&applied));
    assert_ne!(after, before);
    let patch_file = applied.path().join("fix.patch");
    fs::write(&patch_file, &diff).unwrap();
    let git = StdCommand::new("git")
        .current_dir(base(&via_git))
        .args(["apply", "--whitespace=nowarn"])
        .arg(&patch_file)
        .output()
        .unwrap();
    assert!(
        git.status.success(),
        "{}\n{diff}",
        String::from_utf8_lossy(&git.stderr)
    );
    assert_eq!(snapshot(&base(&via_git)), after, "git apply\n{diff}");
    match StdCommand::new("patch")
        .current_dir(base(&via_patch))
        .args(["-p1", "--quiet", "-i"])
        .arg(&patch_file)
        .output()
    {
        Ok(o) => {
            assert!(
                o.status.success(),
                "{}\n{diff}",
                String::from_utf8_lossy(&o.stdout)
            );
            assert_eq!(snapshot(&base(&via_patch)), after, "patch -p1\n{diff}");
        }
        Err(_) => eprintln!("NOTICE: `patch` not installed; patch -p1 check skipped"),
    }
    diff
}

#[test]
#[cfg_attr(no_git, ignore = "NOTICE: git not found")]
fn names_with_spaces_tabs_quotes_backslashes_and_non_ascii() {
    let names = [
        "sp ace.yaml",
        "dir x/ü日.yaml",
        "tab\tname.yaml",
        "q\"uote.yaml",
        "back\\slash.yaml",
        "--dash.yaml",
    ];
    let diff = patch_matches_apply(
        &|b| {
            for n in names {
                let p = b.join(n);
                fs::create_dir_all(p.parent().unwrap()).unwrap();
                fs::write(p, OLD).unwrap();
            }
        },
        &[],
    );
    assert!(
        diff.contains("--- a/sp ace.yaml\t\n+++ b/sp ace.yaml\t\n"),
        "{diff}"
    );
    assert!(diff.contains("--- \"a/tab\\tname.yaml\"\n"), "{diff}");
    assert!(diff.contains("--- \"a/q\\\"uote.yaml\"\n"), "{diff}");
}

#[test]
#[cfg_attr(no_git, ignore = "NOTICE: git not found")]
fn a_symlink_and_its_target_are_patched_once_under_the_target() {
    let diff = patch_matches_apply(
        &|b| {
            fs::write(b.join("real.yaml"), OLD).unwrap();
            symlink("real.yaml", b.join("link.yaml")).unwrap();
            symlink("real.yaml", b.join("link2.yml")).unwrap();
        },
        &[],
    );
    assert_eq!(diff.matches("+++ ").count(), 1, "{diff}");
    assert!(diff.contains("+++ b/real.yaml\n"), "{diff}");
}

#[test]
#[cfg_attr(no_git, ignore = "NOTICE: git not found")]
fn a_symlink_named_as_root_is_patched_under_the_file_it_leads_to() {
    let diff = patch_matches_apply(
        &|b| {
            fs::create_dir(b.join("data")).unwrap();
            // Not a target itself: its name is not in the default include.
            fs::write(b.join("data/hosts.yaml.in"), OLD).unwrap();
            symlink("data/hosts.yaml.in", b.join("hosts.yaml")).unwrap();
        },
        &["hosts.yaml"],
    );
    assert!(diff.starts_with("--- a/data/hosts.yaml.in\n"), "{diff}");
}

#[test]
#[cfg_attr(no_git, ignore = "NOTICE: git not found")]
fn symlinks_to_read_only_or_outside_files_are_not_in_the_patch() {
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("o.yaml"), OLD).unwrap();
    let o = outside.path().join("o.yaml");
    let diff = patch_matches_apply(
        &|b| {
            fs::create_dir(b.join("legacy")).unwrap();
            fs::write(b.join("legacy/t.yaml"), OLD).unwrap();
            symlink("legacy/t.yaml", b.join("to-legacy.yaml")).unwrap();
            symlink(&o, b.join("to-outside.yaml")).unwrap();
            fs::write(b.join("plain.yaml"), OLD).unwrap();
        },
        &[],
    );
    assert_eq!(diff.matches("+++ ").count(), 1, "{diff}");
    assert!(diff.contains("+++ b/plain.yaml\n"), "{diff}");
    assert_eq!(fs::read_to_string(o).unwrap(), OLD);
}
