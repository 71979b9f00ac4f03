//! SPEC §11: inline suppressions, `[[ignore]]` rules and the baseline, end
//! to end through the binary (`scan --format json --show-suppressed`).

use std::fs;
use std::path::Path;

use serde_json::Value;

mod common;
use common::{driftfix, homelab_copy, read, snapshot};

const RULES: &str = r#"version = 1

[[canonical]]
name = "pve"
aliases = ["pve-shop", "proxmox-shop"]

[[canonical]]
name = "proxmox-home"
aliases = ["pve-home"]

[[field]]
select = ["host", "cluster", "backups[*].host"]
keys_of = ["hosts"]

[[field]]
types = ["yaml", "toml"]
select = ["url"]
match = "token"
"#;

/// A temp tree from `(path, content)` pairs, with `RULES` as driftfix.toml.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("driftfix.toml"), RULES).unwrap();
    write_all(dir.path(), files);
    dir
}

fn write_all(dir: &Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        let p = dir.join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, content).unwrap();
    }
}

/// `driftfix ARGS` in `dir`: (exit code, stdout, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = driftfix()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `scan --format json --show-suppressed` (+ `extra`): the exit code, the
/// report, and stderr.
fn scan(dir: &Path, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec!["scan", "--format", "json", "--show-suppressed"];
    args.extend(extra);
    let (code, out, err) = run(dir, &args);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, v, err)
}

