//! Hostile input (issue 8): bad files beside good ones, hostile structure and
//! hostile rule files. In every case the good files are still scanned and
//! fixed, each bad one is named on stderr with the reason (and line:column for
//! parse errors), nothing bad is written, nothing blocks, loops, panics or
//! goes quadratic, and the exit code follows SPEC §3 (read/parse errors → 2;
//! binary, non-UTF-8 and oversized files → skipped with a warning).
//!
//! YAML cases are in the YAML section at the end of this file; walk edge
//! cases in `hardening.rs`.

use std::path::Path;
use std::time::Duration;

use driftfix::formats::FileType;
use driftfix::plan::{FileError, plan_bytes};
use driftfix::rules::{Role, RuleSet};
use predicates::prelude::*;

mod common;
use common::beside::{RULES, driftfix, fine_beside_good, good_is_fixed, timed, tree};

/// Writes the bad files, runs `fix --apply`, checks the exit code, that each
/// bad file is named on stderr with `needle`, that it is byte-identical
/// afterwards, that no temp file is left, and that the good files are fixed.
fn bad_files_beside_good(bad: &[(&str, &[u8], &str)], extra: &[&str], code: i32) -> String {
    let dir = tree();
    for (name, bytes, _) in bad {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let mut args = vec!["fix", "--apply"];
    args.extend_from_slice(extra);
    let out = driftfix(dir.path()).args(&args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "stderr: {stderr}");
    for (name, bytes, needle) in bad {
        assert!(
            stderr.contains(&format!("{name}{needle}")),
            "stderr should name {name} with {needle:?}: {stderr}"
        );
        assert_eq!(
            std::fs::read(dir.path().join(name)).unwrap(),
            *bytes,
            "{name} was written"
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".driftfix-"))
        .collect();
    assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
    good_is_fixed(dir.path());
    stderr
}

fn rules(text: &str) -> RuleSet {
    RuleSet::from_toml_str(text, Path::new("rules.toml")).unwrap()
}

fn token_rules() -> RuleSet {
    rules(
        "[[canonical]]\nname = \"pve\"\naliases = [\"pve-shop\"]\n[[field]]\nselect = [\"**\"]\nmatch = \"token\"\n",
    )
}

/// Runs `f` on a thread and fails the test if it does not finish in time
/// (a read that blocks on a FIFO would otherwise hang the suite).
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("did not finish within {limit:?} (blocked or too slow)"))
}

fn assert_parse_error(r: Result<driftfix::plan::FilePlan, FileError>, what: &str) -> FileError {
    let e = r.expect_err(what);
    assert!(
        !e.is_skip(),
        "{what}: a parse error is an error, not a skip: {e}"
    );
    assert!(
        e.line.is_some() && e.column.is_some(),
        "{what}: parse errors carry a position: {e}"
    );
    e
}

// ---------------------------------------------------------------- invalid syntax

#[test]
fn invalid_json_trailing_commas_and_comments_are_errors_with_positions() {
    bad_files_beside_good(
        &[
            (
                "trailing-object.json",
                b"{\"host\": \"pve-shop\",}\n",
                ":1:21: json parse error",
            ),
            (
                "trailing-array.json",
                b"[\"pve-shop\",\n]\n",
                ":2:1: json parse error",
            ),
            (
                "line-comment.json",
                b"// hosts\n{\"host\": \"pve-shop\"}\n",
                ":1:1: json parse error",
            ),
            (
                "block-comment.json",
                b"{\"host\": /* x */ \"pve-shop\"}\n",
                ":1:10: json parse error",
            ),
            (
                "unclosed.json",
                b"{\"host\": [\"pve-shop\"\n",
                ":2:1: json parse error",
            ),
        ],
        &[],
        2,
    );
}

#[test]
fn invalid_toml_is_an_error_with_position() {
    bad_files_beside_good(
        &[
            (
                "dup-key.toml",
                b"host = \"pve-shop\"\nhost = \"x\"\n",
                ":2:1: toml parse error",
            ),
            (
                "unclosed-string.toml",
                b"host = \"pve-shop\n",
                ":1:17: toml parse error",
            ),
            (
                "unclosed-array.toml",
                b"hosts = [\"pve-shop\",\n",
                ":1:21: toml parse error",
            ),
            (
                "redefined-table.toml",
                b"[a]\nhost = \"pve-shop\"\n[a]\nx = 1\n",
                ":3:",
            ),
        ],
        &[],
        2,
    );
}

