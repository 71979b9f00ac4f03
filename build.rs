//! Probes what some integration tests need from outside the crate, so that a
//! test whose input is missing is reported as *ignored* (with a notice), not
//! as passed. Emits one `--cfg` per missing thing:
//!
//! | cfg | set when |
//! | --- | --- |
//! | `no_conformance` | the conformance corpus (`$DRIFTFIX_CONFORMANCE`, else `../shared/conformance`) or one of its suites is missing |
//! | `no_git`, `no_patch`, `no_ansible_inventory`, `no_pre_commit`, `no_groff`, `no_strace`, `no_setfacl`, `no_flock` | that program is not on `PATH` |
//!
//! Tests use them as `#[cfg_attr(no_git, ignore = "NOTICE: git not found")]`
//! (see `tests/common/mod.rs`). Cargo passes these cfgs to every target of
//! the package, integration tests included. The probe reruns when
//! `DRIFTFIX_CONFORMANCE` or `PATH` changes; a corpus or program that appears
//! without either changing needs `touch build.rs`.

use std::path::{Path, PathBuf};

/// The suites the conformance tests read, under the corpus folder.
const SUITES: [&str; 4] = [
    "yaml-test-suite",
    "json-test-suite",
    "toml-test",
    "realworld",
];

/// Programs the tests run, and the cfg set when one is missing.
const PROGRAMS: [(&str, &str); 8] = [
    ("git", "no_git"),
    ("patch", "no_patch"),
    ("ansible-inventory", "no_ansible_inventory"),
    ("pre-commit", "no_pre_commit"),
    ("groff", "no_groff"),
    ("strace", "no_strace"),
    ("setfacl", "no_setfacl"),
    ("flock", "no_flock"),
];

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=DRIFTFIX_CONFORMANCE");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rustc-check-cfg=cfg(no_conformance)");
    for (_, cfg) in PROGRAMS {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
    }

    let corpus = conformance_dir();
    let missing: Vec<&str> = SUITES
        .into_iter()
        .filter(|s| !corpus.join(s).is_dir())
        .collect();
    if !missing.is_empty() {
        println!("cargo::rustc-cfg=no_conformance");
        println!(
            "cargo::warning=NOTICE: conformance corpus not found at {} (missing: {}); tests that need it are ignored (set DRIFTFIX_CONFORMANCE)",
            corpus.display(),
            missing.join(", ")
        );
    }
    for (program, cfg) in PROGRAMS {
        if !on_path(program) {
            println!("cargo::rustc-cfg={cfg}");
            println!("cargo::warning=NOTICE: {program} not found; tests that need it are ignored");
        }
    }
}

/// `$DRIFTFIX_CONFORMANCE`, else `../shared/conformance` beside the crate
/// (the same rule as `tests/common::conformance_dir`).
fn conformance_dir() -> PathBuf {
    match std::env::var_os("DRIFTFIX_CONFORMANCE") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance"),
    }
}

/// Whether an executable file named `program` is in a `PATH` directory.
fn on_path(program: &str) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| {
        std::fs::metadata(dir.join(program))
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}
