//! The evidence rules on small in-memory trees: what identifies a record,
//! which ties are links and which context, what refutes a link, and the
//! proposal rule.

use super::{TextFile, discover_texts};
use crate::formats::FileType;
use crate::rules::{Role, RuleSet};

const RULES: &str = "[paths]\nauthority = [\"spine/**\"]\n\
    [[field]]\nselect = [\"host\", \"location\"]\nkeys_of = [\"hosts\"]\n";

fn yaml(path: &str, text: &str) -> TextFile {
    TextFile {
        rel_path: path.into(),
        role: if path.starts_with("spine/") {
            Role::Authority
        } else {
            Role::Editable
        },
        file_type: FileType::Yaml,
        text: text.into(),
    }
}

/// `(name, other)` pairs: `(alias, canonical)` or `(candidate, reason)`.
type Pairs = Vec<(String, String)>;

/// The proposals and the unresolved candidates.
fn outcome(files: Vec<TextFile>) -> (Pairs, Pairs) {
    let rules = RuleSet::from_toml_str(RULES, std::path::Path::new("r.toml")).unwrap();
    let out = discover_texts(&rules, files);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let d = &out.discovery;
    let proposed = d
        .proposed()
        .map(|(c, a)| (a.report.name.clone(), d.name_of(c.index).to_string()))
        .collect();
    let unresolved = d
        .unresolved
        .iter()
        .map(|u| (u.report.name.clone(), u.reason.clone()))
        .collect();
    (proposed, unresolved)
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_string(), b.to_string())
}

/// Three hosts, each with a serial, an IP and a shared site.
const SPINE: &str = "machines:
  - {host: pve, serial: R730-01, ip: 10.0.0.1, site: shop, vlan: 12}
  - {host: nas, serial: DS920-02, ip: 10.0.0.2, site: home, vlan: 12}
  - {host: edge, serial: UDM-03, ip: 10.0.0.3, site: home, vlan: 14}
";

#[test]
fn a_shared_key_value_links_records_whatever_the_keys_are_called() {
    let (proposed, unresolved) = outcome(vec![
        yaml("spine/m.yaml", SPINE),
        yaml("w.yaml", "- {location: pve-shop, address: 10.0.0.1}\n"),
    ]);
    assert_eq!(proposed, [pair("pve-shop", "pve")]);
    assert!(unresolved.is_empty());
}

#[test]
fn values_shared_by_several_authority_records_identify_nothing() {
    // `site: home` and `vlan: 12` are in two records each.
    let (proposed, unresolved) = outcome(vec![
        yaml("spine/m.yaml", SPINE),
        yaml(
            "w.yaml",
            "- {location: nas-old, site: home, vlan: 12}\n- {location: shop-node, where: shop}\n",
        ),
    ]);
    assert!(proposed.is_empty(), "{proposed:?}");
    assert_eq!(unresolved.len(), 2);
}

#[test]
fn a_numeric_column_of_two_values_is_no_key() {
    // Two ports that differ: not a key column (three would be).
    let spine = "hosts:\n  pve: {port: 8006}\n  nas: {port: 5001}\n";
    let (proposed, _) = outcome(vec![
        yaml("spine/h.yaml", spine),
        yaml("w.yaml", "- {location: nas-ui, port: 5001}\n"),
    ]);
    assert!(proposed.is_empty(), "{proposed:?}");
    let spine = "hosts:\n  pve: {vmid: 8006}\n  nas: {vmid: 5001}\n  edge: {vmid: 4001}\n";
    let (proposed, _) = outcome(vec![
        yaml("spine/h.yaml", spine),
        yaml("w.yaml", "- {location: nas-ui, id: 5001}\n"),
    ]);
    assert_eq!(proposed, [pair("nas-ui", "nas")]);
}

#[test]
fn a_single_authority_record_proves_no_column() {
    let (proposed, _) = outcome(vec![
        yaml("spine/one.yaml", "host: pve\nserial: R730-01\n"),
        yaml("w.yaml", "- {location: pve-shop, serial: R730-01}\n"),
    ]);
    assert!(proposed.is_empty(), "{proposed:?}");
    // The same column in two files (one host per file) is a column.
    let (proposed, _) = outcome(vec![
        yaml("spine/one.yaml", "host: pve\nserial: R730-01\n"),
        yaml("spine/two.yaml", "host: nas\nserial: DS920-02\n"),
        yaml("w.yaml", "- {location: pve-shop, serial: R730-01}\n"),
    ]);
    assert_eq!(proposed, [pair("pve-shop", "pve")]);
}

