//! Issue 12, "Writes that cannot escape": one test (or more) per case of
//! the issue, each driving the real binary, each failing on the main from
//! before the fix. Races are made deterministic with the binary's test
//! pause (`DRIFTFIX_TEST_PAUSE_BEFORE_WRITE`: it stops before its first
//! write, or before `--output` is put in place, until the test says go) or,
//! where the race must land *inside* a write, with `strace` delaying the
//! temp file's `fsync` (ignored with a NOTICE where strace is missing).
//!
//! | issue case | tests |
//! |---|---|
//! | 1 directory swapped for a symlink | `case1_*` |
//! | 2 `--output` devices, FIFOs, links | `case2_*` |
//! | 3 `--output` over an inventory | `case3_*` |
//! | 4 rule file through another name | `case4_*` |
//! | 5 ROOT through a symlinked directory | `case5_*` |
//! | 6 the re-read before writing | `case6_*` |
//! | 7 two runs at once | `case7_*` |
//! | 8 ACLs, xattrs, what cannot be kept | `case8_*` |
//! | 9 temp files left behind | `case9_*` |
//! | 10 signals | `case10_*` |
//! | 11 terminal escapes in names | `case11_*` |
//! | 12 memory with many hits in one value | `case12_*` |

mod common;

use std::io::{BufRead as _, BufReader, Read as _};
use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _, PermissionsExt as _, symlink};
use std::os::unix::process::{CommandExt as _, ExitStatusExt as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::no_temp_files;
use serde_json::Value;

const RULES: &str = r#"version = 1
[paths]
authority = ["spine/**"]
readonly = ["legacy/**"]
[[canonical]]
name = "pve"
aliases = ["pve-shop"]
[[field]]
select = ["host"]
"#;
const OLD: &str = "host: pve-shop\n";
const NEW: &str = "host: pve\n";
const PAUSE: &str = "DRIFTFIX_TEST_PAUSE_BEFORE_WRITE";

// ------------------------------------------------------------------ helpers

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("driftfix")
}

/// A base directory with the rule file and `files`.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("driftfix.toml"), RULES).unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

