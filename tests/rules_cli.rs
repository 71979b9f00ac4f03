//! `driftfix rules check`, `init`, `completions` and rule-file validation
//! (SPEC §2): every error exits 2 and names FILE:LINE:COLUMN.

use std::path::Path;

use predicates::prelude::*;

mod common;
use common::driftfix;

const GOOD: &str = r#"version = 1
[[canonical]]
name = "pve"
aliases = ["pve-shop"]
[[field]]
select = ["host"]
"#;

/// Writes `text` as rules.toml in a temp dir and runs `rules check` on it.
fn check(text: &str) -> (assert_cmd::assert::Assert, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rules.toml"), text).unwrap();
    let a = driftfix()
        .current_dir(dir.path())
        .args(["rules", "check", "--rules", "rules.toml"])
        .assert();
    (a, dir)
}

fn rejects(text: &str, position: &str, message: &str) {
    let (a, _d) = check(text);
    a.code(2)
        .stderr(predicate::str::contains(format!("rules.toml:{position}")))
        .stderr(predicate::str::contains(message));
}

#[test]
fn good_rules_pass() {
    let (a, _d) = check(GOOD);
    a.code(0).stdout(predicate::str::contains(
        "rules ok: 1 file, 1 canonical name, 1 alias, 1 field rule",
    ));
}

#[test]
fn unknown_keys_are_rejected_with_position() {
    rejects(&format!("{GOOD}colour = 1\n"), "7:1", "unknown field");
    rejects(&GOOD.replace("select", "selekt"), "6:1", "unknown field");
}

#[test]
fn wrong_types_are_rejected() {
    rejects(
        &GOOD.replace("aliases = [\"pve-shop\"]", "aliases = \"pve-shop\""),
        "4:11",
        "",
    );
    rejects(
        &GOOD.replace(
            "select = [\"host\"]",
            "select = [\"host\"]\nignore_case = \"yes\"",
        ),
        "7:15",
        "",
    );
}

#[test]
fn alias_listed_twice_or_under_two_canonicals() {
    rejects(
        &GOOD.replace("[\"pve-shop\"]", "[\"pve-shop\", \"pve-shop\"]"),
        "4:24",
        "listed twice",
    );
    let two = format!("{GOOD}[[canonical]]\nname = \"home\"\naliases = [\"pve-shop\"]\n");
    rejects(&two, "9:12", "under two canonicals");
}

#[test]
fn alias_equal_to_a_canonical_name() {
    let t = format!("{GOOD}[[canonical]]\nname = \"home\"\naliases = [\"pve\"]\n");
    rejects(&t, "9:12", "also a canonical name");
}

#[test]
fn empty_names() {
    rejects(
        &GOOD.replace("name = \"pve\"", "name = \"\""),
        "3:8",
        "canonical name is empty",
    );
    rejects(
        &GOOD.replace("[\"pve-shop\"]", "[\"\"]"),
        "4:12",
        "alias is empty",
    );
}

#[test]
fn bad_globs_selectors_types_levels_and_match() {
    rejects(
        &format!("{GOOD}[paths]\nexclude = [\"a/[b\"]\n"),
        "8:12",
        "bad glob",
    );
    rejects(
        &GOOD.replace("[\"host\"]", "[\"a..b\"]"),
        "6:14",
        "bad selector",
    );
    rejects(
        &GOOD.replace("[\"host\"]", "[\"host\"]\ntypes = [\"xml\"]"),
        "7:10",
        "unknown type `xml`",
    );
    rejects(
        &GOOD.replace("[\"host\"]", "[\"host\"]\ntypes = []"),
        "5:1",
        "`types = []` governs no file",
    );
    rejects(
        &GOOD.replace("[\"host\"]", "[\"host\"]\nmatch = \"fuzzy\""),
        "7:9",
        "unknown match",
    );
    rejects(
        &format!("{GOOD}[[severity]]\nfiles = [\"**\"]\nlevel = \"urgent\"\n"),
        "9:9",
        "unknown level `urgent`",
    );
}

#[test]
fn unsupported_version_and_syntax_errors() {
    rejects(
        &GOOD.replace("version = 1", "version = 2"),
        "1:11",
        "unsupported version",
    );
    rejects("[[canonical]\n", "1:", "");
}

#[test]
fn a_field_needs_select_or_keys_of() {
    rejects(
        &GOOD.replace("select = [\"host\"]\n", "match = \"exact\"\n"),
        "5:1",
        "needs `select` or `keys_of`",
    );
}