// ---------------------------------------------------------------- not text

#[test]
fn non_utf8_and_binary_files_are_skipped_with_a_warning() {
    let stderr = bad_files_beside_good(
        &[
            (
                "latin1.json",
                b"{\"host\": \"pve-shop\", \"note\": \"caf\xe9\"}\n",
                ": skipped: not UTF-8",
            ),
            (
                "nul.toml",
                b"host = \"pve-shop\"\n\0\0\0",
                ": skipped: binary file",
            ),
            (
                "utf16.json",
                b"\xff\xfe{\0\"\0h\0o\0s\0t\0\"\0:\0\"\0p\0v\0e\0-\0s\0h\0o\0p\0\"\0}\0",
                ": skipped: binary file",
            ),
            (
                "alias-free-binary.json",
                b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
                ": skipped: binary file",
            ),
        ],
        &[],
        0,
    );
    assert!(
        stderr.contains("warning: latin1.json: skipped: not UTF-8 (invalid byte at offset 33)")
    );
}

#[test]
fn empty_and_blank_files_are_fine() {
    fine_beside_good(&[
        ("e.json", ""),
        ("e.toml", ""),
        ("blank.json", "\n\n  \n"),
        ("blank.toml", "\r\n\r\n"),
        ("bom.toml", "\u{feff}"),
    ]);
    // Parsed (not just skipped by the prefilter): still no panic, no error
    // for TOML; an empty JSON text is not JSON, so it is an error with a
    // position.
    let r = token_rules();
    for text in ["", "\n", "\u{feff}", "  \r\n"] {
        let toml = plan_bytes(
            "e.toml",
            FileType::Toml,
            Role::Editable,
            text.as_bytes(),
            &r,
        );
        assert!(toml.is_ok(), "{text:?}: {toml:?}");
        let strict = driftfix::formats::FileType::Json.format().scalars(text);
        assert!(strict.is_err(), "{text:?} is not a JSON text");
    }
}

#[test]
fn a_lone_cr_line_ending_is_refused_with_a_position() {
    bad_files_beside_good(
        &[
            (
                "cr.json",
                b"{\"a\": 1,\r\"host\": \"pve-shop\"}\r",
                ":1:9: lone CR line ending",
            ),
            (
                "cr.toml",
                b"a = 1\rhost = \"pve-shop\"\r",
                ":1:6: lone CR line ending",
            ),
        ],
        &[],
        2,
    );
}

// ---------------------------------------------------------------- not files

