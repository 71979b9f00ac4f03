//! Black-box contract checks of SPEC §8–§11 (base directory, file types,
//! nothing silently dropped; Ansible INI; text and JSONC; suppressions,
//! baseline, `--since`) found by an audit: each test pins one behaviour a
//! careful user relies on.

use std::path::Path;

mod common;

use assert_cmd::Command;
use serde_json::Value;

fn driftfix(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("driftfix").unwrap();
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("XDG_STATE_HOME", dir.join(".state-outside"));
    c
}

use common::tree;

const CANON: &str = "version = 1\n[[canonical]]\nname = \"pve\"\naliases = [\"pve-shop\"]\n";

/// `scan --format json` with these extra arguments: (exit code, report,
/// stderr).
fn scan_json(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let out = driftfix(dir)
        .args(["scan", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    common::json_report(&out)
}

fn findings(v: &Value) -> &Vec<Value> {
    v["findings"].as_array().unwrap()
}

/// §8: path globs follow `.gitignore` rules, where a leading `/` anchors a
/// pattern at the base directory (`/platform` excludes `platform/`, not
/// `apps/platform/`). It used to be rejected as "absolute" (exit 2).
#[test]
fn a_leading_slash_anchors_a_glob_at_the_base_directory() {
    let rules =
        format!("{CANON}[paths]\nexclude = [\"/platform\"]\n[[field]]\nselect = [\"host\"]\n");
    let dir = tree(&[
        ("driftfix.toml", &rules),
        ("platform/a.yaml", "host: pve-shop\n"),
        ("apps/platform/b.yaml", "host: pve-shop\n"),
    ]);
    let (code, v, err) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1, "{err}");
    let paths: Vec<_> = findings(&v)
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["apps/platform/b.yaml"], "{err}");
}

/// §3/§8 `--strict`: a governed exact-match value that holds an alias only
/// as part of it (`pve-shop.lan`) is one finding (the alias occurrence, with
/// the value it would become), not also a second "neither canonical nor
/// alias" finding at the same place.
#[test]
fn strict_reports_a_value_holding_an_alias_token_once() {
    let rules = format!("{CANON}[[field]]\nselect = [\"location\"]\n");
    let dir = tree(&[
        ("driftfix.toml", &rules),
        ("a.yaml", "location: pve-shop.lan\nother: x\n"),
        ("inv.ini", "[web]\nh1 location=pve-shop.lan\n"),
    ]);
    let (code, v, err) = scan_json(dir.path(), &["--strict"]);
    assert_eq!(code, 1, "{err}");
    let f = findings(&v);
    assert_eq!(f.len(), 2, "{f:#?}");
    for f in f {
        assert_eq!(f["actual"], "pve-shop.lan", "{f:#?}");
        assert_eq!(f["expected"], "pve.lan", "{f:#?}");
        assert_eq!(f["action"], "manual", "{f:#?}");
    }
    assert_eq!(v["summary"]["findings"], 2);
}

