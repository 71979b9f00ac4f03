//! INI conformance: real Ansible inventories (`tests/fixtures/ini-corpus`,
//! see its SOURCES.md) and hostile cases (`tests/fixtures/ini-hostile`).
//!
//! For every file:
//! (a) it scans, or fails with an error whose line and column lie in the
//!     text;
//! (b) three runs through the real pipeline (`plan_bytes`) rename every
//!     label-like host name, group name, and string value `l` to `l-cn`;
//!     a re-scan of the result must hold the same scalars in the same order,
//!     each with its old value or, where the plan fixed it, `l-cn`, and the
//!     text between scalars must be byte-identical (so every byte outside
//!     the rewritten spans is unchanged and the re-parse equals the planned
//!     substitution);
//! (c) a no-op plan (no edits) gives the text back byte for byte and
//!     verifies.
//!
//! Pass counts are printed (`cargo test --test conformance_ini -- --nocapture`).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use driftfix::formats::ini::{GROUP_NAMESPACE, HOST_NAMESPACE, Ini};
use driftfix::formats::{FileType, Format, Scalar, ScalarKind, apply_edits};
use driftfix::plan::{Action, plan_bytes};
use driftfix::rules::{Role, RuleSet};

fn corpus() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files = common::files_under(&root.join("ini-corpus"), &|p| {
        !matches!(
            p.file_name().and_then(|n| n.to_str()),
            Some("LICENSE" | "SOURCES.md")
        )
    });
    files.extend(common::files_under(&root.join("ini-hostile"), &|_| true));
    files
}

/// `[A-Za-z][A-Za-z0-9_.-]*`: what a host label looks like.
fn is_label(s: &str) -> bool {
    let mut c = s.chars();
    c.next().is_some_and(|c| c.is_ascii_alphabetic())
        && c.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Run {
    Hosts,
    Groups,
    Values,
}

fn in_run(s: &Scalar, run: Run) -> bool {
    let ns = s.link().map(|l| l.namespace.as_str());
    match run {
        Run::Hosts => ns == Some(HOST_NAMESPACE),
        Run::Groups => ns == Some(GROUP_NAMESPACE),
        Run::Values => s.kind == ScalarKind::Value,
    }
}

fn rules(labels: &BTreeSet<String>, run: Run) -> RuleSet {
    let mut text = String::new();
    for l in labels {
        text.push_str(&format!(
            "[[canonical]]\nname = {:?}\naliases = [{:?}]\n",
            format!("{l}-cn"),
            l
        ));
    }
    text.push_str(match run {
        Run::Hosts => "[[field]]\ntypes = [\"ini\"]\nkeys_of = [\"**.hosts\"]\n",
        Run::Groups => "[[field]]\ntypes = [\"ini\"]\nkeys_of = [\".\"]\n",
        Run::Values => "[[field]]\ntypes = [\"ini\"]\nselect = [\"**\"]\n",
    });
    RuleSet::from_toml_str(&text, Path::new("conformance.toml")).expect("rules")
}

#[derive(Default, Debug)]
struct Counts {
    files: usize,
    parsed: usize,
    errors: usize,
    runs_rewritten: usize,
    renamed: usize,
    manual: usize,
    noop: usize,
}

#[test]
fn ini_corpus() {
    let files = corpus();
    assert!(
        files.len() >= 40,
        "the corpus is missing ({} files)",
        files.len()
    );
    let mut n = Counts::default();
    let mut failures = Vec::new();
    for path in &files {
        n.files += 1;
        let name = path.display().to_string();
        let bytes = std::fs::read(path).expect("read");
        let text = String::from_utf8(bytes.clone()).expect("corpus files are UTF-8");
        let scan = match Ini.scan(&text) {
            Ok(s) => s,
            Err(e) => {
                let lines = text.split('\n').count();
                if e.line == 0 || e.line > lines || e.column == 0 {
                    failures.push(format!("{name}: error outside the text: {e}"));
                } else {
                    println!("  positioned error: {name}: {e}");
                }
                n.errors += 1;
                continue;
            }
        };
        n.parsed += 1;
        // (c) a no-op plan.
        if apply_edits(&text, &[]) == text && Ini.verify(&text, None, &text, &[]).is_ok() {
            n.noop += 1;
        } else {
            failures.push(format!("{name}: the no-op plan does not verify"));
        }
        // (b) renames.
        for run in [Run::Hosts, Run::Groups, Run::Values] {
            let seen: BTreeSet<String> = scan
                .scalars
                .iter()
                .filter(|s| in_run(s, run) && is_label(&s.value))
                .map(|s| s.value.clone())
                .filter(|v| v != "all" && v != "ungrouped")
                .collect();
            let labels: BTreeSet<String> = seen
                .iter()
                .filter(|l| !seen.contains(&format!("{l}-cn")))
                .cloned()
                .collect();
            if labels.is_empty() {
                continue;
            }
            let plan = match plan_bytes(
                "inv.ini",
                FileType::Ini,
                Role::Editable,
                &bytes,
                &rules(&labels, run),
            ) {
                Ok(p) => p,
                Err(e) => {
                    failures.push(format!("{name} {run:?}: {e}"));
                    continue;
                }
            };
            if let Some(e) = &plan.refused {
                failures.push(format!("{name} {run:?}: refused: {e}"));
                continue;
            }
            n.manual += plan
                .findings
                .iter()
                .filter(|f| f.action == Action::Manual)
                .count();
            let Some(new) = &plan.new_text else {
                continue;
            };
            n.runs_rewritten += 1;
            // The spans the plan fixed.
            let fixed: BTreeSet<usize> = plan
                .findings
                .iter()
                .filter(|f| f.action == Action::Fix)
                .filter_map(|f| plan.scalars.get(f.scalar))
                .map(|s| s.span.start)
                .collect();
            let after = match Ini.scan(new) {
                Ok(s) => s,
                Err(e) => {
                    failures.push(format!("{name} {run:?}: the result does not scan: {e}"));
                    continue;
                }
            };
            if after.scalars.len() != scan.scalars.len() {
                failures.push(format!("{name} {run:?}: scalar count changed"));
                continue;
            }
            let (mut old_at, mut new_at) = (0, 0);
            for (o, a) in scan.scalars.iter().zip(&after.scalars) {
                let want = if fixed.contains(&o.span.start) {
                    n.renamed += 1;
                    format!("{}-cn", o.value)
                } else {
                    o.value.clone()
                };
                if a.value != want || a.kind != o.kind {
                    failures.push(format!(
                        "{name} {run:?}: {:?} became {:?}, expected {want:?}",
                        o.value, a.value
                    ));
                }
                if o.span.start >= old_at && a.span.start >= new_at {
                    if text.get(old_at..o.span.start) != new.get(new_at..a.span.start) {
                        failures.push(format!(
                            "{name} {run:?}: bytes changed before byte {}",
                            o.span.start
                        ));
                    }
                    old_at = o.span.end;
                    new_at = a.span.end;
                }
            }
            if text.get(old_at..) != new.get(new_at..) {
                failures.push(format!("{name} {run:?}: the tail changed"));
            }
        }
    }
    println!(
        "ini conformance: {} files: {} parsed, {} positioned errors; {} no-op plans verified; {} rename runs rewrote a file, {} scalars renamed, {} manual findings; {} failures",
        n.files,
        n.parsed,
        n.errors,
        n.noop,
        n.runs_rewritten,
        n.renamed,
        n.manual,
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(n.renamed > 0);
}
