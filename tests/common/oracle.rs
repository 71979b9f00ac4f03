//! The property every input must satisfy, whatever its bytes: shared by the
//! in-test fuzz loop (`tests/fuzz_loop.rs`) and the cargo-fuzz targets
//! (`fuzz/`, which include this file by path).
//!
//! For any bytes and each of a few rule sets that make identifier-like
//! strings aliases (token and exact match, case folded or not, values and
//! keys everywhere):
//! - nothing panics;
//! - a direct `Format::scan` gives scalars whose spans, content starts and
//!   verbatim pieces lie inside the text on character boundaries;
//! - a parse error carries a line and column inside the text;
//! - when planning produces a new text, it equals the original with exactly
//!   the plan's edits applied (so every byte outside the edit spans is
//!   identical), every edit lies inside the span of a scalar with a finding,
//!   the new text scans again, and planning it once more finds nothing left
//!   to fix (a second `fix --apply` changes nothing).

use std::sync::OnceLock;

use driftfix::formats::{FileType, Scalar, apply_edits};
use driftfix::plan::plan_bytes;
use driftfix::rules::{Role, RuleSet};

const ALIASES: &str = r#"
[[canonical]]
name = "zz-canon"
aliases = ["a", "pve-shop", "x.y", "key", "é-host", "A1"]
[[canonical]]
name = "Yy"
aliases = ["b", "bb", "host", "k k"]
"#;

/// The rule sets every input is planned with.
pub fn rule_sets() -> &'static [RuleSet] {
    static SETS: OnceLock<Vec<RuleSet>> = OnceLock::new();
    SETS.get_or_init(|| {
        [
            "match = \"token\"\n",
            "match = \"exact\"\n",
            "match = \"token\"\nignore_case = true\n",
        ]
        .iter()
        .map(|field| {
            let text =
                format!("{ALIASES}[[field]]\ntypes = [\"yaml\", \"json\", \"toml\", \"ini\", \"text\"]\nselect = [\"**\", \".\"]\nkeys_of = [\"**\", \".\"]\n{field}");
            match RuleSet::from_toml_str(&text, std::path::Path::new("oracle.toml")) {
                Ok(r) => r,
                Err(e) => panic!("oracle rules: {e}"),
            }
        })
        .collect()
    })
}

fn check_scalar(text: &str, s: &Scalar) {
    let within = |r: &std::ops::Range<usize>| r.start <= r.end && text.get(r.clone()).is_some();
    assert!(within(&s.span), "span {:?} outside the text", s.span);
    assert!(
        s.span.start <= s.content.start && s.content.start <= s.span.end,
        "content start {} outside span {:?}",
        s.content.start,
        s.span
    );
    for p in &s.pieces {
        assert!(
            within(&p.source),
            "piece source {:?} outside the text",
            p.source
        );
        assert_eq!(
            s.value.get(p.value.clone()),
            text.get(p.source.clone()),
            "piece {p:?} is not verbatim"
        );
    }
}

/// Checks the oracle's property for one input; returns how many of the rule
/// sets rewrote it.
pub fn check(ft: FileType, bytes: &[u8]) -> usize {
    let mut rewritten = 0;
    let format = ft.format();
    if let Ok(text) = std::str::from_utf8(bytes) {
        match format.scalars(text) {
            Ok(scalars) => {
                for s in &scalars {
                    check_scalar(text, s);
                }
            }
            Err(e) => {
                let lines = text.split('\n').count();
                assert!(
                    e.line >= 1 && e.line <= lines && e.column >= 1,
                    "parse error position {}:{} outside the text ({lines} lines): {}",
                    e.line,
                    e.column,
                    e.message
                );
            }
        }
    }
    for rules in rule_sets() {
        let plan = match plan_bytes("fuzz", ft, Role::Editable, bytes, rules) {
            Ok(plan) => plan,
            Err(e) => {
                if e.message.contains("parse error") {
                    assert!(e.line.is_some() && e.column.is_some(), "{e}");
                }
                continue;
            }
        };
        let Some(new) = &plan.new_text else {
            continue;
        };
        rewritten += 1;
        assert_eq!(
            &apply_edits(&plan.original, &plan.edits),
            new,
            "the new text is not the original with the edits applied"
        );
        for e in &plan.edits {
            assert!(
                plan.scalars
                    .iter()
                    .any(|s| s.span.start <= e.range.start && e.range.end <= s.span.end),
                "edit {:?} outside every rewritten scalar",
                e.range
            );
        }
        if let Err(e) = format.scalars(new) {
            panic!("the rewritten text does not scan: {e}\n{new:?}");
        }
        match plan_bytes("fuzz", ft, Role::Editable, new.as_bytes(), rules) {
            Ok(again) => assert_eq!(
                again.fix_count(),
                0,
                "a second fix would change more: {:?}",
                again.new_text
            ),
            Err(e) => panic!("the rewritten text fails to plan: {e}\n{new:?}"),
        }
    }
    rewritten
}