#[test]
fn the_same_record_in_two_authority_files_still_identifies() {
    let vms =
        "vms:\n  - {id: 200, host: pve}\n  - {id: 201, host: pve}\n  - {id: 100, host: nas}\n";
    let (proposed, _) = outcome(vec![
        yaml("spine/vms.yaml", vms),
        yaml("spine/vms.derived.yaml", vms),
        yaml("w.yaml", "- {location: nas-2, vmid: 100}\n"),
    ]);
    assert_eq!(proposed, [pair("nas-2", "nas")]);
    // Unless the two files disagree on its names.
    let other =
        "vms:\n  - {id: 200, host: pve}\n  - {id: 201, host: pve}\n  - {id: 100, host: pve}\n";
    let (proposed, _) = outcome(vec![
        yaml("spine/vms.yaml", vms),
        yaml("spine/vms.derived.yaml", other),
        yaml("w.yaml", "- {location: nas-2, vmid: 100}\n"),
    ]);
    assert!(proposed.is_empty(), "{proposed:?}");
}

#[test]
fn a_differing_key_column_refutes_a_link() {
    let (proposed, unresolved) = outcome(vec![
        yaml("spine/m.yaml", SPINE),
        yaml(
            "w.yaml",
            "- {location: pve-backup, serial: R730-01, ip: 10.0.0.9}\n",
        ),
    ]);
    assert!(proposed.is_empty());
    assert!(unresolved[0].1.contains("refuted"), "{unresolved:?}");
}

#[test]
fn inherited_labels_and_lists_are_context() {
    let rules = RuleSet::from_toml_str(RULES, std::path::Path::new("r.toml")).unwrap();
    let out = discover_texts(
        &rules,
        vec![
            yaml("spine/m.yaml", SPINE),
            yaml(
                "w.yaml",
                "- location: pve-shop\n  jobs:\n    - {serial: R730-01}\n  ips: [10.0.0.1]\n",
            ),
        ],
    );
    let d = &out.discovery;
    let (_, alias) = d.proposed().next().unwrap();
    assert_eq!(alias.report.evidence.links, 0);
    assert_eq!(alias.report.evidence.contexts, 2);
}

#[test]
fn a_record_that_holds_the_canonical_too_is_no_evidence() {
    let (proposed, unresolved) = outcome(vec![
        yaml("spine/m.yaml", SPINE),
        yaml(
            "w.yaml",
            "- {location: pve-standby, host: pve, ip: 10.0.0.1}\n",
        ),
    ]);
    assert!(proposed.is_empty());
    assert!(
        unresolved[0].1.contains("no usable evidence"),
        "{unresolved:?}"
    );
}

#[test]
fn conflicting_links_leave_the_candidate_unresolved() {
    let (proposed, unresolved) = outcome(vec![
        yaml("spine/m.yaml", SPINE),
        yaml(
            "w.yaml",
            "- {location: box, ip: 10.0.0.1}\n- {location: box, ip: 10.0.0.2}\n",
        ),
    ]);
    assert!(proposed.is_empty());
    assert!(
        unresolved[0].1.starts_with("conflicting evidence"),
        "{unresolved:?}"
    );
}

#[test]
fn given_aliases_are_known_names_not_candidates() {
    let rules = RuleSet::from_toml_str(
        &format!("{RULES}[[canonical]]\nname = \"pve\"\naliases = [\"pve-shop\"]\n"),
        std::path::Path::new("r.toml"),
    )
    .unwrap();
    let out = discover_texts(
        &rules,
        vec![
            yaml("spine/m.yaml", SPINE),
            yaml("w.yaml", "- {location: pve-shop, ip: 10.0.0.1}\n"),
        ],
    );
    let d = &out.discovery;
    assert_eq!(d.proposed().count(), 0);
    assert!(d.unresolved.is_empty());
    let pve = d.canonicals.first().unwrap();
    assert_eq!(d.name_of(pve.index), "pve");
    assert_eq!(pve.aliases[0].report.occurrences.total, 1);
}

#[test]
fn token_fields_count_mentions_but_define_no_label() {
    let rules = RuleSet::from_toml_str(
        &format!("{RULES}[[field]]\nselect = [\"url\"]\nmatch = \"token\"\n"),
        std::path::Path::new("r.toml"),
    )
    .unwrap();
    let out = discover_texts(
        &rules,
        vec![
            yaml("spine/m.yaml", SPINE),
            yaml(
                "w.yaml",
                "- {location: pve-shop, ip: 10.0.0.1, url: 'https://pve-shop.lan/x'}\n- {url: 'https://other-host.lan'}\n",
            ),
        ],
    );
    let d = &out.discovery;
    let (_, alias) = d.proposed().next().unwrap();
    assert_eq!(alias.report.occurrences.total, 2);
    assert!(d.unresolved.is_empty(), "a word of a URL is no candidate");
}

