//! SPEC §14: the journal every writing run keeps, and `driftfix undo`.
//! (Undo after `fix --preview` with a file declined is in `preview.rs`,
//! which drives the review through a pseudo-terminal.)

use std::fs;
use std::path::{Path, PathBuf};

mod common;
use common::{driftfix, homelab_copy, no_temp_files, read, snapshot};

const RULES: &str = "version = 1\n[[canonical]]\nname = \"pve\"\naliases = [\"pve-shop\"]\n[[field]]\nselect = [\"host\"]\n";

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("driftfix.toml"), RULES).unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
    dir
}

/// `driftfix ARGS` in `dir` with the journal in `journal`: (exit code,
/// stdout, stderr).
fn run(dir: &Path, journal: &Path, args: &[&str]) -> (i32, String, String) {
    let out = driftfix()
        .current_dir(dir)
        .args(args)
        .arg("--journal")
        .arg(journal)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `fix --apply` then `undo` on the homelab example: every file byte for
/// byte; a second `undo` finds nothing more; `--list` shows the run.
#[test]
fn undo_after_apply_restores_every_file_byte_for_byte() {
    let dir = homelab_copy();
    let journal = tempfile::tempdir().unwrap();
    let before = snapshot(dir.path());
    let (code, _, err) = run(dir.path(), journal.path(), &["fix", "--apply"]);
    assert_eq!(code, 0, "{err}");
    assert_ne!(snapshot(dir.path()), before);
    let (code, out, _) = run(dir.path(), journal.path(), &["undo", "--list"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("RUN "), "{out}");
    assert!(out.contains("      4  written        fix --apply"), "{out}");
    let (code, _, err) = run(dir.path(), journal.path(), &["undo"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("restored workbench/infra/data/backup_inventory.json\n"),
        "{err}"
    );
    assert!(err.contains(": restored 4 files\n"), "{err}");
    assert_eq!(snapshot(dir.path()), before, "byte for byte");
    no_temp_files(dir.path());
    let (code, _, err) = run(dir.path(), journal.path(), &["undo"]);
    assert_eq!(code, 0);
    assert!(err.contains("nothing to undo"), "{err}");
    let (_, out, _) = run(dir.path(), journal.path(), &["undo", "--list"]);
    assert!(out.contains("      4  undone         fix --apply"), "{out}");
}

/// A file edited again after the run is reported and left alone (exit 1);
/// the others are restored. Once the edit is gone, `undo` finishes the job.
#[test]
fn a_file_edited_since_the_run_is_left_alone() {
    let dir = tree(&[
        ("a.yaml", "host: pve-shop\n"),
        ("b.yaml", "host: pve-shop # b\n"),
    ]);
    let journal = tempfile::tempdir().unwrap();
    let (code, _, err) = run(dir.path(), journal.path(), &["fix", "--apply"]);
    assert_eq!(code, 0, "{err}");
    fs::write(dir.path().join("b.yaml"), "host: pve # edited by hand\n").unwrap();
    let (code, _, err) = run(dir.path(), journal.path(), &["undo"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("restored a.yaml\n"), "{err}");
    assert!(
        err.contains("left alone: b.yaml: its bytes are not what that run wrote"),
        "{err}"
    );
    assert!(err.contains("restored 1 file; left 1 file alone"), "{err}");
    assert_eq!(read(dir.path(), "a.yaml"), "host: pve-shop\n");
    assert_eq!(read(dir.path(), "b.yaml"), "host: pve # edited by hand\n");
    // The hand edit undone by hand: undo goes on with the same run.
    fs::write(dir.path().join("b.yaml"), "host: pve # b\n").unwrap();
    let (code, _, err) = run(dir.path(), journal.path(), &["undo"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(read(dir.path(), "b.yaml"), "host: pve-shop # b\n");
}

/// Runs stack: each `undo` takes back the newest run not yet undone for
/// the base directory, and only that base's runs.
#[test]
fn undo_goes_back_one_run_at_a_time_and_only_for_its_base() {
    let dir = tree(&[("a.yaml", "host: pve-shop\n")]);
    let other = tree(&[("x.yaml", "host: pve-shop\n")]);
    let journal = tempfile::tempdir().unwrap();
    run(dir.path(), journal.path(), &["fix", "--apply"]);
    fs::write(dir.path().join("b.yaml"), "host: pve-shop\n").unwrap();
    run(dir.path(), journal.path(), &["fix", "--apply"]);
    run(other.path(), journal.path(), &["fix", "--apply"]);
    assert_eq!(read(dir.path(), "a.yaml"), "host: pve\n");
    let (code, _, err) = run(dir.path(), journal.path(), &["undo"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(read(dir.path(), "b.yaml"), "host: pve-shop\n");
    assert_eq!(
        read(dir.path(), "a.yaml"),
        "host: pve\n",
        "the older run stays"
    );
    let (code, _, err) = run(dir.path(), journal.path(), &["undo"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(read(dir.path(), "a.yaml"), "host: pve-shop\n");
    assert_eq!(read(other.path(), "x.yaml"), "host: pve\n", "another base");
    // --base from anywhere.
    let out = driftfix()
        .args(["undo", "--base"])
        .arg(other.path())
        .arg("--journal")
        .arg(journal.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(read(other.path(), "x.yaml"), "host: pve-shop\n");
}

/// A run killed while it writes: the journal holds every file it wrote
/// (recorded before the first write), so `undo` brings them all back.
#[test]
fn undo_after_an_interrupted_run() {
    use std::time::{Duration, Instant};
    const OLD: &str = "{\"host\": \"pve-shop\"}\n";
    let dir = tree(&[]);
    let files: Vec<PathBuf> = (0..1500)
        .map(|i| dir.path().join(format!("d{:02}/f{i:04}.json", i % 30)))
        .collect();
    for f in &files {
        fs::create_dir_all(f.parent().unwrap()).unwrap();
        fs::write(f, OLD).unwrap();
    }
    let journal = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("driftfix"))
        .current_dir(dir.path())
        .args(["fix", "--apply", "--journal"])
        .arg(journal.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let written = || {
        files
            .iter()
            .take(50)
            .any(|f| fs::read(f).unwrap() != OLD.as_bytes())
    };
    while !written() && child.try_wait().unwrap().is_none() {
        assert!(start.elapsed() < Duration::from_secs(120), "no write began");
        std::thread::sleep(Duration::from_millis(1));
    }
    // SIGKILL: nothing of driftfix's runs after it, not even a `done` line.
    child.kill().unwrap();
    child.wait().unwrap();
    let changed = files
        .iter()
        .filter(|f| fs::read(f).unwrap() != OLD.as_bytes())
        .count();
    assert!(changed > 0);
    eprintln!("{changed} of {} files written before the kill", files.len());
    let (code, _, err) = run(dir.path(), journal.path(), &["undo"]);
    assert_eq!(code, 0, "{err}");
    for f in &files {
        assert_eq!(fs::read_to_string(f).unwrap(), OLD, "{f:?}");
    }
}

/// No journal, no write: a journal that cannot be written (or would lie
/// in the base directory) stops the run before any file is touched
/// (exit 2), unless `--no-journal`.
#[test]
fn a_journal_that_cannot_be_written_writes_nothing() {
    let dir = tree(&[("a.yaml", "host: pve-shop\n")]);
    let blocker = tempfile::NamedTempFile::new().unwrap();
    let (code, _, err) = run(dir.path(), &blocker.path().join("j"), &["fix", "--apply"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("error: journal "), "{err}");
    assert_eq!(read(dir.path(), "a.yaml"), "host: pve-shop\n");

    let inside = dir.path().join("state");
    let (code, _, err) = run(dir.path(), &inside, &["fix", "--apply"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is inside the base directory"), "{err}");
    assert!(!inside.exists(), "nothing created in the base");
    assert_eq!(read(dir.path(), "a.yaml"), "host: pve-shop\n");

    let out = driftfix()
        .current_dir(dir.path())
        .args(["fix", "--apply", "--no-journal"])
        .env("XDG_STATE_HOME", blocker.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(read(dir.path(), "a.yaml"), "host: pve\n");
    // Dry runs never journal.
    let (code, _, _) = run(dir.path(), &blocker.path().join("j"), &["fix", "--dry-run"]);
    assert_eq!(code, 0);
}

/// The default journal is `$XDG_STATE_HOME/driftfix`; the last 20 runs
/// are kept.
#[test]
fn the_journal_lives_in_the_state_directory_and_keeps_twenty_runs() {
    let dir = tree(&[]);
    let state = tempfile::tempdir().unwrap();
    for i in 0..22 {
        fs::write(dir.path().join(format!("f{i}.yaml")), "host: pve-shop\n").unwrap();
        let out = driftfix()
            .current_dir(dir.path())
            .args(["fix", "--apply"])
            .env("XDG_STATE_HOME", state.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
    }
    let runs = state.path().join("driftfix/runs");
    assert_eq!(fs::read_dir(&runs).unwrap().count(), 20);
    let newest = fs::read_dir(&runs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .max()
        .unwrap();
    let journal = fs::read_to_string(newest.join("journal.jsonl")).unwrap();
    let first = journal.lines().next().unwrap();
    assert!(
        first.starts_with("{\"schema\":\"driftfix-journal/v1\",\"run\":"),
        "{first}"
    );
    assert!(
        journal.contains("{\"op\":\"write\",\"path\":\"f21.yaml\",\"before_sha256\":"),
        "{journal}"
    );
    assert!(
        journal.contains("{\"op\":\"done\",\"path\":\"f21.yaml\",\"written\":true}"),
        "{journal}"
    );
    assert_eq!(
        fs::read(newest.join("before.bin")).unwrap(),
        b"host: pve-shop\n"
    );
    // undo reads the same place.
    let out = driftfix()
        .current_dir(dir.path())
        .arg("undo")
        .env("XDG_STATE_HOME", state.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(read(dir.path(), "f21.yaml"), "host: pve-shop\n");
    assert_eq!(read(dir.path(), "f20.yaml"), "host: pve\n");
}
