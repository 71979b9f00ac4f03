//! The outputs for CI and review tools (SPEC §13, issue 18): GitHub
//! workflow commands and GitLab Code Quality (snapshots on the homelab in a
//! nested base, GitLab's report shape as a JSON Schema), SARIF as GitHub
//! code scanning takes it (repository paths in a nested base, one rule per
//! kind, description and help limits, the 25,000-result cap, no absolute
//! paths, memory), `-q`, `--statistics`, code frames, `--help` and the man
//! page.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

mod common;
use common::{copy_tree, driftfix, repo};

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
    write_files(dir.path(), files);
    dir
}

fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (p, c) in files {
        let path = dir.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, c).unwrap();
    }
}

/// `driftfix ARGS` in `dir`.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    driftfix()
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(out), stderr(out)))
}

/// The homelab example as `infra/` of a work tree (a `.git` folder at the
/// top is what marks one), its rule file `infra/driftfix.toml`: the nested
/// base of issue 18.
fn homelab_in_work_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let infra = dir.path().join("infra");
    copy_tree(&repo().join("tests/fixtures/homelab"), &infra);
    std::fs::copy(
        repo().join("rules/homelab.toml"),
        infra.join("driftfix.toml"),
    )
    .unwrap();
    dir
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s
}

// ------------------------------------------------------- github and gitlab

#[test]
fn github_and_gitlab_snapshots_of_the_homelab_in_a_nested_base() {
    let t = homelab_in_work_tree();
    let infra = t.path().join("infra");
    for format in ["github", "gitlab"] {
        let out = run_in(&infra, &["scan", "--format", format]);
        assert_eq!(code(&out), 1, "{format}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(!text.contains(t.path().to_str().unwrap()), "{text}");
        settings().bind(|| insta::assert_snapshot!(format!("homelab-scan-{format}"), text));
    }
    let github = stdout(&run_in(&infra, &["scan", "--format", "github"]));
    let findings = json(&run_in(&infra, &["scan", "--format", "json"]));
    let findings = findings["findings"].as_array().unwrap();
    assert_eq!(
        github.lines().count(),
        findings.len(),
        "one command per finding"
    );
    for (line, f) in github.lines().zip(findings) {
        let level = match f["severity"].as_str().unwrap() {
            "critical" | "high" => "error",
            "medium" => "warning",
            _ => "notice",
        };
        let want = format!(
            "::{level} file=infra/{},line={},col={},endLine={},endColumn={},title=driftfix%3A {} → {}::infra/",
            f["path"].as_str().unwrap(),
            f["line"],
            f["column"],
            f["end_line"],
            f["end_column"],
            f["alias"].as_str().unwrap(),
            f["canonical"].as_str().unwrap(),
        );
        assert!(line.starts_with(&want), "{line}\nwant {want}");
    }
}

/// Property values and the message are escaped as `@actions/core` does:
/// `%` first, then CR and LF, and in properties `:` and `,`.
#[test]
fn github_commands_escape_as_actions_core_does() {
    let t = tree(&[
        ("driftfix.toml", RULES),
        ("a,b:c%.yaml", "host: pve-shop\n"),
        ("multi.yaml", "x:\n  host: pve-home\n"),
    ]);
    let out = run_in(t.path(), &["scan", "--format", "github"]);
    let text = stdout(&out);
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with(
            "::warning file=a%2Cb%3Ac%25.yaml,line=1,col=7,endLine=1,endColumn=15,title=driftfix%3A pve-shop → pve::a,b:c%25.yaml:1:7: "
        ),
        "{text}"
    );
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(!text.contains('\r'));
}

fn gitlab_validator() -> jsonschema::Validator {
    let text =
        std::fs::read_to_string(repo().join("tests/schemas/gitlab-code-quality.schema.json"))
            .unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft7::options().build(&schema).unwrap()
}

fn assert_gitlab_valid(v: &jsonschema::Validator, report: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(report)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {}", errors.join("\n"));
    let prints: std::collections::BTreeSet<&str> = report
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(
        prints.len(),
        report.as_array().unwrap().len(),
        "{what}: fingerprints are unique"
    );
}

