//! Issue 12, case 7: one writer per base directory. The lock is an
//! exclusive `flock` on the base directory itself; a second locker waits,
//! then fails saying who holds it.

mod fs_support;

use std::cell::RefCell;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use driftfix::fs::{BaseDir, FsError, LOCK_TIMEOUT};

/// Waits until someone else holds the lock on `base` (a zero-timeout try
/// fails), for at most 10 s.
fn wait_until_held(base: &BaseDir) {
    let start = Instant::now();
    while base.lock(Duration::ZERO, &|_| {}).is_ok() {
        assert!(start.elapsed() < Duration::from_secs(10), "never locked");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// `flock -x -o DIR cat`: another process holding the lock until its
/// stdin closes (`-o`: `cat` does not inherit the lock, so it ends with
/// flock(1) itself).
fn hold_in_child(dir: &Path) -> Child {
    Command::new("flock")
        .args(["-x", "-o"])
        .arg(dir)
        .arg("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
#[cfg_attr(no_flock, ignore = "NOTICE: flock(1) not found (util-linux)")]
fn a_second_run_waits_then_fails_naming_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let base = BaseDir::open(dir.path()).unwrap();
    let mut child = hold_in_child(dir.path());
    wait_until_held(&base);

    let told = RefCell::new(Vec::new());
    let start = Instant::now();
    let e = base
        .lock(Duration::from_secs(1), &|pid| told.borrow_mut().push(pid))
        .unwrap_err();
    let waited = start.elapsed();
    assert!(waited >= Duration::from_secs(1), "waited {waited:?}");
    assert!(waited < Duration::from_secs(3), "waited {waited:?}");
    let FsError::Locked { holder, .. } = &e else {
        panic!("{e}");
    };
    // /proc/locks names the process that took the lock: flock(1) itself.
    assert_eq!(*holder, Some(child.id()), "{e}");
    assert_eq!(
        *told.borrow(),
        [Some(child.id())],
        "told once, with the pid"
    );
    assert_eq!(
        e.to_string(),
        format!(
            "the base directory {} is locked by another driftfix (pid {}); gave up after 1 s",
            dir.path().display(),
            child.id()
        )
    );

    // The holder ends: the lock is free at once.
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
    let start = Instant::now();
    let held = base.lock(LOCK_TIMEOUT, &|_| {}).unwrap();
    assert!(start.elapsed() < Duration::from_secs(2));
    drop(held);
}

#[test]
fn a_waiting_run_gets_the_lock_when_the_first_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let first = BaseDir::open(dir.path()).unwrap();
    let held = first.lock(LOCK_TIMEOUT, &|_| {}).unwrap();
    let path = dir.path().to_path_buf();
    let (waiting_tx, waiting_rx) = std::sync::mpsc::channel();
    let second = std::thread::spawn(move || {
        let base = BaseDir::open(&path).unwrap();
        let start = Instant::now();
        let lock = base.lock(Duration::from_secs(20), &|_| waiting_tx.send(()).unwrap());
        (lock.is_ok(), start.elapsed())
    });
    // Released only once the second run says it waits.
    waiting_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    drop(held);
    let (ok, waited) = second.join().unwrap();
    assert!(ok);
    assert!(
        waited >= Duration::from_millis(200),
        "it waited: {waited:?}"
    );
    assert!(waited < Duration::from_secs(20));
    // No lock file anywhere: the directory is as it was.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