#[test]
fn directories_fifos_sockets_and_broken_links_named_like_targets() {
    let dir = tree();
    let p = dir.path();
    std::fs::create_dir(p.join("dir.json")).unwrap();
    std::fs::create_dir(p.join("dir.toml")).unwrap();
    assert!(
        std::process::Command::new("mkfifo")
            .arg(p.join("fifo.json"))
            .status()
            .unwrap()
            .success()
    );
    let _sock = std::os::unix::net::UnixListener::bind(p.join("sock.toml")).unwrap();
    std::os::unix::fs::symlink("loop-b.json", p.join("loop-a.json")).unwrap();
    std::os::unix::fs::symlink("loop-a.json", p.join("loop-b.json")).unwrap();
    std::os::unix::fs::symlink("nowhere.toml", p.join("dangling.toml")).unwrap();
    std::os::unix::fs::symlink("fifo.json", p.join("link-to-fifo.json")).unwrap();
    std::os::unix::fs::symlink("..", p.join("up")).unwrap();
    let out = timed(Duration::from_secs(60), "fix --apply", || {
        driftfix(p).args(["fix", "--apply"]).output().unwrap()
    });
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    for needle in [
        "fifo.json: skipped: not a regular file",
        "link-to-fifo.json: skipped: not a regular file",
        "sock.toml: skipped: not a regular file",
        "loop-a.json: skipped: symlink cannot be followed",
        "loop-b.json: skipped: symlink cannot be followed",
        "dangling.toml: skipped: symlink cannot be followed",
    ] {
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
    assert!(!stderr.contains("dir.json"), "{stderr}");
    good_is_fixed(p);
}

/// A path swapped between the walk and the read (or the re-read before
/// writing). Tests run as root, so permissions cannot make a file
/// unreadable: the swaps are done at library level on the real read path.
#[test]
fn files_that_vanish_or_change_kind_after_the_walk() {
    let dir = tree();
    let p = dir.path().to_path_buf();
    let rules = RuleSet::load(&[p.join("driftfix.toml")]).unwrap();
    let base = driftfix::fs::BaseDir::open(&p).unwrap();
    let walked = driftfix::walk::walk(&base, &[], &rules, &[]);
    let target = |name: &str| {
        walked
            .targets
            .iter()
            .find(|t| t.rel_path == name)
            .unwrap()
            .clone()
    };
    let json = target("good.json");
    let toml = target("good.toml");
    let json_path = p.join(&json.rel_path);
    let toml_path = p.join(&toml.rel_path);

    // Replaced by a FIFO: skipped at once, never opened for a blocking read.
    std::fs::remove_file(&json_path).unwrap();
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&json_path)
            .status()
            .unwrap()
            .success()
    );
    let t = json.clone();
    let at = p.clone();
    let r = within(Duration::from_secs(10), move || {
        let base = driftfix::fs::BaseDir::open(&at).unwrap();
        driftfix::run::read_target(&base, &t, 1 << 20).1
    });
    let e = r.unwrap_err();
    assert!(
        e.is_skip() && e.message.contains("not a regular file"),
        "{e:?}"
    );

    // Replaced by a directory: skipped.
    std::fs::remove_file(&toml_path).unwrap();
    std::fs::create_dir(&toml_path).unwrap();
    let e = driftfix::run::read_target(&base, &toml, 1 << 20)
        .1
        .unwrap_err();
    assert!(
        e.is_skip() && e.message.contains("not a regular file"),
        "{e:?}"
    );

    // Vanished: an error (exit 2 in a run), naming the reason.
    std::fs::remove_dir(&toml_path).unwrap();
    let e = driftfix::run::read_target(&base, &toml, 1 << 20)
        .1
        .unwrap_err();
    assert!(
        !e.is_skip() && e.message.starts_with("cannot read"),
        "{e:?}"
    );

    // Grew past the limit after the size check: the read is bounded.
    std::fs::write(&toml_path, "x".repeat(4096)).unwrap();
    let e = driftfix::run::read_target(&base, &toml, 100).1.unwrap_err();
    assert!(e.is_skip() && e.message.contains("larger than"), "{e:?}");

    // The re-read just before writing: a FIFO swapped in must not block, a
    // changed or vanished file is not written.
    let write = driftfix::fix::write::WriteContext::new(&base, &rules);
    let fifo = json_path.clone();
    let fifo_rel = json.open_path.clone();
    let r = within(Duration::from_secs(10), move || {
        let rules = RuleSet::load(&[fifo.parent().unwrap().join("driftfix.toml")]).unwrap();
        let base = driftfix::fs::BaseDir::open(fifo.parent().unwrap()).unwrap();
        let w = driftfix::fix::write::WriteContext::new(&base, &rules);
        w.write(
            &fifo_rel,
            Role::Editable,
            b"{\"host\": \"pve-shop\"}\n",
            b"{\"host\": \"pve\"}\n",
        )
    });
    assert!(r.is_err());
    {
        use std::os::unix::fs::FileTypeExt;
        let kind = std::fs::symlink_metadata(&json_path).unwrap().file_type();
        assert!(kind.is_fifo(), "the FIFO was replaced: {kind:?}");
    }
    let grown = p.join("grown.json");
    std::fs::write(&grown, "{\"host\": \"pve-shop\"}\n{}").unwrap();
    let e = write
        .write(
            "grown.json",
            Role::Editable,
            b"{\"host\": \"pve-shop\"}\n",
            b"{\"host\": \"pve\"}\n",
        )
        .unwrap_err();
    assert!(e.message.contains("changed on disk"), "{e}");
    let gone = p.join("gone.json");
    let e = write
        .write("gone.json", Role::Editable, b"{}", b"{}")
        .unwrap_err();
    assert!(!e.message.is_empty());
    assert!(!gone.exists());
}