#[test]
fn numbers_from_every_format_compare_equal() {
    let rules = RuleSet::from_toml_str(RULES, std::path::Path::new("r.toml")).unwrap();
    let file = |path: &str, file_type, text: &str| TextFile {
        rel_path: path.into(),
        role: Role::Editable,
        file_type,
        text: text.into(),
    };
    let vms =
        "vms:\n  - {id: 200, host: pve}\n  - {id: 201, host: pve}\n  - {id: 100, host: nas}\n";
    let out = discover_texts(
        &rules,
        vec![
            yaml("spine/vms.yaml", vms),
            file(
                "a.json",
                FileType::Json,
                r#"[{"location": "a", "vmid": 100}]"#,
            ),
            file(
                "b.toml",
                FileType::Toml,
                "[x]\nlocation = \"b\"\nvmid = 1_00\n",
            ),
            file("c.yaml", FileType::Yaml, "- {location: c, vmid: \"100\"}\n"),
        ],
    );
    let proposed: Vec<String> = out
        .discovery
        .proposed()
        .map(|(_, a)| a.report.name.clone())
        .collect();
    assert_eq!(proposed, ["a", "b", "c"]);
}

fn text(path: &str, body: &str) -> TextFile {
    TextFile {
        rel_path: path.into(),
        role: if path.starts_with("spine/") {
            Role::Authority
        } else {
            Role::Readonly
        },
        file_type: FileType::Text,
        text: body.into(),
    }
}

/// Text lines under a text field rule.
fn with_text(files: Vec<TextFile>) -> super::Outcome {
    let rules = RuleSet::from_toml_str(
        &format!("{RULES}[[field]]\ntypes = [\"text\"]\n"),
        std::path::Path::new("r.toml"),
    )
    .unwrap();
    discover_texts(&rules, files)
}

fn summary(out: &super::Outcome) -> (Pairs, Pairs) {
    let d = &out.discovery;
    (
        d.proposed()
            .map(|(c, a)| (a.report.name.clone(), d.name_of(c.index).to_string()))
            .collect(),
        d.unresolved
            .iter()
            .map(|u| (u.report.name.clone(), u.reason.clone()))
            .collect(),
    )
}

#[test]
fn host_names_on_text_lines_with_an_identifier_are_context() {
    let notes = "# handoff\n\
        - pve-shop (10.0.0.1) lost quorum at 02:10; the VMs moved.\n\
        - rebooted pve-shop at 10.0.0.1 after the fix.\n\
        - sync-to-beelink ran as usual.\n";
    let out = with_text(vec![
        yaml("spine/m.yaml", SPINE),
        text("legacy/notes.md", notes),
    ]);
    let (proposed, unresolved) = summary(&out);
    assert_eq!(proposed, [pair("pve-shop", "pve")]);
    // A host-like word on a line without an identifier is no candidate.
    assert!(unresolved.is_empty(), "{unresolved:?}");
    let (_, alias) = out.discovery.proposed().next().unwrap();
    assert_eq!(alias.report.evidence.contexts, 2);
    assert_eq!(alias.report.occurrences.total, 2, "both mentions counted");
}

#[test]
fn one_line_of_text_is_not_enough() {
    let notes = "- pve-shop (10.0.0.1) lost quorum\n";
    let (proposed, unresolved) = summary(&with_text(vec![
        yaml("spine/m.yaml", SPINE),
        text("legacy/notes.md", notes),
    ]));
    assert!(proposed.is_empty());
    assert!(
        unresolved[0].1.contains("one line of text"),
        "{unresolved:?}"
    );
    // A line next to a record link is corroboration enough.
    let (proposed, _) = summary(&with_text(vec![
        yaml("spine/m.yaml", SPINE),
        text("legacy/notes.md", notes),
        yaml("w.yaml", "- {location: pve-shop, serial: R730-01}\n"),
    ]));
    assert_eq!(proposed, [pair("pve-shop", "pve")]);
}

#[test]
fn a_line_with_two_unknown_hosts_tells_nothing() {
    let notes = "- moved docker-vm from pve-shop to nas-old via 10.0.0.1\n\
        - again: docker-vm from pve-shop to nas-old via 10.0.0.1\n";
    let (proposed, unresolved) = summary(&with_text(vec![
        yaml("spine/m.yaml", SPINE),
        text("legacy/notes.md", notes),
    ]));
    assert!(proposed.is_empty(), "{proposed:?}");
    assert!(
        unresolved
            .iter()
            .all(|(_, why)| why.starts_with("ambiguous")),
        "{unresolved:?}"
    );
}

#[test]
fn authority_text_lines_tie_their_identifiers_to_the_names_they_say() {
    let ssot = "# Device identity\n\
        pve is the Dell R730XD, serial 8XKQ2-R730, in the shop rack.\n\
        nas lives at home, serial 22K-DS920.\n";
    let (proposed, _) = summary(&with_text(vec![
        yaml("spine/m.yaml", SPINE),
        text("spine/ssot.md", ssot),
        yaml("w.yaml", "- {location: shop-node, chassis: 8XKQ2-R730}\n"),
    ]));
    assert_eq!(proposed, [pair("shop-node", "pve")]);
}