/// §8 "nothing silently dropped": an alias in a file that no `[[field]]`
/// applies to (a `text` file without a text rule, a YAML file outside every
/// rule's `files`) is an occurrence outside governed fields: counted in
/// `summary.ungoverned`, listed by `--strict`, and the role's markdown
/// verdict is not plain `ALIGNED`. It used to be ignored entirely.
#[test]
fn aliases_in_files_no_field_rule_applies_to_are_counted() {
    let rules = format!(
        "{CANON}[types]\n\"**/*.md\" = \"text\"\n[[field]]\nfiles = [\"work/**\"]\nselect = [\"host\"]\n"
    );
    let dir = tree(&[
        ("driftfix.toml", &rules),
        ("notes/n.md", "the pve-shop node\n"),
        ("other/o.yaml", "host: pve-shop\n"),
        ("work/w.yaml", "host: pve\n"),
    ]);
    let (code, v, err) = scan_json(dir.path(), &[]);
    assert_eq!(code, 0, "{err}");
    assert!(findings(&v).is_empty(), "{v:#?}");
    assert_eq!(v["summary"]["ungoverned"], 2, "{v:#?}");

    let (code, v, err) = scan_json(dir.path(), &["--strict"]);
    assert_eq!(code, 1, "{err}");
    let got: Vec<_> = findings(&v)
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap(),
                f["action"].as_str().unwrap(),
                f["field"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("notes/n.md", "manual", Value::Null),
            ("other/o.yaml", "manual", Value::from("host")),
        ],
        "{v:#?}"
    );
    assert!(
        findings(&v)[0]["reason"]
            .as_str()
            .unwrap()
            .contains("no [[field]] with types = [\"text\"]"),
        "{v:#?}"
    );

    let out = driftfix(dir.path())
        .args(["scan", "--format", "markdown"])
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        md.contains("ALIGNED in governed fields; 2 occurrences elsewhere"),
        "{md}"
    );
}

/// §11: with `--strict`, a marker that suppresses nothing is a warning
/// naming its line, also in a file that no `[[field]]` applies to.
#[test]
fn strict_warns_about_unused_markers_in_files_no_field_applies_to() {
    let rules = format!("{CANON}[[field]]\ntypes = [\"json\"]\nselect = [\"host\"]\n");
    let dir = tree(&[
        ("driftfix.toml", &rules),
        ("d.yaml", "x: 1 # driftfix: ignore\n"),
    ]);
    let (code, _, err) = scan_json(dir.path(), &["--strict"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("d.yaml:1: unused suppression `driftfix: ignore`"),
        "{err}"
    );
}

/// §8 dead rules / §10: `text` is never assigned by default, so a
/// `[[field]]` for text files alone without a `[types]` line that maps a
/// file to text governs nothing; `rules check` and `scan` say so instead
/// of reading as "aligned".
#[test]
fn a_text_rule_without_text_files_is_warned_about() {
    let rules = format!("{CANON}[[field]]\ntypes = [\"text\"]\n");
    let dir = tree(&[("driftfix.toml", &rules), ("notes.md", "pve-shop\n")]);
    for args in [&["rules", "check"][..], &["scan"][..]] {
        let out = driftfix(dir.path()).args(args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("for text files governs nothing"),
            "{args:?}: {err}"
        );
    }
    // With a [types] line, no warning.
    let rules = format!("{CANON}[types]\n\"**/*.md\" = \"text\"\n[[field]]\ntypes = [\"text\"]\n");
    std::fs::write(dir.path().join("driftfix.toml"), rules).unwrap();
    let out = driftfix(dir.path()).args(["scan"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("governs nothing"), "{err}");
    assert_eq!(out.status.code(), Some(1), "{err}");
}

/// §8 "no false ALIGNED": a role whose files were skipped unread (binary,
/// not UTF-8, too large, no type…) was never fully checked: its markdown
/// verdict is not plain `ALIGNED`.
#[test]
fn a_role_with_files_skipped_unread_is_not_aligned() {
    let rules =
        format!("{CANON}[paths]\nauthority = [\"spine/**\"]\n[[field]]\nselect = [\"host\"]\n");
    let dir = tree(&[
        ("driftfix.toml", &rules),
        ("spine/ok.yaml", "host: pve\n"),
        ("spine/bin.yaml", "host: pve-shop\n\0"),
        ("work/w.yaml", "host: pve\n"),
    ]);
    let out = driftfix(dir.path())
        .args(["scan", "--format", "markdown"])
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.contains("authority: INCOMPLETE"), "{md}");
    assert!(!md.contains("authority: ALIGNED"), "{md}");
    assert!(md.contains("1 was skipped unread"), "{md}");
    assert!(md.contains("editable: ALIGNED"), "{md}");
    // A skip is a warning, never an exit code.
    assert_eq!(out.status.code(), Some(0));
}
