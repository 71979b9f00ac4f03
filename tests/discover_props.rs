//! Properties of `discover` (SPEC §12) on generated trees, through the
//! library (no disk):
//!
//! - renaming a canonical name in the authority renames it in the
//!   proposal, and changes nothing else;
//! - on a tree where the only relation between the authority and the rest
//!   is name likeness (and words any record may share), nothing is ever
//!   proposed.

use std::collections::BTreeMap;
use std::path::Path;

use driftfix::discover::{TextFile, discover_texts};
use driftfix::formats::FileType;
use driftfix::rules::{Role, RuleSet};
use proptest::prelude::*;

fn rules() -> RuleSet {
    RuleSet::from_toml_str(
        "[paths]\nauthority = [\"spine/**\"]\n\
         [[field]]\nselect = [\"host\", \"location\"]\nkeys_of = [\"hosts\"]\n",
        Path::new("props.toml"),
    )
    .unwrap()
}

fn file(path: &str, role: Role, text: String) -> TextFile {
    let file_type = if path.ends_with(".json") {
        FileType::Json
    } else {
        FileType::Yaml
    };
    TextFile {
        rel_path: path.to_string(),
        role,
        file_type,
        text,
    }
}

/// alias → canonical of every proposal.
fn proposals(files: Vec<TextFile>) -> BTreeMap<String, String> {
    let outcome = discover_texts(&rules(), files);
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    let d = &outcome.discovery;
    d.proposed()
        .map(|(c, a)| (a.report.name.clone(), d.name_of(c.index).to_string()))
        .collect()
}

/// A homelab-like tree: two clusters `a` and `b` in the authority (an
/// inventory of hosts with Tailscale IPs, and VMs with ids), and a
/// workbench that calls them `a_alias` (by VM) and `b_alias` (by IP).
fn tree(a: &str, b: &str, a_alias: &str, b_alias: &str) -> Vec<TextFile> {
    vec![
        file(
            "spine/hosts.yaml",
            Role::Authority,
            format!(
                "targets:\n  - host: {a}\n    ip: 100.96.211.33\n    status: active\n  - host: {b}\n    ip: 100.103.99.62\n    status: active\n"
            ),
        ),
        file(
            "spine/vms.yaml",
            Role::Authority,
            format!(
                "vms:\n  - {{id: 200, name: docker-host, host: {a}}}\n  - {{id: 201, name: media-stack, host: {a}}}\n  - {{id: 100, name: homeassistant, host: {b}}}\n"
            ),
        ),
        file(
            "workbench/containers.json",
            Role::Editable,
            format!(
                r#"{{"containers": [{{"vmid": 200, "location": "{a_alias}"}}, {{"vmid": 201, "location": "{a_alias}"}}, {{"vmid": 100, "location": "{b}"}}]}}"#
            ),
        ),
        file(
            "workbench/monitoring.yaml",
            Role::Editable,
            format!(
                "hosts:\n  {b_alias}:\n    address: 100.103.99.62\n  {a}:\n    address: 100.96.211.33\n"
            ),
        ),
    ]
}

/// Host-like names: one to three words of lower-case letters and digits.
fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{1,6}(-[a-z][a-z0-9]{1,5}){0,2}"
}

/// Values the generated trees use for other things.
const TAKEN: &[&str] = &[
    "docker-host",
    "media-stack",
    "homeassistant",
    "active",
    "targets",
    "vms",
    "containers",
    "hosts",
    "null",
    "true",
    "false",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn renaming_a_canonical_renames_it_in_the_proposal(
        a in name(), b in name(), a_alias in name(), b_alias in name(),
    ) {
        let all = [&a, &b, &a_alias, &b_alias];
        for (i, x) in all.iter().enumerate() {
            prop_assume!(!TAKEN.contains(&x.as_str()));
            prop_assume!(all.iter().skip(i + 1).all(|y| y != x));
        }
        let baseline = proposals(tree("pve", "proxmox-home", "pve-shop", "pve-home"));
        prop_assert_eq!(
            &baseline,
            &BTreeMap::from([
                ("pve-shop".to_string(), "pve".to_string()),
                ("pve-home".to_string(), "proxmox-home".to_string()),
            ])
        );
        // Rename the canonical names only: the aliases follow them.
        let renamed = proposals(tree(&a, &b, "pve-shop", "pve-home"));
        prop_assume!(!["pve-shop", "pve-home"].contains(&a.as_str()));
        prop_assume!(!["pve-shop", "pve-home"].contains(&b.as_str()));
        prop_assert_eq!(
            renamed,
            BTreeMap::from([
                ("pve-shop".to_string(), a.clone()),
                ("pve-home".to_string(), b.clone()),
            ])
        );
        // And everything renamed at once.
        prop_assert_eq!(
            proposals(tree(&a, &b, &a_alias, &b_alias)),
            BTreeMap::from([(a_alias.clone(), a.clone()), (b_alias.clone(), b.clone())])
        );
    }

    #[test]
    fn likeness_alone_never_proposes(
        canonicals in prop::collection::btree_set(name(), 1..5),
        suffixes in prop::collection::vec("[a-z]{2,6}", 1..6),
        statuses in prop::collection::vec(prop::sample::select(vec!["active", "stopped", "template"]), 8),
        vlans in prop::collection::vec(10u8..40, 8),
        seed in 0u32..1000,
    ) {
        let canonicals: Vec<String> = canonicals.into_iter().collect();
        prop_assume!(canonicals.iter().all(|c| !TAKEN.contains(&c.as_str())));
        // The authority: each canonical name with its own ids and IPs.
        let mut spine = String::from("targets:\n");
        for (i, c) in canonicals.iter().enumerate() {
            spine.push_str(&format!(
                "  - host: {c}\n    ip: 10.1.{}.{}\n    vmid: {}\n    status: {}\n    vlan: {}\n",
                seed % 200,
                i + 1,
                1000 + i,
                statuses[i % statuses.len()],
                vlans[i % vlans.len()],
            ));
        }
        // Elsewhere: names that contain a canonical name or share its
        // words, in records whose ids and IPs the authority never has;
        // only words and two-digit numbers are shared.
        let mut work = String::from("containers:\n");
        for (i, s) in suffixes.iter().enumerate() {
            let c = &canonicals[i % canonicals.len()];
            let candidate = if i % 2 == 0 { format!("{c}-{s}") } else { format!("{s}-{c}") };
            prop_assume!(!canonicals.contains(&candidate));
            work.push_str(&format!(
                "  - location: {candidate}\n    ip: 10.2.{}.{}\n    vmid: {}\n    status: {}\n    vlan: {}\n",
                seed % 200,
                i + 1,
                5000 + i,
                statuses[(i + 3) % statuses.len()],
                vlans[(i + 1) % vlans.len()],
            ));
        }
        let files = vec![
            file("spine/hosts.yaml", Role::Authority, spine),
            file("workbench/containers.yaml", Role::Editable, work),
        ];
        prop_assert!(proposals(files).is_empty());
    }
}