#[test]
fn files_over_max_file_size_are_skipped_before_reading() {
    let big = format!(
        "{{\"host\": \"pve-shop\", \"pad\": \"{}\"}}\n",
        "x".repeat(200)
    );
    let big_toml = format!("host = \"pve-shop\"\npad = \"{}\"\n", "x".repeat(200));
    let stderr = bad_files_beside_good(
        &[
            (
                "big.json",
                big.as_bytes(),
                ": skipped: larger than --max-file-size",
            ),
            (
                "big.toml",
                big_toml.as_bytes(),
                ": skipped: larger than --max-file-size",
            ),
        ],
        &["--max-file-size", "100"],
        0,
    );
    assert!(stderr.contains("(232 bytes > 100)"), "{stderr}");
}

// ---------------------------------------------------------------- hostile structure

#[test]
fn deep_nesting_is_refused_with_a_position_not_a_stack_overflow() {
    let n = 200_000;
    let json_arrays = format!("[\"pve-shop\",{}1{}]", "[".repeat(n), "]".repeat(n));
    let json_objects = format!("{}\"pve-shop\"{}", "{\"a\":".repeat(n), "}".repeat(n));
    let toml_arrays = format!(
        "host = \"pve-shop\"\na = {}1{}\n",
        "[".repeat(n),
        "]".repeat(n)
    );
    let toml_tables = format!(
        "host = \"pve-shop\"\na = {}1{}\n",
        "{a=".repeat(n),
        "}".repeat(n)
    );
    let toml_header = format!("[{}a]\nhost = \"pve-shop\"\n", "a.".repeat(n));
    let toml_dotted = format!("{}a = \"pve-shop\"\n", "a.".repeat(n));
    let r = token_rules();
    timed(Duration::from_secs(20), "deep JSON and TOML", || {
        for (what, ft, text) in [
            ("json arrays", FileType::Json, &json_arrays),
            ("json objects", FileType::Json, &json_objects),
            ("toml arrays", FileType::Toml, &toml_arrays),
            ("toml inline tables", FileType::Toml, &toml_tables),
            ("toml table header", FileType::Toml, &toml_header),
            ("toml dotted key", FileType::Toml, &toml_dotted),
        ] {
            let e = assert_parse_error(
                plan_bytes("deep", ft, Role::Editable, text.as_bytes(), &r),
                what,
            );
            assert!(
                e.message.contains("nesting")
                    || e.message.contains("recurs")
                    || e.message.contains("deep"),
                "{what}: {e}"
            );
        }
    });
    // And through the CLI, beside the good files.
    bad_files_beside_good(
        &[
            (
                "deep.json",
                json_objects.as_bytes(),
                ":1:5001: json parse error: nesting deeper than",
            ),
            ("deep.toml", toml_arrays.as_bytes(), ":2:"),
        ],
        &[],
        2,
    );
}

#[test]
fn a_30_mb_single_line_is_scanned_and_fixed() {
    let pad = "a".repeat(30 << 20);
    let r = token_rules();
    for (ft, text, fixed) in [
        (
            FileType::Json,
            format!("{{\"x\":\"{pad}\",\"host\":\"pve-shop\"}}"),
            "\"host\":\"pve\"}",
        ),
        (
            FileType::Toml,
            format!("x = \"{pad}\"\nhost = \"pve-shop\"\n"),
            "host = \"pve\"\n",
        ),
    ] {
        let plan = timed(Duration::from_secs(90), &format!("{ft:?}"), || {
            plan_bytes("big", ft, Role::Editable, text.as_bytes(), &r).unwrap()
        });
        let new = plan.new_text.unwrap();
        assert!(new.ends_with(fixed));
        assert_eq!(new.len(), text.len() - 5);
        let line = if ft == FileType::Json { 1 } else { 2 };
        assert_eq!(plan.findings[0].line, line);
    }
}

