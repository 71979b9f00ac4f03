//! Good files beside bad ones: a tree whose good files must come out fixed
//! whatever bad input sits next to them (issue 8's tests in `hostile.rs` and
//! `hardening.rs`).

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;

/// A rule file governing `host` in every file type.
pub const RULES: &str = r#"[[canonical]]
name = "pve"
aliases = ["pve-shop"]
[[field]]
select = ["host"]
"#;

/// The good files and what they must hold after `fix --apply`.
pub const GOOD: [(&str, &str, &str); 3] = [
    ("good.yaml", "host: pve-shop\n", "host: pve\n"),
    (
        "good.json",
        "{\"host\": \"pve-shop\"}\n",
        "{\"host\": \"pve\"}\n",
    ),
    ("good.toml", "host = \"pve-shop\"\n", "host = \"pve\"\n"),
];

/// A temporary directory with `driftfix.toml` ([`RULES`]) and the [`GOOD`]
/// files.
pub fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("driftfix.toml"), RULES).unwrap();
    for (name, before, _) in GOOD {
        std::fs::write(dir.path().join(name), before).unwrap();
    }
    dir
}

/// The binary, run in `dir`, killed (and the test failed) after two
/// minutes: nothing may block.
pub fn driftfix(dir: &Path) -> Command {
    let mut c = super::driftfix();
    c.current_dir(dir).timeout(Duration::from_secs(120));
    c
}

/// Every good file holds its fixed text.
pub fn good_is_fixed(dir: &Path) {
    for (name, _, after) in GOOD {
        assert_eq!(
            std::fs::read_to_string(dir.join(name)).unwrap(),
            after,
            "{name}"
        );
    }
}

/// Files that are no trouble (empty, blank, only a BOM or comments): beside
/// them, `fix --apply` exits 0 and fixes the good files.
pub fn fine_beside_good(files: &[(&str, &str)]) {
    let dir = tree();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    driftfix(dir.path())
        .args(["fix", "--apply"])
        .assert()
        .code(0);
    good_is_fixed(dir.path());
}

/// Runs `f` and fails the test when it took `limit` or longer: a guard
/// against hangs and quadratic blow-ups, set far above the expected time
/// (timings themselves belong in `benches/`).
pub fn timed<T>(limit: std::time::Duration, what: &str, f: impl FnOnce() -> T) -> T {
    let start = std::time::Instant::now();
    let out = f();
    let took = start.elapsed();
    assert!(took < limit, "{what}: took {took:?}, limit {limit:?}");
    out
}
