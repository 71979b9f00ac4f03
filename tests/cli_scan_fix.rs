//! End-to-end behaviour of `scan` and `fix` on the shipped homelab example
//! and on small trees built in temp directories (SPEC §1-§6).

use std::path::Path;
use std::process::Command as StdCommand;

use predicates::prelude::*;
use serde_json::Value;

mod common;
use common::{driftfix, homelab_copy, read, repo, snapshot};

/// A temp directory with `driftfix.toml` holding `rules` and the `files`.
fn small_tree(rules: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("driftfix.toml"), rules).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// Runs `fix --apply` in `dir` and checks its exit code.
fn apply_exits(dir: &Path, code: i32) {
    driftfix()
        .current_dir(dir)
        .args(["fix", "--apply"])
        .assert()
        .code(code);
}

fn scan_json(dir: &Path, extra: &[&str]) -> Value {
    let out = driftfix()
        .current_dir(dir)
        .args(["scan", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn scan_reports_every_alias_with_roles_and_severities() {
    let out = driftfix()
        .current_dir(repo())
        .args([
            "scan",
            "--rules",
            "rules/homelab.toml",
            "--base",
            "tests/fixtures/homelab",
            "--format",
            "json",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["schema"], "driftfix/v1");
    let findings = v["findings"].as_array().unwrap();
    let get = |path: &str, line: u64| {
        findings
            .iter()
            .find(|f| f["path"] == path && f["line"] == line)
            .unwrap_or_else(|| panic!("no finding at {path}:{line}"))
    };
    let backup = get("workbench/infra/data/backup_inventory.json", 5);
    assert_eq!(backup["column"], 15);
    assert_eq!(backup["field"], "backups[1].host");
    assert_eq!(backup["actual"], "pve-home");
    assert_eq!(backup["expected"], "proxmox-home");
    assert_eq!(backup["severity"], "high");
    assert_eq!(backup["action"], "fix");
    assert_eq!(backup["kind"], "value");
    let legacy = get("legacy/ronny-ops/infrastructure/inventory.yaml", 4);
    assert_eq!(legacy["role"], "readonly");
    assert_eq!(legacy["action"], "report");
    assert_eq!(legacy["severity"], "low");
    let url = get("workbench/infra/data/CONTAINER_INVENTORY.yaml", 23);
    assert_eq!(url["match"], "token");
    assert_eq!(url["column"], 18);
    assert_eq!(url["expected"], "https://pve.lan:8006/#v1:0:=qemu%2F206");
    let key = findings
        .iter()
        .find(|f| f["kind"] == "key")
        .expect("a key finding");
    assert_eq!(key["field"], "hosts.pve-home");
    assert!(
        findings
            .iter()
            .all(|f| !f["path"].as_str().unwrap().starts_with("spine/"))
    );
    // sorted by path, line, column
    let keys: Vec<(String, u64, u64)> = findings
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(
        v["summary"]["findings"].as_u64().unwrap() as usize,
        findings.len()
    );
    assert_eq!(v["errors"], serde_json::json!([]));
}

#[test]
#[cfg_attr(no_git, ignore = "NOTICE: git not found")]
fn dry_run_patch_applies_with_git_apply_and_patch_to_exactly_what_apply_writes() {
    let applied = homelab_copy();
    let via_git = homelab_copy();
    let via_patch = homelab_copy();
    let before = snapshot(applied.path());
    let out = driftfix()
        .current_dir(applied.path())
        .arg("fix")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let diff = String::from_utf8(out).unwrap();
    assert!(diff.contains("--- a/workbench/infra/data/backup_inventory.json"));
    assert!(
        !diff.contains("legacy/"),
        "read-only files must not be patched"
    );
    assert!(!diff.contains("spine/"));
    assert_eq!(snapshot(applied.path()), before, "dry run wrote something");

    driftfix()
        .current_dir(applied.path())
        .args(["fix", "--apply"])
        .assert()
        .code(0);
    let patch_file = applied.path().join("../fix.patch");
    std::fs::write(&patch_file, &diff).unwrap();
    let git = StdCommand::new("git")
        .current_dir(via_git.path())
        .args(["apply", "--whitespace=nowarn"])
        .arg(&patch_file)
        .status()
        .unwrap();
    assert!(git.success());
    let patch = StdCommand::new("patch")
        .current_dir(via_patch.path())
        .args(["-p1", "--quiet", "-i"])
        .arg(&patch_file)
        .status();
    let after = snapshot(applied.path());
    assert_ne!(after, before);
    assert_eq!(snapshot(via_git.path()), after);
    if let Ok(status) = patch {
        assert!(status.success());
        assert_eq!(snapshot(via_patch.path()), after);
    } else {
        eprintln!("NOTICE: `patch` not installed; patch -p1 check skipped");
    }
    // read-only and authority files are byte-identical
    for ((p, a), (_, b)) in before.iter().zip(&after) {
        let s = p.to_string_lossy();
        if s.starts_with("legacy") || s.starts_with("spine") {
            assert_eq!(a, b, "{s} changed");
        }
    }
    // second run: nothing to do
    driftfix()
        .current_dir(applied.path())
        .args(["fix", "--apply"])
        .assert()
        .code(0);
    assert_eq!(snapshot(applied.path()), after);
    driftfix()
        .current_dir(applied.path())
        .arg("fix")
        .assert()
        .code(0)
        .stdout("");
}

#[test]
fn apply_rewrites_only_label_bytes() {
    let dir = homelab_copy();
    apply_exits(dir.path(), 0);
    let read = |p: &str| read(dir.path(), p);
    let yaml = read("workbench/infra/data/CONTAINER_INVENTORY.yaml");
    assert!(yaml.contains("    location: pve        # shop rack\n"));
    assert!(yaml.contains("    location: \"pve\"\n"));
    assert!(yaml.contains("    location: 'pve'\n"));
    assert!(yaml.contains("  - {name: infra-core, vmid: 204, location: pve}\n"));
    assert!(yaml.contains("url: https://pve.lan:8006/#v1:0:=qemu%2F206\n"));
    let json = read("workbench/infra/data/monitoring_inventory.json");
    assert!(json.contains("\"host\": \"pve\",\r\n"));
    assert!(
        json.contains("caf\\u00e9 rack \\/ row 2"),
        "other strings keep their escapes"
    );
    assert!(!json.ends_with('\n'));
    let backup = read("workbench/infra/data/backup_inventory.json");
    assert!(backup.contains("{\"host\": \"proxmox-home\", \"path\": \"/mnt/backup/pve-home\""));
    let toml = read("workbench/infra/config/clusters.toml");
    assert!(toml.contains("cluster = \"pve\"   # where new VMs land\n"));
    assert!(toml.contains("api = 'https://pve.lan:8006/api2/json'\n"));
    assert!(toml.contains("[hosts.proxmox-home]\n"));
}

#[test]
fn scan_exit_codes_follow_fail_on() {
    let dir = homelab_copy();
    // homelab: high (backup), medium (workbench), low (legacy); no critical
    for (level, code) in [
        ("critical", 0),
        ("high", 1),
        ("medium", 1),
        ("low", 1),
        ("never", 0),
    ] {
        driftfix()
            .current_dir(dir.path())
            .args(["scan", "--fail-on", level])
            .assert()
            .code(code);
    }
    apply_exits(dir.path(), 0);
    // only legacy (low) remains
    for (level, code) in [("high", 0), ("medium", 0), ("low", 1)] {
        driftfix()
            .current_dir(dir.path())
            .args(["scan", "--fail-on", level])
            .assert()
            .code(code);
    }
}

#[test]
fn a_parse_error_names_file_line_and_column_and_the_rest_is_still_processed() {
    let dir = homelab_copy();
    std::fs::write(
        dir.path().join("workbench/broken.yaml"),
        "a: [pve-shop\nb: c\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("workbench/broken.json"),
        "{\"host\": \"pve-shop\",}\n",
    )
    .unwrap();
    let v = scan_json(dir.path(), &[]);
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0]["path"], "workbench/broken.json");
    // SPEC §8: the position is in `line`/`column`, not inside the message.
    assert_eq!(errors[0]["line"], 1, "{errors:?}");
    assert!(errors[0]["column"].as_u64().unwrap() > 1, "{errors:?}");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("json parse error"),
        "{errors:?}"
    );
    assert_eq!(errors[1]["path"], "workbench/broken.yaml");
    assert!(v["findings"].as_array().unwrap().len() > 5);
    driftfix()
        .current_dir(dir.path())
        .arg("scan")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error: workbench/broken.json:1:"));
    // fix --apply still fixes the good files, writes nothing bad, exits 2
    let broken = std::fs::read(dir.path().join("workbench/broken.yaml")).unwrap();
    apply_exits(dir.path(), 2);
    assert_eq!(
        std::fs::read(dir.path().join("workbench/broken.yaml")).unwrap(),
        broken
    );
    let backup = std::fs::read_to_string(
        dir.path()
            .join("workbench/infra/data/backup_inventory.json"),
    )
    .unwrap();
    assert!(backup.contains("\"host\": \"proxmox-home\""));
}

#[test]
fn roots_limit_the_scan_and_a_missing_root_is_an_error() {
    let dir = homelab_copy();
    let v = scan_json(dir.path(), &["legacy"]);
    let findings = v["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    assert!(
        findings
            .iter()
            .all(|f| f["path"].as_str().unwrap().starts_with("legacy/"))
    );
    // Named as given, like every path driftfix prints.
    driftfix()
        .current_dir(dir.path())
        .args(["scan", "no-such-dir"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: no-such-dir: root does not exist",
        ));
    let out = driftfix()
        .current_dir(dir.path())
        .args(["scan", "--format", "json", "no-such-dir"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["errors"][0]["path"], "no-such-dir", "{v}");
}

/// SPEC §8: a file named as a ROOT that has no type is an error (it was
/// a warning and exit 0 in v1), naming the `[types]` line that would take it.
#[test]
fn a_root_without_a_file_type_is_an_error() {
    let dir = homelab_copy();
    std::fs::write(dir.path().join("notes.md"), "pve-shop\n").unwrap();
    driftfix()
        .current_dir(dir.path())
        .args(["scan", "notes.md"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: notes.md: has no file type: add a [types] line such as \"**/*.md\" = \"",
        ));
}

#[test]
fn a_base_given_through_a_symlink_accepts_roots_by_their_real_path() {
    let dir = homelab_copy();
    let link = tempfile::tempdir().unwrap();
    let base = link.path().join("base");
    std::os::unix::fs::symlink(dir.path(), &base).unwrap();
    let out = driftfix()
        .current_dir(link.path())
        .arg("scan")
        .arg("--rules")
        .arg(base.join("driftfix.toml"))
        .arg("--base")
        .arg(&base)
        .arg("--format")
        .arg("json")
        .arg(dir.path().join("legacy"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    assert!(
        findings
            .iter()
            .all(|f| f["path"].as_str().unwrap().starts_with("legacy/")),
        "{v}"
    );
}

#[test]
fn a_relative_root_missing_from_the_current_directory_is_taken_under_the_base() {
    let out = driftfix()
        .current_dir(repo())
        .args([
            "scan",
            "legacy",
            "--rules",
            "rules/homelab.toml",
            "--base",
            "tests/fixtures/homelab",
        ])
        .args(["--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    let findings = v["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    assert!(
        findings
            .iter()
            .all(|f| f["path"].as_str().unwrap().starts_with("legacy/"))
    );
}

#[test]
fn a_root_outside_the_base_directory_is_an_error() {
    let dir = homelab_copy();
    let other = tempfile::tempdir().unwrap();
    driftfix()
        .current_dir(dir.path())
        .arg("scan")
        .arg(other.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("outside the base directory"));
}

#[test]
fn gitignored_files_git_dirs_and_rule_files_are_not_scanned() {
    let dir = homelab_copy();
    let rules = std::fs::read_to_string(dir.path().join("driftfix.toml")).unwrap();
    std::fs::write(
        dir.path().join("driftfix.toml"),
        rules.replace("[paths]\n", "[paths]\nexclude = [\"**/node_modules/**\"]\n"),
    )
    .unwrap();
    std::fs::write(dir.path().join(".gitignore"), "ignored/\n").unwrap();
    for sub in ["ignored", ".git", "node_modules/x"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        std::fs::write(dir.path().join(sub).join("a.yaml"), "host: pve-shop\n").unwrap();
    }
    // a rule file that would match its own aliases if scanned
    std::fs::write(
        dir.path().join("extra.toml"),
        "[[canonical]]\nname = \"nas\"\naliases = [\"nas-old\"]\n[[field]]\nselect = [\"aliases[*]\", \"name\"]\n",
    )
    .unwrap();
    let v = scan_json(
        dir.path(),
        &["--rules", "driftfix.toml", "--rules", "extra.toml"],
    );
    let paths: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(!paths.is_empty());
    for p in &paths {
        assert!(
            !p.starts_with("ignored/") && !p.starts_with(".git/") && !p.contains("node_modules"),
            "{p}"
        );
        assert_ne!(*p, "extra.toml");
    }
}

#[test]
fn binary_non_utf8_and_oversized_files_are_skipped_with_a_warning() {
    let dir = homelab_copy();
    std::fs::write(
        dir.path().join("workbench/bin.yaml"),
        b"host: pve-shop\0\x01",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("workbench/latin1.yaml"),
        b"host: pve-shop # caf\xe9\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("workbench/big.yaml"),
        format!("host: pve-shop\n{}", "# pad\n".repeat(400)),
    )
    .unwrap();
    driftfix()
        .current_dir(dir.path())
        .args(["scan", "--max-file-size", "1K", "--fail-on", "never"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "warning: workbench/bin.yaml: skipped: binary",
        ))
        .stderr(predicate::str::contains(
            "warning: workbench/latin1.yaml: skipped: not UTF-8",
        ))
        .stderr(predicate::str::contains(
            "warning: workbench/big.yaml: skipped: larger than --max-file-size",
        ));
}

#[test]
fn no_color_when_piped_and_color_when_forced() {
    let dir = homelab_copy();
    driftfix()
        .current_dir(dir.path())
        .arg("scan")
        .assert()
        .stdout(predicate::str::contains("\u{1b}[").not());
    driftfix()
        .current_dir(dir.path())
        .env_remove("NO_COLOR")
        .args(["scan", "--color", "always"])
        .assert()
        .stdout(predicate::str::contains("\u{1b}["));
    driftfix()
        .current_dir(dir.path())
        .env_remove("NO_COLOR")
        .args(["fix", "--color", "always"])
        .assert()
        .stdout(predicate::str::contains("\u{1b}[32m+"));
    // NO_COLOR wins over everything (SPEC §3: "never with NO_COLOR set").
    for cmd in ["scan", "fix"] {
        driftfix()
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .args([cmd, "--color", "always"])
            .assert()
            .stdout(predicate::str::contains("\u{1b}[").not());
    }
}

#[test]
fn output_file_gets_the_report_and_stdout_stays_empty() {
    let dir = homelab_copy();
    let report = dir.path().join("report.json");
    driftfix()
        .current_dir(dir.path())
        .args(["scan", "--format", "json", "--output"])
        .arg(&report)
        .assert()
        .code(1)
        .stdout("");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(v["schema"], "driftfix/v1");
}

/// SPEC §6: read-only and authority files are never written, `--output`
/// included; nor is a rule file. A missing directory is found before any
/// fix is written.
#[test]
fn output_never_overwrites_governed_or_rule_files_and_needs_its_directory() {
    let dir = homelab_copy();
    let before = snapshot(dir.path());
    for (target, needle) in [
        ("spine/ops/bindings/ssh.targets.yaml", "is authority"),
        (
            "legacy/ronny-ops/infrastructure/inventory.yaml",
            "is readonly",
        ),
        ("driftfix.toml", "is a rule file"),
        (
            "no-such-dir/report.md",
            "directory no-such-dir does not exist",
        ),
    ] {
        for cmd in [&["scan"][..], &["fix", "--apply"][..]] {
            driftfix()
                .current_dir(dir.path())
                .args(cmd)
                .args(["--output", target])
                .assert()
                .code(2)
                .stderr(predicate::str::contains(needle));
        }
    }
    assert_eq!(snapshot(dir.path()), before, "nothing written");
}

#[test]
fn fix_json_lists_files_with_status() {
    let dir = homelab_copy();
    let out = driftfix()
        .current_dir(dir.path())
        .args(["fix", "--apply", "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    let files = v["files"].as_array().unwrap();
    let status = |p: &str| {
        files
            .iter()
            .find(|f| f["path"] == p)
            .map(|f| f["status"].clone())
    };
    assert_eq!(
        status("workbench/infra/data/backup_inventory.json").unwrap(),
        "changed"
    );
    assert_eq!(
        status("spine/ops/bindings/ssh.targets.yaml").unwrap(),
        "unchanged"
    );
    assert_eq!(
        status("legacy/ronny-ops/infrastructure/inventory.yaml").unwrap(),
        "skipped"
    );
    let changed = files.iter().find(|f| f["status"] == "changed").unwrap();
    assert!(changed["changes"].as_u64().unwrap() >= 1);
}

#[test]
fn manual_findings_reach_stderr_and_exit_1() {
    let dir = small_tree(
        "[[canonical]]\nname = \"pve\"\naliases = [\"pve-shop\"]\n[[field]]\nkeys_of = [\"hosts\"]\n",
        &[("h.json", "{\"hosts\": {\"pve-shop\": 1, \"pve\": 2}}\n")],
    );
    driftfix()
        .current_dir(dir.path())
        .args(["fix", "--apply"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("manual: h.json:1:13"))
        .stderr(predicate::str::contains("existing key"));
    assert_eq!(
        read(dir.path(), "h.json"),
        "{\"hosts\": {\"pve-shop\": 1, \"pve\": 2}}\n"
    );
}

/// SPEC §2: only string scalars match, keys included. A plain `12:` or
/// `true:` key and a custom-tagged key are never findings, so they do not
/// hold back the rename of a real string key beside them.
#[test]
fn non_string_yaml_keys_never_match() {
    let dir = small_tree(
        "[[canonical]]\nname = \"pve\"\naliases = [\"pve-shop\", \"12\", \"true\"]\n[[field]]\nkeys_of = [\"hosts\"]\n",
        &[],
    );
    let before = "hosts:\n  12: a\n  true: b\n  !Ref pve-shop: c\n  pve-shop: d\n";
    std::fs::write(dir.path().join("h.yaml"), before).unwrap();
    let v = scan_json(dir.path(), &[]);
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{v}");
    assert_eq!(findings[0]["line"], 5);
    assert_eq!(findings[0]["action"], "fix");
    apply_exits(dir.path(), 0);
    assert_eq!(
        read(dir.path(), "h.yaml"),
        before.replace("  pve-shop: d", "  pve: d")
    );
    apply_exits(dir.path(), 0);
}

/// SPEC §6: the rule files are never targets, also when they are reached
/// through a symlink (the rule file named by a link, found as a linked
/// `driftfix.toml`, or linked to from elsewhere in the tree).
#[test]
fn rule_files_reached_through_symlinks_are_not_scanned() {
    use std::os::unix::fs::symlink;
    let rules = "version = 1\n[[canonical]]\nname = \"pve\"\naliases = [\"pve-shop\"]\ndescription = \"was pve-shop\"\n[[field]]\nselect = [\"description\", \"host\"]\nmatch = \"token\"\n";
    for how in ["named", "discovered", "elsewhere"] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("r")).unwrap();
        std::fs::write(dir.path().join("r/a.toml"), rules).unwrap();
        std::fs::write(dir.path().join("x.yaml"), "host: pve-shop\n").unwrap();
        let mut cmd = driftfix();
        cmd.current_dir(dir.path()).args(["fix", "--apply"]);
        match how {
            "named" => {
                symlink("r/a.toml", dir.path().join("rules.toml")).unwrap();
                cmd.args(["--rules", "rules.toml", "--base", "."]);
            }
            "discovered" => symlink("r/a.toml", dir.path().join("driftfix.toml")).unwrap(),
            _ => {
                symlink("a.toml", dir.path().join("r/link.toml")).unwrap();
                cmd.args(["--rules", "r/a.toml", "--base", "."]);
            }
        }
        cmd.assert()
            .code(0)
            .stderr(predicate::str::contains("wrote 1 change in 1 file"));
        assert_eq!(read(dir.path(), "r/a.toml"), rules, "{how}");
        assert_eq!(read(dir.path(), "x.yaml"), "host: pve\n");
    }
}

/// A token alias that is part of its own canonical name (`pve` in
/// `pve.example.com`) is rewritten where it stands alone, and left alone
/// inside the canonical name: a second run changes nothing.
#[test]
fn an_alias_inside_its_canonical_name_is_fixed_once() {
    let dir = small_tree(
        "[[canonical]]\nname = \"pve.example.com\"\naliases = [\"pve\"]\n[[field]]\nselect = [\"url\"]\nmatch = \"token\"\n",
        &[(
            "a.yaml",
            "- url: https://pve:8006\n- url: https://pve.example.com:8006\n",
        )],
    );
    for code in [0, 0] {
        driftfix()
            .current_dir(dir.path())
            .args(["fix", "--apply"])
            .assert()
            .code(code);
        assert_eq!(
            read(dir.path(), "a.yaml"),
            "- url: https://pve.example.com:8006\n- url: https://pve.example.com:8006\n"
        );
    }
}

/// SPEC §5: a value reused through an alias at a path no field governs is
/// `manual` — also when the anchor is on a collection around it
/// (`&b {host: …}` … `*b`, a merge key `<<: *b`, or nested aliases).
#[test]
fn values_reused_through_aliased_collections_are_manual_unless_governed_there() {
    let dir = tempfile::tempdir().unwrap();
    let narrow = "[[canonical]]\nname = \"pve\"\naliases = [\"pve-shop\"]\n[[field]]\nselect = [\"a.host\", \"a[*]\"]\nkeys_of = [\"hosts\"]\n";
    std::fs::write(dir.path().join("driftfix.toml"), narrow).unwrap();
    let files = [
        ("1.yaml", "a: &b {host: pve-shop}\nc: *b\n", "`c.host`"),
        ("2.yaml", "a: &b [pve-shop]\nc: *b\n", "`c[0]`"),
        (
            "3.yaml",
            "hosts: &h {pve-shop: 1}\nother: *h\n",
            "`other.pve-shop`",
        ),
        (
            "4.yaml",
            "a: &b {host: pve-shop}\nc: {<<: *b}\n",
            "`c.host`",
        ),
        (
            "5.yaml",
            "a: &b {host: pve-shop}\nl: &l [*b]\nm: *l\n",
            "`m[0].host`",
        ),
    ];
    for (name, text, _) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let v = scan_json(dir.path(), &[]);
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), files.len(), "{v}");
    for (f, (name, _, path)) in findings.iter().zip(files) {
        assert_eq!(f["path"], name);
        assert_eq!(f["action"], "manual", "{f}");
        assert!(f["reason"].as_str().unwrap().contains(path), "{f}");
    }
    apply_exits(dir.path(), 1);
    for (name, text, _) in files {
        assert_eq!(read(dir.path(), name), text);
    }
    // Governed wherever it is read: fixed once, at the anchor.
    std::fs::write(
        dir.path().join("driftfix.toml"),
        "[[canonical]]\nname = \"pve\"\naliases = [\"pve-shop\"]\n[[field]]\nselect = [\"host\", \"a[*]\", \"c[*]\"]\nkeys_of = [\"hosts\", \"other\"]\n",
    )
    .unwrap();
    apply_exits(dir.path(), 0);
    for (name, text, _) in files {
        assert_eq!(
            read(dir.path(), name),
            text.replace("pve-shop", "pve"),
            "{name}"
        );
    }
}

/// SPEC §4: line and column are those of the alias text's first character,
/// also when the alias is partly escaped or continues on the next line.
#[test]
fn positions_point_at_the_alias_text_through_escapes_and_line_breaks() {
    let dir = small_tree(
        "[[canonical]]\nname = \"pve\"\naliases = [\"pve-shop\"]\n[[field]]\nselect = [\"desc\"]\nmatch = \"token\"\n",
        &[
            ("a.json", "{\"desc\": \"x pve\\u002dshop pve-shop\"}\n"),
            (
                "b.yaml",
                "desc: \"é pve\\u002dshop \\\n  pve-\\\n  shop pve-shop\"\n",
            ),
        ],
    );
    let v = scan_json(dir.path(), &[]);
    let at: Vec<(String, u64, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, u64, u64)> = [
        ("a.json", 1, 13),
        ("a.json", 1, 27),
        ("b.yaml", 1, 10),
        ("b.yaml", 2, 3),
        ("b.yaml", 3, 8),
    ]
    .iter()
    .map(|&(p, l, c)| (p.to_string(), l, c))
    .collect();
    assert_eq!(at, want, "{v}");
}

/// SPEC §4: `expected` is the value after the fix. When only some matches
/// of a scalar can be fixed, the fixable findings show what is written.
#[test]
fn expected_of_a_partly_fixable_scalar_is_what_is_written() {
    let dir = small_tree(
        "[[canonical]]\nname = \" x\"\naliases = [\"pve-shop\"]\n[[field]]\nselect = [\"desc\"]\nmatch = \"token\"\n",
        &[],
    );
    // The second line cannot start with a space in a plain scalar.
    std::fs::write(
        dir.path().join("a.yaml"),
        "desc: x pve-shop\n  pve-shop y\n",
    )
    .unwrap();
    let v = scan_json(dir.path(), &[]);
    let f = v["findings"].as_array().unwrap();
    assert_eq!(
        (f[0]["action"].as_str(), f[1]["action"].as_str()),
        (Some("fix"), Some("manual"))
    );
    assert_eq!(f[0]["expected"], "x  x pve-shop y");
    apply_exits(dir.path(), 1);
    assert_eq!(read(dir.path(), "a.yaml"), "desc: x  x\n  pve-shop y\n");
}
