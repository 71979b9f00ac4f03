//! Every report format end to end (SPEC §3-§4): insta snapshots of the
//! homelab example and of a drifted variant whose source of truth holds
//! aliases (`tests/fixtures/homelab-drifted`), SARIF schema validation,
//! exit codes for every `--fail-on` level, `--strict`, and `--output`.

use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;
use common::{driftfix, repo};

const HOMELAB: &str = "tests/fixtures/homelab";
const DRIFTED: &str = "tests/fixtures/homelab-drifted";

/// `driftfix --rules rules/homelab.toml --base BASE --color never ARGS`,
/// run from the repository root.
fn run(base: &str, args: &[&str]) -> std::process::Output {
    driftfix()
        .current_dir(repo())
        .env_remove("NO_COLOR")
        .args(args)
        .args([
            "--rules",
            "rules/homelab.toml",
            "--base",
            base,
            "--color",
            "never",
        ])
        .output()
        .unwrap()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn code(out: &std::process::Output) -> i32 {
    out.status.code().unwrap()
}

/// Snapshots live in the top-level `snapshots/` folder; timings and the
/// crate version are filtered so snapshots stay put. SARIF URIs are
/// relative to the git work tree when there is one (SRCROOT): the fixture's
/// place in this repository (`tests/fixtures/homelab/`) is shown as
/// `[SRCROOT]/`, and so is the base outside a work tree (a source
/// tarball), so the snapshots hold either way; the tests with a nested base
/// check the prefix itself.
fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s.add_filter(r" in \d+\.\d+s", " in [TIME]");
    s.add_filter(
        r#""uri": "(tests/fixtures/homelab(-drifted)?/)?"#,
        r#""uri": "[SRCROOT]/"#,
    );
    let version = env!("CARGO_PKG_VERSION").replace('.', r"\.");
    s.add_filter(
        &format!(r#""(version|semanticVersion)": "{version}""#),
        r#""$1": "[VERSION]""#,
    );
    s
}

fn snapshot(name: &str, base: &str, args: &[&str]) {
    let out = run(base, args);
    let text = stdout(&out);
    assert!(
        !text.is_empty(),
        "{name}: empty output; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    settings().bind(|| insta::assert_snapshot!(name, text));
}

#[test]
fn snapshots_of_every_format_on_the_homelab() {
    for (base, tag) in [(HOMELAB, "homelab"), (DRIFTED, "drifted")] {
        for format in ["human", "json", "markdown", "sarif"] {
            snapshot(
                &format!("{tag}-scan-{format}"),
                base,
                &["scan", "--format", format],
            );
        }
        for format in ["patch", "markdown", "json"] {
            snapshot(
                &format!("{tag}-fix-{format}"),
                base,
                &["fix", "--dry-run", "--format", format],
            );
        }
    }
}

#[test]
fn reports_are_reproducible() {
    for format in ["markdown", "sarif", "json"] {
        let a = stdout(&run(DRIFTED, &["scan", "--format", format]));
        let b = stdout(&run(DRIFTED, &["scan", "--format", format]));
        assert_eq!(a, b, "{format} differs between two runs");
        assert!(
            !a.contains(repo().to_str().unwrap()),
            "{format} holds an absolute path"
        );
    }
}

// ---------------------------------------------------------------- markdown

fn markdown(base: &str) -> String {
    stdout(&run(base, &["scan", "--format", "markdown"]))
}

#[test]
fn markdown_verdicts_follow_the_authority() {
    let clean = markdown(HOMELAB);
    assert!(clean.contains("**authority: ALIGNED**"), "{clean}");
    assert!(clean.contains("**editable: DRIFTED**"), "{clean}");
    let drifted = markdown(DRIFTED);
    assert!(drifted.contains("**authority: DRIFTED**"), "{drifted}");
    assert!(drifted.contains("### CRITICAL ("), "{drifted}");
    assert!(
        drifted.contains("no action, read-only (authority): correct the source of truth by hand"),
        "{drifted}"
    );
    assert!(
        drifted.contains("1. **Correct the source of truth first:**"),
        "{drifted}"
    );
}

#[test]
fn markdown_names_the_authority_files_that_use_each_canonical() {
    let md = markdown(HOMELAB);
    let row = md
        .lines()
        .find(|l| l.starts_with("| `pve` |"))
        .unwrap_or_else(|| panic!("no summary row for pve:\n{md}"));
    for f in [
        "spine/docs/governance/SERVICE_REGISTRY.yaml",
        "spine/ops/bindings/ssh.targets.yaml",
        "spine/ops/bindings/vm.lifecycle.yaml",
    ] {
        assert!(row.contains(&format!("`{f}`")), "{row}");
    }
}

/// Every table row has the cell count of its header: values holding `|`
/// or backticks (odd.toml in the drifted tree) cannot break a table.
#[test]
fn markdown_tables_stay_well_formed() {
    for md in [
        markdown(DRIFTED),
        stdout(&run(DRIFTED, &["fix", "--format", "markdown"])),
    ] {
        let rows = common::markdown::assert_tables_well_formed(&md);
        assert!(rows > 10, "expected tables:\n{md}");
        assert!(
            md.contains(r"``https://pve-shop.lan:8006/?q=a\|b`c`&n=café``"),
            "pipe escaped in a code span:\n{md}"
        );
    }
}

#[test]
fn fix_markdown_holds_the_patch_in_diff_fences() {
    let md = stdout(&run(HOMELAB, &["fix", "--format", "markdown"]));
    let patch = stdout(&run(HOMELAB, &["fix", "--format", "patch"]));
    assert!(md.contains("## Fix"), "{md}");
    // Every patch line appears inside the markdown, in ```diff blocks.
    let blocks: String = md
        .split("```diff\n")
        .skip(1)
        .map(|b| b.split("\n```\n").next().unwrap().to_string() + "\n")
        .collect();
    assert_eq!(blocks, patch);
}

// ------------------------------------------------------------------- sarif

/// The SARIF schema: `$DRIFTFIX_SCHEMAS`, else `../shared/schemas` next to
/// the crate; `None` with a printed notice when absent.
fn sarif_validator() -> Option<jsonschema::Validator> {
    let dir = std::env::var_os("DRIFTFIX_SCHEMAS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared/schemas"));
    let path = dir.join("sarif-schema-2.1.0.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "NOTICE: {} not found; SARIF schema validation skipped (set DRIFTFIX_SCHEMAS)",
            path.display()
        );
        println!("NOTICE: SARIF schema not found; validation skipped");
        return None;
    };
    let schema: Value = serde_json::from_str(&text).unwrap();
    Some(
        jsonschema::draft4::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap(),
    )
}

