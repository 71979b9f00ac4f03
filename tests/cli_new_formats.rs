//! End to end through the binary: an Ansible INI inventory and a JSONC file
//! in an editable tree are fixed in place (SPEC §9, §10), every other byte
//! kept; the scan's JSON report names the new kinds.

mod common;

use assert_cmd::Command;
use serde_json::Value;

const RULES: &str = r#"
[[canonical]]
name = "pve"
aliases = ["pve-shop", "proxmox-shop"]

[[field]]
types = ["ini"]
keys_of = ["**.hosts", "."]
select = ["**.ansible_host", "**.vars.proxmox_node"]
match = "token"

[[field]]
types = ["json"]
select = ["**.host", "**.remote"]
match = "token"
"#;

const INVENTORY: &str = "; homelab\r\n[pve-shop]\r\npve-shop ansible_host=pve-shop.lan  # the shop box\r\n\r\n[pve-shop:vars]\r\nproxmox_node = \"pve-shop\"\r\n\r\n[cluster:children]\r\npve-shop\r\n[web]\r\npve-shop:2222\r\nweb[01:03]";

const SETTINGS: &str = "// editor\n{\n  \"host\": \"proxmox-shop\", /* legacy */\n  \"remote\": \"ssh://pve-shop:22\",\n}\n";

/// The binary, journaling under the tests' own state directory.
fn driftfix() -> Command {
    common::driftfix()
}

#[test]
fn ini_and_jsonc_are_fixed_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("driftfix.toml"), RULES).unwrap();
    std::fs::write(d.join("inventory.ini"), INVENTORY).unwrap();
    std::fs::create_dir(d.join(".vscode")).unwrap();
    std::fs::write(d.join(".vscode/settings.json"), SETTINGS).unwrap();

    let out = driftfix()
        .current_dir(d)
        .args(["scan", "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let ini: Vec<&Value> = findings
        .iter()
        .filter(|f| f["path"] == "inventory.ini")
        .collect();
    // [pve-shop], the host in [pve-shop], its ansible_host, [pve-shop:vars],
    // proxmox_node, [cluster:children] pve-shop, the host in [web].
    assert_eq!(ini.len(), 7, "{ini:#?}");
    assert!(ini.iter().all(|f| f["action"] == "fix"), "{ini:#?}");
    assert!(
        findings
            .iter()
            .any(|f| f["path"] == ".vscode/settings.json")
    );

    driftfix()
        .current_dir(d)
        .args(["fix", "--apply"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(d.join("inventory.ini")).unwrap(),
        INVENTORY.replace("pve-shop", "pve")
    );
    assert_eq!(
        std::fs::read_to_string(d.join(".vscode/settings.json")).unwrap(),
        SETTINGS
            .replace("proxmox-shop", "pve")
            .replace("pve-shop", "pve")
    );
    // A second run changes nothing.
    driftfix()
        .current_dir(d)
        .args(["fix", "--dry-run"])
        .assert()
        .code(0);
}

/// A host is renamed onto an existing host of the same group, or of
/// another group (the hosts are one namespace, SPEC §9; the existing host
/// holds no alias, so planning must still see it).
#[test]
fn a_rename_onto_an_existing_host_is_manual_everywhere() {
    for inv in [
        "[a]\npve-shop\npve\n[b]\npve-shop\n",
        "[a]\npve-shop\n[b]\npve\n[c]\npve-shop x=1\n",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("driftfix.toml"), RULES).unwrap();
        std::fs::write(d.join("inventory.ini"), inv).unwrap();
        let out = driftfix()
            .current_dir(d)
            .args(["fix", "--apply", "--format", "json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{inv}");
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let hosts: Vec<&Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["kind"] == "key" && f["actual"] == "pve-shop")
            .collect();
        assert_eq!(hosts.len(), 2, "{inv}");
        assert!(
            hosts.iter().all(|f| f["action"] == "manual"),
            "{inv} {hosts:#?}"
        );
        assert_eq!(
            std::fs::read_to_string(d.join("inventory.ini")).unwrap(),
            inv
        );
    }
}

/// SPEC §8's built-in map for the new types (no `[types]` table).
#[test]
fn builtin_type_map_sends_editor_files_to_jsonc_and_ini_files_to_ini() {
    use driftfix::formats::FileType;
    use driftfix::rules::types::TypeMap;
    let map = TypeMap::new(Vec::new());
    let ty = |p: &str| map.type_of(p).map(|(t, _)| t);
    for p in [
        "a/.vscode/settings.json",
        "tsconfig.json",
        "x/tsconfig.base.json",
        ".devcontainer/devcontainer.json",
        "devcontainer.json",
        ".devcontainer/other.json",
        "a.jsonc",
    ] {
        assert_eq!(ty(p), Some(FileType::Jsonc), "{p}");
    }
    assert_eq!(ty("a/settings.json"), Some(FileType::Json));
    assert_eq!(ty("inventory.ini"), Some(FileType::Ini));
    assert_eq!(ty("notes.md"), None);
    assert_eq!(ty("hosts"), None);
}
