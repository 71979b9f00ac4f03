//! Hand-built runs for the printers' unit tests (no disk, no format engine).

use std::path::Path;
use std::time::Duration;

use crate::formats::{FileType, Replacement, ScalarKind};
use crate::plan::{Action, Applicability, Check, FileError, FilePlan, Finding, Fix};
use crate::rules::{MatchMode, Role, RuleSet, Severity};
use crate::run::{Outcome, Run};
use crate::walk::Target;

pub const RULES: &str = r#"
version = 1
[paths]
authority = ["spine/**"]
readonly = ["legacy/**"]
[[canonical]]
name = "pve"
aliases = ["pve-shop", "proxmox-shop"]
description = "Shop cluster | Dell R730XD"
[[canonical]]
name = "proxmox-home"
aliases = ["pve-home"]
[[field]]
select = ["location", "host"]
"#;

pub fn rules() -> RuleSet {
    RuleSet::from_toml_str(RULES, Path::new("test.toml")).unwrap()
}

/// A finding with sensible defaults for the given place and labels.
pub fn finding(path: &str, line: usize, field: &str, actual: &str, canonical: &str) -> Finding {
    let role = role_of(path);
    Finding {
        path: path.into(),
        line,
        column: 11,
        end_line: line,
        end_column: 11 + actual.chars().count(),
        document: 0,
        field: field.into(),
        kind: ScalarKind::Value,
        actual: actual.into(),
        expected: Some(canonical.into()),
        alias: Some(actual.into()),
        canonical: Some(canonical.into()),
        mode: MatchMode::Exact,
        severity: match role {
            Role::Authority => Severity::Critical,
            Role::Readonly => Severity::Low,
            Role::Editable => Severity::Medium,
        },
        role,
        action: if role.writable() {
            Action::Fix
        } else {
            Action::Report
        },
        reason: None,
        check: Check::NonCanonical,
        scalar: 0,
        range: 0..actual.len(),
        fix: role.writable().then(|| Fix {
            applicability: Applicability::Safe,
            group: 0,
            replacement: Replacement {
                range: 0..actual.len(),
                text: canonical.into(),
            },
        }),
    }
}

pub fn role_of(path: &str) -> Role {
    if path.starts_with("spine/") {
        Role::Authority
    } else if path.starts_with("legacy/") {
        Role::Readonly
    } else {
        Role::Editable
    }
}

fn target(path: &str) -> Target {
    Target {
        rel_path: path.into(),
        open_path: path.into(),
        file_type: crate::rules::TypeMap::new(Vec::new())
            .type_of(path)
            .map_or(FileType::Yaml, |(t, _)| t),
        role: role_of(path),
        link: None,
    }
}

/// A planned file with these findings (original text optional).
pub fn planned(path: &str, original: &str, findings: Vec<Finding>) -> Outcome {
    let t = target(path);
    let plan = FilePlan {
        rel_path: path.into(),
        file_type: t.file_type,
        role: t.role,
        original: original.into(),
        parsed: !original.is_empty(),
        findings,
        scalars: Vec::new(),
        finding_edits: Vec::new(),
        edits: Vec::new(),
        new_text: None,
        refused: None,
        canonical_uses: Vec::new(),
        ungoverned: Vec::new(),
        suppressed: Default::default(),
    };
    Outcome {
        target: t,
        result: Ok(Box::new(plan)),
        id: None,
    }
}

pub fn failed(path: &str, error: FileError) -> Outcome {
    Outcome {
        target: target(path),
        result: Err(error),
        id: None,
    }
}

pub fn run(mut outcomes: Vec<Outcome>) -> Run {
    outcomes.sort_by(|a, b| a.target.rel_path.cmp(&b.target.rel_path));
    Run {
        outcomes,
        walk_skipped: Vec::new(),
        warnings: Vec::new(),
        errors: Vec::new(),
        own_targets: Vec::new(),
        elapsed: Duration::from_millis(1234),
    }
}

/// The homelab-like run most printer tests use.
pub fn homelab() -> Run {
    let mut manual = finding(
        "workbench/clusters.yaml",
        4,
        "hosts.pve-shop",
        "pve-shop",
        "pve",
    );
    manual.kind = ScalarKind::Key;
    manual.action = Action::Manual;
    manual.reason = Some("renaming this key to `pve` would collide | twice".into());
    let high = |line| {
        let mut f = finding(
            "workbench/backup_inventory.json",
            line,
            "backups[1].host",
            "pve-home",
            "proxmox-home",
        );
        f.severity = Severity::High;
        f.column = 15;
        f.end_column = 15 + "pve-home".len();
        f
    };
    let backups = vec![high(5), high(6)];
    run(vec![
        planned("spine/vm.yaml", "", Vec::new()),
        planned(
            "workbench/inventory.yaml",
            "",
            vec![
                finding(
                    "workbench/inventory.yaml",
                    7,
                    "containers[0].location",
                    "pve-shop",
                    "pve",
                ),
                finding(
                    "workbench/inventory.yaml",
                    11,
                    "containers[1].location",
                    "pve-shop",
                    "pve",
                ),
            ],
        ),
        planned("workbench/backup_inventory.json", "", backups),
        planned("workbench/clusters.yaml", "", vec![manual]),
        planned(
            "legacy/old.yaml",
            "",
            vec![finding(
                "legacy/old.yaml",
                3,
                "nodes[0].host",
                "proxmox-shop",
                "pve",
            )],
        ),
        planned("workbench/clean.json", "", Vec::new()),
        failed(
            "workbench/broken.yaml",
            FileError::invalid(2, 3, "yaml parse error: bad `indent` | here"),
        ),
        failed(
            "workbench/blob.json",
            FileError::skipped(
                crate::plan::SkipReason::Binary,
                "binary file (holds NUL bytes)",
            ),
        ),
    ])
}

/// A scan report over `run` (no color, paths rooted at `root`).
pub fn report<'a>(
    run: &'a Run,
    rules: &'a RuleSet,
    root: &'a crate::report::SourceRoot,
) -> crate::report::Report<'a> {
    crate::report::Report {
        command: crate::report::Command::Scan,
        run,
        rules,
        paint: crate::report::Paint { color: false },
        files: None,
        show_suppressed: false,
        root,
        quiet: false,
    }
}