#[test]
fn gitlab_report_has_the_code_quality_shape() {
    let v = gitlab_validator();
    let t = homelab_in_work_tree();
    let homelab = json(&run_in(
        &t.path().join("infra"),
        &["scan", "--format", "gitlab"],
    ));
    assert!(homelab.as_array().unwrap().len() > 10);
    assert_gitlab_valid(&v, &homelab, "homelab");
    let drifted = driftfix()
        .current_dir(repo())
        .args([
            "scan",
            "--format",
            "gitlab",
            "--strict",
            "--rules",
            "rules/homelab.toml",
            "--base",
            "tests/fixtures/homelab-drifted",
        ])
        .output()
        .unwrap();
    let drifted = json(&drifted);
    assert_gitlab_valid(&v, &drifted, "drifted --strict");
    let severities: std::collections::BTreeSet<&str> = drifted
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["severity"].as_str().unwrap())
        .collect();
    assert!(severities.contains("critical"), "{severities:?}");
    let checks: std::collections::BTreeSet<&str> = drifted
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["check_name"].as_str().unwrap())
        .collect();
    assert!(
        checks.len() >= 2,
        "strict findings have their own check: {checks:?}"
    );
    // Severity mapping (documented in src/report/gitlab.rs).
    let t = tree(&[
        ("driftfix.toml", RULES),
        ("spine/a.yaml", "host: pve-shop\n"),
        ("work/backup.json", r#"{"host": "pve-home"}"#),
        ("work/b.yaml", "host: pve-shop\n"),
        ("legacy/c.yaml", "host: pve-home\n"),
    ]);
    let report = json(&run_in(t.path(), &["scan", "--format", "gitlab"]));
    let by_path: Vec<(&str, &str)> = report
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["location"]["path"].as_str().unwrap(),
                i["severity"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by_path,
        [
            ("legacy/c.yaml", "info"),
            ("spine/a.yaml", "critical"),
            ("work/b.yaml", "minor"),
            ("work/backup.json", "major"),
        ]
    );
    assert_gitlab_valid(&v, &report, "severities");
    // No findings: an empty array, still valid.
    let clean = tree(&[("driftfix.toml", RULES), ("a.yaml", "host: pve\n")]);
    let out = run_in(clean.path(), &["scan", "--format", "gitlab"]);
    assert_eq!((code(&out), stdout(&out).as_str()), (0, "[]\n"));
    // The schema is real: an absolute path or a missing fingerprint fails.
    let mut bad = report.clone();
    bad[0]["location"]["path"] = "/abs/a.yaml".into();
    assert!(!v.is_valid(&bad));
    let mut bad = report.clone();
    bad[0].as_object_mut().unwrap().remove("fingerprint");
    assert!(!v.is_valid(&bad));
}

// ------------------------------------------------------------------- sarif

fn sarif_validator() -> jsonschema::Validator {
    let dir = std::env::var_os("DRIFTFIX_SCHEMAS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared/schemas"));
    let text = std::fs::read_to_string(dir.join("sarif-schema-2.1.0.json"))
        .expect("the SARIF schema (../shared/schemas or $DRIFTFIX_SCHEMAS)");
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

/// Schema-valid, and within what GitHub code scanning accepts: at most
/// 25,000 results per run; every rule with `shortDescription`,
/// `fullDescription` ≤ 1,024 characters, `help.text` and `help.markdown`;
/// locations relative to SRCROOT; no absolute path anywhere.
fn assert_github_sarif(log: &Value, raw: &str, no_abs: &Path, what: &str) {
    let v = sarif_validator();
    let errors: Vec<String> = v
        .iter_errors(log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {}", errors.join("\n"));
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 3, "{what}: one rule per kind of finding");
    for r in rules {
        assert!(
            r["shortDescription"]["text"]
                .as_str()
                .is_some_and(|t| !t.is_empty())
        );
        let full = r["fullDescription"]["text"].as_str().unwrap();
        assert!(full.chars().count() <= 1024, "{what}: {} chars", full.len());
        assert!(
            r["help"]["text"].as_str().is_some_and(|t| !t.is_empty()),
            "{r}"
        );
        assert!(
            r["help"]["markdown"]
                .as_str()
                .is_some_and(|t| !t.is_empty()),
            "{r}"
        );
    }
    let results = run["results"].as_array().unwrap();
    assert!(results.len() <= 25_000, "{what}");
    for r in results {
        let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(loc["uriBaseId"], "SRCROOT", "{what}");
        assert!(
            !loc["uri"].as_str().unwrap().starts_with('/'),
            "{what}: {loc}"
        );
        let rule = &rules[r["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], r["ruleId"]);
    }
    assert!(run["originalUriBaseIds"]["SRCROOT"].is_object(), "{what}");
    let abs = no_abs.to_str().unwrap();
    assert!(!raw.contains(abs), "{what}: holds {abs}");
    assert!(!raw.contains("file://"), "{what}");
}

#[test]
fn sarif_from_a_nested_base_names_repository_paths() {
    let t = homelab_in_work_tree();
    let infra = t.path().join("infra");
    let out = run_in(&infra, &["scan", "--format", "sarif"]);
    let log = json(&out);
    assert_github_sarif(&log, &stdout(&out), t.path(), "nested homelab");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() > 10);
    for r in results {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.starts_with("infra/"), "{uri}");
        assert!(t.path().join(uri).is_file(), "{uri} is a repository path");
    }
    // The JSON report keeps base-relative paths (SPEC §1).
    let report = json(&run_in(&infra, &["scan", "--format", "json"]));
    assert!(
        !report["findings"][0]["path"]
            .as_str()
            .unwrap()
            .starts_with("infra/")
    );
}

