//! Property tests for INI, text and JSONC: random documents built from each
//! format's pieces (comments, quotes, blank lines, odd spacing, CRLF or LF,
//! a final newline or not, a BOM where the format allows one), planned
//! through the real pipeline with token-matched aliases. Whenever a file is
//! rewritten:
//! - the new text is the original with exactly the plan's edits applied,
//!   and every edit replaces the bytes of one alias occurrence with its
//!   canonical name — so every byte outside the edited spans is unchanged;
//! - the format's own verification accepts it, and a second plan finds
//!   nothing left to fix.

use std::path::Path;

use driftfix::formats::{FileType, apply_edits};
use driftfix::plan::{Action, plan_bytes};
use driftfix::rules::{Role, RuleSet};
use proptest::prelude::*;

const ALIASES: &[(&str, &str)] = &[
    ("pve-shop", "pve"),
    ("proxmox-shop", "pve"),
    ("pve-home", "proxmox-home"),
];

fn rules(field: &str) -> RuleSet {
    let text = format!(
        "[[canonical]]\nname = \"pve\"\naliases = [\"pve-shop\", \"proxmox-shop\"]\n[[canonical]]\nname = \"proxmox-home\"\naliases = [\"pve-home\"]\n[[field]]\n{field}match = \"token\"\n"
    );
    RuleSet::from_toml_str(&text, Path::new("props.toml")).expect("rules")
}

fn check(ft: FileType, doc: &str, rules: &RuleSet) {
    let plan = match plan_bytes("doc", ft, Role::Editable, doc.as_bytes(), rules) {
        Ok(p) => p,
        // Generated documents may be invalid (INI section rules): only a
        // positioned parse error is acceptable.
        Err(e) => {
            assert!(e.line.is_some(), "{e}\n{doc:?}");
            return;
        }
    };
    assert!(plan.refused.is_none(), "{:?}\n{doc:?}", plan.refused);
    let Some(new) = &plan.new_text else {
        return;
    };
    assert_eq!(&apply_edits(doc, &plan.edits), new);
    for e in &plan.edits {
        let old = &doc[e.range.clone()];
        let expected = ALIASES
            .iter()
            .find(|(a, _)| *a == old)
            .map(|(_, c)| *c)
            .unwrap_or_else(|| {
                panic!("edit {:?} replaces {old:?}, not an alias\n{doc:?}", e.range)
            });
        assert_eq!(e.text, expected, "{doc:?}");
    }
    let again = plan_bytes("doc", ft, Role::Editable, new.as_bytes(), rules).expect("replan");
    assert_eq!(
        again
            .findings
            .iter()
            .filter(|f| f.action == Action::Fix)
            .count(),
        0,
        "{new:?}"
    );
}

fn word() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "pve-shop",
        "proxmox-shop",
        "pve-home",
        "pve",
        "web1",
        "db",
        "pve-shop-2",
        "x.pve-shop",
        "pve-shop.lan",
        "a-pve-home",
        "node",
    ])
    .prop_map(str::to_string)
}

fn finish(lines: Vec<String>, crlf: bool, final_nl: bool) -> String {
    let nl = if crlf { "\r\n" } else { "\n" };
    let mut s = lines.join(nl);
    if final_nl {
        s.push_str(nl);
    }
    s
}

fn ini_line() -> impl Strategy<Value = String> {
    let ws = prop::sample::select(vec!["", " ", "  ", "\t", " \t "]);
    prop_oneof![
        (ws.clone(), word(), ws.clone()).prop_map(|(a, w, b)| format!("{a}[{w}]{b}")),
        // A group declared, then its vars (a `[g:vars]` alone is an error).
        word().prop_map(|w| format!("[{w}]\n[{w}:vars]")),
        word().prop_map(|w| format!("[{w}:children]")),
        (
            ws.clone(),
            word(),
            prop::collection::vec((word(), word(), 0..4u8), 0..3),
            prop::option::of(word())
        )
            .prop_map(|(a, h, vars, c)| {
                let mut l = format!("{a}{h}");
                for (k, v, q) in vars {
                    let k = k.replace('.', "_");
                    match q {
                        0 => l.push_str(&format!(" {k}={v}")),
                        1 => l.push_str(&format!(" {k}=\"{v} x\"")),
                        2 => l.push_str(&format!(" {k}='{v}'")),
                        _ => l.push_str(&format!(" {k}=\"'{v}'\"")),
                    }
                }
                if let Some(c) = c {
                    l.push_str(&format!(" # {c}"));
                }
                l
            }),
        (word(), ws.clone(), word())
            .prop_map(|(k, s, v)| format!("{}{s}={s}{v}", k.replace('.', "_"))),
        (word(), word()).prop_map(|(k, v)| format!("{}=\"{v}\" # {v}", k.replace('.', "_"))),
        word().prop_map(|c| format!("; {c}")),
        word().prop_map(|c| format!("# {c}")),
        Just(String::new()),
    ]
}

fn text_line() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            prop::sample::select(vec![
                "", " ", "(", ")", "`", ":", ".", "-", "@", "/", "é", "<!-- ",
            ]),
            word(),
        ),
        0..6,
    )
    .prop_map(|parts| parts.into_iter().map(|(p, w)| format!("{p}{w}")).collect())
}

/// A JSONC value with comments and trailing commas sprinkled in.
fn jsonc_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        word().prop_map(|w| format!("\"{w}\"")),
        word().prop_map(|w| format!("\"see {w}, ok\"")),
        Just("12".to_string()),
        Just("null".to_string()),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        let sep = prop::sample::select(vec![",", ", ", ",\n  ", ", // c\n  ", ", /* c */ "]);
        let trail = prop::sample::select(vec!["", ",", ",\n", ", // t\n"]);
        prop_oneof![
            (
                prop::collection::vec(inner.clone(), 1..4),
                sep.clone(),
                trail.clone()
            )
                .prop_map(|(items, s, t)| format!("[{}{t}]", items.join(s))),
            (prop::collection::vec((word(), inner), 1..4), sep, trail).prop_map(|(kv, s, t)| {
                let body: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
                format!("{{{}{t}}}", body.join(s))
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn ini_changes_only_alias_bytes(
        lines in prop::collection::vec(ini_line(), 0..12),
        crlf in any::<bool>(),
        final_nl in any::<bool>(),
    ) {
        let doc = finish(lines, crlf, final_nl);
        let r = rules("types = [\"ini\"]\nselect = [\"**\"]\nkeys_of = [\"**\", \".\"]\n");
        check(FileType::Ini, &doc, &r);
    }

    #[test]
    fn text_changes_only_alias_bytes(
        lines in prop::collection::vec(text_line(), 0..12),
        crlf in any::<bool>(),
        final_nl in any::<bool>(),
        bom in any::<bool>(),
    ) {
        let mut doc = finish(lines, crlf, final_nl);
        if bom {
            doc.insert(0, '\u{feff}');
        }
        check(FileType::Text, &doc, &rules("types = [\"text\"]\n"));
    }

    #[test]
    fn jsonc_changes_only_alias_bytes(
        v in jsonc_value(),
        head in prop::sample::select(vec!["", "// settings\n", "/* a */ ", "\u{feff}"]),
        tail in prop::sample::select(vec!["", "\n", " // end", "\r\n"]),
    ) {
        let doc = format!("{head}{v}{tail}");
        check(FileType::Jsonc, &doc, &rules("select = [\"**\"]\nkeys_of = [\"**\"]\n"));
    }
}
