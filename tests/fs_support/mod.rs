//! Helpers for the tests of the directory-handle layer (`tests/fs_*.rs`).
#![allow(dead_code)]

use std::io::Write as _;
use std::path::{Path, PathBuf};

use driftfix::fs::FileId;

pub const OLD: &[u8] = b"host: pve-shop\n";
pub const NEW: &[u8] = b"host: pve\n";

/// Every `.driftfix-*` temp file under `root`, symlinks not followed.
pub fn temps_under(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            if e.file_name().to_string_lossy().starts_with(".driftfix-") {
                found.push(path.clone());
            }
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                todo.push(path);
            }
        }
    }
    found
}

/// Asserts that no temp file is left under any of `roots`.
pub fn assert_no_temps(roots: &[&Path]) {
    for r in roots {
        let t = temps_under(r);
        assert!(t.is_empty(), "temp files left: {t:?}");
    }
}

/// A notice that the test harness does not swallow (written to the real
/// stderr, not through the captured `eprintln!`), for a skipped check.
pub fn notice(msg: &str) {
    let _ = writeln!(std::io::stderr(), "NOTICE: {msg}");
}

/// Whether a program is on the PATH.
pub fn have(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(tool).is_file()))
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("probe");
    std::fs::write(&p, b"").unwrap();
    std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(&p).unwrap()) == 0
}

/// A `forbidden` check refusing the files with these identities.
pub fn forbid(ids: Vec<(FileId, &'static str)>) -> impl Fn(FileId) -> Option<String> {
    move |id| {
        ids.iter()
            .find(|(f, _)| *f == id)
            .map(|(_, why)| why.to_string())
    }
}

pub fn id(path: &Path) -> FileId {
    FileId::of_path(path).unwrap()
}
