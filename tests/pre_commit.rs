//! The pre-commit hooks of `.pre-commit-hooks.yaml` (SPEC §13), run the
//! way a user tries them before adding them to a config:
//! `pre-commit try-repo <this repository> driftfix --all-files` in a
//! scratch git repository.
//!
//! `language: rust` makes pre-commit build driftfix with `cargo install
//! --path .` from a clone of this repository (committed files, plus staged
//! and modified tracked ones). To keep that offline and quick, the build
//! runs with `CARGO_NET_OFFLINE=true` (the crates `cargo fetch` already
//! downloaded), a target directory kept under `target/` between runs (only
//! driftfix itself is rebuilt after the first time), and the release
//! profile at `opt-level` 0.

use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::repo;

const RULES: &str = r#"version = 1
[[canonical]]
name = "pve"
aliases = ["pve-shop"]
[[field]]
select = ["host"]
"#;

/// `pre-commit try-repo <crate> ARGS --all-files` in `dir`.
fn try_repo(dir: &Path, hook: Option<&str>) -> Output {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = Command::new("pre-commit");
    cmd.current_dir(dir)
        .arg("try-repo")
        .arg(repo())
        .args(hook)
        .args(["--all-files", "--color", "never"])
        .env("PRE_COMMIT_HOME", home.path())
        // The hook's `fix --apply` journals there, not in ~/.local/state.
        .env("XDG_STATE_HOME", common::state_dir())
        .env(
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("pre-commit-target"),
        )
        .env("CARGO_NET_OFFLINE", "true")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
        .env_remove("NO_COLOR");
    cmd.output().unwrap()
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
#[cfg_attr(
    any(no_pre_commit, no_git),
    ignore = "NOTICE: pre-commit or git not found"
)]
fn pre_commit_try_repo_runs_both_hooks() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q"]);
    for (name, body) in [
        ("driftfix.toml", RULES),
        ("inv/a.yaml", "# cluster\nhost: pve-shop\n"),
        ("inv/b.json", "{\"host\": \"pve-shop\"}\n"),
        ("inv/hosts.ini", "[web]\nweb1 host=pve-shop\n"),
        ("notes.txt", "pve-shop is not a governed file\n"),
    ] {
        let path = d.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    git(d, &["add", "-A"]);

    // Both hooks (sorted by id): `driftfix` fails and lists the findings,
    // `driftfix-fix` rewrites the aliases.
    let out = try_repo(d, None);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("- hook id: driftfix\n"), "{all}");
    assert!(all.contains("inv/a.yaml:2:7"), "{all}");
    assert!(all.contains("inv/b.json:1:11"), "{all}");
    assert!(all.contains("inv/hosts.ini:2:11"), "{all}");
    assert!(all.contains("- hook id: driftfix-fix"), "{all}");
    assert!(all.contains("files were modified by this hook"), "{all}");
    assert_eq!(
        std::fs::read_to_string(d.join("inv/a.yaml")).unwrap(),
        "# cluster\nhost: pve\n"
    );
    assert_eq!(
        std::fs::read_to_string(d.join("inv/b.json")).unwrap(),
        "{\"host\": \"pve\"}\n"
    );
    assert_eq!(
        std::fs::read_to_string(d.join("inv/hosts.ini")).unwrap(),
        "[web]\nweb1 host=pve\n"
    );
    assert_eq!(
        std::fs::read_to_string(d.join("notes.txt")).unwrap(),
        "pve-shop is not a governed file\n",
        "types_or passes no text file"
    );

    // The issue's command, on the fixed tree: it passes.
    git(d, &["add", "-A"]);
    let out = try_repo(d, Some("driftfix"));
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("Passed"), "{all}");
}