/// driftfix in `dir`, output captured.
fn cmd(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(bin());
    c.current_dir(dir)
        .args(args)
        .env_remove(PAUSE)
        .env("NO_COLOR", "1")
        .env("XDG_STATE_HOME", common::state_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    c
}

fn run(dir: &Path, args: &[&str]) -> Output {
    cmd(dir, args).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

/// The child's output, killing it (and its process group: `strace` and
/// the driftfix it traces) first when it has not ended within `limit`, so
/// a hang fails the test instead of hanging it.
fn finish_within(mut child: Child, limit: Duration, what: &str) -> Output {
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let group = i32::try_from(child.id()).unwrap();
            // SAFETY: kill(2) to the process group this test started.
            unsafe { libc::kill(-group, libc::SIGKILL) };
            let out = child.wait_with_output().unwrap();
            panic!(
                "{what}: still running after {limit:?} (killed); stderr: {}",
                text(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits until `cond` holds (polling), failing after `limit`; `child`'s
/// early exit fails at once, with its stderr.
fn wait_for(child: &mut Child, limit: Duration, what: &str, cond: &dyn Fn() -> bool) {
    let start = Instant::now();
    while !cond() {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            if let Some(e) = child.stderr.as_mut() {
                let _ = e.read_to_string(&mut err);
            }
            panic!("{what}: driftfix ended first ({status}); stderr: {err}");
        }
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A run stopped by the test pause before its first write (or before
/// `--output` is put in place).
struct Paused {
    child: Child,
    go: PathBuf,
    _dir: tempfile::TempDir,
}

impl Paused {
    fn start(mut c: Command) -> Paused {
        let dir = tempfile::tempdir().unwrap();
        let go = dir.path().join("go");
        let mut child = c.env(PAUSE, &go).spawn().unwrap();
        let ready = dir.path().join("go.ready");
        wait_for(
            &mut child,
            Duration::from_secs(60),
            "the pause before the write",
            &|| ready.exists(),
        );
        Paused {
            child,
            go,
            _dir: dir,
        }
    }

    fn pid(&self) -> i32 {
        i32::try_from(self.child.id()).unwrap()
    }

    fn resume(self) -> Output {
        std::fs::write(&self.go, b"").unwrap();
        finish_within(self.child, Duration::from_secs(60), "the resumed run")
    }
}

fn signal(pid: i32, sig: libc::c_int) {
    // SAFETY: kill(2) to a child this test started and has not reaped.
    assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
}

/// Sends `sig` and waits until a thread of `pid` has taken it (it is no
/// longer pending in `/proc/PID/status`). `kill` only queues a signal; on
/// a loaded machine the thread chosen to handle it ran after the test had
/// resumed the paused child, whose writer thread, polling for the go file,
/// had already started a file: a stop "before the first file" then
/// reported one file written, rightly for the child.
fn signal_taken(pid: i32, sig: libc::c_int) {
    signal(pid, sig);
    let bit = 1u64 << (sig - 1);
    let start = Instant::now();
    loop {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let pending = status
            .lines()
            .filter(|l| l.starts_with("ShdPnd:") || l.starts_with("SigPnd:"))
            .filter_map(|l| u64::from_str_radix(l.split_whitespace().nth(1)?, 16).ok())
            .fold(0, |all, mask| all | mask);
        if pending & bit == 0 {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "signal {sig} still pending in {pid}"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Every `.driftfix-*` temp file under `root`, symlinks not followed.
fn temps(root: &Path) -> Vec<PathBuf> {
    common::files_under(root, &|p| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with(".driftfix-"))
    })
}

/// `strace` slowing the first `fsync` of each thread (the temp file's,
/// just before the last checks and the rename) by `ms`.
fn under_strace(dir: &Path, ms: u64, args: &[&str]) -> Command {
    let mut c = Command::new("strace");
    c.current_dir(dir)
        .args(["-f", "-qq", "-o", "/dev/null", "-e", "trace=fsync", "-e"])
        .arg(format!("inject=fsync:delay_enter={}:when=1", ms * 1000))
        .arg(bin())
        .args(args)
        .env_remove(PAUSE)
        .env("NO_COLOR", "1")
        .env("XDG_STATE_HOME", common::state_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    c
}

// ------------------------------------------------------------------ case 1

/// `a/d/x.yaml` in the base, `legacy/x.yaml` read-only (0444), and
/// `x.yaml` outside the base, all holding the alias.
fn swap_tree() -> (tempfile::TempDir, tempfile::TempDir) {
    let base = tree(&[("a/d/x.yaml", OLD), ("legacy/x.yaml", OLD)]);
    std::fs::set_permissions(
        base.path().join("legacy/x.yaml"),
        std::fs::Permissions::from_mode(0o444),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("x.yaml"), OLD).unwrap();
    (base, out)
}

fn inode(p: &Path) -> u64 {
    std::fs::metadata(p).unwrap().ino()
}

#[test]
fn case1_a_directory_swapped_for_a_symlink_before_the_write_moves_nothing() {
    for to_legacy in [false, true] {
        let (base, out) = swap_tree();
        let b = base.path();
        let decoy = if to_legacy {
            b.join("legacy/x.yaml")
        } else {
            out.path().join("x.yaml")
        };
        let before = inode(&decoy);
        let paused = Paused::start(cmd(b, &["fix", "--apply"]));
        std::fs::rename(b.join("a/d"), b.join("a/d.real")).unwrap();
        symlink(decoy.parent().unwrap(), b.join("a/d")).unwrap();
        let o = paused.resume();
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains("error: a/d/x.yaml: a/d is a symbolic link"),
            "{err}"
        );
        assert_eq!(read(&decoy), OLD, "never written through the link");
        assert_eq!(inode(&decoy), before, "never replaced");
        assert_eq!(read(&b.join("a/d.real/x.yaml")), OLD);
        no_temp_files(b);
        no_temp_files(out.path());
    }
}

/// The issue's `renameat2(RENAME_EXCHANGE)` loop: `a/d` and a symlink to a
/// directory outside the base trade places every few hundred microseconds
/// while `fix --apply` writes 150 files in `a/d`. Nothing outside is ever
/// written, no temp file is left anywhere, and each file in `a/d` holds
/// either its old or its new text.
#[test]
fn case1_a_rename_exchange_loop_never_moves_a_write_outside() {
    for round in 0..3 {
        let base = tree(&[]);
        let out = tempfile::tempdir().unwrap();
        let b = base.path().to_path_buf();
        std::fs::create_dir_all(b.join("a/d")).unwrap();
        for i in 0..150 {
            std::fs::write(b.join(format!("a/d/f{i:03}.yaml")), OLD).unwrap();
            std::fs::write(out.path().join(format!("f{i:03}.yaml")), OLD).unwrap();
        }
        symlink(out.path(), b.join("a/swap")).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let flipper = {
            let (stop, b) = (stop.clone(), b.clone());
            std::thread::spawn(move || {
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    std::thread::sleep(Duration::from_micros((n * 7919 + round) % 700));
                    rustix::fs::renameat_with(
                        rustix::fs::CWD,
                        b.join("a/d"),
                        rustix::fs::CWD,
                        b.join("a/swap"),
                        rustix::fs::RenameFlags::EXCHANGE,
                    )
                    .unwrap();
                }
            })
        };
        let o = run(&b, &["fix", "--apply"]);
        stop.store(true, Ordering::Relaxed);
        flipper.join().unwrap();
        if std::fs::symlink_metadata(b.join("a/d"))
            .unwrap()
            .is_symlink()
        {
            rustix::fs::renameat_with(
                rustix::fs::CWD,
                b.join("a/d"),
                rustix::fs::CWD,
                b.join("a/swap"),
                rustix::fs::RenameFlags::EXCHANGE,
            )
            .unwrap();
        }
        assert!(
            matches!(o.status.code(), Some(0 | 2)),
            "{}",
            text(&o.stderr)
        );
        for i in 0..150 {
            let name = format!("f{i:03}.yaml");
            assert_eq!(read(&out.path().join(&name)), OLD, "outside: {name}");
            let inside = read(&b.join("a/d").join(&name));
            assert!(inside == OLD || inside == NEW, "{name}: {inside:?}");
        }
        assert_eq!(temps(&b), Vec::<PathBuf>::new());
        assert_eq!(temps(out.path()), Vec::<PathBuf>::new());
        assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 150);
    }
}

// ------------------------------------------------------------------ case 2

#[test]
fn case2_a_character_device_and_a_link_to_it_are_written_to_never_replaced() {
    let dir = tree(&[("a.yaml", OLD)]);
    let p = dir.path();
    // A private /dev/null (as root), else a link to the real one.
    let dev = p.join("null");
    let private = Command::new("mknod")
        .arg(&dev)
        .args(["c", "1", "3"])
        .status()
        .is_ok_and(|s| s.success());
    if !private {
        symlink("/dev/null", &dev).unwrap();
    }
    symlink(&dev, p.join("to-null")).unwrap();
    for target in ["null", "to-null"] {
        let o = run(p, &["scan", "--output", target]);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
        assert!(o.stdout.is_empty());
        assert!(
            std::fs::metadata(&dev)
                .unwrap()
                .file_type()
                .is_char_device(),
            "{target}: still a character device"
        );
    }
    assert!(
        std::fs::symlink_metadata(p.join("to-null"))
            .unwrap()
            .is_symlink()
    );
    no_temp_files(p);
}

#[test]
fn case2_a_fifo_and_a_link_to_a_pipe_are_streamed_to() {
    let dir = tree(&[("a.yaml", OLD)]);
    let p = dir.path().to_path_buf();
    let want = run(&p, &["scan", "--format", "json"]).stdout;
    assert!(!want.is_empty());
    let fifo = p.join("report.fifo");
    rustix::fs::mkfifoat(rustix::fs::CWD, &fifo, rustix::fs::Mode::from(0o644)).unwrap();
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let o = run(&p, &["scan", "--format", "json", "--output", "report.fifo"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    // A FIFO replaced by a file leaves its reader waiting for good: fail,
    // leaving the thread behind, rather than hang.
    let start = Instant::now();
    while !reader.is_finished() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the FIFO's reader never got the report"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(reader.join().unwrap(), want, "the reader got the report");
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    // `>(wc -c)` and `/dev/stdout` name the process's own descriptor
    // through /proc: a link to it is followed and written, never replaced.
    symlink("/proc/self/fd/1", p.join("stdout-link")).unwrap();
    let o = run(&p, &["scan", "--format", "json", "--output", "stdout-link"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert_eq!(o.stdout, want, "the report went down the pipe");
    assert!(
        std::fs::symlink_metadata(p.join("stdout-link"))
            .unwrap()
            .is_symlink()
    );
    no_temp_files(&p);
}

#[test]
fn case2_dash_is_stdout() {
    let dir = tree(&[("a.yaml", OLD)]);
    let p = dir.path();
    let want = run(p, &["scan", "--format", "json"]).stdout;
    let o = run(p, &["scan", "--format", "json", "--output", "-"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert_eq!(o.stdout, want);
    assert!(!p.join("-").exists(), "no file named -");
    let o = run(p, &["fix", "--output", "-"]);
    assert!(text(&o.stdout).starts_with("--- a/a.yaml\n"));
    assert!(!p.join("-").exists());
}

// ------------------------------------------------------------------ case 3

#[test]
fn case3_output_never_overwrites_an_inventory_the_run_scans() {
    let dir = tree(&[
        ("all.yml", OLD),
        ("inv/group_vars/all.yml", OLD),
        ("legacy/ro.yaml", OLD),
    ]);
    let p = dir.path();
    let before = common::snapshot(p);
    for args in [
        &["scan", "--output", "all.yml"][..],
        &[
            "scan",
            "--format",
            "json",
            "--output",
            "inv/group_vars/all.yml",
        ],
        &["fix", "--output", "inv/group_vars/all.yml"],
        &["fix", "--apply", "--format", "json", "--output", "all.yml"],
    ] {
        let o = run(p, args);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("is a file this run scans"), "{args:?}: {err}");
        assert_eq!(common::snapshot(p), before, "{args:?}: nothing written");
    }
    // A driftfix JSON report may be replaced by the next one (SPEC §8).
    let o = run(p, &["scan", "--format", "json", "--output", "report.json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let o = run(p, &["scan", "--format", "json", "--output", "report.json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
}

/// A link (or a hard link) to a read-only inventory planted at the output
/// name while the run works is refused when the report is put in place.
#[test]
fn case3_a_link_planted_at_the_output_during_the_run_is_refused() {
    for hard in [false, true] {
        let dir = tree(&[("a.yaml", OLD), ("legacy/ro.yaml", OLD)]);
        let p = dir.path();
        let paused = Paused::start(cmd(p, &["scan", "--output", "report.md"]));
        if hard {
            std::fs::hard_link(p.join("legacy/ro.yaml"), p.join("report.md")).unwrap();
        } else {
            symlink("legacy/ro.yaml", p.join("report.md")).unwrap();
        }
        let o = paused.resume();
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("--output report.md"), "{err}");
        assert!(err.contains("readonly (legacy/ro.yaml)"), "{err}");
        assert_eq!(read(&p.join("legacy/ro.yaml")), OLD);
        assert_eq!(
            std::fs::symlink_metadata(p.join("report.md"))
                .unwrap()
                .is_symlink(),
            !hard
        );
        no_temp_files(p);
    }
}

// ------------------------------------------------------------------ case 4

/// A rule file that governs its own alias list: as a target, `fix` would
/// rewrite it.
const SELF_RULES: &str = r#"version = 1
[[canonical]]
name = "pve"
aliases = ["pve-shop"]
[[field]]
select = ["host", "**.aliases[*]"]
"#;

#[test]
fn case4_a_rule_file_reached_by_another_name_is_neither_target_nor_output() {
    let rules_dir = tempfile::tempdir().unwrap();
    let rules = rules_dir.path().join("rules.toml");
    std::fs::write(&rules, SELF_RULES).unwrap();
    let base = tempfile::tempdir().unwrap();
    let b = base.path();
    std::fs::write(b.join("a.yaml"), OLD).unwrap();
    std::fs::create_dir(b.join("conf")).unwrap();
    std::fs::hard_link(&rules, b.join("conf/rules.toml")).unwrap();
    let r = rules.to_str().unwrap();
    let o = run(b, &["--rules", r, "fix", "--apply"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(read(&b.join("a.yaml")), NEW);
    assert_eq!(read(&rules), SELF_RULES);
    assert_eq!(
        inode(&b.join("conf/rules.toml")),
        inode(&rules),
        "not replaced"
    );
    let o = run(b, &["--rules", r, "scan", "--output", "conf/rules.toml"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("is a rule file"), "{err}");
    assert_eq!(read(&rules), SELF_RULES);
}

/// The issue's bind mount: the rule file's directory mounted inside the
/// base (in a private mount namespace of the run).
#[test]
fn case4_a_rule_file_through_a_bind_mount_is_never_written() {
    let rules_dir = tempfile::tempdir().unwrap();
    let rules = rules_dir.path().join("rules.toml");
    std::fs::write(&rules, SELF_RULES).unwrap();
    let base = tempfile::tempdir().unwrap();
    let b = base.path();
    std::fs::write(b.join("a.yaml"), OLD).unwrap();
    std::fs::create_dir(b.join("conf")).unwrap();
    let probe = Command::new("unshare")
        .args(["-m", "true"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !probe {
        common::notice(
            "unshare -m not permitted here: the bind-mount case is covered by the hard-link test only",
        );
        return;
    }
    for args in [
        "fix --apply".to_string(),
        "scan --output conf/rules.toml".to_string(),
    ] {
        let script = format!(
            "mount --bind {} conf && exec {} --rules {} {args}",
            rules_dir.path().display(),
            bin().display(),
            rules.display()
        );
        let o = Command::new("unshare")
            .args(["-m", "sh", "-c", &script])
            .env("XDG_STATE_HOME", common::state_dir())
            .current_dir(b)
            .output()
            .unwrap();
        let err = text(&o.stderr);
        let want = if args.starts_with("fix") { 0 } else { 2 };
        assert_eq!(o.status.code(), Some(want), "{args}: {err}");
        assert_eq!(read(&rules), SELF_RULES, "{args}");
    }
    assert_eq!(read(&b.join("a.yaml")), NEW);
}

// ------------------------------------------------------------------ case 5

#[test]
fn case5_a_root_through_a_symlinked_directory_gets_the_real_roles() {
    let dir = tree(&[
        ("spine/a.yaml", OLD),
        ("legacy/a.yaml", OLD),
        ("workbench/a.yaml", OLD),
    ]);
    let p = dir.path();
    symlink(".", p.join("alias")).unwrap();
    let o = run(p, &["scan", "--format", "json", "alias"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let got: Vec<(String, String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["role"].as_str().unwrap().to_string(),
                f["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("alias/legacy/a.yaml", "readonly", "report"),
        ("alias/spine/a.yaml", "authority", "report"),
        ("alias/workbench/a.yaml", "editable", "fix"),
    ];
    assert_eq!(
        got,
        want.map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    );
    let severity = |path: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .unwrap()["severity"]
            .clone()
    };
    assert_eq!(severity("alias/spine/a.yaml"), "critical");
    let o = run(p, &["scan", "--fail-on", "critical", "alias"]);
    assert_eq!(o.status.code(), Some(1), "the authority finding counts");
    let md = text(&run(p, &["scan", "--format", "markdown", "alias"]).stdout);
    assert!(!md.contains("authority: NO FILES"), "{md}");
    assert!(md.contains("authority: DRIFTED"), "{md}");
    let patch = text(&run(p, &["fix", "alias"]).stdout);
    assert!(patch.contains("--- a/workbench/a.yaml"), "{patch}");
    assert!(
        !patch.contains("spine") && !patch.contains("legacy"),
        "{patch}"
    );
    let o = run(p, &["fix", "--apply", "alias"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(read(&p.join("workbench/a.yaml")), NEW);
    assert_eq!(read(&p.join("spine/a.yaml")), OLD);
    assert_eq!(read(&p.join("legacy/a.yaml")), OLD);
    assert!(
        std::fs::symlink_metadata(p.join("alias"))
            .unwrap()
            .is_symlink()
    );
}

// ------------------------------------------------------------------ case 6

#[test]
fn case6_a_fifo_or_dev_zero_swapped_in_before_the_write_neither_blocks_nor_reads() {
    let dir = tree(&[("a.yaml", OLD), ("b.yaml", OLD), ("c.yaml", OLD)]);
    let p = dir.path();
    let paused = Paused::start(cmd(p, &["fix", "--apply"]));
    std::fs::remove_file(p.join("a.yaml")).unwrap();
    rustix::fs::mkfifoat(
        rustix::fs::CWD,
        p.join("a.yaml"),
        rustix::fs::Mode::from(0o644),
    )
    .unwrap();
    std::fs::remove_file(p.join("b.yaml")).unwrap();
    symlink("/dev/zero", p.join("b.yaml")).unwrap();
    let start = Instant::now();
    let o = paused.resume();
    let err = text(&o.stderr);
    assert!(start.elapsed() < Duration::from_secs(30));
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("error: a.yaml: not a regular file (FIFO)"),
        "{err}"
    );
    assert!(
        err.contains("error: b.yaml: not a regular file (character device)"),
        "{err}"
    );
    assert_eq!(read(&p.join("c.yaml")), NEW);
    let kind = |n: &str| std::fs::symlink_metadata(p.join(n)).unwrap().file_type();
    assert!(kind("a.yaml").is_fifo());
    assert!(kind("b.yaml").is_symlink());
    no_temp_files(p);
}

/// The same swaps while the temp file is being synced: the last check
/// before the rename must neither block on the FIFO nor read /dev/zero.
#[test]
#[cfg_attr(no_strace, ignore = "NOTICE: strace not found")]
fn case6_swapped_in_during_the_write_the_last_check_neither_blocks_nor_reads() {
    for fifo in [true, false] {
        let dir = tree(&[("x.yaml", OLD)]);
        let p = dir.path();
        let mut child = under_strace(p, 2000, &["fix", "--apply"]).spawn().unwrap();
        wait_for(
            &mut child,
            Duration::from_secs(60),
            "the temp file",
            &|| !temps(p).is_empty(),
        );
        std::fs::remove_file(p.join("x.yaml")).unwrap();
        if fifo {
            rustix::fs::mkfifoat(
                rustix::fs::CWD,
                p.join("x.yaml"),
                rustix::fs::Mode::from(0o644),
            )
            .unwrap();
        } else {
            symlink("/dev/zero", p.join("x.yaml")).unwrap();
        }
        let o = finish_within(child, Duration::from_secs(30), "the write");
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("error: x.yaml: file changed on disk"), "{err}");
        let kind = std::fs::symlink_metadata(p.join("x.yaml"))
            .unwrap()
            .file_type();
        assert!(if fifo {
            kind.is_fifo()
        } else {
            kind.is_symlink()
        });
        no_temp_files(p);
    }
}

// ------------------------------------------------------------------ case 7

/// 300 files, each with two aliases; two rule sets, one for each.
fn two_rule_sets() -> (tempfile::TempDir, tempfile::TempDir) {
    let rules = tempfile::tempdir().unwrap();
    for (name, canon, alias, field) in [
        ("a.toml", "pve", "pve-shop", "host"),
        ("b.toml", "proxmox-home", "pve-home", "backup"),
    ] {
        std::fs::write(
            rules.path().join(name),
            format!(
                "version = 1\n[[canonical]]\nname = \"{canon}\"\naliases = [\"{alias}\"]\n[[field]]\nselect = [\"{field}\"]\n"
            ),
        )
        .unwrap();
    }
    let base = tempfile::tempdir().unwrap();
    for i in 0..300 {
        std::fs::write(
            base.path().join(format!("f{i:03}.yaml")),
            "host: pve-shop\nbackup: pve-home\n",
        )
        .unwrap();
    }
    (rules, base)
}

fn apply_with(rules: &Path, base: &Path) -> Command {
    let mut c = cmd(base, &["--rules"]);
    c.arg(rules).args(["fix", "--apply"]);
    c
}

fn all_edits_kept(base: &Path) {
    for i in 0..300 {
        let name = format!("f{i:03}.yaml");
        assert_eq!(
            read(&base.join(&name)),
            "host: pve\nbackup: proxmox-home\n",
            "{name}: an edit was lost"
        );
    }
}

/// The first run holds the base directory (paused before its first write):
/// a second one gives up after 10 s naming it; a third waits, saying so,
/// and runs when the first is done. No edit of either is lost.
#[test]
fn case7_a_second_run_waits_for_the_first_or_gives_up_naming_it() {
    let (rules, base) = two_rule_sets();
    let b = base.path();
    let first = Paused::start(apply_with(&rules.path().join("a.toml"), b));
    let pid = first.pid();
    let start = Instant::now();
    let second = apply_with(&rules.path().join("b.toml"), b)
        .output()
        .unwrap();
    let err = text(&second.stderr);
    assert!(start.elapsed() >= Duration::from_secs(9), "{err}");
    assert_eq!(second.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("is locked by another driftfix (pid {pid})")),
        "{err}"
    );
    let mut third = apply_with(&rules.path().join("b.toml"), b).spawn().unwrap();
    let mut err = BufReader::new(third.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    assert!(line.starts_with("waiting for another driftfix"), "{line}");
    assert!(line.contains(&format!("(pid {pid})")), "{line}");
    let o = first.resume();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = finish_within(third, Duration::from_secs(60), "the waiting run");
    assert_eq!(o.status.code(), Some(0));
    all_edits_kept(b);
}

/// Two real runs started together, no pause: the lock makes them take
/// turns.
#[test]
fn case7_two_runs_started_together_lose_no_edit() {
    let (rules, base) = two_rule_sets();
    let b = base.path();
    let one = apply_with(&rules.path().join("a.toml"), b).spawn().unwrap();
    let two = apply_with(&rules.path().join("b.toml"), b).spawn().unwrap();
    let one = finish_within(one, Duration::from_secs(60), "run one");
    let two = finish_within(two, Duration::from_secs(60), "run two");
    assert_eq!(one.status.code(), Some(0), "{}", text(&one.stderr));
    assert_eq!(two.status.code(), Some(0), "{}", text(&two.stderr));
    all_edits_kept(b);
}

// ------------------------------------------------------------------ case 8

fn get_xattr(p: &Path, name: &str) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; 4096];
    match rustix::fs::lgetxattr(p, name, &mut buf[..]) {
        Ok(n) => {
            buf.truncate(n);
            Some(buf)
        }
        Err(rustix::io::Errno::NODATA) => None,
        Err(e) => panic!("{name}: {e}"),
    }
}

/// An access ACL as the kernel stores it (`system.posix_acl_access`):
/// owner rw-, user 1234 rw-, group r--, mask rw-, other r--.
fn acl_bytes() -> Vec<u8> {
    const UNDEFINED: u32 = u32::MAX;
    let mut v = 2u32.to_le_bytes().to_vec();
    for (tag, perm, id) in [
        (0x01u16, 6u16, UNDEFINED),
        (0x02, 6, 1234),
        (0x04, 4, UNDEFINED),
        (0x10, 6, UNDEFINED),
        (0x20, 4, UNDEFINED),
    ] {
        v.extend(tag.to_le_bytes());
        v.extend(perm.to_le_bytes());
        v.extend(id.to_le_bytes());
    }
    v
}

#[test]
fn case8_acls_and_extended_attributes_survive_apply() {
    let dir = tree(&[("a.yaml", OLD)]);
    let f = dir.path().join("a.yaml");
    let flags = rustix::fs::XattrFlags::empty();
    rustix::fs::setxattr(&f, "user.origin", b"inventory team", flags).unwrap();
    rustix::fs::setxattr(&f, "system.posix_acl_access", &acl_bytes(), flags).unwrap();
    let acl = get_xattr(&f, "system.posix_acl_access");
    let mode = std::fs::metadata(&f).unwrap().permissions().mode();
    let o = run(dir.path(), &["fix", "--apply"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(read(&f), NEW);
    assert_eq!(
        get_xattr(&f, "user.origin").as_deref(),
        Some(&b"inventory team"[..])
    );
    assert_eq!(get_xattr(&f, "system.posix_acl_access"), acl);
    assert_eq!(std::fs::metadata(&f).unwrap().permissions().mode(), mode);
    if cfg!(not(no_setfacl)) {
        let out = Command::new("getfacl")
            .args(["--omit-header", "--numeric"])
            .arg(&f)
            .output()
            .unwrap();
        assert!(
            text(&out.stdout).contains("user:1234:rw-"),
            "{}",
            text(&out.stdout)
        );
    }
    no_temp_files(dir.path());
}

/// A setuid file owned by root, rewritten by an unprivileged user: the new
/// file cannot be given root as its owner, so it would lose the setuid
/// bit (or keep it for the wrong owner). An error, and nothing written.
#[test]
fn case8_what_cannot_be_kept_is_an_error_and_nothing_is_written() {
    let dir = tree(&[("a.yaml", OLD)]);
    let p = dir.path();
    let f = p.join("a.yaml");
    let root = std::fs::metadata(&f).unwrap().uid() == 0;
    let setpriv = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|d| d.join("setpriv").is_file()));
    if !root || !setpriv {
        common::notice("needs root and setpriv(1): the unit tests of fs::keep cover it");
        return;
    }
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o777)).unwrap();
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o4755)).unwrap();
    // The binary where the unprivileged user can run it.
    let exe = p.join("driftfix-bin");
    std::fs::copy(bin(), &exe).unwrap();
    let o = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&exe)
        .args(["fix", "--apply", "--no-journal", "a.yaml"])
        .current_dir(p)
        .output()
        .unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("error: a.yaml: cannot keep the setuid bit"),
        "{err}"
    );
    let m = std::fs::metadata(&f).unwrap();
    assert_eq!(read(&f), OLD);
    assert_eq!((m.uid(), m.permissions().mode() & 0o7777), (0, 0o4755));
    no_temp_files(p);
}

// ------------------------------------------------------------------ case 9

/// The directory is swapped for a symlink while the temp file is being
/// synced: the rename (or the check before it) fails, and the temp file,
/// in the directory that moved, is removed all the same.
#[test]
#[cfg_attr(no_strace, ignore = "NOTICE: strace not found")]
fn case9_no_temp_file_is_left_when_the_directory_moves_under_the_write() {
    let (base, out) = swap_tree();
    let b = base.path();
    let mut child = under_strace(b, 2000, &["fix", "--apply", "a"])
        .spawn()
        .unwrap();
    wait_for(
        &mut child,
        Duration::from_secs(60),
        "the temp file",
        &|| !temps(&b.join("a/d")).is_empty(),
    );
    std::fs::rename(b.join("a/d"), b.join("a/d.real")).unwrap();
    symlink(out.path(), b.join("a/d")).unwrap();
    let o = finish_within(child, Duration::from_secs(60), "the write");
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("error: a/d/x.yaml:"), "{err}");
    assert_eq!(temps(b), Vec::<PathBuf>::new(), "{err}");
    assert_eq!(temps(out.path()), Vec::<PathBuf>::new());
    assert_eq!(read(&out.path().join("x.yaml")), OLD);
    assert_eq!(read(&b.join("a/d.real/x.yaml")), OLD);
}

// ------------------------------------------------------------------ case 10

fn five_files() -> tempfile::TempDir {
    tree(&[
        ("a.yaml", OLD),
        ("b.yaml", OLD),
        ("c.yaml", OLD),
        ("d.yaml", OLD),
        ("e.yaml", OLD),
    ])
}

/// Under `nohup` (SIGHUP ignored at start), a SIGHUP changes nothing.
#[test]
fn case10_a_signal_ignored_at_start_stays_ignored() {
    let dir = five_files();
    let p = dir.path();
    let mut c = Command::new("nohup");
    c.arg(bin())
        .args(["fix", "--apply"])
        .env("XDG_STATE_HOME", common::state_dir())
        .current_dir(p)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let paused = Paused::start(c);
    signal(paused.pid(), libc::SIGHUP);
    let o = paused.resume();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    for n in ["a", "b", "c", "d", "e"] {
        assert_eq!(read(&p.join(format!("{n}.yaml"))), NEW);
    }
}

/// SIGINT or SIGTERM before the first file starts: nothing is written, the
/// closing lines and `fix --format json`'s `files` say so file by file, and
/// driftfix ends by the signal.
#[test]
fn case10_a_stop_signal_names_the_files_not_written() {
    for (sig, name) in [(libc::SIGINT, "SIGINT"), (libc::SIGTERM, "SIGTERM")] {
        let dir = five_files();
        let p = dir.path();
        let paused = Paused::start(cmd(p, &["fix", "--apply", "--format", "json"]));
        signal_taken(paused.pid(), sig);
        let o = paused.resume();
        let err = text(&o.stderr);
        assert_eq!(o.status.signal(), Some(sig), "{name}: {err}");
        assert!(
            err.contains(&format!("interrupted by {name}: stopped after the files being written; 0 files written, 5 files not written")),
            "{err}"
        );
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        for (n, f) in ["a", "b", "c", "d", "e"]
            .iter()
            .zip(v["files"].as_array().unwrap())
        {
            let path = format!("{n}.yaml");
            assert!(err.contains(&format!("  not written: {path}\n")), "{err}");
            assert_eq!(f["path"], path.as_str());
            assert_eq!(f["status"], "skipped");
            assert_eq!(f["message"], "interrupted; not written");
            assert_eq!(read(&p.join(&path)), OLD);
        }
        no_temp_files(p);
    }
}

/// SIGINT while files are being written: those finish, no new one starts,
/// and the closing lines name each file as it is on disk.
#[test]
#[cfg_attr(no_strace, ignore = "NOTICE: strace not found")]
fn case10_a_stop_signal_during_the_writes_lets_them_finish() {
    let names: Vec<String> = (0..20).map(|i| format!("f{i:02}.yaml")).collect();
    let files: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), OLD)).collect();
    let dir = tree(&files);
    let p = dir.path();
    let mut child = under_strace(p, 1500, &["fix", "--apply", "--format", "json"])
        .spawn()
        .unwrap();
    wait_for(&mut child, Duration::from_secs(60), "a temp file", &|| {
        !temps(p).is_empty()
    });
    // The signal goes to driftfix, strace's child.
    let pid = std::fs::read_to_string(format!("/proc/{}/task/{}/children", child.id(), child.id()))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse::<i32>()
        .unwrap();
    signal(pid, libc::SIGINT);
    let o = finish_within(child, Duration::from_secs(60), "the stopped run");
    let err = text(&o.stderr);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut written = 0;
    for (n, f) in names.iter().zip(v["files"].as_array().unwrap()) {
        let on_disk = read(&p.join(n));
        if f["status"] == "changed" {
            written += 1;
            assert_eq!(on_disk, NEW, "{n}");
            assert!(err.contains(&format!("  written: {n}\n")), "{err}");
        } else {
            assert_eq!(f["message"], "interrupted; not written", "{n}");
            assert_eq!(on_disk, OLD, "{n}");
            assert!(err.contains(&format!("  not written: {n}\n")), "{err}");
        }
    }
    assert!(written >= 1, "the file being written was finished: {err}");
    assert!(written < names.len(), "no new file was started: {err}");
    assert!(err.contains("interrupted by SIGINT"), "{err}");
    no_temp_files(p);
}

// ------------------------------------------------------------------ case 11

#[test]
fn case11_names_with_escape_sequences_are_escaped_in_notes_and_errors() {
    let clear = "a\u{1b}[2J.yaml";
    let title = "b\u{1b}]0;owned\u{7}.yaml";
    let dir = tree(&[(clear, OLD), (title, OLD)]);
    let p = dir.path();
    std::fs::hard_link(p.join(clear), p.join("second-name.txt")).unwrap();
    let paused = Paused::start(cmd(p, &["fix", "--apply"]));
    std::fs::write(p.join(title), "host: edited-meanwhile\n").unwrap();
    let o = paused.resume();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(
        err.contains("note: a\\u{1b}[2J.yaml had 2 hard links"),
        "{err}"
    );
    assert!(
        err.contains("error: b\\u{1b}]0;owned\\u{7}.yaml: file changed on disk"),
        "{err}"
    );
}

// ------------------------------------------------------------------ case 12

/// Runs the command and returns its exit code and peak memory (KB).
#[allow(
    clippy::zombie_processes,
    reason = "the child is reaped by wait4, which also gives its peak memory"
)]
fn peak_rss(mut c: Command) -> (Option<i32>, i64) {
    let child = common::spawn_forked(c.stdout(Stdio::null()).stderr(Stdio::null())).unwrap();
    let pid = i32::try_from(child.id()).unwrap();
    let mut status = 0;
    // SAFETY: rusage is plain data; all zeroes is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4(2) on our own child, with valid pointers.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid);
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    (code, usage.ru_maxrss)
}

/// The issue's 90 KB scalar with 10,000 token hits (YAML, JSON, TOML):
/// 1.3 GB before, a few tens of MB now.
#[test]
fn case12_a_long_value_with_many_hits_takes_little_memory() {
    let rules = "version = 1\n[[canonical]]\nname = \"pve\"\naliases = [\"pve-shop\"]\n[[field]]\nselect = [\"note\"]\nmatch = \"token\"\n";
    let value = vec!["pve-shop"; 10_000].join(" ");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("driftfix.toml"), rules).unwrap();
    std::fs::write(p.join("a.yaml"), format!("note: {value}\n")).unwrap();
    std::fs::write(p.join("b.json"), format!("{{\"note\": \"{value}\"}}\n")).unwrap();
    std::fs::write(p.join("c.toml"), format!("note = \"{value}\"\n")).unwrap();
    for name in ["a.yaml", "b.json", "c.toml"] {
        let fix = name == "a.yaml";
        for args in [&["scan", name][..], &["fix", name]] {
            if args[0] == "fix" && !fix {
                continue;
            }
            let (code, kb) = peak_rss(cmd(p, args));
            assert_eq!(code, Some(1), "{args:?}");
            assert!(kb < 200_000, "{args:?}: {kb} KB");
        }
    }
}