/// The case of issue 18, in a real git repository: `infra/driftfix.toml`
/// (base `infra/`) reports `infra/inv/a.yaml` as `infra/inv/a.yaml`, from
/// inside `infra/` and from the top with `--rules`/`--base`; outside any
/// work tree paths are relative to the base.
#[test]
#[cfg_attr(no_git, ignore = "NOTICE: git not found")]
fn sarif_in_a_git_repository_with_infra_driftfix_toml() {
    let t = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .current_dir(t.path())
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
    };
    git(&["init", "-q"]);
    write_files(
        t.path(),
        &[
            ("infra/driftfix.toml", RULES),
            ("infra/inv/a.yaml", "host: pve-shop\n"),
        ],
    );
    let uris = |out: &Output| -> Vec<String> {
        json(out)["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let inside = run_in(&t.path().join("infra"), &["scan", "--format", "sarif"]);
    assert_eq!(uris(&inside), ["infra/inv/a.yaml"]);
    assert_github_sarif(&json(&inside), &stdout(&inside), t.path(), "git nested");
    let top = run_in(
        t.path(),
        &[
            "scan",
            "--format",
            "sarif",
            "--rules",
            "infra/driftfix.toml",
            "--base",
            "infra",
        ],
    );
    assert_eq!(uris(&top), ["infra/inv/a.yaml"]);
    let github = stdout(&run_in(
        &t.path().join("infra"),
        &["scan", "--format", "github"],
    ));
    assert!(
        github.starts_with("::warning file=infra/inv/a.yaml,line=1,col=7,"),
        "{github}"
    );
    let gitlab = json(&run_in(
        &t.path().join("infra"),
        &["scan", "--format", "gitlab"],
    ));
    assert_eq!(gitlab[0]["location"]["path"], "infra/inv/a.yaml");

    let outside = tree(&[
        ("infra/driftfix.toml", RULES),
        ("infra/inv/a.yaml", "host: pve-shop\n"),
    ]);
    let out = run_in(
        &outside.path().join("infra"),
        &["scan", "--format", "sarif"],
    );
    assert_eq!(uris(&out), ["inv/a.yaml"]);
}

/// 25,010 findings: 25,000 medium ones are kept, the 10 low ones are
/// counted in a notification and a warning on stderr.
#[test]
fn sarif_holds_at_most_25000_results() {
    let mut work = String::from("hosts:\n");
    for i in 0..5_000 {
        work.push_str(&format!("- {{name: vm{i}, host: pve-shop}}\n"));
    }
    let legacy: String = (0..10).map(|_| "- host: pve-home\n").collect();
    let t = tree(&[("driftfix.toml", RULES), ("legacy/old.yaml", &legacy)]);
    for i in 0..5 {
        std::fs::create_dir_all(t.path().join("work")).unwrap();
        std::fs::write(t.path().join(format!("work/{i}.yaml")), &work).unwrap();
    }
    let out = run_in(t.path(), &["scan", "--format", "sarif"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let raw = stdout(&out);
    let log: Value = serde_json::from_str(&raw).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 25_000);
    assert!(
        results.iter().all(|r| r["level"] == "warning"),
        "the low ones go"
    );
    let notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    let limit = notes
        .iter()
        .find(|n| n["descriptor"]["id"] == "result-limit")
        .unwrap_or_else(|| panic!("no result-limit notification: {notes:?}"));
    let text = limit["message"]["text"].as_str().unwrap();
    assert!(
        text.contains("25010 findings, 25000 results: the 10 least severe are left out"),
        "{text}"
    );
    let err = stderr(&out);
    assert!(
        err.contains("warning: sarif: 25010 findings, 25000 results"),
        "{err}"
    );
    let prints: std::collections::HashSet<&str> = results
        .iter()
        .map(|r| r["partialFingerprints"]["driftfix/v1"].as_str().unwrap())
        .collect();
    assert_eq!(prints.len(), 25_000);
    assert_github_sarif(&log, &raw, t.path(), "capped");
}

/// A finding behind a symlink to a file outside the base directory names no
/// absolute path, in any report.
#[test]
fn no_report_leaks_an_absolute_path_through_a_symlink() {
    let t = tree(&[
        ("base/driftfix.toml", RULES),
        ("outside/x.yaml", "host: pve-shop\n"),
    ]);
    std::os::unix::fs::symlink(
        t.path().join("outside/x.yaml"),
        t.path().join("base/link.yaml"),
    )
    .unwrap();
    let base = t.path().join("base");
    let real = std::fs::canonicalize(t.path()).unwrap();
    for format in ["sarif", "github", "gitlab", "json", "markdown", "human"] {
        let out = run_in(&base, &["scan", "--format", format, "--color", "never"]);
        assert_eq!(code(&out), 1, "{format}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains("link.yaml"), "{format}: {text}");
        assert!(
            text.contains("outside the base directory"),
            "{format}: {text}"
        );
        for abs in [t.path(), real.as_path()] {
            assert!(!text.contains(abs.to_str().unwrap()), "{format}: {text}");
        }
    }
    let out = run_in(&base, &["scan", "--format", "sarif"]);
    assert_github_sarif(&json(&out), &stdout(&out), &real, "symlink");
}

/// Printing 30,000 findings as SARIF is streamed: it adds next to nothing
/// to the memory the run's findings take anyway (`--statistics` plans the
/// same files and prints a few lines), and in a release build the whole
/// process peaks under 60 MB (issue 18). Peaks come from `wait4`: this
/// child's alone.
#[test]
fn sarif_of_30000_findings_is_streamed() {
    let t = tree(&[("driftfix.toml", RULES)]);
    std::fs::create_dir(t.path().join("inv")).unwrap();
    for i in 0..30 {
        let mut text = String::from("hosts:\n");
        for j in 0..1000 {
            text.push_str(&format!("- name: vm{j}\n  host: pve-shop\n"));
        }
        std::fs::write(t.path().join(format!("inv/f{i:02}.yaml")), text).unwrap();
    }
    let peak = |args: &[&str]| {
        let sink = tempfile::tempfile().unwrap();
        let (kb, status) = peak_rss_kb(
            std::process::Command::new(assert_cmd::cargo::cargo_bin("driftfix"))
                .current_dir(t.path())
                .args(args)
                .stdout(sink.try_clone().unwrap())
                .stderr(std::process::Stdio::null()),
        );
        assert_eq!(status, 1, "{args:?}");
        (kb, sink.metadata().unwrap().len())
    };
    let (sarif_kb, len) = peak(&["scan", "--format", "sarif"]);
    let (base_kb, _) = peak(&["scan", "--statistics"]);
    eprintln!(
        "30,000 findings: sarif peak RSS {sarif_kb} KiB ({len} bytes written), --statistics {base_kb} KiB"
    );
    assert!(len > 25_000 * 1000, "{len} bytes of SARIF");
    assert!(
        sarif_kb < base_kb + 6 * 1024,
        "sarif {sarif_kb} KiB vs {base_kb} KiB planning the same findings"
    );
    if !cfg!(debug_assertions) {
        assert!(sarif_kb < 60 * 1024, "peak RSS {sarif_kb} KiB");
    }
}

/// Runs `cmd` and returns its peak resident set (KiB, from `wait4`: this
/// child's alone, whatever other tests run at the same time) and exit code.
/// (The child is reaped by `wait4` itself, not by `Child::wait`.)
#[allow(clippy::zombie_processes)]
fn peak_rss_kb(cmd: &mut std::process::Command) -> (i64, i32) {
    let child = common::spawn_forked(cmd).unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid);
    assert!(libc::WIFEXITED(status));
    (usage.ru_maxrss, libc::WEXITSTATUS(status))
}

// -------------------------------------------------------------------- json

#[test]
fn json_findings_carry_their_rule_and_end() {
    let t = tree(&[
        ("driftfix.toml", RULES),
        (
            "a.yaml",
            "host: pve-shop # was pve-home\nnote: pve-home\nx:\n  host: pve2\n",
        ),
    ]);
    let out = run_in(t.path(), &["scan", "--format", "json", "--strict"]);
    let report = json(&out);
    let rules: Vec<(&str, &str, u64, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap(),
                f["kind"].as_str().unwrap(),
                f["line"].as_u64().unwrap(),
                f["end_column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rules,
        [
            ("non-canonical-label", "value", 1, 15),
            ("ungoverned-alias", "comment", 1, 30),
            ("ungoverned-alias", "value", 2, 15),
            ("unknown-label", "value", 4, 13),
        ]
    );
    // The same ids in SARIF, with their rule indexes.
    let log = json(&run_in(
        t.path(),
        &["scan", "--format", "sarif", "--strict"],
    ));
    let ids: Vec<(&str, u64)> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap(),
                r["ruleIndex"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            ("non-canonical-label", 0),
            ("ungoverned-alias", 2),
            ("ungoverned-alias", 2),
            ("unknown-label", 1),
        ]
    );
}

// ------------------------------------------------------- -q, --statistics

#[test]
fn quiet_prints_findings_and_errors_only() {
    let t = tree(&[
        ("driftfix.toml", RULES),
        ("a.yaml", "host: pve-shop\n"),
        ("broken.yaml", "host: [pve-shop\n"),
        ("blob.json", "\u{0}pve-shop"),
    ]);
    let loud = run_in(t.path(), &["scan", "--color", "never"]);
    assert!(
        stderr(&loud).contains("warning: blob.json: skipped"),
        "{}",
        stderr(&loud)
    );
    let out = run_in(t.path(), &["scan", "-q", "--color", "never"]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stdout(&out),
        "  a.yaml:1:7  host  pve-shop → pve  MEDIUM    fix\n"
    );
    let err = stderr(&out);
    assert!(
        err.starts_with("error: broken.yaml:2:1: yaml parse error"),
        "{err}"
    );
    assert!(!err.contains("warning"), "{err}");
    assert!(!err.contains("files scanned"), "{err}");
    let json_quiet = run_in(t.path(), &["scan", "--quiet", "--format", "json"]);
    assert!(json(&json_quiet)["findings"].is_array());
    assert!(!stderr(&json_quiet).contains("files scanned"));
}

#[test]
fn statistics_count_each_alias() {
    let t = tree(&[
        ("driftfix.toml", RULES),
        (
            "work/a.yaml",
            "- host: pve-shop\n- host: pve-shop\n- host: pve-home\n",
        ),
        ("work/b.yaml", "host: pve-shop\n"),
        ("legacy/c.yaml", "host: pve-shop\n"),
    ]);
    let out = run_in(t.path(), &["scan", "--statistics"]);
    assert_eq!(code(&out), 1);
    assert_eq!(
        stdout(&out),
        "4  pve-shop → pve           3 files  3 fixable\n\
         1  pve-home → proxmox-home  1 file   1 fixable\n"
    );
    assert!(stderr(&out).contains("5 findings"), "{}", stderr(&out));
    let out = run_in(t.path(), &["scan", "--statistics", "--format", "json"]);
    let rows = json(&out);
    assert_eq!(rows[0]["alias"], "pve-shop");
    assert_eq!(rows[0]["canonical"], "pve");
    assert_eq!(rows[0]["rule"], "non-canonical-label");
    assert_eq!(
        (
            rows[0]["count"].as_u64(),
            rows[0]["files"].as_u64(),
            rows[0]["fixable"].as_u64()
        ),
        (Some(4), Some(3), Some(3))
    );
    let out = run_in(t.path(), &["scan", "--statistics", "--format", "sarif"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--statistics"), "{}", stderr(&out));
}

// ------------------------------------------------------------- code frames

#[test]
fn parse_and_rule_errors_show_a_code_frame() {
    let t = tree(&[
        ("driftfix.toml", RULES),
        ("a.json", "{\"host\": \"pve-shop\",,}\n"),
        ("b.yaml", "x: 1\nhost: [pve-shop\n"),
        (
            "c.json",
            &format!(
                "{{\"host\": \"pve-shop\", \"k\": \"{}\x1b[31m\" {}}}",
                "a".repeat(3000),
                "b".repeat(3000)
            ),
        ),
    ]);
    let out = run_in(t.path(), &["scan", "--format", "json"]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains(
            "error: a.json:1:21: json parse error: expected a string key in double quotes, found character ','\n  |\n1 | {\"host\": \"pve-shop\",,}\n  |                     ^\n"
        ),
        "{err}"
    );
    assert!(err.contains("error: b.yaml:3:1: yaml parse error"), "{err}");
    // A long line is cut around the column, control characters escaped.
    let c = err.split("error: c.json").nth(1).unwrap();
    assert!(c.lines().all(|l| l.chars().count() < 140), "{c}");
    assert!(c.contains('…') && c.contains("\\u{1b}"), "{c}");
    assert!(!err.contains('\u{1b}'), "{err}");
    // The frames are stderr's only: the report's errors are unchanged.
    let report = json(&out);
    assert!(
        report["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("json parse error")
    );

    let bad_rules = tree(&[(
        "driftfix.toml",
        "version = 1\n[[canonical]]\nname = \"pve\"\naliases = [\"pve-shop\"]\n[[field]]\nselect = [\"host\"]\nmatch = \"fuzzy\"\n",
    )]);
    let out = run_in(bad_rules.path(), &["rules", "check"]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    let first = err.lines().next().unwrap();
    assert!(
        first.starts_with("error: ") && first.contains("driftfix.toml:7:9: "),
        "{err}"
    );
    assert!(
        err.contains("\n7 | match = \"fuzzy\"\n  |         ^"),
        "{err}"
    );
}

// ------------------------------------------------------------- help, man

#[test]
fn help_shows_examples_and_exit_codes() {
    for args in [&["--help"][..], &["scan", "--help"], &["-h"]] {
        let out = driftfix().args(args).output().unwrap();
        assert_eq!(code(&out), 0);
        let help = stdout(&out);
        assert!(help.contains("Examples:\n  driftfix "), "{args:?}: {help}");
        assert!(help.contains("driftfix scan --format github"), "{help}");
        assert!(help.contains("Exit codes:\n  0  clean"), "{help}");
        assert!(help.contains("  2  error"), "{help}");
    }
    let scan = stdout(&driftfix().args(["scan", "--help"]).output().unwrap());
    for flag in ["-q, --quiet", "--statistics", "github", "gitlab", "sarif"] {
        assert!(scan.contains(flag), "{flag}: {scan}");
    }
}

#[test]
#[cfg_attr(no_groff, ignore = "NOTICE: groff not found")]
fn man_pages_render_without_warnings() {
    for page in [None, Some("scan"), Some("fix"), Some("rules"), Some("man")] {
        let mut args = vec!["man"];
        args.extend(page);
        let out = driftfix().args(&args).output().unwrap();
        assert_eq!(code(&out), 0);
        assert!(stdout(&out).contains(".SH \"EXIT STATUS\""), "{page:?}");
        let roff = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(roff.path(), &out.stdout).unwrap();
        let groff = std::process::Command::new("groff")
            .args(["-man", "-Tutf8", "-ww"])
            .arg(roff.path())
            .output()
            .unwrap();
        assert!(groff.status.success(), "{page:?}");
        assert_eq!(stderr(&groff), "", "{page:?}: groff warnings");
        let text = plain(&String::from_utf8_lossy(&groff.stdout));
        assert!(text.contains("EXIT STATUS"), "{page:?}: {text}");
        if page.is_none() {
            // groff prints the hyphen as U+2010.
            assert!(text.contains("scan(1)"), "{text}");
        }
    }
}

/// grotty's text without overstriking (`N\x08N` for bold, `_\x08x` for
/// underline).
fn plain(text: &str) -> String {
    let mut out: Vec<char> = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if chars.peek() == Some(&'\u{8}') {
            chars.next();
            continue;
        }
        out.push(c);
    }
    out.into_iter().collect()
}