/// Regression: 200,000 findings on one line used to take minutes (a column
/// count from the line start per finding, a linear search per verified
/// substitution; for YAML, a search for the line's end per plain scalar).
/// Now linear.
#[test]
fn many_findings_on_one_long_line_stay_fast() {
    let n = 200_000;
    let r = token_rules();
    for (ft, text, (fixed, count)) in [
        (
            FileType::Json,
            format!("[\"é\",{}\"pve-shop\"]", "\"pve-shop\",".repeat(n)),
            ("\"pve\"", n + 1),
        ),
        (
            FileType::Toml,
            format!("host = [\"é\",{}\"pve-shop\"]\n", "\"pve-shop\",".repeat(n)),
            ("\"pve\"", n + 1),
        ),
        (
            FileType::Yaml,
            format!("host: [é, {}pve-shop]\n", "pve-shop, ".repeat(n)),
            (" pve,", n),
        ),
    ] {
        let plan = timed(Duration::from_secs(60), &format!("{ft:?}"), || {
            plan_bytes("many", ft, Role::Editable, text.as_bytes(), &r).unwrap()
        });
        assert_eq!(plan.findings.len(), n + 1, "{ft:?}");
        let last = plan.findings.last().unwrap();
        assert_eq!(last.line, 1);
        let at = text.rfind("pve-shop").unwrap();
        assert_eq!(last.column, text[..at].chars().count() + 1, "{ft:?}");
        let new = plan.new_text.unwrap();
        assert!(!new.contains("pve-shop"), "{ft:?}");
        assert_eq!(new.matches(fixed).count(), count, "{ft:?}");
    }
}

// ---------------------------------------------------------------- hostile rules

fn many_aliases(n: usize, extra: &str) -> String {
    let mut text = String::from("[[canonical]]\nname = \"pve\"\naliases = [\n");
    for i in 0..n {
        text.push_str(&format!("  \"host-{i}\",\n"));
    }
    text.push_str("]\n");
    text.push_str(extra);
    text.push_str("[[field]]\nselect = [\"host\", \"hosts[*]\"]\nignore_case = true\n");
    text
}

#[test]
fn a_hundred_thousand_aliases_load_and_scan_fast() {
    let n = 100_000;
    let doc = format!(
        "{{\"hosts\": [{}\"x\"]}}",
        (0..20_000)
            .map(|i| format!("\"HOST-{}\",", i * 5))
            .collect::<String>()
    );
    let toml = format!(
        "hosts = [{}\"x\"]\n",
        (0..20_000)
            .map(|i| format!("\"host-{}\",", i * 5))
            .collect::<String>()
    );
    let (json_plan, toml_plan) = timed(Duration::from_secs(60), "load and plan", || {
        let r = rules(&many_aliases(n, ""));
        let plan = |name: &str, ft, text: &str| {
            plan_bytes(name, ft, Role::Editable, text.as_bytes(), &r).unwrap()
        };
        (
            plan("h.json", FileType::Json, &doc),
            plan("h.toml", FileType::Toml, &toml),
        )
    });
    assert_eq!(json_plan.findings.len(), 20_000);
    assert_eq!(json_plan.findings[1].alias.as_deref(), Some("host-5"));
    assert_eq!(toml_plan.findings.len(), 20_000);
    // The CLI: `rules check` and a scan with the big rule file.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("driftfix.toml"), many_aliases(n, "")).unwrap();
    std::fs::write(dir.path().join("h.json"), &doc).unwrap();
    timed(Duration::from_secs(60), "rules check and scan", || {
        driftfix(dir.path())
            .args(["rules", "check"])
            .assert()
            .code(0)
            .stdout(predicate::str::contains("100000 aliases"));
        driftfix(dir.path())
            .args(["scan", "--format", "json"])
            .assert()
            .code(1);
    });
}