fn assert_valid(validator: &jsonschema::Validator, log: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: SARIF invalid:\n{}",
        errors.join("\n")
    );
}

fn sarif(base: &str, extra: &[&str]) -> Value {
    let mut args = vec!["scan", "--format", "sarif"];
    args.extend_from_slice(extra);
    serde_json::from_str(&stdout(&run(base, &args))).unwrap()
}

#[test]
fn sarif_validates_against_the_schema() {
    let Some(v) = sarif_validator() else { return };
    let broken = tree(&[
        ("driftfix.toml", RULES),
        ("a.json", r#"{"host": "pve-shop",,}"#),
        ("b.yaml", "host: pve-shop\nother: pve2\n"),
    ]);
    let logs = [
        ("homelab", sarif(HOMELAB, &[])),
        ("drifted", sarif(DRIFTED, &[])),
        ("drifted --strict", sarif(DRIFTED, &["--strict"])),
        (
            "errors",
            scan_in(broken.path(), &["--format", "sarif", "--strict"]).0,
        ),
    ];
    for (what, log) in &logs {
        assert_valid(&v, log, what);
        assert!(
            !log["runs"][0]["results"].as_array().unwrap().is_empty(),
            "{what}: no results"
        );
        assert_github_limits(log, what);
    }
    // The check is real: a log without `version` is rejected.
    let mut bad = logs[0].1.clone();
    bad.as_object_mut().unwrap().remove("version");
    assert!(!v.is_valid(&bad));
}

/// What GitHub code scanning requires beyond the schema: at most 25,000
/// results and 25,000 rules per run, every rule with `help.text` and a
/// `fullDescription` of at most 1,024 characters, relative URIs.
fn assert_github_limits(log: &Value, what: &str) {
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 3, "{what}: one rule per kind of finding");
    for r in rules {
        let full = r["fullDescription"]["text"].as_str().unwrap();
        assert!(full.chars().count() <= 1024, "{what}: {}", r["id"]);
        assert!(
            r["help"]["text"].as_str().is_some_and(|t| !t.is_empty()),
            "{what}: {}",
            r["id"]
        );
        assert!(r["help"]["markdown"].is_string(), "{what}: {}", r["id"]);
    }
    let results = run["results"].as_array().unwrap();
    assert!(results.len() <= 25_000, "{what}");
    for r in results {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(
            !uri.starts_with('/') && !uri.contains("://"),
            "{what}: {uri}"
        );
    }
}