#[test]
fn merged_rule_files_conflict_across_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.toml"), GOOD).unwrap();
    std::fs::write(
        dir.path().join("b.toml"),
        "[[canonical]]\nname = \"other\"\naliases = [\"pve-shop\"]\n",
    )
    .unwrap();
    driftfix()
        .current_dir(dir.path())
        .args(["rules", "check", "--rules", "a.toml", "--rules", "b.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("b.toml:3:12"))
        .stderr(predicate::str::contains("under two canonicals"));
}

/// With `ignore_case`, an alias that folds onto another canonical's name or
/// alias would flip back and forth on every run: an error.
#[test]
fn with_ignore_case_aliases_may_not_fold_onto_another_canonical() {
    let two = "[[canonical]]\nname = \"true\"\naliases = [\"NAME\"]\n[[canonical]]\nname = \"Bravo\"\naliases = [\"TRUE\"]\n[[field]]\nselect = [\"**\"]\n";
    rejects(
        &format!("{two}ignore_case = true\n"),
        "6:12",
        "alias `TRUE` equals `true` of another canonical when case is ignored",
    );
    let (a, _d) = check(two);
    a.code(0);
    let aliases = "[[canonical]]\nname = \"a\"\naliases = [\"x-1\"]\n[[canonical]]\nname = \"b\"\naliases = [\"X-1\"]\n[[field]]\nselect = [\"**\"]\nignore_case = true\n";
    rejects(
        aliases,
        "6:12",
        "alias `X-1` equals `x-1` of another canonical",
    );
    // Folding onto its own canonical is fine.
    let own = "[[canonical]]\nname = \"pve\"\naliases = [\"PVE\", \"Pve-Shop\", \"pve-shop\"]\n[[field]]\nselect = [\"**\"]\nignore_case = true\n";
    let (a, _d) = check(own);
    a.code(0);
}

#[test]
fn merged_rule_files_join_a_canonical_but_not_two_descriptions() {
    let dir = tempfile::tempdir().unwrap();
    let one = "[[canonical]]\nname = \"pve\"\naliases = [\"pve-shop\"]\ndescription = \"one\"\n[[field]]\nselect = [\"host\"]\n";
    std::fs::write(dir.path().join("a.toml"), one).unwrap();
    std::fs::write(
        dir.path().join("same.toml"),
        "[[canonical]]\nname = \"pve\"\naliases = [\"pve-home\"]\ndescription = \"one\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("other.toml"),
        "[[canonical]]\nname = \"pve\"\naliases = [\"pve-home\"]\ndescription = \"two\"\n",
    )
    .unwrap();
    let check = |second: &str| {
        driftfix()
            .current_dir(dir.path())
            .args(["rules", "check", "--rules", "a.toml", "--rules", second])
            .assert()
    };
    check("same.toml").code(0);
    check("other.toml")
        .code(2)
        .stderr(predicate::str::contains("other.toml:4:15"))
        .stderr(predicate::str::contains("another description"));
}

#[test]
fn missing_rule_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    driftfix()
        .current_dir(dir.path())
        .args(["rules", "check"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no rule file"));
    driftfix()
        .current_dir(dir.path())
        .args(["rules", "check", "--rules", "nope.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope.toml"));
}

#[test]
fn rules_are_discovered_in_an_ancestor_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("driftfix.toml"), GOOD).unwrap();
    let sub = dir.path().join("a/b");
    std::fs::create_dir_all(&sub).unwrap();
    driftfix()
        .current_dir(&sub)
        .args(["rules", "check"])
        .assert()
        .code(0);
}

#[test]
fn globs_that_match_nothing_are_warned_about() {
    let (a, _d) = check(&format!("{GOOD}[paths]\nreadonly = [\"legacy/**\"]\n"));
    a.code(0).stderr(predicate::str::contains(
        "readonly glob `legacy/**` matches no file",
    ));
}

#[test]
fn init_writes_a_valid_starter_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    driftfix()
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .code(0);
    let written = std::fs::read_to_string(dir.path().join("driftfix.toml")).unwrap();
    assert!(written.contains("[[canonical]]") && written.starts_with('#'));
    driftfix()
        .current_dir(dir.path())
        .args(["rules", "check"])
        .assert()
        .code(0);
    std::fs::write(dir.path().join("driftfix.toml"), "# mine\n").unwrap();
    driftfix()
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("driftfix.toml")).unwrap(),
        "# mine\n"
    );
}

#[test]
fn init_writes_where_rules_or_base_point() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("tree")).unwrap();
    driftfix()
        .current_dir(dir.path())
        .args(["--rules", "custom.toml", "init"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("rules check --rules custom.toml"));
    driftfix()
        .current_dir(dir.path())
        .args(["rules", "check", "--rules", "custom.toml"])
        .assert()
        .code(0);
    driftfix()
        .current_dir(dir.path())
        .args(["--base", "tree", "init"])
        .assert()
        .code(0);
    assert!(dir.path().join("tree/driftfix.toml").is_file());
    assert!(!dir.path().join("driftfix.toml").exists());
    driftfix()
        .current_dir(dir.path())
        .args(["init", "--rules", "custom.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("custom.toml already exists"));
}

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        driftfix()
            .args(["completions", shell])
            .assert()
            .code(0)
            .stdout(predicate::str::contains("driftfix"));
    }
    driftfix().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn shipped_rule_sets_are_valid() {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    for entry in std::fs::read_dir(rules).unwrap() {
        let path = entry.unwrap().path();
        driftfix()
            .args(["rules", "check", "--rules"])
            .arg(&path)
            .args(["--base", "tests/fixtures/homelab"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .assert()
            .code(0)
            .stderr(predicate::str::contains("matches no file").not());
    }
}

#[test]
fn usage_errors_exit_2() {
    driftfix()
        .args(["scan", "--fail-on", "sometimes"])
        .assert()
        .code(2);
    driftfix()
        .args(["fix", "--apply", "--dry-run"])
        .assert()
        .code(2);
    driftfix()
        .args(["scan", "--max-file-size", "12X"])
        .assert()
        .code(2);
}

#[test]
fn usage_errors_exit_2_and_follow_the_color_option() {
    let run = |args: &[&str], no_color: bool| {
        let mut c = driftfix();
        c.env_remove("NO_COLOR");
        if no_color {
            c.env("NO_COLOR", "1");
        }
        let out = c.args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        String::from_utf8(out.stderr).unwrap()
    };
    let colored = run(&["--color", "always", "scan", "--bogus"], false);
    assert!(colored.contains("\u{1b}["), "{colored}");
    for (args, no_color) in [
        (&["--color", "always", "scan", "--bogus"][..], true),
        (&["--color=never", "scan", "--bogus"][..], false),
        (&["fix", "--apply", "--dry-run"][..], false),
    ] {
        let plain = run(args, no_color);
        assert!(plain.contains("error:"), "{plain}");
        assert!(!plain.contains('\u{1b}'), "{args:?}: {plain}");
    }
}
