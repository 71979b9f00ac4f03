//! SPEC §8: nothing silently dropped, no false "ALIGNED". Every file the
//! rules include is scanned or listed as skipped with a reason, globs follow
//! `.gitignore` rules, aliases outside governed fields are counted (and
//! listed with `--strict`, with a pasteable field), rule files report every
//! error and warn about what matches nothing.

use std::path::Path;

mod common;

use assert_cmd::Command;
use serde_json::Value;

fn driftfix(dir: &Path) -> Command {
    let mut c = common::driftfix();
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

use common::tree;

const CANON: &str = "[[canonical]]\nname = \"pve\"\naliases = [\"pve-shop\"]\n";

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

fn paths(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn included_files_without_a_type_are_skipped_with_a_warning_and_listed() {
    let dir = tree(&[
        (
            "driftfix.toml",
            &format!(
                "[paths]\ninclude = [\"**/*.yaml\", \"**/*.rules\", \"**/*.conf\"]\n{CANON}[[field]]\nselect = [\"host\"]\n"
            ),
        ),
        ("a.yaml", "host: pve\n"),
        ("prom/alert.rules", "host: pve-shop\n"),
        ("etc/x.conf", "host pve-shop\n"),
    ]);
    let (code, v, stderr) = scan_json(dir.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(paths(&v, "skipped"), ["etc/x.conf", "prom/alert.rules"]);
    assert_eq!(v["skipped"][0]["reason"], "no file type");
    assert!(
        stderr.contains("warning: prom/alert.rules: skipped: included but has no file type; add a [types] line such as \"**/*.rules\" = \""),
        "{stderr}"
    );
    // The same files, typed by a [types] table: scanned (and found).
    std::fs::write(
        dir.path().join("driftfix.toml"),
        format!(
            "[types]\n\"**/*.rules\" = \"yaml\"\n[paths]\ninclude = [\"**/*.yaml\"]\n{CANON}[[field]]\nselect = [\"host\"]\n"
        ),
    )
    .unwrap();
    let (code, v, stderr) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(paths(&v, "findings"), ["prom/alert.rules"]);
    assert_eq!(paths(&v, "skipped"), Vec::<String>::new());
}

#[test]
fn types_entries_come_first_in_file_order_and_across_rule_files() {
    let dir = tree(&[
        (
            "a.toml",
            &format!(
                "[types]\n\"**/special.json\" = \"yaml\"\n{CANON}[[field]]\nselect = [\"host\"]\n"
            ),
        ),
        ("b.toml", "[types]\n\"**/*.json\" = \"toml\"\n"),
        ("x/special.json", "host: pve-shop\n"),
        ("x/other.json", "host = \"pve-shop\"\n"),
    ]);
    let (code, v, stderr) = scan_json(dir.path(), &["--rules", "a.toml", "--rules", "b.toml"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(paths(&v, "findings"), ["x/other.json", "x/special.json"]);
    assert_eq!(v["errors"], serde_json::json!([]));
}

#[test]
fn exclude_globs_match_directories_as_gitignore_does() {
    for glob in ["platform", "platform/", "platform/**"] {
        let dir = tree(&[
            (
                "driftfix.toml",
                &format!(
                    "[paths]\nexclude = [\"{glob}\"]\n{CANON}[[field]]\nselect = [\"host\"]\n"
                ),
            ),
            ("platform/a.yaml", "host: pve-shop\n"),
            ("apps/platform/b.yaml", "host: pve-shop\n"),
            ("apps/c.yaml", "host: pve-shop\n"),
        ]);
        let (_, v, stderr) = scan_json(dir.path(), &[]);
        let found = paths(&v, "findings");
        assert!(
            found.contains(&"apps/c.yaml".to_string()),
            "{glob}: {found:?}"
        );
        assert!(
            !found.contains(&"platform/a.yaml".to_string()),
            "{glob}: {found:?}"
        );
        if glob == "platform" {
            // No `/`: a name at any depth.
            assert!(
                !found.contains(&"apps/platform/b.yaml".to_string()),
                "{glob}"
            );
        }
        // Dropped by the walk: out of scope, not listed.
        assert_eq!(paths(&v, "skipped"), Vec::<String>::new(), "{glob}");
        assert!(!stderr.contains("matches no"), "{glob}: {stderr}");
    }
}

#[test]
fn an_excluded_root_is_skipped_with_a_warning_naming_the_glob() {
    let dir = tree(&[
        (
            "driftfix.toml",
            &format!("[paths]\nexclude = [\"vendor/**\"]\n{CANON}[[field]]\nselect = [\"host\"]\n"),
        ),
        ("vendor/a.yaml", "host: pve-shop\n"),
    ]);
    let (code, v, stderr) = scan_json(dir.path(), &["vendor/a.yaml"]);
    assert_eq!(code, 0);
    assert_eq!(paths(&v, "skipped"), ["vendor/a.yaml"]);
    assert_eq!(v["skipped"][0]["reason"], "excluded");
    assert!(
        stderr
            .contains("warning: vendor/a.yaml: skipped: excluded by the exclude glob `vendor/**`"),
        "{stderr}"
    );
}

#[test]
fn a_root_without_a_type_is_an_error() {
    let dir = tree(&[
        (
            "driftfix.toml",
            &format!("{CANON}[[field]]\nselect = [\"host\"]\n"),
        ),
        ("notes.txt", "pve-shop\n"),
    ]);
    let (code, v, stderr) = scan_json(dir.path(), &["notes.txt"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(v["errors"][0]["path"], "notes.txt");
    assert!(stderr.contains("has no file type"), "{stderr}");
}

#[test]
fn oversized_files_are_listed_as_skipped() {
    let big = format!("host: pve-shop\n# {}\n", "x".repeat(20_000));
    let dir = tree(&[
        (
            "driftfix.toml",
            &format!("{CANON}[[field]]\nselect = [\"host\"]\n"),
        ),
        ("big.yaml", &big),
        ("small.yaml", "host: pve-shop\n"),
    ]);
    let (code, v, _) = scan_json(dir.path(), &["--max-file-size", "10K"]);
    assert_eq!(code, 1);
    assert_eq!(paths(&v, "skipped"), ["big.yaml"]);
    assert_eq!(v["skipped"][0]["reason"], "larger than --max-file-size");
    assert_eq!(v["summary"]["findings"], 1);
}

#[test]
fn driftfix_reports_are_never_targets() {
    let dir = tree(&[
        (
            "driftfix.toml",
            &format!("{CANON}[[field]]\nselect = [\"host\", \"alias\"]\n"),
        ),
        ("a.yaml", "host: pve-shop\n"),
    ]);
    let out = driftfix(dir.path())
        .args(["scan", "--format", "json", "--output", "report.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    // The report holds the alias; the next scan must not read it as an
    // inventory, but list it.
    let (code, v, _) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(paths(&v, "findings"), ["a.yaml"]);
    assert_eq!(paths(&v, "skipped"), ["report.json"]);
    assert_eq!(v["skipped"][0]["reason"], "driftfix output");
    // ... and it may be replaced by the next report.
    let out = driftfix(dir.path())
        .args(["scan", "--format", "json", "--output", "report.json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn aliases_outside_governed_fields_are_counted_and_listed_with_strict() {
    let dir = tree(&[
        (
            "driftfix.toml",
            &format!("{CANON}[[field]]\nselect = [\"ingress.hosts[*].host\"]\n"),
        ),
        (
            "values.yaml",
            "# shop cluster: pve-shop\ngitea:\n  ingress:\n    hosts:\n      - host: pve-shop\n",
        ),
    ]);
    let (code, v, stderr) = scan_json(dir.path(), &[]);
    assert_eq!(code, 0, "never findings without --strict");
    assert_eq!(v["findings"], serde_json::json!([]));
    assert_eq!(v["summary"]["ungoverned"], 2);
    assert!(
        stderr.contains("2 alias occurrences outside governed fields (scan --strict lists them)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("did you mean `**.ingress.hosts[*].host`"),
        "{stderr}"
    );
    let human = driftfix(dir.path()).arg("scan").output().unwrap();
    assert!(
        String::from_utf8_lossy(&human.stdout)
            .contains("2 alias occurrences outside governed fields (scan --strict lists them)")
    );
    let md = driftfix(dir.path())
        .args(["scan", "--format", "markdown"])
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(
        !md.contains("editable: ALIGNED ·") && !md.contains("editable: ALIGNED."),
        "{md}"
    );
    assert!(
        md.contains("editable: ALIGNED in governed fields; 2 occurrences elsewhere"),
        "{md}"
    );

    let (code, v, _) = scan_json(dir.path(), &["--strict"]);
    assert_eq!(code, 1);
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 2, "{f:?}");
    assert_eq!(f[0]["kind"], "comment");
    assert_eq!(f[0]["field"], Value::Null);
    assert_eq!(f[0]["action"], "manual");
    assert_eq!(f[1]["field"], "gitea.ingress.hosts[0].host");
    assert!(f[1]["reason"].as_str().unwrap().contains("not governed"));
    // The field pasted into `select` governs it.
    std::fs::write(
        dir.path().join("driftfix.toml"),
        format!("{CANON}[[field]]\nselect = [\"gitea.ingress.hosts[0].host\"]\n"),
    )
    .unwrap();
    let (code, v, _) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(v["findings"][0]["action"], "fix");
    assert_eq!(v["summary"]["ungoverned"], 1, "the comment is left");
}

#[test]
fn the_root_selector_governs_top_level_keys_and_root_scalars_print_as_a_dot() {
    let dir = tree(&[
        (
            "driftfix.toml",
            &format!("{CANON}[[field]]\nkeys_of = [\".\"]\nselect = [\".\"]\n"),
        ),
        ("groups.yaml", "pve-shop:\n  x: 1\nother:\n  pve-shop: 2\n"),
        ("root.json", "\"pve-shop\"\n"),
    ]);
    let (_, v, _) = scan_json(dir.path(), &[]);
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 2, "{f:?}");
    assert_eq!(f[0]["field"], "pve-shop");
    assert_eq!(f[0]["kind"], "key");
    assert_eq!(f[1]["path"], "root.json");
    assert_eq!(f[1]["field"], ".");
}

#[test]
fn errors_carry_line_and_column() {
    let dir = tree(&[
        (
            "driftfix.toml",
            &format!("{CANON}[[field]]\nselect = [\"host\"]\n"),
        ),
        ("bad.yaml", "host: [pve-shop\n"),
    ]);
    let (code, v, _) = scan_json(dir.path(), &[]);
    assert_eq!(code, 2);
    let e = &v["errors"][0];
    assert_eq!(e["path"], "bad.yaml");
    assert!(e["line"].as_u64().unwrap() >= 1 && e["column"].as_u64().unwrap() >= 1);
    assert!(!e["message"].as_str().unwrap().starts_with(char::is_numeric));
}

#[test]
fn rule_files_report_every_error_with_its_position() {
    let dir = tree(&[(
        "driftfix.toml",
        "[[canonical]]\nname = \"pve\"\naliases = [\"pve\", \"\"]\n[[field]]\ntypes = [\"yml\"]\nselect = [\"host\"]\n[[severity]]\nfiles = [\"**\"]\nlevel = \"urgent\"\n",
    )]);
    let out = driftfix(dir.path())
        .args(["rules", "check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "driftfix.toml:3:12: alias `pve` is also a canonical name",
        "driftfix.toml:3:19: alias is empty",
        "driftfix.toml:5:10: unknown type `yml`",
        "driftfix.toml:9:9: unknown level `urgent`",
    ] {
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
    assert_eq!(stderr.matches("error: ").count(), 4, "{stderr}");
    let at = |n: &str| stderr.find(n).unwrap();
    assert!(at("alias is empty") < at("unknown type") && at("unknown type") < at("unknown level"));
}

#[test]
fn rule_files_without_canonicals_or_fields_are_warned_about() {
    let dir = tree(&[
        ("only-fields.toml", "[[field]]\nselect = [\"host\"]\n"),
        ("only-names.toml", CANON),
        ("a.yaml", "host: pve-shop\n"),
    ]);
    for (file, needle) in [
        ("only-fields.toml", "defines no [[canonical]]"),
        ("only-names.toml", "defines no [[field]]"),
    ] {
        let out = driftfix(dir.path())
            .args(["rules", "check", "--rules", file])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(needle), "{file}: {stderr}");
    }
    // Together they complete each other: no warning.
    let out = driftfix(dir.path())
        .args([
            "rules",
            "check",
            "--rules",
            "only-fields.toml",
            "--rules",
            "only-names.toml",
        ])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("defines no"));
}

/// SPEC §8: with `--rules`, the base is the current directory, never the
/// rule file's folder, and several `--rules` in any order scan the same.
#[test]
fn the_base_is_the_current_directory_when_rules_are_given() {
    let dir = tree(&[
        ("shared/canon.toml", CANON),
        ("shared/sibling.yaml", "host: pve-shop\n"),
        ("repo/driftfix.toml", "[[field]]\nselect = [\"host\"]\n"),
        ("repo/a.yaml", "host: pve-shop\n"),
    ]);
    let repo = dir.path().join("repo");
    let orders: [&[&str]; 2] = [
        &[
            "--rules",
            "../shared/canon.toml",
            "--rules",
            "driftfix.toml",
        ],
        &[
            "--rules",
            "driftfix.toml",
            "--rules",
            "../shared/canon.toml",
        ],
    ];
    for args in orders {
        let (code, v, stderr) = scan_json(&repo, args);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert_eq!(paths(&v, "findings"), ["a.yaml"], "{args:?}");
    }
    // Without --rules, the discovered file's directory is the base, from
    // anywhere below it.
    std::fs::write(
        repo.join("driftfix.toml"),
        format!("{CANON}[[field]]\nselect = [\"host\"]\n"),
    )
    .unwrap();
    std::fs::create_dir_all(repo.join("sub")).unwrap();
    let (code, v, _) = scan_json(&repo.join("sub"), &[]);
    assert_eq!(code, 1);
    assert_eq!(paths(&v, "findings"), ["a.yaml"]);
}

/// SPEC §8: `rules check` parses the tree and names selectors that match
/// nothing, with the selector that would.
#[test]
fn rules_check_names_dead_selectors_with_a_hint() {
    let dir = tree(&[
        (
            "driftfix.toml",
            &format!(
                "{CANON}[[field]]\nselect = [\"ingress.hosts[*].host\", \"hosts.name\", \"nowhere\"]\n[[field]]\nselect = [\"targets[*].id\"]\n"
            ),
        ),
        (
            "values.yaml",
            "gitea:\n  ingress:\n    hosts:\n      - host: x\nhosts:\n  - name: y\ntargets:\n  - id: z\n",
        ),
    ]);
    let out = driftfix(dir.path())
        .args(["rules", "check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("select `ingress.hosts[*].host` matches no scalar in any file it applies to (did you mean `**.ingress.hosts[*].host`?)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("select `hosts.name` matches no scalar in any file it applies to (did you mean `hosts[*].name`?)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("select `nowhere` matches no scalar"),
        "{stderr}"
    );
    assert!(!stderr.contains("targets[*].id"), "{stderr}");
    assert!(
        stderr.contains("driftfix.toml:4: select"),
        "origin named: {stderr}"
    );
}

/// SPEC §10: a text-only rule governs every line; `select`/`keys_of` there
/// are an error.
#[test]
fn a_text_only_field_takes_no_selectors() {
    let dir = tree(&[(
        "driftfix.toml",
        &format!("{CANON}[[field]]\ntypes = [\"text\"]\nselect = [\"host\"]\n"),
    )]);
    let out = driftfix(dir.path())
        .args(["rules", "check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(
            "driftfix.toml:4:1: a [[field]] for text files only takes no `select` or `keys_of`"
        ),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
