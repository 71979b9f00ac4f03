//! Helpers shared by the integration tests (`mod common;` in each file).
//!
//! # Tests that need something from outside the crate
//!
//! A test whose input is missing must be reported as *ignored*, with a
//! notice, never as passed. `build.rs` probes for those inputs and sets a
//! cfg for each one that is missing; Cargo passes build-script cfgs to every
//! target of the package, integration tests included:
//!
//! | cfg | missing |
//! | --- | --- |
//! | `no_conformance` | the conformance corpus (`$DRIFTFIX_CONFORMANCE`, else `../shared/conformance`), or one of its suites |
//! | `no_git` | `git` on `PATH` |
//! | `no_patch` | `patch` on `PATH` |
//! | `no_ansible_inventory` | `ansible-inventory` on `PATH` |
//! | `no_pre_commit` | `pre-commit` on `PATH` |
//! | `no_groff` | `groff` on `PATH` |
//! | `no_strace` | `strace` on `PATH` (races slowed down by injected syscall delays) |
//! | `no_setfacl` | `setfacl` on `PATH` (package `acl`; `getfacl` comes with it) |
//! | `no_flock` | `flock` on `PATH` (util-linux) |
//!
//! Mark such a test with the cfg and the notice `cargo test` shows for it:
//!
//! ```ignore
//! #[test]
//! #[cfg_attr(no_groff, ignore = "NOTICE: groff not found")]
//! fn man_page_renders() { … }
//! ```
//!
//! and read required corpora with [`conformance_suite`] (which fails the
//! test instead of skipping it). Inside a test, `cfg!(no_patch)` chooses
//! between checks. A new probe is one entry in `build.rs` (`PROGRAMS`, or a
//! new `cargo::rustc-check-cfg` line) plus a row here. The probe reruns when
//! `DRIFTFIX_CONFORMANCE` or `PATH` changes (and then the crate is rebuilt);
//! something installed without either changing needs `touch build.rs`.
#![allow(dead_code)]

pub mod beside;
pub mod markdown;
pub mod oracle;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The driftfix binary, its undo journal kept under the build's temp
/// folder ([`state_dir`]) instead of the user's `~/.local/state`.
pub fn driftfix() -> Command {
    let mut c = Command::cargo_bin("driftfix").unwrap();
    c.env("XDG_STATE_HOME", state_dir());
    c
}

/// A `--format json` run's (exit code, report, stderr); a report that is
/// not JSON fails the test with both streams.
pub fn json_report(out: &std::process::Output) -> (i32, serde_json::Value, String) {
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (
        out.status.code().unwrap(),
        v,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A temp tree from `(path, content)` pairs.
pub fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    dir
}

/// The `XDG_STATE_HOME` the tests' runs journal into (`fix --apply` and
/// `--preview` record every file they write, SPEC §14): one folder under
/// Cargo's target temp directory, never the user's home.
pub fn state_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("state")
}

/// The crate's root folder.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies the folder `from` to `to` (created), recursively.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// A scratch copy of the shipped homelab example, with its rule file beside
/// it as `driftfix.toml`.
pub fn homelab_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("tests/fixtures/homelab"), dir.path());
    std::fs::copy(
        repo().join("rules/homelab.toml"),
        dir.path().join("driftfix.toml"),
    )
    .unwrap();
    dir
}

/// The text of `name` under `dir`.
pub fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

/// Every entry under `dir`, sorted by path: a file with its bytes, a
/// symlink (never followed) as `-> TARGET`. Two trees are alike when their
/// snapshots are equal.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            let ft = e.file_type().unwrap();
            let rel = p.strip_prefix(dir).unwrap().to_path_buf();
            if ft.is_symlink() {
                let target = std::fs::read_link(&p).unwrap();
                out.push((rel, format!("-> {}", target.display()).into_bytes()));
            } else if ft.is_dir() {
                stack.push(p);
            } else {
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// Fails the test when a `.driftfix-*` temp file is left anywhere under
/// `dir`.
pub fn no_temp_files(dir: &Path) {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            assert!(
                !name.starts_with(".driftfix-"),
                "temp file left: {}",
                e.path().display()
            );
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            }
        }
    }
}

/// A conformance suite the test cannot do without: the test carries
/// `#[cfg_attr(no_conformance, ignore = "NOTICE: conformance corpus not
/// found")]`, so reaching here without the suite means the corpus went away
/// after the build; that fails the test rather than passing it empty.
pub fn conformance_suite(suite: &str) -> PathBuf {
    conformance_dir(suite).unwrap_or_else(|| {
        panic!("conformance suite {suite} missing; it was there when the tests were built (touch build.rs)")
    })
}

/// The shared conformance corpora: `$DRIFTFIX_CONFORMANCE`, else
/// `../shared/conformance` next to the crate. `None` (with a printed notice)
/// when the folder or the named suite is absent, for tests that use the
/// corpus when it is there (the fuzz loop's seeds); tests that need it use
/// [`conformance_suite`].
pub fn conformance_dir(suite: &str) -> Option<PathBuf> {
    let root = std::env::var_os("DRIFTFIX_CONFORMANCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance"));
    let dir = root.join(suite);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "NOTICE: conformance suite {} not found at {}; skipping (set DRIFTFIX_CONFORMANCE)",
            suite,
            dir.display()
        );
        println!("NOTICE: conformance suite {suite} not found; skipped");
        None
    }
}

/// Every file under `dir` (recursively) whose name satisfies `keep`, sorted.
pub fn files_under(dir: &Path, keep: &dyn Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if keep(&p) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A notice for a check skipped at run time (a capability the machine does
/// not give: root, a mount namespace), written to the real stderr so that
/// the test harness does not swallow it. Programs that may be missing are
/// cfgs instead (see the table above).
pub fn notice(msg: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "NOTICE: {msg}");
}

/// Spawns `cmd` with `fork`, for a caller that reads its peak memory
/// from `wait4`. The standard library spawns with `posix_spawn`, whose
/// child shares the parent's memory until it execs, and Linux carries the
/// parent's *peak* resident set into the child's `ru_maxrss` at that
/// exec: a child of a test process that once held 300 MB reported
/// 300 MB, whatever it used itself. A forked child starts from the
/// parent's *current* resident set instead (a pre-exec hook makes the
/// standard library fork).
pub fn spawn_forked(cmd: &mut std::process::Command) -> std::io::Result<std::process::Child> {
    use std::os::unix::process::CommandExt as _;
    // SAFETY: the hook does nothing, so it is async-signal-safe.
    unsafe { cmd.pre_exec(|| Ok(())) }.spawn()
}