#[test]
fn sarif_results_carry_levels_regions_fixes_and_fingerprints() {
    let log = sarif(DRIFTED, &[]);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let json = scan_json_at(DRIFTED, &[]);
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(results.len(), findings.len(), "one result per finding");
    for (r, f) in results.iter().zip(findings) {
        let level = match f["severity"].as_str().unwrap() {
            "critical" | "high" => "error",
            "medium" => "warning",
            _ => "note",
        };
        assert_eq!(r["level"], level);
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "SRCROOT");
        assert_eq!(loc["region"]["startLine"], f["line"]);
        assert_eq!(loc["region"]["startColumn"], f["column"]);
        let alias_len = f["alias"].as_str().unwrap().chars().count() as u64;
        assert_eq!(
            loc["region"]["endColumn"].as_u64().unwrap(),
            f["column"].as_u64().unwrap() + alias_len
        );
        // One rule per kind of finding; the canonical name is the
        // result's, never a rule of its own (SPEC §13).
        assert_eq!(r["ruleId"], "non-canonical-label");
        assert_eq!(r["ruleId"], f["rule"]);
        assert_eq!(r["ruleIndex"], 0);
        assert_eq!(r["properties"]["canonical"], f["canonical"]);
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            uri.ends_with(f["path"].as_str().unwrap()),
            "{uri} names {}",
            f["path"]
        );
        assert_eq!(r.get("fixes").is_some(), f["action"] == "fix", "{r}");
        assert!(
            r["partialFingerprints"]["driftfix/v1"]
                .as_str()
                .unwrap()
                .len()
                == 16
        );
    }
    let prints: std::collections::BTreeSet<&str> = results
        .iter()
        .map(|r| r["partialFingerprints"]["driftfix/v1"].as_str().unwrap())
        .collect();
    assert_eq!(prints.len(), results.len(), "fingerprints are unique");
}

