//! `driftfix discover` end to end (SPEC §12): on the shipped homelab
//! example with its `[[canonical]]` entries removed it must give back
//! exactly the shipped aliases, with evidence; its draft must make `scan`
//! report the shipped findings; decoys must stay unresolved; it writes
//! nothing but `--output`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const HOMELAB: &str = "tests/fixtures/homelab";
const DECOYS: &str = "tests/fixtures/discover-decoys";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn driftfix() -> Command {
    let mut c = Command::cargo_bin("driftfix").unwrap();
    c.current_dir(repo()).env_remove("NO_COLOR");
    c
}

/// `rules/homelab-start.toml`: `rules/homelab.toml` without its
/// `[[canonical]]` entries, what a user who knows only the source of truth
/// would write (the README's walkthrough starts from it).
fn start_rules() -> PathBuf {
    repo().join("rules/homelab-start.toml")
}

#[test]
fn the_start_rules_are_the_shipped_rules_without_canonicals() {
    let read = |name: &str| -> toml::Table {
        toml::from_str(&std::fs::read_to_string(repo().join("rules").join(name)).unwrap()).unwrap()
    };
    let mut shipped = read("homelab.toml");
    assert!(shipped.remove("canonical").is_some());
    assert_eq!(read("homelab-start.toml"), shipped);
}