#[test]
fn duplicate_and_conflicting_rule_entries_are_errors_with_positions() {
    let n = 100_000;
    let check = |text: String, needle: &str| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("driftfix.toml"), text).unwrap();
        std::fs::write(dir.path().join("good.json"), "{\"host\": \"host-1\"}").unwrap();
        for cmd in [
            &["rules", "check"][..],
            &["scan"][..],
            &["fix", "--apply"][..],
        ] {
            driftfix(dir.path())
                .args(cmd)
                .assert()
                .code(2)
                .stderr(predicate::str::contains(needle));
        }
        assert_eq!(
            std::fs::read_to_string(dir.path().join("good.json")).unwrap(),
            "{\"host\": \"host-1\"}"
        );
    };
    // The duplicate is the last entry of a 100,000-alias list: its own line.
    check(
        many_aliases(
            n,
            "[[canonical]]\nname = \"other\"\naliases = [\"x\", \"host-7\"]\n",
        ),
        &format!(
            "driftfix.toml:{}:17: alias `host-7` is listed under two canonicals: `pve` and `other`",
            n + 7
        ),
    );
    check(
        "[[canonical]]\nname = \"pve\"\naliases = [\"a\", \"b\", \"a\"]\n[[field]]\nselect = [\"host\"]\n"
            .into(),
        "driftfix.toml:3:22: alias `a` is listed twice for `pve`",
    );
    check(
        "[[canonical]]\nname = \"pve\"\naliases = [\"a\"]\n[[canonical]]\nname = \"a\"\n[[field]]\nselect = [\"host\"]\n"
            .into(),
        "driftfix.toml:3:12: alias `a` is also a canonical name",
    );
    check(
        "[[canonical]]\nname = \"pve\"\naliases = [\"a\"]\naliases = [\"b\"]\n[[field]]\nselect = [\"host\"]\n"
            .into(),
        "driftfix.toml:4:1:",
    );
    check(
        "[[canonical]]\nname = \"pve\"\naliases = [\"a\"]\n[[canonical]]\nname = \"pve\"\naliases = [\"b\"]\n[[field]]\nselect = [\"host\"]\n"
            .into(),
        "driftfix.toml:5:8: canonical `pve` is defined twice in this file (first at line 2)",
    );
}