/// Applying a SARIF fix's replacements to the original file changes exactly
/// the alias on the result's line into the canonical name.
#[test]
fn sarif_fixes_replace_the_alias_on_its_line() {
    let log = sarif(HOMELAB, &[]);
    let mut checked = 0;
    for r in log["runs"][0]["results"].as_array().unwrap() {
        let Some(fix) = r["fixes"].get(0) else {
            continue;
        };
        let change = &fix["artifactChanges"][0];
        let path = change["artifactLocation"]["uri"].as_str().unwrap();
        // URIs are relative to the git work tree (SRCROOT), else the base.
        let root = work_tree(&repo().join(HOMELAB)).unwrap_or(repo().join(HOMELAB));
        let original = std::fs::read_to_string(root.join(path)).unwrap();
        let edited =
            apply_sarif_replacements(&original, change["replacements"].as_array().unwrap());
        assert_ne!(edited, original);
        let alias = r["properties"]["alias"].as_str().unwrap();
        let canonical = r["properties"]["canonical"].as_str().unwrap();
        let line = r["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap() as usize;
        let old_line = original.lines().nth(line - 1).unwrap();
        let new_line = edited.lines().nth(line - 1).unwrap();
        assert_eq!(
            new_line,
            old_line.replacen(alias, canonical, 1),
            "{path}:{line}"
        );
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} fixes checked");
}

/// The git work tree holding `dir` (the nearest ancestor with `.git`).
fn work_tree(dir: &Path) -> Option<PathBuf> {
    let real = std::fs::canonicalize(dir).unwrap();
    real.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// Applies SARIF replacements (line/column regions in code points).
fn apply_sarif_replacements(text: &str, replacements: &[Value]) -> String {
    let offset = |line: u64, col: u64| -> usize {
        let start: usize = text
            .split_inclusive('\n')
            .take(line as usize - 1)
            .map(str::len)
            .sum();
        let rest = &text[start..];
        start
            + rest
                .char_indices()
                .nth(col as usize - 1)
                .map(|(i, _)| i)
                .unwrap_or(rest.len())
    };
    let mut edits: Vec<(usize, usize, String)> = replacements
        .iter()
        .map(|r| {
            let d = &r["deletedRegion"];
            let n = |k: &str| d[k].as_u64().unwrap();
            (
                offset(n("startLine"), n("startColumn")),
                offset(n("endLine"), n("endColumn")),
                r["insertedContent"]["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    edits.sort();
    let mut out = text.to_string();
    for (s, e, t) in edits.into_iter().rev() {
        out.replace_range(s..e, &t);
    }
    out
}

// -------------------------------------------------------- exit codes, strict

const RULES: &str = r#"version = 1
[paths]
authority = ["spine/**"]
readonly = ["legacy/**"]
[[canonical]]
name = "pve"
aliases = ["pve-shop"]
[[canonical]]
name = "proxmox-home"
aliases = ["pve-home"]
[[field]]
select = ["host"]
[[severity]]
files = ["**/backup*.json"]
level = "high"
"#;

/// A scratch tree from `(path, content)` pairs.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (p, c) in files {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, c).unwrap();
    }
    dir
}

/// `driftfix scan ARGS` in `dir` (rules discovered there): (json or sarif
/// report, exit code).
fn scan_in(dir: &Path, args: &[&str]) -> (Value, i32) {
    let out = driftfix()
        .current_dir(dir)
        .arg("scan")
        .args(args)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (v, code(&out))
}

fn scan_json_at(base: &str, extra: &[&str]) -> Value {
    let mut args = vec!["scan", "--format", "json"];
    args.extend_from_slice(extra);
    serde_json::from_str(&stdout(&run(base, &args))).unwrap()
}

/// One finding of each severity, each in its own folder, so a root picks a
/// single severity.
fn severity_tree() -> tempfile::TempDir {
    tree(&[
        ("driftfix.toml", RULES),
        ("spine/a.yaml", "host: pve-shop\n"), // critical
        ("work/backup.json", r#"{"host": "pve-home"}"#), // high
        ("work/b.yaml", "host: pve-shop\n"),  // medium
        ("legacy/c.yaml", "host: pve-home\n"), // low
        ("clean/d.yaml", "host: pve\n"),
    ])
}

#[test]
fn fail_on_every_level() {
    let t = severity_tree();
    // (root, --fail-on, expected exit)
    let cases = [
        ("spine", "critical", 1),
        ("work/backup.json", "critical", 0),
        ("work/backup.json", "high", 1),
        ("work/b.yaml", "high", 0),
        ("work/b.yaml", "medium", 1),
        ("legacy", "medium", 0),
        ("legacy", "low", 1),
        ("legacy", "never", 0),
        ("spine", "never", 0),
        ("clean", "low", 0),
        (".", "critical", 1),
        (".", "never", 0),
    ];
    for (root, level, want) in cases {
        let (report, got) = scan_in(t.path(), &[root, "--format", "json", "--fail-on", level]);
        assert_eq!(got, want, "scan {root} --fail-on {level}: {report}");
        assert!(report["findings"].is_array(), "{report}");
    }
    // Default is `low`: any finding fails.
    assert_eq!(scan_in(t.path(), &["legacy", "--format", "json"]).1, 1);
    assert_eq!(scan_in(t.path(), &["clean", "--format", "json"]).1, 0);
}

#[test]
fn fail_on_applies_to_every_format_and_errors_win() {
    let t = severity_tree();
    for format in ["human", "markdown", "json", "sarif"] {
        let out = driftfix()
            .current_dir(t.path())
            .args([
                "scan",
                "work/b.yaml",
                "--format",
                format,
                "--fail-on",
                "high",
            ])
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{format}");
    }
    let broken = tree(&[
        ("driftfix.toml", RULES),
        ("x.json", r#"{"host": "pve-shop""#),
    ]);
    assert_eq!(
        scan_in(broken.path(), &["--format", "json", "--fail-on", "never"]).1,
        2
    );
}

#[test]
fn strict_reports_unknown_values_only_when_asked() {
    let t = tree(&[
        ("driftfix.toml", RULES),
        ("work/a.yaml", "host: pve2\nother:\n  host: pve\n"),
        ("legacy/b.yaml", "host: banana\n"),
        // Empty values name nothing: never reported.
        (
            "work/c.yaml",
            "host: ''\nx:\n  host: \"\"\ny:\n  host: ' '\n",
        ),
        ("work/d.json", "{\"host\": \"\"}\n"),
    ]);
    let (plain, code_plain) = scan_in(t.path(), &["--format", "json"]);
    assert_eq!(plain["findings"].as_array().unwrap().len(), 0, "{plain}");
    assert_eq!(code_plain, 0);

    let (strict, code_strict) = scan_in(t.path(), &["--format", "json", "--strict"]);
    let findings = strict["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "{strict}");
    let legacy = &findings[0];
    assert_eq!(legacy["path"], "legacy/b.yaml");
    assert_eq!(legacy["action"], "report");
    assert_eq!(legacy["expected"], Value::Null);
    let work = &findings[1];
    assert_eq!(work["path"], "work/a.yaml");
    assert_eq!(work["action"], "manual");
    assert_eq!(work["expected"], "pve");
    assert_eq!(work["alias"], Value::Null);
    assert_eq!(code_strict, 1);
    assert_eq!(
        scan_in(
            t.path(),
            &["--format", "json", "--strict", "--fail-on", "never"]
        )
        .1,
        0
    );
    assert_eq!(
        scan_in(
            t.path(),
            &[
                "work",
                "--format",
                "json",
                "--strict",
                "--fail-on",
                "medium"
            ]
        )
        .1,
        1
    );
    assert_eq!(
        scan_in(
            t.path(),
            &[
                "legacy",
                "--format",
                "json",
                "--strict",
                "--fail-on",
                "medium"
            ]
        )
        .1,
        0
    );

    let (sarif, _) = scan_in(t.path(), &["--format", "sarif", "--strict"]);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .all(|r| r["ruleId"] == "unknown-label" && r["ruleIndex"] == 1),
        "{sarif}"
    );
    assert!(
        findings.iter().all(|f| f["rule"] == "unknown-label"),
        "{strict}"
    );

    let md = driftfix()
        .current_dir(t.path())
        .args(["scan", "--format", "markdown", "--strict"])
        .output()
        .unwrap();
    let md = stdout(&md);
    assert!(md.contains("### Unknown values (`--strict`)"), "{md}");
    assert!(
        md.contains("| editable | `work/a.yaml` | 1 | `host` | `pve` | `pve2` | **MEDIUM** |"),
        "{md}"
    );
}

// ------------------------------------------------------------------ --output

#[test]
fn output_replaces_the_file_atomically_and_leaves_no_temp_files() {
    let t = severity_tree();
    let out_dir = tempfile::tempdir().unwrap();
    let report = out_dir.path().join("report.md");
    std::fs::write(
        &report,
        "old content that is much longer than nothing\n".repeat(100),
    )
    .unwrap();
    for format in ["markdown", "sarif", "json", "human"] {
        let out = driftfix()
            .current_dir(t.path())
            .args(["scan", "--format", format, "--output"])
            .arg(&report)
            .output()
            .unwrap();
        assert_eq!(code(&out), 1, "{format}");
        assert!(out.stdout.is_empty(), "{format}: stdout not empty");
        let written = std::fs::read_to_string(&report).unwrap();
        assert!(!written.contains("old content"), "{format}");
        let direct = driftfix()
            .current_dir(t.path())
            .args(["scan", "--format", format, "--color", "always"])
            .output()
            .unwrap();
        if format != "human" {
            assert_eq!(
                written,
                stdout(&direct),
                "{format}: file differs from stdout"
            );
        } else {
            assert!(!written.contains('\u{1b}'), "no color in a file");
        }
        let names: Vec<_> = std::fs::read_dir(out_dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["report.md"], "{format}: stray files {names:?}");
    }
}

#[test]
fn output_into_a_missing_directory_is_an_error() {
    let t = severity_tree();
    let out = driftfix()
        .current_dir(t.path())
        .args([
            "scan",
            "--format",
            "markdown",
            "--output",
            "no/such/dir/r.md",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/dir/r.md"));
}

#[test]
fn fix_output_writes_the_patch_and_nothing_else() {
    let t = severity_tree();
    let before = std::fs::read(t.path().join("work/b.yaml")).unwrap();
    let out = driftfix()
        .current_dir(t.path())
        .args(["fix", "--format", "markdown", "--output", "fix.md"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1, "dry run with pending changes");
    let md = std::fs::read_to_string(t.path().join("fix.md")).unwrap();
    assert!(
        md.contains("```diff\n--- a/work/b.yaml\n+++ b/work/b.yaml\n"),
        "{md}"
    );
    assert_eq!(std::fs::read(t.path().join("work/b.yaml")).unwrap(), before);
}

/// An alias written with escapes (`pve\u002dshop`) has no verbatim source
/// text: the region covers the string between its quotes, and the fix
/// replaces exactly that.
#[test]
fn sarif_region_of_an_escaped_alias_covers_the_string() {
    let t = tree(&[
        ("driftfix.toml", RULES),
        // The literal `pve-home` makes the prefilter let the file through.
        (
            "a.json",
            "{\"x\": {\"host\": \"pve-home\"},\n \"host\": \"pve\\u002dshop\"}\n",
        ),
    ]);
    let (log, code) = scan_in(t.path(), &["--format", "sarif"]);
    assert_eq!(code, 1);
    let r = &log["runs"][0]["results"][1];
    let region = &r["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 2);
    assert_eq!(region["startColumn"], 11);
    assert_eq!(region["endColumn"], 11 + "pve\\u002dshop".len());
    let original = std::fs::read_to_string(t.path().join("a.json")).unwrap();
    let fixed = apply_sarif_replacements(
        &original,
        r["fixes"][0]["artifactChanges"][0]["replacements"]
            .as_array()
            .unwrap(),
    );
    assert_eq!(
        fixed,
        "{\"x\": {\"host\": \"pve-home\"},\n \"host\": \"pve\"}\n"
    );
    if let Some(v) = sarif_validator() {
        assert_valid(&v, &log, "escaped alias");
    }
}

/// An authority file of every format is read for the canonical names it
/// uses, even where a line or value holds no alias: the engines leave such
/// scalars out of a plan's scan (`Format::scan_for`), so an authority file
/// must let canonical names through too (the text engine once dropped them).
#[test]
fn markdown_names_authority_files_of_every_format() {
    let dir = common::tree(&[
        (
            "driftfix.toml",
            r#"
version = 1

[paths]
authority = ["truth/**"]

[types]
"**/*.txt" = "text"

[[canonical]]
name = "pve"
aliases = ["pve-shop"]

[[field]]
select = ["**.host"]

[[field]]
types = ["text"]
match = "token"
"#,
        ),
        ("truth/hosts.txt", "the shop cluster is pve\n"),
        ("truth/hosts.yaml", "host: pve\n"),
        ("truth/hosts.json", "{\"host\": \"pve\"}\n"),
        ("truth/hosts.toml", "host = \"pve\"\n"),
        ("app/deploy.yaml", "host: pve-shop\n"),
    ]);
    let out = driftfix()
        .args(["scan", "--format", "markdown", "--color", "never"])
        .arg("--rules")
        .arg(dir.path().join("driftfix.toml"))
        .arg("--base")
        .arg(dir.path())
        .output()
        .unwrap();
    let md = stdout(&out);
    let row = md
        .lines()
        .find(|l| l.starts_with("| `pve` |"))
        .unwrap_or_else(|| panic!("no summary row for pve:\n{md}"));
    for f in [
        "truth/hosts.txt",
        "truth/hosts.yaml",
        "truth/hosts.json",
        "truth/hosts.toml",
    ] {
        assert!(row.contains(&format!("`{f}`")), "{f} missing: {row}");
    }
}