/// `discover --rules RULES --base BASE ARGS`: (stdout, stderr, exit code).
fn discover(rules: &Path, base: &str, args: &[&str]) -> (String, String, i32) {
    let out = driftfix()
        .arg("discover")
        .args(args)
        .arg("--rules")
        .arg(rules)
        .args(["--base", base])
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

fn discover_json(rules: &Path, base: &str) -> Value {
    let (stdout, stderr, code) = discover(rules, base, &["--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

/// alias → canonical of every proposed alias.
fn proposed(report: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for c in report["canonicals"].as_array().unwrap() {
        for a in c["aliases"].as_array().unwrap() {
            if a["source"] == "proposed" {
                out.insert(
                    a["alias"].as_str().unwrap().to_string(),
                    c["name"].as_str().unwrap().to_string(),
                );
            }
        }
    }
    out
}

fn unresolved(report: &Value) -> BTreeMap<String, String> {
    report["unresolved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["candidate"].as_str().unwrap().to_string(),
                u["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn alias<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["canonicals"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["aliases"].as_array().unwrap())
        .find(|a| a["alias"] == name)
        .unwrap_or_else(|| panic!("no alias {name}"))
}

fn pairs(list: &[(&str, &str)]) -> BTreeMap<String, String> {
    list.iter()
        .map(|(a, c)| (a.to_string(), c.to_string()))
        .collect()
}

#[test]
fn homelab_without_aliases_gives_back_exactly_the_shipped_aliases() {
    let rules = start_rules();
    let report = discover_json(&rules, HOMELAB);
    assert_eq!(
        proposed(&report),
        pairs(&[
            ("pve-shop", "pve"),
            ("proxmox-shop", "pve"),
            ("pve-home", "proxmox-home"),
        ])
    );
    assert!(unresolved(&report).is_empty(), "{:#}", report["unresolved"]);
    // Each with evidence, named where it was seen.
    let evidence = |name: &str| &alias(&report, name)["evidence"];
    assert!(evidence("pve-shop")["record_links"].as_u64().unwrap() >= 3);
    let shop = &evidence("proxmox-shop")["items"][0];
    assert_eq!(shop["kind"], "record_link");
    assert_eq!(
        shop["seen"]["path"],
        "workbench/infra/data/monitoring_inventory.json"
    );
    assert_eq!(
        shop["authority"]["path"],
        "spine/ops/bindings/ssh.targets.yaml"
    );
    assert_eq!(shop["authority"]["value"], "100.96.211.33");
    let home = evidence("pve-home");
    assert_eq!(home["record_links"], 1);
    assert_eq!(home["context"], 2, "the backup job's VM ids: {home:#}");
    let contexts: BTreeSet<&str> = home["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "context")
        .map(|i| i["seen"]["value"].as_str().unwrap())
        .collect();
    assert_eq!(contexts, BTreeSet::from(["100", "105"]));
}

/// The findings of a scan as comparable tuples.
fn findings(rules: &Path) -> Vec<(String, u64, u64, String, String, String, String)> {
    let out = driftfix()
        .args(["scan", "--format", "json", "--rules"])
        .arg(rules)
        .args(["--base", HOMELAB])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["field"].to_string(),
                f["alias"].to_string(),
                f["canonical"].to_string(),
                format!("{} {} {}", f["severity"], f["role"], f["action"]),
            )
        })
        .collect()
}

#[test]
fn the_draft_makes_scan_report_the_shipped_findings() {
    let dir = tempfile::tempdir().unwrap();
    let rules = start_rules();
    let draft = dir.path().join("draft.toml");
    let (_, stderr, code) = discover(
        &rules,
        HOMELAB,
        &["--format", "toml", "--output", draft.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{stderr}");
    let check = driftfix()
        .args(["rules", "check", "--rules"])
        .arg(&draft)
        .args(["--base", HOMELAB])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let shipped = findings(&repo().join("rules/homelab.toml"));
    assert!(shipped.len() >= 10, "{shipped:?}");
    assert_eq!(findings(&draft), shipped);
}

#[test]
fn the_draft_keeps_the_users_rules_and_comments_every_alias() {
    let rules = start_rules();
    let (draft, _, code) = discover(&rules, HOMELAB, &[]);
    assert_eq!(code, 0);
    let kept = std::fs::read_to_string(&rules).unwrap();
    for section in kept
        .split("\n\n")
        .filter(|s| s.contains("[[field]]") || s.contains("[paths]"))
    {
        assert!(
            draft.contains(section.trim()),
            "not kept verbatim:\n{section}"
        );
    }
    let lines: Vec<&str> = draft.lines().collect();
    for alias in ["pve-shop", "proxmox-shop", "pve-home"] {
        let at = lines
            .iter()
            .position(|l| l.trim() == format!("\"{alias}\","))
            .unwrap_or_else(|| panic!("{alias} not listed:\n{draft}"));
        let comment = lines[..at]
            .iter()
            .rev()
            .take_while(|l| l.trim_start().starts_with('#'))
            .copied()
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            comment.contains(&format!("# {alias}: proposed from ")),
            "{comment}"
        );
        assert!(comment.contains("occurrence"), "{comment}");
        assert!(
            comment.contains(" = spine/"),
            "evidence names the authority: {comment}"
        );
    }
    assert!(draft.contains("# Unresolved: none."), "{draft}");
}

#[test]
fn existing_aliases_are_kept() {
    let report = discover_json(&repo().join("rules/homelab.toml"), HOMELAB);
    assert!(proposed(&report).is_empty());
    let sources: BTreeMap<String, String> = report["canonicals"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["aliases"].as_array().unwrap())
        .map(|a| {
            (
                a["alias"].as_str().unwrap().to_string(),
                a["source"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        sources,
        pairs(&[
            ("pve-shop", "given"),
            ("proxmox-shop", "given"),
            ("pve-home", "given"),
        ])
    );
    let pve = report["canonicals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "pve")
        .unwrap();
    assert_eq!(pve["description"], "Shop cluster, Dell R730XD");
    assert_eq!(pve["given"], true);
}

#[test]
fn markdown_reproduces_the_cross_reference_of_the_example_report() {
    let rules = start_rules();
    let (md, stderr, code) = discover(&rules, HOMELAB, &["--format", "markdown"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(md.contains("## Canonical Alignment (Authority Sources)"));
    assert!(md.contains(
        "| Authority Source | Authority Value | Editable Equiv | Read-only Equiv | Match? |"
    ));
    // The example report's rows: vm.lifecycle.yaml `pve` → pve, pve-shop
    // (partial drift); `proxmox-home` → proxmox-home, pve-home, also in the
    // legacy notes (text lines).
    assert!(md.contains(
        "| `spine/ops/bindings/vm.lifecycle.yaml` | `pve` | `pve`, `pve-shop` | `pve-shop` | Partial drift |"
    ), "{md}");
    assert!(md.contains(
        "| `spine/ops/bindings/vm.lifecycle.yaml` | `proxmox-home` | `proxmox-home`, `pve-home` | `proxmox-home`, `pve-home` | Partial drift |"
    ), "{md}");
    assert!(md.contains("| `spine/docs/governance/SERVICE_REGISTRY.yaml` | `observability` | `observability` | — | ✅ |"));
    // Every table row has as many cells as its header.
    let mut width = 0;
    for line in md.lines() {
        if !line.starts_with('|') {
            width = 0;
            continue;
        }
        let cells = line.replace("\\|", "").matches('|').count();
        if width == 0 {
            width = cells;
        }
        assert_eq!(cells, width, "{line}");
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("homelab-discover-markdown", md));
}

#[test]
fn json_has_the_discover_shape() {
    let rules = start_rules();
    let report = discover_json(&rules, HOMELAB);
    assert_eq!(report["schema"], "driftfix-discover/v1");
    let summary = &report["summary"];
    assert_eq!(summary["authority_files"], 3);
    assert_eq!(summary["aliases_proposed"], 3);
    assert_eq!(summary["unresolved"], 0);
    for key in [
        "canonicals",
        "unresolved",
        "cross_reference",
        "errors",
        "skipped",
    ] {
        assert!(report[key].is_array(), "{key}");
    }
    for c in report["canonicals"].as_array().unwrap() {
        assert!(c["name"].is_string());
        assert!(c["given"].is_boolean());
        for u in c["authority"].as_array().unwrap() {
            assert!(u["path"].as_str().unwrap().starts_with("spine/"));
            assert!(u["lines"].as_array().unwrap().iter().all(Value::is_u64));
        }
        for a in c["aliases"].as_array().unwrap() {
            assert!(a["alias"].is_string());
            let occ = &a["occurrences"];
            assert!(occ["total"].as_u64().unwrap() >= 1);
            for role in ["authority", "readonly", "editable"] {
                assert!(occ["by_role"][role].is_u64(), "{role}");
            }
            for p in occ["places"].as_array().unwrap() {
                assert!(p["path"].is_string() && p["line"].is_u64() && p["field"].is_string());
                assert!(["exact", "token"].contains(&p["match"].as_str().unwrap()));
            }
            for item in a["evidence"]["items"].as_array().unwrap() {
                assert!(["record_link", "context"].contains(&item["kind"].as_str().unwrap()));
                assert!(item["determinate"].is_boolean());
                for side in ["seen", "authority"] {
                    for k in ["path", "key", "value"] {
                        assert!(item[side][k].is_string(), "{side}.{k}");
                    }
                    assert!(item[side]["line"].is_u64());
                }
            }
            assert!(a["likeness"].is_array());
        }
    }
    for row in report["cross_reference"].as_array().unwrap() {
        assert!(row["authority"].is_string() && row["canonical"].is_string());
        assert!(row["equivalents"]["editable"].is_array());
        assert!(row["equivalents"]["readonly"].is_array());
        assert!(
            ["aligned", "partial drift", "drift", "not seen"]
                .contains(&row["match"].as_str().unwrap())
        );
    }
    let records = report["authority"]["records"].as_array().unwrap();
    assert!(records.iter().any(|r| r["record"] == "vms[0]"
        && r["identified_by"][0] == serde_json::json!({"key": "id", "value": "200"})));
}

#[test]
fn decoys_stay_unresolved() {
    let rules = repo().join(DECOYS).join("driftfix.toml");
    let report = discover_json(&rules, DECOYS);
    assert_eq!(proposed(&report), pairs(&[("pve-shop", "pve")]));
    let why = unresolved(&report);
    let expect = [
        // A distinct machine: one copied value, refuted by its own IP; a
        // note line puts it next to pve's IP, but names pve too.
        ("pve-shop-backup", "no usable evidence"),
        // Tied to two different canonical names.
        ("homebox", "conflicting evidence"),
        // Two unknown labels in one linked record.
        ("pve-a", "ambiguous"),
        ("pve-b", "ambiguous"),
        // Seen once, tied to nothing: looks like `pve`, still not proposed.
        ("old-pve", "name likeness only"),
        // Shares `home` with two canonical names: not even likeness.
        ("home-server", "no evidence"),
        // Shares a value that two authority records hold.
        ("edge-router", "no evidence"),
    ];
    assert_eq!(
        why.keys().collect::<BTreeSet<_>>(),
        expect
            .iter()
            .map(|(n, _)| n.to_string())
            .collect::<BTreeSet<_>>()
            .iter()
            .collect()
    );
    for (name, reason) in expect {
        assert!(why[name].contains(reason), "{name}: {}", why[name]);
    }
    let backup = report["unresolved"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["candidate"] == "pve-shop-backup")
        .unwrap();
    assert_eq!(backup["evidence"]["refuted"], 1);
    assert_eq!(backup["evidence"]["context"], 1, "the note line");
    // The draft lists them in its unresolved block and still loads.
    let (draft, _, code) = discover(&rules, DECOYS, &[]);
    assert_eq!(code, 0);
    let block = draft.split("# Unresolved (7)").nth(1).unwrap();
    for (name, _) in expect {
        assert!(block.contains(&format!("# \"{name}\": ")), "{name}");
    }
}

/// Every file under `dir` with its bytes.
fn snapshot_tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn writes_nothing_but_output_and_refuses_an_existing_one() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    let copy = std::process::Command::new("cp")
        .args(["-r", HOMELAB])
        .arg(&tree)
        .current_dir(repo())
        .status()
        .unwrap();
    assert!(copy.success());
    let rules = start_rules();
    let before = snapshot_tree(&tree);
    let out = dir.path().join("draft.toml");
    let run = |extra: &[&str]| {
        let mut args = vec!["--output", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        discover(&rules, tree.to_str().unwrap(), &args)
    };
    let (stdout, _, code) = run(&[]);
    assert_eq!(code, 0);
    assert!(stdout.is_empty(), "the draft goes to --output only");
    assert_eq!(snapshot_tree(&tree), before, "a target was written");
    let first = std::fs::read_to_string(&out).unwrap();
    assert!(first.contains("[[canonical]]"));
    // An existing file: refused without --force, replaced with it.
    std::fs::write(&out, "keep me").unwrap();
    let (_, stderr, code) = run(&[]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("already exists") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
    let (_, stderr, code) = run(&["--force"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), first);
    // Never onto a file of the tree, forced or not.
    let target = tree.join("workbench/infra/data/backup_inventory.json");
    let (_, stderr, code) = discover(
        &rules,
        tree.to_str().unwrap(),
        &["--output", target.to_str().unwrap(), "--force"],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("reads"), "{stderr}");
    let authority = tree.join("spine/ops/bindings/ssh.targets.yaml");
    let (_, stderr, code) = discover(
        &rules,
        tree.to_str().unwrap(),
        &["--output", authority.to_str().unwrap(), "--force"],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("authority"), "{stderr}");
    assert_eq!(snapshot_tree(&tree), before);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".driftfix-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_file_that_does_not_parse_is_an_error_and_the_rest_is_still_discovered() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path();
    std::fs::create_dir_all(tree.join("spine")).unwrap();
    std::fs::write(
        tree.join("driftfix.toml"),
        "[paths]\nauthority = [\"spine/**\"]\n[[field]]\nselect = [\"host\"]\n",
    )
    .unwrap();
    std::fs::write(
        tree.join("spine/a.yaml"),
        "- {host: pve, ip: 10.0.0.1}\n- {host: nas, ip: 10.0.0.2}\n",
    )
    .unwrap();
    std::fs::write(
        tree.join("b.json"),
        "[{\"host\": \"pve-shop\", \"ip\": \"10.0.0.1\"}]",
    )
    .unwrap();
    std::fs::write(tree.join("broken.yaml"), "a: [1, 2\n").unwrap();
    let out = Command::cargo_bin("driftfix")
        .unwrap()
        .current_dir(tree)
        .args(["discover", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("error: broken.yaml:"), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(proposed(&report), pairs(&[("pve-shop", "pve")]));
    assert_eq!(report["errors"][0]["path"], "broken.yaml");
    assert!(report["errors"][0]["line"].is_u64());
}

/// A small tree under a temp dir: (dir, its driftfix.toml).
fn small_tree(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let rules = dir.path().join("driftfix.toml");
    (dir, rules)
}

const SMALL_RULES: &str = "version = 1\n[paths]\nauthority = [\"spine/**\"]\n\
    [[field]]\nselect = [\"host\", \"proxmox_host\", \"location\"]\n";

/// SPEC §12: "shares an identifying value — e.g. the same vmid, hostname or
/// IP". A small authority (one machine, two VMs) still identifies its
/// records by IP and VM id; a value that is merely unique because the
/// authority has one record (`os`) still identifies nothing.
#[test]
fn a_small_authority_still_links_by_ip_and_vm_id() {
    let (dir, rules) = small_tree(&[
        ("driftfix.toml", SMALL_RULES),
        (
            "spine/machines.yaml",
            "machines:\n  - host: pve\n    tailscale_ip: 100.96.211.33\n    os: debian-12-bookworm\n",
        ),
        (
            "spine/vms.yaml",
            "vms:\n  - {vmid: 200, proxmox_host: pve}\n  - {vmid: 100, proxmox_host: proxmox-home}\n",
        ),
        (
            "work/monitoring.yaml",
            "targets:\n  - host: pve-shop\n    address: 100.96.211.33\n  - host: pve-backup\n    os: debian-12-bookworm\n",
        ),
        (
            "work/containers.yaml",
            "containers:\n  - vmid: 100\n    location: pve-home\n",
        ),
    ]);
    let report = discover_json(&rules, dir.path().to_str().unwrap());
    assert_eq!(
        proposed(&report),
        pairs(&[("pve-shop", "pve"), ("pve-home", "proxmox-home")]),
        "{report:#}"
    );
    assert_eq!(alias(&report, "pve-shop")["evidence"]["record_links"], 1);
    assert!(unresolved(&report).contains_key("pve-backup"));
}

/// SPEC §14: an existing character device or FIFO, or a symlink to one, is
/// opened and written, never replaced; §12's "refuses an existing file
/// unless --force" protects a draft someone edited, not `/dev/null`.
#[test]
fn output_to_a_device_needs_no_force() {
    let (dir, rules) = small_tree(&[
        ("driftfix.toml", SMALL_RULES),
        ("spine/h.yaml", "hosts:\n  - host: pve\n"),
    ]);
    let link = dir.path().join("null");
    std::os::unix::fs::symlink("/dev/null", &link).unwrap();
    for out in ["/dev/null", link.to_str().unwrap()] {
        let (stdout, stderr, code) =
            discover(&rules, dir.path().to_str().unwrap(), &["--output", out]);
        assert_eq!(code, 0, "{out}: {stderr}");
        assert_eq!(stdout, "", "{out}");
    }
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    // A regular file still needs --force.
    let draft = dir.path().join("draft.toml");
    std::fs::write(&draft, "# my edits\n").unwrap();
    let (_, stderr, code) = discover(
        &rules,
        dir.path().to_str().unwrap(),
        &["--output", draft.to_str().unwrap()],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&draft).unwrap(), "# my edits\n");
}

/// SPEC §12: canonical names are the authority's. ROOTS say where to look
/// for candidates (`driftfix discover workbench/`); the authority files are
/// read all the same, else every value there would be "unresolved".
#[test]
fn roots_narrow_the_candidates_not_the_authority() {
    let rules = start_rules();
    let base = repo().join(HOMELAB);
    let out = driftfix()
        .current_dir(&base)
        .args(["discover", "--format", "json", "--rules"])
        .arg(&rules)
        .arg("workbench")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let got = proposed(&report);
    assert_eq!(
        got.get("pve-shop").map(String::as_str),
        Some("pve"),
        "{got:?}"
    );
    assert_eq!(
        got.get("pve-home").map(String::as_str),
        Some("proxmox-home")
    );
    assert_eq!(report["summary"]["authority_files"], 3);
    // Candidates come from the ROOTS only: nothing under legacy/ is listed.
    let text = serde_json::to_string(&report["canonicals"]).unwrap();
    assert!(!text.contains("\"path\":\"legacy/"), "{text}");
}