/// `(path:line, suppressed source or "-")` of every finding listed.
fn listed(report: &Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                format!("{}:{}", f["path"].as_str().unwrap(), f["line"]),
                f["suppressed"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// Every marker form in YAML: this line, the next line, the whole file,
/// each with and without an alias list; a marker after a multi-line string
/// or on a block scalar's header covers it. Markers inside strings, block
/// scalars and flow collections are text, not comments, and never count.
#[test]
fn yaml_every_marker_form_and_none_inside_strings() {
    let dir = tree(&[
        ("y01.yaml", "host: pve-shop # driftfix: ignore\n"),
        ("y02.yaml", "host: pve-shop # driftfix: ignore[pve-shop]\n"),
        ("y03.yaml", "host: pve-shop # driftfix: ignore[pve-home]\n"),
        (
            "y04.yaml",
            "# driftfix: ignore-next-line\nhost: pve-shop\ncluster: pve-home\n",
        ),
        (
            "y05.yaml",
            "# driftfix: ignore-next-line[pve-home]\nhost: pve-shop\n",
        ),
        (
            "y06.yaml",
            "host: pve-shop\ncluster: pve-home\n# driftfix: ignore-file[pve-home]\n",
        ),
        ("y07.yaml", "x: 1 # DRIFTFIX: Ignore-File\nhost: pve-shop\n"),
        ("y08.yaml", "hosts:\n  pve-home: {}  # driftfix: ignore\n"),
        (
            "y09.yaml",
            "url: \"https://pve-shop.lan\n  /api\" # driftfix: ignore\n",
        ),
        (
            "y10.yaml",
            "url: |  # driftfix: ignore\n  see https://pve-shop.lan\n",
        ),
        // Not comments: a quoted string, a flow mapping's string, a block
        // scalar's content, a plain scalar holding `#` without a space.
        (
            "y11.yaml",
            "note: \"# driftfix: ignore-file\"\nhost: pve-shop\n",
        ),
        (
            "y12.yaml",
            "- {host: pve-shop, note: \"# driftfix: ignore\"}\n",
        ),
        (
            "y13.yaml",
            "note: |\n  # driftfix: ignore-next-line\nhost: pve-shop\n",
        ),
        ("y14.yaml", "note: a#driftfix:ignore-file\nhost: pve-shop\n"),
    ]);
    let (code, report, err) = scan(dir.path(), &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        listed(&report),
        pairs(&[
            ("y01.yaml:1", "inline"),
            ("y02.yaml:1", "inline"),
            ("y03.yaml:1", "-"),
            ("y04.yaml:2", "inline"),
            ("y04.yaml:3", "-"),
            ("y05.yaml:2", "-"),
            ("y06.yaml:1", "-"),
            ("y06.yaml:2", "inline"),
            ("y07.yaml:2", "inline"),
            ("y08.yaml:2", "inline"),
            ("y09.yaml:1", "inline"),
            ("y10.yaml:2", "inline"),
            ("y11.yaml:2", "-"),
            ("y12.yaml:1", "-"),
            ("y13.yaml:3", "-"),
            ("y14.yaml:2", "-"),
        ])
    );
    assert_eq!(report["summary"]["suppressed"], 8);
    assert_eq!(report["summary"]["findings"], 8);
    // The alias a marker names is no occurrence outside governed fields.
    assert_eq!(report["summary"]["ungoverned"], 0, "{report:#}");
    let f = &report["findings"][0];
    assert_eq!(f["suppressed_by"], "line 1: driftfix: ignore");
}

/// Every marker form in TOML; strings (basic, literal, multi-line) that
/// hold the words are not comments.
#[test]
fn toml_every_marker_form_and_none_inside_strings() {
    let dir = tree(&[
        ("t1.toml", "host = \"pve-shop\" # driftfix: ignore\n"),
        (
            "t2.toml",
            "# driftfix: ignore-next-line[pve-shop, proxmox-shop]\nhost = \"pve-shop\"\ncluster = \"pve-home\"\n",
        ),
        (
            "t3.toml",
            "cluster = \"pve-home\"\n# driftfix: ignore-file\n",
        ),
        ("t4.toml", "[hosts.pve-home] # driftfix: ignore\nx = 1\n"),
        (
            "t5.toml",
            "host = 'pve-shop' # driftfix: ignore[pve-home]\n",
        ),
        (
            "t6.toml",
            "note = \"# driftfix: ignore-file\"\nhost = \"pve-shop\"\n",
        ),
        (
            "t7.toml",
            "note = \"\"\"\n# driftfix: ignore-next-line\"\"\"\nhost = \"pve-shop\"\n",
        ),
        (
            "t8.toml",
            "note = '''# driftfix: ignore-next-line'''\nhost = \"pve-shop\"\n",
        ),
    ]);
    let (code, report, err) = scan(dir.path(), &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        listed(&report),
        pairs(&[
            ("t1.toml:1", "inline"),
            ("t2.toml:2", "inline"),
            ("t2.toml:3", "-"),
            ("t3.toml:1", "inline"),
            ("t4.toml:1", "inline"),
            ("t5.toml:1", "-"),
            ("t6.toml:2", "-"),
            ("t7.toml:3", "-"),
            ("t8.toml:2", "-"),
        ])
    );
}

/// JSON has no comments: the words in a string are just text there
/// (`[[ignore]]` rules are how JSON findings are suppressed).
#[test]
fn json_strings_are_never_markers() {
    let dir = tree(&[(
        "a.json",
        "{\"note\": \"// driftfix: ignore-file\", \"host\": \"pve-shop\" }\n",
    )]);
    let (code, report, _) = scan(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(listed(&report), pairs(&[("a.json:1", "-")]));
}

/// A suppressed finding is never written; `fix` leaves its bytes and exits
/// as if it did not exist.
#[test]
fn suppressed_findings_are_never_fixed_and_never_count() {
    let text = "host: pve-shop # driftfix: ignore\ncluster: pve-home\n";
    let dir = tree(&[("a.yaml", text)]);
    let (code, _, err) = run(dir.path(), &["fix", "--apply", "--no-journal"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        read(dir.path(), "a.yaml"),
        "host: pve-shop # driftfix: ignore\ncluster: proxmox-home\n"
    );
    let (code, out, _) = run(dir.path(), &["fix", "--dry-run"]);
    assert_eq!(code, 0, "nothing left but the suppressed one: {out}");
    assert!(out.is_empty(), "{out}");
    let (code, _, err) = run(dir.path(), &["scan"]);
    assert_eq!(code, 0, "{err}");
}

/// A name written in several places is renamed everywhere or nowhere: when
/// one place is suppressed, the others are not rewritten (manual).
#[test]
fn a_suppressed_place_of_a_linked_name_keeps_the_others() {
    let text = "[hosts.pve-home] # driftfix: ignore\nx = 1\n\n[hosts.pve-home.disks]\ny = 2\n";
    let dir = tree(&[("a.toml", text)]);
    let (code, report, _) = scan(dir.path(), &[]);
    assert_eq!(code, 1);
    let f: Vec<&Value> = report["findings"].as_array().unwrap().iter().collect();
    assert_eq!(f.len(), 2, "{report:#}");
    assert_eq!(f[0]["suppressed"], "inline");
    assert_eq!(f[1]["action"], "manual");
    assert!(
        f[1]["reason"]
            .as_str()
            .unwrap()
            .contains("line 1, where it is suppressed"),
        "{}",
        f[1]["reason"]
    );
    let (code, _, _) = run(dir.path(), &["fix", "--apply", "--no-journal"]);
    assert_eq!(code, 1, "a manual finding is left");
    assert_eq!(read(dir.path(), "a.toml"), text);
}

/// Two aliases in one value, one suppressed: only the other is rewritten,
/// and the report's expected value says so.
#[test]
fn one_of_two_aliases_in_a_value_suppressed() {
    let dir = tree(&[(
        "a.yaml",
        "url: https://pve-shop.lan/pve-home # driftfix: ignore[pve-shop]\n",
    )]);
    let (_, report, _) = scan(dir.path(), &[]);
    let f = report["findings"].as_array().unwrap();
    assert_eq!(f[0]["suppressed"], "inline");
    assert_eq!(f[1]["suppressed"], Value::Null);
    assert_eq!(f[1]["expected"], "https://pve-shop.lan/proxmox-home");
    run(dir.path(), &["fix", "--apply", "--no-journal"]);
    assert_eq!(
        read(dir.path(), "a.yaml"),
        "url: https://pve-shop.lan/proxmox-home # driftfix: ignore[pve-shop]\n"
    );
}

/// A misspelt or broken marker suppresses nothing and is warned about
/// (always); `--strict` also names every marker that covers nothing.
#[test]
fn malformed_and_unused_markers_are_warned_about_with_their_line() {
    let dir = tree(&[(
        "a.yaml",
        "host: pve-shop # driftfix: ignore-line\ncluster: pve-home # driftfix: ignore[pve-home\nx: 1 # driftfix: ignore\n# driftfix: ignore-next-line[pve-shop]\nurl: none\n",
    )]);
    let (code, report, err) = scan(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["suppressed"], 0);
    assert!(
        err.contains("warning: a.yaml:1: unknown suppression `driftfix: ignore-line`"),
        "{err}"
    );
    assert!(
        err.contains("warning: a.yaml:2: `driftfix: ignore[` has no closing `]`"),
        "{err}"
    );
    assert!(
        !err.contains("unused suppression"),
        "only with --strict: {err}"
    );
    let (_, _, err) = scan(dir.path(), &["--strict"]);
    assert!(
        err.contains(
            "warning: a.yaml:3: unused suppression `driftfix: ignore`: it covers no finding"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "warning: a.yaml:4: unused suppression `driftfix: ignore-next-line[pve-shop]`"
        ),
        "{err}"
    );
}

const IGNORE_RULES: &str = r#"
[[ignore]]
files = ["data/backup_inventory.json"]
select = ["backups[0].host"]
aliases = ["pve-home"]
reason = "archived job, kept for audit"

[[ignore]]
files = ["legacy/**"]
reason = "legacy tree, frozen"

[[ignore]]
files = ["**/*.json"]
aliases = ["proxmox-shop"]
reason = "monitoring still uses the old name"
"#;

/// `[[ignore]]` rules: by file, by field (`select`), by alias, or all of a
/// tree; each suppressed finding names its rule and reason.
#[test]
fn ignore_rules_by_files_select_and_aliases() {
    let dir = tree(&[
        (
            "data/backup_inventory.json",
            "{\"backups\": [{\"host\": \"pve-home\"}, {\"host\": \"pve-home\"}, {\"host\": \"pve-shop\"}, {\"host\": \"proxmox-shop\"}]}\n",
        ),
        ("legacy/old.yaml", "host: pve-shop\ncluster: pve-home\n"),
        ("b.json", "{\"host\": \"proxmox-shop\"}\n"),
    ]);
    let mut rules = RULES.to_string();
    rules.push_str(IGNORE_RULES);
    fs::write(dir.path().join("driftfix.toml"), &rules).unwrap();
    let (code, report, err) = scan(dir.path(), &[]);
    assert_eq!(code, 1, "{err}");
    let rows: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["field"].as_str().unwrap().to_string(),
                f["suppressed"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String, String)> = [
        ("b.json", "host", "rule"),
        ("data/backup_inventory.json", "backups[0].host", "rule"),
        ("data/backup_inventory.json", "backups[1].host", "-"),
        ("data/backup_inventory.json", "backups[2].host", "-"),
        ("data/backup_inventory.json", "backups[3].host", "rule"),
        ("legacy/old.yaml", "host", "rule"),
        ("legacy/old.yaml", "cluster", "rule"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(rows, want);
    let by = report["findings"][1]["suppressed_by"].as_str().unwrap();
    assert!(
        by.starts_with("[[ignore]] at ")
            && by.ends_with("driftfix.toml:20: archived job, kept for audit"),
        "{by}"
    );
    // --strict: every rule here was used.
    let (_, _, err) = scan(dir.path(), &["--strict"]);
    assert!(!err.contains("unused suppression"), "{err}");
    // A rule that covers nothing is named by its line with --strict.
    rules
        .push_str("\n[[ignore]]\nfiles = [\"b.json\"]\naliases = [\"pve-home\"]\nreason = \"x\"\n");
    fs::write(dir.path().join("driftfix.toml"), &rules).unwrap();
    let (_, _, err) = scan(dir.path(), &["--strict"]);
    assert!(
        err.contains("driftfix.toml:35: unused suppression: this [[ignore]] covers no finding"),
        "{err}"
    );
}

/// `[[ignore]]` is validated like every rule: every problem, each at its
/// line and column, in one run (exit 2).
#[test]
fn ignore_rules_are_validated_with_every_error_at_its_place() {
    let dir = tree(&[("a.yaml", "host: pve-shop\n")]);
    let mut rules = RULES.to_string();
    rules.push_str(
        "\n[[ignore]]\nselect = [\"a[\"]\naliases = [\"pve-shp\"]\n\n[[ignore]]\nfiles = [\"a/[\"]\nreason = \"\"\nwhat = 1\n",
    );
    fs::write(dir.path().join("driftfix.toml"), &rules).unwrap();
    let (code, _, err) = run(dir.path(), &["rules", "check"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("driftfix.toml:27:1: unknown field `what`"),
        "{err}"
    );
    rules = rules.replace("what = 1\n", "");
    fs::write(dir.path().join("driftfix.toml"), &rules).unwrap();
    let (code, _, err) = run(dir.path(), &["rules", "check"]);
    assert_eq!(code, 2, "{err}");
    for needle in [
        "driftfix.toml:20:1: an [[ignore]] needs `files`",
        "driftfix.toml:20:1: an [[ignore]] needs a `reason`",
        "driftfix.toml:21:13: bad selector `a[`: unclosed `[`",
        "driftfix.toml:22:12: [[ignore]] alias `pve-shp` is not an alias of any [[canonical]]",
        "driftfix.toml:25:10: bad glob `a/[`",
        "driftfix.toml:26:10: [[ignore]] `reason` is empty",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
}

/// `rules check` warns about `[[ignore]]` globs that match no file and
/// selectors that match nothing in the files they cover; `scan` about the
/// globs.
#[test]
fn ignore_rules_that_match_nothing_are_warned_about() {
    let dir = tree(&[("a.yaml", "host: pve-shop\nother: x\n")]);
    let mut rules = RULES.to_string();
    rules.push_str(
        "\n[[ignore]]\nfiles = [\"a.yaml\"]\nselect = [\"other\", \"nowhere.to.be\"]\nreason = \"r\"\n\n[[ignore]]\nfiles = [\"gone/**\"]\nreason = \"r\"\n",
    );
    fs::write(dir.path().join("driftfix.toml"), &rules).unwrap();
    let (code, out, err) = run(dir.path(), &["rules", "check"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(", 2 ignore rules"), "{out}");
    assert!(
        err.contains("driftfix.toml:20: [[ignore]] select `nowhere.to.be` matches no value or key in the files it covers"),
        "{err}"
    );
    assert!(!err.contains("select `other`"), "{err}");
    assert!(
        err.contains("warning: ignore files glob `gone/**` matches no file"),
        "{err}"
    );
    let (_, _, err) = run(dir.path(), &["scan"]);
    assert!(
        err.contains("warning: ignore files glob `gone/**` matches no file that was scanned"),
        "{err}"
    );
}

const INVENTORY: &str = "# inventory\ncontainers:\n  - name: a\n    host: pve-shop\n  - name: b\n    host: pve\n  - name: c\n    host: pve-shop\n";

/// The baseline: fingerprints without lines or indexes survive unrelated
/// lines and sequence items inserted above, and a re-indentation; a new
/// alias is reported alone.
#[test]
fn baseline_survives_insertions_above_and_reindentation() {
    let dir = tree(&[
        ("a.yaml", INVENTORY),
        ("b.json", "{\"host\": \"pve-home\"}\n"),
    ]);
    let (code, out, err) = run(dir.path(), &["scan", "--write-baseline", "base.json"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("a.yaml:4:11"),
        "the report is still printed: {out}"
    );
    assert!(
        err.contains("wrote baseline base.json: 3 findings"),
        "{err}"
    );
    let text = read(dir.path(), "base.json");
    assert_eq!(
        text,
        "{\n  \"schema\": \"driftfix-baseline/v1\",\n  \"findings\": [\n    {\"path\":\"a.yaml\",\"field\":\"containers[*].host\",\"alias\":\"pve-shop\",\"ordinal\":0},\n    {\"path\":\"a.yaml\",\"field\":\"containers[*].host\",\"alias\":\"pve-shop\",\"ordinal\":1},\n    {\"path\":\"b.json\",\"field\":\"host\",\"alias\":\"pve-home\",\"ordinal\":0}\n  ]\n}\n"
    );
    let (code, report, err) = scan(dir.path(), &["--baseline", "base.json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(report["summary"]["findings"], 0);
    assert_eq!(report["summary"]["suppressed"], 3);
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["suppressed"] == "baseline"),
        "{report:#}"
    );
    assert!(
        report["skipped"].as_array().unwrap().is_empty(),
        "the baseline named by --baseline is not even listed: {report:#}"
    );
    // Unrelated lines and a sequence item (without an alias) inserted
    // above, and the whole file re-indented.
    let moved = "# inventory\n# a comment\n\nnotes: moved\ncontainers:\n    -   name: z\n        host: pve\n    -   name: a\n        host: pve-shop\n    -   name: b\n        host: pve\n    -   name: c\n        host: pve-shop\n";
    fs::write(dir.path().join("a.yaml"), moved).unwrap();
    let (code, report, err) = scan(dir.path(), &["--baseline", "base.json"]);
    assert_eq!(code, 0, "{err}\n{report:#}");
    assert_eq!(report["summary"]["suppressed"], 3);
    // A new alias, appended: exit 1 with exactly that finding.
    fs::write(
        dir.path().join("a.yaml"),
        format!("{moved}    -   name: d\n        host: proxmox-shop\n"),
    )
    .unwrap();
    let (code, report, _) = scan(dir.path(), &["--baseline", "base.json"]);
    assert_eq!(code, 1);
    let new: Vec<(String, String)> = listed(&report)
        .into_iter()
        .filter(|(_, s)| s == "-")
        .collect();
    assert_eq!(new, pairs(&[("a.yaml:15", "-")]));
    // --strict names a baseline entry that matches nothing by its line.
    fs::write(dir.path().join("b.json"), "{\"host\": \"proxmox-home\"}\n").unwrap();
    let (_, _, err) = scan(dir.path(), &["--baseline", "base.json", "--strict"]);
    assert!(
        err.contains("warning: base.json:6: unused suppression: baseline entry b.json host pve-home #0 matches no finding"),
        "{err}"
    );
    // Rewritten in place, the baseline drops what was fixed.
    let (code, _, err) = run(
        dir.path(),
        &[
            "scan",
            "--baseline",
            "base.json",
            "--write-baseline",
            "base.json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        Value::from(
            serde_json::from_str::<Value>(&read(dir.path(), "base.json")).unwrap()["findings"]
                .as_array()
                .unwrap()
                .len()
        ),
        Value::from(3)
    );
}

/// The baseline file is driftfix's own output: never a target, listed as
/// skipped when it is not the run's own; bad baselines are errors.
#[test]
fn baseline_files_are_never_targets_and_bad_ones_are_errors() {
    let dir = tree(&[("a.yaml", "host: pve-shop\n")]);
    run(dir.path(), &["scan", "--write-baseline", "b.json"]);
    let (_, report, _) = scan(dir.path(), &[]);
    assert_eq!(report["skipped"][0]["path"], "b.json");
    assert_eq!(report["skipped"][0]["reason"], "driftfix output");
    let (code, _, err) = run(dir.path(), &["scan", "--baseline", "missing.json"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("error: --baseline missing.json: cannot read"),
        "{err}"
    );
    fs::write(
        dir.path().join("r.json"),
        "{\"schema\": \"driftfix/v1\", \"findings\": []}",
    )
    .unwrap();
    let (code, _, err) = run(dir.path(), &["scan", "--baseline", "r.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("schema is \"driftfix/v1\""), "{err}");
    let (code, _, err) = run(dir.path(), &["scan", "--write-baseline", "driftfix.toml"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--write-baseline driftfix.toml is a rule file"),
        "{err}"
    );
    let (code, _, err) = run(
        dir.path(),
        &["scan", "--write-baseline", "no/such/dir.json"],
    );
    assert_eq!(code, 2, "{err}");
    // A baseline is the whole tree's: never from the files --since picks.
    let (code, _, err) = run(
        dir.path(),
        &["scan", "--write-baseline", "c.json", "--since", "HEAD"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot be used with"), "{err}");
}

/// The suppressed findings in the human and markdown reports.
#[test]
fn show_suppressed_in_human_and_markdown() {
    let dir = tree(&[(
        "a.yaml",
        "host: pve-shop # driftfix: ignore\ncluster: pve-home\n",
    )]);
    let (_, out, _) = run(dir.path(), &["scan"]);
    assert!(
        out.contains("1 finding suppressed (inline 1); --show-suppressed lists them\n"),
        "{out}"
    );
    assert!(!out.contains("suppressed (1)"), "{out}");
    let (_, out, _) = run(dir.path(), &["scan", "--show-suppressed"]);
    assert!(
        out.contains("\nsuppressed (1)\n  a.yaml:1:7  host"),
        "{out}"
    );
    assert!(out.contains("[inline: line 1: driftfix: ignore]"), "{out}");
    let (_, out, _) = run(
        dir.path(),
        &["scan", "--format", "markdown", "--show-suppressed"],
    );
    assert!(
        out.contains("- **Suppressed:** 1 finding suppressed (inline 1)"),
        "{out}"
    );
    assert!(out.contains("## Suppressed findings\n"), "{out}");
    assert!(
        out.contains("| `a.yaml` | 1 | `host` | `pve-shop` | inline | line 1: driftfix: ignore |"),
        "{out}"
    );
    // Without the flag, JSON findings carry no `suppressed` key at all.
    let (_, out, _) = run(dir.path(), &["scan", "--format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(v["findings"][0].get("suppressed").is_none(), "{v:#}");
    assert_eq!(v["summary"]["suppressed"], 1);
}

/// The acceptance of issue 17 on the homelab example: a baseline accepts
/// the drift there is, one new alias is reported alone; an inline
/// `# driftfix: ignore[pve-shop]` line is neither reported nor fixed;
/// `fix --apply` then `undo` restores every file byte for byte.
#[test]
fn homelab_acceptance() {
    let dir = homelab_copy();
    let p = dir.path();
    let (code, _, err) = run(p, &["scan", "--write-baseline", "b.json"]);
    assert_eq!(code, 0, "{err}");
    let (code, report, err) = scan(p, &["--baseline", "b.json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(report["summary"]["findings"], 0);

    let inv = "workbench/infra/data/CONTAINER_INVENTORY.yaml";
    let text = read(p, inv);
    let added = text.replace(
        "  - name: homeassistant\n",
        "  - name: newbox\n    location: pve-home\n  - name: homeassistant\n",
    );
    assert_ne!(added, text);
    fs::write(p.join(inv), &added).unwrap();
    let (code, report, _) = scan(p, &["--baseline", "b.json"]);
    assert_eq!(code, 1);
    let new: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"].is_null())
        .collect();
    assert_eq!(new.len(), 1, "{report:#}");
    assert_eq!(new[0]["path"], inv);
    assert_eq!(new[0]["line"], 17);
    assert_eq!(new[0]["actual"], "pve-home");

    // An inline suppression on the first pve-shop line of the inventory.
    let marked = added.replace(
        "    location: pve-shop        # shop rack\n",
        "    location: pve-shop        # shop rack  # driftfix: ignore[pve-shop]\n",
    );
    assert_ne!(marked, added);
    fs::write(p.join(inv), &marked).unwrap();
    let (_, report, _) = scan(p, &[]);
    let line7: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == inv && f["line"] == 7)
        .collect();
    assert_eq!(line7.len(), 1);
    assert_eq!(line7[0]["suppressed"], "inline");
    let (_, out, _) = run(p, &["scan"]);
    assert!(!out.contains(&format!("{inv}:7:")), "not reported: {out}");

    let journal = tempfile::tempdir().unwrap();
    let j = journal.path().to_str().unwrap();
    let before = snapshot(p);
    let (code, _, err) = run(p, &["fix", "--apply", "--journal", j]);
    assert_eq!(code, 0, "{err}");
    let fixed = read(p, inv);
    assert!(
        fixed.contains("    location: pve-shop        # shop rack  # driftfix: ignore[pve-shop]\n"),
        "not fixed: {fixed}"
    );
    assert!(fixed.contains("    location: 'pve'\n"), "{fixed}");
    assert_ne!(snapshot(p), before);
    let (code, _, err) = run(p, &["undo", "--journal", j]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(snapshot(p), before, "every file byte for byte");
}

/// INI (Ansible inventories): `#` and `;` comment lines and a `#` after a
/// host entry are comments; in a `[g:vars]` line everything after `=` is
/// the value, so the words there are text, never a marker.
#[test]
fn ini_every_marker_form_and_none_inside_values() {
    let dir = tree(&[
        (
            "hosts.ini",
            "[shop]\npve-shop ansible_host=10.0.0.1  # driftfix: ignore\n; driftfix: ignore-next-line\nproxmox-shop\n# driftfix: ignore-next-line[pve-shop]\npve-home\n\n[shop:vars]\nproxmox_node=pve-home ; driftfix: ignore\n",
        ),
        (
            "b.ini",
            "# driftfix: ignore-file[pve-home]\n[home]\npve-home\npve-shop\n",
        ),
    ]);
    let mut rules = RULES.to_string();
    rules.push_str("\n[[field]]\ntypes = [\"ini\"]\nkeys_of = [\"**.hosts\"]\nselect = [\"**.vars.proxmox_node\"]\nmatch = \"token\"\n");
    fs::write(dir.path().join("driftfix.toml"), rules).unwrap();
    let (code, report, err) = scan(dir.path(), &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        listed(&report),
        pairs(&[
            ("b.ini:3", "inline"),
            ("b.ini:4", "-"),
            ("hosts.ini:2", "inline"),
            ("hosts.ini:4", "inline"),
            ("hosts.ini:6", "-"),
            ("hosts.ini:9", "-"),
        ])
    );
}

/// JSONC: `//` and `/* */` comments hold markers; strings never do.
#[test]
fn jsonc_every_marker_form_and_none_inside_strings() {
    let dir = tree(&[
        (
            "a.jsonc",
            "{\n  // driftfix: ignore-next-line\n  \"host\": \"pve-shop\",\n  \"cluster\": \"pve-home\", /* driftfix: ignore */\n  \"note\": \"// driftfix: ignore-file\",\n  \"hosts\": {\"proxmox-shop\": 1}, // driftfix: ignore[pve-home]\n}\n",
        ),
        (
            "b.jsonc",
            "/* driftfix: ignore-file */ {\"host\": \"pve-shop\"}\n",
        ),
    ]);
    let (code, report, err) = scan(dir.path(), &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        listed(&report),
        pairs(&[
            ("a.jsonc:3", "inline"),
            ("a.jsonc:4", "inline"),
            ("a.jsonc:6", "-"),
            ("b.jsonc:1", "inline"),
        ])
    );
}

/// Text files have no comments of their own: a marker counts anywhere on
/// its line (`<!-- driftfix: ignore -->`), and the aliases it names are no
/// findings themselves.
#[test]
fn text_markers_anywhere_on_the_line() {
    let dir = tree(&[(
        "notes.md",
        "pve-shop is old <!-- driftfix: ignore[pve-shop] -->\npve-home too\n<!-- driftfix: ignore-next-line -->\nsee pve-home\necho pve-shop # driftfix: ignore\n",
    )]);
    let mut rules = RULES.to_string();
    rules.push_str("\n[types]\n\"**/*.md\" = \"text\"\n\n[[field]]\ntypes = [\"text\"]\n");
    fs::write(dir.path().join("driftfix.toml"), rules).unwrap();
    let (code, report, err) = scan(dir.path(), &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        listed(&report),
        pairs(&[
            ("notes.md:1", "inline"),
            ("notes.md:2", "-"),
            ("notes.md:4", "inline"),
            ("notes.md:5", "inline"),
        ])
    );
    let (_, _, err) = scan(dir.path(), &["--strict"]);
    assert!(!err.contains("unused suppression"), "{err}");
    run(dir.path(), &["fix", "--apply", "--no-journal"]);
    assert_eq!(
        read(dir.path(), "notes.md"),
        "pve-shop is old <!-- driftfix: ignore[pve-shop] -->\nproxmox-home too\n<!-- driftfix: ignore-next-line -->\nsee pve-home\necho pve-shop # driftfix: ignore\n"
    );
}
