//! JSONC conformance: real devcontainer, VS Code and tsconfig files
//! (`tests/fixtures/jsonc-corpus`, see its SOURCES.md).
//!
//! For every file: it scans (or fails with a position inside the text);
//! the built-in type map calls it JSONC; every label-like string value and
//! key `l` is renamed to `l-cn` through the real pipeline (`plan_bytes`,
//! whose verification runs `jsonc-parser`); a re-scan of the result holds
//! the same strings with exactly the planned values, the same comments byte
//! for byte, and identical text between strings; a no-op plan verifies.
//! Pass counts are printed (`-- --nocapture`).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use driftfix::formats::jsonc::Jsonc;
use driftfix::formats::{FileType, Format};
use driftfix::plan::{Action, plan_bytes};
use driftfix::rules::{Role, RuleSet};

fn is_label(s: &str) -> bool {
    let mut c = s.chars();
    c.next().is_some_and(|c| c.is_ascii_alphabetic())
        && c.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
}

#[test]
fn jsonc_corpus() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jsonc-corpus");
    let files = common::files_under(&root, &|p| {
        !matches!(
            p.file_name().and_then(|n| n.to_str()),
            Some("LICENSE" | "SOURCES.md")
        )
    });
    assert!(files.len() >= 30, "the corpus is missing");
    let (mut parsed, mut comments, mut renamed, mut manual, mut typed) = (0, 0, 0, 0, 0);
    let types = driftfix::rules::types::TypeMap::new(Vec::new());
    let mut failures = Vec::new();
    for path in &files {
        let name = path.display().to_string();
        let rel = path.strip_prefix(&root).unwrap_or(path).to_string_lossy();
        if types.type_of(&rel).map(|(t, _)| t) == Some(FileType::Jsonc) {
            typed += 1;
        }
        let bytes = std::fs::read(path).expect("read");
        let text = String::from_utf8(bytes.clone()).expect("UTF-8");
        let scan = match Jsonc.scan(&text) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        parsed += 1;
        comments += scan.comments.len();
        if let Err(e) = Jsonc.verify(&text, None, &text, &[]) {
            failures.push(format!("{name}: no-op plan: {e}"));
        }
        let seen: BTreeSet<&str> = scan.scalars.iter().map(|s| s.value.as_str()).collect();
        let labels: BTreeSet<&str> = seen
            .iter()
            .copied()
            .filter(|l| is_label(l) && !seen.contains(format!("{l}-cn").as_str()))
            .collect();
        if labels.is_empty() {
            continue;
        }
        let mut rules = String::new();
        for l in &labels {
            rules.push_str(&format!(
                "[[canonical]]\nname = \"{l}-cn\"\naliases = [\"{l}\"]\n"
            ));
        }
        rules.push_str("[[field]]\nselect = [\"**\"]\nkeys_of = [\"**\"]\n");
        let rules = RuleSet::from_toml_str(&rules, Path::new("c.toml")).expect("rules");
        let plan = match plan_bytes("x.jsonc", FileType::Jsonc, Role::Editable, &bytes, &rules) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        if let Some(e) = &plan.refused {
            failures.push(format!("{name}: refused: {e}"));
            continue;
        }
        manual += plan
            .findings
            .iter()
            .filter(|f| f.action == Action::Manual)
            .count();
        let Some(new) = &plan.new_text else { continue };
        let fixed: BTreeSet<usize> = plan
            .findings
            .iter()
            .filter(|f| f.action == Action::Fix)
            .filter_map(|f| plan.scalars.get(f.scalar))
            .map(|s| s.span.start)
            .collect();
        let after = Jsonc.scan(new).expect("the result scans");
        let texts = |t: &str, r: &[std::ops::Range<usize>]| -> Vec<String> {
            r.iter().map(|r| t[r.clone()].to_string()).collect()
        };
        if texts(&text, &scan.comments) != texts(new, &after.comments) {
            failures.push(format!("{name}: comments changed"));
        }
        assert_eq!(after.scalars.len(), scan.scalars.len(), "{name}");
        let (mut oa, mut na) = (0, 0);
        for (o, a) in scan.scalars.iter().zip(&after.scalars) {
            let want = if fixed.contains(&o.span.start) {
                renamed += 1;
                format!("{}-cn", o.value)
            } else {
                o.value.clone()
            };
            if a.value != want {
                failures.push(format!("{name}: {:?} became {:?}", o.value, a.value));
            }
            if text[oa..o.span.start] != new[na..a.span.start] {
                failures.push(format!(
                    "{name}: bytes changed before byte {}",
                    o.span.start
                ));
            }
            oa = o.span.end;
            na = a.span.end;
        }
        if text[oa..] != new[na..] {
            failures.push(format!("{name}: the tail changed"));
        }
    }
    println!(
        "jsonc conformance: {} files ({typed} typed jsonc by path), {parsed} parsed, {comments} comments kept, {renamed} strings renamed, {manual} manual; {} failures",
        files.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