#[test]
fn globs_that_match_nothing_are_warned_about_on_scan_and_fix() {
    let dir = tree();
    std::fs::write(
        dir.path().join("driftfix.toml"),
        format!(
            "[paths]\nauthority = [\"spine/**\"]\nreadonly = [\"legacy/**\"]\nexclude = [\"**/node_modules/**\"]\n{RULES}files = [\"workbench/**\", \"*.json\", \"*.toml\", \"*.yaml\"]\n[[severity]]\nfiles = [\"**/backup.json\"]\nlevel = \"high\"\n"
        ),
    )
    .unwrap();
    for cmd in [&["scan"][..], &["fix", "--apply"][..]] {
        let out = driftfix(dir.path()).args(cmd).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        // SPEC §8: exclude globs that match nothing are warned about too
        // (v1 left `include`/`exclude` out).
        for glob in [
            "authority glob `spine/**`",
            "readonly glob `legacy/**`",
            "exclude glob `**/node_modules/**`",
            "field files glob `workbench/**`",
            "severity files glob `**/backup.json`",
        ] {
            assert!(
                stderr.contains(&format!("warning: {glob} matches no file")),
                "{glob}: {stderr}"
            );
        }
        assert!(!stderr.contains("`*.json`"), "{stderr}");
    }
    good_is_fixed(dir.path());
    // Explicit roots narrow the walk: no warnings about the rest of the tree.
    let out = driftfix(dir.path())
        .args(["scan", "good.json"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("matches no file"));
}

#[test]
fn selectors_that_can_never_match_are_warned_about() {
    let dir = tree();
    std::fs::write(
        dir.path().join("driftfix.toml"),
        format!(
            "{RULES}[[field]]\ntypes = [\"toml\"]\nselect = [\"[0].host\", \"[*]\"]\nkeys_of = [\"[1]\"]\n"
        ),
    )
    .unwrap();
    for cmd in [&["rules", "check"][..], &["scan"][..]] {
        let out = driftfix(dir.path()).args(cmd).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        for (pos, sel) in [
            ("8:11", "select `[0].host`"),
            ("8:23", "select `[*]`"),
            ("9:12", "keys_of `[1]`"),
        ] {
            assert!(
                stderr.contains(&format!("driftfix.toml:{pos}: {sel} can never match")),
                "{sel}: {stderr}"
            );
        }
        assert!(stderr.contains("can never match: a TOML document's root is a table"));
    }
}

// ---------------------------------------------------------------- no panics on odd bytes

#[test]
fn odd_bytes_never_panic_in_any_format() {
    let r = token_rules();
    let odd: &[&[u8]] = &[
        b"",
        b"\xef\xbb\xbf",
        b"\xef\xbb\xbfpve-shop",
        b"pve-shop",
        b"\"pve-shop",
        b"\"pve-shop\\",
        b"\"pve-shop\\u12",
        b"\"pve-shop\\ud800\"",
        b"{\"pve-shop\"",
        b"[\"pve-shop\" \"pve-shop\"]",
        b"pve-shop = \"pve-shop\"",
        b"'pve-shop' = 'pve-shop'",
        b"a = '''pve-shop",
        b"a = \"\"\"pve-shop\\",
        b"[pve-shop]\n[[pve-shop]]",
        b"a = {pve-shop = \"pve-shop\",}",
        b"a.\"pve-shop\".b = 1\na.\"pve-shop\" = 2",
        b"\r\npve-shop\r",
        b"\xc3\x28 pve-shop",
        b"pve-shop\xf0\x9f",
    ];
    for bytes in odd {
        for ft in [FileType::Json, FileType::Toml] {
            match plan_bytes("odd", ft, Role::Editable, bytes, &r) {
                Ok(p) => {
                    if let Some(new) = p.new_text {
                        assert!(ft.format().scalars(&new).is_ok());
                    }
                }
                Err(e) if !e.is_skip() && !e.message.starts_with("lone CR") => {
                    assert!(e.line.is_some(), "{ft:?} {bytes:?}: {e}")
                }
                Err(_) => {}
            }
        }
    }
}

// ---------------------------------------------------------------- YAML

#[test]
fn invalid_yaml_is_an_error_with_position() {
    bad_files_beside_good(
        &[
            (
                "tabs.yaml",
                b"a:\n\thost: pve-shop\n",
                ":2:2: yaml parse error",
            ),
            ("unclosed-flow.yaml", b"hosts: [pve-shop, b\nc: d\n", ":"),
            ("unclosed-map.yaml", b"hosts: {a: pve-shop\n", ":"),
            ("unclosed-quote.yaml", b"host: \"pve-shop\n", ":"),
            ("bad-indent.yaml", b"a:\n  host: pve-shop\n bad: x\n", ":"),
        ],
        &[],
        2,
    );
}

#[test]
fn odd_yaml_files_are_skipped_or_fine() {
    let stderr = bad_files_beside_good(
        &[
            (
                "latin1.yaml",
                b"host: pve-shop # caf\xe9\n",
                ": skipped: not UTF-8",
            ),
            ("nul.yml", b"host: pve-shop\n\0", ": skipped: binary file"),
            (
                "cr.yaml",
                b"a: 1\rhost: pve-shop\r",
                ":1:5: lone CR line ending",
            ),
        ],
        &[],
        2,
    );
    assert!(stderr.contains("warning: latin1.yaml"));
    fine_beside_good(&[
        ("e.yaml", ""),
        ("comments.yaml", "# only a comment\n"),
        ("docs.yaml", "---\n...\n---\n"),
        ("bom.yml", "\u{feff}"),
    ]);
}

#[test]
fn deep_yaml_nesting_is_refused_not_a_stack_overflow() {
    let n = 200_000;
    let r = token_rules();
    timed(Duration::from_secs(30), "deep YAML", || {
        for (what, text) in [
            (
                "flow sequences",
                format!("host: pve-shop\na: {}1{}\n", "[".repeat(n), "]".repeat(n)),
            ),
            (
                "flow mappings",
                format!(
                    "host: pve-shop\na: {}1{}\n",
                    "{a: ".repeat(n),
                    "}".repeat(n)
                ),
            ),
            (
                "block sequences on one line",
                format!("host: pve-shop\na:\n  {}pve-shop\n", "- ".repeat(n)),
            ),
        ] {
            let res = plan_bytes(
                "deep.yaml",
                FileType::Yaml,
                Role::Editable,
                text.as_bytes(),
                &r,
            );
            match res {
                Err(e) => assert!(
                    !e.is_skip() && e.line.is_some(),
                    "{what}: an error with a position: {e}"
                ),
                // Block nesting is walked iteratively: handling it (rather than
                // refusing it) is fine, as long as the result is right.
                Ok(p) => {
                    assert!(
                        what.starts_with("block"),
                        "{what}: flow nesting must be refused"
                    );
                    assert_eq!(p.findings.len(), 2, "{what}");
                    assert!(p.new_text.is_some(), "{what}: verified fix expected");
                }
            }
        }
    });
}

#[test]
fn yaml_alias_bombs_are_never_expanded() {
    // "Billion laughs": 9 levels of 10 aliases each = 10^9 nodes if expanded.
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let (prev, cur) = (w[0], w[1]);
        let refs = vec![format!("*{prev}"); 10].join(",");
        text.push_str(&format!("{cur}: &{cur} [{refs}]\n"));
    }
    text.push_str("host: &h pve-shop\nbomb: &z [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]\nbomb2: [*z,*z,*z,*z,*z,*z,*z,*z,*z,*z]\n");
    let plan_bomb = |r: &RuleSet| {
        timed(Duration::from_secs(2), "alias bomb", || {
            plan_bytes(
                "bomb.yaml",
                FileType::Yaml,
                Role::Editable,
                text.as_bytes(),
                r,
            )
            .unwrap()
        })
    };
    let plan = plan_bomb(&rules(RULES));
    // `host` is anchored and reused at paths that are not governed: manual.
    assert_eq!(plan.findings.len(), 1, "{:?}", plan.findings);
    // And with every value governed, still fast and fixable.
    let plan = plan_bomb(&token_rules());
    assert!(plan.new_text.unwrap().contains("host: &h pve\n"));
    // Through the CLI beside the good files.
    let dir = tree();
    std::fs::write(dir.path().join("bomb.yaml"), &text).unwrap();
    timed(Duration::from_secs(30), "scan of the alias bomb", || {
        driftfix(dir.path())
            .args(["scan", "--fail-on", "never"])
            .assert()
            .code(0)
    });
}

