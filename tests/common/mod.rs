//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod beside;
pub mod oracle;

use std::path::PathBuf;

/// The shared conformance corpora: `$DRIFTFIX_CONFORMANCE`, else
/// `../shared/conformance` next to the crate. `None` (with a printed notice)
/// when the folder or the named suite is absent, so the caller can skip.
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
pub fn files_under(dir: &std::path::Path, keep: &dyn Fn(&std::path::Path) -> bool) -> Vec<PathBuf> {
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
