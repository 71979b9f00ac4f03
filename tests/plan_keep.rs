//! Issue 19 (memory): what a plan keeps besides its findings follows what
//! the run's outputs read ([`Keep`]), a plan may take the caller's read
//! buffer instead of copying it, and suppression sorts and splits the
//! findings in place. None of it may change a finding.

use driftfix::formats::FileType;
use driftfix::matcher::Matcher;
use driftfix::plan::{Context, FilePlan, Keep, PlanOptions, plan_buffer, plan_with};
use driftfix::rules::{Role, RuleSet};

fn rules() -> RuleSet {
    let text = "version = 1\n[[canonical]]\nname = \"pve\"\naliases = [\"pve-shop\"]\n\
                [[field]]\nselect = [\"host\", \"hosts[*]\"]\nmatch = \"token\"\n";
    RuleSet::from_toml_str(text, std::path::Path::new("driftfix.toml")).unwrap()
}

/// With `--strict`, the aliases outside governed fields (lines 1 and 4)
/// come after the governed ones (2, 6, 7) until suppression sorts them;
/// line 2 is suppressed by its marker.
const DOC: &str = "note: pve-shop\nhost: pve-shop # driftfix: ignore\nlist:\n  - pve-shop\nhosts:\n  - pve-shop\n  - a pve-shop b\n";

fn plan(keep: Keep, strict: bool, text: &str) -> FilePlan {
    let rules = rules();
    let matcher = Matcher::new(&rules);
    let ctx = Context {
        rules: &rules,
        matcher: &matcher,
        options: PlanOptions { strict, keep },
        baseline: None,
    };
    plan_with(
        &ctx,
        "f.yaml",
        FileType::Yaml,
        Role::Editable,
        text.as_bytes(),
    )
    .unwrap()
}

/// Everything a report reads of a finding, as text.
fn findings(p: &FilePlan) -> Vec<String> {
    p.findings
        .iter()
        .chain(p.suppressed.findings.iter().map(|(f, _)| f))
        .map(|f| {
            format!(
                "{}:{}:{}-{}:{} {} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
                f.path,
                f.line,
                f.column,
                f.end_line,
                f.end_column,
                f.field,
                f.actual,
                f.expected.as_ref().map(|e| e.to_string()),
                f.alias,
                f.canonical,
                f.action,
                f.reason,
                f.fix
            )
        })
        .collect()
}

#[test]
fn what_is_not_kept_is_empty_and_the_findings_are_the_same() {
    for strict in [false, true] {
        let all = plan(Keep::ALL, strict, DOC);
        assert!(all.new_text.is_some() && !all.original.is_empty());
        assert!(!all.scalars.is_empty() && !all.edits.is_empty());
        assert!(!all.suppressed.fingerprints.is_empty());
        for keep in [Keep::FINDINGS, Keep::ORIGINAL, Keep::TEXTS] {
            let some = plan(keep, strict, DOC);
            assert_eq!(findings(&some), findings(&all), "{keep:?}");
            assert_eq!(some.original.is_empty(), !keep.text, "{keep:?}");
            // SARIF's plans keep each finding's fix edits instead of the
            // scalars: the same edits as made from the scalars.
            let scalars = keep.text && !keep.finding_edits;
            assert_eq!(some.scalars.is_empty(), !scalars, "{keep:?}");
            assert_eq!(
                some.finding_edits.len(),
                if keep.finding_edits {
                    some.findings.len()
                } else {
                    0
                },
                "{keep:?}"
            );
            if keep.text {
                assert!((0..all.findings.len()).any(|i| !all.fix_edits(i).is_empty()));
                for i in 0..all.findings.len() {
                    assert_eq!(some.fix_edits(i), all.fix_edits(i), "{keep:?} finding {i}");
                }
            }
            assert_eq!(
                some.new_text,
                keep.new_text.then(|| all.new_text.clone()).flatten()
            );
            assert_eq!(some.edits.is_empty(), !keep.new_text, "{keep:?}");
            assert!(some.suppressed.fingerprints.is_empty(), "{keep:?}");
            assert_eq!(some.fix_count(), all.fix_count());
        }
    }
}

#[test]
fn suppression_sorts_strict_findings_in_with_their_fingerprints() {
    let p = plan(Keep::ALL, true, DOC);
    let lines: Vec<usize> = p.findings.iter().map(|f| f.line).collect();
    assert_eq!(lines, [1, 4, 6, 7]);
    let gone: Vec<usize> = p.suppressed.findings.iter().map(|(f, _)| f.line).collect();
    assert_eq!(gone, [2]);
    // A finding outside governed fields is recorded with its value, a
    // governed one without: the flags moved with their findings.
    let values: Vec<Option<&str>> = p
        .suppressed
        .fingerprints
        .iter()
        .map(|e| e.value.as_deref())
        .collect();
    assert_eq!(
        values,
        [Some("pve-shop"), Some("pve-shop"), None, None],
        "{:?}",
        p.suppressed.fingerprints
    );
    let new = p.new_text.as_deref().unwrap();
    assert!(new.contains("  - pve\n  - a pve b\n"), "{new}");
    assert!(new.contains("host: pve-shop # driftfix: ignore\n"), "{new}");
}

#[test]
fn a_plan_takes_the_buffer_only_when_it_keeps_the_text() {
    let rules = rules();
    let matcher = Matcher::new(&rules);
    for keep in [Keep::ALL, Keep::FINDINGS] {
        let ctx = Context {
            rules: &rules,
            matcher: &matcher,
            options: PlanOptions {
                strict: false,
                keep,
            },
            baseline: None,
        };
        let mut buf = DOC.as_bytes().to_vec();
        let p = plan_buffer(&ctx, "f.yaml", FileType::Yaml, Role::Editable, &mut buf).unwrap();
        let copied = plan_with(
            &ctx,
            "f.yaml",
            FileType::Yaml,
            Role::Editable,
            DOC.as_bytes(),
        )
        .unwrap();
        assert_eq!(findings(&p), findings(&copied));
        assert_eq!(p.original, copied.original);
        if keep.text {
            assert_eq!(p.original, DOC);
            assert!(buf.is_empty(), "the text moved into the plan");
        } else {
            assert_eq!(buf, DOC.as_bytes(), "the buffer is left for reuse");
        }
        // A file without findings leaves the buffer either way.
        let clean = b"host: pve\nnote: pve-shop-backup\n";
        let mut buf = clean.to_vec();
        let p = plan_buffer(&ctx, "g.yaml", FileType::Yaml, Role::Editable, &mut buf).unwrap();
        assert!(p.findings.is_empty() && p.original.is_empty());
        assert_eq!(buf, clean);
    }
}