#[test]
fn a_30_mb_yaml_line_is_scanned_and_fixed() {
    let pad = "a".repeat(30 << 20);
    let r = token_rules();
    for (text, fixed) in [
        (format!("x: {pad}\nhost: pve-shop\n"), "host: pve\n"),
        (format!("x: [\"{pad}\", pve-shop]\n"), ", pve]\n"),
    ] {
        let plan = timed(Duration::from_secs(90), "30 MB YAML line", || {
            plan_bytes(
                "big.yaml",
                FileType::Yaml,
                Role::Editable,
                text.as_bytes(),
                &r,
            )
            .unwrap()
        });
        let new = plan.new_text.unwrap();
        assert!(new.ends_with(fixed));
    }
}

/// A file whose edit cannot be verified (serde_json rejects a number out of
/// f64 range) is an error and is never written, but its findings are still
/// reported (as manual) and every other file is fixed.
#[test]
fn an_unverifiable_file_is_reported_not_written() {
    let dir = tree();
    let text = "{\"host\":\"pve-shop\",\"m\":1e400}\n";
    std::fs::write(dir.path().join("big.json"), text).unwrap();
    let out = driftfix(dir.path())
        .args(["scan", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &v["findings"][0];
    assert_eq!(
        (f["path"].as_str(), f["action"].as_str()),
        (Some("big.json"), Some("manual"))
    );
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("number out of range"),
        "{v}"
    );
    driftfix(dir.path())
        .args(["fix", "--apply"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: big.json: verification failed",
        ));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("big.json")).unwrap(),
        text
    );
    good_is_fixed(dir.path());
}
